"""How stable a first choice is when the weights are not quite what we assumed.

The component weights (issues, approaches, workforce, text) and the profile's issue
weights are each multiplied by an independent factor drawn uniformly from
``[1 - perturbation, 1 + perturbation]``, ``draws`` times, from a generator seeded with
``seed`` (so the figures are reproducible). In every draw the scores are recomputed
by the engine from the per-component scores, and the first choice is taken by the engine's
own selection (eligible, not already joined, relevant, at least the minimum score).
``top_stays_first`` is the share of draws in which the unperturbed first choice stays first.

A shortlist is flagged as a near-tie when the first choice leads the runner-up by less
than `NEAR_TIE_MARGIN` or stays first in less than `NEAR_TIE_SHARE` of the draws.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalogue import Catalogue
from ..core.scoring import SCORE_DECIMALS, combine
from ..models import COMPONENTS, Profile, Weights

if TYPE_CHECKING:  # pragma: no cover
    from ..core.engine import Scored
    from ..core.recommend import Recommender
    from ..result import Result

__all__ = [
    "Stability",
    "stability",
    "measure",
    "with_stability",
    "DEFAULT_DRAWS",
    "DEFAULT_PERTURBATION",
    "DEFAULT_SEED",
    "NEAR_TIE_MARGIN",
    "NEAR_TIE_SHARE",
]

DEFAULT_DRAWS = 500
DEFAULT_PERTURBATION = 0.20
DEFAULT_SEED = 20261125
#: A lead smaller than this is a near-tie.
NEAR_TIE_MARGIN = 0.02
#: A first choice that stays first in fewer draws than this is a near-tie.
NEAR_TIE_SHARE = 0.70


@dataclass(frozen=True)
class Stability:
    """The stability of one first choice under weight perturbation.

    ``challengers`` maps every other initiative that came first in some draw to the share
    of draws it did so, largest first. ``margin`` is the first choice's lead over the
    runner-up (over zero when nothing else is a candidate).
    """

    top: str
    top_stays_first: float
    draws: int
    perturbation: float
    seed: int
    near_tie: bool
    runner_up: str | None
    margin: float
    challengers: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``extras["stability"]`` part of the JSON result."""
        return {
            "top": self.top,
            "top_stays_first": round(self.top_stays_first, 4),
            "draws": self.draws,
            "perturbation": self.perturbation,
            "seed": self.seed,
            "near_tie": self.near_tie,
            "runner_up": self.runner_up,
            "margin": round(self.margin, 4),
            "challengers": {k: round(v, 4) for k, v in self.challengers.items()},
        }


def _check(draws: int, perturbation: float) -> None:
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ValueError("draws must be a whole number of at least 1")
    if not 0.0 <= perturbation < 1.0:
        raise ValueError("perturbation must be at least 0 and below 1")


