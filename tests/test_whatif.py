"""What-if: the smallest change to a profile that puts another initiative first."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, recommend
from recommender.cli import main
from recommender.models import COMPONENTS
from recommender.core.recommend import fitted
from recommender.core.scoring import SCORE_DECIMALS, scores
from recommender.core.validate import infer_issues, validate_profile
from recommender.vectorise import ProfileMatrix
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

from .conftest import EXAMPLES, ROOT

CAT = load_catalogue()
KH = ROOT / "profiles" / "kh-garment-sme.yaml"
MILL = {"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles",
        "issues": {"chemicals": 3, "water": 3, "wages": 1}, "prefers": ["advisory"],
        "description": "Dye house with effluent limits"}

profiles = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(["BD", "CN", "VN", "KH", "IN", "TR", "GB", "US", "ET"]),
        "sector": st.sampled_from(list(CAT.taxonomy.sectors)),
        "issues": st.dictionaries(st.sampled_from(list(CAT.taxonomy.issues)), st.integers(1, 3), min_size=1,
                                  max_size=4),
    },
    optional={
        "sourcing_countries": st.lists(st.sampled_from(["BD", "CN", "VN", "KH", "TR"]), max_size=3, unique=True),
        "prefers": st.lists(st.sampled_from(list(CAT.taxonomy.approaches)), max_size=3, unique=True),
        "memberships": st.lists(st.sampled_from(list(CAT.ids)), max_size=1),
        "workforce": st.fixed_dictionaries({"women_share": st.floats(0, 1), "migrant_share": st.floats(0, 1)}),
        "description": st.sampled_from(["", "Workers complain about overtime and low pay",
                                        "Dyeing mill with wastewater and chemical problems"]),
    },
)


def _check_flips(result, alt):
    changed = apply_changes(result.profile, alt.changes, catalogue=CAT)
    again = recommend(changed)
    assert again.shortlist, alt.sentence
    assert again.shortlist[0].id == alt.initiative != (result.top.id if result.top else None), alt.sentence
    assert again.shortlist[0].score == pytest.approx(alt.score, abs=1e-12)
    if result.top is not None:
        old = next((r for r in again.shortlist if r.id == result.top.id), None)
        if old is not None:
            assert old.score == pytest.approx(alt.current_score, abs=1e-12)


def test_every_result_carries_what_if_in_its_json():
    data = recommend(KH).to_dict()
    assert set(data["what_if"]) == {"sentences", "changes"}
    assert data["what_if"]["sentences"] == [c["sentence"] for c in data["what_if"]["changes"]]
    first = data["what_if"]["changes"][0]
    assert set(first) == {"initiative", "name", "changes", "cost", "score", "current_first", "current_score",
                          "sentence"}
    assert first["current_first"] == data["shortlist"][0]["id"]


def test_what_if_returns_the_result_with_extras_and_leaves_the_rest():
    r = recommend(KH)
    again = what_if(r, catalogue=CAT)
    assert again.extras["what_if"] == r.extras["what_if"]
    assert again.shortlist == r.shortlist and again.extras["stability"] == r.extras["stability"]


def test_sentence_reads_as_in_the_brief():
    sentences = recommend(KH).extras["what_if"]["sentences"]
    assert re.fullmatch(r"If .+ were a top priority \(weight 3 instead of 2\), amfori BSCI would rank first at "
                        r"0\.\d\d+, ahead of QuizRR at 0\.\d\d+\.", sentences[0]), sentences[0]


def test_a_near_tie_flips_with_one_step():
    alts = search(fitted(), recommend(KH).profile)
    assert alts[0].cost == 1 and len(alts[0].changes) == 1
    assert [a.cost for a in alts] == sorted(a.cost for a in alts)
    assert len({a.initiative for a in alts}) == len(alts)


# --- exactness: an independent brute force over the whole search space -----------------


def _every_change(rec, profile, max_cost):
    """Issue weights counted (n, K), issues listed (n, K), approaches (n, A), costs of every valid change.

    Written from the search space whatif claims, not from its code: each issue weight 0-3
    (an unlisted issue weighs 0, one inferred from the description 1; a mentioned issue
    that is dropped comes back at 1), each approach on or off, one point per step; at
    least one issue stays listed. Built field by field, densely.
    """
    vec = rec.vectoriser
    mentioned = np.array([k in infer_issues(profile.description, rec.catalogue) for k in vec.issue_keys_])
    inferred = np.array([k in profile.inferred_issues for k in vec.issue_keys_])
    listed_now = np.array([k in profile.issues for k in vec.issue_keys_])
    iw0 = np.array([profile.weights().get(k, 0) for k in vec.issue_keys_], dtype=float)
    ap0 = np.array([a in profile.prefers for a in vec.approach_keys_], dtype=float)
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


def _firsts(rec, profile, iw, ap):
    """What `recommend` would rank first for each changed profile (-1: nothing), scored by `scoring.scores`."""
    vec = rec.vectoriser
    pm0 = vec.transform([profile])
    n = len(iw)
    values, applicable = np.repeat(pm0.values, n, axis=0), np.repeat(pm0.applicable, n, axis=0)
    issue_cols = [vec.column_[f"issue:{k}"] for k in vec.issue_keys_]
    values[:, issue_cols] = iw / iw.sum(axis=1, keepdims=True)
    n_ap = ap.sum(axis=1, keepdims=True)
    values[:, [vec.column_[f"approach:{a}"] for a in vec.approach_keys_]] = np.divide(
        ap, n_ap, out=np.zeros_like(ap), where=n_ap > 0)
    applicable[:, COMPONENTS.index("approaches")] = n_ap[:, 0] > 0
    pm = ProfileMatrix(values=values, applicable=applicable,
                       text_similarity=np.repeat(pm0.text_similarity, n, axis=0))
    s = scores(pm, vec, rec.weights)
    relevant = iw @ vec.initiative_matrix_[:, issue_cols].T > 0
    open_ = rec.rules.mask([profile])[0] & ~np.isin(np.array(rec.catalogue.ids), profile.memberships)
    ok = open_ & relevant & (s >= rec.weights.min_score)
    by_id = np.argsort(np.array(rec.catalogue.ids))
    best = by_id[np.argmax(np.where(ok, np.round(s, SCORE_DECIMALS), -np.inf)[:, by_id], axis=1)]
    return np.where(ok.any(axis=1), best, -1)


def _cheapest(rec, profile, current):
    """{initiative: least cost of a change that puts it first}, over every change up to MAX_COST."""
    iw, _, ap, cost = _every_change(rec, profile, MAX_COST)
    first = _firsts(rec, profile, iw, ap)
    ids = rec.catalogue.ids
    return {ids[j]: int(cost[first == j].min()) for j in np.unique(first) if j >= 0 and ids[j] != current}


def _random_profiles(n, seed=20261125):
    rnd = random.Random(seed)
    issues, approaches = list(CAT.taxonomy.issues), list(CAT.taxonomy.approaches)
    texts = ["", "Workers complain about overtime and low pay", "Dyeing mill with wastewater and chemical problems",
             "Migrant parents worry about left-behind children"]
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
        out.append(raw)
    return out


def test_the_brute_force_agrees_with_recommend():
    rec = fitted()
    profile = validate_profile({"name": "P", "kind": "factory", "country": "CN", "sector": "textiles",
                                "issues": {"wages": 2, "water": 1}, "prefers": ["training"],
                                "description": "Overtime and wastewater complaints"}, catalogue=CAT)
    iw, listed, ap, cost = _every_change(rec, profile, 3)
    first = _firsts(rec, profile, iw, ap)
    for row in np.random.default_rng(7).choice(len(iw), 40, replace=False):
        raw = profile.model_dump(exclude={"inferred_issues"})
        raw["issues"] = {k: int(iw[row, n]) for n, k in enumerate(rec.vectoriser.issue_keys_) if listed[row, n]}
        raw["prefers"] = [a for n, a in enumerate(rec.vectoriser.approach_keys_) if ap[row, n]]
        top = recommend(raw).top
        assert (top.id if top else None) == (CAT.ids[first[row]] if first[row] >= 0 else None)


BRUTE_FORCE = [*EXAMPLES, *_random_profiles(10),
               {"name": "One issue", "kind": "factory", "country": "BD", "sector": "garment", "issues": {"wages": 1}},
               {"name": "Nothing fits", "kind": "factory", "country": "PE", "sector": "agriculture",
                "issues": {"chemicals": 3}}]


@pytest.mark.parametrize("profile", BRUTE_FORCE, ids=[p.stem if hasattr(p, "stem") else p["name"] for p in BRUTE_FORCE])
def test_the_answer_is_the_cheapest_by_brute_force(profile):
    rec = fitted()
    r = rec.recommend(profile)
    current = r.top.id if r.top else None
    alts = search(rec, r.profile, top=current)
    truth = _cheapest(rec, r.profile, current)
    got = {a.initiative: a.cost for a in alts}
    assert len(got) == len(alts) == min(MAX_ALTERNATIVES, len(truth)), (got, truth)
    assert [a.cost for a in alts] == sorted(a.cost for a in alts)
    for a in alts:
        assert truth[a.initiative] == a.cost, f"{a.sentence} costs {a.cost}; brute force: {truth[a.initiative]}"
        assert a.cost == sum(c.cost for c in a.changes) <= MAX_COST
        _check_flips(r, a)
    if alts:  # nothing left out was cheaper than the dearest one shown
        left_out = {i: c for i, c in truth.items() if i not in got}
        assert all(c >= alts[-1].cost for c in left_out.values()), (got, left_out)
    else:
        assert truth == {}
        assert f"up to {MAX_COST} steps" in r.extras["what_if"]["sentences"][0]


def test_only_actionable_fields_change():
    for path in EXAMPLES:
        r = recommend(path)
        for alt in search(fitted(), r.profile, limit=10):
            assert {c.field for c in alt.changes} <= {"issues", "prefers"}
            changed = apply_changes(r.profile, alt.changes, catalogue=CAT)
            for field in ("kind", "country", "sector", "sourcing_countries", "workforce", "memberships",
                          "description"):
                assert getattr(changed, field) == getattr(r.profile, field)


def test_messages_when_no_change_works():
    toys = {"name": "Toys", "kind": "factory", "country": "IS", "sector": "toys", "issues": {"childcare": 3}}
    rec = fitted()
    open_ = [i for i, ok in zip(CAT.ids, rec.rules.mask([validate_profile(toys, catalogue=CAT)])[0]) if ok]
    r = recommend({**toys, "memberships": open_})  # it already belongs to everything open to it
    assert not r.shortlist
    assert r.extras["what_if"] == {"changes": [], "sentences": [
        f"No change of up to {MAX_COST} steps to your issue weights or preferred approaches would put an "
        "initiative on the shortlist."]}
    mill = recommend({"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles",
                      "issues": {"chemicals": 3, "water": 3, "energy": 3, "air_emissions": 3}})
    if not mill.extras["what_if"]["changes"]:
        assert mill.extras["what_if"]["sentences"] == [
            f"{mill.top.name} stays first under any change of up to {MAX_COST} steps to your issue weights or "
            "preferred approaches."]


def test_a_change_can_make_something_recommended():
    # Nothing open to a toy factory in Iceland addresses childcare; another issue would change that.
    r = recommend({"name": "Toys", "kind": "factory", "country": "IS", "sector": "toys", "issues": {"childcare": 3}})
    assert not r.shortlist and r.extras["what_if"]["changes"]
    for alt in search(fitted(), r.profile):
        assert alt.current is None and alt.sentence.endswith(f"would be recommended first, at {alt.score:.2f}.")
        _check_flips(r, alt)


def test_an_issue_inferred_from_the_description_is_priced_from_weight_1():
    p = validate_profile({"name": "P", "kind": "factory", "country": "BD", "sector": "garment",
                          "issues": {"wages": 2}, "description": "Long overtime in peak season"}, catalogue=CAT)
    assert p.inferred_issues == ("working_hours",)
    hours = [c for c in candidate_changes(p, CAT) if c.key == "working_hours"]
    assert [(c.before, c.after, c.cost, c.inferred) for c in hours] == [(1, 2, 1, True), (1, 3, 2, True)]
    assert hours[0].phrase(CAT) == "working hours were a priority (weight 2, not just mentioned in your description)"
    # a listed issue the description mentions can be lowered to 1 but not dropped (it would come back at 1)
    q = validate_profile({**p.model_dump(exclude={"inferred_issues"}), "issues": {"working_hours": 3, "wages": 1}},
                         catalogue=CAT)
    assert [c.after for c in candidate_changes(q, CAT) if c.key == "working_hours"] == [1, 2]
    assert [c.after for c in candidate_changes(q, CAT) if c.key == "wages"] == [2, 3, None]


def test_change_phrases():
    assert Change("issues", "water", None, 3).phrase(CAT) == "water use and wastewater were a top priority (weight 3)"
    raised = "wages and living wage were a priority (weight 2 instead of 1)"
    assert Change("issues", "wages", 1, 2).phrase(CAT) == raised
    assert Change("issues", "wages", 2, None).phrase(CAT) == "wages and living wage were dropped from your issues"
    assert Change("prefers", "training", False, True).phrase(CAT) == "you preferred training"
    assert Change("prefers", "training", True, False).phrase(CAT) == "you did not ask for training"
    assert [Change("issues", "x", None, 3).cost, Change("issues", "x", 1, 3).cost,
            Change("issues", "x", 2, None).cost, Change("prefers", "x", False, True).cost] == [3, 2, 2, 1]
    assert Change("prefers", "e_learning", False, True).phrase(CAT) == "you preferred e-learning"
    lowered = "wages and living wage were only a minor priority (weight 1 instead of 3)"
    assert Change("issues", "wages", 3, 1).phrase(CAT) == lowered
    # several approach edits read as one clause each way
    combo = [Change("issues", "wages", 1, 3), Change("prefers", "advisory", False, True),
             Change("prefers", "training", True, False), Change("prefers", "e_learning", True, False)]
    assert _clause(combo, CAT) == ("wages and living wage were a top priority (weight 3 instead of 1), you preferred "
                                   "advisory and technical support and you did not ask for training or e-learning")


def test_cli_what_if_prints_to_stderr(tmp_path):
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, [str(KH), "--what-if", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "what-if: If " in result.stderr
    assert "what-if" not in result.stdout


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_each_proposed_change_really_flips_the_first_choice(profile):
    r = recommend(profile)
    changes = r.extras["what_if"]["changes"]
    alts = search(fitted(), r.profile)
    assert [a.to_dict() for a in alts] == changes
    for alt in alts:
        _check_flips(r, alt)
