"""The library API: recommend(), explanations, eligibility, memberships, verdicts."""

from __future__ import annotations

import json

import pytest

from recommender import Profile, ProfileError, Recommender, Result, load_profile, recommend
from recommender.core.eligibility import EligibilityRules
from recommender.core.scoring import contributions, scores
from recommender.vectorise import Vectoriser

from .conftest import EXAMPLES


def test_api_accepts_path_dict_and_profile(profile_dict, tmp_path, catalogue):
    import yaml

    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(profile_dict))
    p = load_profile(path, catalogue=catalogue)
    assert isinstance(p, Profile)
    a = recommend(path).to_dict()
    b = recommend(profile_dict).to_dict()
    c = recommend(p, catalogue=catalogue).to_dict()
    assert a == b == c


def test_json_contract_keys(profile_dict):
    d = recommend(profile_dict).to_dict()
    assert {"profile", "catalogue", "shortlist", "excluded", "uncovered"} <= set(d)
    assert set(d["catalogue"]) == {"name", "version", "size"}
    for item in d["shortlist"]:
        assert {"rank", "id", "name", "score", "reasons", "gaps", "url", "sources"} <= set(item)
        for s in item["sources"]:
            assert {"title", "url", "as_of", "supports"} <= set(s)
    for item in d["excluded"]:
        assert {"id", "name", "reasons"} <= set(item) and item["reasons"]
    json.dumps(d)


def test_top_limits_the_shortlist(profile_dict):
    assert len(recommend(profile_dict, top=1).shortlist) == 1
    assert len(recommend(profile_dict, top=3).shortlist) <= 3
    with pytest.raises(ValueError):
        recommend(profile_dict, top=0)


def test_reasons_name_covered_issues_and_gaps(catalogue):
    r = recommend(
        {"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles",
         "issues": {"chemicals": 3, "water": 2, "wages": 1}},
        catalogue=catalogue,
    )
    top = r.top
    assert top.id == "better-mill-initiative"
    assert top.reasons[0].startswith("Covers 2 of your 3 priority issues: chemical")
    assert "wages" in top.gaps
    assert any("Does not address wages" in c for c in top.cautions)
    assert any(s["supports"] for s in top.sources)


def test_ineligible_initiatives_are_excluded_with_reasons(catalogue):
    r = recommend({"name": "VN dye", "kind": "factory", "country": "VN", "sector": "textiles",
                   "issues": ["chemicals", "water"]}, catalogue=catalogue)
    excluded = {e.id: e for e in r.excluded}
    assert "better-mill-initiative" in excluded
    assert any("Viet Nam" in reason for reason in excluded["better-mill-initiative"].reasons)
    assert "better-mill-initiative" not in [x.id for x in r.shortlist]
    assert "eti" in excluded and any("brands" in reason for reason in excluded["eti"].reasons)


def test_brand_country_rule_uses_sourcing_countries(catalogue):
    base = {"name": "Brand", "kind": "brand", "country": "NL", "sector": "garment", "issues": ["wages"]}
    r = recommend({**base, "sourcing_countries": ["BD", "MX"]}, catalogue=catalogue, top=15)
    assert "better-work" in [x.id for x in r.shortlist]
    bw = next(x for x in r.shortlist if x.id == "better-work")
    assert any("1 of your 2 sourcing countries: Bangladesh" in s for s in bw.reasons)
    r2 = recommend({**base, "sourcing_countries": ["MX"]}, catalogue=catalogue, top=15)
    assert "better-work" in [e.id for e in r2.excluded]


def test_memberships_are_flagged_not_recommended(catalogue):
    p = {"name": "F", "kind": "factory", "country": "CN", "sector": "garment",
         "issues": ["wages", "working_hours"], "memberships": ["amfori-bsci"]}
    r = recommend(p, catalogue=catalogue, top=15)
    assert "amfori-bsci" not in [x.id for x in r.shortlist]
    assert [m.id for m in r.memberships] == ["amfori-bsci"]
    assert r.memberships[0].cautions[0] == "You already take part in it."
    assert r.to_dict()["memberships"][0]["member"] is True


def test_profile_that_fits_nothing_says_so(catalogue):
    weak = recommend({"name": "Plant", "kind": "factory", "country": "GH", "sector": "food",
                      "issues": {"childcare": 3, "energy": 1}}, catalogue=catalogue)
    assert weak.verdict == "weak"
    assert weak.message.startswith("No initiative fits this profile well")
    assert "childcare" in weak.uncovered
    none = recommend({"name": "Farm", "kind": "factory", "country": "BR", "sector": "agriculture",
                      "issues": ["childcare", "air_emissions"]}, catalogue=catalogue)
    assert none.verdict == "none" and not none.shortlist
    assert none.message.startswith("No initiative in the catalogue fits this profile")
    assert set(none.uncovered) == {"childcare", "air_emissions"}


def test_uncovered_lists_issues_no_shortlisted_initiative_covers(catalogue):
    r = recommend({"name": "F", "kind": "factory", "country": "CN", "sector": "textiles",
                   "issues": ["chemicals", "purchasing_practices"]}, catalogue=catalogue, top=1)
    covered = set(r.top.covered)
    assert set(r.uncovered) == {"chemicals", "purchasing_practices"} - covered


def test_description_only_issue_is_inferred(catalogue):
    r = recommend({"name": "F", "kind": "factory", "country": "CN", "sector": "toys",
                   "issues": ["worker_engagement"],
                   "description": "Our workers' left-behind children visit during the summer holidays."},
                  catalogue=catalogue)
    assert "childcare" in r.profile.inferred_issues
    assert r.top.id == "child-friendly-spaces"
    assert any("which your description mentions" in s for s in r.top.reasons)


def test_batch_scores_equal_contribution_sums(catalogue):
    profiles = [load_profile(p, catalogue=catalogue) for p in EXAMPLES]
    vec = Vectoriser().fit(catalogue)
    pm = vec.transform(profiles)
    rec = Recommender(catalogue)
    full = contributions(pm, vec, rec.weights).sum(axis=2)
    fast = scores(pm, vec, rec.weights)
    assert abs(full - fast).max() < 1e-12
    assert vec.get_feature_names_out()[0] == "issue:wages"
    assert len(vec.get_feature_names_out()) == vec.initiative_matrix_.shape[1]


def test_eligibility_mask_matches_verdicts(catalogue):
    profiles = [load_profile(p, catalogue=catalogue) for p in EXAMPLES]
    rules = EligibilityRules().fit(catalogue)
    mask = rules.mask(profiles)
    for row, p in enumerate(profiles):
        assert [v.eligible for v in rules.verdicts(p)] == list(mask[row])


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_profile_gets_a_shortlist(path):
    r = recommend(path)
    assert isinstance(r, Result)
    assert r.shortlist, r.message
    assert r.verdict in ("strong", "fair")


def test_bad_profile_raises_profile_error():
    with pytest.raises(ProfileError, match="did you mean 'wages'"):
        recommend({"name": "x", "kind": "factory", "country": "BD", "sector": "garment", "issues": ["wagez"]})
