"""Learning the component weights from consultants' feedback.

A feedback file is CSV (UTF-8), one record per row: a profile, an initiative id and
whether the client ``accepted`` or ``rejected`` it. The profile is given either

- as a path in a ``profile`` column (a YAML profile, relative to the CSV file), or
- in the supplier-list columns of batch mode, read exactly as `frame.match_columns` and
  `frame.row_profile` read them (``name, kind, country, sector, issues`` and optionally
  ``id, sourcing_countries, workforce_size, women_share, migrant_share, prefers,
  memberships, description``, with the same header aliases; lists separated by ``;``,
  issue weights as ``wages:3``).

The other columns are ``initiative`` (an id from the catalogue), ``outcome`` (accepted or
rejected; also accept/reject, yes/no, true/false, 1/0) and, optionally, ``note`` (ignored).

Learning is pairwise ranking over the named contributions (`PairwiseLearner`): within one
profile, an accepted initiative should score above a rejected one. Each initiative's
features are what the weights multiply (`ranking_features`: each component's score where
it applies, times the discount for undocumented eligibility rules), so a profile's ranking
is ``features @ w``. An L2-regularised pairwise logistic loss is minimised over
non-negative weights (scipy's L-BFGS-B), which are then normalised to sum to 1: a learnt
score is still the same weighted sum of the same named contributions. The issues weight is
kept at least `MIN_ISSUES_WEIGHT`, because every recommendation must rest on the client's
issues.

The same machinery fits the packaged weights (`catalogue/weights.yaml`) on labelled cases
(`fit_cases`): an acceptable first choice should rank above every other candidate, and a
must-have of the top 3 above the rest, with the regularisation and the discount for
undocumented rules chosen by cross-validation over cases (`cross_validate`).

Eligibility is never learnt: records for initiatives the profile cannot join (or already
belongs to) are reported and skipped.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..catalogue import Catalogue, load_catalogue
from ..core.validate import load_profile, validate_profile
from ..errors import InputError, ProfileError
from ..loading import read_text
from ..models import COMPONENTS, Profile, Weights
from ..vocabulary import did_you_mean

__all__ = [
    "FeedbackRecord",
    "Skipped",
    "PairwiseLearner",
    "CaseData",
    "case_data",
    "case_pairs",
    "fit_cases",
    "cross_validate",
    "choose_setting",
    "learn_from_cases",
    "ranking_features",
    "Learnt",
    "read_feedback",
    "learn",
    "MIN_ISSUES_WEIGHT",
    "FEEDBACK_COLUMNS",
]

#: The smallest issues weight a learnt weights file may have.
MIN_ISSUES_WEIGHT = 0.05
#: The feedback file's own columns; every other column is a supplier-list profile column.
FEEDBACK_COLUMNS = ("profile", "initiative", "outcome", "note")
_OUTCOMES = {"accepted": True, "accept": True, "yes": True, "1": True, "true": True,
             "rejected": False, "reject": False, "no": False, "0": False, "false": False}


@dataclass(frozen=True)
class FeedbackRecord:
    """One row of a feedback file: did the client with ``profile`` accept ``initiative``?"""

    row: int
    profile: Profile
    initiative: str
    accepted: bool


@dataclass(frozen=True)
class Skipped:
    """A record left out of learning, and why."""

    row: int
    initiative: str
    reason: str


class _FeedbackReader:
    """The columns of one feedback file and how each row becomes a record."""

    def __init__(self, path: Path, header: Sequence[str], catalogue: Catalogue) -> None:
        from ..suppliers.frame import header_hint, match_columns

        self.path, self.cat = path, catalogue
        own = {h: h.strip().lower() for h in header if h.strip().lower() in FEEDBACK_COLUMNS}
        self.own = {name: h for h, name in own.items()}
        for needed in ("initiative", "outcome"):
            if needed not in self.own:
                close = did_you_mean(needed, [h.strip().lower() for h in header])
                hint = f"is {close[0]!r} meant to be {needed!r}?" if close else None
                raise self.fail(f"the column {needed!r} is missing", 1, hint=hint)
        rest = [h for h in header if h not in own]
        self.fields: dict[str, str] = {}
        if "profile" in self.own:
            if rest:
                raise self.fail(f"unknown column {rest[0]!r}", 1, hint="with a 'profile' column (a path to a "
                                "YAML profile), give no other profile columns")
            return
        try:
            found, unmatched = match_columns(rest)
        except InputError as exc:
            raise self.fail(f"no 'profile' column, and {exc.message}", 1, hint=exc.hint) from None
        if unmatched:
            close = did_you_mean(unmatched[0].strip().lower(), FEEDBACK_COLUMNS)
            hint = header_hint(unmatched[0]) or (f"did you mean {close[0]!r}?" if close else None)
            raise self.fail(f"unknown column {unmatched[0]!r}", 1, hint=hint or "see docs/evaluation.md")
        self.fields = {h: f for h, f in found.items()}

    def fail(self, message: str, line: int, field: str | None = None, hint: str | None = None) -> InputError:
        return InputError(message, source=str(self.path), line=line, field=field, hint=hint)

    def key(self, raw: dict[str, str]) -> tuple:
        """What identifies the row's profile: rows with the same key share one profile."""
        if "profile" in self.own:
            return (raw.get(self.own["profile"], ""),)
        return tuple(raw.get(h, "") for h in self.fields)

    def profile(self, raw: dict[str, str], row: int) -> Profile:
        from ..suppliers.frame import row_profile

        if "profile" in self.own:
            target = raw.get(self.own["profile"], "")
            if not target:
                raise self.fail("no profile path given", row, "profile")
            try:
                return load_profile(self.path.parent / target, catalogue=self.cat)
            except ProfileError as exc:
                raise ProfileError(f"profile {target}: {exc.describe()}", source=str(self.path), line=row,
                                   field="profile") from None
        data = row_profile({f: raw.get(h) for h, f in self.fields.items()})
        try:
            return validate_profile(data, catalogue=self.cat, source=f"{self.path}:{row}")
        except ProfileError as exc:
            raise ProfileError(exc.message, source=str(self.path), line=row, field=exc.field,
                               hint=exc.hint) from None

    def record(self, raw: dict[str, str], row: int, cache: dict[tuple, Profile]) -> FeedbackRecord:
        text = raw.get(self.own["initiative"], "")
        initiative = text.lower()
        if initiative not in self.cat:
            close = did_you_mean(initiative, self.cat.ids)
            hint = ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else \
                "valid ids: " + ", ".join(self.cat.ids)
            raise self.fail(f"unknown initiative {text!r}", row, "initiative", hint)
        outcome = _OUTCOMES.get(raw.get(self.own["outcome"], "").lower())
        if outcome is None:
            raise self.fail(f"must be accepted or rejected, not {raw.get(self.own['outcome'])!r}", row, "outcome")
        key = self.key(raw)
        if key not in cache:
            cache[key] = self.profile(raw, row)
        return FeedbackRecord(row=row, profile=cache[key], initiative=initiative, accepted=outcome)


