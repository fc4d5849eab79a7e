"""What-if: the smallest change to a profile that would put another initiative first.

Only the fields a client can act on are changed: the issues and their weights, and the
preferred approaches. Country, sector, kind, workforce and description never change, so
eligibility never changes either.

The search space is every profile whose issue weights are 0-3 (0 = not listed) and whose
preferred approaches are any subset of the taxonomy's, with two limits that keep the
profile valid and honest: at least one issue stays listed, and an issue the description
mentions cannot be dropped (it would come back at weight 1 as an inferred issue).

Cost: one point per step of issue weight (an issue that is not listed weighs 0, an issue
inferred from the description 1; so adding an issue at weight 3 costs 3 and dropping a
weight-2 issue costs 2), plus one point per approach added or dropped.

The search is exact up to `MAX_COST`. The score is linear in the profile's normalised
feature vector (issue weight / total weight, 1 / number of preferred approaches, with the
component weights renormalised over the components that apply), so every changed profile
is scored exactly and in bulk. Changes are enumerated cost level by cost level — every
set of single edits to different fields whose costs add up to 1, then 2, … — so the first
level at which an initiative comes first is the least it can cost. A change works when an
initiative other than the current first choice (eligible, not already joined, addressing
one of the issues, scoring at least ``min_score``) would then rank first.

Equal costs are ordered by how far the profile's normalised feature vector moves (L1),
then by the new first choice's lead (larger first), then by initiative id and taxonomy
order. For each initiative that can be put first, the cheapest change is kept; the search
stops after the cost level at which `MAX_ALTERNATIVES` initiatives have been found. A safe
bound on how far a budget can move one initiative's score against the first choice's
(`_Space.reachable`) lets it skip levels, and rows, where no change could work.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..catalogue import Catalogue
from ..core.explain import in_sentence, join_words
from ..core.scoring import SCORE_DECIMALS, effective_weights
from ..core.validate import infer_issues, validate_profile
from ..models import COMPONENTS, Profile, Weights

if TYPE_CHECKING:  # pragma: no cover
    from ..core.engine import Scored
    from ..core.recommend import Recommender
    from ..result import Result

__all__ = [
    "Change", "Alternative", "what_if", "with_what_if", "search", "describe", "candidate_changes",
    "apply_changes", "MAX_ALTERNATIVES", "MAX_COST",
]

#: How many alternative first choices are reported (each with its cheapest change).
MAX_ALTERNATIVES = 3
#: The search is exhaustive up to this cost (steps of issue weight plus approaches added or dropped).
MAX_COST = 4
_WEIGHT_WORDS = {3: "a top priority", 2: "a priority", 1: "a minor priority"}


def _label(catalogue: Catalogue, section: str, key: str) -> str:
    """A taxonomy label as it reads mid-sentence ("E-learning" -> "e-learning")."""
    return in_sentence(catalogue.taxonomy.label(section, key))


def _clause(changes: Sequence[Change], catalogue: Catalogue) -> str:
    """The "if" clause of a sentence: each issue change, then the approaches added and dropped."""
    parts = [c.phrase(catalogue) for c in changes if c.field == "issues"]
    added = [_label(catalogue, "approaches", c.key) for c in changes if c.field == "prefers" and c.after]
    dropped = [_label(catalogue, "approaches", c.key) for c in changes if c.field == "prefers" and not c.after]
    if added:
        parts.append("you preferred " + join_words(added))
    if dropped:
        parts.append("you did not ask for " + (", ".join(dropped[:-1]) + " or " if len(dropped) > 1 else "")
                     + dropped[-1])
    return join_words(parts)


@dataclass(frozen=True)
class Change:
    """One edit to a profile: ``field`` is ``issues`` or ``prefers``.

    For issues ``before``/``after`` are weights (None = not listed); an issue the profile
    does not list but its description mentions counts as ``before=1`` with ``inferred``
    set. For approaches ``before``/``after`` are True/False (preferred or not).
    """

    field: str
    key: str
    before: int | bool | None
    after: int | bool | None
    inferred: bool = False

    @property
    def cost(self) -> int:
        """Steps of issue weight (absent = 0), or 1 for an approach added or dropped."""
        if self.field == "prefers":
            return 1
        return abs((self.after or 0) - (self.before or 0))

    def phrase(self, catalogue: Catalogue) -> str:
        """The change as the clause of an "If …" sentence."""
        if self.field == "prefers":
            label = _label(catalogue, "approaches", self.key)
            return f"you preferred {label}" if self.after else f"you did not ask for {label}"
        label = _label(catalogue, "issues", self.key)
        if self.after is None:
            return f"{label} were dropped from your issues"
        lowered = self.before is not None and int(self.after) < int(self.before)
        words = f"{label} were {'only ' if lowered else ''}{_WEIGHT_WORDS[int(self.after)]} (weight {self.after}"
        if self.inferred:
            return words + ", not just mentioned in your description)"
        return words + (f" instead of {self.before})" if self.before is not None else ")")

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "key": self.key, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class Alternative:
    """A change (one or more edits) and the initiative it would put first."""

    changes: tuple[Change, ...]
    initiative: str
    name: str
    score: float
    current: str | None
    current_score: float | None
    cost: int
    distance: float
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "initiative": self.initiative,
            "name": self.name,
            "changes": [c.to_dict() for c in self.changes],
            "cost": self.cost,
            "score": round(self.score, 4),
            "current_first": self.current,
            "current_score": None if self.current_score is None else round(self.current_score, 4),
            "sentence": self.sentence,
        }


def apply_changes(profile: Profile, changes: Sequence[Change], *, catalogue: Catalogue) -> Profile:
    """``profile`` with ``changes`` applied, validated afresh (inferred issues recomputed)."""
    raw = profile.model_dump(exclude={"inferred_issues", "risk_issues", "other_sectors"}, exclude_none=True)
    if profile.other_sectors:
        raw["sector"] = [profile.sector, *profile.other_sectors]
    if not profile.issues:  # issues inferred from risk data are the starting point
        raw["issues"] = {r.key: r.weight for r in profile.risk_issues}
    issues = dict(profile.issues) or {r.key: r.weight for r in profile.risk_issues}
    prefers = list(profile.prefers)
    for ch in changes:
        if ch.field == "issues":
            if ch.after is None:
                issues.pop(ch.key, None)
            else:
                issues[ch.key] = int(ch.after)
        elif ch.after:
            prefers.append(ch.key)
        else:
            prefers.remove(ch.key)
    raw["issues"] = issues
    raw["prefers"] = prefers
    return validate_profile(raw, catalogue=catalogue, source="<what-if>")


def candidate_changes(profile: Profile, catalogue: Catalogue) -> list[Change]:
    """Every single edit to ``profile``'s issues and preferred approaches, grouped by field, in taxonomy order.

    Each issue can take any weight 0-3 other than its own (0 = dropped; not for an issue the
    description mentions); each approach can be added or dropped. A combination of edits
    is valid when it leaves at least one issue listed (see `search`).
    """
    tax = catalogue.taxonomy
    described = set(infer_issues(profile.description, catalogue))
    out: list[Change] = []
    listed = dict(profile.issues) or {r.key: r.weight for r in profile.risk_issues}
    for key in tax.issues:
        now = listed.get(key)
        if now is None and key in profile.inferred_issues:
            out.extend(Change("issues", key, 1, w, inferred=True) for w in (2, 3))
        elif now is None:
            out.extend(Change("issues", key, None, w) for w in (1, 2, 3))
        else:
            out.extend(Change("issues", key, now, w) for w in (1, 2, 3) if w != now)
            if key not in described:
                out.append(Change("issues", key, now, None))
    for key in tax.approaches:
        on = key in profile.prefers
        out.append(Change("prefers", key, on, not on))
    return out


@dataclass(frozen=True)
class _Level:
    """Combinations of edits (rows of indices into the single edits, -1 for none) and their score sums.

    ``size`` edits each, the ``last`` one's index, how many issues stay ``listed``; the sums
    the score is made of: weighted issue strength ``covered`` (n, m) over total issue
    weight ``n_iw``, and approach matches ``fit`` (n, m) over preferred approaches ``n_ap``.
    """

    combos: np.ndarray
    size: np.ndarray
    last: np.ndarray
    listed: np.ndarray
    covered: np.ndarray
    n_iw: np.ndarray
    fit: np.ndarray
    n_ap: np.ndarray


class _Space:
    """One profile's scores as a function of its issue weights and preferred approaches.

    Each single edit sets one column: an issue's weight (0 when dropped) or an approach's
    indicator. A combination is a row of indices into the single edits (-1 for none), so
    scoring many thousands of changed profiles is a few array operations.
    """

    def __init__(
        self, recommender: Recommender, profile: Profile, singles: Sequence[Change], top: str | None = None,
        scored: Scored | None = None,
    ) -> None:
        self.rec = recommender
        self.singles = list(singles)
        eng = recommender.engine
        self.engine = eng
        scored = scored if scored is not None else recommender.score(profile, top=1)
        self.applicable = scored.features.availability[0]
        self.comp = scored.components[0]  # (m, C); offers, workforce and text never change
        self.factor = scored.features.factor[0]  # (m,): the discount for undocumented rules
        issue_index = eng.keys.index["issues"]
        approach_index = eng.keys.index["approaches"]
        self.issue_matrix = eng.matrix.issues
        self.approach_matrix = eng.matrix.approaches
        self.open = scored.eligible[0] & ~scored.batch.members[0]
        # Relevant through a wanted mechanism, whatever the issues: that part never changes.
        self.offer_relevant = eng.offer_relevance(scored.features)[0]
        self.base_iw = scored.batch.weights[0].astype(float).copy()
        self.base_ap = scored.batch.prefers[0].astype(float)
        self.listed = len(profile.issues) or len(profile.risk_issues)
        described = set(infer_issues(profile.description, recommender.catalogue))
        self.floor = np.array([1.0 if k in described else 0.0 for k in eng.keys.issues])
        self.is_issue = np.array([c.field == "issues" for c in self.singles], dtype=bool)
        self.column = np.array([issue_index[c.key] if c.field == "issues" else approach_index[c.key]
                                for c in self.singles], dtype=int)
        # One number per field (issue or approach): single edits of the same field are contiguous.
        self.field_id = np.where(self.is_issue, self.column, len(issue_index) + self.column)
        self.value = np.array([float(c.after or 0) for c in self.singles])
        self.cost = np.array([c.cost for c in self.singles], dtype=int)
        # How each edit changes the number of listed issues: dropping one -1, listing a new one +1.
        self.listed_delta = np.array(
            [(-1 if c.after is None else (1 if c.before is None or c.inferred else 0)) if c.field == "issues" else 0
             for c in self.singles], dtype=int)
        # What each edit adds to the score's sums; a last row of zeros stands for "no edit" (index -1).
        issue_delta = np.zeros((len(self.singles) + 1, len(issue_index)))
        approach_delta = np.zeros((len(self.singles) + 1, len(approach_index)))
        for n, c in enumerate(self.singles):
            if c.field == "issues":
                issue_delta[n, self.column[n]] = self.value[n] - self.base_iw[self.column[n]]
            else:
                approach_delta[n, self.column[n]] = self.value[n] - self.base_ap[self.column[n]]
        self.d_covered, self.d_iw = issue_delta @ self.issue_matrix.T, issue_delta.sum(axis=1)
        self.d_fit, self.d_ap = approach_delta @ self.approach_matrix.T, approach_delta.sum(axis=1)
        self.base_covered, self.base_fit = self.issue_matrix @ self.base_iw, self.approach_matrix @ self.base_ap
        # The component weights in force with and without preferred approaches: (issues, approaches, the rest).
        i_c, a_c = COMPONENTS.index("issues"), COMPONENTS.index("approaches")
        others = [c for c in range(len(COMPONENTS)) if c not in (i_c, a_c)]
        self.eff = []
        for has_approaches in (True, False):
            applicable = self.applicable.copy()
            applicable[a_c] = has_approaches
            eff = effective_weights(eng.weights, applicable[None, :])[0]
            self.eff.append((eff[i_c], eff[a_c], self.comp[:, others] @ eff[others]))
        total, relevant = self.scores(self.base_iw[None, :], self.base_ap[None, :])
        self.base_normalised = self.normalised(np.full((1, 1), -1))[0]
        # The first choice now: `recommend`'s own when given, so the two can never disagree.
        ids = eng.ids
        self.current = ids.index(top) if top is not None else int(self.firsts(total, relevant)[0])

    def levels(self, max_cost: int, cols: np.ndarray) -> Iterator[tuple[int, list[_Level]]]:
        """Every set of edits to different fields costing exactly 1, then 2, … ``max_cost``, in parts.

        A set is built once, from the set without its highest-numbered edit: edits are only
        added after the last one's field (edits of one field are numbered together), so no
        field is edited twice. Its score sums, for the initiatives ``cols``, are its parent's
        plus the new edit's. Sets that leave no issue listed (``listed == 0``) are included,
        as later edits may list one; they are not valid changes themselves.
        """
        width = max_cost  # every edit costs at least 1
        n = len(self.singles)
        ends = np.r_[np.flatnonzero(np.diff(self.field_id)) + 1, n]  # where each field's block of edits ends
        after_field = np.r_[ends[np.searchsorted(ends, np.arange(n), side="right")], 0]  # index -1: the start
        by_cost = {s: np.flatnonzero(self.cost == s) for s in sorted(set(self.cost.tolist()))}
        built = {0: [_Level(np.full((1, width), -1, dtype=np.int32), np.zeros(1, dtype=int), np.full(1, -1),
                            np.full(1, self.listed), self.base_covered[None, cols], np.full(1, self.base_iw.sum()),
                            self.base_fit[None, cols], np.full(1, self.base_ap.sum()))]}
        d_covered, d_fit = self.d_covered[:, cols], self.d_fit[:, cols]
        for level in range(1, max_cost + 1):
            parts = []
            for s, js in by_cost.items():
                for parent in built.get(level - s, ()):
                    start = np.searchsorted(js, after_field[parent.last])
                    count = len(js) - start
                    r = np.repeat(np.arange(len(parent.combos)), count)
                    j = js[start[r] + np.arange(len(r)) - np.repeat(np.cumsum(count) - count, count)]
                    if not len(j):
                        continue
                    combos = parent.combos[r]
                    combos[np.arange(len(r)), parent.size[r]] = j
                    parts.append(_Level(combos, parent.size[r] + 1, j, parent.listed[r] + self.listed_delta[j],
                                        parent.covered[r] + d_covered[j], parent.n_iw[r] + self.d_iw[j],
                                        parent.fit[r] + d_fit[j], parent.n_ap[r] + self.d_ap[j]))
            built[level] = parts
            built.pop(level - 3, None)  # no edit costs more than 3
            yield level, parts

    def reachable(self, max_cost: int) -> np.ndarray:
        """(budget 0 … ``max_cost``, m): could a change costing that much put initiative j first?

        A cheap, safe test (it may say yes when no change works, never the reverse) that
        lets `search` skip scoring whole cost levels. Another initiative j can only come
        first if it then scores at least as much as the current first choice f, or if f no
        longer addresses any issue. ``S_j - S_f`` is ``α (I_j - I_f) + β (A_j - A_f) + R``,
        where the issue and approach terms are weighted averages of ``s_j - s_f`` over the
        profile's weights; ``a`` added and ``r`` removed units of weight move such an average
        to at most ``(N + a·max - r·min) / (T + a - r)``.
        """
        f = self.current
        out = np.repeat(self.open[None, :], max_cost + 1, axis=0)
        if f < 0:
            return out
        others = self.open.copy()
        others[f] = False
        # Dropping every issue f addresses makes it irrelevant; issues the description names cannot be dropped.
        f_issues = (self.issue_matrix[f] > 0) & (self.base_iw > 0)
        drop_cost = np.inf if (f_issues & (self.floor > 0)).any() else self.base_iw[f_issues].sum()
        budgets = np.arange(max_cost + 1)

        def average_bound(d: np.ndarray, w0: np.ndarray, cap: np.ndarray, floor: np.ndarray) -> np.ndarray:
            """(budget, m): the highest weighted average of d (rows: initiatives) a budget can reach."""
            add = cap > w0
            drop = w0 > floor
            top = np.where(add[None, :], d, -np.inf).max(axis=1) if add.any() else np.zeros(len(d))
            low = np.where(drop[None, :], d, np.inf).min(axis=1) if drop.any() else np.zeros(len(d))
            total = w0.sum()
            numerator = d @ w0
            best = np.full((max_cost + 1, len(d)), -np.inf)
            for a in range(max_cost + 1):
                for r in range(max_cost + 1 - a):
                    if (a and not add.any()) or (r and not drop.any()) or total + a - r < 1:
                        continue
                    value = (numerator + a * top - r * low) / (total + a - r)
                    best[a + r:] = np.maximum(best[a + r:], value)
            return best

        # Scores are factor x (weighted sums): compare the initiatives' factor-scaled terms.
        fac = self.factor[:, None]
        d_issue = fac * self.issue_matrix - fac[f] * self.issue_matrix[f]
        d_approach = fac * self.approach_matrix - fac[f] * self.approach_matrix[f]
        issue_ub = average_bound(d_issue, self.base_iw, np.full_like(self.base_iw, 3.0), self.floor)
        n_ap = int(self.base_ap.sum())
        approach_ub = average_bound(d_approach, self.base_ap, np.ones_like(self.base_ap), np.zeros_like(self.base_ap))
        (wi_t, wa_t, rest_t), (wi_f, _, rest_f) = self.eff
        bound = np.full((max_cost + 1, len(d_issue)), -np.inf)
        for c in budgets:
            for b_a in range(c + 1):
                b_i = c - b_a
                rt, rf = self.factor * rest_t, self.factor * rest_f
                if np.isfinite(approach_ub[b_a]).any():  # some approaches still preferred
                    bound[c] = np.maximum(bound[c], wi_t * issue_ub[b_i] + wa_t * approach_ub[b_a] + rt - rt[f])
                if b_a >= n_ap:  # every preferred approach dropped (or none preferred)
                    bound[c] = np.maximum(bound[c], wi_f * issue_ub[b_i] + rf - rf[f])
        out = (bound >= -1e-9) & others[None, :]
        out[budgets >= drop_cost] = others
        return np.maximum.accumulate(out, axis=0)

    def rows(self, combos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Issue weights (n, K) and approach indicators (n, A) after each combination."""
        iw = np.repeat(self.base_iw[None, :], len(combos), axis=0)
        ap = np.repeat(self.base_ap[None, :], len(combos), axis=0)
        for slot in range(combos.shape[1]):
            idx = combos[:, slot]
            for target, is_issue in ((iw, True), (ap, False)):
                r = np.flatnonzero((idx >= 0) & (self.is_issue[idx] == is_issue))
                target[r, self.column[idx[r]]] = self.value[idx[r]]
        return iw, ap

    def normalised(self, combos: np.ndarray) -> np.ndarray:
        """The normalised profile rows (n, K + A) after each combination: what the L1 distance is measured on."""
        iw, ap = self.rows(combos)
        n_ap = ap.sum(axis=1, keepdims=True)
        return np.hstack([iw / iw.sum(axis=1, keepdims=True),
                          np.divide(ap, n_ap, out=np.zeros_like(ap), where=n_ap > 0)])

    def scores(self, iw: np.ndarray, ap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores (n, m) and issue relevance (n, m) of profiles given by issue weights and approach indicators."""
        return self._total(iw @ self.issue_matrix.T, iw.sum(axis=1), ap @ self.approach_matrix.T, ap.sum(axis=1))

    def combo_scores(self, combos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`scores` of every initiative after each combination, added up edit by edit."""
        covered, n_iw = np.repeat(self.base_covered[None, :], len(combos), axis=0), np.full(len(combos),
                                                                                             self.base_iw.sum())
        fit, n_ap = np.repeat(self.base_fit[None, :], len(combos), axis=0), np.full(len(combos), self.base_ap.sum())
        for slot in range(combos.shape[1]):
            idx = combos[:, slot]  # -1 picks the appended row of zeros
            covered += self.d_covered[idx]
            n_iw += self.d_iw[idx]
            fit += self.d_fit[idx]
            n_ap += self.d_ap[idx]
        return self._total(covered, n_iw, fit, n_ap)

    def _total(
        self, covered: np.ndarray, n_iw: np.ndarray, fit: np.ndarray, n_ap: np.ndarray, cols: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        has_ap = n_ap > 0.5
        issue = np.divide(covered, n_iw[:, None], out=np.zeros_like(covered), where=n_iw[:, None] > 0)
        approach = np.divide(fit, n_ap[:, None], out=np.zeros_like(fit), where=has_ap[:, None])
        (wi_with, wa_with, rest_with), (wi_without, _, rest_without) = self.eff
        if cols is not None:
            rest_with, rest_without = rest_with[cols], rest_without[cols]
        total = np.where(has_ap[:, None], wi_with * issue + wa_with * approach + rest_with,
                         wi_without * issue + rest_without)
        factor = self.factor if cols is None else self.factor[cols]
        offer_relevant = self.offer_relevant if cols is None else self.offer_relevant[cols]
        return total * factor[None, :], (covered > 0) | offer_relevant[None, :]

    def firsts(self, total: np.ndarray, relevant: np.ndarray) -> np.ndarray:
        """The column that would rank first for each row, or -1 when the shortlist is empty
        (the engine's own selection)."""
        n = len(total)
        open_ = np.repeat(self.open[None, :], n, axis=0)
        return self.engine.select(total, open_, relevant, np.zeros_like(open_), top=1).shortlist[:, 0]


def _score_text(score: float, other: float) -> tuple[str, str]:
    """Both scores with two decimals, or more when two would show them equal."""
    for places in (2, 3, 4):
        a, b = f"{score:.{places}f}", f"{other:.{places}f}"
        if a != b:
            break
    return a, b


def _alternative(space: _Space, combo: tuple[Change, ...], col: int, total: np.ndarray, distance: float) -> Alternative:
    cat = space.rec.catalogue
    init = cat.initiatives[col]
    name = init.display_name
    score = float(total[col])
    clause = _clause(combo, cat)
    current = space.current
    if current >= 0:
        cur_score = float(total[current])
        a, b = _score_text(score, cur_score)
        ahead = cat.initiatives[current].display_name
        if a == b:  # equal to the digit shown: ranked first by id, which is a tie to the client
            sentence = f"If {clause}, {name} would tie with {ahead} for first place at {a}."
        else:
            sentence = f"If {clause}, {name} would rank first at {a}, ahead of {ahead} at {b}."
    else:
        cur_score = None
        sentence = f"If {clause}, {name} would be recommended first, at {score:.2f}."
    return Alternative(
        changes=combo, initiative=init.id, name=name, score=score,
        current=cat.ids[current] if current >= 0 else None, current_score=cur_score,
        cost=sum(ch.cost for ch in combo), distance=distance, sentence=sentence,
    )


def _level_winners(
    space: _Space, lv: _Level, cols: np.ndarray, targets: np.ndarray
) -> dict[int, tuple[tuple, int, np.ndarray, float]]:
    """For each of the ``targets`` (a mask) that some combination of one cost level puts first, the best one.

    "Best" is the smallest L1 move of the normalised profile, then the larger lead, then
    the earlier combination (taxonomy order). Returns ``{column: (sort key, row, totals, distance)}``.
    """
    f = space.current
    aim = np.flatnonzero(targets)
    rows = np.flatnonzero(lv.listed > 0)
    if f >= 0:
        # A target can only come first where it is relevant and scores at least as much as f,
        # or where f addresses none of the issues any more: score those columns first.
        # (The level's sums cover f, in position 0, and every target that is reachable at all.)
        at = np.r_[0, [int(np.flatnonzero(cols == j)[0]) for j in aim]].astype(int)
        part, relevant = space._total(lv.covered[:, at], lv.n_iw, lv.fit[:, at], lv.n_ap, cols[at])
        rounded = np.round(part, SCORE_DECIMALS)
        near = (relevant[:, 1:] & (rounded[:, 1:] >= rounded[:, :1])).any(axis=1) | ~relevant[:, 0]
        rows = np.flatnonzero(near & (lv.listed > 0))
        if not len(rows):
            return {}
    total, relevant = space.combo_scores(lv.combos[rows])
    firsts = space.firsts(total, relevant)
    works = np.flatnonzero((firsts >= 0) & (firsts != f) & np.isin(firsts, aim))
    if not len(works):
        return {}
    distance = np.abs(space.normalised(lv.combos[rows[works]]) - space.base_normalised[None, :]).sum(axis=1)
    ranked = np.sort(np.where(space.open[None, :] & relevant[works], total[works], -np.inf), axis=1)
    runner = np.where(np.isfinite(ranked[:, -2]), ranked[:, -2], 0.0) if ranked.shape[1] > 1 else 0.0
    lead = ranked[:, -1] - runner
    # np.lexsort sorts by the last key first: initiative, distance, larger lead, then list order.
    order = np.lexsort((works, -np.round(lead, 9), np.round(distance, 9), firsts[works]))
    cols = firsts[works][order]
    found: dict[int, tuple[tuple, int, np.ndarray, float]] = {}
    for i in order[np.r_[True, cols[1:] != cols[:-1]]]:  # the best row of each initiative
        row = int(rows[works[i]])
        key = (round(float(distance[i]), 9), -round(float(lead[i]), 9), row)
        found[int(firsts[works[i]])] = (key, row, total[works[i]], float(distance[i]))
    return found


def search(
    recommender: Recommender,
    profile: Profile,
    *,
    limit: int = MAX_ALTERNATIVES,
    top: str | None = None,
    max_cost: int = MAX_COST,
) -> list[Alternative]:
    """The cheapest change for each initiative that a change could put first, cheapest first.

    Exhaustive over every change costing up to ``max_cost`` (see the module docstring);
    returns at most ``limit`` alternatives, each the cheapest for its initiative. ``top``
    is the current first choice when already known (else it is computed). The work grows
    about tenfold per point of ``max_cost`` (about 110,000 changed profiles at 4).
    """
    if isinstance(max_cost, bool) or not isinstance(max_cost, int) or not 1 <= max_cost <= 5:
        raise ValueError("max_cost must be a whole number from 1 to 5")
    space = _Space(recommender, profile, candidate_changes(profile, recommender.catalogue), top)
    ids = recommender.engine.ids
    chosen: list[tuple[tuple, Alternative]] = []
    reachable = space.reachable(max_cost)
    f = space.current
    # The initiatives whose sums are tracked: f first (when there is one), then every reachable one.
    cols = np.flatnonzero(reachable[-1]) if f < 0 else np.r_[f, np.flatnonzero(reachable[-1])]
    for level, parts in space.levels(max_cost, cols):
        done = np.isin(np.arange(len(ids)), [ids.index(a.initiative) for _, a in chosen])
        if not (reachable[-1] & ~done).any():
            break
        if not (reachable[level] & ~done).any():
            continue
        best: dict[int, tuple[tuple, np.ndarray, np.ndarray, float]] = {}
        for n, lv in enumerate(parts):
            for col, (key, row, total, distance) in _level_winners(space, lv, cols, reachable[level] & ~done).items():
                key = (*key[:2], n, key[2])
                if col not in best or key < best[col][0]:
                    best[col] = (key, lv.combos[row], total, distance)
        for col, (key, combo_row, total, distance) in best.items():
            combo = tuple(space.singles[k] for k in combo_row if k >= 0)
            chosen.append(((level, *key[:2], ids[col], *key[2:]), _alternative(space, combo, col, total, distance)))
        if len(chosen) >= limit:
            break
    chosen.sort(key=lambda item: item[0])
    return [alt for _, alt in chosen[:limit]]


def _sentences(alternatives: list[Alternative], result_top: str | None, catalogue: Catalogue) -> list[str]:
    if alternatives:
        return [a.sentence for a in alternatives]
    if result_top is None:
        return [f"No change of up to {MAX_COST} steps to your issue weights or preferred approaches would put "
                "an initiative on the shortlist."]
    name = catalogue[result_top].display_name
    return [f"{name} stays first under any change of up to {MAX_COST} steps to your issue weights or preferred "
            "approaches."]


def describe(recommender: Recommender, profile: Profile, top: str | None) -> dict[str, Any]:
    """The ``extras["what_if"]`` mapping for ``profile``, whose first choice is ``top`` (None: none)."""
    alternatives = search(recommender, profile, top=top)
    return {
        "sentences": _sentences(alternatives, top, recommender.catalogue),
        "changes": [a.to_dict() for a in alternatives],
    }


def with_what_if(result: Result, recommender: Recommender) -> Result:
    """``result`` with ``extras["what_if"]`` (see `what_if`)."""
    extras = {**result.extras,
              "what_if": describe(recommender, result.profile, result.top.id if result.top else None)}
    return dataclasses.replace(result, extras=extras)


def what_if(result: Result, *, catalogue: Catalogue | None = None, weights: Weights | None = None) -> Result:
    """``result`` with ``extras["what_if"]``: the smallest changes that put another initiative first.

    ``extras["what_if"]`` holds ``sentences`` (one per alternative, cheapest first, such as
    "If water use and wastewater were a top priority (weight 3), Better Mill Initiative
    (BMI) would rank first at 0.61, ahead of Higg Index (Higg Facility Tools) at 0.58.") and
    ``changes`` (the same as data). Pass the ``catalogue`` and ``weights`` the result was
    made with (None: the packaged catalogue and its weights).
    """
    from ..core.recommend import Recommender

    return with_what_if(result, Recommender(catalogue, weights=weights))
