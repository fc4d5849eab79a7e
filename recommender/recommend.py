"""The pipeline for one profile: validate → vectorise → eligibility → score → explain → result."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from .catalogue import Catalogue, load_catalogue
from .eligibility import EligibilityRules
from .explain import contribution_list, explain, in_sentence, join_words, sources_for_claims
from .models import COMPONENTS, Profile, Weights
from .result import Exclusion, Recommendation, Result
from .scoring import contributions, effective_weights, rank_order
from .sensitivity import measure
from .validate import load_profile
from .vectorise import Vectoriser
from .whatif import describe as describe_what_if

__all__ = ["Recommender", "recommend", "fitted", "VERDICTS", "DEFAULT_TOP"]

DEFAULT_TOP = 5
#: Score bands for the verdict on the first choice.
VERDICTS = (("strong", 0.50), ("fair", 0.30), ("weak", 0.0))

ProfileLike = str | os.PathLike[str] | Mapping[str, Any] | Profile


class Recommender:
    """A catalogue fitted once (feature space and eligibility tables), reused per profile."""

    def __init__(self, catalogue: Catalogue | None = None, *, weights: Weights | None = None) -> None:
        self.catalogue = catalogue if catalogue is not None else load_catalogue()
        self.weights = weights if weights is not None else Weights()
        self.vectoriser = Vectoriser().fit(self.catalogue)
        self.rules = EligibilityRules().fit(self.catalogue)

    def recommend(self, profile: ProfileLike, *, top: int = DEFAULT_TOP) -> Result:
        """Rank the catalogue for one profile; see `recommend`."""
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise ValueError("top must be a whole number of at least 1")
        cat = self.catalogue
        p = load_profile(profile, catalogue=cat)
        pm = self.vectoriser.transform([p])
        contrib = contributions(pm, self.vectoriser, self.weights)[0]
        score_row = contrib.sum(axis=1)
        verdicts = self.rules.verdicts(p)
        eff = effective_weights(self.weights, pm.applicable)[0]
        issue_cols = [self.vectoriser.column_[f"issue:{k}"] for k in p.weights()]

        shortlist: list[Recommendation] = []
        members: list[Recommendation] = []
        excluded: list[Exclusion] = []
        for col in rank_order(score_row, cat.ids):
            init = cat.initiatives[col]
            v = verdicts[col]
            if not v.eligible:
                continue
            is_member = init.id in p.memberships
            relevant = bool(contrib[col, issue_cols].sum() > 0)
            if not is_member and (not relevant or score_row[col] < self.weights.min_score):
                continue
            if not is_member and len(shortlist) >= top:
                continue
            parts = contribution_list(contrib[col], self.vectoriser, cat.taxonomy)
            ex = explain(p, init, parts, vec=self.vectoriser, col=col, taxonomy=cat.taxonomy)
            rec = Recommendation(
                rank=0 if is_member else len(shortlist) + 1,
                initiative=init,
                score=float(score_row[col]),
                contributions=parts,
                reasons=tuple(ex.reasons),
                cautions=tuple(("You already take part in it.", *ex.cautions) if is_member else ex.cautions),
                gaps=tuple(ex.gaps),
                covered=ex.covered,
                sources=sources_for_claims(init, ex.claims),
                member=is_member,
            )
            (members if is_member else shortlist).append(rec)
        for col, init in enumerate(cat.initiatives):
            v = verdicts[col]
            if not v.eligible:
                excluded.append(Exclusion(initiative=init, reasons=v.reasons, rules=v.failed))

        extras: dict[str, Any] = {}
        stable = measure(self, p, top=shortlist[0].id) if shortlist else None
        if stable is not None:
            extras["stability"] = stable.to_dict()
        extras["what_if"] = describe_what_if(self, p, shortlist[0].id if shortlist else None)

        covered_any = {k for r in shortlist for k in r.covered}
        uncovered = tuple(k for k in p.weights() if k not in covered_any)
        verdict, message = _verdict(p, shortlist, excluded, len(cat), cat)
        return Result(
            profile=p,
            catalogue=cat.describe(),
            taxonomy=cat.taxonomy,
            weights={c: float(eff[i]) for i, c in enumerate(COMPONENTS)},
            shortlist=tuple(shortlist),
            memberships=tuple(members),
            excluded=tuple(excluded),
            uncovered=uncovered,
            verdict=verdict,
            message=message,
            considered=len(cat),
            extras=extras,
        )


def _verdict(
    p: Profile, shortlist: list[Recommendation], excluded: list[Exclusion], size: int, cat: Catalogue
) -> tuple[str, str]:
    label = lambda k: in_sentence(cat.taxonomy.label("issues", k))  # noqa: E731
    issues = join_words([label(k) for k in p.issues])
    if not shortlist:
        if len(excluded) == size:
            return "none", (
                f"No initiative in the catalogue is open to this profile: all {size} are excluded "
                "(see the reasons below)."
            )
        return "none", (
            f"No initiative in the catalogue fits this profile: none of the {size - len(excluded)} open to it "
            f"addresses {issues} well enough to recommend."
        )
    best = shortlist[0]
    band = next(name for name, floor in VERDICTS if best.score >= floor)
    n_cov = sum(1 for k in p.issues if k in best.covered)
    if band == "weak":
        return band, (
            f"No initiative fits this profile well. The best available, {best.name}, scores {best.score:.2f} "
            f"and covers {n_cov} of your {len(p.issues)} listed issues; treat the shortlist as leads to check, "
            "not as recommendations."
        )
    return band, (
        f"{best.name} is the {'strongest' if band == 'strong' else 'best'} match (score {best.score:.2f}), "
        f"covering {n_cov} of your {len(p.issues)} listed issues."
    )


_FITTED: dict[tuple[int, Weights | None], Recommender] = {}


def recommend(
    profile: ProfileLike,
    *,
    catalogue: Catalogue | str | os.PathLike[str] | None = None,
    top: int = DEFAULT_TOP,
    weights: Weights | None = None,
) -> Result:
    """Rank the catalogue's initiatives for one profile and explain the ranking.

    ``profile`` is a YAML path, a mapping or a `Profile`; ``catalogue`` a `Catalogue`, a
    folder, or None for the packaged one. Returns a `Result` whose ``to_dict()`` is the
    JSON the CLI prints. Raises `ProfileError` / `CatalogueError` for bad input.

    Examples
    --------
    >>> r = recommend({"name": "Mill", "kind": "factory", "country": "CN",
    ...                "sector": "textiles", "issues": ["chemicals", "water"]})
    >>> r.shortlist[0].id
    'better-mill-initiative'
    """
    return fitted(catalogue, weights).recommend(profile, top=top)


def fitted(
    catalogue: Catalogue | str | os.PathLike[str] | None = None, weights: Weights | None = None
) -> Recommender:
    """The `Recommender` for ``catalogue`` and ``weights``, fitted once and cached."""
    if not isinstance(catalogue, Catalogue):
        catalogue = load_catalogue(catalogue)
    key = (id(catalogue), weights)
    found = _FITTED.get(key)
    if found is None or found.catalogue is not catalogue:
        found = Recommender(catalogue, weights=weights)
        if len(_FITTED) > 16:
            _FITTED.clear()
        _FITTED[key] = found
    return found

