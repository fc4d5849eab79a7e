"""What-if: the smallest change to a profile that puts another initiative first.

The search claims to be exact up to `MAX_COST`. An independent brute force enumerates every
change in the search space the module documents, scores all of them through the engine's
own stages (features → scores → relevance → selection), and the answer must be the
cheapest; and every proposed change must really flip the first choice when replayed
through `recommend()`.
"""

from __future__ import annotations

import dataclasses
import random
import re

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import Recommender, load_catalogue, recommend
from recommender.analysis.whatif import (
    MAX_ALTERNATIVES,
    MAX_COST,
    Change,
    _clause,
    apply_changes,
    candidate_changes,
    search,
    what_if,
)
from recommender.cli import main
from recommender.core.selection import select
from recommender.core.validate import infer_issues, validate_profile
from recommender.models import COMPONENTS

from .conftest import EXAMPLES, HAND_WEIGHTS, initiative, profile

CAT = load_catalogue()
REC = Recommender(CAT)

profiles = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(["BD", "CN", "VN", "KH", "IN", "TR", "GB", "US", "ET", "NI"]),
        "sector": st.sampled_from(list(CAT.taxonomy.sectors)),
        "issues": st.dictionaries(st.sampled_from(list(CAT.taxonomy.issues)), st.integers(1, 3), min_size=1,
                                  max_size=4),
    },
    optional={
        "sourcing_countries": st.lists(st.sampled_from(["BD", "CN", "VN", "KH", "TR"]), max_size=3, unique=True),
        "prefers": st.lists(st.sampled_from(list(CAT.taxonomy.approaches)), max_size=3, unique=True),
        "wants": st.lists(st.sampled_from(list(CAT.taxonomy.offers)), max_size=2, unique=True),
        "memberships": st.lists(st.sampled_from(list(CAT.ids)), max_size=1),
        "workforce": st.fixed_dictionaries({"women_share": st.floats(0, 1), "migrant_share": st.floats(0, 1)}),
        "description": st.sampled_from(["", "Workers complain about overtime and low pay",
                                        "Dyeing mill with wastewater and chemical problems",
                                        "We want short films and quizzes on tablets for workers' rights."]),
    },
)


def _check_flips(rec, result, alt):
    """Replaying the change through recommend() puts ``alt.initiative`` first, at ``alt.score``."""
    changed = apply_changes(result.profile, alt.changes, catalogue=rec.catalogue)
    again = rec.recommend(changed)
    assert again.shortlist, alt.sentence
    assert again.shortlist[0].id == alt.initiative != (result.top.id if result.top else None), alt.sentence
    assert again.shortlist[0].score == pytest.approx(alt.score, abs=1e-12)
    if result.top is not None:
        old = next((r for r in again.shortlist if r.id == result.top.id), None)
        if old is not None:
            assert old.score == pytest.approx(alt.current_score, abs=1e-12)


def test_what_if_is_in_the_json_only_when_asked_for():
    path = EXAMPLES[0]
    assert "what_if" not in recommend(path).to_dict()
    data = recommend(path, analyses=("what_if",)).to_dict()
    assert set(data["what_if"]) == {"sentences", "changes"}
    assert data["what_if"]["sentences"] == [c["sentence"] for c in data["what_if"]["changes"]] or (
        not data["what_if"]["changes"] and len(data["what_if"]["sentences"]) == 1)
    for change in data["what_if"]["changes"]:
        assert set(change) == {"initiative", "name", "changes", "cost", "score", "current_first", "current_score",
                               "sentence"}
        assert change["current_first"] == data["shortlist"][0]["id"]


def test_what_if_returns_the_result_with_extras_and_leaves_the_rest():
    r = recommend(EXAMPLES[0])
    again = what_if(r, catalogue=CAT)
    assert again.extras["what_if"] == recommend(EXAMPLES[0], analyses=("what_if",)).extras["what_if"]
    assert again.shortlist == r.shortlist and again.excluded == r.excluded


@pytest.fixture
def near(make_catalogue):
    """Two initiatives a hair apart: raising one issue's weight by one step flips them."""
    return make_catalogue([initiative("pay", issues={"wages": 3, "working_hours": 2}),
                           initiative("time", issues={"wages": 2, "working_hours": 3})], weights=HAND_WEIGHTS)


