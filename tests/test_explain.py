"""Stage 6: the sentences built from contributions and eligibility, and the sources behind them.

Sentences are checked word for word on a small catalogue; labels come from the taxonomy
(`L`), so a relabelled key does not break the sentence structure these tests pin down.
"""

from __future__ import annotations

import pytest

from recommender import load_catalogue, load_profile
from recommender.core.batch import ProfileBatch
from recommender.core.engine import Engine
from recommender.core.explain import (
    STRENGTH_WORDS,
    contribution_list,
    explain,
    in_sentence,
    join_words,
    sources_for_claims,
)
from recommender.core.scoring import contributions

from .conftest import HAND_WEIGHTS, initiative, profile, write_catalogue

CAT = load_catalogue()
TAX = CAT.taxonomy


def L(section: str, key: str) -> str:  # noqa: N802 - reads as a label in the expected sentences
    return in_sentence(TAX.label(section, key))


SMALL = [
    initiative("mill", sectors=["textiles"], countries=["CN", "VN"],
               issues={"chemicals": 3, "air_emissions": 2, "health_safety": 1},
               approaches=["assessment", "training", "advisory"], offers={"film_quiz_training": 3},
               workforce={"size": {"min": 20, "max": 1000}},
               roles={"factory": "A mill joins at its buyer's request."},
               caveats=["Results are self-reported.", "Fees apply."]),
    initiative("women", countries=["BD", "CN"], issues={"wages": 2, "harassment": 3},
               approaches=["peer_education"], offers={"film_quiz_training": 1}, workforce={"women": 3, "migrants": 2},
               status={"state": "merged", "as_of": "2025-01-01", "successor": "New Programme", "sources": ["src"],
                       "summary": "Since 2023 it runs as part of New Programme."},
               eligibility={"requirements": [{"applies_to": ["brand"], "sources": ["src"],
                                              "text": "Members report on their purchasing."}]}),
    initiative("worldwide", issues={"wages": 3}, workforce={"size": {"min": 5000}}),
    initiative("small-only", issues={"wages": 3}, workforce={"size": {"max": 50}}),
]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return write_catalogue(tmp_path_factory.mktemp("explain"), SMALL, weights=HAND_WEIGHTS)


def _explain(cat, init_id, **fields):
    """The `Explanation` of ``init_id`` for the profile ``profile(**fields)``, made as `recommend` makes it."""
    eng = Engine(cat)
    p = load_profile(profile(**fields), catalogue=cat)
    scored = eng.run(ProfileBatch.from_profiles([p], eng.keys))
    col = cat.ids.index(init_id)
    verdicts = eng.rules.verdicts(p, scored.states[0])
    parts = contribution_list(contributions(scored.features, eng.matrix, eng.weights, 0), col, eng.keys, cat.taxonomy)
    matches = scored.text.matches[scored.batch.text[0]] if scored.batch.text[0] >= 0 else ()
    return explain(p, cat[init_id], parts, verdict=verdicts[col], matches=matches, taxonomy=cat.taxonomy)


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c"),
     (["a", "b", "c", "d"], "a, b, c and d"), (("x", "y"), "x and y")],
)
def test_join_words(items, expected):
    assert join_words(items) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [("Women's health", "women's health"), ("Occupational health and safety", "occupational health and safety"),
     ("OSH", "OSH"), ("HERproject", "HERproject"), ("ZDHC chemicals", "ZDHC chemicals"), ("E-learning", "e-learning"),
     ("A", "a"), ("", "")],
)
def test_in_sentence(label, expected):
    assert in_sentence(label) == expected


def test_strength_words_cover_every_strength():
    assert STRENGTH_WORDS == {3: "a core focus", 2: "addressed directly", 1: "touched on"}


# --- issues ------------------------------------------------------------------------------------


def test_a_plain_list_names_the_covered_issues_with_their_strengths(small):
    ex = _explain(small, "mill", sector="textiles", issues=["chemicals", "air_emissions", "health_safety"])
    assert ex.reasons[0] == (
        f"Covers 3 of your 3 priority issues: {L('issues', 'chemicals')} (a core focus), "
        f"{L('issues', 'air_emissions')} (addressed directly) and {L('issues', 'health_safety')} (touched on).")
    assert [c for c in ex.claims if c.startswith("issues.")] == [
        "issues.chemicals", "issues.air_emissions", "issues.health_safety"]


