"""Learning the component weights: the pairwise learner, learning from labelled cases and from
feedback (`match learn`), and weights files (recommender.weights)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import InputError, Recommender, Weights, WeightsError, load_catalogue, recommend
from recommender.analysis.evaluate import load_cases
from recommender.analysis.learn import (
    CV_GRID,
    MIN_ISSUES_WEIGHT,
    CaseData,
    FeedbackRecord,
    PairwiseLearner,
    case_pairs,
    choose_setting,
    cross_validate,
    fit_cases,
    learn,
    learn_from_cases,
    ranking_features,
    read_feedback,
)
from recommender.catalogue import default_catalogue_dir
from recommender.cli import main
from recommender.core.validate import validate_profile
from recommender.loading import parse_yaml
from recommender.models import COMPONENTS
from recommender.weights import dump_weights, load_weights, parse_weights, save_weights

from .conftest import HAND_WEIGHTS, ROOT, initiative, profile

CAT = load_catalogue()
EXAMPLE = ROOT / "profiles" / "feedback-example.csv"
CASES = ROOT / "tests" / "data" / "cases.yaml"
# In a two-initiative catalogue, "audit-first" covers the client's issues better while only
# "train-first" works the way the client prefers.
CLIENT = profile(country="BD", issues={"wages": 2, "working_hours": 2}, prefers=["training"])


TWO = [initiative("audit-first", issues={"wages": 3, "working_hours": 3}, approaches=["assessment"]),
       initiative("train-first", issues={"wages": 3, "working_hours": 1}, approaches=["training"])]


@pytest.fixture
def two(make_catalogue):
    return make_catalogue(TWO, weights=HAND_WEIGHTS)


def _D(*rows):  # noqa: N802 - the learner's own name for the pair differences
    return np.array([[r.get(c, 0.0) for c in COMPONENTS] for r in rows])


# --- the pairwise learner -----------------------------------------------------------------------


def test_the_learner_follows_the_estimator_conventions():
    learner = PairwiseLearner(C=0.5)
    assert learner.C == 0.5 and learner.min_issues == MIN_ISSUES_WEIGHT and not hasattr(learner, "weights_")
    assert learner.fit(_D({"approaches": 1.0})) is learner
    assert list(learner.get_feature_names_out()) == list(COMPONENTS)
    assert learner.coef_.shape == (len(COMPONENTS),) and (learner.coef_ >= 0).all()


def test_the_optimum_of_one_pair_by_hand():
    """One pair preferring the first by 1 on issues: minimise log(1 + e^-b) + b^2 / (2C)."""
    from scipy.optimize import brentq

    learner = PairwiseLearner(C=1.0).fit(_D({"issues": 1.0}))
    b = brentq(lambda x: -1 / (1 + np.exp(x)) + x, 0, 5)  # the zero of the derivative
    assert learner.coef_[0] == pytest.approx(b, abs=1e-5)
    assert learner.coef_[1:] == pytest.approx(np.zeros(len(COMPONENTS) - 1), abs=1e-8)
    assert learner.weights_ == pytest.approx({"issues": 1.0, "approaches": 0, "offers": 0, "workforce": 0, "text": 0})


def test_preferences_won_on_one_component_give_it_the_weight_and_issues_keep_their_floor():
    learner = PairwiseLearner().fit(_D({"approaches": 1.0, "issues": -0.5}, {"approaches": 0.5}))
    assert learner.weights_["issues"] == pytest.approx(MIN_ISSUES_WEIGHT)
    assert learner.weights_["approaches"] == pytest.approx(1 - MIN_ISSUES_WEIGHT)
    assert sum(learner.weights_.values()) == pytest.approx(1.0)


def test_stronger_regularisation_shrinks_the_coefficients_and_sample_weights_count():
    D = _D({"issues": 1.0, "text": -0.2}, {"issues": -0.3, "text": 0.6}, {"issues": 0.4})
    weak = PairwiseLearner(C=0.01).fit(D)
    strong = PairwiseLearner(C=100).fit(D)
    assert weak.coef_.sum() < strong.coef_.sum()
    tilted = PairwiseLearner(C=100).fit(D, sample_weight=[0.1, 10.0, 0.1])
    assert tilted.weights_["text"] > strong.weights_["text"]


@pytest.mark.parametrize(("D", "error"), [
    (np.zeros((0, len(COMPONENTS))), InputError),
    (np.ones((3, 4)), ValueError),
    (_D({"issues": -1.0}, {"approaches": -0.5}), InputError),  # nothing preferred scores higher
])
def test_nothing_to_learn_is_refused(D, error):
    with pytest.raises(error):
        PairwiseLearner().fit(D)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(-1, 1), min_size=5, max_size=5), min_size=1, max_size=30))
def test_learnt_weights_are_non_negative_sum_to_one_and_keep_the_issues_floor(rows):
    try:
        learner = PairwiseLearner().fit(np.array(rows))
    except InputError:
        # refused only when no component favours the preferred side on the whole (the optimum is 0)
        assert (np.array(rows).sum(axis=0) <= 1e-3).all()
        return
    w = np.array([learner.weights_[c] for c in COMPONENTS])
    assert (w >= 0).all() and w.sum() == pytest.approx(1.0)
    assert learner.weights_["issues"] >= MIN_ISSUES_WEIGHT - 1e-12
    Weights(**learner.weights_)  # valid weights


# --- labelled cases ------------------------------------------------------------------------------


def _case(components, first, top3, eligible=None):
    m = len(components)
    return CaseData(id="c", components=np.array(components, dtype=float), availability=np.ones(len(COMPONENTS)),
                    undocumented=np.zeros(m, dtype=int), eligible=np.ones(m, bool) if eligible is None else
                    np.array(eligible), relevant=np.ones(m, bool), members=np.zeros(m, bool),
                    first=np.isin(np.arange(m), first), top3=np.isin(np.arange(m), top3))


def test_case_pairs_by_hand():
    comp = [[0.9, 0, 0, 0, 0], [0.5, 1, 0, 0, 0], [0.1, 0, 1, 0, 0]]
    D, w = case_pairs([_case(comp, first=[0], top3=[0, 1])], undocumented=0.0)
    x = np.array(comp)
    # first over the others (weight 1 each), the other must-have over the rest (1/2); one case weighs 1
    np.testing.assert_allclose(D, [x[0] - x[2], x[0] - x[1], x[1] - x[2]])
    assert w.tolist() == pytest.approx([0.4, 0.4, 0.2])
    D, _ = case_pairs([_case(comp, first=[0], top3=[0, 1], eligible=[True, True, False])], undocumented=0.0)
    np.testing.assert_allclose(D, [x[0] - x[1]])  # an excluded initiative makes no pair


def test_the_undocumented_discount_enters_the_features():
    d = _case([[1, 0, 0, 0, 0], [1, 0, 0, 0, 0]], first=[0], top3=[])
    d = CaseData(**{**d.__dict__, "undocumented": np.array([0, 2])})
    assert d.features(0.1)[:, 0].tolist() == pytest.approx([1.0, 0.81])


@pytest.mark.parametrize(("table", "chosen"), [
    ([{"C": 1, "undocumented": 0.1, "objective": 0.9}, {"C": 3, "undocumented": 0.0, "objective": 0.95}], (3, 0.0)),
    ([{"C": 3, "undocumented": 0.0, "objective": 0.95}, {"C": 1, "undocumented": 0.1, "objective": 0.948}], (1, 0.1)),
    ([{"C": 1, "undocumented": 0.0, "objective": 0.95}, {"C": 1, "undocumented": 0.2, "objective": 0.95}], (1, 0.2)),
])
def test_choose_setting_prefers_the_simpler_model_among_near_equals(table, chosen):
    pick = choose_setting(table)
    assert (pick["C"], pick["undocumented"]) == chosen


def test_fit_cases_and_cross_validate_on_the_repository_cases():
    from recommender.analysis.learn import case_data

    eng = Recommender(CAT).engine
    dev = [c for c in load_cases(CASES, catalogue=CAT) if c.split == "dev"][:30]
    data = case_data(dev, eng)
    w = fit_cases(data, C=1.0, undocumented=0.1, base=Weights(min_score=0.2))
    assert w.min_score == 0.2 and w.undocumented == 0.1 and sum(w.as_dict().values()) == pytest.approx(1.0)
    table = cross_validate(data, eng, Cs=(0.3, 3.0), undocumented=(0.0, 0.1), folds=3, repeats=1)
    assert len(table) == 4 and {(r["C"], r["undocumented"]) for r in table} == {(0.3, 0), (0.3, 0.1), (3, 0),
                                                                               (3, 0.1)}
    objectives = [round(r["objective"], 4) for r in table]
    assert objectives == sorted(objectives, reverse=True)
    for r in table:
        assert 0 <= r["hit1"] <= r["mrr"] <= 1 and r["objective"] == pytest.approx((r["hit1"] + r["mrr"]) / 2)


def _packaged_command() -> list:
    """The cases files named by the `match learn` command in catalogue/weights.yaml's comment."""
    text = (default_catalogue_dir() / "weights.yaml").read_text(encoding="utf-8")
    comment = " ".join(line.lstrip("#").strip().rstrip("\\") for line in text.splitlines() if line.startswith("#"))
    command = re.search(r"match learn (.+?) -o catalogue/weights\.yaml", comment)
    assert command, "catalogue/weights.yaml does not say which `match learn` command made it"
    return [ROOT / p for p in command.group(1).split()]


