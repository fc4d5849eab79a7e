"""Stability of the first choice under weight perturbation (recommender.analysis.stability).

Ties, clear winners and the minimum score are built on small catalogues, so the expected
shares follow from the construction; an independent recomputation of the draws through the
engine's public stages checks the figures on the packaged catalogue too.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import Recommender, Weights, load_catalogue, recommend
from recommender.analysis.stability import (
    DEFAULT_DRAWS,
    DEFAULT_PERTURBATION,
    NEAR_TIE_MARGIN,
    NEAR_TIE_SHARE,
    measure,
    stability,
)
from recommender.core.selection import select
from recommender.models import COMPONENTS

from .conftest import EXAMPLES, HAND_WEIGHTS, initiative, profile

CAT = load_catalogue()
KEYS = {"top", "top_stays_first", "draws", "perturbation", "seed", "near_tie", "runner_up", "margin", "challengers"}


@pytest.fixture
def clear(make_catalogue):
    return make_catalogue([initiative("best", issues={"chemicals": 3, "water": 3}),
                           initiative("other", issues={"chemicals": 1})], weights=HAND_WEIGHTS)


@pytest.fixture
def twins(make_catalogue):
    return make_catalogue([initiative("a-one", issues={"wages": 3}), initiative("b-two", issues={"wages": 3})],
                          weights=HAND_WEIGHTS)


@pytest.fixture
def balanced(make_catalogue):
    return make_catalogue([initiative("pay", issues={"wages": 3, "working_hours": 1}),
                           initiative("time", issues={"wages": 1, "working_hours": 3})], weights=HAND_WEIGHTS)


def test_stability_is_in_the_json_only_when_asked_for(clear):
    raw = profile(issues=["chemicals", "water"])
    assert "stability" not in recommend(raw, catalogue=clear).to_dict()
    data = recommend(raw, catalogue=clear, analyses=("stability",)).to_dict()
    assert set(data["stability"]) == KEYS
    assert data["stability"]["top"] == data["shortlist"][0]["id"]
    assert data["stability"]["draws"] == DEFAULT_DRAWS and data["stability"]["perturbation"] == DEFAULT_PERTURBATION
    r = recommend(raw, catalogue=clear)
    assert stability(r, catalogue=clear).to_dict() == data["stability"]


def test_a_clear_winner_is_stable(clear):
    s = stability(recommend(profile(issues=["chemicals", "water"]), catalogue=clear), catalogue=clear)
    assert s.top == "best" and s.runner_up == "other"
    assert s.top_stays_first == 1.0 and not s.near_tie and s.challengers == {}
    assert s.margin == pytest.approx(1 - 1 / 6)  # chemicals at 1/3 on half the weight


def test_an_exact_tie_is_flagged_and_kept_by_id(twins):
    """Identical initiatives score alike in every draw: the first by id always stays first."""
    s = stability(recommend(profile(), catalogue=twins), catalogue=twins)
    assert (s.top, s.runner_up, s.margin) == ("a-one", "b-two", 0.0)
    assert s.top_stays_first == 1.0 and s.challengers == {}
    assert s.near_tie  # by the margin


def test_a_balanced_tie_splits_the_draws(balanced):
    """Each initiative leads when its issue's weight is drawn higher: about half the draws each."""
    s = stability(recommend(profile(issues=["wages", "working_hours"]), catalogue=balanced), catalogue=balanced)
    assert s.top == "pay" and s.runner_up == "time" and s.margin == 0.0
    assert 0.4 < s.top_stays_first < 0.6 and s.top_stays_first < NEAR_TIE_SHARE
    assert set(s.challengers) == {"time"}
    assert s.top_stays_first + s.challengers["time"] == pytest.approx(1.0)
    assert s.near_tie


def test_a_draw_below_the_minimum_score_has_no_first_choice(make_catalogue):
    """Wages at strength 1 over a third of the weight scores 1/9: just above min_score 0.1.
    Draws that push it below have no first choice: the top does not stay first, and nothing
    else comes first either."""
    cat = make_catalogue([initiative("low", issues={"wages": 1})], weights=HAND_WEIGHTS)
    r = recommend(profile(issues={"wages": 1, "childcare": 2}), catalogue=cat)
    assert r.top.id == "low" and r.top.score == pytest.approx(1 / 9)
    s = stability(r, catalogue=cat)
    assert 0.0 < s.top_stays_first < 1.0
    assert s.challengers == {}
    assert s.top_stays_first == pytest.approx(_independent(Recommender(cat), r, DEFAULT_DRAWS, 0.2, s.seed)[0])


def test_seeded_and_deterministic(balanced):
    r = recommend(profile(issues=["wages", "working_hours"]), catalogue=balanced)
    assert stability(r, catalogue=balanced) == stability(r, catalogue=balanced)
    one = stability(r, catalogue=balanced, seed=1)
    assert one == stability(r, catalogue=balanced, seed=1) and one.seed == 1


def test_no_perturbation_keeps_the_first_choice_first(balanced):
    r = recommend(profile(issues=["wages", "working_hours"]), catalogue=balanced)
    s = stability(r, catalogue=balanced, perturbation=0.0, draws=20)
    assert s.top_stays_first == 1.0 and s.draws == 20


def test_empty_shortlist_has_no_stability(clear):
    r = recommend(profile(issues=["childcare"]), catalogue=clear, analyses=("stability",))
    assert not r.shortlist
    assert "stability" not in r.to_dict()
    assert stability(r, catalogue=clear) is None