def test_unequal_weights_add_the_share_of_the_weight_covered(small):
    ex = _explain(small, "mill", sector="textiles", issues={"chemicals": 3, "health_safety": 1, "childcare": 2})
    assert ex.reasons[0] == (
        f"Covers 2 of your 3 priority issues: {L('issues', 'chemicals')} (a core focus) and "
        f"{L('issues', 'health_safety')} (touched on), 67 % of the weight you gave them.")  # (3 + 1) / 6
    assert ex.gaps == ["childcare"]
    assert f"Does not address {L('issues', 'childcare')}." in ex.cautions


def test_one_issue_reads_in_the_singular(small):
    ex = _explain(small, "mill", sector="textiles", issues=["chemicals"])
    assert ex.reasons[0] == f"Covers 1 of your 1 priority issue: {L('issues', 'chemicals')} (a core focus)."


def test_gaps_are_the_stated_issues_not_covered_in_stated_order(small):
    ex = _explain(small, "mill", sector="textiles", issues={"wages": 1, "chemicals": 3, "childcare": 2})
    assert ex.gaps == ["wages", "childcare"]
    assert f"Does not address {L('issues', 'wages')} and {L('issues', 'childcare')}." in ex.cautions
    assert ex.covered == {"chemicals": 3}


def test_issues_from_the_description_count_as_covered_but_never_as_gaps(small):
    ex = _explain(small, "women", country="BD", issues=["wages"],
                  description="Supervisors shout at workers and there is sexual harassment on the night shift.")
    assert "harassment" in load_profile(profile(description="sexual harassment"), catalogue=small).inferred_issues
    assert ex.covered == {"wages": 2, "harassment": 3}
    assert ex.gaps == []  # working hours (night shift) are inferred and not covered: not a gap
    assert f"Also addresses {L('issues', 'harassment')}, which your description mentions." in ex.reasons
    assert "issues.harassment" in ex.claims


def test_no_covered_issue_is_a_caution_not_a_reason(small):
    ex = _explain(small, "mill", sector="textiles", issues=["childcare", "wages"])
    assert ex.cautions[0] == "Covers none of the issues you listed."
    assert not any(r.startswith("Covers") for r in ex.reasons)
    assert ex.gaps == ["childcare", "wages"] and ex.covered == {}


# --- offers -------------------------------------------------------------------------------------


def test_an_offer_asked_for_is_a_reason_and_one_missing_a_caution(small):
    ex = _explain(small, "mill", sector="textiles", issues=["chemicals"],
                  wants=["film_quiz_training", "worker_survey_mobile"])
    assert f"Offers what you asked for: {L('offers', 'film_quiz_training')}." in ex.reasons
    assert f"Does not offer {L('offers', 'worker_survey_mobile')}." in ex.cautions
    assert ex.offers == {"film_quiz_training": 3}
    assert "offers.film_quiz_training" in ex.claims


def test_an_offer_recognised_in_the_description_quotes_the_words_matched(small):
    text = "We would like short films and quizzes for our workers about their rights."
    ex = _explain(small, "mill", sector="textiles", issues=["chemicals"], description=text)
    quoted = [r for r in ex.reasons if r.startswith("From your description")]
    assert len(quoted) == 1
    assert quoted[0].endswith(f"\u201d: it offers {L('offers', 'film_quiz_training')}.")
    (words,) = ex.matched
    assert words.lower() in text.lower()  # the client's own words, never stray ones
    assert ex.offers == {"film_quiz_training": 3}
    # "women" offers it only at strength 1: not claimed as a reason
    weak = _explain(small, "women", country="CN", issues=["wages"], description=text)
    assert not [r for r in weak.reasons if r.startswith("From your description")] and weak.matched == []


# --- approaches, workforce, where it works -------------------------------------------------------


@pytest.mark.parametrize(
    ("prefers", "reason", "caution"),
    [
        (["training"], f"Works through approaches you prefer: {L('approaches', 'training')}.", None),
        (["finance", "e_learning"], None,
         f"Does not offer {L('approaches', 'finance')} and {L('approaches', 'e_learning')}; it works through "
         f"{L('approaches', 'assessment')}, {L('approaches', 'training')} and {L('approaches', 'advisory')}."),
        ([], None, None),
    ],
)
def test_preferred_approaches_give_a_reason_or_a_caution(small, prefers, reason, caution):
    ex = _explain(small, "mill", sector="textiles", issues=["chemicals"], prefers=prefers)
    assert [r for r in ex.reasons if r.startswith("Works through")] == ([reason] if reason else [])
    assert [c for c in ex.cautions if c.startswith("Does not offer")] == ([caution] if caution else [])
    assert ("approaches" in ex.claims) is bool(reason)


