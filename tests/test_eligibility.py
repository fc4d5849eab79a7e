"""Stage 3: the kind, sector and country rules, their masks and the verdicts' reasons."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, load_profile
from recommender.catalogue import Catalogue
from recommender.core.eligibility import RULES, EligibilityRules

CAT = load_catalogue()
#: An initiative open to everyone (both kinds, every sector, global): the blank each case edits.
_OPEN = CAT["laborlink"].model_copy(
    update={"participants": ("factory", "brand"), "sectors": tuple(CAT.taxonomy.sectors), "countries": ("global",)}
)


def _init(id_: str, **changes):
    return _OPEN.model_copy(update={"id": id_, **changes})


#: A hand-made catalogue in which each initiative closes through one rule only.
SMALL = Catalogue(
    meta=CAT.meta,
    taxonomy=CAT.taxonomy,
    initiatives=tuple(
        sorted(
            (
                _init("open"),
                _init("brands-only", participants=("brand",)),
                _init("factories-only", participants=("factory",)),
                _init("textiles-only", sectors=("textiles",)),
                _init("china-only", countries=("CN",)),
                _init("china-vietnam", countries=("CN", "VN")),
            ),
            key=lambda i: i.id,
        )
    ),
    path="<test>",
)
RULES_SMALL = EligibilityRules().fit(SMALL)


def _profile(**fields):
    base = {"name": "T", "kind": "factory", "country": "CN", "sector": "garment", "issues": ["wages"]}
    return load_profile({**base, **fields}, catalogue=CAT)


def _failed(rules: EligibilityRules, profile) -> dict[str, tuple[str, ...]]:
    return {v.id: v.failed for v in rules.verdicts(profile)}


@pytest.mark.parametrize(
    ("fields", "closed"),
    [
        ({}, {"brands-only": ("kind",)}),
        ({"kind": "brand", "sourcing_countries": ["CN"]}, {"factories-only": ("kind",)}),
        ({"sector": "garment"}, {"brands-only": ("kind",), "textiles-only": ("sector",)}),
        ({"country": "VN"}, {"brands-only": ("kind",), "china-only": ("country",)}),
        ({"country": "BD"}, {"brands-only": ("kind",), "china-only": ("country",), "china-vietnam": ("country",)}),
        ({"kind": "brand", "country": "BD", "sector": "food"},
         {"factories-only": ("kind",), "textiles-only": ("sector",)}),  # a brand listing no countries
        ({"country": "BD", "sector": "food"},
         {"brands-only": ("kind",), "textiles-only": ("sector",), "china-only": ("country",),
          "china-vietnam": ("country",)}),
    ],
)
def test_each_rule_closes_only_what_it_should(fields, closed):
    profile = _profile(**{"sector": "textiles", **fields})
    assert _failed(RULES_SMALL, profile) == {i: closed.get(i, ()) for i in SMALL.ids}
    masks = RULES_SMALL.rule_masks([profile])[0]
    for col, init_id in enumerate(SMALL.ids):
        assert [not masks[col, k] for k in range(len(RULES))] == [r in closed.get(init_id, ()) for r in RULES]


@pytest.mark.parametrize(
    ("country", "sourcing", "open_"),
    [
        ("NL", ["CN"], True),
        ("NL", ["MX", "CN"], True),  # any one served country is enough
        ("NL", ["MX", "PE"], False),
        ("CN", ["MX"], False),  # a brand's own country does not count when it lists sourcing countries
        ("NL", [], True),  # none listed: passes
        ("CN", [], True),
    ],
)
def test_brand_country_rule_uses_sourcing_countries(country, sourcing, open_):
    brand = _profile(kind="brand", country=country, sourcing_countries=sourcing)
    failed = _failed(RULES_SMALL, brand)
    assert failed["china-only"] == (() if open_ else ("country",))
    assert failed["open"] == ()


def test_global_initiatives_pass_the_country_rule_everywhere():
    rules = EligibilityRules().fit(CAT)
    global_cols = [n for n, i in enumerate(CAT.initiatives) if i.is_global]
    assert global_cols and rules.country_table_[:, global_cols].all()
    local = [n for n, i in enumerate(CAT.initiatives) if not i.is_global]
    for col in local:  # a local one passes exactly in its own countries
        init = CAT.initiatives[col]
        assert {c for c, ok in zip(rules.countries_, rules.country_table_[:, col]) if ok} == set(init.countries)
    for country in ("IS", "BR", "NZ"):
        masks = rules.rule_masks([_profile(country=country)])[0]
        assert masks[global_cols, RULES.index("country")].all()
        assert not masks[local, RULES.index("country")].any()


def test_making_an_initiative_global_in_a_catalogue_folder_opens_it(catalogue_copy):
    path = catalogue_copy / "better-mill-initiative.yaml"
    text = path.read_text(encoding="utf-8")
    assert "countries: [CN]" in text
    path.write_text(text.replace("countries: [CN]", "countries: [global]"), encoding="utf-8")
    edited = load_catalogue(catalogue_copy)
    vn_mill = _profile(country="VN", sector="textiles")
    before = {v.id: v for v in EligibilityRules().fit(CAT).verdicts(vn_mill)}
    after = {v.id: v for v in EligibilityRules().fit(edited).verdicts(vn_mill)}
    assert before["better-mill-initiative"].failed == ("country",)
    assert after["better-mill-initiative"].eligible and after["better-mill-initiative"].reasons == ()


@pytest.mark.parametrize(
    ("init_id", "fields", "reason"),
    [
        ("brands-only", {}, "Open to brands only, not to a factory."),
        ("textiles-only", {}, "Does not serve the Garments and apparel sector (it serves: Textiles)."),
        ("china-vietnam", {"country": "BD"}, "Does not operate in Bangladesh (it operates in: China, Viet Nam)."),
        ("china-only", {"kind": "brand", "country": "NL", "sourcing_countries": ["MX", "PE"]},
         "Operates in none of your sourcing countries (Mexico, Peru); it operates in: China."),
        ("factories-only", {"kind": "brand", "sourcing_countries": ["CN"]}, "Open to factories only, not to a brand."),
    ],
)
def test_verdict_reason_names_the_failing_rule_in_words(init_id, fields, reason):
    verdict = next(v for v in RULES_SMALL.verdicts(_profile(**fields)) if v.id == init_id)
    assert not verdict.eligible
    assert verdict.reasons == (reason,)


def test_one_reason_per_failed_rule_and_long_country_lists_are_cut():
    many = ("BD", "KH", "EG", "ET", "HT", "ID", "JO", "NI", "PK", "VN", "LK", "MM", "TH", "PH")
    cat = Catalogue(meta=CAT.meta, taxonomy=CAT.taxonomy, path="<test>",
                    initiatives=(_init("narrow", participants=("brand",), sectors=("textiles",), countries=many),))
    verdict = EligibilityRules().fit(cat).verdicts(_profile(country="CN"))[0]
    assert verdict.failed == ("kind", "sector", "country")
    assert len(verdict.reasons) == 3
    assert verdict.reasons[2].startswith("Does not operate in China (it operates in: Bangladesh, Cambodia,")
    assert verdict.reasons[2].endswith("Sri Lanka, Myanmar and 2 more).")


ISSUES = list(CAT.taxonomy.issues)
COUNTRIES = ["BD", "CN", "VN", "KH", "IN", "TR", "ET", "GB", "NL", "US", "MX", "IS"]
profile_dicts = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(COUNTRIES),
        "sector": st.sampled_from(list(CAT.taxonomy.sectors)),
        "issues": st.lists(st.sampled_from(ISSUES), min_size=1, max_size=3, unique=True),
        "sourcing_countries": st.lists(st.sampled_from(COUNTRIES), max_size=3, unique=True),
    }
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(st.lists(profile_dicts, min_size=1, max_size=5))
def test_mask_is_all_rules_and_matches_the_verdicts(dicts):
    rules = EligibilityRules().fit(CAT)
    profiles = [load_profile(d, catalogue=CAT) for d in dicts]
    masks = rules.rule_masks(profiles)
    assert masks.shape == (len(profiles), len(CAT), len(RULES)) and masks.dtype == bool
    mask = rules.mask(profiles)
    assert np.array_equal(mask, masks.all(axis=2))
    for row, p in enumerate(profiles):
        verdicts = rules.verdicts(p)
        assert [v.id for v in verdicts] == list(CAT.ids)
        assert [v.eligible for v in verdicts] == mask[row].tolist()
        for col, v in enumerate(verdicts):
            assert v.failed == tuple(r for k, r in enumerate(RULES) if not masks[row, col, k])
            assert len(v.reasons) == len(v.failed)
