"""Stage 3: which initiatives a profile can join at all — a mask with reasons, not a score.

Three hard rules, each a lookup table over the catalogue so that one profile or a million
are checked the same way:

- kind: the profile's kind (factory or brand) is among the initiative's participants;
- sector: the profile's sector is one the initiative serves;
- country: a factory's country is where the initiative operates; for a brand, at least
  one sourcing country is (a brand that lists no sourcing countries passes, with a note).
  ``global`` initiatives operate everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .catalogue import Catalogue
from .countries import country_codes, country_name
from .models import Profile

__all__ = ["RULES", "EligibilityRules", "Verdict"]

RULES = ("kind", "sector", "country")


@dataclass(frozen=True)
class Verdict:
    """Whether one initiative is open to one profile, and why not."""

    id: str
    eligible: bool
    failed: tuple[str, ...]
    reasons: tuple[str, ...]


def _names(codes: Sequence[str], limit: int = 12) -> str:
    shown = [country_name(c) for c in codes[:limit]]
    more = len(codes) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


class EligibilityRules:
    """Lookup tables of the three rules, fitted on a catalogue."""

    def fit(self, catalogue: Catalogue) -> EligibilityRules:
        self.catalogue_ = catalogue
        self.ids_ = catalogue.ids
        inits = catalogue.initiatives
        self.kinds_ = ("factory", "brand")
        self.kind_table_ = np.array([[k in i.participants for i in inits] for k in self.kinds_])
        self.sectors_ = tuple(catalogue.taxonomy.sectors)
        self.sector_table_ = np.array([[s in i.sectors for i in inits] for s in self.sectors_])
        codes = country_codes()
        self.countries_ = tuple(codes)
        self.country_index_ = {c: n for n, c in enumerate(codes)}
        self.global_ = np.array([i.is_global for i in inits])
        self.country_table_ = np.array([[i.is_global or c in i.countries for i in inits] for c in codes])
        return self

    def _country_row(self, profile: Profile) -> np.ndarray:
        if profile.kind == "brand":
            if not profile.sourcing_countries:
                return np.ones(len(self.ids_), dtype=bool)
            rows = [self.country_table_[self.country_index_[c]] for c in profile.sourcing_countries]
            return np.logical_or.reduce(rows)
        return self.country_table_[self.country_index_[profile.country]]

    def rule_masks(self, profiles: Sequence[Profile]) -> np.ndarray:
        """A boolean array (n, m, 3): does profile n pass rule r for initiative m."""
        out = np.empty((len(profiles), len(self.ids_), len(RULES)), dtype=bool)
        for row, p in enumerate(profiles):
            out[row, :, 0] = self.kind_table_[self.kinds_.index(p.kind)]
            out[row, :, 1] = self.sector_table_[self.sectors_.index(p.sector)]
            out[row, :, 2] = self._country_row(p)
        return out

    def mask(self, profiles: Sequence[Profile]) -> np.ndarray:
        """A boolean array (n, m): is initiative m open to profile n."""
        return self.rule_masks(profiles).all(axis=2)

    def verdicts(self, profile: Profile) -> list[Verdict]:
        """One `Verdict` per initiative, in catalogue order, with the reasons it is closed."""
        rules = self.rule_masks([profile])[0]
        tax = self.catalogue_.taxonomy
        out = []
        for col, init in enumerate(self.catalogue_.initiatives):
            failed = tuple(r for k, r in enumerate(RULES) if not rules[col, k])
            reasons = []
            if "kind" in failed:
                who = " and ".join({"factory": "factories", "brand": "brands"}.get(k, k) for k in init.participants)
                reasons.append(f"Open to {who} only, not to a {profile.kind}.")
            if "sector" in failed:
                served = ", ".join(tax.label("sectors", s) for s in init.sectors)
                reasons.append(
                    f"Does not serve the {tax.label('sectors', profile.sector)} sector (it serves: {served})."
                )
            if "country" in failed:
                where = _names(init.countries)
                if profile.kind == "brand":
                    reasons.append(
                        f"Operates in none of your sourcing countries ({_names(profile.sourcing_countries)}); "
                        f"it operates in: {where}."
                    )
                else:
                    reasons.append(f"Does not operate in {country_name(profile.country)} (it operates in: {where}).")
            out.append(Verdict(id=init.id, eligible=not failed, failed=failed, reasons=tuple(reasons)))
        return out
