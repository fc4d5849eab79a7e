"""The portfolio across a supplier list: exact coverage, the best set, counts that agree with the
shortlists the engine makes, and the page it renders."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from recommender import load_catalogue, recommend
from recommender.analysis.portfolio import GOOD_MATCH, PortfolioBuilder, best_portfolio, greedy_portfolio
from recommender.report.portfolio import render_portfolio
from recommender.report.render import ReportOptions
from recommender.suppliers.frame import FrameScorer, row_profile, score_frame

CAT = load_catalogue()
ROWS = [
    {"id": "F1", "name": "Dhaka Knit", "kind": "factory", "country": "BD", "sector": "garment",
     "issues": "womens_health:3;wages", "women_share": 0.8},
    {"id": "F2", "name": "Ningbo Dye", "kind": "factory", "country": "CN", "sector": "textiles",
     "issues": "chemicals:3;water:2"},
    {"id": "F3", "name": "Saigon Shoes", "kind": "factory", "country": "VN", "sector": "footwear",
     "issues": "working_hours;health_safety;wages"},
    {"id": "F4", "name": "Oslo Shoes", "kind": "factory", "country": "NO", "sector": "footwear",
     "issues": "childcare"},
    {"id": "B1", "name": "Noordzee", "kind": "brand", "country": "NL", "sector": "garment",
     "issues": "wages:3;purchasing_practices", "sourcing_countries": "BD;TR"},
    {"id": "F5", "name": "Phnom Penh Sewing", "kind": "factory", "country": "KH", "sector": "garment",
     "issues": "harassment:3;rights_awareness"},
    {"id": "F6", "name": "Managua Sewing", "kind": "factory", "country": "NI", "sector": "garment",
     "issues": "wages;health_safety"},
]


def build(rows, k=3, chunk=None, top=5):
    scorer = FrameScorer(CAT)
    builder = PortfolioBuilder(CAT, engine=scorer.engine, top=top)
    frame = pd.DataFrame(rows)
    step = chunk or len(frame)
    for start in range(0, len(frame), step):
        builder.add(scorer.score(frame.iloc[start:start + step], top=top).suppliers)
    return builder.build(k=k, source="suppliers.csv")


def direct_coverage(rows, chosen: list[str]) -> float:
    """Coverage computed supplier by supplier, the definition written out."""
    scorer = FrameScorer(CAT)
    facts = scorer.score(pd.DataFrame(rows)).suppliers
    strength = scorer.engine.matrix.issues
    cols = [CAT.ids.index(i) for i in chosen]
    total = 0.0
    for s in range(len(facts)):
        for k in range(len(scorer.issue_keys)):
            depth = max((strength[c, k] for c in cols if facts.eligible[s, c]), default=0.0)
            total += facts.needs[s, k] * depth
    return total / len(facts)


def test_coverage_of_the_portfolio_matches_the_definition():
    pf = build(ROWS, k=3)
    assert pf.coverage == pytest.approx(direct_coverage(ROWS, list(pf.ids)), abs=1e-12)
    assert [s.total for s in pf.steps] == pytest.approx(
        [direct_coverage(ROWS, list(pf.ids[: i + 1])) for i in range(len(pf.steps))], abs=1e-12)
    assert pf.exact


def test_the_portfolio_is_the_best_set_of_its_size():
    pf = build(ROWS, k=3)
    best = max(direct_coverage(ROWS, list(c)) for c in itertools.combinations(CAT.ids, 3))
    assert pf.coverage == pytest.approx(best, abs=1e-12)
    assert pf.reachable == pytest.approx(direct_coverage(ROWS, list(CAT.ids)), abs=1e-12)


def test_chunking_does_not_change_the_portfolio():
    whole, chunked = build(ROWS * 3, k=3), build(ROWS * 3, k=3, chunk=4)
    assert chunked.ids == whole.ids
    assert [s.total for s in chunked.steps] == pytest.approx([s.total for s in whole.steps], abs=1e-12)
    assert (chunked.fits, chunked.weak, chunked.verdicts) == (whole.fits, whole.weak, whole.verdicts)


def test_counts_agree_with_recommend_row_by_row():
    """Shortlisted, first-choice and open-to counts are what recommend() gives each supplier."""
    pf = build(ROWS, top=5)
    results = [recommend(row_profile(r), top=5) for r in ROWS]
    for fit in pf.fits:
        assert fit.shortlisted == sum(fit.id in {x.id for x in r.shortlist} for r in results)
        assert fit.first_choice == sum(bool(r.shortlist) and r.shortlist[0].id == fit.id for r in results)
        assert fit.open_to == sum(fit.id not in {e.id for e in r.excluded} for r in results)
        assert sum(fit.by_sector.values()) == fit.shortlisted == sum(fit.by_country.values())
    lines = score_frame(pd.DataFrame(ROWS))
    lines = lines[lines["rank"].notna()]
    assert sum(f.shortlisted for f in pf.fits) == len(lines)
    bands = {"strong": 0, "fair": 0, "weak": 0, "none": 0}
    for r in results:
        best = r.shortlist[0].score if r.shortlist else None
        bands["none" if best is None else "weak" if best < GOOD_MATCH else "strong" if best >= 0.5 else "fair"] += 1
    assert pf.verdicts == bands


def test_needs_no_programme_covers_and_suppliers_with_no_good_match():
    pf = build(ROWS)
    assert sum(pf.verdicts.values()) == pf.suppliers == len(ROWS)
    assert pytest.approx(sum(g.share for g in pf.needs)) == 1.0
    results = {r["id"]: recommend(row_profile(r)) for r in ROWS}
    weak = {w.id: w for w in pf.weak}
    for ident, r in results.items():
        no_good = not r.shortlist or r.shortlist[0].score < GOOD_MATCH
        assert (ident in weak) is no_good
        if ident in weak:
            assert weak[ident].score == (r.shortlist[0].score if r.shortlist else None)
    assert pf.weak_total == len(pf.weak)
    for gap in pf.needs:
        assert 0 <= gap.left <= 1 and 0 <= gap.no_programme <= gap.suppliers


def test_portfolio_html_is_self_contained_and_says_what_the_portfolio_says():
    pf = build(ROWS, k=2)
    html = render_portfolio(pf, ReportOptions(title="Supply base", prepared_by="CSR team <x>"))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.get_text() == "Supply base"
    assert "CSR team <x>" in soup.get_text() and "<x>" not in html  # escaped, not markup
    assert not soup.find_all("script") and not soup.select("link[rel=stylesheet]")
    assert [li["data-initiative"] for li in soup.select("#portfolio-steps li")] == list(pf.ids)
    rows = {tr["data-initiative"]: tr for tr in soup.select("#fit-table tbody tr")}
    for fit in pf.fits:
        if fit.id in rows:
            assert rows[fit.id].select_one(".shortlisted").get_text() == f"{fit.shortlisted:,}"


def test_an_empty_list_builds_and_renders():
    pf = PortfolioBuilder(CAT).build(k=3)
    assert pf.steps == () and pf.suppliers == 0 and pf.coverage == 0.0
    assert BeautifulSoup(render_portfolio(pf), "html.parser").select_one("#summary") is not None


# --- the set choice on small instances ------------------------------------------------------------


def _set_value(needs, open_, strength, chosen):
    covered = [np.zeros_like(needs)] + [open_[:, [i]] * strength[i][None, :] for i in chosen]
    return float((needs * np.max(covered, axis=0)).sum())


def test_greedy_takes_the_best_single_first_and_breaks_ties_by_id():
    rng = np.random.default_rng(0)
    needs = rng.random((6, 4))
    open_ = (rng.random((6, 5)) < 0.7).astype(float)
    strength = rng.integers(0, 4, size=(5, 4)) / 3
    ids = ["e", "d", "c", "b", "a"]
    picked = greedy_portfolio(needs, open_, strength, 3, ids)
    best_single = max(range(5), key=lambda i: (_set_value(needs, open_, strength, [i]), -ord(ids[i])))
    assert picked[0][0] == best_single
    assert greedy_portfolio(np.ones((1, 1)), np.ones((1, 2)), np.ones((2, 1)), 1, ["b", "a"]) == [(1, 1.0)]
    assert greedy_portfolio(np.ones((1, 1)), np.zeros((1, 2)), np.ones((2, 1)), 2, ["b", "a"]) == []


def test_greedy_is_within_the_guarantee_of_the_best_set():
    rng = np.random.default_rng(1)
    for _ in range(20):
        needs = rng.random((8, 5))
        open_ = (rng.random((8, 6)) < 0.6).astype(float)
        strength = rng.integers(0, 4, size=(6, 5)) / 3
        picked = [i for i, _ in greedy_portfolio(needs, open_, strength, 3, list("abcdef"))]
        best = max(_set_value(needs, open_, strength, c) for c in itertools.combinations(range(6), 3))
        assert _set_value(needs, open_, strength, picked) >= (1 - 1 / np.e) * best - 1e-12


@pytest.mark.parametrize("seed", range(30))
def test_best_portfolio_is_the_best_set_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    g, m, K, k = rng.integers(1, 9), rng.integers(1, 8), rng.integers(1, 6), int(rng.integers(1, 5))
    needs = rng.random((g, K)) * (rng.random((g, K)) < 0.7)
    open_ = (rng.random((g, m)) < 0.6).astype(float)
    strength = rng.integers(0, 4, size=(m, K)) / 3
    ids = [f"i{j:02d}" for j in rng.permutation(m)]
    picked, exact = best_portfolio(needs, open_, strength, k, ids)
    assert exact
    chosen = [i for i, _ in picked]
    best = max(_set_value(needs, open_, strength, c) for c in itertools.combinations(range(m), min(k, m)))
    assert _set_value(needs, open_, strength, chosen) == pytest.approx(best, abs=1e-9)
    assert len(set(chosen)) == len(chosen) <= k
    assert sum(gain for _, gain in picked) == pytest.approx(best, abs=1e-9)
    assert all(gain > 1e-12 for _, gain in picked)


def test_best_portfolio_beats_greedy_where_greedy_is_fooled():
    needs = np.array([[1.0, 1.0]])
    open_ = np.ones((1, 3))
    strength = np.array([[0.6, 0.6], [1.0, 0.0], [0.0, 1.0]])
    greedy = greedy_portfolio(needs, open_, strength, 2, ["a", "b", "c"])
    exact, is_exact = best_portfolio(needs, open_, strength, 2, ["a", "b", "c"])
    assert is_exact and sorted(i for i, _ in exact) == [1, 2]
    assert sum(g for _, g in exact) == pytest.approx(2.0)
    assert sum(g for _, g in greedy) == pytest.approx(1.6)


def test_best_portfolio_falls_back_to_greedy_beyond_the_limit():
    rng = np.random.default_rng(3)
    needs, open_, strength = rng.random((4, 3)), np.ones((4, 12)), rng.random((12, 3))
    ids = [f"i{j:02d}" for j in range(12)]
    picked, exact = best_portfolio(needs, open_, strength, 4, ids, limit=100)
    assert not exact and picked == greedy_portfolio(needs, open_, strength, 4, ids)


def test_the_headline_says_when_the_needs_were_inferred(tmp_path):
    """A list that names no issues is not told its suppliers 'named' the needs."""
    from click.testing import CliRunner

    from recommender.cli import main

    src = tmp_path / "suppliers.csv"
    src.write_text("name,country,sector\nA Knit,BD,garment\nB Shoes,VN,footwear\n", encoding="utf-8")
    res = CliRunner().invoke(main, [str(src), "-o", str(tmp_path / "out.csv"), "--report", str(tmp_path / "p.html")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "likely needs, inferred from public risk data" in page
    assert "needs your suppliers named" not in page
