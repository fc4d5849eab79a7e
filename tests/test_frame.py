"""score_frame: the batch path builds the same `ProfileBatch` as recommend() and ranks it with
the same engine, so every row gives recommend()'s shortlist (ids, order, shown scores)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import InputError, ProfileError, load_catalogue, recommend
from recommender.core.batch import ProfileBatch
from recommender.core.scoring import rounded
from recommender.core.validate import split_list, validate_profile
from recommender.suppliers.frame import (
    SHORTLIST_COLUMNS,
    FrameScorer,
    _plain_number,
    _plain_numbers,
    cell_value,
    match_columns,
    row_profile,
    score_frame,
)

from .conftest import initiative

CAT = load_catalogue()
TAX = CAT.taxonomy
ISSUES = list(TAX.issues)
APPROACHES = list(TAX.approaches)
OFFERS = list(TAX.offers)
SECTORS = list(TAX.sectors)
COUNTRIES = ["BD", "bgd", "Bangladesh", "CN", "China", "VN", "Viet Nam", "vietnam", "KH", "IN", "India",
             "ID", "TR", "Türkiye", "PK", "ET", "GB", "UK", "NL", "US", "usa", "MX", "HN", "SV", "LK", "MM", "NI"]
KINDS = ["factory", "brand", "Factory", "BRAND", "supplier", "retailer", "mill", "buyer"]
KEYWORDS = sorted({w for e in TAX.issues.values() for k in e.keywords for w in k.split()})
PHRASES = sorted({k for e in TAX.offers.values() for k in e.keywords})
FILLER = ["the", "factory", "plant", "buyers", "want", "workers", "line", "dyeing", "export", "knit",
          "programme", "survey", "supervisors", "training", "effluent", "mill", "and", "with", "."]


def spelled(section: str, key: str) -> st.SearchStrategy[str]:
    """A key as a user might write it: the key, an alias, upper case, hyphens for underscores."""
    entry = getattr(TAX, section)[key]
    forms = [key, key.upper(), key.replace("_", " "), key.replace("_", "-"), *entry.aliases[:3]]
    return st.sampled_from(forms)


@st.composite
def supplier(draw) -> tuple[dict, dict]:
    """(profile mapping for recommend(), the same profile as spreadsheet cells)."""
    keys = draw(st.lists(st.sampled_from(ISSUES), min_size=1, max_size=5, unique=True))
    weights = [draw(st.sampled_from([None, 1, 2, 3])) for _ in keys]
    names = [draw(spelled("issues", k)) for k in keys]
    profile: dict = {
        "name": draw(st.text("abcdefghij XYZ-&'.", min_size=1, max_size=20).filter(str.strip)),
        "kind": draw(st.sampled_from(KINDS)),
        "country": draw(st.sampled_from(COUNTRIES)),
        "sector": draw(st.sampled_from(SECTORS).flatmap(lambda k: spelled("sectors", k))),
        "issues": {n: (w if w is not None else 2) for n, w in zip(names, weights)},
    }
    row: dict = {k: profile[k] for k in ("name", "kind", "country", "sector")}
    row["issues"] = ";".join(n if w is None else f"{n}:{w}" for n, w in zip(names, weights))
    if draw(st.booleans()):
        src = draw(st.lists(st.sampled_from(["BD", "CN", "VN", "KH", "IN", "TR", "HN", "ET", "GB", "NI"]),
                            max_size=4, unique=True))
        profile["sourcing_countries"] = src
        row["sourcing_countries"] = "; ".join(src)
    if draw(st.booleans()):
        prefers = draw(st.lists(st.sampled_from(APPROACHES), min_size=1, max_size=3, unique=True))
        profile["prefers"] = prefers
        row["prefers"] = ";".join(prefers)
    if draw(st.integers(0, 3)) == 0:
        wants = draw(st.lists(st.sampled_from(OFFERS), min_size=1, max_size=2, unique=True))
        profile["wants"] = wants
        row["wants"] = ";".join(wants)
    if draw(st.integers(0, 3)) == 0:
        members = draw(st.lists(st.sampled_from(CAT.ids), min_size=1, max_size=2, unique=True))
        profile["memberships"] = members
        row["memberships"] = ";".join(CAT[m].name if i % 2 else m for i, m in enumerate(members))
    workforce = {}
    if draw(st.booleans()):
        workforce["size"] = row["workforce_size"] = draw(st.integers(1, 200_000))
    if draw(st.booleans()):
        workforce["women_share"] = row["women_share"] = draw(st.integers(0, 100)) / 100
    if draw(st.booleans()):
        workforce["migrant_share"] = row["migrant_share"] = draw(st.integers(0, 100)) / 100
    if workforce:
        profile["workforce"] = workforce
    if draw(st.booleans()):
        words = draw(st.lists(st.sampled_from(KEYWORDS + FILLER + PHRASES), min_size=1, max_size=25))
        profile["description"] = row["description"] = " ".join(words)
    if draw(st.booleans()):
        profile["id"] = row["id"] = f"OS{draw(st.integers(0, 10**6)):07d}"
    return profile, row


def _frame(pairs):
    return pd.DataFrame([row for _, row in pairs], columns=list(dict.fromkeys(
        ["id", "name", "kind", "country", "sector", "issues"] + [k for _, r in pairs for k in r])))


def assert_same_as_recommend(pairs: list[tuple[dict, dict]], top: int) -> None:
    out = score_frame(_frame(pairs), CAT, top=top)
    for i, (raw, _) in enumerate(pairs):
        mine = out[out["row"] == i]
        got = [(a, b) for a, b in zip(mine["initiative_id"], mine["score"]) if isinstance(a, str)]
        want = recommend(raw, catalogue=CAT, top=top)
        assert [a for a, _ in got] == [r.id for r in want.shortlist], (raw, got)
        # Scores as shown, through the one rounding rule (numpy's, as `to_dict` uses).
        assert [float(rounded(b)) for _, b in got] == [r.to_dict()["score"] for r in want.shortlist]
        assert np.allclose([b for _, b in got], [r.score for r in want.shortlist], rtol=0, atol=1e-6)
        assert list(mine["rank"].dropna()) == list(range(1, len(want.shortlist) + 1))
        assert set(mine["initiative_name"].dropna()) == {r.name for r in want.shortlist}
        assert set(mine["supplier_name"]) == {want.profile.name}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(supplier(), min_size=1, max_size=8), st.integers(1, 6))
def test_score_frame_equals_recommend_per_row(pairs, top):
    assert_same_as_recommend(pairs, top)


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(supplier(), min_size=100, max_size=120), st.integers(1, 6))
def test_large_frames_equal_recommend_per_row(pairs, top):
    assert_same_as_recommend(pairs, top)


def test_a_row_scores_to_the_last_bit_as_recommend_scores_it():
    """`core.scoring` promises the same bits alone or among a million: descriptions beside it included."""
    rows = [{"name": "X", "kind": "factory", "country": "BD", "sector": "garment", "issues": "wages",
             "description": text} for text in ("Overtime in peak season and low pay for the sewing line.",
                                               "We want anonymous surveys by phone between audits.",
                                               "Dye house effluent limits and chemical spills.")]
    out = score_frame(pd.DataFrame(rows), CAT, top=5)
    for i, raw in enumerate(rows):
        got = out[out["row"] == i]["score"].tolist()
        assert got == [r.score for r in recommend(row_profile(raw), catalogue=CAT).shortlist]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(supplier(), min_size=1, max_size=40))
def test_the_frame_s_batch_is_the_profiles_batch_bit_for_bit(pairs):
    scorer = FrameScorer(CAT)
    parsed = scorer.parse(_frame(pairs))
    assert parsed.valid.all()
    frame = scorer.batch(parsed)
    profiles = [validate_profile(p, catalogue=CAT) for p, _ in pairs]
    core = ProfileBatch.from_profiles(profiles, scorer.engine.keys)
    for name in ("kind", "country", "sourcing", "sectors", "stated", "inferred", "prefers", "wants", "members"):
        assert np.array_equal(getattr(frame, name), getattr(core, name)), name
    assert np.array_equal(frame.shares, core.shares, equal_nan=True)
    assert np.array_equal(frame.size, core.size, equal_nan=True)
    said = lambda b: [b.descriptions[t] if t >= 0 else "" for t in b.text]  # noqa: E731
    assert said(frame) == said(core)
    run, alone = scorer.run(parsed), scorer.engine.run(core)
    assert np.array_equal(run.states, alone.states) and np.array_equal(run.eligible, alone.eligible)
    assert np.array_equal(scorer.eligibility(parsed), alone.eligible)


# --- columns and cells --------------------------------------------------------------------------


def test_columns_match_case_insensitively_with_aliases():
    found, unmatched = match_columns(
        ["Facility Name", "Country Code", "Number of workers", "% women", "Industry", "TYPE", "Issues", "Address",
         "Wanted services"])
    assert found == {
        "Facility Name": "name", "Country Code": "country", "Number of workers": "workforce_size",
        "% women": "women_share", "Industry": "sector", "TYPE": "kind", "Issues": "issues", "Wanted services": "wants",
    }
    assert unmatched == ["Address"]


def test_missing_required_column_is_an_input_error_with_a_hint():
    with pytest.raises(InputError, match="missing required column: country") as info:
        match_columns(["name", "kind", "countyr", "sector", "issues"])
    assert "'countyr' looks like country" in info.value.hint


def test_two_columns_for_one_field_is_an_input_error():
    with pytest.raises(InputError, match="both give the name field"):
        match_columns(["Name", "Facility Name", "kind", "country", "sector", "issues"])


@pytest.mark.parametrize(
    ("field", "cell", "value"),
    [
        ("workforce_size", "4200", 4200), ("workforce_size", " 4,200 ", 4200), ("workforce_size", 4200.0, 4200),
        ("women_share", "0.8", 0.8), ("women_share", "80%", "80%"), ("women_share", 1.0, 1.0),
        ("name", "  Mill  ", "Mill"), ("name", "", None), ("id", 12345.0, 12345),
        ("description", float("nan"), None), ("issues", "wages:3; chemicals", "wages:3; chemicals"),
    ],
)
def test_cell_values(field, cell, value):
    assert cell_value(field, cell) == value


def test_row_profile_nests_the_workforce():
    row = {"name": "A", "kind": "factory", "country": "BD", "sector": "garment", "issues": "wages",
           "workforce_size": "1,200", "women_share": "", "description": "  "}
    assert row_profile(row) == {"name": "A", "kind": "factory", "country": "BD", "sector": "garment",
                                "issues": "wages", "workforce": {"size": 1200}}


# --- errors and edge rows -----------------------------------------------------------------------


def test_bad_rows_raise_or_are_skipped():
    df = pd.DataFrame([
        {"name": "Good", "kind": "factory", "country": "BD", "sector": "garment", "issues": "wages"},
        {"name": "Bad", "kind": "factory", "country": "Bangladsh", "sector": "garment", "issues": "wages"},
    ])
    with pytest.raises(ProfileError, match="unknown country 'Bangladsh'") as info:
        score_frame(df)
    assert info.value.field == "country" and "did you mean Bangladesh (BD)?" in info.value.describe()
    out = score_frame(df, errors="skip")
    assert set(out["supplier_name"]) == {"Good"}
    with pytest.raises(ValueError):
        score_frame(df, errors="ignore")


def test_every_failing_field_of_a_row_is_reported_in_validation_order():
    df = pd.DataFrame([{"name": "", "kind": "factry", "country": "XX", "sector": "aparel",
                        "issues": "wagez:3", "women_share": "80"}], index=[7])
    result = FrameScorer(CAT).score(df)
    assert [(e.row, e.field) for e in result.errors] == [
        (7, "kind"), (7, "issues.0"), (7, "name"), (7, "country"), (7, "sector"), (7, "workforce.women_share"),
    ]
    reasons = {e.field: e.reason for e in result.errors}
    assert "did you mean 'wages'" in reasons["issues.0"]
    assert "did you mean 'garment'?" in reasons["sector"]
    assert "write 0.8 for 80 %" in reasons["workforce.women_share"]
    assert result.shortlists.empty


def test_errors_match_validate_profile_messages():
    bad = {"name": "X", "kind": "factory", "country": "BD", "sector": "garment", "issues": "wages:5"}
    with pytest.raises(ProfileError) as single:
        validate_profile(row_profile(bad), catalogue=CAT)
    error = FrameScorer(CAT).score(pd.DataFrame([bad])).errors[0]
    assert error.reason == single.value.message + f" ({single.value.hint})"
    assert error.field == single.value.field


def test_supplier_with_no_match_keeps_one_line_that_says_why(make_catalogue):
    small = make_catalogue([initiative("wages-only", issues={"wages": 3})])
    df = pd.DataFrame([{"name": "Farm", "kind": "factory", "country": "NO", "sector": "footwear",
                        "issues": "childcare"}])
    assert not recommend(row_profile(df.iloc[0].to_dict()), catalogue=small).shortlist
    out = score_frame(df, catalogue=small)
    assert len(out) == 1
    assert pd.isna(out.loc[0, "rank"]) and pd.isna(out.loc[0, "initiative_id"])
    assert out.loc[0, "reasons"].startswith("no ")


def test_memberships_are_left_out_of_the_shortlist():
    row = {"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles", "issues": "chemicals;water"}
    first = score_frame(pd.DataFrame([row]), top=1)["initiative_id"][0]
    again = score_frame(pd.DataFrame([{**row, "memberships": CAT[first].name}]), top=3)
    assert first not in set(again["initiative_id"])


def test_empty_frame_gives_empty_result_with_the_columns():
    out = score_frame(pd.DataFrame(columns=["name", "kind", "country", "sector", "issues"]))
    assert list(out.columns) == list(SHORTLIST_COLUMNS) and out.empty


def test_reasons_name_covered_issues_approaches_and_offers():
    df = pd.DataFrame([{"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles",
                        "issues": "chemicals:3;water", "prefers": "advisory", "wants": "mill_resource_efficiency"}])
    out = score_frame(df, top=1)
    first = out.loc[0, "initiative_id"]
    init = CAT[first]
    reasons = out.loc[0, "reasons"]
    covered = [k.replace("_", " ") for k in ("chemicals", "water") if k in init.issues]
    assert reasons.startswith(f"covers {', '.join(covered)} ({len(covered)} of 2 issues)")
    if "advisory" in init.approaches:
        assert "via advisory" in reasons
    if init.offers.get("mill_resource_efficiency", 0) >= 2:
        assert "offers mill resource efficiency" in reasons


def test_a_frame_of_object_columns_is_scored_as_its_text_columns_are():
    """pandas hands back a read-only array for an object column: scoring must not write into it."""
    df = pd.DataFrame([{"id": "F1", "name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles",
                        "issues": "chemicals;water", "description": "Dye house."}])
    pd.testing.assert_frame_equal(score_frame(df.astype(object)), score_frame(df))


def test_list_cells_from_a_dataframe_are_accepted():
    row = {"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles"}
    a = score_frame(pd.DataFrame([{**row, "issues": ["chemicals", "water"]}]), top=3)
    b = score_frame(pd.DataFrame([{**row, "issues": "chemicals;water"}]), top=3)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("field", ["workforce_size", "women_share", "migrant_share"])
@pytest.mark.parametrize("value", [0, 1, 2, 999_999, 1_000_000, 1_000_001, -1, 0.0, 0.5, 1.0, 1.5, -0.1,
                                   float("inf"), 4200.0, 12.5, True, False, "80%", "0.8"])
def test_plain_workforce_numbers_read_as_validation_reads_them(field, value):
    """The batch path accepts plain numbers without a lookup: exactly those validation accepts."""
    from recommender.suppliers.frame import _plain_number

    scorer = FrameScorer(CAT)
    plain = _plain_number(field, value)
    try:
        expected = scorer.resolve(field, value)
    except ProfileError:
        assert plain is None
        return
    if plain is not None:
        assert plain == expected and type(plain) is type(expected)


@given(st.lists(st.sampled_from(ISSUES + ["wagez", "wages:3", "wages:5", "Living Wage", " ", ""]), max_size=5),
       st.sampled_from([";", ",", "; ", "\n", " , "]))
@settings(max_examples=150, deadline=None)
def test_issue_cells_read_as_validation_reads_them(items, sep):
    """An issue cell split in bulk gives the weights and the error `validate_profile` gives."""
    cell = sep.join(items)
    scorer = FrameScorer(CAT)
    col = scorer._column(pd.Series([cell, "wages"], dtype=object), 2, "issues")
    try:
        expected = scorer.resolve("issues", cell_value("issues", cell))
    except ProfileError as exc:
        assert col.errors[col.codes[0]] is not None
        assert col.errors[col.codes[0]].message == exc.message
        return
    assert col.errors[col.codes[0]] is None
    got = {k: int(w) for k, w in zip(scorer.issue_keys, col.matrix[col.codes[0]]) if w}
    assert got == expected


@given(st.lists(st.text(alphabet=st.sampled_from(list("ab ;,\n\t\r:3é_")), max_size=12), min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_bulk_split_splits_cells_as_split_list_does(cells):
    from recommender.suppliers.frame import _split_items

    parent, codes, items = _split_items(cells)
    got = [[] for _ in cells]
    for cell, code in zip(parent, codes):
        got[cell].append(items[code])
    assert got == [split_list(c) for c in cells]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.integers(-5, 2_000_000).map(str), st.floats(0, 1.2).map(lambda x: f"{x:.{int(x * 1000) % 13}f}"),
    st.sampled_from(["0", "1", "0007", ".5", "0.", "1.0", "1e3", " 5", "٣", "+5", "100%", "1,200", ""]),
    st.text(max_size=6)), max_size=40))
def test_plain_workforce_cells_read_at_once_as_one_by_one(cells):
    """The vectorised reading of plain numbers gives what `cell_value` and validation give."""
    for field_name in ("workforce_size", "women_share", "migrant_share"):
        fast = _plain_numbers(field_name, [*cells, None])
        if fast is None:  # no text cell at all
            assert not cells
            continue
        for cell, got in zip(cells, fast):
            if got is None:
                continue  # read one by one
            raw = cell_value(field_name, cell)
            assert raw == got and type(raw) is type(got)
            assert _plain_number(field_name, raw) == (got if field_name == "workforce_size" else float(got))


def test_inferred_needs_are_the_same_however_a_country_is_spelled_and_in_every_chunk():
    rows = [{"name": f"F{i}", "kind": "factory", "country": c, "sector": s, "women_share": w}
            for i, (c, s, w) in enumerate([("BD", "garment", "0.8"), ("Bangladesh", "apparel", "0.8"),
                                           ("bgd", "garment", ""), ("VN", "footwear", "0.2")])]
    scorer = FrameScorer(CAT)
    first = scorer.score(pd.DataFrame(rows)).lines.frame()
    again = scorer.score(pd.DataFrame(rows)).lines.frame()  # the memo from the first chunk
    assert first.drop(columns="row").equals(again.drop(columns="row"))
    for i, raw in enumerate(rows):
        mine = first[first["row"] == i]
        want = recommend(row_profile(raw), catalogue=CAT)
        assert mine["initiative_id"].tolist() == [r.id for r in want.shortlist]
        assert np.allclose(mine["score"].tolist(), [r.score for r in want.shortlist], rtol=0, atol=1e-12)
        assert all("inferred from" in r for r in mine["reasons"])
    assert first[first["row"] == 0]["reasons"].tolist() == first[first["row"] == 1]["reasons"].tolist()