def read_feedback(path: str | os.PathLike[str], *, catalogue: Catalogue | None = None) -> list[FeedbackRecord]:
    """Read and validate a feedback CSV (see the module docstring).

    Raises `InputError` (or `ProfileError`) naming the file, the row (as its line) and the
    column of the first problem.
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    p = Path(path)
    text = read_text(p, what="feedback file", max_bytes=16 << 20)
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    rows = _FeedbackReader(p, columns, cat)
    records: list[FeedbackRecord] = []
    cache: dict[tuple, Profile] = {}
    for n, raw in enumerate(reader, start=2):
        raw = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if any(raw.values()):
            records.append(rows.record(raw, n, cache))
    if not records:
        raise InputError("holds no feedback records", source=str(p), hint="one row per (profile, initiative, outcome)")
    return records


class PairwiseLearner:
    """Component weights from preference pairs: (difference of features, weight) per pair.

    Follows the scikit-learn conventions: ``fit(D, sample_weight)`` with ``D`` of shape
    (pairs, C) in `models.COMPONENTS` order (preferred minus other) learns ``coef_`` (>= 0)
    and ``weights_`` (summing to 1, issues at least ``min_issues``).

    Examples
    --------
    >>> D = [[0.4, 0.0, 0.0, 0.0, 0.1], [0.3, -0.1, 0.0, 0.0, 0.2], [-0.1, 0.0, 0.0, 0.0, 0.3]]
    >>> learner = PairwiseLearner().fit(D)
    >>> round(sum(learner.weights_.values()), 6)
    1.0
    """

    def __init__(self, *, C: float = 1.0, min_issues: float = MIN_ISSUES_WEIGHT) -> None:
        self.C = C
        self.min_issues = min_issues

    def fit(self, D: Sequence[Sequence[float]] | np.ndarray, sample_weight: Sequence[float] | None = None
            ) -> PairwiseLearner:
        from scipy.optimize import minimize

        D = np.asarray(D, dtype=float)
        if D.ndim != 2 or D.shape[1] != len(COMPONENTS):
            raise ValueError(f"D must have {len(COMPONENTS)} columns: {', '.join(COMPONENTS)}")
        if not len(D):
            raise InputError("no preference pairs to learn from (among eligible initiatives)")
        sw = np.ones(len(D)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        lam = 1.0 / (self.C * sw.sum())

        def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
            z = D @ beta
            value = float(sw @ np.logaddexp(0.0, -z)) / sw.sum() + lam * float(beta @ beta) / 2
            grad = -(D.T @ (sw / (1.0 + np.exp(z)))) / sw.sum() + lam * beta
            return value, grad

        start = np.ones(D.shape[1])
        found = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * D.shape[1])
        self.coef_ = found.x
        if self.coef_.sum() <= 1e-12:
            raise InputError(
                "the labels give no component a positive weight: preferred initiatives score no higher than "
                "the others on any component",
                hint="check the labels or outcomes, or add more",
            )
        w = self.coef_ / self.coef_.sum()
        i = COMPONENTS.index("issues")
        if w[i] < self.min_issues:
            rest = np.delete(np.arange(len(w)), i)
            w[rest] *= (1.0 - self.min_issues) / w[rest].sum()
            w[i] = self.min_issues
        self.weights_ = {c: float(v) for c, v in zip(COMPONENTS, w, strict=True)}
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """The feature (and weight) names: the score components."""
        return np.array(COMPONENTS, dtype=object)


@dataclass(frozen=True)
class CaseData:
    """What learning needs of one labelled profile: per initiative (m,) its component scores
    (m, C), the components that apply (C,), how many of its eligibility rules are undocumented,
    whether it is a candidate (eligible, relevant, not joined), and the labels."""

    id: str
    components: np.ndarray
    availability: np.ndarray
    undocumented: np.ndarray
    eligible: np.ndarray
    relevant: np.ndarray
    members: np.ndarray
    first: np.ndarray
    top3: np.ndarray

    def features(self, undocumented: float) -> np.ndarray:
        """(m, C): what the weights multiply, with ``undocumented`` as the discount per rule."""
        factor = (1.0 - undocumented) ** self.undocumented
        return self.components * self.availability[None, :] * factor[:, None]


def case_data(cases: Sequence[Any], engine: Any) -> list[CaseData]:
    """`CaseData` of labelled cases (`analysis.evaluate.Case`) through the engine."""
    from ..core.batch import ProfileBatch
    from ..core.eligibility import UNDOCUMENTED

    out = []
    ids = engine.ids
    for case in cases:
        scored = engine.run(ProfileBatch.from_profiles([case.profile], engine.keys), top=1)
        out.append(CaseData(
            id=case.id, components=scored.components[0], availability=scored.features.availability[0],
            undocumented=(scored.states[0] == UNDOCUMENTED).sum(axis=1), eligible=scored.eligible[0],
            relevant=scored.relevant[0], members=scored.batch.members[0],
            first=np.isin(ids, case.first), top3=np.isin(ids, case.top3),
        ))
    return out


def case_pairs(data: Sequence[CaseData], undocumented: float) -> tuple[np.ndarray, np.ndarray]:
    """Preference pairs of labelled cases: each acceptable first choice over every other
    candidate (weight 1), each other must-have of the top 3 over the unlabelled candidates
    (weight 1/2); every case's pairs weigh 1 in all."""
    diffs, weights = [], []
    for d in data:
        x = d.features(undocumented)
        open_ = d.eligible & ~d.members
        firsts = np.flatnonzero(d.first & open_)
        tops = np.flatnonzero(d.top3 & ~d.first & open_)
        rest = np.flatnonzero(open_ & ~d.first & ~d.top3)
        pairs = [(a, b, 1.0) for a in firsts for b in (*rest, *tops)] + [(a, b, 0.5) for a in tops for b in rest]
        if not pairs:
            continue
        total = sum(p[2] for p in pairs)
        for a, b, w in pairs:
            diffs.append(x[a] - x[b])
            weights.append(w / total)
    if not diffs:
        return np.zeros((0, len(COMPONENTS))), np.zeros(0)
    return np.array(diffs), np.array(weights)


