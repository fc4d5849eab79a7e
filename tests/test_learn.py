"""Learning component weights from feedback (recommender.analysis.learn) and weights files (recommender.weights)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import InputError, Weights, WeightsError, load_catalogue, recommend
from recommender.cli import main
from recommender.analysis.learn import MIN_ISSUES_WEIGHT, FeedbackRecord, WeightLearner, learn, read_feedback
from recommender.loading import parse_yaml
from recommender.models import COMPONENTS
from recommender.core.recommend import fitted
from recommender.core.validate import validate_profile
from recommender.weights import dump_weights, load_weights, parse_weights, save_weights

from .conftest import ROOT

CAT = load_catalogue()
EXAMPLE = ROOT / "profiles" / "feedback-example.csv"
CASES = ROOT / "tests" / "data" / "cases.yaml"
MILL = {"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles",
        "issues": {"chemicals": 3, "water": 3, "wages": 1}, "prefers": ["advisory"]}
# In a two-initiative catalogue, "audit-first" covers the client's issues better while only
# "train-first" works the way the client prefers.
CLIENT = {"name": "Client", "kind": "factory", "country": "BD", "sector": "garment",
          "issues": {"wages": 2, "working_hours": 2}, "prefers": ["training"]}
_INITIATIVE = """id: {id}
name: {name}
summary: A test initiative.
url: https://example.org/{id}
participants: [factory]
sectors: [garment]
countries: [global]
issues: {issues}
approaches: [{approach}]
sources:
  - title: Test source
    as_of: 2026-01-01
    supports: [participants, sectors, countries, issues, approaches]
