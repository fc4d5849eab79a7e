"""Spellings resolve to canonical keys; misspellings get suggestions."""

from __future__ import annotations

import pytest

from recommender.countries import country_codes, country_name, resolve_country, suggest_country
from recommender.vocabulary import Vocabulary, fold_key


@pytest.mark.parametrize(
    "text,code",
    [("BD", "BD"), ("bgd", "BD"), ("Bangladesh", "BD"), ("Viet Nam", "VN"), ("Vietnam", "VN"),
     ("UK", "GB"), ("United Kingdom", "GB"), ("USA", "US"), ("Türkiye", "TR"), ("Turkey", "TR"),
     ("NO", "NO"), ("côte d'ivoire", "CI"), ("Ivory Coast", "CI"), ("  china ", "CN")],
)
def test_resolve_country(text, code):
    assert resolve_country(text) == code


@pytest.mark.parametrize("text", ["XX", "Atlantis", "", "12"])
def test_unknown_country(text):
    assert resolve_country(text) is None


def test_country_suggestions_and_names():
    assert suggest_country("Bangladsh")[0] == "Bangladesh (BD)"
    assert country_name("VN") == "Viet Nam"
    assert country_name("global") == "worldwide"
    assert "BD" in country_codes() and len(country_codes()) >= 249


def test_fold_key():
    assert fold_key(" Women's Health ") == "womens_health"
    assert fold_key("health-and-safety") == "health_and_safety"


def test_vocabulary_resolves_aliases_and_suggests():
    v = Vocabulary(["wages", "chemicals"], {"wages": ["living wage", "pay"]})
    assert v.resolve("Living-Wage") == "wages"
    assert v.resolve("PAY") == "wages"
    assert v.resolve("salary") is None
    assert v.resolve(3) is None
    assert v.suggest("wagez") == ["wages"]
    assert "did you mean 'chemicals'?" == v.hint("chemical")
    assert v.hint("zzzz").startswith("valid values: wages, chemicals")


def test_every_taxonomy_alias_resolves(catalogue):
    for section, vocab in catalogue.vocab.items():
        for key in getattr(catalogue.taxonomy, section):
            assert vocab.resolve(key) == key


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Ｗａｇｅｓ", "wages"), ("wa\u200bges", "wages"), ("\u202ewomen's health\u202c", "womens_health"),
     ("Health & Safety", "health_safety"), ("\ufeffFood/Beverage", "food_beverage"),
     ("  -child labour- ", "child_labour")],
)
def test_fold_key_reads_full_width_and_invisible_characters_as_typed_text(text, folded):
    assert fold_key(text) == folded


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [("\u200bMill\u200b", "Mill"), ("\u202eMill Ltd\u202c", "Mill Ltd"), ("\ufeff Mill \u2060", "Mill"),
     ("Mi\u200bll", "Mi\u200bll"), ("\u200b", ""), ("Ｍｉｌｌ", "Ｍｉｌｌ")],
)
def test_clean_text_strips_invisible_characters_at_the_edges_only(text, cleaned):
    from recommender.vocabulary import clean_text

    assert clean_text(text) == cleaned


@pytest.mark.parametrize("text", ["ＢＤ", "\u200bBD", "BD\u202c", "ｂａｎｇｌａｄｅｓｈ"])
def test_countries_resolve_through_full_width_and_invisible_characters(text):
    assert resolve_country(text) == "BD"


def test_keys_resolve_through_full_width_and_invisible_characters(catalogue):
    issues = catalogue.vocab["issues"]
    for text in ("Ｗａｇｅｓ", "wa\u200bges", "\u202eliving wage"):
        assert issues.resolve(text) == "wages"


def test_edge_characters_are_white_space_and_the_invisible_ones():
    import sys

    from recommender import vocabulary

    every = "".join(chr(c) for c in range(sys.maxunicode + 1)
                    if chr(c).isspace() or vocabulary._INVISIBLE.match(chr(c)))
    assert vocabulary.EDGE_CHARACTERS == every
