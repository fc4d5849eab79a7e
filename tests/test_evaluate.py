"""Evaluation on labelled cases (recommender.analysis.evaluate), the naive baseline beside it
(recommender.analysis.baseline), and `match evaluate`."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender import InputError, load_catalogue
from recommender.analysis.baseline import Baseline
from recommender.analysis.evaluate import (
    SPLITS,
    Case,
    Metrics,
    evaluate,
    format_evaluation,
    load_cases,
    run_baseline,
    score_case,
)
from recommender.cli import main
from recommender.core.validate import validate_profile
from recommender.text import STOP_WORDS

from .conftest import ROOT

CAT = load_catalogue()
CASES = ROOT / "tests" / "data" / "cases.yaml"
BLIND = sorted((ROOT / "tests" / "data" / "blind").glob("*.yaml"))
PROFILE = validate_profile({"name": "P", "kind": "factory", "country": "BD", "sector": "garment",
                            "issues": ["wages"]}, catalogue=CAT)

GOOD = """\
- id: mill
  split: dev
  rationale: A Chinese dye house with water and chemical problems.
  profile:
    name: Mill
    kind: factory
    country: CN
    sector: textiles
    issues: {chemicals: 3, water: 3, energy: 2}
    prefers: [advisory, training]
    description: Dye house with effluent limits; we want to cut water, energy and chemical use in wet processing.
  first: [better-mill-initiative]
  top3: [better-mill-initiative]
  excluded: [fair-wear]
- id: wrong-on-purpose
  split: heldout
  rationale: Labelled against the scorer, to exercise a failure.
  profile: {name: Knit, kind: factory, country: BD, sector: garment, issues: {womens_health: 3}}
  first: [fla]
  excluded: []
