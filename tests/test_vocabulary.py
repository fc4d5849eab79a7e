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
