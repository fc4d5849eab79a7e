"""Invariants of the scorer and the loaders, stated as hypothesis properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import InputError, MatchError, load_catalogue, recommend
from recommender.loading import decode, parse_yaml
from recommender.validate import validate_profile

CAT = load_catalogue()
ISSUES = list(CAT.taxonomy.issues)
APPROACHES = list(CAT.taxonomy.approaches)
SECTORS = list(CAT.taxonomy.sectors)
COUNTRIES = ["BD", "CN", "VN", "KH", "IN", "ID", "TR", "PK", "ET", "GB", "NL", "US", "MX", "GH", "BR"]

profiles = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(COUNTRIES),
        "sector": st.sampled_from(SECTORS),
        "issues": st.dictionaries(st.sampled_from(ISSUES), st.integers(1, 3), min_size=1, max_size=6),
    },
    optional={
        "sourcing_countries": st.lists(st.sampled_from(COUNTRIES), max_size=4, unique=True),
        "prefers": st.lists(st.sampled_from(APPROACHES), max_size=3, unique=True),
        "memberships": st.lists(st.sampled_from(list(CAT.ids)), max_size=2, unique=True),
        "workforce": st.fixed_dictionaries(
            {},
            optional={
                "size": st.integers(1, 100_000),
                "women_share": st.floats(0, 1),
                "migrant_share": st.floats(0, 1),
            },
        ),
        "description": st.sampled_from(
            ["", "Dyeing mill with wastewater and chemical problems", "Children of migrant workers left behind",
             "Workers complain about overtime and low pay", "xyzzy plugh"]
        ),
    },
)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(profiles)
def test_scores_in_unit_interval_and_decompose(profile):
    result = recommend(profile, top=15)
    for rec in (*result.shortlist, *result.memberships):
        assert 0.0 <= rec.score <= 1.0 + 1e-12
        assert math.isclose(sum(c.value for c in rec.contributions), rec.score, abs_tol=1e-12)
        shown = rec.to_dict()
        assert math.isclose(sum(shown["contributions"].values()), shown["score"], abs_tol=1e-9)


@FAST
@given(profiles)
def test_excluded_never_shortlisted_and_members_never_recommended(profile):
    result = recommend(profile, top=15)
    excluded = {e.id for e in result.excluded}
    short = [r.id for r in result.shortlist]
    assert not excluded & set(short)
    assert not set(result.profile.memberships) & set(short)
    assert len(short) == len(set(short))
    assert [r.rank for r in result.shortlist] == list(range(1, len(short) + 1))
    scores = [round(r.score, 9) for r in result.shortlist]
    assert scores == sorted(scores, reverse=True)


@FAST
@given(profiles, st.randoms(use_true_random=False))
def test_issue_order_does_not_change_the_result(profile, rnd):
    items = list(profile["issues"].items())
    rnd.shuffle(items)
    shuffled = {**profile, "issues": dict(items)}
    a = recommend(profile, top=15).to_dict()
    b = recommend(shuffled, top=15).to_dict()
    for d in (a, b):
        d["profile"].pop("issues")
        for r in d["shortlist"] + d["memberships"]:
            r.pop("reasons"), r.pop("cautions"), r.pop("gaps"), r.pop("sources")
            r["contributions"] = {k: round(v, 3) for k, v in r["contributions"].items()}
        d.pop("message")
        d["uncovered"] = sorted(d["uncovered"])
    assert [r["id"] for r in a["shortlist"]] == [r["id"] for r in b["shortlist"]]
    assert a == b


@FAST
@given(profiles)
def test_same_input_same_output(profile):
    assert recommend(profile).to_dict() == recommend(dict(profile)).to_dict()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_load_or_raise_our_error(data):
    try:
        doc = parse_yaml(decode(data, source="<bytes>"), source="<bytes>")
        validate_profile(doc, catalogue=CAT)
    except MatchError:
        pass


yaml_text = st.text(alphabet=st.sampled_from(list("abc: -[]{}&*!|>'\"#\n\t 0123,.?%@`~")), max_size=120)


@settings(max_examples=400, deadline=None)
@given(yaml_text)
def test_arbitrary_yaml_text_loads_or_raises_our_error(text):
    try:
        validate_profile(parse_yaml(text, source="<t>"), catalogue=CAT)
    except MatchError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "kind", "country", "sector", "issues", "workforce", "prefers",
                                        "memberships", "description", "sourcing_countries", "id", "other"]),
                       json_values, max_size=8))
def test_arbitrary_mappings_load_or_raise_our_error(data):
    try:
        validate_profile(data, catalogue=CAT)
    except MatchError:
        pass


def test_input_error_is_a_match_error():
    with pytest.raises(InputError):
        decode(b"", source="x")
