"""What-if: the smallest change to a profile that would put another initiative first.

Only the fields a client can act on are changed: the issues and their weights, and the
preferred approaches. Country, sector, kind, workforce and description never change, so
eligibility never changes either.

The score is linear in the profile's normalised feature vector (issue weight / total
weight, 1 / number of preferred approaches, with the component weights renormalised over
the components that apply), so every candidate change is scored exactly, all at once:

- add an issue at weight 1, 2 or 3; raise or lower a listed issue's weight; drop a listed
  issue (never the last one, and not one the description still mentions, which would
  come back at weight 1);
- add or drop a preferred approach.

Two-change combinations are tried only when no single change works. A change works when
an initiative other than the current first choice (eligible, not already joined,
addressing one of the issues, scoring at least ``min_score``) would then rank first.

Cost, smallest first: one point per step of issue weight on the 0-3 scale (an absent
issue weighs 0, so adding an issue at weight 3 costs 3 and dropping a weight-2 issue
costs 2) plus one point per approach added or dropped. Equal costs are ordered by how far
the profile's normalised feature vector moves (L1), then by the new first choice's lead
(larger first), then by initiative id and taxonomy order. For each initiative that can be
put first, the cheapest change is kept; the cheapest of all comes first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .catalogue import Catalogue
from .explain import in_sentence, join_words
from .models import COMPONENTS, Profile, Weights
from .scoring import SCORE_DECIMALS, component_scores, effective_weights
from .validate import infer_issues, validate_profile

if TYPE_CHECKING:  # pragma: no cover
    from .recommend import Recommender
    from .result import Result

__all__ = [
    "Change", "Alternative", "what_if", "search", "describe", "candidate_changes", "apply_changes", "MAX_ALTERNATIVES",
]

#: How many alternative first choices are reported (each with its cheapest change).
MAX_ALTERNATIVES = 3
_WEIGHT_WORDS = {3: "a top priority", 2: "a priority", 1: "a minor priority"}


@dataclass(frozen=True)
class Change:
    """One edit to a profile: ``field`` is ``issues`` or ``prefers``.

    For issues ``before``/``after`` are weights (None = not listed); for approaches
    they are True/False (preferred or not).
    """

    field: str
    key: str
    before: int | bool | None
    after: int | bool | None

    @property
    def cost(self) -> int:
        """Steps of issue weight (absent = 0), or 1 for an approach added or dropped."""
        if self.field == "prefers":
            return 1
        return abs((self.after or 0) - (self.before or 0))

    def phrase(self, catalogue: Catalogue) -> str:
        """The change as the clause of an "If …" sentence."""
        tax = catalogue.taxonomy
        if self.field == "prefers":
            label = in_sentence(tax.label("approaches", self.key))
            return f"you preferred {label}" if self.after else f"you did not ask for {label}"
        label = in_sentence(tax.label("issues", self.key))
        if self.after is None:
            return f"{label} were dropped from your issues"
        words = f"{label} were {_WEIGHT_WORDS[int(self.after)]} (weight {self.after}"
        return words + (f" instead of {self.before})" if self.before is not None else ")")

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "key": self.key, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class Alternative:
    """A change (one or two edits) and the initiative it would put first."""

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
    raw = profile.model_dump(exclude={"inferred_issues"}, exclude_none=True)
    issues = dict(profile.issues)
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
    """Every single change to ``profile``'s issues and preferred approaches, in taxonomy order."""
    tax = catalogue.taxonomy
    described = set(infer_issues(profile.description, catalogue))
    out: list[Change] = []
    for key in tax.issues:
        now = profile.issues.get(key)
        if now is None:
            for w in (1, 2, 3):
                if w == 1 and key in profile.inferred_issues:
                    continue  # already counted at weight 1 from the description
                out.append(Change("issues", key, None, w))
        else:
            out.extend(Change("issues", key, now, w) for w in (1, 2, 3) if w != now)
            if len(profile.issues) > 1 and key not in described:
                out.append(Change("issues", key, now, None))
    for key in tax.approaches:
        on = key in profile.prefers
        out.append(Change("prefers", key, on, not on))
    return out