def ranking(d: CaseData, weights: Weights, engine: Any) -> np.ndarray:
    """The columns `recommend` would shortlist for a case under ``weights``, best first."""
    from ..core.scoring import combine, effective_weights

    eff = effective_weights(weights, d.availability[None, :])
    factor = ((1.0 - weights.undocumented) ** d.undocumented)[None, :]
    s = combine(d.components[None, :, :], eff, factor)
    picked = engine.select(s, d.eligible[None, :], d.relevant[None, :], d.members[None, :],
                           top=len(d.eligible)).shortlist[0]
    return picked[picked >= 0]


def case_metrics(d: CaseData, weights: Weights, engine: Any) -> tuple[float, float, float]:
    """(hit@1, reciprocal rank, top-3 recall) of one labelled case under ``weights``."""
    got = ranking(d, weights, engine)
    hit = float(len(got) > 0 and bool(d.first[got[0]]))
    rank = next((n for n, c in enumerate(got, 1) if d.first[c]), None)
    wanted = np.flatnonzero(d.top3)
    recall = float(np.isin(wanted, got[:3]).mean()) if len(wanted) else 1.0
    return hit, (1.0 / rank if rank else 0.0), recall


def fit_cases(data: Sequence[CaseData], *, C: float, undocumented: float, base: Weights) -> Weights:
    """Weights fitted on labelled cases (see the module docstring)."""
    D, sw = case_pairs(data, undocumented)
    learner = PairwiseLearner(C=C).fit(D, sw)
    return Weights(**learner.weights_, min_score=base.min_score, undocumented=undocumented)


