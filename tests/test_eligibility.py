"""Stage 3: the status, kind, sector and country rules in three states, and the verdicts' words.

A small catalogue (written to a temporary folder) has one initiative per situation: an open
list, a closed list, a named exclusion, an ended and an unverified programme. Each case
states by hand which rule must come out FIT, UNDOCUMENTED or EXCLUDED, and with which words
and sources.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, load_profile, recommend
from recommender.core.batch import Keys, ProfileBatch
from recommender.core.eligibility import EXCLUDED, FIT, RULES, UNDOCUMENTED, Rules

from .conftest import HAND_WEIGHTS, initiative, profile, write_catalogue

STATE = {FIT: "fit", UNDOCUMENTED: "undocumented", EXCLUDED: "excluded"}
SRC2 = {"title": "Second source", "url": "https://example.org/second", "ref": "src2", "as_of": "2025-06-01",
        "supports": ["countries", "eligibility"]}


def _with_second(**fields):
    data = initiative(fields.pop("id"), **fields)
    data["sources"] = [*data["sources"], SRC2]
    return data


SMALL = [
    initiative("open"),
    initiative("brands-closed", participants=["brand"],
               eligibility={"kind": {"closed": True, "reason": "Only brands can join.", "sources": ["src"]}}),
    initiative("brands-open", participants=["brand"]),
    initiative("brands-role", participants=["brand"], roles={"factory": "A factory takes part through its buyers."},
               eligibility={"kind": {"closed": True, "reason": "Members are brands.", "sources": ["src"]}}),
    initiative("textiles-closed", sectors=["textiles"],
               eligibility={"sector": {"closed": True, "reason": "It works with textile mills only.",
                                       "sources": ["src"]}}),
    initiative("textiles-open", sectors=["textiles"]),
    initiative("asia-closed", countries=["CN", "VN"],
               eligibility={"country": {"closed": True, "reason": "It runs only in China and Viet Nam.",
                                        "sources": ["src"]}}),
    initiative("asia-open", countries=["CN", "VN"]),
    _with_second(id="named", countries=["BD", "NI", "VN"],
                 eligibility={"excluded": [{"rule": "country", "values": ["NI"], "since": 2025, "sources": ["src2"],
                                            "reason": "The Nicaragua programme closed in 2025."}]}),
    _with_second(id="named-closed", countries=["BD", "NI"],
                 eligibility={"country": {"closed": True, "reason": "It runs only in its country programmes.",
                                          "sources": ["src"]},
                              "excluded": [{"rule": "country", "values": ["NI", "HN", "SV"], "sources": ["src2"],
                                            "reason": "The Central American programmes closed in 2025."}]}),
    initiative("ended", status={"state": "ended", "as_of": "2025-01-01", "summary": "The programme ended in 2024.",
                                "sources": ["src"]}),
    initiative("unverified", status={"state": "unverified", "as_of": "2025-01-01", "sources": ["src"],
                                     "summary": "Its activity after 2020 is unconfirmed."}),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    cat = write_catalogue(tmp_path_factory.mktemp("eligibility"), SMALL, weights=HAND_WEIGHTS)
    keys = Keys.of(cat)
    return cat, keys, Rules().fit(cat, keys)


def _states(small, **fields):
    cat, keys, rules = small
    p = load_profile(profile(**fields), catalogue=cat)
    states = rules.states(ProfileBatch.from_profiles([p], keys))[0]
    return p, states, {i: dict(zip(RULES, (STATE[int(s)] for s in states[col]))) for col, i in enumerate(cat.ids)}


def _verdict(small, init_id, **fields):
    cat, _, rules = small
    p, states, _ = _states(small, **fields)
    return next(v for v in rules.verdicts(p, states) if v.id == init_id)


# --- the three states, rule by rule ------------------------------------------------------------

CASES = [
    # (initiative, profile fields, rule, state)
    ("open", {}, "kind", "fit"),
    ("open", {"kind": "brand"}, "kind", "fit"),
    ("open", {"sector": "footwear"}, "sector", "undocumented"),
    ("open", {"country": "IS"}, "country", "fit"),  # global
    ("brands-closed", {}, "kind", "excluded"),
    ("brands-closed", {"kind": "brand"}, "kind", "fit"),
    ("brands-open", {}, "kind", "undocumented"),
    ("textiles-closed", {}, "sector", "excluded"),
    ("textiles-closed", {"sector": "textiles"}, "sector", "fit"),
    ("textiles-closed", {"sector": ["garment", "textiles"]}, "sector", "fit"),  # any of the profile's sectors
    ("textiles-open", {}, "sector", "undocumented"),
    ("asia-closed", {"country": "BD"}, "country", "excluded"),
    ("asia-closed", {"country": "VN"}, "country", "fit"),
    ("asia-open", {"country": "BD"}, "country", "undocumented"),
    ("named", {"country": "NI"}, "country", "excluded"),  # listed, yet a source excludes it
    ("named", {"country": "BD"}, "country", "fit"),
    ("named", {"country": "MX"}, "country", "undocumented"),
    ("ended", {}, "status", "excluded"),
    ("unverified", {}, "status", "undocumented"),  # eligible, with a caution and the discount
]


@pytest.mark.parametrize(("init_id", "fields", "rule", "state"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_has_three_states(small, init_id, fields, rule, state):
    _, _, table = _states(small, **fields)
    assert table[init_id][rule] == state
    others = {r: s for r, s in table[init_id].items() if r != rule}
    assert set(others.values()) <= {"fit", "undocumented"}  # only the rule under test can exclude


@pytest.mark.parametrize(
    ("init_id", "sourcing", "state"),
    [
        ("asia-closed", ["CN", "MX"], "fit"),  # any documented country is enough
        ("asia-closed", ["MX", "PE"], "excluded"),  # all outside a closed list
        ("asia-closed", [], "fit"),  # none listed: passes (with a caution in words)
        ("asia-open", ["MX"], "undocumented"),
        ("asia-open", ["MX", "VN"], "fit"),
        ("named", ["NI"], "excluded"),
        ("named", ["NI", "BD"], "fit"),
        ("named", ["NI", "MX"], "undocumented"),  # excluded only when all are
        ("open", ["MX"], "fit"),
    ],
)
def test_a_brand_is_checked_on_its_sourcing_countries(small, init_id, sourcing, state):
    _, _, table = _states(small, kind="brand", country="GB", sourcing_countries=sourcing)
    assert table[init_id]["country"] == state


def test_a_brand_own_country_does_not_count_when_it_lists_sourcing_countries(small):
    _, _, table = _states(small, kind="brand", country="CN", sourcing_countries=["MX"])
    assert table["asia-closed"]["country"] == "excluded"


# --- verdicts: reasons with their sources, cautions for what is not documented ------------------


@pytest.mark.parametrize(
    ("init_id", "fields", "reason", "refs"),
    [
        ("brands-closed", {}, "Only brands can join.", ["src"]),
        ("brands-role", {}, "Members are brands. A factory takes part through its buyers.", ["src"]),
        ("textiles-closed", {}, "It works with textile mills only.", ["src"]),
        ("asia-closed", {"country": "BD"}, "It runs only in China and Viet Nam.", ["src"]),
        ("asia-closed", {"kind": "brand", "country": "GB", "sourcing_countries": ["MX", "PE"]},
         "It runs only in China and Viet Nam.", ["src"]),
        ("named", {"country": "NI"}, "The Nicaragua programme closed in 2025.", ["src2"]),
        ("named", {"kind": "brand", "country": "GB", "sourcing_countries": ["NI"]},
         "The Nicaragua programme closed in 2025.", ["src2"]),
        ("ended", {}, "The programme ended in 2024.", ["src"]),
    ],
)
def test_an_exclusion_gives_the_documented_reason_and_its_sources(small, init_id, fields, reason, refs):
    cat = small[0]
    v = _verdict(small, init_id, **fields)
    assert not v.eligible
    assert v.reasons == (reason,)
    assert len(v.failed) == 1 and v.failed[0] in RULES
    assert [s.ref for s in v.sources] == refs
    assert all(s in cat[init_id].sources for s in v.sources)


def test_a_brand_excluded_by_a_named_and_a_closed_list_gets_both_reasons_and_sources(small):
    """Nicaragua is named as closed; Peru lies outside the closed list: both facts exclude."""
    v = _verdict(small, "named-closed", kind="brand", country="GB", sourcing_countries=["NI", "PE"])
    assert not v.eligible and v.failed == ("country",)
    assert "It runs only in its country programmes." in v.reasons[0]
    assert "The Central American programmes closed in 2025." in v.reasons[0]
    assert {s.ref for s in v.sources} == {"src", "src2"}


@pytest.mark.parametrize(
    ("init_id", "fields", "caution"),
    [
        ("brands-open", {}, "Its sources do not say that factories take part; confirm with the programme."),
        ("textiles-open", {}, "No documented work in garments and apparel; confirm with the programme."),
        ("asia-open", {"country": "BD"}, "No documented work in Bangladesh; confirm with the programme."),
        ("asia-open", {"kind": "brand", "country": "GB", "sourcing_countries": ["MX", "PE"]},
         "No documented work in your sourcing countries (Mexico, Peru); confirm with the programme."),
        ("unverified", {}, "Its activity after 2020 is unconfirmed."),
    ],
)
def test_what_is_not_documented_is_eligible_with_a_caution(small, init_id, fields, caution):
    v = _verdict(small, init_id, **fields)
    assert v.eligible and v.failed == () and v.reasons == () and v.sources == ()
    assert v.cautions == (caution,)


def test_a_fit_everywhere_says_nothing(small):
    v = _verdict(small, "open")
    assert v.eligible and v.reasons == () and v.cautions == () and v.notes == ()


def test_only_documented_exclusions_close_an_initiative_in_recommend(small):
    """Excluded with reasons and sources in the JSON; undocumented ones stay ranked, discounted."""
    cat = small[0]
    r = recommend(profile(sector="footwear", country="BD"), catalogue=cat, top=len(cat))
    excluded = {e.id: e.to_dict() for e in r.excluded}
    assert set(excluded) == {"brands-closed", "brands-role", "textiles-closed", "asia-closed", "ended"}
    for item in excluded.values():
        assert item["reasons"] and item["sources"]
        assert all(set(s) == {"title", "url", "as_of"} for s in item["sources"])
    ranked = {x.id: x for x in r.shortlist}
    # Every open one addresses wages at strength 3: the score is the discount for each
    # undocumented rule (sector footwear everywhere; kind for brands-open; country for asia-open).
    w = HAND_WEIGHTS.undocumented
    assert ranked["open"].score == pytest.approx((1 - w) ** 1)
    assert ranked["brands-open"].score == pytest.approx((1 - w) ** 2)
    assert ranked["asia-open"].score == pytest.approx((1 - w) ** 2)
    assert any("No documented work in footwear" in c for c in ranked["open"].cautions)


# --- the rule tables against the verdicts, on the packaged catalogue ----------------------------

CAT = load_catalogue()
COUNTRIES = ["BD", "CN", "VN", "KH", "IN", "TR", "ET", "NI", "GB", "NL", "US", "MX", "IS", "JO", "HT"]
profile_dicts = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(COUNTRIES),
        "sector": st.lists(st.sampled_from(list(CAT.taxonomy.sectors)), min_size=1, max_size=2, unique=True),
        "issues": st.lists(st.sampled_from(list(CAT.taxonomy.issues)), min_size=1, max_size=3, unique=True),
        "sourcing_countries": st.lists(st.sampled_from(COUNTRIES), max_size=3, unique=True),
    }
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(profile_dicts, min_size=1, max_size=5))
def test_states_and_verdicts_agree_and_every_exclusion_has_a_source(dicts):
    keys = Keys.of(CAT)
    rules = Rules().fit(CAT, keys)
    profiles = [load_profile(d, catalogue=CAT) for d in dicts]
    states = rules.states(ProfileBatch.from_profiles(profiles, keys))
    assert states.shape == (len(profiles), len(CAT), len(RULES))
    assert set(np.unique(states)) <= {FIT, UNDOCUMENTED, EXCLUDED}
    for row, p in enumerate(profiles):
        alone = rules.states(ProfileBatch.from_profiles([p], keys))[0]
        assert np.array_equal(alone, states[row])  # a row does not depend on the rows beside it
        verdicts = rules.verdicts(p, states[row])
        assert [v.id for v in verdicts] == list(CAT.ids)
        for col, v in enumerate(verdicts):
            assert v.eligible == bool((states[row, col] != EXCLUDED).all())
            assert v.failed == tuple(r for k, r in enumerate(RULES) if states[row, col, k] == EXCLUDED)
            assert len(v.reasons) == len(v.failed) and all(v.reasons)
            if not v.eligible:
                assert v.sources, f"{v.id} excluded for {p.kind} {p.country} without a source"
            undocumented = [r for k, r in enumerate(RULES) if states[row, col, k] == UNDOCUMENTED]
            assert [n.rule for n in v.notes if n.state == UNDOCUMENTED] == undocumented
            assert [n.text for n in v.notes if n.state == UNDOCUMENTED] == list(v.cautions)


def test_ended_initiatives_are_excluded_everywhere_and_active_ones_by_no_status():
    keys = Keys.of(CAT)
    rules = Rules().fit(CAT, keys)
    p = load_profile(profile(), catalogue=CAT)
    states = rules.states(ProfileBatch.from_profiles([p], keys))[0]
    for col, init in enumerate(CAT.initiatives):
        assert bool(states[col, RULES.index("status")] == EXCLUDED) is (init.status.state == "ended")
