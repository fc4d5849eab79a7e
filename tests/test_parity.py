"""One contract over every path that ranks: recommend() is the reference.

The batch path (`score_frame`), the estimator (`MatchEstimator.transform`), the supplier-list
command's CSV, stability's first choice, what-if's current first choice and the portfolio's
counts must give, for every profile, what `recommend()` gives it: the same names and ids,
scores to the digit shown (4 decimals), ranks and reasons. Profiles are generated with names
and ids that hold zero-width, bidi and full-width characters, and with keys and countries
spelt in full-width letters, because those are where the paths used to drift apart.

The end of the file holds the "Done when" examples of the catalogue issue.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import MatchEstimator, ProfileError, Recommender, load_catalogue, recommend, score_frame
from recommender.analysis.portfolio import PortfolioBuilder
from recommender.analysis.stability import measure
from recommender.analysis.whatif import _Space, candidate_changes
from recommender.cli import main
from recommender.core.eligibility import UNDOCUMENTED
from recommender.core.scoring import rounded
from recommender.output import csv_safe
from recommender.suppliers.frame import FrameScorer, row_profile
from recommender.vocabulary import clean_text

from .conftest import profile

CAT = load_catalogue()
REC = Recommender(CAT)
TAX = CAT.taxonomy
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
FULL_WIDTH = "ＡＢＣＭｉｌｌ１２３"
PLAIN = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 &'.()"
TRICKY = ZERO_WIDTH + BIDI + FULL_WIDTH


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _valid(text: str) -> bool:
    return bool(clean_text(text)) and len(clean_text(text)) <= 200


#: Names and ids with the characters anywhere, edges included.
names = st.text(st.sampled_from(PLAIN + TRICKY), min_size=1, max_size=24).filter(_valid)
#: The same characters inside only, between plain letters.
inside = st.builds(lambda a, mid, b: a + mid + b, st.sampled_from("ABMX"),
                   st.text(st.sampled_from(PLAIN + TRICKY), max_size=20), st.sampled_from("kltz"))


def spelled(section: str, key: str) -> st.SearchStrategy[str]:
    """A key as a user might write it: as is, in capitals, spaced, hyphenated, an alias, full-width."""
    entry = getattr(TAX, section)[key]
    return st.sampled_from([key, key.upper(), key.replace("_", " "), key.replace("_", "-"), _full_width(key),
                            *entry.aliases[:2]])


COUNTRIES = ["BD", "CN", "VN", "KH", "IN", "TR", "GB", "US", "NI", "SE", "MX", "ET"]
DESCRIPTIONS = ["", "Overtime in peak season and low pay.",
                "We want short films and quizzes on tablets so workers learn their rights.",
                "Dye house with effluent limits; we want to cut water, energy and chemical use.",
                "Small loans and cheap insurance on the workers' phones. Children left behind in villages."]


@st.composite
def suppliers(draw, name_strategy=names):
    """(profile mapping for recommend(), the same profile as spreadsheet cells)."""
    keys = draw(st.lists(st.sampled_from(list(TAX.issues)), min_size=1, max_size=4, unique=True))
    weights = [draw(st.sampled_from([None, 1, 2, 3])) for _ in keys]
    spell = [draw(spelled("issues", k)) for k in keys]
    country = draw(st.sampled_from(COUNTRIES))
    kind = draw(st.sampled_from(["factory", "brand"]))
    raw = {"name": draw(name_strategy), "kind": kind,
           "country": draw(st.sampled_from([country, _full_width(country)])),
           "sector": draw(st.sampled_from(list(TAX.sectors)).flatmap(lambda k: spelled("sectors", k))),
           "issues": {s: (2 if w is None else w) for s, w in zip(spell, weights)}}
    row = {k: raw[k] for k in ("name", "kind", "country", "sector")}
    row["issues"] = ";".join(s if w is None else f"{s}:{w}" for s, w in zip(spell, weights))
    if draw(st.booleans()):
        raw["id"] = row["id"] = draw(name_strategy)
    if kind == "brand" and draw(st.booleans()):
        src = draw(st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3, unique=True))
        raw["sourcing_countries"], row["sourcing_countries"] = src, ";".join(src)
    if draw(st.booleans()):
        prefers = draw(st.lists(st.sampled_from(list(TAX.approaches)), min_size=1, max_size=3, unique=True))
        raw["prefers"], row["prefers"] = prefers, ";".join(prefers)
    if draw(st.integers(0, 2)) == 0:
        wants = draw(st.lists(st.sampled_from(list(TAX.offers)), min_size=1, max_size=2, unique=True))
        raw["wants"], row["wants"] = wants, ";".join(wants)
    if draw(st.integers(0, 3)) == 0:
        members = draw(st.lists(st.sampled_from(CAT.ids), min_size=1, max_size=1))
        raw["memberships"], row["memberships"] = members, ";".join(members)
    if draw(st.booleans()):
        share = draw(st.integers(0, 100)) / 100
        raw["workforce"] = {"women_share": share}
        row["women_share"] = share
    text = draw(st.sampled_from(DESCRIPTIONS))
    if text:
        raw["description"] = row["description"] = text
    return raw, row


def _frame(pairs) -> pd.DataFrame:
    columns = list(dict.fromkeys(["id", "name", "kind", "country", "sector", "issues"]
                                 + [k for _, r in pairs for k in r]))
    return pd.DataFrame([row for _, row in pairs], columns=columns)


def _labels(section: str) -> dict[str, str]:
    return {k.replace("_", " "): k for k in getattr(TAX, section)}


ISSUE_LABELS, OFFER_LABELS, APPROACH_LABELS = _labels("issues"), _labels("offers"), _labels("approaches")


def _batch_facts(reason: str) -> dict:
    """What a batch reason says, as sets of keys and flags (see `FrameScorer._reason`)."""
    facts = {"covered": set(), "also": set(), "offers": set(), "via": set(), "workforce": False, "text": False,
             "undocumented": set()}
    for part in reason.split("; "):
        if m := re.fullmatch(r"covers (.+) \(\d+ of \d+ issues\)", part):
            facts["covered"] = {ISSUE_LABELS[x] for x in m.group(1).split(", ")}
        elif m := re.fullmatch(r"(?:also|covers likely issues) (.+?) \(inferred[^)]*\)", part):
            facts["also"] = {ISSUE_LABELS[x] for x in m.group(1).split(", ")}
        elif part.startswith("offers "):
            facts["offers"] = {OFFER_LABELS[x] for x in part.removeprefix("offers ").split(", ")}
        elif part.startswith("via "):
            facts["via"] = {APPROACH_LABELS[x] for x in part.removeprefix("via ").split(", ")}
        elif part == "workforce fit":
            facts["workforce"] = True
        elif part == "description match":
            facts["text"] = True
        elif m := re.fullmatch(r"no documented work for this (.+): confirm with the programme", part):
            facts["undocumented"] = set(m.group(1).split(" or "))
    return facts


def _single_facts(result, rec) -> dict:
    """The same facts from recommend()'s named contributions and eligibility cautions."""
    p = result.profile
    parts = {c.feature: c.value for c in rec.contributions}
    init = rec.initiative
    scored = REC.score(p)
    states = scored.states[0, CAT.ids.index(rec.id)]
    return {
        "covered": {k for k in p.issues if parts.get(f"issue:{k}", 0) > 0},
        "also": {k for k in p.inferred_weights() if parts.get(f"issue:{k}", 0) > 0},
        "offers": {k for k in init.offers if parts.get(f"offer:{k}", 0) > 0 and init.offers[k] >= 2},
        "via": {k for k in p.prefers if parts.get(f"approach:{k}", 0) > 0},
        "workforce": sum(v for f, v in parts.items() if f.startswith("workforce:")) >= 0.005,
        "text": parts.get("text:description", 0) >= 0.005,
        "undocumented": {r for r, s in zip(("kind", "sector", "country"), states[1:]) if s == UNDOCUMENTED},
    }


