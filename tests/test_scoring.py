"""Stage 4 and 5: effective weights, component scores, contributions, the rounding rule and selection.

Hand-checked values use a two-initiative catalogue and stated weights (`HAND_WEIGHTS`), so
they do not move when the packaged catalogue's weights are refitted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, load_profile, recommend
from recommender.core.batch import ProfileBatch
from recommender.core.engine import Engine
from recommender.core.scoring import (
    DECIMALS,
    SCORE_DECIMALS,
    combine,
    component_scores,
    contributions,
    effective_weights,
    rank_key,
    rounded,
)
from recommender.core.selection import first_choice, select
from recommender.models import COMPONENTS, Weights
from recommender.result import shown_score

from .conftest import HAND_WEIGHTS, initiative, profile

DEFAULT = Weights()


def _applicable(*components: str) -> np.ndarray:
    return np.array([[float(c in components) for c in COMPONENTS]])


# --- effective weights -----------------------------------------------------------------------

W = Weights(issues=0.5, approaches=0.1, offers=0.2, workforce=0.1, text=0.1)


@pytest.mark.parametrize(
    ("weights", "applies", "expected"),
    [
        (W, COMPONENTS, [0.5, 0.1, 0.2, 0.1, 0.1]),
        (W, ("issues",), [1.0, 0, 0, 0, 0]),
        (W, ("issues", "text"), [0.5 / 0.6, 0, 0, 0, 0.1 / 0.6]),
        (W, ("issues", "approaches", "offers"), [0.5 / 0.8, 0.1 / 0.8, 0.2 / 0.8, 0, 0]),
        (Weights(issues=0.5, approaches=0.5, offers=0, workforce=0, text=0), ("issues", "text"), [1.0, 0, 0, 0, 0]),
    ],
)
def test_effective_weights_pass_inapplicable_weight_on_pro_rata(weights, applies, expected):
    eff = effective_weights(weights, _applicable(*applies))
    assert eff.shape == (1, len(COMPONENTS))
    assert eff[0].tolist() == pytest.approx(expected)
    assert eff[0].sum() == pytest.approx(1.0)


def test_a_partly_available_component_counts_in_proportion():
    """Availability is a share: a description that says half enough passes on half the text weight."""
    avail = np.array([[1.0, 0.0, 0.0, 0.0, 0.5]])
    eff = effective_weights(W, avail)[0]
    assert eff.tolist() == pytest.approx([0.5 / 0.55, 0, 0, 0, 0.05 / 0.55])


def test_effective_weights_are_per_row():
    avail = np.array([[1, 1, 1, 1, 1], [1, 0, 0, 0, 0], [1, 1, 0, 0, 0]], dtype=float)
    eff = effective_weights(W, avail)
    assert eff.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])
    assert not eff[avail == 0].any()
    assert eff[2, 0] / eff[2, 1] == pytest.approx(0.5 / 0.1)


# --- hand-checked scores and contributions -----------------------------------------------------

PAIR = [
    initiative("alpha", issues={"wages": 3, "working_hours": 1}, approaches=["training", "assessment"],
               offers={"worker_survey_mobile": 3}, workforce={"women": 3}),
    initiative("beta", issues={"wages": 2, "health_safety": 3}, approaches=["assessment"],
               offers={"worker_survey_mobile": 1, "film_quiz_training": 2}, workforce={"migrants": 2}),
]
FULL = profile(issues={"wages": 3, "working_hours": 1}, prefers=["training", "finance"],
               wants=["worker_survey_mobile", "film_quiz_training"],
               workforce={"women_share": 0.8, "migrant_share": 0.2})


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    from .conftest import write_catalogue

    return write_catalogue(tmp_path_factory.mktemp("pair"), PAIR, weights=HAND_WEIGHTS)


def _run(cat, raw):
    eng = Engine(cat)
    p = load_profile(raw, catalogue=cat)
    return eng, p, eng.run(ProfileBatch.from_profiles([p], eng.keys), top=5)


def test_every_component_by_hand(pair):
    eng, _, s = _run(pair, FULL)
    # issues 3:1 -> 0.75, 0.25; approaches 1/2 each; offers 1/2 each; shares / 2 given: 0.4, 0.1
    comp = dict(zip(pair.ids, s.components[0].tolist()))
    assert comp["alpha"] == pytest.approx([0.75 + 0.25 / 3, 0.5, 0.5, 0.4, 0.0])
    assert comp["beta"] == pytest.approx([0.75 * 2 / 3, 0.0, 0.5 / 3 + 0.5 * 2 / 3, 0.1 * 2 / 3, 0.0])
    # no description: its weight goes to the rest, pro rata
    assert s.weights[0].tolist() == pytest.approx([0.5 / 0.8, 0.08 / 0.8, 0.17 / 0.8, 0.05 / 0.8, 0.0])
    scores = dict(zip(pair.ids, s.scores[0].tolist()))
    assert scores["alpha"] == pytest.approx((0.5 * (0.75 + 0.25 / 3) + 0.08 * 0.5 + 0.17 * 0.5 + 0.05 * 0.4) / 0.8)
    assert scores["beta"] == pytest.approx((0.5 * 0.5 + 0.17 * 0.5 + 0.05 * 0.2 / 3) / 0.8)


def test_contributions_are_named_products_that_sum_to_the_score(pair):
    r = recommend(FULL, catalogue=pair)
    alpha = next(x for x in r.shortlist if x.id == "alpha")
    got = {c.feature: c.value for c in alpha.contributions}
    assert got == pytest.approx({
        "issue:wages": 0.75 * 1.0 * 0.5 / 0.8,
        "issue:working_hours": 0.25 / 3 * 0.5 / 0.8,
        "approach:training": 0.5 * 0.08 / 0.8,
        "offer:worker_survey_mobile": 0.5 * 0.17 / 0.8,
        "workforce:women": 0.4 * 0.05 / 0.8,
    })
    assert {c.feature: c.component for c in alpha.contributions} == {
        "issue:wages": "issues", "issue:working_hours": "issues", "approach:training": "approaches",
        "offer:worker_survey_mobile": "offers", "workforce:women": "workforce"}
    assert sum(got.values()) == pytest.approx(alpha.score, abs=1e-12)
    shown = alpha.to_dict()
    assert sum(shown["contributions"].values()) == pytest.approx(shown["score"], abs=1e-9)
    assert shown["score"] == round(alpha.score, 4)


def test_the_undocumented_discount_scales_every_contribution(pair):
    plain = recommend(FULL, catalogue=pair)
    # Footwear is not documented for either: one undocumented rule each.
    shoes = recommend({**FULL, "sector": "footwear"}, catalogue=pair)
    for a, b in zip(plain.shortlist, shoes.shortlist, strict=True):
        assert a.id == b.id
        assert b.score == pytest.approx(a.score * (1 - HAND_WEIGHTS.undocumented))
        assert [c.value for c in b.contributions] == pytest.approx(
            [c.value * (1 - HAND_WEIGHTS.undocumented) for c in a.contributions])


def test_relevance_is_an_issue_addressed_or_a_wanted_offer_at_strength_two_or_more(pair):
    eng, _, s = _run(pair, profile(issues=["childcare"], wants=["film_quiz_training"]))
    # beta offers film-and-quiz at 2: relevant; alpha addresses nothing asked for
    assert dict(zip(pair.ids, s.relevant[0].tolist())) == {"alpha": False, "beta": True}
    eng, _, s = _run(pair, profile(issues=["childcare"], wants=["worker_survey_mobile"]))
    # alpha offers it at 3, beta only at 1
    assert dict(zip(pair.ids, s.relevant[0].tolist())) == {"alpha": True, "beta": False}
    eng, _, s = _run(pair, profile(issues=["health_safety"]))
    assert dict(zip(pair.ids, s.relevant[0].tolist())) == {"alpha": False, "beta": True}


def test_component_scores_and_combine_are_the_engine_s(pair):
    eng, _, s = _run(pair, FULL)
    comp = component_scores(s.features, eng.matrix)
    assert np.array_equal(comp, s.components)
    eff = effective_weights(eng.weights, s.features.availability)
    assert np.array_equal(eff, s.weights)
    assert np.array_equal(combine(comp, eff, s.features.factor), s.scores)
    blocks = contributions(s.features, eng.matrix, eng.weights, 0)
    assert set(blocks) == set(COMPONENTS)
    assert sum(b.sum(axis=1) for b in blocks.values()) == pytest.approx(s.scores[0], abs=1e-12)


# --- the one rounding rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.125, 2, 0.12),  # exact halves go to even
        (0.375, 2, 0.38),
        (2.5, 0, 2.0),
        (3.5, 0, 4.0),
        (0.12345, 4, 0.1234),  # 0.12345 is stored just below the half
        (0.99995, 4, 1.0),
        (0.0, 4, 0.0),
    ],
)
def test_rounded_is_numpy_s_rule(value, decimals, expected):
    assert float(rounded(value, decimals)) == expected
    assert float(rounded(np.array([value]), decimals)[0]) == expected


@given(st.floats(0, 1, allow_nan=False))
def test_every_shown_score_uses_the_same_rule(value):
    """JSON (`shown_score`), `rounded`, and pandas' round (CSV, XLSX and JSON Lines writers) agree."""
    assert DECIMALS == 4
    expected = float(rounded(value))
    assert shown_score(value) == expected
    assert float(pd.Series([value]).round(4).iloc[0]) == expected
    assert float(np.round(np.array([value]), 4)[0]) == expected