def test_a_near_tie_flips_with_one_step_and_reads_as_a_sentence(near):
    rec = Recommender(near)
    r = rec.recommend(profile(issues={"wages": 2, "working_hours": 2}))
    assert r.top.id == "pay"  # a tie, broken by id
    (alt,) = search(rec, r.profile)
    assert alt.initiative == "time" and alt.cost == 1
    assert alt.changes == (Change("issues", "working_hours", 2, 3),)
    label = near.taxonomy.label("issues", "working_hours")
    assert alt.sentence == (f"If {label[0].lower()}{label[1:]} were a top priority (weight 3 instead of 2), Time would "
                            f"rank first at {alt.score:.2f}, ahead of Pay at {alt.current_score:.2f}.")
    assert re.fullmatch(r"If .+, Time would rank first at 0\.\d\d+, ahead of Pay at 0\.\d\d+\.", alt.sentence)
    _check_flips(rec, r, alt)


# --- exactness: an independent brute force over the whole search space -----------------


def _every_change(rec, p, max_cost):
    """Issue weights counted (n, K), issues listed (n, K), approaches (n, A), costs of every valid change.

    Written from the search space whatif documents, not from its code: each issue weight 0-3
    (an unlisted issue weighs 0, one inferred from the description 1; a mentioned issue that
    is dropped comes back at 1), each approach on or off, one point per step; at least one
    issue stays listed. Built field by field, densely.
    """
    keys = rec.engine.keys
    mentioned = np.array([k in infer_issues(p.description, rec.catalogue) for k in keys.issues])
    inferred = np.array([k in p.inferred_issues for k in keys.issues])
    listed_now = np.array([k in p.issues for k in keys.issues])
    iw0 = np.array([p.weights().get(k, 0) for k in keys.issues], dtype=float)
    ap0 = np.array([a in p.prefers for a in keys.approaches], dtype=float)
    rows, cost = np.concatenate([iw0, ap0])[None, :], np.zeros(1, dtype=int)
    n_issues = len(iw0)
    for c in range(rows.shape[1]):
        values = range(4) if c < n_issues else (1 - rows[0, c],)
        grown = []
        for v in values:
            step = abs(v - rows[0, c])
            keep = (step > 0) & (cost + step <= max_cost)
            if keep.any():
                more = rows[keep].copy()
                more[:, c] = v
                grown.append((more, cost[keep] + int(step)))
        rows = np.concatenate([rows, *(g for g, _ in grown)])
        cost = np.concatenate([cost, *(k for _, k in grown)])
    iw, ap = rows[:, :n_issues], rows[:, n_issues:]
    listed = (iw >= 1) & (listed_now | (iw != iw0)) & ~(inferred & (iw <= 1))
    valid = listed.any(axis=1)
    return np.where(mentioned, np.maximum(iw, 1), iw)[valid], listed[valid], ap[valid], cost[valid]


def _firsts(rec, p, iw, ap):
    """What `recommend` would rank first for each changed profile (-1: nothing), through the engine."""
    eng = rec.engine
    scored = rec.score(p)
    n = len(iw)
    f = scored.features
    n_ap = ap.sum(axis=1, keepdims=True)
    avail = np.repeat(f.availability, n, axis=0)
    avail[:, COMPONENTS.index("approaches")] = (n_ap[:, 0] > 0)
    features = dataclasses.replace(
        f, issues=iw / iw.sum(axis=1, keepdims=True),
        approaches=np.divide(ap, n_ap, out=np.zeros_like(ap), where=n_ap > 0),
        offers=np.repeat(f.offers, n, axis=0), workforce=np.repeat(f.workforce, n, axis=0),
        relevance=np.repeat(f.relevance, n, axis=0), availability=avail, factor=np.repeat(f.factor, n, axis=0))
    _, _, s = eng.scores(features)
    relevant = eng.relevance(features)
    rep = lambda a: np.repeat(a, n, axis=0)  # noqa: E731
    return select(s, rep(scored.eligible), relevant, rep(scored.batch.members), ids=eng.ids, top=1,
                  min_score=eng.weights.min_score).shortlist[:, 0]


def _cheapest(rec, p, current):
    """{initiative: least cost of a change that puts it first}, over every change up to MAX_COST."""
    iw, _, ap, cost = _every_change(rec, p, MAX_COST)
    first = _firsts(rec, p, iw, ap)
    ids = rec.engine.ids
    return {ids[j]: int(cost[first == j].min()) for j in np.unique(first) if j >= 0 and ids[j] != current}