def _expected(pairs, top):
    return [recommend(raw, catalogue=CAT, top=top) for raw, _ in pairs]


def _assert_lines_match(lines: pd.DataFrame, results, *, reasons: bool = True, safe=lambda x: x) -> None:
    for i, r in enumerate(results):
        mine = lines[lines["row"] == i]
        ranked = mine[mine["initiative_id"].notna() & (mine["initiative_id"] != "")]
        assert ranked["initiative_id"].tolist() == [x.id for x in r.shortlist]
        assert ranked["initiative_name"].tolist() == [safe(x.name) for x in r.shortlist]
        assert [int(x) for x in ranked["rank"]] == [x.rank for x in r.shortlist]
        # To the digit shown, by the one rounding rule every output uses (`core.scoring.rounded`).
        assert [float(rounded(float(s))) for s in ranked["score"]] == [x.to_dict()["score"] for x in r.shortlist]
        assert set(mine["supplier_name"]) == {safe(r.profile.name)}
        ids = {None if pd.isna(x) or x == "" else x for x in mine["supplier_id"]}
        assert ids == {safe(r.profile.id) if r.profile.id else None}
        if reasons:
            for (_, line), x in zip(ranked.iterrows(), r.shortlist, strict=True):
                assert _batch_facts(line["reasons"]) == _single_facts(r, x), (line["reasons"], x.id)


# --- recommend() against the batch path ------------------------------------------------------------