@pytest.mark.parametrize(
    ("init_id", "size", "caution"),
    [
        ("mill", 1200, "Designed for workforces of 20–1,000; yours is 1,200."),
        ("mill", 10, "Designed for workforces of 20–1,000; yours is 10."),
        ("mill", 20, None),
        ("mill", 1000, None),
        ("mill", None, None),
        ("small-only", 200, "Designed for workforces of any–50; yours is 200."),
        ("worldwide", 1500, "Designed for workforces of 5,000–more; yours is 1,500."),
        ("worldwide", 6000, None),
    ],
)
def test_a_workforce_outside_the_size_range_is_a_caution(small, init_id, size, caution):
    ex = _explain(small, init_id, sector="textiles", issues=["wages"],
                  workforce={} if size is None else {"size": size})
    assert [c for c in ex.cautions if c.startswith("Designed for workforces")] == ([caution] if caution else [])


@pytest.mark.parametrize(
    ("workforce", "reasons"),
    [
        ({"women_share": 0.7}, ["Designed for workplaces where most workers are women (yours: 70 %)."]),
        ({"women_share": 0.4}, []),
        ({"migrant_share": 0.3}, ["Built with migrant workers in mind (30 % of your workforce)."]),
        ({"migrant_share": 0.2}, []),
    ],
)
def test_workforce_focus_reasons(small, workforce, reasons):
    ex = _explain(small, "women", country="BD", issues=["wages"], workforce=workforce)
    assert [r for r in ex.reasons if r.startswith(("Designed for workplaces", "Built with migrant"))] == reasons
    assert ("workforce" in ex.claims) is bool(reasons)
    mill = _explain(small, "mill", sector="textiles", issues=["chemicals"], workforce=workforce)
    assert not [r for r in mill.reasons if r.startswith(("Designed for workplaces", "Built with migrant"))]


@pytest.mark.parametrize(
    ("init_id", "fields", "reason", "caution"),
    [
        ("worldwide", {}, "Works worldwide.", None),
        ("mill", {"sector": "textiles"}, "Works in China.", None),
        ("women", {"kind": "brand", "country": "NL", "sourcing_countries": ["BD", "MX"]},
         "Works in 1 of your 2 sourcing countries: Bangladesh.", None),
        ("women", {"kind": "brand", "country": "NL", "sourcing_countries": ["BD"]}, "Works in Bangladesh.", None),
        ("women", {"kind": "brand", "country": "NL"}, None,
         "You listed no sourcing countries: check that it works where your suppliers are (Bangladesh and China)."),
    ],
)
def test_where_it_works(small, init_id, fields, reason, caution):
    ex = _explain(small, init_id, **fields)
    assert [r for r in ex.reasons if r.startswith("Works in") or r == "Works worldwide."] == (
        [reason] if reason else [])
    assert [c for c in ex.cautions if c.startswith("You listed no sourcing")] == ([caution] if caution else [])
    assert ("countries" in ex.claims) is (reason is not None)


# --- roles, status, requirements, undocumented scope and caveats --------------------------------


def test_the_role_of_the_profile_s_kind_is_a_reason(small):
    ex = _explain(small, "mill", sector="textiles", issues=["chemicals"])
    assert "A mill joins at its buyer's request." in ex.reasons and "roles" in ex.claims
    brand = _explain(small, "mill", kind="brand", country="GB", sector="textiles", issues=["chemicals"])
    assert "A mill joins at its buyer's request." not in brand.reasons


def test_cautions_carry_status_requirements_undocumented_scope_then_caveats(small):
    ex = _explain(small, "women", kind="brand", country="GB", sourcing_countries=["BD"], sector="footwear",
                  issues=["wages"])
    assert "Since 2023 it runs as part of New Programme." in ex.cautions and "status" in ex.claims
    assert "Members report on their purchasing." in ex.cautions
    assert f"No documented work in {L('sectors', 'footwear')}; confirm with the programme." in ex.cautions
    factory = _explain(small, "women", country="BD", issues=["wages"])
    assert "Members report on their purchasing." not in factory.cautions  # the rule applies to brands
    mill = _explain(small, "mill", sector="textiles", issues=["chemicals"])
    assert mill.cautions[-2:] == ["Results are self-reported.", "Fees apply."]
    assert mill.claims[-1] in ("participants", "roles")