def _random_profiles(n, seed=20261125):
    rnd = random.Random(seed)
    issues, approaches, offers = list(CAT.taxonomy.issues), list(CAT.taxonomy.approaches), list(CAT.taxonomy.offers)
    texts = ["", "Workers complain about overtime and low pay", "Dyeing mill with wastewater and chemical problems",
             "Migrant parents worry about left-behind children", "We want anonymous surveys by phone."]
    out = []
    for i in range(n):
        kind = rnd.choice(["factory", "brand"])
        raw = {"name": f"R{i}", "kind": kind, "country": rnd.choice(["BD", "CN", "VN", "KH", "IN", "TR", "GB", "ET"]),
               "sector": rnd.choice(list(CAT.taxonomy.sectors)),
               "issues": {k: rnd.randint(1, 3) for k in rnd.sample(issues, rnd.randint(1, 5))},
               "prefers": rnd.sample(approaches, rnd.randint(0, 3)), "description": rnd.choice(texts)}
        if kind == "brand":
            raw["sourcing_countries"] = rnd.sample(["BD", "CN", "VN", "KH", "TR"], rnd.randint(0, 3))
        if rnd.random() < 0.3:
            raw["workforce"] = {"women_share": round(rnd.random(), 2), "migrant_share": round(rnd.random(), 2)}
        if rnd.random() < 0.2:
            raw["memberships"] = [rnd.choice(CAT.ids)]
        if rnd.random() < 0.3:
            raw["wants"] = rnd.sample(offers, 1)
        out.append(raw)
    return out


def test_the_brute_force_agrees_with_recommend():
    p = validate_profile({"name": "P", "kind": "factory", "country": "CN", "sector": "textiles",
                          "issues": {"wages": 2, "water": 1}, "prefers": ["training"],
                          "description": "Overtime and wastewater complaints"}, catalogue=CAT)
    iw, listed, ap, _ = _every_change(REC, p, 3)
    first = _firsts(REC, p, iw, ap)
    keys = REC.engine.keys
    for row in np.random.default_rng(7).choice(len(iw), 40, replace=False):
        raw = p.model_dump(exclude={"inferred_issues", "risk_issues", "other_sectors"}, exclude_none=True)
        raw["issues"] = {k: int(iw[row, n]) for n, k in enumerate(keys.issues) if listed[row, n]}
        raw["prefers"] = [a for n, a in enumerate(keys.approaches) if ap[row, n]]
        top = recommend(raw).top
        assert (top.id if top else None) == (CAT.ids[first[row]] if first[row] >= 0 else None)


BRUTE_FORCE = [*EXAMPLES, *_random_profiles(10),
               {"name": "One issue", "kind": "factory", "country": "BD", "sector": "garment", "issues": {"wages": 1}},
               {"name": "Nothing fits", "kind": "factory", "country": "PE", "sector": "agriculture",
                "issues": {"chemicals": 3}}]


@pytest.mark.parametrize("raw", BRUTE_FORCE, ids=[p.stem if hasattr(p, "stem") else p["name"] for p in BRUTE_FORCE])
def test_the_answer_is_the_cheapest_by_brute_force(raw):
    r = REC.recommend(raw, analyses=("what_if",))
    current = r.top.id if r.top else None
    alts = search(REC, r.profile, top=current)
    assert [a.to_dict() for a in alts] == r.extras["what_if"]["changes"]
    truth = _cheapest(REC, r.profile, current)
    got = {a.initiative: a.cost for a in alts}
    assert len(got) == len(alts) == min(MAX_ALTERNATIVES, len(truth)), (got, truth)
    assert [a.cost for a in alts] == sorted(a.cost for a in alts)
    for a in alts:
        assert truth[a.initiative] == a.cost, f"{a.sentence} costs {a.cost}; brute force: {truth[a.initiative]}"
        assert a.cost == sum(c.cost for c in a.changes) <= MAX_COST
        _check_flips(REC, r, a)
    if alts:  # nothing left out was cheaper than the dearest one shown
        left_out = {i: c for i, c in truth.items() if i not in got}
        assert all(c >= alts[-1].cost for c in left_out.values()), (got, left_out)
    else:
        assert truth == {}
        assert f"up to {MAX_COST} steps" in r.extras["what_if"]["sentences"][0]


def test_the_current_first_choice_is_recommend_s():
    for raw in BRUTE_FORCE[:8]:
        r = REC.recommend(raw, analyses=("what_if",))
        for change in r.extras["what_if"]["changes"]:
            assert change["current_first"] == (r.top.id if r.top else None)
            assert (change["current_score"] is None) is (r.top is None)


def test_only_actionable_fields_change():
    for path in EXAMPLES:
        r = recommend(path)
        for alt in search(REC, r.profile, limit=10):
            assert {c.field for c in alt.changes} <= {"issues", "prefers"}
            changed = apply_changes(r.profile, alt.changes, catalogue=CAT)
            for field in ("kind", "country", "sector", "other_sectors", "sourcing_countries", "workforce",
                          "memberships", "description", "wants"):
                assert getattr(changed, field) == getattr(r.profile, field)