"""


@pytest.fixture
def two_initiatives(tmp_path):
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "audit-first.yaml").write_text(_INITIATIVE.format(
        id="audit-first", name="Audit First", issues="{wages: 3, working_hours: 3}", approach="assessment"))
    (folder / "train-first.yaml").write_text(_INITIATIVE.format(
        id="train-first", name="Train First", issues="{wages: 3, working_hours: 1}", approach="training"))
    return load_catalogue(folder)


def consistent_feedback(n_profiles: int = 30, seed: int = 3) -> list[FeedbackRecord]:
    """Clients who always accept the shortlisted initiative that shares most of their preferred approaches."""
    rnd = random.Random(seed)
    rec = fitted(CAT)
    kinds = [("factory", "BD", "garment"), ("factory", "CN", "textiles"), ("factory", "VN", "footwear"),
             ("factory", "CN", "toys"), ("brand", "NL", "garment"), ("factory", "KH", "garment"),
             ("factory", "CN", "electronics"), ("brand", "GB", "food")]
    issues, approaches = list(CAT.taxonomy.issues), list(CAT.taxonomy.approaches)
    records, row = [], 2
    for n in range(n_profiles):
        kind, country, sector = rnd.choice(kinds)
        raw = {"name": f"P{n}", "kind": kind, "country": country, "sector": sector,
               "issues": {k: rnd.randint(1, 3) for k in rnd.sample(issues, 3)},
               "prefers": rnd.sample(approaches, 2)}
        if kind == "brand":
            raw["sourcing_countries"] = ["BD", "CN", "VN"]
        profile = validate_profile(raw, catalogue=CAT)
        shortlist = rec.recommend(profile, top=5).shortlist
        prefers = set(profile.prefers)
        overlap = {r.id: len(set(r.initiative.approaches) & prefers) for r in shortlist}
        if len(shortlist) < 2 or not max(overlap.values()):
            continue
        best = max(shortlist, key=lambda r: (overlap[r.id], r.score))
        for r in shortlist:
            records.append(FeedbackRecord(row=row, profile=profile, initiative=r.id, accepted=r.id == best.id))
            row += 1
    return records


# --- learning -----------------------------------------------------------------------------


def test_consistent_feedback_raises_the_approaches_weight_and_flips_the_ranking(two_initiatives):
    learnt = learn(consistent_feedback(), catalogue=CAT)
    assert learnt.weights.approaches > Weights().approaches
    assert learnt.weights.approaches > max(learnt.weights.workforce, learnt.weights.text)
    before = recommend(CLIENT, catalogue=two_initiatives)
    after = recommend(CLIENT, catalogue=two_initiatives, weights=learnt.weights)
    assert [r.id for r in before.shortlist] == ["audit-first", "train-first"]
    assert [r.id for r in after.shortlist] == ["train-first", "audit-first"]
    # the learnt score still decomposes into the same named contributions
    top = after.shortlist[0]
    assert sum(c.value for c in top.contributions) == pytest.approx(top.score)
    assert {c.component for c in top.contributions} == {"issues", "approaches"}


def test_eligibility_is_never_learnt_away():
    """However the weights move, the same initiatives are excluded, for the same reasons."""
    learnt = learn(EXAMPLE, catalogue=CAT)
    skipped = {s.initiative for s in learnt.skipped}
    assert skipped == {"social-at-risk"}
    lopsided = Weights(issues=0.05, approaches=0.85, workforce=0.05, text=0.05)
    for raw in [MILL, CLIENT, {**CLIENT, "kind": "brand", "country": "GB", "sourcing_countries": ["CN"],
                                "sector": "home_goods", "issues": {"risk_monitoring": 3}}]:
        before = recommend(raw)
        for w in (learnt.weights, lopsided):
            after = recommend(raw, weights=w)
            assert [(e.id, e.reasons) for e in after.excluded] == [(e.id, e.reasons) for e in before.excluded]
            assert not {r.id for r in after.shortlist} & {e.id for e in after.excluded}
    brand = recommend({"name": "Homewares", "kind": "brand", "country": "GB", "sourcing_countries": ["CN", "VN"],
                       "sector": "home_goods", "issues": {"risk_monitoring": 3}, "prefers": ["data_analytics"]},
                      weights=learnt.weights)
    assert "social-at-risk" in {e.id for e in brand.excluded}  # the skipped record's initiative stays closed


def test_the_model_is_an_l2_regularised_logistic_regression():
    from sklearn.linear_model import LogisticRegression

    learner = learn(EXAMPLE, catalogue=CAT).learner
    model = learner.model_
    assert isinstance(model, LogisticRegression) and model.C == 1.0
    assert getattr(model, "l1_ratio", None) in (None, 0, 0.0) and model.get_params()["penalty"] in ("l2", "deprecated")
    assert model.coef_.shape == (1, len(COMPONENTS))
    assert list(learner.get_feature_names_out()) == list(COMPONENTS)
    # stronger regularisation shrinks the coefficients
    weak = WeightLearner(C=0.01).fit(*_example_features())
    assert np.abs(weak.coef_).sum() < np.abs(learner.coef_).sum()


def _example_features():
    from recommender.analysis.learn import features

    X, y, _ = features(read_feedback(EXAMPLE, catalogue=CAT), catalogue=CAT)
    return X, y


def test_learning_from_the_example_file_never_demotes_what_clients_accepted():
    records = read_feedback(EXAMPLE, catalogue=CAT)
    learnt = learn(records, catalogue=CAT).weights
    moves = []
    for r in {id(r.profile): r for r in records if r.accepted and r.initiative != "social-at-risk"}.values():
        ranks = []
        for w in (None, learnt):
            ids = [x.id for x in recommend(r.profile, weights=w, top=len(CAT)).shortlist]
            ranks.append(ids.index(r.initiative) + 1)
        moves.append((r.profile.name, r.initiative, *ranks))
    assert all(after <= before for _, _, before, after in moves), moves
    assert sum(after for *_, after in moves) <= sum(before for *_, before, _ in moves)


def test_learnt_weights_keep_min_score_from_the_base():
    base = Weights(min_score=0.2)
    assert learn(consistent_feedback(10), catalogue=CAT, base=base).weights.min_score == 0.2


def test_ineligible_and_member_records_are_skipped_and_reported():
    profile = validate_profile({**MILL, "memberships": ["higg-index"]}, catalogue=CAT)
    records = [
        *consistent_feedback(8),
        FeedbackRecord(row=900, profile=profile, initiative="better-work", accepted=True),
        FeedbackRecord(row=901, profile=profile, initiative="higg-index", accepted=True),
    ]
    learnt = learn(records, catalogue=CAT)
    reasons = {s.row: s.reason for s in learnt.skipped}
    assert reasons[900].startswith("not eligible:") and "Textiles" in reasons[900]
    assert "already takes part" in reasons[901]
    assert learnt.used == len(records) - 2


def test_one_outcome_only_is_refused():
    records = [r for r in consistent_feedback(8) if r.accepted]
    with pytest.raises(InputError, match="both accepted and rejected"):
        learn(records, catalogue=CAT)


def test_feedback_without_signal_is_refused():
    X = [[0.5, 1.0, 0.0, 0.0], [0.5, 0.0, 0.0, 0.0], [0.9, 1.0, 0.0, 0.0], [0.1, 0.0, 0.0, 0.0]]
    with pytest.raises(InputError, match="no component a positive weight"):
        WeightLearner().fit(X, [0, 1, 0, 1])


def test_learner_follows_the_estimator_conventions():
    learner = WeightLearner(C=0.5)
    assert learner.C == 0.5 and not hasattr(learner, "weights_")
    assert learner.fit([[1, 0, 0, 0], [0, 1, 0, 0]] * 3, [1, 0] * 3) is learner
    assert list(learner.get_feature_names_out()) == list(COMPONENTS)
    # accepted records score on issues, rejected ones on approaches: all the weight goes to issues
    assert learner.weights_ == pytest.approx({"issues": 1.0, "approaches": 0.0, "workforce": 0.0, "text": 0.0})
    assert learner.coef_[1] < 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(st.floats(0, 1), min_size=4, max_size=4), st.booleans()), min_size=4,
                max_size=40).filter(lambda rows: len({y for _, y in rows}) == 2))
def test_learnt_weights_are_non_negative_and_sum_to_one(rows):
    X = np.array([x for x, _ in rows])
    y = np.array([int(v) for _, v in rows])
    try:
        learner = WeightLearner().fit(X, y)
    except InputError:
        return  # no component separates the outcomes: refused, not made up
    w = np.array([learner.weights_[c] for c in COMPONENTS])
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0)
    assert learner.weights_["issues"] >= MIN_ISSUES_WEIGHT - 1e-12
    Weights(**learner.weights_)  # valid weights


# --- the feedback file --------------------------------------------------------------------


def test_the_example_feedback_file_reads_and_learns():
    records = read_feedback(EXAMPLE, catalogue=CAT)
    assert len(records) >= 30 and {r.accepted for r in records} == {True, False}
    learnt = learn(EXAMPLE, catalogue=CAT)
    assert any("Home goods" in s.reason for s in learnt.skipped)
    assert learnt.weights.approaches > Weights().approaches
    assert learnt.provenance["feedback"] == "feedback-example.csv"


def test_profile_paths_relative_to_the_csv(tmp_path):
    (tmp_path / "mill.yaml").write_text((ROOT / "profiles" / "cn-dye-mill.yaml").read_text())
    csv = tmp_path / "fb.csv"
    csv.write_text("profile,initiative,outcome\nmill.yaml,better-mill-initiative,accepted\n"
                   "mill.yaml,higg-index,Rejected\n")
    records = read_feedback(csv, catalogue=CAT)
    assert [(r.initiative, r.accepted) for r in records] == [("better-mill-initiative", True), ("higg-index", False)]
    assert records[0].profile is records[1].profile


HEADER = "name,kind,country,sector,issues,initiative,outcome\n"


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("name,kind,country,sector,issues,initiative,outcom\nA,factory,BD,garment,wages,better-work,accepted\n",
         "'outcome' is missing .is 'outcom' meant", 1),
        ("name,kind,country,sector,issues,outcome\nA,factory,BD,garment,wages,accepted\n",
         "'initiative' is missing", 1),
        (HEADER + "A,factory,BD,garment,wages,better-wrok,accepted\n", "unknown initiative 'better-wrok'", 2),
        (HEADER + "A,factory,BD,garment,wages,better-work,maybe\n", "accepted or rejected", 2),
        (HEADER + "A,factory,BD,garment,wages,better-work,accepted\nB,factory,XX,garment,wages,better-work,no\n",
         "unknown country", 3),
        ("initiative,outcome\nbetter-work,accepted\n", "no 'profile' column, and missing required columns", 1),
        ("name,kind,country,sector,issues,initiative,outcome,colour\n", "unknown column 'colour'", 1),
        ("Supplier Name,Type,Country,Sector,Priority issues,Number of workers,initiative,outcome\n"
         "A,factory,BD,garment,wages,lots,better-work,accepted\n", "workforce.size", 2),
        (HEADER, "no feedback records", None),
    ],
)
def test_bad_feedback_files_name_row_and_column(tmp_path, text, message, line):
    path = tmp_path / "fb.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        read_feedback(path, catalogue=CAT)
    assert info.value.source == str(path)
    assert info.value.line == line
    assert info.value.exit_code == 2


# --- weights files ------------------------------------------------------------------------


def test_weights_round_trip(tmp_path):
    w = Weights(issues=0.61234, approaches=0.2, workforce=0.1, text=0.08766, min_score=0.15)
    path = save_weights(tmp_path / "w.yaml", w, provenance={"feedback": "fb.csv", "records": 12})
    back = load_weights(path)
    assert back.as_dict() == pytest.approx(w.as_dict(), abs=1e-4)
    assert back.min_score == 0.15
    assert "fb.csv" in back.source
    assert sum(back.as_dict().values()) == pytest.approx(1.0, abs=1e-12)


def test_dumped_weights_sum_to_one_exactly_at_four_decimals():
    text = dump_weights(Weights(issues=1 / 3, approaches=1 / 3, workforce=1 / 6, text=1 / 6))
    doc = parse_yaml(text)
    assert round(sum(doc.data["weights"].values()), 10) == 1.0


@pytest.mark.parametrize(
    "text, message, field",
    [
        ("weights: {issues: 0.7, approaches: 0.2, workforce: 0.1}\n", "'text' is missing", "weights"),
        ("weights: {issues: 0.7, approaches: 0.2, workforce: 0.1, text: 0.1}\n", "sum to 1, they sum to 1.1000",
         "weights"),
        ("weights: {issues: 0.7, approaches: 0.2, workforce: 0.1, txt: 0.0}\n", "unknown component", "weights.txt"),
        ("weights: {issues: 0.0, approaches: 0.5, workforce: 0.5, text: 0.0}\n", "must be above 0", "weights.issues"),
        ("weights: {issues: 1.2, approaches: -0.2, workforce: 0, text: 0}\n", "between 0 and 1", "weights.issues"),
        ("weights: {issues: true, approaches: 0, workforce: 0, text: 0}\n", "must be a number", "weights.issues"),
        ("issues: 0.7\n", "unknown field", "issues"),
        ("weights: [0.7, 0.3]\n", "must be a mapping", "weights"),
        ("weights: {issues: 1, approaches: 0, workforce: 0, text: 0}\nmin_score: 2\n", "between 0 and 1",
         "min_score"),
        ("weights: {issues: 1, approaches: 0, workforce: 0, text: 0}\nprovenance: {a: [1]}\n", "single value",
         "provenance.a"),
        ("- 0.7\n", "top level must be a mapping", None),
    ],
)
def test_bad_weights_files_are_clear_errors(tmp_path, text, message, field):
    path = tmp_path / "w.yaml"
    path.write_text(text)
    with pytest.raises(WeightsError, match=message) as info:
        load_weights(path)
    assert info.value.field == field
    assert info.value.source == str(path)
    assert info.value.line is not None


def test_missing_weights_file_is_a_weights_error(tmp_path):
    with pytest.raises(WeightsError, match="no such weights file"):
        load_weights(tmp_path / "nope.yaml")


@pytest.mark.parametrize("values", [(0.2, 0.7, 0.1, 0.0), (0.3, 0.6, 0.1, -0.0), (0.7, 0.2, 0.1, 0), (1, 0, 0, 0),
                                    (0.3333, 0.3333, 0.3334, 0.0), (0.2, 0.7, 0.0, 0.1)])
def test_weights_that_sum_to_one_in_decimals_always_load(values):
    # float noise in the rescaling must never push a zero weight below 0 (an internal error)
    text = "weights: {" + ", ".join(f"{c}: {v}" for c, v in zip(COMPONENTS, values, strict=True)) + "}\n"
    w = parse_weights(parse_yaml(text, source="w.yaml"))
    assert all(v >= 0 for v in w.as_dict().values()) and sum(w.as_dict().values()) == pytest.approx(1.0)
    assert w.as_dict() == pytest.approx(dict(zip(COMPONENTS, values, strict=True)), abs=1e-9)


def test_parse_weights_accepts_a_hand_written_file():
    doc = parse_yaml("weights:\n  issues: 0.6\n  approaches: 0.2\n  workforce: 0.1\n  text: 0.1\n", source="w.yaml")
    w = parse_weights(doc)
    assert w.issues == pytest.approx(0.6) and w.min_score == Weights().min_score


# --- the command --------------------------------------------------------------------------


def test_cli_learn_writes_weights_that_match_uses(tmp_path):
    out = tmp_path / "weights.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["learn", str(EXAMPLE), "--cases", str(CASES), "-o", str(out)],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "skipped row" in result.stdout and "held-out cases" in result.stdout
    assert "before" in result.stdout and "after" in result.stdout
    weights = load_weights(out)
    run = runner.invoke(main, [str(ROOT / "profiles" / "cn-dye-mill.yaml"), "--weights", str(out), "-o", "-"],
                        catch_exceptions=False)
    assert run.exit_code == 0, run.stderr
    assert '"approaches": ' + str(round(weights.approaches, 4)) in run.stdout


def test_cli_learn_bad_input_exits_2(tmp_path):
    bad = tmp_path / "fb.csv"
    bad.write_text(HEADER + "A,factory,BD,garment,wages,better-work,maybe\n")
    result = CliRunner().invoke(main, ["learn", str(bad), "-o", str(tmp_path / "w.yaml")])
    assert result.exit_code == 2
    assert "fb.csv:2: outcome: must be accepted or rejected" in result.stderr
    assert not (tmp_path / "w.yaml").exists()


@pytest.mark.parametrize("command", ["run", "evaluate", "learn"])
def test_cli_bad_weights_file_exits_2(tmp_path, command):
    bad = tmp_path / "w.yaml"
    bad.write_text("weights: {issues: 0.5, approaches: 0.6, workforce: 0, text: 0}\n")
    args = {"run": [str(ROOT / "profiles" / "cn-dye-mill.yaml"), "-o", str(tmp_path / "r.json")],
            "evaluate": ["evaluate", str(CASES)],
            "learn": ["learn", str(EXAMPLE), "-o", str(tmp_path / "out.yaml")]}[command]
    result = CliRunner().invoke(main, [*args, "--weights", str(bad)])
    assert result.exit_code == 2
    message = f"match: error: {bad}:1: weights: component weights must sum to 1, they sum to 1.1000"
    assert result.stderr.strip() == message
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "out.yaml").exists()


def test_learnt_weights_file_round_trips_through_the_cli(tmp_path):
    out = tmp_path / "w.yaml"
    assert CliRunner().invoke(main, ["learn", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    learnt = learn(EXAMPLE, catalogue=CAT).weights
    back = load_weights(out)
    assert back.as_dict() == pytest.approx(learnt.as_dict(), abs=1e-4)
    again = tmp_path / "again.yaml"
    save_weights(again, back)
    assert load_weights(again).as_dict() == pytest.approx(back.as_dict(), abs=1e-12)


def test_cli_learn_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "fb.csv"
    src.write_text(EXAMPLE.read_text())
    result = CliRunner().invoke(main, ["learn", str(src), "-o", str(src)])
    assert result.exit_code == 2 and src.read_text() == EXAMPLE.read_text()