def test_rank_key_precision_is_nine_decimals():
    assert SCORE_DECIMALS == 9
    assert rank_key(np.array([0.1 + 0.2]))[0] == rank_key(np.array([0.3]))[0]
    assert rank_key(np.array([0.7 + 4e-9]))[0] > rank_key(np.array([0.7]))[0]


# --- the one selection rule -----------------------------------------------------------------


def _select(scores, ids, *, eligible=None, relevant=None, members=None, top=5, min_score=0.1):
    s = np.array([scores], dtype=float)
    full = np.ones_like(s, dtype=bool)
    return select(s, full if eligible is None else np.array([eligible]),
                  full if relevant is None else np.array([relevant]),
                  ~full if members is None else np.array([members]),
                  ids=ids, top=top, min_score=min_score)


@pytest.mark.parametrize(
    ("scores", "ids", "options", "expected"),
    [
        ([0.2, 0.9, 0.5], ("a", "b", "c"), {}, ["b", "c", "a"]),
        ([0.5, 0.5, 0.5], ("c", "a", "b"), {}, ["a", "b", "c"]),  # ties by id
        ([0.3, 0.1 + 0.2], ("b", "a"), {}, ["a", "b"]),  # equal at 9 decimals: a tie
        ([0.7, 0.7 + 4e-11], ("a", "b"), {}, ["a", "b"]),  # noise below the precision
        ([0.7, 0.7 + 4e-9], ("a", "b"), {}, ["b", "a"]),  # a real difference above it
        ([0.9, 0.5, 0.3], ("a", "b", "c"), {"top": 2}, ["a", "b"]),
        ([0.9, 0.09, 0.1], ("a", "b", "c"), {}, ["a", "c"]),  # below min_score: left out; at it: kept
        ([0.9, 0.5], ("a", "b"), {"eligible": [False, True]}, ["b"]),
        ([0.9, 0.5], ("a", "b"), {"relevant": [False, True]}, ["b"]),
        ([0.9, 0.5], ("a", "b"), {"members": [True, False]}, ["b"]),
        ([0.05, 0.01], ("a", "b"), {}, []),
    ],
)
def test_select_is_eligible_relevant_not_member_above_min_score_ties_by_id(scores, ids, options, expected):
    sel = _select(scores, ids, **options)
    top = options.get("top", 5)
    assert sel.shortlist.shape == (1, min(top, len(ids)))
    assert [ids[c] for c in sel.shortlist[0] if c >= 0] == expected
    assert (sel.shortlist[0, len(expected):] == -1).all()
    assert sel.count.tolist() == [len(expected)]
    first = first_choice(np.array([scores], dtype=float), *(np.array([options.get(k, d)]) for k, d in (
        ("eligible", [True] * len(ids)), ("relevant", [True] * len(ids)), ("members", [False] * len(ids)))),
        ids=ids, min_score=0.1)
    assert first.tolist() == [ids.index(expected[0]) if expected else -1]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 8).flatmap(lambda m: st.tuples(
    st.lists(st.floats(0, 1), min_size=m, max_size=m),
    st.lists(st.booleans(), min_size=m, max_size=m),
    st.lists(st.booleans(), min_size=m, max_size=m),
    st.permutations([f"i{j}" for j in range(m)]),
    st.integers(1, 10))))
