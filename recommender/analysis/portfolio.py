"""Across a supplier list: which few programmes reach most of the suppliers' needs.

`PortfolioBuilder` takes the `frame.SupplierFacts` of each scored chunk and keeps running
totals whose size does not grow with the list:

- per eligibility pattern (which initiatives a supplier can join), the summed issue needs
  of its suppliers (each supplier's issue weights divided by their total, so every
  supplier's needs add up to 1) and how many of them name each issue;
- per relevance pattern (which open initiatives address at least one of a supplier's
  issues), how many suppliers have it;
- shortlist counts per initiative, by country and by sector; and a bounded list of the
  suppliers with no good match.

From these the recommended portfolio is exact: an initiative covers a supplier's need for
an issue when it is open to the supplier and addresses the issue, as deeply as its
strength (3 = 1.0, 2 = 0.67, 1 = 0.33; the deepest of the chosen initiatives counts, as in
`coverage`); `build` tries every set of ``k`` initiatives (`best_portfolio`; greedily
only for catalogues too large to try them all), keeps the one that covers the most
weighted needs, and reports what each of its members adds.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import Catalogue
from ..models import Taxonomy
from ..suppliers.frame import SupplierFacts

__all__ = [
    "PortfolioStep",
    "InitiativeFit",
    "NeedGap",
    "WeakMatch",
    "Portfolio",
    "PortfolioBuilder",
    "best_portfolio",
    "greedy_portfolio",
    "GOOD_MATCH",
]

#: A first choice scoring below this is not a good match (the "weak" band of `recommend`).
GOOD_MATCH = 0.25
_WEAK_LIMIT = 500


@dataclass(frozen=True)
class PortfolioStep:
    """One initiative of the recommended portfolio and what it adds to those before it.

    ``adds`` and ``total`` are shares (0-1) of all suppliers' weighted needs; ``reached``
    is how many suppliers have at least one need met by the portfolio so far; ``issues``
    the issue keys it adds the most coverage for.
    """

    id: str
    name: str
    adds: float
    total: float
    reached: int
    issues: tuple[str, ...]


@dataclass(frozen=True)
class InitiativeFit:
    """How many suppliers have an initiative on their shortlist, overall and by group."""

    id: str
    name: str
    shortlisted: int
    first_choice: int
    open_to: int
    by_country: dict[str, int]
    by_sector: dict[str, int]
    #: Suppliers that already take part in it (a membership in the list, or a claimed affiliation).
    members: int = 0
    by_stage: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class NeedGap:
    """One issue across the list: how much need there is and how much goes unmet.

    ``share`` is the issue's part of all weighted needs; ``no_programme`` the suppliers
    naming it for whom no open initiative addresses it, ``no_programme_share`` that need
    as a share of all needs; ``left`` the share of all needs for this issue that the
    recommended portfolio leaves uncovered.
    """

    key: str
    label: str
    suppliers: int
    share: float
    no_programme: int
    no_programme_share: float
    left: float


@dataclass(frozen=True)
class WeakMatch:
    """A supplier with no good match: its best candidate (if any) and why."""

    row: Any
    id: str
    name: str
    country: str
    sector: str
    best_id: str
    best_name: str
    score: float | None
    reason: str


@dataclass(frozen=True)
class Portfolio:
    """Everything the portfolio report shows, computed from a whole supplier list."""

    source: str
    suppliers: int
    failed: int
    k: int
    steps: tuple[PortfolioStep, ...]
    coverage: float
    reachable: float
    fits: tuple[InitiativeFit, ...]
    needs: tuple[NeedGap, ...]
    weak: tuple[WeakMatch, ...]
    weak_total: int
    verdicts: dict[str, int]
    countries: tuple[tuple[str, int], ...]
    sectors: tuple[tuple[str, int], ...]
    catalogue: dict[str, Any]
    top: int
    taxonomy: Taxonomy = field(repr=False)
    exact: bool = True  # every candidate set was tried (False: chosen greedily)
    #: Facilities the list marks as closed: left out of everything above, and counted here.
    closed: int = 0
    #: Suppliers by value-chain stage (stage key or "unknown"), largest first.
    stages: tuple[tuple[str, int], ...] = ()
    #: Suppliers whose issues were all inferred from public risk data (they listed none).
    inferred: int = 0

    @property
    def ids(self) -> tuple[str, ...]:
        """The recommended initiatives, in the order they were picked."""
        return tuple(s.id for s in self.steps)


#: Above this many candidate sets, `best_portfolio` picks greedily instead of trying them all.
EXACT_LIMIT = 20_000


def best_portfolio(
    needs: np.ndarray, open_: np.ndarray, strength: np.ndarray, k: int, ids: Sequence[str],
    *, limit: int = EXACT_LIMIT,
) -> tuple[list[tuple[int, float]], bool]:
    """The set of at most ``k`` initiatives that covers the most weighted needs.

    Arguments as in `greedy_portfolio`. Every set of ``k`` among the initiatives that cover
    anything is tried when there are at most ``limit`` of them (a catalogue of 15 and k = 3
    makes 455); a tie goes to the set that comes first in id order. The set's members are
    then ordered greedily, each adding the most to those before it, with what each adds;
    a member that would add nothing is left out. Returns (those pairs, True), or the greedy
    choice and False when there are too many sets to try.
    """
    m = strength.shape[0]
    order = [int(i) for i in np.argsort(np.array(ids, dtype=object), kind="stable")]
    cover = [open_[:, [i]] * strength[i][None, :] for i in range(m)]
    useful = [i for i in order if float((needs * cover[i]).sum()) > 1e-12]
    size = min(k, len(useful))
    if math.comb(len(useful), size) > limit:
        return greedy_portfolio(needs, open_, strength, k, ids), False
    best_value, best_set = -1.0, ()
    for chosen in itertools.combinations(useful, size):
        value = float((needs * np.max([cover[i] for i in chosen], axis=0)).sum()) if chosen else 0.0
        if value > best_value + 1e-12:
            best_value, best_set = value, chosen
    allowed = np.zeros(m, dtype=bool)
    allowed[list(best_set)] = True
    return greedy_portfolio(needs, open_, strength, k, ids, among=allowed), True


def greedy_portfolio(
    needs: np.ndarray, open_: np.ndarray, strength: np.ndarray, k: int, ids: Sequence[str],
    *, among: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Pick ``k`` initiatives greedily by the weighted coverage each adds.

    ``needs`` (g, K) summed needs per group of suppliers, ``open_`` (g, m) whether the
    initiatives are open to the group, ``strength`` (m, K) issue strength / 3; ``among``
    (m,) limits the choice. Returns (initiative index, coverage added) pairs; ties go to
    the smaller id; stops early when nothing adds coverage.
    """
    best = np.zeros_like(needs)
    picked: list[tuple[int, float]] = []
    order = np.argsort(np.array(ids, dtype=object), kind="stable")
    for _ in range(min(k, strength.shape[0])):
        gains = np.array([
            float((needs * np.maximum(open_[:, [i]] * strength[i][None, :] - best, 0.0)).sum())
            if i not in {p for p, _ in picked} and (among is None or among[i]) else -1.0
            for i in range(strength.shape[0])
        ])
        if not len(gains) or gains.max() <= 1e-12:
            break
        top = gains.max()
        i = next(j for j in order if gains[j] >= top - 1e-12)
        best = np.maximum(best, open_[:, [i]] * strength[i][None, :])
        picked.append((int(i), float(gains[i])))
    return picked


