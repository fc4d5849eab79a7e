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

Each record becomes the initiative's unweighted per-component scores for that profile
(`scoring.component_scores`: issues, approaches, workforce, text). An L2-regularised
logistic regression (scikit-learn) predicts acceptance from them; its coefficients are
clipped at 0 and normalised to sum to 1, so a learnt score is still the same weighted sum
of the same named contributions. The issues weight is kept at least `MIN_ISSUES_WEIGHT`,
because every recommendation must rest on the client's issues.

Eligibility is never learnt: records for initiatives the profile cannot join (or already
belongs to) are reported and skipped.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .catalogue import Catalogue, load_catalogue
from .errors import InputError, ProfileError
from .loading import read_text
from .models import COMPONENTS, Profile, Weights
from .scoring import component_scores
from .validate import load_profile, validate_profile
from .vocabulary import did_you_mean

__all__ = [
    "FeedbackRecord",
    "Skipped",
    "WeightLearner",
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
        from .frame import header_hint, match_columns

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
        from .frame import row_profile

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


class WeightLearner:
    """Component weights from per-component scores and accept/reject labels.

    Follows the scikit-learn conventions: ``fit(X, y)`` with ``X`` of shape (n, 4) in
    `models.COMPONENTS` order learns ``coef_`` (the regression's coefficients) and
    ``weights_`` (clipped at 0, issues at least ``min_issues``, summing to 1).

    Examples
    --------
    >>> X = [[0.9, 1.0, 0.0, 0.0], [0.9, 0.0, 0.0, 0.0], [0.2, 1.0, 0.0, 0.0], [0.2, 0.0, 0.0, 0.0]]
    >>> learner = WeightLearner().fit(X, [1, 0, 1, 0])
    >>> round(sum(learner.weights_.values()), 6)
    1.0
    """

    def __init__(self, *, C: float = 1.0, min_issues: float = MIN_ISSUES_WEIGHT) -> None:
        self.C = C
        self.min_issues = min_issues

    def fit(self, X: Sequence[Sequence[float]] | np.ndarray, y: Sequence[int] | np.ndarray) -> WeightLearner:
        from sklearn.linear_model import LogisticRegression

        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=int)
        if X.ndim != 2 or X.shape[1] != len(COMPONENTS):
            raise ValueError(f"X must have {len(COMPONENTS)} columns: {', '.join(COMPONENTS)}")
        if len(set(y.tolist())) < 2:
            raise InputError("feedback needs both accepted and rejected records (among eligible initiatives)")
        model = LogisticRegression(C=self.C, max_iter=1000)  # the default penalty is L2 in every version
        model.fit(X, y)
        self.model_ = model
        self.coef_ = model.coef_[0].copy()
        self.intercept_ = float(model.intercept_[0])
        clipped = np.clip(self.coef_, 0.0, None)
        if clipped.sum() <= 0:
            raise InputError(
                "the feedback gives no component a positive weight: accepted initiatives score no higher "
                "than rejected ones on issues, approaches, workforce or text",
                hint="check the outcome column, or add more feedback",
            )
        w = clipped / clipped.sum()
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
class Learnt:
    """The learnt weights, the learner, and which records were used or skipped."""

    weights: Weights
    learner: WeightLearner
    used: int
    accepted: int
    skipped: tuple[Skipped, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)


def features(
    records: Sequence[FeedbackRecord], *, catalogue: Catalogue
) -> tuple[np.ndarray, np.ndarray, list[Skipped]]:
    """Per-component scores (n, 4) and labels of the eligible records, and the skipped ones."""
    from .recommend import fitted

    rec = fitted(catalogue, None)
    col = {i: n for n, i in enumerate(catalogue.ids)}
    rows: list[np.ndarray] = []
    labels: list[int] = []
    skipped: list[Skipped] = []
    by_profile: dict[int, tuple[np.ndarray, list]] = {}
    for r in records:
        key = id(r.profile)
        if key not in by_profile:
            pm = rec.vectoriser.transform([r.profile])
            by_profile[key] = (component_scores(pm, rec.vectoriser)[0], rec.rules.verdicts(r.profile))
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
    X = np.array(rows) if rows else np.zeros((0, len(COMPONENTS)))
    return X, np.array(labels, dtype=int), skipped


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
    X, y, skipped = features(feedback, catalogue=cat)
    if len(y) == 0:
        raise InputError("no feedback record names an initiative its profile is eligible for", source=source)
    try:
        learner = WeightLearner(C=C).fit(X, y)
    except InputError as exc:
        raise InputError(exc.message, source=source, hint=exc.hint) from None
    base = base if base is not None else Weights()
    provenance = {
        "feedback": Path(source).name if source else "records",
        "records": len(feedback),
        "used": int(len(y)),
        "accepted": int(y.sum()),
        "skipped": len(skipped),
        "model": f"LogisticRegression(L2, C={C:g}) on {', '.join(COMPONENTS)} scores; coefficients clipped at 0, "
                 "normalised to sum to 1",
        "coefficients": ", ".join(f"{c} {v:+.3f}" for c, v in zip(COMPONENTS, learner.coef_, strict=True)),
        "catalogue": f"{cat.meta.name} {cat.meta.version}",
    }
    weights = Weights(**learner.weights_, min_score=base.min_score, source=f"learnt from {provenance['feedback']}")
    return Learnt(weights=weights, learner=learner, used=int(len(y)), accepted=int(y.sum()),
                  skipped=tuple(skipped), provenance=provenance)