def test_messages_when_no_change_works(make_catalogue):
    cat = make_catalogue([initiative("only", issues={"wages": 3})], weights=HAND_WEIGHTS)
    rec = Recommender(cat)
    r = rec.recommend(profile(issues=["wages"]), analyses=("what_if",))
    assert r.extras["what_if"] == {"changes": [], "sentences": [
        f"Only stays first under any change of up to {MAX_COST} steps to your issue weights or preferred "
        "approaches."]}
    member = rec.recommend(profile(issues=["wages"], memberships=["only"]), analyses=("what_if",))
    assert not member.shortlist
    assert member.extras["what_if"] == {"changes": [], "sentences": [
        f"No change of up to {MAX_COST} steps to your issue weights or preferred approaches would put an "
        "initiative on the shortlist."]}


def test_a_change_can_make_something_recommended(make_catalogue):
    cat = make_catalogue([initiative("pay", issues={"wages": 3})], weights=HAND_WEIGHTS)
    rec = Recommender(cat)
    r = rec.recommend(profile(issues={"childcare": 3}), analyses=("what_if",))
    assert not r.shortlist and r.extras["what_if"]["changes"]
    (alt,) = search(rec, r.profile)
    assert alt.current is None and alt.initiative == "pay"
    assert alt.sentence.endswith(f"would be recommended first, at {alt.score:.2f}.")
    assert alt.cost == 1 and alt.changes == (Change("issues", "wages", None, 1),)
    _check_flips(rec, r, alt)


def test_an_issue_inferred_from_the_description_is_priced_from_weight_1():
    p = validate_profile({"name": "P", "kind": "factory", "country": "BD", "sector": "garment",
                          "issues": {"wages": 2}, "description": "Long overtime in peak season"}, catalogue=CAT)
    assert p.inferred_issues == ("working_hours",)
    hours = [c for c in candidate_changes(p, CAT) if c.key == "working_hours"]
    assert [(c.before, c.after, c.cost, c.inferred) for c in hours] == [(1, 2, 1, True), (1, 3, 2, True)]
    label = CAT.taxonomy.label("issues", "working_hours").lower()
    assert hours[0].phrase(CAT) == f"{label} were a priority (weight 2, not just mentioned in your description)"
    # a listed issue the description mentions can be lowered to 1 but not dropped (it would come back at 1)
    q = validate_profile({**p.model_dump(exclude={"inferred_issues", "risk_issues", "other_sectors"},
                                         exclude_none=True), "issues": {"working_hours": 3, "wages": 1}},
                         catalogue=CAT)
    assert [c.after for c in candidate_changes(q, CAT) if c.key == "working_hours"] == [1, 2]
    assert [c.after for c in candidate_changes(q, CAT) if c.key == "wages"] == [2, 3, None]


def test_change_phrases():
    lab = lambda k: CAT.taxonomy.label("issues", k)[0].lower() + CAT.taxonomy.label("issues", k)[1:]  # noqa: E731
    alab = lambda k: CAT.taxonomy.label("approaches", k)[0].lower() + CAT.taxonomy.label("approaches", k)[1:]  # noqa: E731
    assert Change("issues", "water", None, 3).phrase(CAT) == f"{lab('water')} were a top priority (weight 3)"
    assert Change("issues", "wages", 1, 2).phrase(CAT) == f"{lab('wages')} were a priority (weight 2 instead of 1)"
    assert Change("issues", "wages", 2, None).phrase(CAT) == f"{lab('wages')} were dropped from your issues"
    assert Change("issues", "wages", 3, 1).phrase(CAT) == (
        f"{lab('wages')} were only a minor priority (weight 1 instead of 3)")
    assert Change("prefers", "training", False, True).phrase(CAT) == f"you preferred {alab('training')}"
    assert Change("prefers", "training", True, False).phrase(CAT) == f"you did not ask for {alab('training')}"
    assert [Change("issues", "x", None, 3).cost, Change("issues", "x", 1, 3).cost,
            Change("issues", "x", 2, None).cost, Change("prefers", "x", False, True).cost] == [3, 2, 2, 1]
    combo = [Change("issues", "wages", 1, 3), Change("prefers", "advisory", False, True),
             Change("prefers", "training", True, False), Change("prefers", "e_learning", True, False)]
    assert _clause(combo, CAT) == (f"{lab('wages')} were a top priority (weight 3 instead of 1), you preferred "
                                   f"{alab('advisory')} and you did not ask for {alab('training')} or "
                                   f"{alab('e_learning')}")


def test_cli_what_if_prints_to_stderr(tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, [str(EXAMPLES[0]), "--what-if", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "what-if: " in result.stderr
    assert "what-if" not in result.stdout


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_each_proposed_change_really_flips_the_first_choice(raw):
    r = REC.recommend(raw, analyses=("what_if",))
    alts = search(REC, r.profile, top=r.top.id if r.top else None)
    assert [a.to_dict() for a in alts] == r.extras["what_if"]["changes"]
    for alt in alts:
        _check_flips(REC, r, alt)