def test_select_against_a_sort_written_out(args):
    scores, eligible, members, ids, top = args
    sel = _select(scores, tuple(ids), eligible=eligible, members=members, top=top)
    keep = [j for j in range(len(ids)) if eligible[j] and not members[j] and scores[j] >= 0.1]
    want = sorted(keep, key=lambda j: (-round(scores[j], SCORE_DECIMALS), ids[j]))[:top]
    assert [int(c) for c in sel.shortlist[0] if c >= 0] == want


# --- invariants on the packaged catalogue ---------------------------------------------------

CAT = load_catalogue()
ISSUES, APPROACHES, OFFERS = list(CAT.taxonomy.issues), list(CAT.taxonomy.approaches), list(CAT.taxonomy.offers)
profile_dicts = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(["BD", "CN", "VN", "IN", "NL", "NI", "GB"]),
        "sector": st.sampled_from(list(CAT.taxonomy.sectors)),
        "issues": st.dictionaries(st.sampled_from(ISSUES), st.integers(1, 3), min_size=1, max_size=6),
    },
    optional={
        "sourcing_countries": st.lists(st.sampled_from(["BD", "CN", "VN", "MX"]), max_size=3, unique=True),
        "prefers": st.lists(st.sampled_from(APPROACHES), max_size=4, unique=True),
        "wants": st.lists(st.sampled_from(OFFERS), max_size=3, unique=True),
        "workforce": st.fixed_dictionaries(
            {}, optional={"size": st.integers(1, 100_000), "women_share": st.floats(0, 1),
                          "migrant_share": st.floats(0, 1)}),
        "description": st.sampled_from(
            ["", "Dyeing mill with wastewater and chemical problems", "Children of migrant workers left behind",
             "Workers complain about overtime and low pay; we want anonymous surveys by phone", "xyzzy plugh"]),
    },
)


