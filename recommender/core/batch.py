"""Validated profiles as columns: the one input of the engine, for one profile or a million.

Every path that ranks builds a `ProfileBatch` and hands it to `engine.Engine`: `recommend`
from one `Profile` (`ProfileBatch.from_profiles`), the supplier-list readers from columns
whose distinct values were each validated once. Keys are positions in the catalogue's
`Keys` (taxonomy order for issues, approaches, offers and sectors; id order for
initiatives; `countries.country_codes` order for countries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..catalogue import Catalogue
from ..countries import country_codes
from ..models import Profile

__all__ = ["Keys", "ProfileBatch", "KINDS"]

KINDS = ("factory", "brand")


@dataclass(frozen=True)
class Keys:
    """The positions every array of the engine uses, from one catalogue."""

    issues: tuple[str, ...]
    approaches: tuple[str, ...]
    offers: tuple[str, ...]
    sectors: tuple[str, ...]
    ids: tuple[str, ...]
    countries: tuple[str, ...]
    index: dict[str, dict[str, int]] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def of(cls, catalogue: Catalogue) -> Keys:
        t = catalogue.taxonomy
        keys = cls(tuple(t.issues), tuple(t.approaches), tuple(t.offers), tuple(t.sectors), catalogue.ids,
                   country_codes())
        for name in ("issues", "approaches", "offers", "sectors", "ids", "countries"):
            keys.index[name] = {k: i for i, k in enumerate(getattr(keys, name))}
        return keys

    def pos(self, section: str, key: str) -> int:
        """The position of ``key`` in ``section``."""
        return self.index[section][key]


@dataclass(frozen=True)
class ProfileBatch:
    """``n`` validated profiles, field by field.

    ``stated`` (n, K) holds the weights the profile gives (0: not listed); ``inferred``
    (n, K) the weights of issues inferred from its description or from public risk data
    (0 where stated). ``shares`` (n, 2) are the women and migrant shares (NaN: not given);
    ``text`` (n,) indexes ``descriptions`` (the distinct non-empty descriptions; -1: none).
    ``profiles`` keeps the `Profile` objects when the batch was made from them.
    """

    kind: np.ndarray
    country: np.ndarray
    sourcing: np.ndarray
    sectors: np.ndarray
    stated: np.ndarray
    inferred: np.ndarray
    prefers: np.ndarray
    wants: np.ndarray
    shares: np.ndarray
    size: np.ndarray
    members: np.ndarray
    text: np.ndarray
    descriptions: tuple[str, ...]
    profiles: tuple[Profile, ...] | None = None
    #: (n,) bits of where the inferred issues come from (`needs.FROM_*`); None: not tracked.
    origin: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def weights(self) -> np.ndarray:
        """Stated and inferred issue weights together (n, K)."""
        return self.stated + self.inferred

    @classmethod
    def from_profiles(cls, profiles: Sequence[Profile], keys: Keys) -> ProfileBatch:
        """The batch of validated `Profile` objects."""
        n = len(profiles)
        K, A, n_offers, S, m, C = (len(keys.issues), len(keys.approaches), len(keys.offers), len(keys.sectors),
                            len(keys.ids), len(keys.countries))
        out = {
            "kind": np.zeros(n, dtype=np.int8), "country": np.zeros(n, dtype=np.int32),
            "sourcing": np.zeros((n, C), dtype=bool), "sectors": np.zeros((n, S), dtype=bool),
            "stated": np.zeros((n, K)), "inferred": np.zeros((n, K)), "prefers": np.zeros((n, A), dtype=bool),
            "wants": np.zeros((n, n_offers), dtype=bool), "shares": np.full((n, 2), np.nan), "size": np.full(n, np.nan),
            "members": np.zeros((n, m), dtype=bool), "text": np.full(n, -1, dtype=np.int32),
        }
        texts: dict[str, int] = {}
        ix = keys.index
        for r, p in enumerate(profiles):
            out["kind"][r] = KINDS.index(p.kind)
            out["country"][r] = ix["countries"][p.country]
            for c in p.sourcing_countries:
                out["sourcing"][r, ix["countries"][c]] = True
            for s in (p.sector, *p.other_sectors):
                out["sectors"][r, ix["sectors"][s]] = True
            for k, w in p.issues.items():
                out["stated"][r, ix["issues"][k]] = w
            for k, w in p.inferred_weights().items():
                out["inferred"][r, ix["issues"][k]] = w
            for a in p.prefers:
                out["prefers"][r, ix["approaches"][a]] = True
            for o in p.wants:
                out["wants"][r, ix["offers"][o]] = True
            wf = p.workforce
            out["shares"][r] = [np.nan if wf.women_share is None else wf.women_share,
                                np.nan if wf.migrant_share is None else wf.migrant_share]
            if wf.size is not None:
                out["size"][r] = wf.size
            for i in p.memberships:
                if i in ix["ids"]:
                    out["members"][r, ix["ids"][i]] = True
            if p.description:
                out["text"][r] = texts.setdefault(p.description, len(texts))
        from .needs import FROM_DESCRIPTION, origin

        bits = np.array([origin(p.risk_issues) | (FROM_DESCRIPTION if p.inferred_issues else 0) for p in profiles],
                        dtype=np.uint8)
        return cls(**out, descriptions=tuple(texts), profiles=tuple(profiles), origin=bits)