class PortfolioBuilder:
    """Running totals over the chunks of a supplier list; `build` makes the `Portfolio`."""

    def __init__(self, catalogue: Catalogue, *, engine: Any = None, top: int = 5) -> None:
        from ..core.engine import engine_for

        self.catalogue = catalogue
        self.engine = engine if engine is not None else engine_for(catalogue)
        self.issue_keys = self.engine.keys.issues
        self.strength = self.engine.matrix.issues  # (m, K), strength / 3
        self.ids = catalogue.ids
        self.top = top
        self.suppliers = 0
        self._needs: dict[bytes, np.ndarray] = {}
        self._named: dict[bytes, np.ndarray] = {}
        self._reach: Counter[bytes] = Counter()
        m = len(self.ids)
        self._shortlisted = np.zeros(m, dtype=np.int64)
        self._first = np.zeros(m, dtype=np.int64)
        self._open = np.zeros(m, dtype=np.int64)
        self._by_country: Counter[tuple[int, str]] = Counter()
        self._by_sector: Counter[tuple[int, str]] = Counter()
        self._countries: Counter[str] = Counter()
        self._sectors: Counter[str] = Counter()
        self._by_stage: Counter[tuple[int, str]] = Counter()
        self._stages: Counter[str] = Counter()
        self._members = np.zeros(m, dtype=np.int64)
        self.closed = 0
        self.inferred = 0
        self._verdicts: Counter[str] = Counter()
        self._weak: list[WeakMatch] = []
        self._weak_total = 0

    def add(self, facts: SupplierFacts) -> None:
        """Add the suppliers of one scored chunk."""
        n = len(facts)
        if not n:
            return
        self.suppliers += n
        m = len(self.ids)
        eligible = facts.eligible
        # Needs per eligibility pattern.
        uniq, inverse = _patterns(eligible)
        g = len(uniq)
        sums = np.stack([np.bincount(inverse, weights=col, minlength=g) for col in facts.needs.T], axis=1)
        named = np.stack([np.bincount(inverse, weights=col > 0, minlength=g) for col in facts.needs.T], axis=1)
        for g, b in enumerate(uniq):
            if b in self._needs:
                self._needs[b] += sums[g]
                self._named[b] += named[g]
            else:
                self._needs[b] = sums[g].copy()
                self._named[b] = named[g].copy()
        # Which open initiatives address at least one of each supplier's needs (the engine's mask).
        rkeys, rinverse = _patterns(facts.relevant)
        for key, c in zip(rkeys, np.bincount(rinverse, minlength=len(rkeys))):
            self._reach[key] += int(c)
        # Shortlist counts, overall and by country and sector.
        self._open += eligible.sum(axis=0)
        picked = facts.shortlist
        has = picked >= 0
        self._shortlisted += np.bincount(picked[has], minlength=m)
        self._first += np.bincount(picked[:, 0][has[:, 0]], minlength=m) if picked.shape[1] else 0
        rows, cols = np.nonzero(has)
        self._members += facts.members.sum(axis=0)
        self.inferred += int(facts.inferred.sum())
        stages = np.array(["unknown" if s is None else s for s in facts.stages], dtype=object)
        # By production country: a factory's own; a brand's country is its head office, not counted here.
        producing = np.where(np.asarray(facts.kinds, dtype=object) == "brand", "(brand head office)", facts.countries)
        for labels, pairs, totals in ((producing, self._by_country, self._countries),
                                      (facts.sectors, self._by_sector, self._sectors),
                                      (stages, self._by_stage, self._stages)):
            codes, uniques = _factorize(labels)
            pairs.update(_pair_counts(picked[rows, cols], codes[rows], uniques))
            totals.update({uniques[i]: int(c) for i, c in enumerate(np.bincount(codes, minlength=len(uniques)))})
        # Verdict bands of the first choice, and the suppliers with no good match.
        best = facts.best
        none = np.isnan(best)
        weak = ~none & (best < GOOD_MATCH)
        strong = ~none & (best >= 0.5)
        self._verdicts["none"] += int(none.sum())
        self._verdicts["weak"] += int(weak.sum())
        self._verdicts["strong"] += int(strong.sum())
        self._verdicts["fair"] += int((~none & ~weak & ~strong).sum())
        poor = np.flatnonzero(none | weak)
        self._weak_total += len(poor)
        any_open = eligible.any(axis=1)
        names = [i.display_name for i in self.catalogue.initiatives]
        for r in poor[: max(0, _WEAK_LIMIT - len(self._weak))]:
            col = int(picked[r, 0]) if picked.shape[1] else -1
            if col >= 0:
                reason = f"best match scores {best[r]:.2f}"
            elif any_open[r]:
                reason = "no open initiative addresses its issues well enough"
            else:
                reason = "no initiative in the catalogue is open to it"
            self._weak.append(WeakMatch(
                row=_plain(facts.rows[r]), id=facts.ids[r] or "", name=facts.names[r],
                country=facts.countries[r], sector=facts.sectors[r],
                best_id=self.ids[col] if col >= 0 else "", best_name=names[col] if col >= 0 else "",
                score=float(best[r]) if col >= 0 else None, reason=reason,
            ))

    def build(self, *, k: int = 3, failed: int = 0, source: str = "") -> Portfolio:
        """The `Portfolio` of everything added so far, with a recommended portfolio of ``k``."""
        tax, m = self.catalogue.taxonomy, len(self.ids)
        keys = list(self._needs)
        needs = np.array([self._needs[b] for b in keys]) if keys else np.zeros((0, len(self.issue_keys)))
        named = np.array([self._named[b] for b in keys]) if keys else np.zeros_like(needs)
        open_ = np.array([np.unpackbits(np.frombuffer(b, dtype=np.uint8))[:m] for b in keys], dtype=float) \
            if keys else np.zeros((0, m))
        total = float(needs.sum()) or 1.0
        picked, exact = best_portfolio(needs, open_, self.strength, k, self.ids)
        reach_keys = list(self._reach)
        reach = np.array([np.unpackbits(np.frombuffer(b, dtype=np.uint8))[:m] for b in reach_keys], dtype=bool) \
            if reach_keys else np.zeros((0, m), dtype=bool)
        reach_counts = np.array([self._reach[b] for b in reach_keys], dtype=np.int64)

        steps, chosen, covered = [], [], 0.0
        best = np.zeros_like(needs)
        for i, gain in picked:
            before = (needs * best).sum(axis=0)
            best = np.maximum(best, open_[:, [i]] * self.strength[i][None, :])
            added = (needs * best).sum(axis=0) - before
            chosen.append(i)
            covered += gain
            top_issues = tuple(self.issue_keys[j] for j in np.argsort(-added, kind="stable")[:3] if added[j] > 1e-12)
            steps.append(PortfolioStep(
                id=self.ids[i], name=self.catalogue.initiatives[i].display_name, adds=gain / total,
                total=covered / total, reached=int(reach_counts[reach[:, chosen].any(axis=1)].sum()),
                issues=top_issues,
            ))
        # The best any set could do: every initiative chosen.
        full = (open_[:, :, None] * self.strength[None, :, :]).max(axis=1) if len(keys) and m else np.zeros_like(needs)
        per_issue = needs.sum(axis=0)
        unreachable = full == 0
        gaps = []
        for j, key in enumerate(self.issue_keys):
            if per_issue[j] <= 0:
                continue
            gaps.append(NeedGap(
                key=key, label=tax.label("issues", key), suppliers=int(named[:, j].sum()),
                share=float(per_issue[j] / total),
                no_programme=int(named[unreachable[:, j], j].sum()),
                no_programme_share=float(needs[unreachable[:, j], j].sum() / total),
                left=float((needs[:, j] * (1 - best[:, j])).sum() / per_issue[j]),
            ))
        gaps.sort(key=lambda g: (-g.no_programme_share, -g.left * g.share, g.key))
        fits = []
        for col, init in enumerate(self.catalogue.initiatives):
            fits.append(InitiativeFit(
                id=init.id, name=init.display_name, shortlisted=int(self._shortlisted[col]),
                first_choice=int(self._first[col]), open_to=int(self._open[col]),
                by_country={c: n for (i, c), n in self._by_country.items() if i == col},
                by_sector={s: n for (i, s), n in self._by_sector.items() if i == col},
                members=int(self._members[col]),
                by_stage={s: n for (i, s), n in self._by_stage.items() if i == col},
            ))
        fits.sort(key=lambda f: (-f.shortlisted, -f.first_choice, f.id))
        return Portfolio(
            source=source, suppliers=self.suppliers, failed=failed, k=k, steps=tuple(steps),
            coverage=covered / total if self.suppliers else 0.0,
            reachable=float((needs * full).sum() / total) if self.suppliers else 0.0,
            fits=tuple(fits), needs=tuple(gaps), weak=tuple(self._weak), weak_total=self._weak_total,
            verdicts={v: self._verdicts[v] for v in ("strong", "fair", "weak", "none")},
            countries=tuple(self._countries.most_common()), sectors=tuple(self._sectors.most_common()),
            catalogue=self.catalogue.describe(), top=self.top, taxonomy=tax, exact=exact,
            closed=self.closed, stages=tuple(self._stages.most_common()), inferred=self.inferred,
        )


