"""Stage 5: the sentences built from contributions, and the sources behind them."""

from __future__ import annotations

import pytest

from recommender import load_catalogue, load_profile
from recommender.core.explain import (
    STRENGTH_WORDS,
    contribution_list,
    explain,
    in_sentence,
    join_words,
    sources_for_claims,
)
from recommender.models import SizeRange, WorkforceFocus
from recommender.core.recommend import fitted
from recommender.core.scoring import contributions

CAT = load_catalogue()
REC = fitted(CAT)
BASE = {"name": "T", "kind": "factory", "country": "CN", "sector": "textiles"}


def _explain(init_id: str, *, init=None, **fields):
    """Explain initiative ``init_id`` (or a modified copy ``init``) for a profile of BASE + fields."""
    p = load_profile({**BASE, **fields}, catalogue=CAT)
    vec = REC.vectoriser
    col = CAT.ids.index(init_id)
    row = contributions(vec.transform([p]), vec, REC.weights)[0, col]
    parts = contribution_list(row, vec, CAT.taxonomy)
    return explain(p, init or CAT[init_id], parts, vec=vec, col=col, taxonomy=CAT.taxonomy)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([], ""),
        (["a"], "a"),
        (["a", "b"], "a and b"),
        (["a", "b", "c"], "a, b and c"),
        (["a", "b", "c", "d"], "a, b, c and d"),
        (("x", "y"), "x and y"),
    ],
)
def test_join_words(items, expected):
    assert join_words(items) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Women's health", "women's health"),
        ("Occupational health and safety", "occupational health and safety"),
        ("OSH", "OSH"),
        ("HERproject", "HERproject"),
        ("ZDHC chemicals", "ZDHC chemicals"),
        ("E-learning", "e-learning"),
        ("A", "a"),
        ("", ""),
    ],
)
def test_in_sentence(label, expected):
    assert in_sentence(label) == expected


def test_strength_words_cover_every_strength():
    assert STRENGTH_WORDS == {3: "a core focus", 2: "addressed directly", 1: "touched on"}


@pytest.mark.parametrize(
    ("issues", "reason"),
    [
        (["chemicals", "air_emissions", "health_safety"],
         "Covers 3 of your 3 priority issues: chemical management (a core focus), air emissions "
         "(addressed directly) and occupational health and safety (touched on)."),
        ({"chemicals": 3, "health_safety": 1, "childcare": 2},
         "Covers 2 of your 3 priority issues: chemical management (a core focus) and occupational health and "
         "safety (touched on), 67 % of your issue weight."),
        (["water"], "Covers 1 of your 1 priority issue: water use and wastewater (a core focus)."),
    ],
)
def test_first_reason_names_covered_issues_with_strength_words(issues, reason):
    ex = _explain("better-mill-initiative", issues=issues)
    assert ex.reasons[0] == reason
    assert [c for c in ex.claims if c.startswith("issues.")] == [
        f"issues.{k}" for k in issues if k in CAT["better-mill-initiative"].issues
    ]


def test_gaps_are_the_stated_issues_not_covered_in_stated_order():
    ex = _explain("better-mill-initiative", issues={"wages": 1, "chemicals": 3, "childcare": 2, "water": 1},
                  description="overtime is a problem")  # infers working_hours, not covered either
    assert ex.gaps == ["wages", "childcare"]
    assert "Does not address wages and living wage and childcare and working parents." in ex.cautions
    assert ex.covered == {"chemicals": 3, "water": 3}


def test_inferred_issues_count_as_covered_but_never_as_gaps():
    ex = _explain("herproject", country="BD", sector="garment", issues=["womens_health", "wages"],
                  description="Supervisors shout at workers and there is sexual harassment and overtime.")
    assert ex.gaps == ["wages"]  # working_hours is inferred and not covered, yet no gap
    assert ex.covered == {"womens_health": 3, "harassment": 3}
    assert "Also addresses harassment and gender-based violence, which your description mentions." in ex.reasons
    assert "issues.harassment" in ex.claims


def test_no_covered_issue_is_a_caution_not_a_reason():
    ex = _explain("better-mill-initiative", issues=["childcare", "wages"])
    assert ex.cautions[0] == "Covers none of the issues you listed."
    assert not any(r.startswith("Covers") for r in ex.reasons)
    assert ex.gaps == ["childcare", "wages"]
    assert ex.covered == {}


@pytest.mark.parametrize(
    ("prefers", "reason", "caution"),
    [
        (["training"], "Works through approaches you prefer: training.", None),
        (["finance", "mobile_app"], None,
         "Does not offer finance and financial products and mobile technology; it works through assessment and "
         "audit, training, advisory and technical support and multi-stakeholder collaboration."),
        (["training", "finance"], "Works through approaches you prefer: training.",
         "Does not offer finance and financial products; it works through assessment and audit, training, "
         "advisory and technical support and multi-stakeholder collaboration."),
        ([], None, None),
    ],
)
def test_preferred_approaches_give_a_reason_or_a_caution(prefers, reason, caution):
    ex = _explain("better-mill-initiative", issues=["chemicals"], prefers=prefers)
    assert [r for r in ex.reasons if r.startswith("Works through")] == ([reason] if reason else [])
    assert [c for c in ex.cautions if c.startswith("Does not offer")] == ([caution] if caution else [])
    assert ("approaches" in ex.claims) is bool(reason)


