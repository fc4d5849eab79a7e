"""Stage 3: which initiatives a profile can join, rule by rule, in three states — not a score.

Four rules (`models.RULES`), each a lookup table over the catalogue so that one profile or
a million are checked the same way:

- status: an initiative that has ended is excluded everywhere; one whose current activity is
  unconfirmed ("unverified") is not documented: eligible, with a caution and the discount;
- kind: the profile's kind (factory or brand) among the initiative's participants;
- sector: any of the profile's sectors among those the initiative documents;
- country: a factory's country; for a brand, its sourcing countries (a fit when any is
  documented, excluded only when all are; a brand that lists none passes, with a note).

Each rule has three states for each (profile, initiative): `FIT` (documented), `UNDOCUMENTED`
(the initiative's sources neither document nor exclude it: still eligible, with a caution
and the ``undocumented`` discount of `models.Weights`) and `EXCLUDED` (a source documents the
exclusion: a closed list, a named exclusion, or an ended programme). Only `EXCLUDED` closes
an initiative; its reasons carry the sources they rest on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..catalogue import Catalogue
from ..countries import country_name
from ..models import RULES, Initiative, Profile, Source
from .batch import KINDS, Keys, ProfileBatch
from .rows import distinct_rows

__all__ = ["FIT", "UNDOCUMENTED", "EXCLUDED", "RULES", "Rules", "Verdict", "RuleNote"]

FIT, UNDOCUMENTED, EXCLUDED = 0, 1, 2
_WHO = {"factory": "factories", "brand": "brands"}


@dataclass(frozen=True)
class RuleNote:
    """One rule's outcome for one initiative, in words, with the sources it rests on."""

    rule: str
    state: int
    text: str
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Whether one initiative is open to one profile: the failed rules, the reasons and the
    cautions for undocumented scope."""

    id: str
    eligible: bool
    failed: tuple[str, ...]
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]
    sources: tuple[Source, ...]
    notes: tuple[RuleNote, ...]


def _names(codes: Sequence[str], limit: int = 12) -> str:
    shown = [country_name(c) for c in codes[:limit]]
    more = len(codes) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _refs(init: Initiative, refs: Sequence[str]) -> tuple[Source, ...]:
    return tuple(s for s in (init.source_by_ref(r) for r in refs) if s is not None)


class Rules:
    """The rule tables of one catalogue: state (values, m) per rule, and why each exclusion holds."""

    def fit(self, catalogue: Catalogue, keys: Keys) -> Rules:
        self.catalogue_, self.keys_ = catalogue, keys
        inits = catalogue.initiatives
        # An ended programme is excluded; one whose current activity is unconfirmed is not documented.
        self.status_ = np.array([EXCLUDED if not i.recommendable else UNDOCUMENTED if i.status.state == "unverified"
                                 else FIT for i in inits], dtype=np.int8)
        self.kind_ = np.array([[self._state(i, "kind", k, k in i.participants) for i in inits] for k in KINDS],
                              dtype=np.int8)
        self.sector_ = np.array([[self._state(i, "sector", s, s in i.sectors) for i in inits]
                                 for s in keys.sectors], dtype=np.int8)
        self.country_ = np.array([[self._state(i, "country", c, i.is_global or c in i.countries) for i in inits]
                                  for c in keys.countries], dtype=np.int8)
        return self

    @staticmethod
    def _state(init: Initiative, rule: str, value: str, documented: bool) -> int:
        el = init.eligibility
        if any(e.rule == rule and value in e.values for e in el.excluded):
            return EXCLUDED
        if documented:
            return FIT
        return EXCLUDED if el.scope(rule).closed else UNDOCUMENTED

    # --- many profiles -------------------------------------------------------------------

    @staticmethod
    def _best(chosen: np.ndarray, table: np.ndarray) -> np.ndarray:
        """Per row, the best state among the chosen values (rows of ``chosen`` (n, V) over
        ``table`` (V, m)), worked out once per distinct set of values (a list repeats a few
        sets of sectors or sourcing countries many times)."""
        first, codes = distinct_rows(chosen)
        sets = chosen[first]
        fit = sets.astype(np.float32) @ (table == FIT).astype(np.float32) > 0
        undoc = sets.astype(np.float32) @ (table == UNDOCUMENTED).astype(np.float32) > 0
        return np.where(fit, FIT, np.where(undoc, UNDOCUMENTED, EXCLUDED)).astype(np.int8)[codes]

    def states(self, batch: ProfileBatch) -> np.ndarray:
        """The state of every rule (n, m, len(RULES)) for every profile and initiative."""
        n, m = len(batch), len(self.keys_.ids)
        out = np.empty((n, m, len(RULES)), dtype=np.int8)
        out[:, :, 0] = self.status_[None, :]
        out[:, :, 1] = self.kind_[batch.kind]
        out[:, :, 2] = self._best(batch.sectors, self.sector_)
        factory = self.country_[batch.country]
        brand = batch.kind == KINDS.index("brand")
        listed = batch.sourcing.any(axis=1)
        out[:, :, 3] = np.where(brand[:, None], FIT, factory)
        sourcing = np.flatnonzero(brand & listed)
        if len(sourcing):
            out[sourcing, :, 3] = self._best(batch.sourcing[sourcing], self.country_)
        return out

    # --- one profile, in words -----------------------------------------------------------

    def verdicts(self, profile: Profile, states: np.ndarray) -> list[Verdict]:
        """One `Verdict` per initiative (catalogue order) from ``states`` (m, len(RULES))."""
        out = []
        for col, init in enumerate(self.catalogue_.initiatives):
            notes = [self._note(profile, init, rule, int(states[col, r])) for r, rule in enumerate(RULES)]
            notes = [nt for nt in notes if nt is not None]
            excl = [nt for nt in notes if nt.state == EXCLUDED]
            cautions = [nt.text for nt in notes if nt.state != EXCLUDED]
            sources: list[Source] = []
            for nt in excl:
                sources += [s for s in nt.sources if s not in sources]
            out.append(Verdict(
                id=init.id, eligible=not excl, failed=tuple(nt.rule for nt in excl),
                reasons=tuple(nt.text for nt in excl), cautions=tuple(cautions), sources=tuple(sources),
                notes=tuple(notes),
            ))
        return out

    def _note(self, p: Profile, init: Initiative, rule: str, state: int) -> RuleNote | None:
        tax = self.catalogue_.taxonomy
        el = init.eligibility
        if rule == "status":
            st = init.status
            if state == EXCLUDED:
                return RuleNote(rule, state, st.summary or f"{init.name} has ended.", _refs(init, st.sources))
            if st.state == "unverified":
                return RuleNote(rule, UNDOCUMENTED, st.summary or "Its current activity is unconfirmed.",
                                _refs(init, st.sources))
            return None
        if state == FIT:
            return None
        values = {"kind": (p.kind,), "sector": (p.sector, *p.other_sectors),
                  "country": p.sourcing_countries if p.kind == "brand" else (p.country,)}[rule]
        named = [e for e in el.excluded if e.rule == rule and set(values) & set(e.values)]
        if state == EXCLUDED:
            covered = {v for e in named for v in e.values}
            if named and set(values) <= covered:  # every value is a named exclusion: those reasons alone
                text = " ".join(dict.fromkeys(e.reason for e in named))
                refs = [r for e in named for r in e.sources]
            else:
                scope = el.scope(rule)
                text = scope.reason or ""
                refs = list(scope.sources)
                if named:
                    text = " ".join(dict.fromkeys([*(e.reason for e in named), text]))
                    refs = [r for e in named for r in e.sources] + refs
            if rule == "kind" and p.kind in init.roles:
                text = f"{text} {init.roles[p.kind]}".strip()
            if not text:
                text = self._fallback(p, init, rule)
            return RuleNote(rule, state, text, _refs(init, refs))
        # Not documented: eligible, with a caution that says what is not documented.
        if rule == "kind":
            text = f"Its sources do not say that {_WHO[p.kind]} take part; confirm with the programme."
        elif rule == "sector":
            label = tax.label("sectors", p.sector).lower()
            text = f"No documented work in {label}; confirm with the programme."
        elif p.kind == "brand":
            text = (f"No documented work in your sourcing countries ({_names(list(p.sourcing_countries))}); "
                    "confirm with the programme.")
        else:
            text = f"No documented work in {country_name(p.country)}; confirm with the programme."
        return RuleNote(rule, state, text)

    def _fallback(self, p: Profile, init: Initiative, rule: str) -> str:
        tax = self.catalogue_.taxonomy
        if rule == "kind":
            return f"Open to {' and '.join(_WHO[k] for k in init.participants)}, not to a {p.kind}."
        if rule == "sector":
            served = ", ".join(tax.label("sectors", s) for s in init.sectors)
            return f"Works with {served} only."
        where = _names(list(init.countries))
        if p.kind == "brand":
            return f"Works in none of your sourcing countries; its countries are {where}."
        return f"Works in {where} only."