def _patterns(mask: np.ndarray) -> tuple[list[bytes], np.ndarray]:
    """The distinct rows of a boolean (n, m) array, as packed bytes, and each row's index
    among them. Rows are packed into integers first, so this is one hash pass, not a sort
    of rows."""
    packed = np.packbits(mask, axis=1)
    width = packed.shape[1]
    if width <= 8:
        wide = np.zeros((len(packed), 8), dtype=np.uint8)
        wide[:, :width] = packed
        codes, uniq = pd.factorize(wide.view("<u8").reshape(-1))
        return [int(u).to_bytes(8, "little")[:width] for u in uniq], codes
    codes, uniq = pd.factorize(np.array([row.tobytes() for row in packed], dtype=object))
    return list(uniq), codes


def _pair_counts(cols: np.ndarray, codes: np.ndarray, uniques: list[str]) -> dict[tuple[int, str], int]:
    """How many times each (initiative column, label) pair occurs; labels given as codes."""
    if not len(cols):
        return {}
    key = cols.astype(np.int64) * len(uniques) + codes
    values, counts = np.unique(key, return_counts=True)
    return {(int(v // len(uniques)), uniques[int(v % len(uniques))]): int(c) for v, c in zip(values, counts)}


def _factorize(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(np.asarray(labels, dtype=object))
    return codes, [str(u) for u in uniques]


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
