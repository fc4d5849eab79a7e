"""The smallest combination of shortlisted initiatives covering the most weighted issues."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from recommender.analysis.coverage import best_combination, coverage


def test_picks_the_smallest_best_set():
    plan = best_combination(
        [("a", "A", {"x": 3, "y": 1}), ("b", "B", {"y": 3}), ("c", "C", {"x": 3, "y": 3})],
        {"x": 2, "y": 1},
    )
    assert plan.ids == ("c",)
    assert plan.coverage == 1.0 and plan.uncovered == () and plan.partly == ()


def test_reports_what_stays_uncovered_and_steps_add_up():
    plan = best_combination([("a", "A", {"x": 3}), ("b", "B", {"y": 2})], {"x": 1, "y": 1, "z": 2})
    assert set(plan.ids) == {"a", "b"}
    assert plan.uncovered == ("z",)
    assert plan.partly == ("y",)
    assert abs(sum(s.adds for s in plan.steps) - plan.coverage) < 1e-12
    assert abs(plan.coverage - coverage([{"x": 3}, {"y": 2}], {"x": 1, "y": 1, "z": 2})) < 1e-12


def test_nothing_covers_nothing():
    plan = best_combination([("a", "A", {"x": 3})], {"y": 1})
    assert plan.ids == () and plan.coverage == 0 and plan.uncovered == ("y",)


strengths = st.dictionaries(st.sampled_from("uvwxyz"), st.integers(1, 3), max_size=4)


@given(st.lists(strengths, min_size=1, max_size=6),
    st.dictionaries(st.sampled_from("uvwxyz"), st.integers(1, 3), min_size=1))
def test_plan_is_optimal_and_minimal(cands, weights):
    items = [(f"i{n}", f"I{n}", s) for n, s in enumerate(cands)]
    plan = best_combination(items, weights)
    best = coverage(cands, weights)
    assert abs(plan.coverage - best) < 1e-9
    if plan.ids:
        smaller = len(plan.ids) - 1
        for combo in itertools.combinations(cands, smaller):
            assert coverage(list(combo), weights) < best - 1e-12


@given(st.lists(strengths, min_size=0, max_size=6),
       st.dictionaries(st.sampled_from("uvwxyz"), st.integers(1, 3), min_size=1))
def test_uncovered_and_partly_describe_the_plan_and_steps_add_up(cands, weights):
    items = [(f"i{n}", f"I{n}", s) for n, s in enumerate(cands)]
    plan = best_combination(items, weights)
    chosen = [next(s for j, _, s in items if j == i) for i in plan.ids]
    depth = {k: max((s.get(k, 0) for s in chosen), default=0) for k in weights}
    assert plan.uncovered == tuple(k for k in weights if depth[k] == 0)
    assert plan.partly == tuple(k for k in weights if 0 < depth[k] < 3)
    assert abs(sum(s.adds for s in plan.steps) - plan.coverage) < 1e-12
    assert all(s.adds > 0 for s in plan.steps)
    assert [s.total for s in plan.steps] == sorted(s.total for s in plan.steps)
    assert abs(plan.coverage - coverage(chosen, weights)) < 1e-12