@SLOW
@given(st.lists(suppliers(), min_size=1, max_size=6), st.integers(1, 5))
def test_score_frame_gives_recommend_s_names_ids_scores_ranks_and_reasons(pairs, top):
    results = _expected(pairs, top)
    _assert_lines_match(score_frame(_frame(pairs), CAT, top=top), results)


@SLOW
@given(st.lists(suppliers(name_strategy=inside), min_size=1, max_size=6), st.integers(1, 5))
def test_score_frame_agrees_with_recommend_when_the_tricky_characters_are_inside_names(pairs, top):
    results = _expected(pairs, top)
    _assert_lines_match(score_frame(_frame(pairs), CAT, top=top), results)


@pytest.mark.parametrize("name", ["\u200b", "\u202e\u202c", "\ufeff \u2060", " \u200d "])
def test_a_name_of_invisible_characters_only_is_refused_on_both_paths(name):
    raw = profile(name=name)
    with pytest.raises(ProfileError):
        recommend(raw)
    with pytest.raises(ProfileError, match="name"):
        score_frame(pd.DataFrame([{**raw, "issues": "wages"}]), CAT)


@pytest.mark.parametrize("cell", ["\u200bDhaka Knit\u200b", "\u202eDhaka Knit\u202c", "\ufeffDhaka Knit"])
def test_invisible_characters_around_a_name_or_id_are_dropped_on_every_path(cell, tmp_path):
    raw = profile(name=cell, id=cell)
    single = recommend(raw).profile
    assert (single.name, single.id) == ("Dhaka Knit", "Dhaka Knit")
    row = pd.DataFrame([{**raw, "issues": "wages"}])
    out = score_frame(row, CAT)
    assert set(out["supplier_name"]) == {"Dhaka Knit"} and set(out["supplier_id"]) == {"Dhaka Knit"}
    row.to_csv(tmp_path / "s.csv", index=False)
    run = CliRunner().invoke(main, [str(tmp_path / "s.csv"), "-o", str(tmp_path / "o.csv")], catch_exceptions=False)
    assert run.exit_code == 0, run.stderr
    written = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert set(written["supplier_name"]) == {"Dhaka Knit"} and set(written["supplier_id"]) == {"Dhaka Knit"}


# --- the estimator, the command, stability, what-if, the portfolio ---------------------------------


@SLOW
@given(st.lists(suppliers(name_strategy=inside), min_size=1, max_size=5))
def test_the_estimator_gives_recommend_s_scores(pairs):
    scores = MatchEstimator(catalogue=CAT).fit().transform(_frame(pairs))
    for i, r in enumerate(_expected(pairs, len(CAT))):
        for x in (*r.shortlist, *r.memberships, *r.close_fits):
            assert float(rounded(scores[i, CAT.ids.index(x.id)])) == x.to_dict()["score"]
        for e in r.excluded:
            assert scores[i, CAT.ids.index(e.id)] == 0.0
        order = [CAT.ids[j] for j in np.argsort(-np.round(scores[i], 9), kind="stable")]
        ranked = [j for j in order if j in {x.id for x in r.shortlist}]
        assert ranked == [x.id for x in r.shortlist]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(suppliers(name_strategy=inside), min_size=1, max_size=6), st.integers(1, 4))
def test_the_supplier_list_command_writes_recommend_s_shortlists(pairs, top):
    results = _expected(pairs, top)
    with tempfile.TemporaryDirectory() as folder:
        src, out = Path(folder) / "suppliers.csv", Path(folder) / "out.csv"
        _frame(pairs).to_csv(src, index=False)
        run = CliRunner().invoke(main, [str(src), "-o", str(out), "--top", str(top)], catch_exceptions=False)
        assert run.exit_code == 0, run.stderr
        written = pd.read_csv(out, dtype=str, keep_default_na=False)
    written["row"] = written["row"].astype(int) - written["row"].astype(int).min()
    _assert_lines_match(written, results, safe=csv_safe)


@SLOW
@given(suppliers())
def test_stability_and_what_if_start_from_recommend_s_first_choice(pair):
    raw, _ = pair
    r = REC.recommend(raw)
    first = r.top.id if r.top else None
    s = measure(REC, r.profile, draws=20)  # the first choice found on its own
    assert (s.top if s else None) == first
    space = _Space(REC, r.profile, candidate_changes(r.profile, CAT))
    assert (CAT.ids[space.current] if space.current >= 0 else None) == first


@SLOW
@given(st.lists(suppliers(name_strategy=inside), min_size=1, max_size=8))
def test_the_portfolio_counts_what_recommend_ranks(pairs):
    scorer = FrameScorer(CAT)
    builder = PortfolioBuilder(CAT, engine=scorer.engine, top=3)
    builder.add(scorer.score(_frame(pairs), top=3).suppliers)
    pf = builder.build(k=2)
    results = _expected(pairs, 3)
    for fit in pf.fits:
        assert fit.first_choice == sum(bool(r.shortlist) and r.shortlist[0].id == fit.id for r in results)
        assert fit.shortlisted == sum(fit.id in {x.id for x in r.shortlist} for r in results)
        assert fit.open_to == sum(fit.id not in {e.id for e in r.excluded} for r in results)
    assert pf.suppliers == len(pairs)


