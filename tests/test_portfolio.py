"""The portfolio across a supplier list: exact coverage, greedy choice, counts, and the HTML."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from recommender import load_catalogue
from recommender.suppliers.frame import FrameScorer, score_frame
from recommender.portfolio import (
    GOOD_MATCH,
    PortfolioBuilder,
    best_portfolio,
    greedy_portfolio,
    render_portfolio,
)
from recommender.report.render import ReportOptions

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
]


def build(rows, k=3, chunk=None):
    scorer = FrameScorer(CAT)
    builder = PortfolioBuilder(CAT, scorer=scorer, top=5)
    frame = pd.DataFrame(rows)
    step = chunk or len(frame)
    for start in range(0, len(frame), step):
        builder.add(scorer.score(frame.iloc[start:start + step]).suppliers)
    return builder.build(k=k, source="suppliers.csv")


def direct_coverage(rows, chosen: list[str]) -> float:
    """Coverage computed supplier by supplier, the definition written out."""
    scorer = FrameScorer(CAT)
    result = scorer.score(pd.DataFrame(rows))
    facts = result.suppliers
    strength = scorer.vectoriser.initiative_matrix_[:, [scorer.vectoriser.column_[f"issue:{k}"]
                                                         for k in scorer.issue_keys]]
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


def test_each_step_adds_the_most_it_can():
    pf = build(ROWS, k=4)
    chosen: list[str] = []
    for step in pf.steps:
        base = direct_coverage(ROWS, chosen)
        best = max(direct_coverage(ROWS, chosen + [i]) - base for i in CAT.ids if i not in chosen)
        assert step.adds == pytest.approx(best, abs=1e-12)
        chosen.append(step.id)


def test_chunking_does_not_change_the_portfolio():
    whole, chunked = build(ROWS * 3, k=3), build(ROWS * 3, k=3, chunk=4)
    assert chunked.ids == whole.ids
    assert [s.total for s in chunked.steps] == pytest.approx([s.total for s in whole.steps], abs=1e-12)
    assert (chunked.fits, chunked.weak, chunked.verdicts) == (whole.fits, whole.weak, whole.verdicts)


def test_greedy_on_a_small_instance_matches_brute_force_for_one_pick_and_breaks_ties_by_id():
    rng = np.random.default_rng(0)
    needs = rng.random((6, 4))
    open_ = (rng.random((6, 5)) < 0.7).astype(float)
    strength = rng.integers(0, 4, size=(5, 4)) / 3
    ids = ["e", "d", "c", "b", "a"]
    picked = greedy_portfolio(needs, open_, strength, 3, ids)
    gain = lambda s: float((needs * np.max([open_[:, [i]] * strength[i][None, :] for i in s], axis=0)).sum())  # noqa: E731
    best_single = max(range(5), key=lambda i: (gain([i]), -ord(ids[i])))
    assert picked[0][0] == best_single
    tie = greedy_portfolio(np.ones((1, 1)), np.ones((1, 2)), np.ones((2, 1)), 1, ["b", "a"])
    assert tie == [(1, 1.0)]
    assert greedy_portfolio(np.ones((1, 1)), np.zeros((1, 2)), np.ones((2, 1)), 2, ["b", "a"]) == []


def test_greedy_is_within_the_guarantee_of_the_best_set():
    rng = np.random.default_rng(1)
    for _ in range(20):
        needs = rng.random((8, 5))
        open_ = (rng.random((8, 6)) < 0.6).astype(float)
        strength = rng.integers(0, 4, size=(6, 5)) / 3
        def value(s, needs=needs, open_=open_, strength=strength):
            covered = [np.zeros_like(needs)] + [open_[:, [i]] * strength[i][None, :] for i in s]
            return float((needs * np.max(covered, axis=0)).sum())
        picked = [i for i, _ in greedy_portfolio(needs, open_, strength, 3, list("abcdef"))]
        best = max(value(c) for c in itertools.combinations(range(6), 3))
        assert value(picked) >= (1 - 1 / np.e) * best - 1e-12


def test_counts_by_initiative_country_and_sector_match_the_shortlists():
    pf = build(ROWS)
    lines = score_frame(pd.DataFrame(ROWS))
    lines = lines[lines["rank"].notna()]
    frame = pd.DataFrame(ROWS)
    for fit in pf.fits:
        mine = lines[lines["initiative_id"] == fit.id]
        assert fit.shortlisted == len(mine)
        assert fit.first_choice == int((mine["rank"] == 1).sum())
        countries = frame.set_index("id").loc[mine["supplier_id"], "country"]
        expected = {c: int(n) for c, n in countries.value_counts().items()}
        expected.pop("NL", None)  # the brand's own country: resolved code is NL
        assert {c: n for c, n in fit.by_country.items() if c != "NL"} == expected
        assert sum(fit.by_sector.values()) == fit.shortlisted


def test_needs_no_programme_covers_and_suppliers_with_no_good_match():
    pf = build(ROWS)
    childcare = next(g for g in pf.needs if g.key == "childcare")
    assert childcare.no_programme == 1 and childcare.suppliers == 1
    weak = {w.id: w for w in pf.weak}
    assert "F4" in weak and weak["F4"].score is None
    assert pf.weak_total == len(pf.weak) == sum(1 for w in pf.weak if w.score is None or w.score < GOOD_MATCH)
    assert sum(pf.verdicts.values()) == pf.suppliers == len(ROWS)
    assert pytest.approx(sum(g.share for g in pf.needs)) == 1.0


def test_portfolio_html_is_self_contained_and_says_what_the_portfolio_says():
    pf = build(ROWS, k=2)
    html = render_portfolio(pf, ReportOptions(title="Supply base", prepared_by="CSR team <x>"))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.title.get_text() == "Supply base"
    assert soup.select_one(".prepared-by").get_text() == "CSR team <x>"  # escaped, not markup
    assert not soup.find_all("script") and not soup.select("link[rel=stylesheet]")
    assert soup.find("style") is not None
    steps = soup.select("#portfolio-steps li")
    assert [li["data-initiative"] for li in steps] == list(pf.ids)
    assert steps[0].select_one(".total").get_text() == f"{pf.steps[0].total * 100:.1f} %"
    rows = {tr["data-initiative"]: tr for tr in soup.select("#fit-table tbody tr")}
    for fit in pf.fits:
        assert rows[fit.id].select_one(".shortlisted").get_text() == f"{fit.shortlisted:,}"
    assert soup.select_one("#by-country") is not None and soup.select_one("#by-sector") is not None
    gap = soup.select_one('#needs-table tr[data-issue="childcare"] .no-programme')
    assert gap.get_text() == "1"
    assert "Oslo Shoes" in soup.select_one("#weak-table").get_text()
    for section in ("summary", "portfolio", "fit", "needs", "no-good-match", "methodology"):
        assert soup.select_one(f"section#{section}") is not None


def test_an_empty_list_renders():
    builder = PortfolioBuilder(CAT)
    pf = builder.build(k=3)
    soup = BeautifulSoup(render_portfolio(pf), "html.parser")
    assert pf.steps == () and soup.select_one("#summary") is not None


def _set_value(needs, open_, strength, chosen):
    covered = [np.zeros_like(needs)] + [open_[:, [i]] * strength[i][None, :] for i in chosen]
    return float((needs * np.max(covered, axis=0)).sum())


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
    # What each member adds sums to the set's value, and none adds nothing.
    assert sum(gain for _, gain in picked) == pytest.approx(best, abs=1e-9)
    assert all(gain > 1e-12 for _, gain in picked)


def test_best_portfolio_beats_greedy_where_greedy_is_fooled():
    # Greedy takes the broad initiative 0 first, then can only add one of the two
    # specialists; the best pair is the two specialists together.
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