def measure(
    recommender: Recommender,
    profile: Profile,
    *,
    scored: Scored | None = None,
    draws: int = DEFAULT_DRAWS,
    perturbation: float = DEFAULT_PERTURBATION,
    seed: int = DEFAULT_SEED,
    top: str | None = None,
) -> Stability | None:
    """The `Stability` of ``profile``'s first choice with a fitted `Recommender`.

    ``scored`` is the engine's result for the profile when already at hand; ``top`` the
    first choice when already known (`recommend` passes its own, so the two can never
    disagree); otherwise both are computed. Every draw is scored and selected by the
    engine's own functions (`scoring.combine`, `Engine.select`). Returns None when
    nothing would be shortlisted (there is no first choice).
    """
    _check(draws, perturbation)
    eng = recommender.engine
    if scored is None:
        scored = recommender.score(profile, top=1)
    ids = eng.ids
    first = ids.index(top) if top is not None else int(scored.selection.shortlist[0, 0])
    if first < 0:
        return None
    comp = scored.components[0]  # (m, C)
    avail = scored.features.availability[0]
    factor = scored.features.factor[0]
    eligible, relevant, members = scored.eligible[0], scored.relevant[0], scored.batch.members[0]
    candidates = eligible & relevant & ~members
    base = scored.scores[0]
    masked = np.where(candidates, np.round(base, SCORE_DECIMALS), -np.inf)
    rest = masked.copy()
    rest[first] = -np.inf
    second = int(np.argmax(rest)) if np.isfinite(rest).any() else None
    margin = max(0.0, round(float(base[first] - (base[second] if second is not None else 0.0)), SCORE_DECIMALS))

    # One factor per taxonomy issue, so the draws do not depend on the order issues are listed in.
    w = scored.batch.weights[0].astype(float)
    base_w = np.array([getattr(eng.weights, c) for c in COMPONENTS]) * avail
    rng = np.random.default_rng(seed)
    lo, hi = 1.0 - perturbation, 1.0 + perturbation
    factors = rng.uniform(lo, hi, size=(draws, len(COMPONENTS) + len(w)))
    comp_w = base_w[None, :] * factors[:, : len(COMPONENTS)]
    comp_w /= comp_w.sum(axis=1, keepdims=True)
    iw = w[None, :] * factors[:, len(COMPONENTS):]
    shares = iw / iw.sum(axis=1, keepdims=True)
    drawn = np.repeat(comp[None, :, :], draws, axis=0)
    drawn[:, :, COMPONENTS.index("issues")] = np.einsum("dk,mk->dm", shares, eng.matrix.issues, optimize=False)
    total = combine(drawn, comp_w, np.repeat(factor[None, :], draws, axis=0))
    rep = lambda a: np.repeat(a[None, :], draws, axis=0)  # noqa: E731
    winners = eng.select(total, rep(eligible), rep(relevant), rep(members), top=1).shortlist[:, 0]
    counts = np.bincount(winners[winners >= 0], minlength=len(ids))
    challengers = {
        ids[j]: float(counts[j] / draws)
        for j in sorted(np.flatnonzero(counts), key=lambda j: (-counts[j], ids[j]))
        if j != first
    }
    stays = float(counts[first] / draws)
    return Stability(
        top=ids[first],
        top_stays_first=stays,
        draws=draws,
        perturbation=float(perturbation),
        seed=int(seed),
        near_tie=bool(margin < NEAR_TIE_MARGIN or stays < NEAR_TIE_SHARE),
        runner_up=ids[second] if second is not None else None,
        margin=margin,
        challengers=challengers,
    )


def with_stability(result: Result, recommender: Recommender, **options: Any) -> Result:
    """``result`` with ``extras["stability"]`` (nothing added when the shortlist is empty)."""
    if not result.shortlist:
        return result
    found = measure(recommender, result.profile, top=result.shortlist[0].id, **options)
    if found is None:
        return result
    return dataclasses.replace(result, extras={**result.extras, "stability": found.to_dict()})


def stability(
    result: Result,
    *,
    catalogue: Catalogue | None = None,
    weights: Weights | None = None,
    draws: int = DEFAULT_DRAWS,
    perturbation: float = DEFAULT_PERTURBATION,
    seed: int = DEFAULT_SEED,
) -> Stability | None:
    """How stable ``result``'s first choice is; None when the shortlist is empty.

    Pass the ``catalogue`` and ``weights`` the result was made with (None: the packaged
    catalogue and its weights).

    Examples
    --------
    >>> from recommender import recommend
    >>> r = recommend({"name": "Mill", "kind": "factory", "country": "CN",
    ...                "sector": "textiles", "issues": ["chemicals", "water"]})
    >>> s = stability(r)
    >>> s.top == r.shortlist[0].id and 0.0 <= s.top_stays_first <= 1.0
    True
    """
    from ..core.recommend import Recommender

    if not result.shortlist:
        return None
    rec = Recommender(catalogue, weights=weights)
    return measure(rec, result.profile, draws=draws, perturbation=perturbation, seed=seed, top=result.shortlist[0].id)