def cross_validate(
    data: Sequence[CaseData], engine: Any, *, Cs: Sequence[float], undocumented: Sequence[float],
    folds: int = 5, repeats: int = 3, seed: int = 20261202, base: Weights | None = None,
) -> list[dict[str, Any]]:
    """hit@1, MRR and top-3 recall of every (C, undocumented) on held-back folds of the cases
    (``repeats`` different splits into ``folds``), best first by the mean of hit@1 and MRR;
    among equals, the stronger regularisation (smaller C) and the smaller discount first."""
    base = base if base is not None else Weights()
    labelled = [d for d in data if d.first.any()]
    rng = np.random.default_rng(seed)
    splits = [rng.permutation(len(labelled)) for _ in range(repeats)]
    table = []
    for C in Cs:
        for u in undocumented:
            got = []
            for order in splits:
                parts = [order[k::folds] for k in range(folds)]
                for k in range(folds):
                    train = [labelled[i] for j, part in enumerate(parts) if j != k for i in part]
                    w = fit_cases(train, C=C, undocumented=u, base=base)
                    got += [case_metrics(labelled[i], w, engine) for i in parts[k]]
            hit, rr, recall = (float(np.mean([g[n] for g in got])) for n in range(3))
            table.append({"C": C, "undocumented": u, "hit1": hit, "mrr": rr, "top3": recall,
                          "objective": (hit + rr) / 2})
    table.sort(key=lambda r: (-round(r["objective"], 4), r["C"], r["undocumented"]))
    return table


