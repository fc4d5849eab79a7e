"""Distinct rows (`core.rows`) and the column-wise formula neutraliser, against their
one-at-a-time definitions."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from recommender.core import rows
from recommender.core.rows import distinct_rows
from recommender.output import csv_safe, csv_safe_arrow


def _reference(matrix: np.ndarray) -> tuple[list[int], list[int]]:
    seen: dict[bytes, int] = {}
    first, codes = [], []
    for i, row in enumerate(matrix):
        key = row.tobytes()
        if key not in seen:
            seen[key] = len(first)
            first.append(i)
        codes.append(seen[key])
    return first, codes


matrices = st.one_of(
    hnp.arrays(np.uint64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=12),
               elements=st.sampled_from([0, 1, 2**63, 2**64 - 1])),
    hnp.arrays(np.bool_, hnp.array_shapes(min_dims=2, max_dims=2, max_side=12)),
    hnp.arrays(np.int8, hnp.array_shapes(min_dims=2, max_dims=2, max_side=9), elements=st.integers(-2, 2)),
)


@settings(deadline=None)
@given(matrices)
def test_distinct_rows_in_order_of_first_appearance(matrix):
    first, codes = distinct_rows(matrix)
    ref_first, ref_codes = _reference(matrix)
    assert first.tolist() == ref_first and codes.tolist() == ref_codes
    assert np.array_equal(matrix[first][codes], matrix)


def test_rows_that_share_a_hash_are_still_told_apart(monkeypatch):
    # Every row hashes alike: the check finds it and the exact path answers.
    monkeypatch.setattr(rows, "_MIX", np.zeros(4096, dtype=np.uint64))
    matrix = np.array([[1, 0], [0, 1], [1, 0], [1, 1]], dtype=np.uint8)
    first, codes = distinct_rows(matrix)
    assert first.tolist() == [0, 1, 3] and codes.tolist() == [0, 1, 0, 2]


def test_distinct_rows_of_nothing():
    first, codes = distinct_rows(np.zeros((0, 3), dtype=np.uint64))
    assert len(first) == len(codes) == 0


@settings(deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=8),
                          st.sampled_from(["-3.5", "-3\n", "=1+1", "+.5", "-1e5", "- 3", "@", "\t-", "-"])),
                max_size=30))
def test_csv_safe_on_a_column_is_csv_safe_on_each_cell(values):
    got = csv_safe_arrow(pa.array(values, type=pa.string())).to_pylist()
    assert got == [csv_safe(v) for v in values]
