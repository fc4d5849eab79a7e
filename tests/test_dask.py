"""score_frame unchanged under Dask's map_partitions, against the pandas result."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender import load_catalogue, score_frame

dd = pytest.importorskip("dask.dataframe", reason="dask is an optional extra: pip install 'beyond-audit-match[dask]'")

CAT = load_catalogue()
ROWS = pd.read_csv(
    __import__("pathlib").Path(__file__).resolve().parent.parent / "profiles" / "suppliers-template.csv",
    dtype=str, keep_default_na=False,
)


@pytest.mark.parametrize(("partitions", "scheduler"), [
    (1, "synchronous"), (3, "synchronous"), (5, "synchronous"), (4, "threads"), (3, "processes"),
])
def test_map_partitions_equals_pandas(partitions, scheduler):
    import dask

    frame = pd.concat([ROWS] * 3, ignore_index=True)
    expected = score_frame(frame, CAT, top=4)
    ddf = dd.from_pandas(frame, npartitions=partitions)
    meta = score_frame(frame.head(0), CAT, top=4)
    with dask.config.set(scheduler=scheduler):
        got = ddf.map_partitions(score_frame, CAT, 4, meta=meta).compute()
    got = got.reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_meta_of_an_empty_partition_has_the_columns():
    meta = score_frame(ROWS.head(0), CAT)
    assert meta.empty and list(meta.columns)[:3] == ["supplier_id", "supplier_name", "rank"]