@dataclass(frozen=True)
class Learnt:
    """The learnt weights, the learner, and which records were used or skipped."""

    weights: Weights
    learner: PairwiseLearner
    used: int
    accepted: int
    skipped: tuple[Skipped, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)


def ranking_features(scored: Any) -> np.ndarray:
    """What the weights multiply, (n, m, C): each component score where it applies, times the
    initiative's factor for undocumented rules. Within a profile, the ranking is ``features @ w``."""
    avail = scored.features.availability[:, None, :]
    return scored.components * avail * scored.features.factor[:, :, None]


def features(
    records: Sequence[FeedbackRecord], *, catalogue: Catalogue
) -> tuple[np.ndarray, np.ndarray, list[Skipped], np.ndarray]:
    """Per-component features (n, C), labels and profile groups of the eligible records, and the skipped ones."""
    from ..core.recommend import Recommender

    rec = Recommender(catalogue)
    col = {i: n for n, i in enumerate(catalogue.ids)}
    rows: list[np.ndarray] = []
    labels: list[int] = []
    groups: list[int] = []
    skipped: list[Skipped] = []
    by_profile: dict[int, tuple[np.ndarray, list]] = {}
    for r in records:
        key = id(r.profile)
        if key not in by_profile:
            scored = rec.score(r.profile, top=1)
            by_profile[key] = (ranking_features(scored)[0], rec.engine.rules.verdicts(r.profile, scored.states[0]))
        comp, verdicts = by_profile[key]
        j = col[r.initiative]
        if not verdicts[j].eligible:
            skipped.append(Skipped(r.row, r.initiative, "not eligible: " + " ".join(verdicts[j].reasons)))
            continue
        if r.initiative in r.profile.memberships:
            skipped.append(Skipped(r.row, r.initiative, "the client already takes part in it"))
            continue
        rows.append(comp[j])
        labels.append(int(r.accepted))
        groups.append(key)
    X = np.array(rows) if rows else np.zeros((0, len(COMPONENTS)))
    return X, np.array(labels, dtype=int), skipped, np.array(groups)