def test_the_batch_rows_give_the_profiles_recommend_validates():
    """The rows as `recommend` reads them (`row_profile`) and the mappings given to it agree."""
    pairs = [(profile(name="A\u200bB", issues={"wages": 3, "childcare": 2}, wants=["childcare_spaces"]),
              {"name": "A\u200bB", "kind": "factory", "country": "CN", "sector": "garment",
               "issues": "wages:3;childcare", "wants": "childcare_spaces"})]
    assert recommend(row_profile(pairs[0][1])).to_dict() == recommend(pairs[0][0]).to_dict()


# --- the "Done when" examples of the catalogue issue ------------------------------------------------


def _offered(raw, initiative):
    r = recommend(raw, top=5)
    assert initiative not in {e.id for e in r.excluded}, [e.reasons for e in r.excluded if e.id == initiative]
    assert initiative in {x.id for x in r.shortlist}, [x.id for x in r.shortlist]
    return r


def test_a_nicaraguan_garment_factory_is_not_offered_better_work():
    r = recommend(profile(country="NI", issues=["wages", "health_safety", "working_hours"],
                          wants=["factory_assessment_advisory"]), top=len(CAT))
    (bw,) = [e for e in r.excluded if e.id == "better-work"]
    assert "Nicaragua" in " ".join(bw.reasons) and bw.sources
    assert "better-work" not in {x.id for x in (*r.shortlist, *r.close_fits)}


def test_a_uk_brand_sourcing_electronics_from_china_can_be_offered_quizrr():
    _offered(profile(kind="brand", country="GB", sourcing_countries=["CN"], sector="electronics",
                     issues=["rights_awareness", "worker_engagement"], wants=["film_quiz_training"]), "quizrr")


def test_a_swedish_brand_sourcing_home_goods_from_china_and_viet_nam_can_be_offered_score():
    _offered(profile(kind="brand", country="SE", sourcing_countries=["CN", "VN"], sector="home_goods",
                     issues=["productivity", "management_systems"], wants=["sme_training_local_providers"]), "score")


def test_a_chinese_footwear_factory_can_be_offered_child_friendly_spaces():
    _offered(profile(sector="footwear", issues=["childcare"], wants=["childcare_spaces"]), "child-friendly-spaces")


def test_a_us_brand_sourcing_textiles_from_china_can_be_offered_the_better_mill_initiative():
    _offered(profile(kind="brand", country="US", sourcing_countries=["CN"], sector="textiles",
                     issues=["chemicals", "water", "energy"], wants=["mill_resource_efficiency"]),
             "better-mill-initiative")


def test_a_uk_toy_brand_can_be_offered_eti():
    _offered(profile(kind="brand", country="GB", sector="toys",
                     issues=["purchasing_practices", "freedom_of_association", "wages"],
                     prefers=["multi_stakeholder"]), "eti")


def test_herproject_records_rise_in_the_json():
    r = _offered(profile(country="BD", issues={"womens_health": 3, "financial_inclusion": 2},
                         wants=["peer_educators"], workforce={"women_share": 0.8}), "herproject")
    (her,) = [x.to_dict() for x in r.shortlist if x.id == "herproject"]
    assert her["status"]["successor"] == "RISE" and her["name"].startswith("RISE")
    assert her["status"]["as_of"]


profiles = st.fixed_dictionaries(
    {"name": st.just("P"), "kind": st.sampled_from(["factory", "brand"]),
     "country": st.sampled_from(COUNTRIES + ["IS", "JO", "HT", "PE"]),
     "sector": st.sampled_from(list(TAX.sectors)),
     "issues": st.lists(st.sampled_from(list(TAX.issues)), min_size=1, max_size=3, unique=True)},
    optional={"sourcing_countries": st.lists(st.sampled_from(COUNTRIES + ["PE"]), max_size=3, unique=True)},
)


@settings(max_examples=80, deadline=None)
@given(profiles)
def test_every_exclusion_in_the_json_names_its_sources_and_every_item_its_dated_status(raw):
    d = recommend(raw, top=len(CAT)).to_dict()
    for item in d["excluded"]:
        assert item["reasons"] and item["sources"], item["id"]
        titles = {s.title for s in CAT[item["id"]].sources}
        assert all(s["title"] in titles and s["as_of"] for s in item["sources"])
    for item in d["shortlist"] + d["memberships"] + d["close_fits"]:
        assert item["status"]["state"] and item["status"]["as_of"]
