"""Stage 4: effective weights, contributions, scores, component scores and the ranking order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, load_profile
from recommender.models import COMPONENTS, Weights
from recommender.core.scoring import (
    SCORE_DECIMALS,
    component_scores,
    contributions,
    effective_weights,
    rank_order,
    scores,
)
from recommender.vectorise import Vectoriser

CAT = load_catalogue()
VEC = Vectoriser().fit(CAT)
ISSUES = list(CAT.taxonomy.issues)
APPROACHES = list(CAT.taxonomy.approaches)
DEFAULT = Weights()


def _applicable(*components: str) -> np.ndarray:
    return np.array([[c in components for c in COMPONENTS]])


@pytest.mark.parametrize(
    ("weights", "applies", "expected"),
    [
        (DEFAULT, COMPONENTS, [0.70, 0.12, 0.10, 0.08]),
        (DEFAULT, ("issues",), [1.0, 0.0, 0.0, 0.0]),
        (DEFAULT, ("issues", "text"), [0.70 / 0.78, 0.0, 0.0, 0.08 / 0.78]),
        (DEFAULT, ("issues", "approaches", "workforce"), [0.70 / 0.92, 0.12 / 0.92, 0.10 / 0.92, 0.0]),
        (Weights(issues=0.5, approaches=0.5, workforce=0.0, text=0.0), ("issues", "text"), [1.0, 0.0, 0.0, 0.0]),
        (Weights(issues=0.4, approaches=0.2, workforce=0.2, text=0.2), ("issues", "workforce"),
         [2 / 3, 0.0, 1 / 3, 0.0]),
    ],
)
def test_effective_weights_pass_inapplicable_weight_on_pro_rata(weights, applies, expected):
    eff = effective_weights(weights, _applicable(*applies))
    assert eff.shape == (1, len(COMPONENTS))
    assert eff[0].tolist() == pytest.approx(expected)
    assert eff[0].sum() == pytest.approx(1.0)


def test_effective_weights_are_per_row():
    applicable = np.array([[True, True, True, True], [True, False, False, False], [True, True, False, False]])
    eff = effective_weights(DEFAULT, applicable)
    assert eff.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])
    assert not eff[~applicable].any()
    # among the applicable components the base proportions are kept
    assert eff[2, 0] / eff[2, 1] == pytest.approx(0.70 / 0.12)


def _matrix(*dicts):
    base = {"name": "T", "kind": "factory", "country": "CN", "sector": "textiles"}
    profiles = [load_profile({**base, **d}, catalogue=CAT) for d in dicts]
    return VEC.transform(profiles)


def _score(row: np.ndarray, init_id: str) -> float:
    return float(row[CAT.ids.index(init_id)])


def test_issue_only_profile_scores_the_weighted_strengths():
    pm = _matrix({"issues": ["chemicals"]}, {"issues": {"chemicals": 3, "wages": 1}})
    s = scores(pm, VEC, DEFAULT)
    # only the issues component applies, so it carries the whole weight
    assert _score(s[0], "better-mill-initiative") == pytest.approx(1.0)  # chemicals: 3 -> 3/3
    assert _score(s[0], "higg-index") == pytest.approx(2 / 3)
    assert _score(s[0], "herproject") == 0.0
    assert _score(s[1], "better-mill-initiative") == pytest.approx(0.75)
    assert _score(s[1], "better-work") == pytest.approx(0.25)  # wages: 3, no chemicals
    assert _score(s[1], "higg-index") == pytest.approx(0.75 * 2 / 3 + 0.25 * 2 / 3)


def test_contributions_are_named_products_and_text_uses_similarity():
    pm = _matrix({"issues": {"chemicals": 3, "wages": 1}, "prefers": ["training", "finance"],
                  "workforce": {"women_share": 0.8}, "description": "dyeing and printing mill"})
    assert pm.applicable[0].all()  # every component applies; the description infers no extra issue
    c = contributions(pm, VEC, DEFAULT)[0]
    eff = effective_weights(DEFAULT, pm.applicable)[0]
    assert eff.tolist() == pytest.approx([0.70, 0.12, 0.10, 0.08])
    mill, work = CAT.ids.index("better-mill-initiative"), CAT.ids.index("better-work")
    assert c[mill, VEC.column_["issue:chemicals"]] == pytest.approx(0.70 * 0.75 * 1.0)
    assert c[mill, VEC.column_["approach:training"]] == pytest.approx(0.12 * 0.5)
    assert c[mill, VEC.column_["approach:finance"]] == 0.0
    assert c[work, VEC.column_["approach:finance"]] == pytest.approx(0.12 * 0.5)
    assert c[work, VEC.column_["workforce:women"]] == pytest.approx(0.10 * 0.8 * 2 / 3)
    text = VEC.column_["text:description"]
    assert c[:, text] == pytest.approx(0.08 * pm.text_similarity[0])
    assert c[mill, text] > 0


profile_dicts = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(["BD", "CN", "VN", "IN", "NL"]),
        "sector": st.sampled_from(list(CAT.taxonomy.sectors)),
        "issues": st.dictionaries(st.sampled_from(ISSUES), st.integers(1, 3), min_size=1, max_size=6),
    },
    optional={
        "prefers": st.lists(st.sampled_from(APPROACHES), max_size=4, unique=True),
        "workforce": st.fixed_dictionaries(
            {}, optional={"size": st.integers(1, 100_000), "women_share": st.floats(0, 1),
                          "migrant_share": st.floats(0, 1)}
        ),
        "description": st.sampled_from(
            ["", "Dyeing mill with wastewater and chemical problems", "Children of migrant workers left behind",
             "Workers complain about overtime and low pay", "xyzzy plugh", "women women women health"]
        ),
    },
)


@st.composite
def weights(draw):
    """Valid `Weights`: four parts that sum to 1, the issues part above 0."""
    parts = [draw(st.integers(1, 20))] + [draw(st.integers(0, 20)) for _ in range(3)]
    total = sum(parts)
    return Weights(**{c: p / total for c, p in zip(COMPONENTS, parts)})


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.lists(profile_dicts, min_size=1, max_size=5), weights())
def test_scores_decompose_into_contributions_and_weighted_components(dicts, w):
    pm = VEC.transform([load_profile(d, catalogue=CAT) for d in dicts])
    s = scores(pm, VEC, w)
    assert s.shape == (len(dicts), len(CAT))
    np.testing.assert_allclose(s, contributions(pm, VEC, w).sum(-1), rtol=0, atol=1e-12)
    comp = component_scores(pm, VEC)
    assert ((comp >= 0) & (comp <= 1 + 1e-12)).all()
    eff = effective_weights(w, pm.applicable)
    np.testing.assert_allclose(s, (comp * eff[:, None, :]).sum(-1), rtol=0, atol=1e-12)
    assert ((s >= 0) & (s <= 1 + 1e-12)).all()
    # an inapplicable component scores 0 everywhere
    assert not comp[~pm.applicable[:, None, :].repeat(len(CAT), axis=1)].any()


@pytest.mark.parametrize(
    ("score_row", "ids", "expected"),
    [
        ([0.2, 0.9, 0.5], ("a", "b", "c"), ["b", "c", "a"]),
        ([0.5, 0.5, 0.5], ("c", "a", "b"), ["a", "b", "c"]),  # ties by id
        ([0.3, 0.1 + 0.2], ("a", "b"), ["a", "b"]),  # 0.30000000000000004 ties with 0.3
        ([0.7, 0.7 + 4e-11], ("a", "b"), ["a", "b"]),  # noise below SCORE_DECIMALS
        ([0.7, 0.7 + 4e-9], ("a", "b"), ["b", "a"]),  # a real difference above it
        ([0.0, 0.0, 1.0], ("z", "y", "x"), ["x", "y", "z"]),
    ],
)
def test_rank_order_sorts_by_rounded_score_then_id(score_row, ids, expected):
    order = rank_order(np.array(score_row), ids)
    assert sorted(order) == list(range(len(ids)))
    assert [ids[j] for j in order] == expected


def test_rank_order_precision_is_nine_decimals():
    assert SCORE_DECIMALS == 9
    row = np.array([0.5, 0.5 + 10 ** -(SCORE_DECIMALS + 2), 0.5 + 10 ** -(SCORE_DECIMALS - 2)])
    assert rank_order(row, ("b", "a", "c")) == [2, 1, 0]
