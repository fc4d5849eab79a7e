"""Stage 2: the feature space, initiative rows, profile rows and text similarity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, load_profile
from recommender.models import COMPONENTS
from recommender.text import STOP_WORDS
from recommender.vectorise import WORKFORCE_DIMS, Vectoriser

CAT = load_catalogue()
VEC = Vectoriser().fit(CAT)
ISSUES = list(CAT.taxonomy.issues)
APPROACHES = list(CAT.taxonomy.approaches)
SEEDED = settings(max_examples=60, deadline=None, derandomize=True, database=None)

BASE = {"name": "T", "kind": "factory", "country": "BD", "sector": "garment"}


def _row(values: np.ndarray, prefix: str) -> dict[str, float]:
    """The non-zero entries of one feature row whose names start with ``prefix``."""
    names = VEC.get_feature_names_out()
    return {str(n).split(":", 1)[1]: float(x) for n, x in zip(names, values) if str(n).startswith(prefix) and x}


def _profile_row(**fields):
    p = load_profile({**BASE, "issues": ["wages"], **fields}, catalogue=CAT)
    pm = VEC.transform([p])
    return p, pm.values[0], dict(zip(COMPONENTS, pm.applicable[0]))


def test_feature_names_are_issues_approaches_workforce_then_text():
    names = list(VEC.get_feature_names_out())
    assert names == (
        [f"issue:{k}" for k in ISSUES]
        + [f"approach:{k}" for k in APPROACHES]
        + ["workforce:women", "workforce:migrants"]
        + ["text:description"]
    )
    assert names[-3:-1] == [f"workforce:{d}" for d in WORKFORCE_DIMS]
    prefix_to_component = {"issue": "issues", "approach": "approaches", "workforce": "workforce", "text": "text"}
    assert [COMPONENTS[c] for c in VEC.component_of_] == [prefix_to_component[n.split(":")[0]] for n in names]
    assert all(VEC.column_[n] == i for i, n in enumerate(names))
    assert VEC.initiative_matrix_.shape == (len(CAT), len(names))


@pytest.mark.parametrize("init", CAT.initiatives, ids=CAT.ids)
def test_initiative_row_holds_strength_thirds_approach_ones_and_focus_thirds(init):
    row = VEC.initiative_matrix_[CAT.ids.index(init.id)]
    assert _row(row, "issue:") == pytest.approx({k: s / 3 for k, s in init.issues.items()})
    assert _row(row, "approach:") == {k: 1.0 for k in init.approaches}
    focus = {"women": init.workforce.women / 3, "migrants": init.workforce.migrants / 3}
    assert _row(row, "workforce:") == pytest.approx({k: v for k, v in focus.items() if v})
    assert row[VEC.column_["text:description"]] == 0.0  # filled per profile, not stored


def test_initiative_rows_spot_values():
    mill = VEC.initiative_matrix_[CAT.ids.index("better-mill-initiative")]
    assert mill[VEC.column_["issue:chemicals"]] == 1.0
    assert mill[VEC.column_["issue:air_emissions"]] == pytest.approx(2 / 3)
    assert mill[VEC.column_["issue:health_safety"]] == pytest.approx(1 / 3)
    assert mill[VEC.column_["issue:wages"]] == 0.0
    her = VEC.initiative_matrix_[CAT.ids.index("herproject")]
    assert her[VEC.column_["workforce:women"]] == 1.0
    assert her[VEC.column_["workforce:migrants"]] == 0.0


@pytest.mark.parametrize(
    ("issues", "description", "expected"),
    [
        (["wages"], "", {"wages": 1.0}),
        ({"wages": 3, "childcare": 1}, "", {"wages": 0.75, "childcare": 0.25}),
        ({"wages": 2, "water": 2, "energy": 1}, "", {"wages": 0.4, "water": 0.4, "energy": 0.2}),
        # inferred issues (harassment, working hours) count with weight 1
        ({"wages": 3, "childcare": 1}, "harassment by supervisors and overtime",
         {"wages": 0.5, "childcare": 1 / 6, "harassment": 1 / 6, "working_hours": 1 / 6}),
        # a stated issue the description also mentions keeps its stated weight
        ({"wages": 3}, "low pay and overtime", {"wages": 0.75, "working_hours": 0.25}),
    ],
)
def test_profile_issue_block_is_weight_over_total(issues, description, expected):
    _, values, applicable = _profile_row(issues=issues, description=description)
    assert _row(values, "issue:") == pytest.approx(expected)
    assert sum(_row(values, "issue:").values()) == pytest.approx(1.0)
    assert applicable["issues"]


@pytest.mark.parametrize(
    ("prefers", "expected"),
    [
        ([], {}),
        (["training"], {"training": 1.0}),
        (["training", "finance"], {"training": 0.5, "finance": 0.5}),
        (["training", "finance", "mobile_app"], {"training": 1 / 3, "finance": 1 / 3, "mobile_app": 1 / 3}),
    ],
)
def test_profile_approach_block_is_one_over_preferences(prefers, expected):
    _, values, applicable = _profile_row(prefers=prefers)
    assert _row(values, "approach:") == pytest.approx(expected)
    assert bool(applicable["approaches"]) is bool(prefers)


@pytest.mark.parametrize(
    ("workforce", "expected", "applies"),
    [
        ({}, {}, False),
        ({"size": 800}, {}, False),
        ({"women_share": 0.6}, {"women": 0.6}, True),
        ({"migrant_share": 0.4}, {"migrants": 0.4}, True),
        ({"women_share": 0.6, "migrant_share": 0.2}, {"women": 0.3, "migrants": 0.1}, True),
        # a share of 0 is given: it applies, and halves the other one
        ({"women_share": 0.8, "migrant_share": 0.0}, {"women": 0.4}, True),
        ({"women_share": 0.0}, {}, True),
    ],
)
def test_profile_workforce_block_divides_by_shares_given(workforce, expected, applies):
    _, values, applicable = _profile_row(workforce=workforce)
    assert _row(values, "workforce:") == pytest.approx(expected)
    assert bool(applicable["workforce"]) is applies


@pytest.mark.parametrize(
    ("description", "signal"),
    [
        ("", False),
        ("xyzzy plugh frobnicate", False),
        ("the and of with", False),  # stop words only
        ("wastewater", True),
        ("Our dyeing mill has wastewater problems", True),
    ],
)
def test_text_column_set_only_when_description_has_vocabulary_words(description, signal):
    _, values, applicable = _profile_row(description=description)
    assert values[VEC.column_["text:description"]] == float(signal)
    assert bool(applicable["text"]) is signal
    sim, has_signal = VEC.text_similarity([description])
    assert has_signal.tolist() == [signal]
    assert bool((sim[0] > 0).any()) is signal


def test_text_similarity_is_the_clipped_cosine_in_the_unit_interval():
    descriptions = ["Dyeing mill with wastewater and chemical problems", "", "xyzzy",
                    "Workers complain about overtime and low pay, overtime overtime",
                    "Children of migrant workers left behind", "women's health and menstrual hygiene"]
    sim, has_signal = VEC.text_similarity(descriptions)
    assert sim.shape == (len(descriptions), len(CAT))
    assert ((sim >= 0) & (sim <= 1)).all()
    assert has_signal.tolist() == [True, False, False, True, True, True]
    assert not sim[~has_signal].any()
    dense = VEC.text_.transform(descriptions) @ VEC.document_vectors_.T
    np.testing.assert_allclose(sim, np.clip(dense, 0, 1), rtol=0, atol=1e-12)
    assert CAT.ids[int(sim[0].argmax())] == "better-mill-initiative"


_WORDS = sorted(VEC.text_.vocabulary_)[::7] + ["xyzzy", "plugh"] + sorted(STOP_WORDS)[:5]
_descriptions = st.lists(st.sampled_from(_WORDS), max_size=10).map(" ".join)


@SEEDED
@given(st.lists(_descriptions, min_size=1, max_size=6))
def test_text_similarity_of_a_row_does_not_depend_on_the_rows_beside_it(descriptions):
    batched, batched_signal = VEC.text_similarity(descriptions)
    for i, d in enumerate(descriptions):
        alone, alone_signal = VEC.text_similarity([d])
        assert np.array_equal(alone[0], batched[i])
        assert alone_signal[0] == batched_signal[i]
    reversed_, _ = VEC.text_similarity(descriptions[::-1])
    assert np.array_equal(reversed_[::-1], batched)


profile_dicts = st.fixed_dictionaries(
    {
        **{k: st.just(v) for k, v in BASE.items()},
        "issues": st.dictionaries(st.sampled_from(ISSUES), st.integers(1, 3), min_size=1, max_size=6),
        "prefers": st.lists(st.sampled_from(APPROACHES), max_size=4, unique=True),
        "workforce": st.fixed_dictionaries(
            {}, optional={"women_share": st.floats(0, 1), "migrant_share": st.floats(0, 1)}
        ),
        "description": st.sampled_from(["", "overtime and harassment", "wastewater from the dye house", "xyzzy"]),
    }
)


@SEEDED
@given(st.lists(profile_dicts, min_size=1, max_size=4))
def test_profile_blocks_sum_to_one_or_less_and_rows_are_independent(dicts):
    profiles = [load_profile(d, catalogue=CAT) for d in dicts]
    pm = VEC.transform(profiles)
    for row, p in enumerate(profiles):
        values = pm.values[row]
        block = {c: values[VEC.component_of_ == k].sum() for k, c in enumerate(COMPONENTS)}
        assert block["issues"] == pytest.approx(1.0)
        assert block["approaches"] == pytest.approx(1.0 if p.prefers else 0.0)
        assert 0.0 <= block["workforce"] <= 1.0 + 1e-12
        assert block["text"] in (0.0, 1.0)
        alone = VEC.transform([p])
        assert np.array_equal(alone.values[0], values)
        assert np.array_equal(alone.applicable[0], pm.applicable[row])
        assert np.array_equal(alone.text_similarity[0], pm.text_similarity[row])