def test_members_are_not_candidates(clear):
    r = recommend(profile(issues=["chemicals", "water"], memberships=["best"]), catalogue=clear)
    s = stability(r, catalogue=clear)
    assert s.top == r.shortlist[0].id == "other"
    assert "best" not in s.challengers and s.runner_up is None


@pytest.mark.parametrize("bad", [{"draws": 0}, {"draws": True}, {"draws": 2.5}, {"perturbation": 1.0},
                                 {"perturbation": -0.1}])
def test_bad_settings_are_refused(clear, bad):
    with pytest.raises(ValueError):
        stability(recommend(profile(issues=["chemicals"]), catalogue=clear), catalogue=clear, **bad)


def test_custom_weights_are_used(balanced):
    heavy = Weights(issues=0.4, approaches=0.4, offers=0.0, workforce=0.1, text=0.1)
    raw = profile(issues=["wages", "working_hours"], prefers=["training"])
    r = recommend(raw, catalogue=balanced, weights=heavy)
    s = stability(r, catalogue=balanced, weights=heavy)
    assert s.top == r.shortlist[0].id
    assert s == measure(Recommender(balanced, weights=heavy), r.profile, top=s.top)


# --- an independent recomputation of the draws ----------------------------------------------------


def _independent(rec: Recommender, result, draws: int, perturbation: float, seed: int):
    """Redo the draws one by one: perturbed `Weights` and issue weights through the engine's own
    `scores` and `select` (what `recommend` would rank first under them)."""
    eng = rec.engine
    p = result.profile
    scored = rec.score(p)
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1 - perturbation, 1 + perturbation, size=(draws, len(COMPONENTS) + len(eng.keys.issues)))
    base = scored.batch.weights[0]
    wins = []
    for f in factors:
        comp = {c: getattr(eng.weights, c) * f[n] for n, c in enumerate(COMPONENTS)}
        total = sum(comp.values())
        w = eng.weights.model_copy(update={c: v / total for c, v in comp.items()})
        iw = base * f[len(COMPONENTS):]
        features = dataclasses.replace(scored.features, issues=(iw / iw.sum())[None, :])
        _, _, s = eng.scores(features, w)
        first = select(s, scored.eligible, scored.relevant, scored.batch.members, ids=eng.ids, top=1,
                       min_score=eng.weights.min_score).shortlist[0, 0]
        wins.append(eng.ids[first] if first >= 0 else None)
    top = result.shortlist[0].id
    return wins.count(top) / draws, {i: wins.count(i) / draws for i in set(wins) - {top, None}}


@pytest.mark.parametrize("path", EXAMPLES[:6], ids=[p.stem for p in EXAMPLES[:6]])
def test_the_draws_match_an_independent_recomputation(path):
    rec = Recommender(CAT)
    r = rec.recommend(path)
    s = stability(r, draws=60, seed=5)
    stays, challengers = _independent(rec, r, 60, DEFAULT_PERTURBATION, 5)
    assert s.top_stays_first == pytest.approx(stays)
    assert s.challengers == pytest.approx(challengers)


def test_the_balanced_draws_match_an_independent_recomputation(balanced):
    rec = Recommender(balanced)
    r = rec.recommend(profile(issues=["wages", "working_hours"], prefers=["training"],
                              workforce={"women_share": 0.5}))
    s = stability(r, catalogue=balanced, draws=80, seed=11, perturbation=0.4)
    stays, challengers = _independent(rec, r, 80, 0.4, 11)
    assert s.top_stays_first == pytest.approx(stays) and s.challengers == pytest.approx(challengers)


profiles = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(["BD", "CN", "VN", "KH", "IN", "TR", "GB", "US", "NI"]),
        "sector": st.sampled_from(list(CAT.taxonomy.sectors)),
        "issues": st.dictionaries(st.sampled_from(list(CAT.taxonomy.issues)), st.integers(1, 3), min_size=1,
                                  max_size=5),
    },
    optional={
        "prefers": st.lists(st.sampled_from(list(CAT.taxonomy.approaches)), max_size=3, unique=True),
        "wants": st.lists(st.sampled_from(list(CAT.taxonomy.offers)), max_size=2, unique=True),
        "memberships": st.lists(st.sampled_from(list(CAT.ids)), max_size=1),
        "workforce": st.fixed_dictionaries({"women_share": st.floats(0, 1)}),
        "description": st.sampled_from(["", "Dyeing mill with wastewater problems", "Overtime and low pay"]),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, st.floats(0.0, 0.9), st.integers(0, 2**32 - 1))
def test_stability_is_a_share_and_names_recommend_s_first_choice(raw, perturbation, seed):
    r = recommend(raw)
    s = stability(r, perturbation=perturbation, seed=seed, draws=40)
    if not r.shortlist:
        assert s is None
        return
    assert s.top == r.shortlist[0].id
    assert 0.0 <= s.top_stays_first <= 1.0 and s.margin >= 0.0
    assert all(0.0 < v <= 1.0 for v in s.challengers.values())
    assert s.top_stays_first + sum(s.challengers.values()) <= 1.0 + 1e-9
    assert s.near_tie == (s.margin < NEAR_TIE_MARGIN or s.top_stays_first < NEAR_TIE_SHARE)
    if len(r.shortlist) > 1:
        assert s.runner_up == r.shortlist[1].id  # catalogue order is id order: ties go the same way
        assert s.margin == pytest.approx(r.shortlist[0].score - r.shortlist[1].score, abs=1e-9)
