"""Evaluation: run labelled cases through `recommend` and measure the rankings.

A cases file is a YAML list (or a mapping with a ``cases:`` list). Each case::

    - id: vn-footwear-overtime          # unique
      split: dev                        # dev (may be tuned on) | heldout (never)
      rationale: One line on why.       # required
      profile: {name: …, kind: …}       # a profile mapping, or a path relative to the file
      first: [better-work]              # acceptable first choices
      top3: [better-work, amfori-bsci]  # must all be in the top 3
      excluded: [fair-wear]             # must be excluded by eligibility
      fits_nothing: false               # true: the verdict must be weak or none

Metrics, each over the cases that carry the labels it needs:

- ``hit1``: share of cases whose first choice is in ``first``;
- ``top3_recall``: per case, the share of ``top3`` labels in the top 3, averaged;
- ``mrr``: mean of 1 / rank of the best-ranked acceptable first choice (0 when absent);
- ``ndcg5``: nDCG@5 with gain 2 for ``first`` labels and 1 for other ``top3`` labels;
- ``violations``: a must-be-excluded initiative that is not excluded (and perhaps
  shortlisted), or a ``first``/``top3`` initiative that is excluded;
- ``fits_nothing``: share of fits-nothing cases whose verdict is weak or none
  (``false_fits_nothing`` counts the other cases that got such a verdict).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalogue import Catalogue, load_catalogue
from ..core.validate import load_profile, split_list, validate_profile
from ..errors import InputError, ProfileError
from ..loading import YamlDoc, read_yaml
from ..models import COMPONENTS, Profile, Weights
from ..result import Result
from ..vocabulary import did_you_mean
from .baseline import Baseline

__all__ = [
    "Case",
    "CaseOutcome",
    "Metrics",
    "Evaluation",
    "load_cases",
    "parse_cases",
    "run_case",
    "evaluate",
    "format_evaluation",
    "METRICS",
    "SPLITS",
    "WEAK_VERDICTS",
]

SPLITS = ("dev", "heldout", "blind")
#: Verdicts that count as "nothing fits".
WEAK_VERDICTS = ("weak", "none")
#: Metrics that thresholds can be set on, with their display names.
METRICS = {"hit1": "hit@1", "top3_recall": "top-3 recall", "mrr": "MRR", "ndcg5": "nDCG@5"}
_FIELDS = ("id", "split", "rationale", "profile", "first", "top3", "excluded", "fits_nothing")
_NDCG_K = 5


@dataclass(frozen=True)
class Case:
    """One labelled case: a validated profile and what a good ranking must do with it."""

    id: str
    split: str
    rationale: str
    profile: Profile
    first: tuple[str, ...] = ()
    top3: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    fits_nothing: bool = False


@dataclass(frozen=True)
class CaseOutcome:
    """What `recommend` returned for one case and how it measures against the labels."""

    case: Case
    ranking: tuple[str, ...]
    scores: tuple[float, ...]
    excluded: tuple[str, ...]
    verdict: str
    hit1: float | None
    top3_recall: float | None
    rr: float | None
    ndcg5: float | None
    violations: tuple[str, ...]
    fits_nothing_ok: bool | None
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when every label of the case is met."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.case.id,
            "split": self.case.split,
            "passed": self.passed,
            "problems": list(self.problems),
            "returned": [
                {"id": i, "score": round(s, 4)} for i, s in zip(self.ranking[:5], self.scores[:5], strict=True)
            ],
            "verdict": self.verdict,
            "expected": {
                "first": list(self.case.first),
                "top3": list(self.case.top3),
                "excluded": list(self.case.excluded),
                "fits_nothing": self.case.fits_nothing,
            },
        }


def _mean(values: Iterable[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return sum(got) / len(got) if got else None


@dataclass(frozen=True)
class Metrics:
    """Aggregate metrics over a set of outcomes (None when no case carries the label)."""

    cases: int
    passed: int
    hit1: float | None
    top3_recall: float | None
    mrr: float | None
    ndcg5: float | None
    violations: int
    fits_nothing: float | None
    fits_nothing_cases: int
    false_fits_nothing: int

    @classmethod
    def of(cls, outcomes: Sequence[CaseOutcome]) -> Metrics:
        """Aggregate ``outcomes``."""
        flagged = [o for o in outcomes if o.case.fits_nothing]
        return cls(
            cases=len(outcomes),
            passed=sum(o.passed for o in outcomes),
            hit1=_mean(o.hit1 for o in outcomes),
            top3_recall=_mean(o.top3_recall for o in outcomes),
            mrr=_mean(o.rr for o in outcomes),
            ndcg5=_mean(o.ndcg5 for o in outcomes),
            violations=sum(len(o.violations) for o in outcomes),
            fits_nothing=_mean(float(bool(o.fits_nothing_ok)) for o in flagged),
            fits_nothing_cases=len(flagged),
            false_fits_nothing=sum(1 for o in outcomes if not o.case.fits_nothing and o.verdict in WEAK_VERDICTS),
        )

    def to_dict(self) -> dict[str, Any]:
        r = lambda v: None if v is None else round(v, 4)  # noqa: E731
        return {
            "cases": self.cases,
            "passed": self.passed,
            "hit1": r(self.hit1),
            "top3_recall": r(self.top3_recall),
            "mrr": r(self.mrr),
            "ndcg5": r(self.ndcg5),
            "violations": self.violations,
            "fits_nothing": r(self.fits_nothing),
            "fits_nothing_cases": self.fits_nothing_cases,
            "false_fits_nothing": self.false_fits_nothing,
        }


@dataclass(frozen=True)
class Evaluation:
    """Outcomes of every case, aggregated per split, overall and per initiative.

    ``overall`` covers the selected split (dev, heldout or all); thresholds apply to it.
    """

    split: str
    outcomes: tuple[CaseOutcome, ...]
    catalogue: dict[str, Any]
    weights: dict[str, Any]
    by_split: dict[str, Metrics] = field(default_factory=dict)
    overall: Metrics | None = None
    per_initiative: dict[str, dict[str, Any]] = field(default_factory=dict)
    baseline: tuple[CaseOutcome, ...] = ()
    baseline_by_split: dict[str, Metrics] = field(default_factory=dict)
    baseline_overall: Metrics | None = None

    @property
    def failing(self) -> tuple[CaseOutcome, ...]:
        """Outcomes of the cases whose labels were not all met."""
        return tuple(o for o in self.outcomes if not o.passed)

    def below(self, thresholds: Mapping[str, float | None]) -> list[str]:
        """One line per metric of `overall` that is below its threshold (None: no threshold)."""
        out = []
        assert self.overall is not None
        for name, floor in thresholds.items():
            if name not in METRICS:
                raise ValueError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}")
            if floor is None:
                continue
            value = getattr(self.overall, name)
            if value is None or value < floor:
                shown = "n/a" if value is None else f"{value:.3f}"
                out.append(f"{METRICS[name]} {shown} is below the threshold {floor:g}")
        return out

    def to_dict(self, thresholds: Mapping[str, float | None] | None = None) -> dict[str, Any]:
        """The JSON report; with ``thresholds``, also the checks and whether they passed."""
        out: dict[str, Any] = {
            "split": self.split,
            "catalogue": dict(self.catalogue),
            "weights": dict(self.weights),
            "overall": self.overall.to_dict() if self.overall else None,
            "splits": {k: m.to_dict() for k, m in self.by_split.items()},
            "per_initiative": self.per_initiative,
            "baseline": {
                "method": "TF-IDF cosine of the profile's description and issue and approach labels against "
                          "each initiative's summary, no eligibility",
                "overall": self.baseline_overall.to_dict() if self.baseline_overall else None,
                "splits": {k: m.to_dict() for k, m in self.baseline_by_split.items()},
            },
            "failing": [o.to_dict() for o in self.failing],
        }
        if thresholds is not None:
            below = self.below(thresholds)
            out["thresholds"] = {k: v for k, v in thresholds.items() if v is not None}
            out["below_threshold"] = below
            out["passed"] = not below
        return out


# --- loading ------------------------------------------------------------------------------


def _sub_doc(doc: YamlDoc, prefix: tuple, data: Any) -> YamlDoc:
    """The part of ``doc`` under ``prefix``, with its line map re-rooted there."""
    n = len(prefix)
    lines = {path[n:]: line for path, line in doc.lines.items() if path[:n] == prefix}
    return YamlDoc(data, lines, doc.source)


class _CaseReader:
    """Validation of one raw case; every error names the case (by id once known) and field."""

    def __init__(self, doc: YamlDoc, here: tuple, catalogue: Catalogue, base: Path, number: int) -> None:
        self.doc, self.here, self.cat, self.base = doc, here, catalogue, base
        self.label = f"case {number}"

    def fail(self, message: str, *path: Any, hint: str | None = None, line: int | None = None) -> InputError:
        field = f"{self.label}: " + ".".join(str(p) for p in path) if path else self.label
        return InputError(message, source=self.doc.source, line=line or self.doc.line((*self.here, *path)),
                          field=field, hint=hint)

    def ids(self, value: Any, name: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, (list, tuple, str)):
            raise self.fail(f"must be a list of initiative ids, not {type(value).__name__}", name)
        out: list[str] = []
        for i, item in enumerate(split_list(value)):
            ident = str(item).strip()
            if ident not in self.cat:
                close = did_you_mean(ident, self.cat.ids)
                hint = ("did you mean " + " or ".join(repr(c) for c in close) + "?") if close else None
                raise self.fail(f"unknown initiative {ident!r}", name, i, hint=hint)
            if ident not in out:
                out.append(ident)
        return tuple(out)

    def profile(self, value: Any) -> Profile:
        if value is None:
            raise self.fail("required field is missing", "profile")
        try:
            if isinstance(value, str):
                return load_profile(self.base / value, catalogue=self.cat)
            if isinstance(value, Mapping):
                return validate_profile(_sub_doc(self.doc, (*self.here, "profile"), value), catalogue=self.cat)
        except ProfileError as exc:
            where = "profile" + (f".{exc.field}" if exc.field else "")
            if isinstance(value, str):
                where += f" ({exc.source}{':' + str(exc.line) if exc.line else ''})"
                raise self.fail(exc.message, where, hint=exc.hint) from None
            raise self.fail(exc.message, where, hint=exc.hint, line=exc.line) from None
        raise self.fail("must be a profile mapping or a path to a profile file", "profile")

    def case(self, raw: Any, seen: dict[str, int]) -> Case:
        if not isinstance(raw, Mapping):
            raise self.fail("must be a mapping (id: …, split: …, profile: …)")
        ident = raw.get("id")
        if not isinstance(ident, str) or not ident.strip():
            raise self.fail("required field is missing or empty", "id")
        ident = ident.strip()
        self.label = f"case {ident!r}"
        if ident in seen:
            raise self.fail(f"duplicate case id (first used in case {seen[ident] + 1})", "id")
        for key in raw:
            if key not in _FIELDS:
                close = did_you_mean(str(key), _FIELDS)
                raise self.fail("unknown field", key, hint=f"did you mean {close[0]!r}?" if close else
                                "valid fields: " + ", ".join(_FIELDS))
        split = raw.get("split")
        if split not in SPLITS:
            raise self.fail(f"must be dev, heldout or blind, not {split!r}", "split")
        rationale = raw.get("rationale")
        if not isinstance(rationale, str) or not rationale.strip():
            raise self.fail("required field is missing: give a one-line rationale", "rationale")
        fits_nothing = raw.get("fits_nothing", False)
        if not isinstance(fits_nothing, bool):
            raise self.fail(f"must be true or false, not {fits_nothing!r}", "fits_nothing")
        first, top3, excluded = (self.ids(raw.get(k), k) for k in ("first", "top3", "excluded"))
        clash = [x for x in (*first, *top3) if x in excluded]
        if clash:
            raise self.fail(f"{clash[0]!r} is both expected on the shortlist and expected to be excluded",
                            "excluded")
        if not first and not fits_nothing:
            raise self.fail("is empty: list the acceptable first choices, or set fits_nothing: true", "first")
        profile = self.profile(raw.get("profile"))
        overlap = [x for x in (*first, *top3) if x in profile.memberships]
        if overlap:
            raise self.fail(f"{overlap[0]!r} is one of the profile's memberships, so it is never recommended",
                            "first")
        return Case(id=ident, split=split, rationale=rationale.strip(), profile=profile, first=first,
                    top3=top3, excluded=excluded, fits_nothing=fits_nothing)


def parse_cases(doc: YamlDoc, *, catalogue: Catalogue | None = None) -> list[Case]:
    """Validate a parsed cases document; every problem names the case id and field."""
    cat = catalogue if catalogue is not None else load_catalogue()
    data = doc.data
    root: tuple = ()
    if isinstance(data, Mapping) and set(data) == {"cases"}:
        data, root = data["cases"], ("cases",)
    if not isinstance(data, list) or not data:
        raise InputError("must be a non-empty list of cases (- id: …)", source=doc.source, line=1,
                         hint="see docs/evaluation.md for the format")
    base = Path(doc.source).parent if doc.source and not doc.source.startswith("<") else Path(".")
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data):
        case = _CaseReader(doc, (*root, i), cat, base, i + 1).case(raw, seen)
        seen[case.id] = i
        cases.append(case)
    return cases


def load_cases(path: str | os.PathLike[str], *, catalogue: Catalogue | None = None) -> list[Case]:
    """Read and validate a cases file (see the module docstring); raises `InputError`."""
    return parse_cases(read_yaml(Path(path), what="cases file", max_bytes=8 << 20), catalogue=catalogue)


# --- measuring ----------------------------------------------------------------------------


def _dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def score_case(case: Case, result: Result) -> CaseOutcome:
    """Measure one `Result` (made with a shortlist as long as the catalogue) against ``case``."""
    return measure_ranking(case, tuple(r.id for r in result.shortlist), tuple(r.score for r in result.shortlist),
                           tuple(e.id for e in result.excluded), result.verdict)


def measure_ranking(case: Case, ranking: tuple[str, ...], scores: tuple[float, ...], excluded: tuple[str, ...],
                    verdict: str) -> CaseOutcome:
    """Measure a ranking (ids, best first, with their scores), its exclusions and its verdict against ``case``."""
    problems: list[str] = []
    hit1 = rr = recall = ndcg = None
    if case.first:
        hit1 = float(bool(ranking) and ranking[0] in case.first)
        if not hit1:
            got = ranking[0] if ranking else "nothing"
            problems.append(f"first choice {got}, expected {' or '.join(case.first)}")
        rank = next((n for n, i in enumerate(ranking, 1) if i in case.first), None)
        rr = 1.0 / rank if rank else 0.0
    if case.top3:
        missing = [i for i in case.top3 if i not in ranking[:3]]
        recall = 1.0 - len(missing) / len(case.top3)
        if missing:
            problems.append("not in the top 3: " + ", ".join(
                f"{i} ({'rank ' + str(ranking.index(i) + 1) if i in ranking else 'not shortlisted'})"
                for i in missing))
    gain = {i: 1.0 for i in case.top3} | {i: 2.0 for i in case.first}
    if gain:
        ideal = _dcg(sorted(gain.values(), reverse=True)[:_NDCG_K])
        ndcg = _dcg([gain.get(i, 0.0) for i in ranking[:_NDCG_K]]) / ideal
    violations = []
    for i in case.excluded:
        if i not in excluded:
            where = f", shortlisted at rank {ranking.index(i) + 1}" if i in ranking else ""
            violations.append(f"{i} should be excluded but is eligible{where}")
    for i in dict.fromkeys((*case.first, *case.top3)):
        if i in excluded:
            violations.append(f"{i} is an acceptable choice but was excluded")
    problems.extend(violations)
    fits_ok = None
    if case.fits_nothing:
        fits_ok = verdict in WEAK_VERDICTS
        if not fits_ok:
            problems.append(f"fits nothing, but the verdict is {verdict}")
    return CaseOutcome(
        case=case, ranking=ranking, scores=scores, excluded=excluded,
        verdict=verdict, hit1=hit1, top3_recall=recall, rr=rr, ndcg5=ndcg,
        violations=tuple(violations), fits_nothing_ok=fits_ok, problems=tuple(problems),
    )


def run_case(case: Case, *, catalogue: Catalogue | None = None, weights: Weights | None = None) -> CaseOutcome:
    """Recommend for one case (full-length shortlist) and measure the result."""
    from ..core.engine import engine_for
    from ..core.recommend import Recommender

    rec = Recommender(engine=engine_for(catalogue, weights))
    return score_case(case, rec.recommend(case.profile, top=len(rec.catalogue)))


def run_baseline(case: Case, baseline: Baseline) -> CaseOutcome:
    """The naive baseline's ranking of one case (no eligibility, so it excludes nothing), measured.

    Its verdict is "fair" whenever any initiative shares a word with the profile, so it never
    says that nothing fits."""
    ranking, scores = baseline.rank(case.profile)
    return measure_ranking(case, ranking, scores, (), "fair" if scores and scores[0] > 0 else "none")


def _per_initiative(outcomes: Sequence[CaseOutcome], ids: Sequence[str], naive: Sequence[CaseOutcome] = ()
                    ) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for ident in ids:
        labelled = [o for o in outcomes if ident in o.case.first]
        naive_labelled = [o for o in naive if ident in o.case.first]
        in_top3 = [o for o in outcomes if ident in o.case.top3]
        returned = [o for o in outcomes if o.ranking and o.ranking[0] == ident]
        row = {
            "first_labels": len(labelled),
            "hit1": _mean(o.hit1 for o in labelled),
            "top3_labels": len(in_top3),
            "top3_found": sum(1 for o in in_top3 if ident in o.ranking[:3]),
            "returned_first": len(returned),
            "returned_first_correct": sum(1 for o in returned if ident in o.case.first),
            "violations": sum(1 for o in outcomes for v in o.violations if v.split(" ", 1)[0] == ident),
            "baseline_hit1": _mean(o.hit1 for o in naive_labelled),
        }
        if any(row[k] for k in ("first_labels", "top3_labels", "returned_first", "violations")):
            row["hit1"] = None if row["hit1"] is None else round(row["hit1"], 4)
            row["baseline_hit1"] = None if row["baseline_hit1"] is None else round(row["baseline_hit1"], 4)
            table[ident] = row
    return table


def evaluate(
    cases: Sequence[Case] | str | os.PathLike[str],
    *,
    catalogue: Catalogue | str | os.PathLike[str] | None = None,
    weights: Weights | None = None,
    split: str = "all",
) -> Evaluation:
    """Run the ``split`` (dev, heldout or all) of ``cases`` and aggregate the metrics.

    ``cases`` is a list of `Case` or the path of a cases file.

    Examples
    --------
    >>> from recommender.analysis.evaluate import evaluate          # doctest: +SKIP
    >>> ev = evaluate("tests/data/cases.yaml", split="heldout")  # doctest: +SKIP
    >>> ev.overall.hit1                                     # doctest: +SKIP
    0.85
    """
    if split not in (*SPLITS, "all"):
        raise ValueError(f"split must be dev, heldout, blind or all, not {split!r}")
    cat = catalogue if isinstance(catalogue, Catalogue) else load_catalogue(catalogue)
    if not isinstance(cases, Sequence) or isinstance(cases, str):
        cases = load_cases(cases, catalogue=cat)
    chosen = [c for c in cases if split == "all" or c.split == split]
    outcomes = tuple(run_case(c, catalogue=cat, weights=weights) for c in chosen)
    by_split = {s: Metrics.of([o for o in outcomes if o.case.split == s]) for s in SPLITS}
    by_split = {s: m for s, m in by_split.items() if m.cases}
    baseline = Baseline().fit(cat)
    naive = tuple(run_baseline(c, baseline) for c in chosen)
    naive_split = {s: Metrics.of([o for o in naive if o.case.split == s]) for s in by_split}
    w = weights if weights is not None else cat.weights
    return Evaluation(
        split=split,
        outcomes=outcomes,
        catalogue=cat.describe(),
        weights={**w.as_dict(), "min_score": w.min_score, "undocumented": w.undocumented,
                 "source": w.source or "built-in defaults"},
        by_split=by_split,
        overall=Metrics.of(outcomes),
        per_initiative=_per_initiative(outcomes, cat.ids, naive),
        baseline=naive,
        baseline_by_split=naive_split,
        baseline_overall=Metrics.of(naive),
    )


# --- text report --------------------------------------------------------------------------


def _f(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.3f}"


def format_evaluation(ev: Evaluation, thresholds: Mapping[str, float | None] | None = None) -> str:
    """The evaluation as a plain-text report: metrics per split, per initiative, failing cases."""
    w = ev.weights
    lines = [
        f"Evaluation of {ev.overall.cases if ev.overall else 0} cases (split: {ev.split}) against "
        f"{ev.catalogue['name']} {ev.catalogue['version']} ({ev.catalogue['size']} initiatives)",
        "weights: " + ", ".join(f"{k} {w[k]:.3f}" for k in COMPONENTS)
        + f"; min_score {w['min_score']:.2f}; undocumented {w['undocumented']:.2f}; from {w['source']}",
        "",
        f"{'split':<9} {'cases':>5} {'passed':>6} {'hit@1':>6} {'top-3':>6} {'MRR':>6} {'nDCG@5':>6} "
        f"{'violations':>10} {'fits-nothing':>12}",
    ]
    rows = list(ev.by_split.items())
    naive = list(ev.baseline_by_split.items())
    if ev.overall is not None and (len(rows) != 1 or ev.split == "all"):
        rows.append(("all" if ev.split == "all" else ev.split, ev.overall))
        if ev.baseline_overall is not None:
            naive.append(("all" if ev.split == "all" else ev.split, ev.baseline_overall))
    for name, m in rows:
        fits = f"{round((m.fits_nothing or 0) * m.fits_nothing_cases)}/{m.fits_nothing_cases}"
        lines.append(
            f"{name:<9} {m.cases:>5} {m.passed:>6} {_f(m.hit1):>6} {_f(m.top3_recall):>6} {_f(m.mrr):>6} "
            f"{_f(m.ndcg5):>6} {m.violations:>10} {fits:>12}"
        )
    if naive:
        lines += ["", "Naive baseline on the same cases (TF-IDF of the profile's words against each initiative's "
                  "summary; no eligibility):"]
        for name, m in naive:
            lead = (f"   scorer leads by {((by[name].hit1 or 0) - (m.hit1 or 0)) * 100:+.0f} points of hit@1"
                    if (by := dict(rows)).get(name) is not None and m.hit1 is not None else "")
            lines.append(f"{name:<9} {m.cases:>5} {'':>6} {_f(m.hit1):>6} {_f(m.top3_recall):>6} {_f(m.mrr):>6} "
                         f"{_f(m.ndcg5):>6}{lead}")
    if ev.overall is not None and ev.overall.false_fits_nothing:
        lines.append(f"({ev.overall.false_fits_nothing} case(s) not labelled fits-nothing got a weak or no verdict)")
    lines += ["", "Per initiative (first: labelled / hit@1, baseline's hit@1; top-3: found / labelled; "
              "returned first: correct / times)"]
    lines.append(f"{'initiative':<24} {'first':>5} {'hit@1':>6} {'naive':>6} {'top-3':>7} {'returned first':>14} "
                 f"{'violations':>10}")
    for ident, row in ev.per_initiative.items():
        lines.append(
            f"{ident:<24} {row['first_labels']:>5} {_f(row['hit1']):>6} {_f(row.get('baseline_hit1')):>6} "
            f"{str(row['top3_found']) + '/' + str(row['top3_labels']):>7} "
            f"{str(row['returned_first_correct']) + '/' + str(row['returned_first']):>14} {row['violations']:>10}"
        )
    failing = ev.failing
    lines += ["", f"Failing cases: {len(failing)}" if failing else "Failing cases: none"]
    for o in failing:
        got = ", ".join(f"{i} {s:.2f}" for i, s in zip(o.ranking[:5], o.scores[:5], strict=True)) or "nothing"
        lines.append(f"  [{o.case.split}] {o.case.id}: returned {got} (verdict {o.verdict})")
        lines.extend(f"      - {p}" for p in o.problems)
    if thresholds:
        below = ev.below(thresholds)
        set_ = {k: v for k, v in thresholds.items() if v is not None}
        if set_:
            lines.append("")
            for k, floor in set_.items():
                value = getattr(ev.overall, k)
                ok = value is not None and value >= floor
                lines.append(f"threshold {METRICS[k]:<12} {_f(value)} >= {floor:g}: {'ok' if ok else 'BELOW'}")
            lines.append("all thresholds met" if not below else f"{len(below)} threshold(s) not met")
    return "\n".join(lines) + "\n"
