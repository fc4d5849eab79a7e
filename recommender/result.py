"""The result of `recommend`: a ranked, explained shortlist, exclusions and gaps.

`Result.to_dict()` is the JSON contract (documented in the README); renderers take a
`Result` and return a string.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .models import Initiative, Profile, Taxonomy

__all__ = ["Contribution", "Recommendation", "Exclusion", "Result", "round_preserving_sum", "shown_score", "DECIMALS"]

DECIMALS = 4


def shown_score(value: float) -> float:
    """A score as every output shows it (`core.scoring.rounded`: the same rule on every path)."""
    import numpy as np

    return float(np.round(value, DECIMALS))


def round_preserving_sum(values: list[float], total: float, decimals: int = DECIMALS) -> list[float]:
    """Round ``values`` so that they add up to ``total`` rounded to ``decimals`` exactly.

    Largest-remainder rounding: shown contributions always sum to the shown score.
    """
    scale = 10**decimals
    target = round(round(total, decimals) * scale)
    floors = [math.floor(v * scale) for v in values]
    short = target - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] * scale - floors[i]), i))
    for i in order[: max(short, 0)]:
        floors[i] += 1
    return [f / scale for f in floors]


@dataclass(frozen=True)
class Contribution:
    """One named part of a score: a feature, the component it belongs to, its value."""

    feature: str
    component: str
    label: str
    value: float


@dataclass(frozen=True)
class Recommendation:
    """One shortlisted (or already joined) initiative with its score and explanation."""

    rank: int
    initiative: Initiative
    score: float
    contributions: tuple[Contribution, ...]
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]
    gaps: tuple[str, ...]
    covered: dict[str, int]
    sources: tuple[dict, ...]
    member: bool = False
    tier: str = "recommended"
    offers: dict[str, int] = field(default_factory=dict)
    matched: tuple[str, ...] = ()
    #: Why it is "worth a look" rather than recommended ("it scores below 0.25", ...); "" when recommended.
    tier_reason: str = ""

    @property
    def id(self) -> str:
        return self.initiative.id

    @property
    def name(self) -> str:
        """The name the client sees (the current form of a renamed or merged programme)."""
        return self.initiative.display_name

    def component_totals(self) -> dict[str, float]:
        """The score split by component (issues, approaches, workforce, text)."""
        totals: dict[str, float] = {}
        for c in self.contributions:
            totals[c.component] = totals.get(c.component, 0.0) + c.value
        return totals

    def to_dict(self) -> dict[str, Any]:
        shown = [c for c in self.contributions if c.value > 0]
        score = shown_score(self.score)
        rounded = round_preserving_sum([c.value for c in shown], score)
        st = self.initiative.status
        return {
            "rank": self.rank,
            "id": self.id,
            "name": self.name,
            "tier": self.tier,
            **({"tier_reason": self.tier_reason} if self.tier_reason else {}),
            "score": score,
            "status": {"state": st.state, "as_of": st.as_of.isoformat(),
                       **({"successor": st.successor} if st.successor else {})},
            "reasons": list(self.reasons),
            "cautions": list(self.cautions),
            "gaps": list(self.gaps),
            "covered": dict(self.covered),
            "offers": dict(self.offers),
            "contributions": {c.feature: v for c, v in zip(shown, rounded)},
            "url": self.initiative.url,
            "sources": [dict(s) for s in self.sources],
            "notes": list(self.initiative.notes),
            **({"member": True} if self.member else {}),
        }


@dataclass(frozen=True)
class Exclusion:
    """An initiative the profile cannot join, with the reasons."""

    initiative: Initiative
    reasons: tuple[str, ...]
    rules: tuple[str, ...]
    sources: tuple[dict, ...] = ()
    #: What it would score were it open to the profile (None when it addresses nothing asked for).
    fit: float | None = None

    @property
    def id(self) -> str:
        return self.initiative.id

    @property
    def name(self) -> str:
        return self.initiative.display_name

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "reasons": list(self.reasons), "rules": list(self.rules),
                "sources": [dict(s) for s in self.sources],
                "fit": None if self.fit is None else shown_score(self.fit)}


@dataclass(frozen=True)
class Result:
    """Everything `recommend` found for one profile."""

    profile: Profile
    catalogue: dict[str, Any]
    taxonomy: Taxonomy
    weights: dict[str, float]
    shortlist: tuple[Recommendation, ...]
    memberships: tuple[Recommendation, ...]
    excluded: tuple[Exclusion, ...]
    uncovered: tuple[str, ...]
    verdict: str
    message: str
    considered: int
    extras: dict[str, Any] = field(default_factory=dict)
    #: Eligible initiatives outside the shortlist that offer something asked for, or cover a
    #: listed issue nothing on the shortlist covers (rank 0, tier "close_fit").
    close_fits: tuple[Recommendation, ...] = ()

    @property
    def top(self) -> Recommendation | None:
        """The first choice, if any."""
        return self.shortlist[0] if self.shortlist else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: profile, catalogue, shortlist, excluded, uncovered and more."""
        profile = self.profile.model_dump(mode="json", exclude_none=True)
        profile["workforce"] = {k: v for k, v in profile.get("workforce", {}).items() if v is not None}
        out = {
            "profile": profile,
            "catalogue": dict(self.catalogue),
            "verdict": self.verdict,
            "message": self.message,
            "weights": {k: round(v, DECIMALS) for k, v in self.weights.items()},
            "shortlist": [r.to_dict() for r in self.shortlist],
            "memberships": [r.to_dict() for r in self.memberships],
            "excluded": [e.to_dict() for e in self.excluded],
            "close_fits": [r.to_dict() for r in self.close_fits],
            "uncovered": list(self.uncovered),
        }
        out.update(self.extras)
        return out