def test_the_packaged_weights_are_what_match_learn_fits_on_the_dev_cases():
    """catalogue/weights.yaml says how it was made; doing that again gives the same weights."""
    cases = [c for path in _packaged_command() for c in load_cases(path, catalogue=CAT)]
    learnt, table = learn_from_cases(cases, catalogue=CAT)
    packaged = CAT.weights
    assert learnt.weights.as_dict() == pytest.approx(packaged.as_dict(), abs=1e-4)
    assert learnt.weights.undocumented == packaged.undocumented
    stated = yaml.safe_load((default_catalogue_dir() / "weights.yaml").read_text(encoding="utf-8"))["provenance"]
    assert learnt.provenance["cases"] == stated["cases"] == sum(c.split == "dev" and bool(c.first) for c in cases)
    assert learnt.provenance["split"] == "dev"
    assert len(table) == len(CV_GRID["Cs"]) * len(CV_GRID["undocumented"])
    # held-out cases never enter: the same fit without them
    dev_only, _ = learn_from_cases([c for c in cases if c.split == "dev"], catalogue=CAT)
    assert dev_only.weights == learnt.weights
    with pytest.raises(InputError, match="no dev cases"):
        learn_from_cases([c for c in cases if c.split != "dev"], catalogue=CAT)


def test_ranking_features_times_the_weights_rank_as_the_scores():
    rec = Recommender(CAT)
    for raw in (profile(issues={"wages": 3, "harassment": 1}, prefers=["training"], workforce={"women_share": 0.7}),
                profile(sector="textiles", issues=["chemicals"], description="Dye house with effluent limits.")):
        scored = rec.score(validate_profile(raw, catalogue=CAT))
        x = ranking_features(scored)[0] @ np.array([getattr(rec.weights, c) for c in COMPONENTS])
        s = scored.scores[0]
        assert x == pytest.approx(s * (x.max() / s.max()), abs=1e-12)  # proportional within a profile