@st.composite
def weights(draw):
    """Valid `Weights`: five parts that sum to 1, the issues part above 0."""
    parts = [draw(st.integers(1, 20))] + [draw(st.integers(0, 20)) for _ in range(4)]
    total = sum(parts)
    return Weights(**{c: p / total for c, p in zip(COMPONENTS, parts)},
                   undocumented=draw(st.sampled_from([0.0, 0.15, 0.5])))


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(profile_dicts, min_size=1, max_size=4), weights())
def test_scores_decompose_into_weighted_components_and_contributions(dicts, w):
    eng = Engine(CAT, w)
    profiles = [load_profile(d, catalogue=CAT) for d in dicts]
    s = eng.run(ProfileBatch.from_profiles(profiles, eng.keys))
    assert s.scores.shape == (len(dicts), len(CAT))
    assert ((s.components >= 0) & (s.components <= 1 + 1e-12)).all()
    assert ((s.scores >= 0) & (s.scores <= 1 + 1e-12)).all()
    assert s.weights.sum(axis=1) == pytest.approx(np.ones(len(dicts)))
    assert not s.weights[s.features.availability == 0].any()
    np.testing.assert_allclose(s.scores, (s.components * s.weights[:, None, :]).sum(-1) * s.features.factor,
                               rtol=0, atol=1e-12)
    for row in range(len(dicts)):
        blocks = contributions(s.features, eng.matrix, w, row)
        np.testing.assert_allclose(sum(b.sum(axis=1) for b in blocks.values()), s.scores[row], rtol=0, atol=1e-12)
        k = (s.states[row] == 1).sum(axis=1)
        np.testing.assert_allclose(s.features.factor[row], (1 - w.undocumented) ** k, rtol=0, atol=0)