def feedback_pairs(X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Within each profile, every accepted record over every rejected one; each profile weighs 1."""
    diffs, weights = [], []
    for g in dict.fromkeys(groups.tolist()):
        at = np.flatnonzero(groups == g)
        good, bad = at[y[at] == 1], at[y[at] == 0]
        for a in good:
            for b in bad:
                diffs.append(X[a] - X[b])
                weights.append(1.0 / (len(good) * len(bad)))
    if not diffs:
        return np.zeros((0, X.shape[1])), np.zeros(0)
    return np.array(diffs), np.array(weights)


def learn(
    feedback: Sequence[FeedbackRecord] | str | os.PathLike[str],
    *,
    catalogue: Catalogue | str | os.PathLike[str] | None = None,
    base: Weights | None = None,
    C: float = 1.0,
) -> Learnt:
    """Fit component weights on feedback records (or a feedback CSV path).

    ``base`` supplies ``min_score`` (default: the built-in weights). Raises `InputError`
    when the file is invalid or the eligible records do not hold both outcomes.
    """
    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    source = None
    if isinstance(feedback, (str, os.PathLike)):
        source = str(feedback)
        feedback = read_feedback(feedback, catalogue=cat)
    X, y, skipped, groups = features(feedback, catalogue=cat)
    if len(y) == 0:
        raise InputError("no feedback record names an initiative its profile is eligible for", source=source)
    D, sw = feedback_pairs(X, y, groups)
    if not len(D):
        raise InputError("feedback needs, for at least one profile, both an accepted and a rejected record "
                         "(among eligible initiatives)", source=source)
    try:
        learner = PairwiseLearner(C=C).fit(D, sw)
    except InputError as exc:
        raise InputError(exc.message, source=source, hint=exc.hint) from None
    base = base if base is not None else cat.weights
    provenance = {
        "feedback": Path(source).name if source else "records",
        "records": len(feedback),
        "used": int(len(y)),
        "accepted": int(y.sum()),
        "skipped": len(skipped),
        "pairs": int(len(D)),
        "model": f"pairwise logistic ranking loss, L2 (C={C:g}), weights >= 0 on {', '.join(COMPONENTS)}; "
                 "normalised to sum to 1",
        "coefficients": ", ".join(f"{c} {v:+.3f}" for c, v in zip(COMPONENTS, learner.coef_, strict=True)),
        "catalogue": f"{cat.meta.name} {cat.meta.version}",
    }
    weights = Weights(**learner.weights_, min_score=base.min_score, undocumented=base.undocumented,
                      source=f"learnt from {provenance['feedback']}")
    return Learnt(weights=weights, learner=learner, used=int(len(y)), accepted=int(y.sum()),
                  skipped=tuple(skipped), provenance=provenance)


#: Settings whose cross-validated objective is this close to the best count as equally good.
CV_TOLERANCE = 0.005


def choose_setting(table: Sequence[Mapping[str, Any]], tolerance: float = CV_TOLERANCE) -> Mapping[str, Any]:
    """Among the settings within ``tolerance`` of the best objective, the most regularised (smallest
    C), then the one that discounts undocumented scope the most: when the cases cannot tell two
    settings apart, prefer the simpler model and the documented programme."""
    best = max(r["objective"] for r in table)
    near = [r for r in table if r["objective"] >= best - tolerance]
    return min(near, key=lambda r: (r["C"], -r["undocumented"]))


#: The settings `learn_from_cases` tries.
CV_GRID = {"Cs": (0.3, 1.0, 3.0, 10.0, 30.0), "undocumented": (0.0, 0.05, 0.1, 0.2)}


def learn_from_cases(
    cases: Sequence[Any], *, catalogue: Catalogue, base: Weights | None = None, split: str = "dev",
) -> tuple[Learnt, list[dict[str, Any]]]:
    """Weights fitted on the ``split`` of labelled cases, with C and the undocumented discount chosen
    by cross-validation (`cross_validate`, `choose_setting`); returns them and the CV table."""
    from ..core.engine import engine_for

    engine = engine_for(catalogue, base)
    base = base if base is not None else catalogue.weights
    chosen = [c for c in cases if c.split == split]
    if not chosen:
        raise InputError(f"no {split} cases to learn from")
    data = case_data(chosen, engine)
    table = cross_validate(data, engine, **CV_GRID, base=base)
    pick = choose_setting(table)
    weights = fit_cases(data, C=pick["C"], undocumented=pick["undocumented"], base=base)
    labelled = sum(bool(d.first.any()) for d in data)
    provenance = {
        "cases": labelled,
        "split": split,
        "model": f"pairwise logistic ranking loss, L2 (C={pick['C']:g}), weights >= 0 on {', '.join(COMPONENTS)}; "
                 "normalised to sum to 1",
        "cross_validation": f"5 folds x 3 repeats over cases: hit@1 {pick['hit1']:.3f}, MRR {pick['mrr']:.3f}, "
                            f"top-3 {pick['top3']:.3f}",
        "catalogue": f"{catalogue.meta.name} {catalogue.meta.version}",
    }
    weights = weights.model_copy(update={"source": f"fitted on {labelled} {split} cases"})
    learnt = Learnt(weights=weights, learner=PairwiseLearner(C=pick["C"]), used=labelled, accepted=labelled,
                    provenance=provenance)
    return learnt, table
