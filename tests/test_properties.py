"""Invariants of the scorer and the loaders, stated as hypothesis properties."""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import InputError, MatchError, Profile, load_catalogue, load_profile, recommend
from recommender.core.recommend import RECOMMEND_BAR
from recommender.core.validate import validate_profile
from recommender.loading import decode, parse_yaml
from recommender.output import csv_safe
from recommender.vocabulary import clean_text

CAT = load_catalogue()
ISSUES = list(CAT.taxonomy.issues)
APPROACHES = list(CAT.taxonomy.approaches)
SECTORS = list(CAT.taxonomy.sectors)
COUNTRIES = ["BD", "CN", "VN", "KH", "IN", "ID", "TR", "PK", "ET", "GB", "NL", "US", "MX", "GH", "BR"]

profiles = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=40).filter(clean_text),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(COUNTRIES),
        "sector": st.sampled_from(SECTORS),
        "issues": st.dictionaries(st.sampled_from(ISSUES), st.integers(1, 3), min_size=1, max_size=6),
    },
    optional={
        "sourcing_countries": st.lists(st.sampled_from(COUNTRIES), max_size=4, unique=True),
        "prefers": st.lists(st.sampled_from(APPROACHES), max_size=3, unique=True),
        "wants": st.lists(st.sampled_from(list(CAT.taxonomy.offers)), max_size=2, unique=True),
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
             "Workers complain about overtime and low pay", "xyzzy plugh",
             "We want short films and quizzes on tablets so workers learn their rights."]
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
    assert not excluded & {r.id for r in result.close_fits} and not set(short) & {r.id for r in result.close_fits}
    for e in result.excluded:  # an exclusion always names the documented reason and its sources
        assert e.reasons and e.sources and len(e.reasons) == len(e.rules)
    for r in result.shortlist:
        assert r.tier in ("recommended", "worth_a_look")
        if r.tier == "recommended":
            assert r.score >= RECOMMEND_BAR
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
        for r in d["shortlist"] + d["memberships"] + d["close_fits"]:
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


def _one_line(exc: MatchError) -> None:
    text = exc.describe()
    assert "\n" not in text and not re.search("[\x00-\x1f\x7f]", text), text


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_arbitrary_files_load_or_raise_our_error(data):
    """`load_profile` on a file holding anything: a `Profile`, or one of our errors on one line."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.yaml"
        path.write_bytes(data)
        try:
            assert isinstance(load_profile(path, catalogue=CAT), Profile)
        except MatchError as exc:
            _one_line(exc)


# Scalars and fragments that have tripped YAML loaders: 1.1 booleans, sexagesimals, dates
# (some invalid), huge numbers, tags, anchors, tabs, invisible characters, BOMs, CRLF.
TRICKY = [
    "NO", "no", "yes", "on", "off", "~", "null", "1:30", "0x1F", "0o17", "017", "1_000", "1e9", ".inf", ".nan",
    "2019-13-45", "2024-02-30", "2024-01-01", "2024-01-01T25:00:00", "9" * 5000, "-0", "+1", "1,200", "80%",
    "!!python/object:os.system", "!!binary aGk=", "!!set {a}", "!<tag:x,2000:y>", "!local", "&a", "*a",
    "<<", "'", '"', "[", "{", "]", "}", "- ", ": ", "#", "|", ">", "%TAG", "@", "`", "\t", "\r\n", "\ufeff",
    "\u200b", "\u202e", "\U0001F600", "wages", "womens_health", "garment", "BD", "Viet Nam", "training",
    "better-work", "\\e[31m", '"\\x00"', "...", "---",
]
KEYS = ["name", "kind", "country", "sector", "issues", "workforce", "size", "women_share", "prefers",
        "memberships", "description", "sourcing_countries", "Name", "12", "~", "? "]
tricky_yaml = st.lists(
    st.tuples(st.sampled_from(["", "  ", "    ", "- ", "  - "]), st.sampled_from(KEYS),
              st.lists(st.sampled_from(TRICKY), max_size=4).map(" ".join)),
    max_size=10,
).map(lambda lines: "".join(f"{ind}{key}: {value}\n" for ind, key, value in lines))


@settings(max_examples=400, deadline=None)
@given(tricky_yaml)
def test_tricky_yaml_loads_or_raises_our_error(text):
    try:
        validate_profile(parse_yaml(text, source="<t>"), catalogue=CAT)
    except MatchError as exc:
        _one_line(exc)


VALID = "name: Test Knit Ltd\nkind: factory\ncountry: BD\nsector: garment\n"
PLACES = {"description": "description: {}", "name-list": "sourcing_countries: [{}]", "issue": "issues: [{}]",
          "size": "workforce: {{size: {}}}"}


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("token", TRICKY, ids=[repr(t)[:20] for t in TRICKY])
def test_each_tricky_scalar_in_each_place_loads_or_raises_our_error(place, token):
    """The same tokens, deterministically, in a profile that is otherwise valid."""
    line = PLACES[place].format(token)
    text = VALID + line + ("\n" if place == "issue" else "\nissues: [wages]\n")
    try:
        validate_profile(parse_yaml(text, source="<t>"), catalogue=CAT)
    except MatchError as exc:
        _one_line(exc)


any_key = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.sampled_from(
    ["Name", "Country", "sourcing countries", "women-share", "Issues"])
any_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats() | st.text(max_size=20)
    | st.dates() | st.binary(max_size=8) | st.sampled_from(["3", "1,200", "0.7", "70%", "wages:3", "\u200b", "BD"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_key, children, max_size=4)
    | st.frozensets(st.integers(), max_size=3),
    max_leaves=20,
)


@settings(max_examples=250, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "kind", "country", "sector", "issues", "workforce", "prefers",
                                        "memberships", "description", "sourcing_countries", "id"]) | any_key,
                       any_value, max_size=8))
def test_mappings_with_any_keys_and_values_load_or_raise_our_error(data):
    try:
        validate_profile(data, catalogue=CAT)
    except MatchError as exc:
        _one_line(exc)


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=False)))
def test_csv_safe_neutralises_every_formula_and_keeps_numbers(value):
    out = csv_safe(value)
    if not isinstance(value, str):
        assert out == value
    elif value and value[0] in "=+-@\t\r":
        assert out == "'" + value or re.fullmatch(r"[-+][0-9.]+(?:[eE][-+]?[0-9]+)?", value)
    else:
        assert out == value


def test_input_error_is_a_match_error():
    with pytest.raises(InputError):
        decode(b"", source="x")