@pytest.mark.parametrize(
    ("size", "caution"),
    [
        (1200, "Designed for workforces of 20–1,000; yours is 1,200."),
        (10, "Designed for workforces of 20–1,000; yours is 10."),
        (20, None),
        (1000, None),
        (None, None),
    ],
)
def test_workforce_size_outside_the_range_is_a_caution(size, caution):
    workforce = {} if size is None else {"size": size}
    ex = _explain("score", issues=["productivity"], workforce=workforce)
    assert [c for c in ex.cautions if c.startswith("Designed for workforces")] == ([caution] if caution else [])


@pytest.mark.parametrize(
    ("size_range", "size", "caution"),
    [
        (SizeRange(max=50), 200, "Designed for workforces of any–50; yours is 200."),
        (SizeRange(min=5000), 1500, "Designed for workforces of 5,000–more; yours is 1,500."),
        (SizeRange(min=5000), 6000, None),
    ],
)
def test_open_ended_size_ranges_read_as_any_and_more(size_range, size, caution):
    init = CAT["better-mill-initiative"].model_copy(update={"workforce": WorkforceFocus(size=size_range)})
    ex = _explain("better-mill-initiative", init=init, issues=["water"], workforce={"size": size})
    assert [c for c in ex.cautions if c.startswith("Designed for workforces")] == ([caution] if caution else [])


@pytest.mark.parametrize(
    ("init_id", "workforce", "reason"),
    [
        ("herproject", {"women_share": 0.7}, "Designed for workplaces where most workers are women (yours: 70 %)."),
        ("herproject", {"women_share": 0.4}, None),
        ("better-mill-initiative", {"women_share": 0.9}, None),  # no focus on women
        ("child-friendly-spaces", {"migrant_share": 0.3},
         "Built with migrant workers in mind (30 % of your workforce)."),
        ("child-friendly-spaces", {"migrant_share": 0.2}, None),
    ],
)
def test_workforce_focus_reasons(init_id, workforce, reason):
    ex = _explain(init_id, country="CN", sector="garment", issues=["wages"], workforce=workforce)
    found = [r for r in ex.reasons if r.startswith(("Designed for workplaces", "Built with migrant"))]
    assert found == ([reason] if reason else [])
    assert ("workforce" in ex.claims) is bool(reason)


@pytest.mark.parametrize(
    ("init_id", "fields", "reason", "caution"),
    [
        ("higg-index", {}, "Operates worldwide.", None),
        ("better-mill-initiative", {}, "Operates in China.", None),
        ("better-work", {"kind": "brand", "sector": "garment", "country": "NL", "sourcing_countries": ["BD"]},
         "Operates in Bangladesh.", None),
        ("herproject", {"kind": "brand", "sector": "garment", "country": "NL"}, None,
         "You listed no sourcing countries: check that it operates where your suppliers are (Bangladesh, China, "
         "Egypt, Ethiopia, India, Kenya, Pakistan and Viet Nam)."),
    ],
)
def test_where_it_operates(init_id, fields, reason, caution):
    ex = _explain(init_id, issues=["wages"], **fields)
    where = [r for r in ex.reasons if r.startswith("Operates")]
    assert where == ([reason] if reason else [])
    assert [c for c in ex.cautions if c.startswith("You listed no sourcing")] == ([caution] if caution else [])
    assert ("countries" in ex.claims) is (reason is not None and reason != "Operates worldwide.")
    assert ex.claims[-1] == "participants"
    caveats = list(CAT[init_id].caveats)
    assert caveats and ex.cautions[-len(caveats):] == caveats


def test_shared_terms_come_from_the_description():
    ex = _explain("better-mill-initiative", issues=["chemicals"],
                  description="Our dyeing mill treats wastewater; zdhc chemical management is weak.")
    shared = [r for r in ex.reasons if r.startswith("Your description shares key terms")]
    assert len(shared) == 1
    terms = shared[0].removeprefix("Your description shares key terms with its work: ").removesuffix(".").split(", ")
    assert 1 <= len(terms) <= 5
    assert set(terms) <= {"our", "dyeing", "mill", "treats", "wastewater", "zdhc", "chemical", "management", "weak"}
    assert "zdhc" in terms


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


@pytest.mark.parametrize(
    ("init_id", "claims"),
    [
        ("better-mill-initiative", ["issues.chemicals", "issues.water", "approaches", "countries", "participants"]),
        ("companyiq", ["issues.financial_inclusion", "issues.grievance", "issues.grievance", "countries"]),
        ("herproject", ["issues.womens_health", "workforce", "workforce", "participants"]),
        ("child-friendly-spaces", ["issues.childcare", "caveats", "sectors"]),
        ("eti", ["participants"]),
        ("eti", []),
    ],
)
def test_sources_for_claims_lists_each_source_once_with_its_claims(init_id, claims):
    init = CAT[init_id]
    got = sources_for_claims(init, claims)
    assert got == _expected_sources(init, claims)
    assert bool(got) is bool(claims)
    for s in got:
        assert len(s["supports"]) == len(set(s["supports"]))


def test_an_issue_without_its_own_source_falls_back_to_the_issues_sources():
    init = CAT["companyiq"]
    assert not [s for s in init.sources if "issues.financial_inclusion" in s.supports]
    got = sources_for_claims(init, ["issues.financial_inclusion"])
    assert [s["title"] for s in got] == [s.title for s in init.sources if "issues" in s.supports]
    assert all(s["supports"] == ["issues.financial_inclusion"] for s in got)