class _Space:
    """One profile's scores as a function of its issue weights and preferred approaches.

    Each single change sets one column: an issue's weight (0 when dropped) or an
    approach's indicator. A combination is a row of indices into the single changes (-1
    for none), so scoring thousands of changed profiles is a few array operations.
    """

    def __init__(
        self, recommender: Recommender, profile: Profile, singles: Sequence[Change], top: str | None = None
    ) -> None:
        self.rec = recommender
        self.singles = list(singles)
        vec = recommender.vectoriser
        pm = vec.transform([profile])
        self.applicable = pm.applicable[0]
        self.comp = component_scores(pm, vec)[0]  # (m, C); workforce and text never change
        issue_index = {k: i for i, k in enumerate(vec.issue_keys_)}
        approach_index = {k: i for i, k in enumerate(vec.approach_keys_)}
        self.issue_matrix = vec.initiative_matrix_[:, [vec.column_[f"issue:{k}"] for k in vec.issue_keys_]]
        self.approach_matrix = vec.initiative_matrix_[:, [vec.column_[f"approach:{k}"] for k in vec.approach_keys_]]
        self.open = recommender.rules.mask([profile])[0]
        self.open &= ~np.isin(np.array(recommender.catalogue.ids), profile.memberships)
        self.base_iw = np.zeros(len(issue_index))
        for key, w in profile.weights().items():
            self.base_iw[issue_index[key]] = w
        self.base_ap = np.zeros(len(approach_index))
        for key in profile.prefers:
            self.base_ap[approach_index[key]] = 1.0
        self.is_issue = np.array([c.field == "issues" for c in self.singles], dtype=bool)
        self.column = np.array([issue_index[c.key] if c.field == "issues" else approach_index[c.key]
                                for c in self.singles], dtype=int)
        self.value = np.array([float(c.after or 0) for c in self.singles])
        self.cost = np.array([c.cost for c in self.singles], dtype=int)
        self.drops_issue = np.array([c.field == "issues" and c.after is None for c in self.singles], dtype=bool)
        total, relevant, normalised = self.scores(self.base_iw[None, :], self.base_ap[None, :])
        self.base_normalised = normalised[0]
        # The first choice now: `recommend`'s own when given, so the two can never disagree.
        ids = recommender.catalogue.ids
        self.current = ids.index(top) if top is not None else int(self.firsts(total, relevant)[0])

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

    def scores(self, iw: np.ndarray, ap: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores (n, m), issue relevance (n, m) and normalised profile rows (n, K + A)."""
        n_iw = iw.sum(axis=1, keepdims=True)
        n_ap = ap.sum(axis=1, keepdims=True)
        issue = (iw @ self.issue_matrix.T) / n_iw
        approach = np.zeros_like(issue)
        np.divide(ap @ self.approach_matrix.T, n_ap, out=approach, where=n_ap > 0)
        applicable = np.repeat(self.applicable[None, :], len(iw), axis=0)
        i_c, a_c = COMPONENTS.index("issues"), COMPONENTS.index("approaches")
        applicable[:, a_c] = n_ap[:, 0] > 0
        eff = effective_weights(self.rec.weights, applicable)
        others = [c for c in range(len(COMPONENTS)) if c not in (i_c, a_c)]
        total = eff[:, [i_c]] * issue + eff[:, [a_c]] * approach + eff[:, others] @ self.comp[:, others].T
        normalised = np.hstack([iw / n_iw, np.divide(ap, n_ap, out=np.zeros_like(ap), where=n_ap > 0)])
        return total, issue > 0, normalised

    def firsts(self, total: np.ndarray, relevant: np.ndarray) -> np.ndarray:
        """The column that would rank first for each row, or -1 when the shortlist is empty."""
        ok = self.open[None, :] & relevant & (total >= self.rec.weights.min_score)
        rounded = np.where(ok, np.round(total, SCORE_DECIMALS), -np.inf)
        best = np.argmax(rounded, axis=1)  # the first maximum: ties go to the smaller id
        return np.where(ok.any(axis=1), best, -1)

    def pairs(self, n_issues: int) -> np.ndarray:
        """Every pair of single changes to different fields that leaves at least one issue."""
        i, j = np.triu_indices(len(self.singles), k=1)
        same = (self.is_issue[i] == self.is_issue[j]) & (self.column[i] == self.column[j])
        keep = ~same & ~(self.drops_issue[i] & self.drops_issue[j] & (n_issues <= 2))
        return np.stack([i[keep], j[keep]], axis=1)


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
    score = float(total[col])
    clause = join_words([ch.phrase(cat) for ch in combo])
    current = space.current
    if current >= 0:
        cur_score = float(total[current])
        a, b = _score_text(score, cur_score)
        sentence = f"If {clause}, {init.name} would rank first ({a} vs {b})."
    else:
        cur_score = None
        sentence = f"If {clause}, {init.name} would be recommended first (score {score:.2f})."
    return Alternative(
        changes=combo, initiative=init.id, name=init.name, score=score,
        current=cat.ids[current] if current >= 0 else None, current_score=cur_score,
        cost=sum(ch.cost for ch in combo), distance=distance, sentence=sentence,
    )


def _evaluate(space: _Space, combos: np.ndarray, limit: int) -> list[Alternative]:
    """For up to ``limit`` initiatives, the cheapest combination that puts it first."""
    if not len(combos):
        return []
    total, relevant, normalised = space.scores(*space.rows(combos))
    firsts = space.firsts(total, relevant)
    works = np.flatnonzero((firsts >= 0) & (firsts != space.current))
    if not len(works):
        return []
    distance = np.abs(normalised[works] - space.base_normalised[None, :]).sum(axis=1)
    ranked = np.sort(np.where(space.open[None, :] & relevant[works], total[works], -np.inf), axis=1)
    runner = np.where(np.isfinite(ranked[:, -2]), ranked[:, -2], 0.0) if ranked.shape[1] > 1 else 0.0
    lead = ranked[:, -1] - runner
    cost = np.where(combos[works] >= 0, space.cost[combos[works]], 0).sum(axis=1)
    ids = np.array(space.rec.catalogue.ids)[firsts[works]]
    # np.lexsort sorts by the last key first: cost, distance, larger lead, id, then list order.
    order = np.lexsort((works, ids, -np.round(lead, 9), np.round(distance, 9), cost))
    out: list[Alternative] = []
    seen: set[int] = set()
    for i in order:
        col = int(firsts[works[i]])
        if col in seen:
            continue
        seen.add(col)
        combo = tuple(space.singles[k] for k in combos[works[i]] if k >= 0)
        out.append(_alternative(space, combo, col, total[works[i]], float(distance[i])))
        if len(out) >= limit:
            break
    return out


def search(
    recommender: Recommender, profile: Profile, *, limit: int = MAX_ALTERNATIVES, top: str | None = None
) -> list[Alternative]:
    """The cheapest change for each initiative that a change could put first, cheapest first.

    Single changes are tried first; pairs of changes to different fields only when no
    single change works. At most ``limit`` alternatives are returned. ``top`` is the
    current first choice when already known (else it is computed).
    """
    space = _Space(recommender, profile, candidate_changes(profile, recommender.catalogue), top)
    found = _evaluate(space, np.arange(len(space.singles))[:, None], limit)
    if not found:
        found = _evaluate(space, space.pairs(len(profile.issues)), limit)
    return found


def _sentences(alternatives: list[Alternative], result_top: str | None, catalogue: Catalogue) -> list[str]:
    if alternatives:
        return [a.sentence for a in alternatives]
    if result_top is None:
        return ["No change of up to two edits to your issues or preferred approaches would put an initiative "
                "on the shortlist."]
    name = catalogue[result_top].name
    return [f"{name} stays first under any change of up to two edits to your issues or preferred approaches."]


def describe(recommender: Recommender, profile: Profile, top: str | None) -> dict[str, Any]:
    """The ``extras["what_if"]`` mapping for ``profile``, whose first choice is ``top`` (None: none)."""
    alternatives = search(recommender, profile, top=top)
    return {
        "sentences": _sentences(alternatives, top, recommender.catalogue),
        "changes": [a.to_dict() for a in alternatives],
    }


def what_if(result: Result, *, catalogue: Catalogue | None = None, weights: Weights | None = None) -> Result:
    """``result`` with ``extras["what_if"]``: the smallest changes that put another initiative first.

    ``extras["what_if"]`` holds ``sentences`` (one per alternative, cheapest first, such as
    "If water use and wastewater were a top priority (weight 3), Better Mill Initiative
    (BMI) would rank first (0.61 vs 0.58).") and ``changes`` (the same as data). Pass the
    ``catalogue`` and ``weights`` the result was made with (None: the packaged catalogue
    and the default weights).
    """
    from .recommend import fitted

    rec = fitted(catalogue, weights)
    extras = {**result.extras, "what_if": describe(rec, result.profile, result.top.id if result.top else None)}
    return dataclasses.replace(result, extras=extras)