# --- feedback ------------------------------------------------------------------------------------


def _feedback(cat, n=12):
    """Clients who all prefer training accept train-first and reject audit-first."""
    records, row = [], 2
    for i in range(n):
        raw = profile(name=f"P{i}", country="BD", issues={"wages": 1 + i % 3, "working_hours": 1 + (i // 3) % 3},
                      prefers=["training"])
        p = validate_profile(raw, catalogue=cat)
        records += [FeedbackRecord(row=row, profile=p, initiative="train-first", accepted=True),
                    FeedbackRecord(row=row + 1, profile=p, initiative="audit-first", accepted=False)]
        row += 2
    return records


def test_consistent_feedback_raises_the_approaches_weight_and_flips_the_ranking(two):
    learnt = learn(_feedback(two), catalogue=two)
    assert learnt.weights.approaches > learnt.weights.issues
    assert learnt.weights.issues >= MIN_ISSUES_WEIGHT - 1e-12
    before = recommend(CLIENT, catalogue=two)
    after = recommend(CLIENT, catalogue=two, weights=learnt.weights)
    assert [r.id for r in before.shortlist] == ["audit-first", "train-first"]
    assert after.shortlist[0].id == "train-first"
    s = dict(zip(two.ids, Recommender(two, weights=learnt.weights).score(
        validate_profile(CLIENT, catalogue=two)).scores[0]))
    assert s["train-first"] > s["audit-first"]
    top = after.shortlist[0]  # the learnt score still decomposes into the same named contributions
    assert sum(c.value for c in top.contributions) == pytest.approx(top.score)
    assert {c.component for c in top.contributions} == {"issues", "approaches"}
    assert learnt.used == 24 and learnt.accepted == 12 and learnt.skipped == ()
    assert (learnt.weights.min_score, learnt.weights.undocumented) == (HAND_WEIGHTS.min_score,
                                                                        HAND_WEIGHTS.undocumented)


def test_learnt_weights_keep_min_score_and_the_discount_from_the_base(two):
    base = Weights(min_score=0.2, undocumented=0.3)
    w = learn(_feedback(two), catalogue=two, base=base).weights
    assert (w.min_score, w.undocumented) == (0.2, 0.3)


def test_ineligible_and_member_records_are_skipped_and_reported(make_catalogue):
    cat = make_catalogue([*TWO, initiative("brands-only", participants=["brand"], eligibility={
        "kind": {"closed": True, "reason": "Only brands join.", "sources": ["src"]}})], weights=HAND_WEIGHTS)
    member = validate_profile({**CLIENT, "memberships": ["audit-first"]}, catalogue=cat)
    records = [*_feedback(cat, 4),
               FeedbackRecord(row=900, profile=member, initiative="brands-only", accepted=True),
               FeedbackRecord(row=901, profile=member, initiative="audit-first", accepted=True)]
    learnt = learn(records, catalogue=cat)
    reasons = {s.row: s.reason for s in learnt.skipped}
    assert reasons == {900: "not eligible: Only brands join.", 901: "the client already takes part in it"}
    assert learnt.used == len(records) - 2


def test_one_outcome_only_is_refused(two):
    with pytest.raises(InputError, match="both an accepted and a rejected record"):
        learn([r for r in _feedback(two) if r.accepted], catalogue=two)


def test_eligibility_is_never_learnt_away():
    """However the weights move, the same initiatives are excluded, for the same reasons."""
    learnt = learn(EXAMPLE, catalogue=CAT)
    lopsided = Weights(issues=0.05, approaches=0.8, offers=0.05, workforce=0.05, text=0.05)
    for raw in (profile(sector="textiles", issues=["chemicals", "water"]), CLIENT,
                profile(kind="brand", country="GB", sourcing_countries=["CN"], sector="home_goods",
                        issues={"risk_monitoring": 3}),
                profile(country="NI", issues=["wages"])):
        before = recommend(raw)
        for w in (learnt.weights, lopsided):
            after = recommend(raw, weights=w)
            assert [(e.id, e.reasons) for e in after.excluded] == [(e.id, e.reasons) for e in before.excluded]
            assert not {r.id for r in after.shortlist} & {e.id for e in after.excluded}


def test_the_example_feedback_file_reads_and_learns():
    records = read_feedback(EXAMPLE, catalogue=CAT)
    assert len(records) >= 30 and {r.accepted for r in records} == {True, False}
    learnt = learn(EXAMPLE, catalogue=CAT)
    assert learnt.provenance["feedback"] == "feedback-example.csv"
    assert learnt.weights.source == "learnt from feedback-example.csv"
    rec = Recommender(CAT)
    for r in records:  # skipped exactly when ineligible or already joined
        verdict = next(v for v in rec.engine.rules.verdicts(r.profile, rec.score(r.profile).states[0])
                       if v.id == r.initiative)
        skipped = any(s.row == r.row for s in learnt.skipped)
        assert skipped is (not verdict.eligible or r.initiative in r.profile.memberships)


def test_learning_from_the_example_file_never_demotes_what_clients_accepted():
    records = read_feedback(EXAMPLE, catalogue=CAT)
    learnt = learn(records, catalogue=CAT).weights
    moves = []
    for r in {id(r.profile): r for r in records if r.accepted}.values():
        ranks = []
        for w in (None, learnt):
            ids = [x.id for x in recommend(r.profile, weights=w, top=len(CAT)).shortlist]
            ranks.append(ids.index(r.initiative) + 1 if r.initiative in ids else len(CAT) + 1)
        moves.append((r.profile.name, r.initiative, *ranks))
    assert sum(after for *_, after in moves) <= sum(before for *_, before, _ in moves), moves


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
         "'outcome' is missing", 1),
        ("name,kind,country,sector,issues,outcome\nA,factory,BD,garment,wages,accepted\n",
         "'initiative' is missing", 1),
        (HEADER + "A,factory,BD,garment,wages,better-wrok,accepted\n", "unknown initiative 'better-wrok'", 2),
        (HEADER + "A,factory,BD,garment,wages,better-work,maybe\n", "accepted or rejected", 2),
        (HEADER + "A,factory,BD,garment,wages,better-work,accepted\nB,factory,XX,garment,wages,better-work,no\n",
         "unknown country", 3),
        ("initiative,outcome\nbetter-work,accepted\n", "no 'profile' column, and missing required columns", 1),
        ("name,kind,country,sector,issues,initiative,outcome,colour\n", "unknown column 'colour'", 1),
        ("Supplier Name,Type,Country,Sector,Priority issues,Number of workers,initiative,outcome\n"
         "A,factory,BD,garment,wages,lots,better-work,accepted\n", "must be a whole number", 2),
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


# --- weights files -------------------------------------------------------------------------------


def test_weights_round_trip(tmp_path):
    w = Weights(issues=0.51234, approaches=0.2, offers=0.1, workforce=0.1, text=0.08766, min_score=0.15,
                undocumented=0.07)
    path = save_weights(tmp_path / "w.yaml", w, provenance={"feedback": "fb.csv", "records": 12})
    back = load_weights(path)
    assert back.as_dict() == pytest.approx(w.as_dict(), abs=1e-4)
    assert (back.min_score, back.undocumented) == (0.15, 0.07)
    assert "fb.csv" in back.source
    assert sum(back.as_dict().values()) == pytest.approx(1.0, abs=1e-12)


def test_the_packaged_weights_file_loads_as_the_catalogue_s_weights():
    assert load_weights(default_catalogue_dir() / "weights.yaml").as_dict() == CAT.weights.as_dict()


def test_dumped_weights_sum_to_one_exactly_at_four_decimals():
    text = dump_weights(Weights(issues=1 / 3, approaches=1 / 3, offers=1 / 9, workforce=1 / 9, text=1 / 9))
    doc = parse_yaml(text)
    assert round(sum(doc.data["weights"].values()), 10) == 1.0


def test_a_file_written_before_offers_existed_loads_with_offers_at_0(tmp_path):
    w = parse_weights(parse_yaml("weights: {issues: 0.7, approaches: 0.2, workforce: 0.05, text: 0.05}\n",
                                 source="w.yaml"))
    assert w.offers == 0.0 and w.issues == pytest.approx(0.7)


FIVE = "issues: 0.5, approaches: 0.2, offers: 0.1, workforce: 0.1"


@pytest.mark.parametrize(
    "text, message, field",
    [
        ("weights: {" + FIVE + "}\n", "'text' is missing", "weights"),
        ("weights: {" + FIVE + ", text: 0.2}\n", "sum to 1, they sum to 1.1000", "weights"),
        ("weights: {" + FIVE + ", txt: 0.1}\n", "unknown component", "weights.txt"),
        ("weights: {issues: 0.0, approaches: 0.5, offers: 0, workforce: 0.5, text: 0.0}\n", "must be above 0",
         "weights.issues"),
        ("weights: {issues: 1.2, approaches: -0.2, offers: 0, workforce: 0, text: 0}\n", "between 0 and 1",
         "weights.issues"),
        ("weights: {issues: true, approaches: 0, offers: 0, workforce: 0, text: 0}\n", "must be a number",
         "weights.issues"),
        ("issues: 0.7\n", "unknown field", "issues"),
        ("weights: [0.7, 0.3]\n", "must be a mapping", "weights"),
        ("weights: {issues: 1, approaches: 0, offers: 0, workforce: 0, text: 0}\nmin_score: 2\n", "between 0 and 1",
         "min_score"),
        ("weights: {issues: 1, approaches: 0, offers: 0, workforce: 0, text: 0}\nundocumented: 0.95\n",
         "at most 0.9", "undocumented"),
        ("weights: {issues: 1, approaches: 0, offers: 0, workforce: 0, text: 0}\nprovenance: {a: [1]}\n",
         "single value", "provenance.a"),
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


@pytest.mark.parametrize("values", [(0.2, 0.7, 0.0, 0.1, 0.0), (0.3, 0.6, 0.0, 0.1, -0.0), (1, 0, 0, 0, 0),
                                    (0.3333, 0.3333, 0.0, 0.3334, 0.0), (0.2, 0.6, 0.1, 0.0, 0.1)])
def test_weights_that_sum_to_one_in_decimals_always_load(values):
    # float noise in the rescaling must never push a zero weight below 0 (an internal error)
    text = "weights: {" + ", ".join(f"{c}: {v}" for c, v in zip(COMPONENTS, values, strict=True)) + "}\n"
    w = parse_weights(parse_yaml(text, source="w.yaml"))
    assert all(v >= 0 for v in w.as_dict().values()) and sum(w.as_dict().values()) == pytest.approx(1.0)
    assert w.as_dict() == pytest.approx(dict(zip(COMPONENTS, values, strict=True)), abs=1e-9)


# --- the command ---------------------------------------------------------------------------------


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_learn_on_feedback_writes_weights_that_match_uses(tmp_path):
    out = tmp_path / "weights.yaml"
    result = _run("learn", EXAMPLE, "--cases", CASES, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "feedback records used" in result.stdout and "held-out cases" in result.stdout
    assert "before" in result.stdout and "after" in result.stdout
    weights = load_weights(out)
    assert weights.as_dict() == pytest.approx(learn(EXAMPLE, catalogue=CAT).weights.as_dict(), abs=1e-4)
    run = _run(ROOT / "profiles" / "cn-dye-mill.yaml", "--weights", out, "-o", "-")
    assert run.exit_code == 0, run.stderr
    # the run used the learnt weights: its effective weights are recommend()'s under them
    expected = recommend(ROOT / "profiles" / "cn-dye-mill.yaml", weights=weights).to_dict()["weights"]
    assert json.loads(run.stdout)["weights"] == expected
    assert expected != recommend(ROOT / "profiles" / "cn-dye-mill.yaml").to_dict()["weights"]


def test_cli_learn_on_cases_reproduces_the_packaged_weights(tmp_path):
    out = tmp_path / "weights.yaml"
    result = _run("learn", *_packaged_command(), "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "dev cases" in result.stdout and "chosen: C=" in result.stdout
    assert load_weights(out).as_dict() == pytest.approx(CAT.weights.as_dict(), abs=1e-4)


def test_cli_learn_bad_input_exits_2(tmp_path):
    bad = tmp_path / "fb.csv"
    bad.write_text(HEADER + "A,factory,BD,garment,wages,better-work,maybe\n")
    result = CliRunner().invoke(main, ["learn", str(bad), "-o", str(tmp_path / "w.yaml")])
    assert result.exit_code == 2
    assert "fb.csv:2: outcome: must be accepted or rejected" in result.stderr
    assert not (tmp_path / "w.yaml").exists()
    mixed = CliRunner().invoke(main, ["learn", str(EXAMPLE), str(CASES), "-o", str(tmp_path / "w.yaml")])
    assert mixed.exit_code == 2 and "not both" in mixed.stderr


@pytest.mark.parametrize("command", ["run", "evaluate", "learn"])
def test_cli_bad_weights_file_exits_2(tmp_path, command):
    bad = tmp_path / "w.yaml"
    bad.write_text("weights: {issues: 0.5, approaches: 0.6, offers: 0, workforce: 0, text: 0}\n")
    args = {"run": [str(ROOT / "profiles" / "cn-dye-mill.yaml"), "-o", str(tmp_path / "r.json")],
            "evaluate": ["evaluate", str(CASES)],
            "learn": ["learn", str(EXAMPLE), "-o", str(tmp_path / "out.yaml")]}[command]
    result = CliRunner().invoke(main, [*args, "--weights", str(bad)])
    assert result.exit_code == 2
    expected = f"match: error: {bad}:1: weights: component weights must sum to 1, they sum to 1.1000"
    assert result.stderr.strip() == expected
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "out.yaml").exists()


def test_cli_learn_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "fb.csv"
    src.write_text(EXAMPLE.read_text())
    result = CliRunner().invoke(main, ["learn", str(src), "-o", str(src)])
    assert result.exit_code == 2 and src.read_text() == EXAMPLE.read_text()