def test_a_description_that_matches_is_said_only_when_it_counts(small):
    ex = _explain(small, "mill", sector="textiles", issues=["chemicals"],
                  description="The mill test programme for mills in textiles.")
    text = sum(c.value for c in _parts(small, "mill", description="The mill test programme for mills in textiles.")
               if c.component == "text")
    said = "Your description closely matches what it does." in ex.reasons
    assert said is (text >= 0.01 and not ex.matched)
    none = _explain(small, "mill", sector="textiles", issues=["chemicals"])
    assert "Your description closely matches what it does." not in none.reasons


def _parts(cat, init_id, **fields):
    eng = Engine(cat)
    p = load_profile(profile(sector="textiles", issues=["chemicals"], **fields), catalogue=cat)
    scored = eng.run(ProfileBatch.from_profiles([p], eng.keys))
    return contribution_list(contributions(scored.features, eng.matrix, eng.weights, 0), cat.ids.index(init_id),
                             eng.keys, cat.taxonomy)


def test_contribution_list_names_every_non_zero_part(small):
    parts = _parts(small, "mill", prefers=["training", "finance"])
    assert [(c.feature, c.component) for c in parts] == [("issue:chemicals", "issues"),
                                                         ("approach:training", "approaches")]
    assert [c.label for c in parts] == [TAX.label("issues", "chemicals"), TAX.label("approaches", "training")]
    assert all(c.value > 0 for c in parts)


# --- sources ------------------------------------------------------------------------------------


def _expected_sources(init, claims):
    """Brute force: every source, in file order, that backs at least one claim, with the claims it backs."""
    unique = list(dict.fromkeys(claims))
    out = []
    for s in init.sources:
        backs = [c for c in unique if any(x is s for x in init.sources_for(c))]
        if backs:
            note = {"note": s.note} if s.note else {}
            out.append({"title": s.title, "url": s.url, "as_of": s.as_of.isoformat(), "supports": backs, **note})
    return tuple(out)


@pytest.mark.parametrize("init_id", CAT.ids)
@pytest.mark.parametrize("claims", [
    ["issues.chemicals", "issues.water", "approaches", "countries", "participants"],
    ["issues.womens_health", "workforce", "workforce", "participants", "roles", "status"],
    ["offers.film_quiz_training", "summary", "caveats"],
    [],
], ids=["issues", "workforce", "offers", "none"])
def test_sources_for_claims_lists_each_source_once_with_its_claims(init_id, claims):
    init = CAT[init_id]
    got = sources_for_claims(init, claims)
    assert got == _expected_sources(init, claims)
    for s in got:
        assert len(s["supports"]) == len(set(s["supports"])) and s["supports"]


def test_an_issue_without_its_own_source_falls_back_to_the_issues_sources():
    for init in CAT:
        for key in init.issues:
            if not any(f"issues.{key}" in s.supports for s in init.sources):
                got = sources_for_claims(init, [f"issues.{key}"])
                assert [s["title"] for s in got] == [s.title for s in init.sources if "issues" in s.supports]
                assert all(s["supports"] == [f"issues.{key}"] for s in got)
                return
    pytest.skip("every issue of the packaged catalogue has its own source")


@pytest.mark.parametrize("description", [
    "The owner wants low cost training.",
    "A quiz at the end of the day.",
    "We want anonymous surveys by phone so that workers can speak up between audits.",
    "Small loans and cheap insurance on the workers' phones.",
    "Our dye house must cut water, energy and chemical use in wet processing.",
])
def test_an_offer_is_explained_only_when_it_counts_in_the_score(description):
    """A reason restates a contribution: "it offers X" only where the offer adds to the score."""
    from recommender import recommend

    r = recommend(profile(sector="home_goods", issues=["productivity", "rights_awareness"],
                          description=description), top=len(CAT))
    for rec in (*r.shortlist, *r.close_fits):
        counted = {c.feature.split(":", 1)[1] for c in rec.contributions if c.component == "offers" and c.value > 0}
        assert set(rec.offers) <= counted, (rec.id, rec.offers, counted)
        said = [s for s in rec.reasons if s.startswith("From your description")]
        assert len(said) == len(rec.matched) <= len(counted), (rec.id, said, counted)