"""


def fake_result(ranking, excluded=(), verdict="strong"):
    return SimpleNamespace(
        shortlist=[SimpleNamespace(id=i, score=1.0 - n / 10) for n, i in enumerate(ranking)],
        excluded=[SimpleNamespace(id=i) for i in excluded],
        verdict=verdict,
    )


def case(**labels):
    return Case(id="c", split="dev", rationale="r", profile=PROFILE, **labels)


# --- metrics ------------------------------------------------------------------------------


def test_metrics_of_one_case_by_hand():
    c = case(first=("b",), top3=("b", "c"), excluded=("x",))
    o = score_case(c, fake_result(["a", "b", "d", "c"], excluded=["x"]))
    assert o.hit1 == 0.0 and o.rr == 0.5
    assert o.top3_recall == 0.5
    dcg = 2 / math.log2(3) + 1 / math.log2(5)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    assert o.ndcg5 == pytest.approx(dcg / ideal)
    assert not o.violations and not o.passed
    assert o.problems == ("first choice a, expected b", "not in the top 3: c (rank 4)")


def test_a_perfect_case_passes():
    o = score_case(case(first=("a", "b"), top3=("a",), excluded=("x",)), fake_result(["b", "a"], excluded=["x"]))
    assert (o.hit1, o.rr, o.top3_recall, o.ndcg5) == (1.0, 1.0, 1.0, 1.0) and o.passed


def test_eligibility_violations_both_ways():
    o = score_case(case(first=("a",), excluded=("x", "y")), fake_result(["a", "x"], excluded=["a"]))
    assert o.violations == (
        "x should be excluded but is eligible, shortlisted at rank 2",
        "y should be excluded but is eligible",
        "a is an acceptable choice but was excluded",
    )


@pytest.mark.parametrize("verdict, ok", [("none", True), ("weak", True), ("fair", False), ("strong", False)])
def test_fits_nothing(verdict, ok):
    o = score_case(case(fits_nothing=True), fake_result([] if verdict == "none" else ["a"], verdict=verdict))
    assert o.fits_nothing_ok is ok and o.passed is ok
    assert o.hit1 is None and o.rr is None and o.ndcg5 is None


def test_aggregates_skip_cases_without_the_label():
    outcomes = [
        score_case(case(first=("a",)), fake_result(["a"])),
        score_case(case(first=("a",)), fake_result(["b", "a"])),
        score_case(case(fits_nothing=True), fake_result([], verdict="none")),
        score_case(case(first=("a",)), fake_result(["a"], verdict="weak")),
    ]
    m = Metrics.of(outcomes)
    assert m.cases == 4 and m.hit1 == pytest.approx(2 / 3) and m.mrr == pytest.approx((1 + 0.5 + 1) / 3)
    assert m.top3_recall is None
    assert m.fits_nothing == 1.0 and m.fits_nothing_cases == 1 and m.false_fits_nothing == 1


# --- the naive baseline -------------------------------------------------------------------------


def test_the_baseline_is_tfidf_cosine_of_the_profile_s_words_against_the_summaries():
    """Recomputed with scikit-learn: summary + involves per initiative; description, issue and
    approach labels for the profile; no eligibility."""
    base = Baseline().fit(CAT)
    docs = [f"{i.summary}\n{i.involves or ''}" for i in CAT.initiatives]
    tfidf = TfidfVectorizer(stop_words=sorted(STOP_WORDS)).fit(docs)
    for raw in ({"name": "M", "kind": "factory", "country": "CN", "sector": "textiles",
                 "issues": ["chemicals", "water"], "prefers": ["advisory"],
                 "description": "Dye house with effluent limits."},
                {"name": "B", "kind": "brand", "country": "GB", "sector": "toys", "issues": ["purchasing_practices"]}):
        p = validate_profile(raw, catalogue=CAT)
        words = "\n".join([p.description, *(CAT.taxonomy.label("issues", k) for k in p.weights()),
                           *(CAT.taxonomy.label("approaches", k) for k in p.prefers)])
        expected = (tfidf.transform(docs) @ tfidf.transform([words]).T).toarray()[:, 0]
        np.testing.assert_allclose(base.scores(p), expected, atol=1e-12)
        ids, sims = base.rank(p)
        assert sorted(ids) == sorted(CAT.ids)  # everything is ranked: no eligibility
        assert list(sims) == sorted(sims, reverse=True)
        assert ids[0] == CAT.ids[int(np.argmax(expected))]


def test_the_baseline_excludes_nothing_and_always_has_a_verdict():
    c = Case(id="c", split="dev", rationale="r", profile=PROFILE, first=("better-work",), excluded=("fair-wear",))
    o = run_baseline(c, Baseline().fit(CAT))
    assert o.excluded == () and o.verdict == "fair"
    assert o.violations == ("fair-wear should be excluded but is eligible, shortlisted at rank "
                            f"{o.ranking.index('fair-wear') + 1}",)


def test_evaluation_prints_the_baseline_beside_the_scorer_with_the_baseline_s_own_numbers(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(GOOD)
    ev = evaluate(path, catalogue=CAT)
    cases = load_cases(path, catalogue=CAT)
    base = Baseline().fit(CAT)
    naive = [run_baseline(c, base) for c in cases]
    assert ev.baseline == tuple(naive)
    assert ev.baseline_overall == Metrics.of(naive)
    assert ev.baseline_by_split == {s: Metrics.of([o for o in naive if o.case.split == s]) for s in ("dev", "heldout")}
    text = format_evaluation(ev)
    assert "Naive baseline on the same cases" in text
    section = text.split("Naive baseline", 1)[1].split("\n\n", 1)[0]
    for split, m in ev.baseline_by_split.items():
        line = next(x for x in section.splitlines() if x.startswith(split))
        assert f"{m.hit1:5.3f}" in line and f"{m.mrr:5.3f}" in line
        lead = (ev.by_split[split].hit1 - m.hit1) * 100
        assert f"scorer leads by {lead:+.0f} points of hit@1" in line
    data = ev.to_dict()
    assert data["baseline"]["overall"] == Metrics.of(naive).to_dict()
    assert data["per_initiative"]["better-mill-initiative"]["baseline_hit1"] == naive[0].hit1


# --- loading ------------------------------------------------------------------------------


def test_good_cases_load_and_evaluate_per_split(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(GOOD)
    ev = evaluate(path, catalogue=CAT)
    assert set(ev.by_split) == {"dev", "heldout"}
    assert ev.by_split["dev"].hit1 == 1.0 and ev.by_split["heldout"].hit1 == 0.0
    assert [o.case.id for o in ev.failing] == ["wrong-on-purpose"]
    assert ev.per_initiative["fla"]["first_labels"] == 1 and ev.per_initiative["fla"]["hit1"] == 0.0
    assert ev.below({"hit1": 0.4}) == [] and ev.below({"hit1": 0.6}) == ["hit@1 0.500 is below the threshold 0.6"]
    only = evaluate(path, catalogue=CAT, split="dev")
    assert only.overall.cases == 1 and set(only.by_split) == {"dev"}
    text = format_evaluation(ev, {"hit1": 0.6})
    assert "wrong-on-purpose: returned " in text and "BELOW" in text
    with pytest.raises(ValueError):
        evaluate(path, catalogue=CAT, split="test")


def test_cases_under_a_cases_key_and_profile_paths(tmp_path):
    (tmp_path / "p.yaml").write_text((ROOT / "profiles" / "cn-dye-mill.yaml").read_text())
    path = tmp_path / "cases.yaml"
    path.write_text("cases:\n  - id: a\n    split: dev\n    rationale: r\n    profile: p.yaml\n"
                    "    first: better-mill-initiative\n")
    (c,) = load_cases(path, catalogue=CAT)
    assert c.first == ("better-mill-initiative",) and c.profile.country == "CN"


BASE = ("- id: bad-one\n  split: dev\n  rationale: r\n"
        "  profile: {name: P, kind: factory, country: BD, sector: garment, issues: [wages]}\n")


@pytest.mark.parametrize(
    "text, message, field, line",
    [
        (BASE + "  first: [better-wrok]\n", "unknown initiative 'better-wrok'", "case 'bad-one': first.0", 5),
        (BASE.replace("split: dev", "split: test") + "  first: [better-work]\n", "must be dev, heldout or blind",
         "case 'bad-one': split", 2),
        (BASE.replace("issues: [wages]", "issues: [wagez]") + "  first: [better-work]\n", "unknown issue 'wagez'",
         "case 'bad-one': profile.issues.0", 4),
        (BASE + "  first: [better-work]\n  excluded: [better-work]\n", "both expected on the shortlist and",
         "case 'bad-one': excluded", 6),
        (BASE + "  frist: [better-work]\n", "unknown field", "case 'bad-one': frist", 5),
        (BASE, "list the acceptable first choices", "case 'bad-one': first", 1),
        (BASE + "  first: [better-work]\n  fits_nothing: yes\n", "must be true or false",
         "case 'bad-one': fits_nothing", 6),
        (BASE.replace("  rationale: r\n", "") + "  first: [better-work]\n", "rationale",
         "case 'bad-one': rationale", 1),
        ("- split: dev\n", "missing or empty", "case 1: id", 1),
        (BASE + "  first: [better-work]\n" + BASE + "  first: [better-work]\n", "duplicate case id",
         "case 'bad-one': id", 6),
        (BASE.replace("issues: [wages]", "issues: [wages], memberships: [better-work]") + "  first: [better-work]\n",
         "one of the profile's memberships", "case 'bad-one': first", 5),
        ("{}\n", "non-empty list of cases", None, 1),
    ],
)
def test_malformed_cases_name_the_case_and_field(tmp_path, text, message, field, line):
    path = tmp_path / "cases.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        load_cases(path, catalogue=CAT)
    assert info.value.field == field
    assert info.value.line == line
    assert info.value.source == str(path)


def test_the_blind_sets_load_and_are_kept_apart():
    """Blind cases are measured once per release, never tuned on: here they only have to load."""
    assert SPLITS == ("dev", "heldout", "blind") and len(BLIND) >= 2
    blind = [c for path in BLIND for c in load_cases(path, catalogue=CAT)]
    assert len(blind) >= 60 and {c.split for c in blind} == {"blind"}
    repo = {c.id for c in load_cases(CASES, catalogue=CAT)}
    assert not repo & {c.id for c in blind}
    assert all(c.rationale and (c.first or c.fits_nothing) for c in blind)


# --- the command --------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, ["evaluate", *map(str, args)], catch_exceptions=False)


def test_cli_exit_codes(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(GOOD)
    ok = run(path, "--min-hit1", "0.5", "--min-mrr", "0.5")
    assert ok.exit_code == 0, ok.stderr
    assert "all thresholds met" in ok.stdout and "Naive baseline" in ok.stdout
    below = run(path, "--min-hit1", "0.9")
    assert below.exit_code == 4
    assert "hit@1" in below.stdout and "BELOW" in below.stdout
    assert run(path, "--split", "dev", "--min-hit1", "0.9", "--min-top3", "1", "--min-ndcg", "1").exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE + "  first: [nope]\n")
    result = run(bad)
    assert result.exit_code == 2 and "case 'bad-one': first.0: unknown initiative 'nope'" in result.stderr
    assert run(tmp_path / "missing.yaml").exit_code == 2


def test_cli_runs_the_blind_split_alone(tmp_path):
    path = tmp_path / "blind.yaml"
    path.write_text(GOOD.replace("split: dev", "split: blind").replace("split: heldout", "split: blind"))
    result = run(path, "--split", "blind")
    assert result.exit_code == 0, result.stderr
    assert "split: blind" in result.stdout


def test_cli_json(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_text(GOOD)
    result = run(path, "--format", "json", "--min-hit1", "0.9")
    assert result.exit_code == 4
    data = json.loads(result.stdout)
    assert data["passed"] is False and data["thresholds"] == {"hit1": 0.9}
    assert data["splits"]["dev"]["hit1"] == 1.0 and data["splits"]["heldout"]["hit1"] == 0.0
    assert set(data["baseline"]) == {"method", "overall", "splits"}
    (failing,) = data["failing"]
    assert failing["id"] == "wrong-on-purpose" and failing["returned"][0]["id"] != "fla"


def test_the_repository_cases_report_each_split_and_no_violation():
    ev = evaluate(CASES, catalogue=CAT)
    assert set(ev.by_split) == {"dev", "heldout"}
    assert ev.overall.cases == ev.by_split["dev"].cases + ev.by_split["heldout"].cases >= 45
    assert ev.overall.violations == 0
    heldout = evaluate(CASES, catalogue=CAT, split="heldout")
    assert heldout.overall == ev.by_split["heldout"]
