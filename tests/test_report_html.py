"""The HTML consultant report, checked on parsed HTML (selectors, not string snapshots).

Every section is checked for a factory profile, a brand profile (with a membership) and a
profile nothing fits; plus escaping, safe links, text alternatives for charts, the
document shell (CSP, no script, no external request) and the robustness section.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup

from recommender import recommend
from recommender.analysis.coverage import best_combination
from recommender.report.render import ReportOptions, render_html

from .conftest import PROFILES, REPORT_DATE

FACTORY = PROFILES / "bd-knitwear-factory.yaml"
BRAND = PROFILES / "se-outdoor-brand.yaml"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
DATE = dt.date.fromisoformat(REPORT_DATE)


def html_of(result, **options) -> BeautifulSoup:
    return BeautifulSoup(render_html(result, ReportOptions(date=DATE, **options)), "html.parser")


@pytest.fixture(scope="module")
def factory():
    return recommend(FACTORY)


@pytest.fixture(scope="module")
def brand():
    return recommend(BRAND)


@pytest.fixture
def nothing(fits_nothing_dict):
    return recommend(fits_nothing_dict)


@pytest.fixture(params=["factory", "brand", "nothing"])
def any_result(request):
    return request.getfixturevalue(request.param)


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


# --- the document shell -----------------------------------------------------------------


def test_shell_is_self_contained_with_a_restrictive_csp(any_result):
    soup = html_of(any_result)
    assert soup.html["lang"] == "en"
    assert soup.find("meta", attrs={"charset": "utf-8"})
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert csp["content"] == CSP
    assert soup.find("meta", attrs={"name": "viewport"})
    assert soup.title.get_text().strip()
    assert not soup.find_all(["script", "link", "iframe", "object", "embed", "base", "form"])
    assert len(soup.find_all("style")) == 1
    for tag in soup.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag.name
        for attr in ("src", "href", "action", "srcset", "poster", "data"):
            value = tag.get(attr)
            if value is None or attr == "data":
                continue
            assert value.startswith(("#", "https://", "http://", "data:image/")), (tag.name, value)
            if attr == "src":
                assert value.startswith("data:image/"), value


def test_headings_are_semantic_and_never_skip_a_level(any_result):
    soup = html_of(any_result)
    headings = soup.find_all(re.compile(r"^h[1-6]$"))
    assert [h.name for h in headings].count("h1") == 1
    assert headings[0].name == "h1"
    level = 1
    for h in headings[1:]:
        new = int(h.name[1])
        assert new <= level + 1, f"{h.name} {text(h)!r} follows an h{level}"
        level = new


def test_ids_are_unique_and_every_fragment_link_has_a_target(any_result):
    soup = html_of(any_result)
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    for a in soup.select('a[href^="#"]'):
        assert a["href"][1:] in ids, a["href"]
    for svg in soup.select("svg[aria-labelledby]"):
        for ref in svg["aria-labelledby"].split():
            assert ref in ids


def test_every_chart_has_a_text_alternative(any_result):
    soup = html_of(any_result)
    for svg in soup.find_all("svg"):
        if svg.get("aria-hidden") == "true":
            # A bar inside a table whose cells state the same numbers in text.
            table = svg.find_parent("table")
            assert table is not None and table.caption and text(table.caption)
            row = svg.find_parent("tr")
            assert row.th and text(row.th) and re.fullmatch(r"\d\.\d\d", text(row.find_all("td")[-1]))
        else:
            assert svg["role"] == "img"
            assert svg.title and text(svg.title)
            assert svg.desc and text(svg.desc)


# --- cover and summary ------------------------------------------------------------------


@pytest.mark.parametrize("which", ["factory", "brand", "nothing"])
def test_cover_names_client_date_catalogue_and_profile(which, request):
    result = request.getfixturevalue(which)
    soup = html_of(result)
    cover = soup.select_one("header#cover")
    assert text(cover.h1) == f"Programme shortlist for {result.profile.name}"
    assert result.profile.name in text(cover)
    assert cover.select_one("time")["datetime"] == REPORT_DATE
    assert "25 November 2026" in text(cover)
    catalogue = text(cover.select_one(".catalogue"))
    assert result.catalogue["name"] in catalogue and result.catalogue["version"] in catalogue
    chips = cover.select(".profile .issue-chips li")
    assert len(chips) == len(result.profile.weights())
    assert "Type" in [text(dt_) for dt_ in cover.select(".facts dt")]
    if result.profile.kind == "brand":
        assert "Sourcing countries" in text(cover)
    assert f"badge-{result.verdict}" in cover.select_one(".cover-meta .badge")["class"]
    # the contents list links every section the report has, and only those
    toc = [a["href"][1:] for a in cover.select("nav.toc a")]
    sections = [s["id"] for s in soup.select("main > section")]
    assert toc == sections


@pytest.mark.parametrize("which", ["factory", "brand", "nothing"])
def test_sections_come_in_the_documented_order(which, request):
    result = request.getfixturevalue(which)
    sections = [s["id"] for s in html_of(result).select("main > section")]
    order = ["summary", "shortlist", "comparison", "coverage", "robustness", "memberships", "excluded",
             "methodology", "appendix"]
    assert sections == [s for s in order if s in sections]
    assert {"summary", "shortlist", "coverage", "methodology", "appendix"} <= set(sections)
    assert ("comparison" in sections) == bool(result.shortlist)
    assert ("memberships" in sections) == bool(result.memberships)
    assert ("excluded" in sections) == bool(result.excluded)


@pytest.mark.parametrize("which", ["factory", "brand", "nothing"])
def test_footer_and_the_printed_running_footer(which, request):
    result = request.getfixturevalue(which)
    soup = html_of(result, prepared_by="Acme CSR")
    footer = text(soup.select_one("footer.page-footer"))
    assert result.profile.name in footer and "Acme CSR" in footer and "25 November 2026" in footer
    assert result.catalogue["version"] in footer
    css = soup.style.get_text()
    # printed pages carry a running footer and page numbers instead, except the cover
    assert "@bottom-left" in css and 'counter(page) " of " counter(pages)' in css and "@page :first" in css
    running = re.search(r'@bottom-left \{ content: "([^"]*)"', css).group(1)
    decoded = re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), running)
    assert decoded == f"Programme shortlist for {result.profile.name} · 25 November 2026"
    assert soup.find("meta", attrs={"name": "dcterms.created"})["content"] == REPORT_DATE


def test_running_footer_cannot_break_out_of_the_stylesheet(profile_dict):
    profile_dict["name"] = '</style><script>alert(1)</script>"; } body { display: none } /*'
    soup = BeautifulSoup(render_html(recommend(profile_dict), ReportOptions(date=DATE)), "html.parser")
    assert len(soup.find_all("style")) == 1 and not soup.find_all("script")
    css = soup.style.get_text()
    running = re.search(r"@bottom-left \{ content: (\"[^\"]*\"); ", css).group(1)
    assert re.fullmatch(r'"[A-Za-z0-9\\]*"', running)
    assert "display: none } /*" not in css


def test_cover_branding(factory):
    png = "data:image/png;base64,iVBORw0KGgo="
    soup = html_of(factory, title="Supply chain review 2026", prepared_by="Acme Consulting", logo=png)
    cover = soup.select_one("#cover")
    assert text(cover.h1) == "Supply chain review 2026"
    assert text(soup.title) == "Supply chain review 2026"
    assert text(cover.select_one(".prepared-by")) == "Acme Consulting"
    assert text(cover.select_one(".client-name")) == factory.profile.name
    img = cover.select_one("img.cover-logo")
    assert img["src"] == png and img["alt"]


@pytest.mark.parametrize("which", ["factory", "brand"])
def test_executive_summary_names_the_top_choices_and_the_key_gap(which, request):
    result = request.getfixturevalue(which)
    summary = html_of(result).select_one("section#summary")
    assert summary.h2 and text(summary.h2) == "Executive summary"
    verdict = summary.select_one(".verdict")
    assert f"verdict-{result.verdict}" in verdict["class"]
    assert text(verdict.select_one(".message")) == result.message
    points = text(summary.select_one(".summary-points"))
    for rec in result.shortlist[1:3]:
        assert rec.name in points
    assert text(summary.select_one(".key-gap"))


def test_key_gap_is_the_heaviest_uncovered_issue(factory):
    # Drop the shortlist's issues from view: the uncovered issue with the top weight is named.
    only_first = dataclasses.replace(factory, shortlist=factory.shortlist[:1], uncovered=("wages",))
    gap = text(html_of(only_first).select_one("#summary .key-gap"))
    assert "Wages and living wage" in gap and "not addressed by any shortlisted initiative" in gap


# --- the cards --------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["factory", "brand"])
def test_one_card_per_shortlisted_initiative(which, request):
    result = request.getfixturevalue(which)
    soup = html_of(result)
    cards = soup.select("section#shortlist article.card")
    assert [c["id"] for c in cards] == [f"rank-{r.id}" for r in result.shortlist]
    for card, rec in zip(cards, result.shortlist, strict=True):
        assert rec.name in text(card.h3)
        assert text(card.select_one(".rank")) == str(rec.rank)
        assert text(card.select_one(".score")) == f"{rec.score:.2f}"
        # the score bar: one segment per component with a contribution of 0.01 or more
        bar = card.select_one(".score-figure svg[role=img]")
        assert f"{rec.score:.2f}" in text(bar.title)
        # the contributions chart: shown values add up to the shown score
        values = [float(text(td)) for td in card.select(".bar-table td.num")]
        assert values == sorted(values, reverse=True)
        assert round(sum(values), 2) == round(rec.score, 2)
        labels = {text(th) for th in card.select(".bar-table tbody th")}
        assert labels <= {c.label for c in rec.contributions}
        assert len(card.select("ul.reasons li")) == len(rec.reasons)
        for gap in rec.gaps:
            assert result.taxonomy.label("issues", gap) in text(card.select_one("ul.gaps"))
        assert text(card.select_one(".involves-text")) == rec.initiative.involves
        approaches = [text(li) for li in card.select(".involves .approaches li")]
        assert approaches == [result.taxonomy.label("approaches", a) for a in rec.initiative.approaches]
        link = card.select_one(".card-foot dd a.url")
        assert link["href"] == rec.initiative.url
        sources = card.select("ul.sources > li")
        assert len(sources) == len(rec.sources)
        for li, src in zip(sources, rec.sources, strict=True):
            assert li.time["datetime"] == src["as_of"]
            assert src["title"] in text(li)


def test_cautions_do_not_repeat_the_gaps(factory):
    card = html_of(factory).select_one(f"#rank-{factory.shortlist[0].id}")
    assert factory.shortlist[0].gaps
    assert not [li for li in card.select("ul.cautions li") if text(li).startswith("Does not address")]


@pytest.mark.parametrize(
    ("years", "expect"),
    [(100.0, lambda d: False), (3.0, lambda d: d < dt.date(2023, 11, 25)), (0.0, lambda d: d < DATE)],
)
def test_sources_older_than_the_threshold_are_flagged_possibly_stale(factory, years, expect):
    soup = html_of(factory, stale_after_years=years)
    items = soup.select("#appendix .appendix-list li")
    assert items
    for li in items:
        as_of = dt.date.fromisoformat(li.time["datetime"])
        flagged = li.select_one(".badge-stale") is not None
        assert flagged == expect(as_of), (li.time["datetime"], years)


def test_unsafe_links_are_never_emitted(factory):
    rec = factory.shortlist[0]
    bad_init = rec.initiative.model_copy(update={"url": "javascript:alert(1)"})
    bad_sources = tuple({**s, "url": "JavaScript:alert(2)"} for s in rec.sources)
    bad = dataclasses.replace(rec, initiative=bad_init, sources=bad_sources)
    result = dataclasses.replace(factory, shortlist=(bad, *factory.shortlist[1:]))
    soup = html_of(result)
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    assert not [h for h in hrefs if not h.startswith(("#", "http://", "https://"))]
    assert "javascript:" not in render_html(result, ReportOptions(date=DATE)).lower()
    card = soup.select_one(f"#rank-{rec.id}")
    assert not card.select(".card-foot dd a.url")
    assert rec.sources[0]["title"] in text(card.select_one("ul.sources"))


# --- comparison, coverage, memberships, exclusions ------------------------------------------


@pytest.mark.parametrize("which", ["factory", "brand"])
def test_heat_map_is_shortlist_by_issues(which, request):
    result = request.getfixturevalue(which)
    table = html_of(result).select_one("section#comparison table.heatmap")
    weights = result.profile.weights()
    issues = sorted(weights, key=lambda k: -weights[k])  # highest priority first, stable
    headers = [text(th) for th in table.select("thead th")][1:]
    assert len(headers) == len(issues)
    for header, key in zip(headers, issues, strict=True):
        assert header.startswith(result.taxonomy.label("issues", key))
    rows = table.select("tbody tr")
    assert len(rows) == len(result.shortlist)
    for row, rec in zip(rows, result.shortlist, strict=True):
        assert rec.name in text(row.th)
        cells = row.select("td.heat")
        for cell, key in zip(cells, issues, strict=True):
            strength = rec.initiative.issues.get(key, 0)
            assert cell["data-strength"] == str(strength)
            assert f"heat-{strength}" in cell["class"]
            assert cell["data-issue"] == result.taxonomy.label("issues", key)
            assert text(cell)  # the strength in words, not colour alone
    assert table.caption and text(table.caption)


@pytest.mark.parametrize("which", ["factory", "brand"])
def test_coverage_shows_the_best_combination(which, request):
    result = request.getfixturevalue(which)
    plan = best_combination([(r.id, r.name, r.initiative.issues) for r in result.shortlist],
                            result.profile.weights())
    section = html_of(result).select_one("section#coverage")
    steps = section.select("ol.steps li")
    assert [text(li.a) for li in steps] == [s.name for s in plan.steps]
    assert f"{plan.coverage * 100:.0f}" in text(section.select_one(".coverage-total"))
    chart = section.select_one("svg[role=img]")
    assert chart.title and chart.desc
    uncovered = [text(li) for li in section.select("ul.uncovered li")]
    assert uncovered == [result.taxonomy.label("issues", k) for k in plan.uncovered]


def test_memberships_are_shown_apart_and_not_ranked(brand, factory):
    assert brand.memberships
    section = html_of(brand).select_one("section#memberships")
    cards = section.select("article.card")
    assert [c["id"] for c in cards] == [f"member-{r.id}" for r in brand.memberships]
    assert "Already a member" in text(cards[0])
    assert not html_of(factory).select("section#memberships")


@pytest.mark.parametrize("which", ["factory", "brand", "nothing"])
def test_excluded_initiatives_with_reasons(which, request):
    result = request.getfixturevalue(which)
    items = html_of(result).select("section#excluded ul.excluded > li")
    assert [li["id"] for li in items] == [f"excluded-{e.id}" for e in result.excluded]
    for li, e in zip(items, result.excluded, strict=True):
        assert e.initiative.name in text(li.select_one(".name"))
        assert [text(r) for r in li.select(".reasons-excluded li")] == list(e.reasons)


# --- methodology and appendix -----------------------------------------------------------


@pytest.mark.parametrize("which", ["factory", "brand", "nothing"])
def test_methodology_states_rules_weights_and_catalogue(which, request):
    result = request.getfixturevalue(which)
    section = html_of(result).select_one("section#methodology")
    rows = section.select("table.weights-table tbody tr")
    assert len(rows) == len(result.weights)
    for row, (_component, weight) in zip(rows, result.weights.items(), strict=True):
        assert text(row.find_all("td")[-1]) == f"{weight * 100:.0f} %"
    body = text(section)
    for rule in ("Who may join", "Sector", "Country"):
        assert rule in body
    assert result.catalogue["version"] in body and result.catalogue["name"] in body


@pytest.mark.parametrize("which", ["factory", "brand", "nothing"])
def test_appendix_lists_every_source_of_every_named_initiative(which, request):
    result = request.getfixturevalue(which)
    soup = html_of(result)
    groups = soup.select("#appendix .appendix-group")
    named = [r.initiative for r in result.shortlist + result.memberships]
    named += [e.initiative for e in result.excluded]
    assert [text(g.h3) for g in groups] == [i.name for i in named]
    numbers = []
    for group, init in zip(groups, named, strict=True):
        items = group.select("li")
        assert len(items) == len(init.sources)
        for li, src in zip(items, init.sources, strict=True):
            assert src.title in text(li)
            assert li.time["datetime"] == src.as_of.isoformat()
            link = li.find("a")
            assert (link["href"] if link else None) == src.url
            numbers.append(int(li["id"].removeprefix("source-")))
        assert int(group.ol["start"]) == numbers[-len(items)]
    assert numbers == list(range(1, len(numbers) + 1))
    # the card references point into the appendix
    for ref in soup.select("ul.sources a.src-number"):
        assert soup.select_one(ref["href"]) is not None


# --- the robustness section -------------------------------------------------------------


def test_robustness_renders_stability_and_what_if(factory):
    extras = {
        "stability": {"top_stays_first": 0.87, "draws": 400, "perturbation": 0.2, "near_tie": True},
        "what_if": {"sentences": ["If wages were a top priority, Better Work would rank first."]},
    }
    soup = html_of(dataclasses.replace(factory, extras=extras))
    section = soup.select_one("section#robustness")
    assert text(section.h2) == "How robust is this ranking"
    sentence = text(section.select_one(".stability"))
    assert "87 %" in sentence and "400" in sentence and "20 %" in sentence and "near tie" in sentence
    assert section.select_one(".stability .badge-tie")
    chart = section.select_one("svg[role=img]")
    assert "87 %" in text(chart.title) and factory.shortlist[0].name in text(chart.title)
    assert [text(li) for li in section.select(".what-if li")] == extras["what_if"]["sentences"]
    assert "What would change the first choice" in [text(h) for h in section.find_all("h3")]


@pytest.mark.parametrize("which", ["factory", "brand", "nothing"])
def test_robustness_from_a_real_result(which, request):
    """`recommend` always measures stability (when something is shortlisted) and the what-if."""
    result = request.getfixturevalue(which)
    soup = html_of(result)
    section = soup.select_one("section#robustness")
    what_if = result.extras["what_if"]["sentences"]
    assert [text(li) for li in section.select("ul.what-if li")] == what_if
    if result.shortlist:
        stability = result.extras["stability"]
        assert text(section.h2) == "How robust is this ranking"
        sentence = text(section.select_one("p.stability"))
        assert f"{stability['top_stays_first'] * 100:.0f} %" in sentence
        assert f"{stability['draws']:,}" in sentence and result.shortlist[0].name in sentence
        # one segment per initiative that came first in some run, each named in the key
        shares = [text(li) for li in section.select(".stability-figure .legend li")]
        assert len(shares) == 1 + len(stability["challengers"])
        assert shares[0].startswith(result.shortlist[0].name)
        chart = section.select_one(".stability-figure svg[role=img]")
        assert len(chart.select("rect")) == 1 + len(shares)  # the track, then the segments
        assert all(name.split(" ")[0] in text(chart.desc) for name in shares)
        assert "How robust the result is" in text(soup.select_one("#methodology"))
    else:
        assert "stability" not in result.extras
        assert text(section.h2) == "What would change the result"
        assert not section.select(".stability")
        assert "What would lead to a recommendation" in [text(h) for h in section.find_all("h3")]


def _tied(result, *, margin=0.005, share=0.4):
    second = result.shortlist[1]
    stability = {"top": result.shortlist[0].id, "top_stays_first": 1 - share, "draws": 500, "perturbation": 0.2,
                 "near_tie": True, "runner_up": second.id, "margin": margin, "challengers": {second.id: share}}
    return dataclasses.replace(result, extras={**result.extras, "stability": stability})


def test_a_near_tie_is_flagged_in_the_summary_on_both_cards_and_in_robustness(factory):
    tied = _tied(factory)
    first, second = tied.shortlist[:2]
    soup = html_of(tied)
    note = text(soup.select_one("#summary .verdict .near-tie"))
    assert first.name in note and second.name in note and "40 %" in note and "nearly tied" in note
    assert soup.select_one('#summary .near-tie a[href="#robustness"]')
    for rec in (first, second):
        card = soup.select_one(f"#rank-{rec.id}")
        assert card.select_one(".card-score .badge-tie")
        other = second if rec is first else first
        assert other.name in text(card.select_one(".tie-note"))
    scores = [r.score for r in tied.shortlist]
    for i, rec in enumerate(tied.shortlist[2:], start=2):
        close = any(abs(scores[i] - scores[j]) < 0.02 for j in (i - 1, i + 1) if 0 <= j < len(scores))
        assert bool(soup.select(f"#rank-{rec.id} .tie-note")) == close
    stability = text(soup.select_one("#robustness p.stability"))
    assert "less than 0.01" in stability and second.name in stability
    legend = [text(li) for li in soup.select("#robustness .stability-figure .legend li")]
    assert legend == [f"{first.name} 60 %", f"{second.name} 40 %"]


def test_no_near_tie_no_flag(factory):
    stability = {**factory.extras["stability"], "near_tie": False, "top_stays_first": 1.0, "challengers": {},
                 "margin": 0.3}
    spread = [dataclasses.replace(r, score=1.0 - 0.1 * r.rank) for r in factory.shortlist]
    result = dataclasses.replace(factory, shortlist=tuple(spread), extras={**factory.extras, "stability": stability})
    soup = html_of(result)
    assert not soup.select(".near-tie, .tie-note, .badge-tie")
    assert "does not hinge on the exact weights" in text(soup.select_one("#robustness p.stability"))


def test_neighbours_with_close_scores_are_flagged_as_tied(factory):
    recs = list(factory.shortlist)
    recs[3] = dataclasses.replace(recs[3], score=recs[2].score - 0.01)
    stability = {**factory.extras["stability"], "near_tie": False}
    result = dataclasses.replace(factory, shortlist=tuple(recs), extras={**factory.extras, "stability": stability})
    soup = html_of(result)
    assert recs[3].name in text(soup.select_one(f"#rank-{recs[2].id} .tie-note"))
    assert recs[2].name in text(soup.select_one(f"#rank-{recs[3].id} .tie-note"))
    assert not soup.select_one("#summary .near-tie")  # the first choice itself is not tied


@pytest.mark.parametrize(
    ("extras", "stability", "what_if"),
    [({}, False, False), ({"what_if": {"sentences": ["A change."]}}, False, True),
     ({"stability": {"top_stays_first": 1.0, "draws": 10, "perturbation": 0.1}}, True, False)],
)
def test_robustness_renders_only_what_is_there(factory, extras, stability, what_if):
    soup = html_of(dataclasses.replace(factory, extras=extras))
    section = soup.select_one("section#robustness")
    assert (section is not None) == bool(extras)
    assert bool(soup.select(".stability")) == stability
    assert bool(soup.select(".what-if")) == what_if
    assert bool(soup.select('nav a[href="#robustness"]')) == bool(extras)


# --- when nothing fits ------------------------------------------------------------------


def test_fits_nothing_reads_plainly(nothing):
    assert nothing.verdict == "none" and not nothing.shortlist
    soup = html_of(nothing)
    assert "verdict-none" in soup.select_one("#summary .verdict")["class"]
    assert text(soup.select_one("#summary .message")) == nothing.message
    assert "Childcare and working parents" in text(soup.select_one("#summary .key-gap"))
    shortlist = soup.select_one("section#shortlist")
    assert text(shortlist.h2) == "No initiative to recommend"
    assert not soup.select("article.card")
    assert "would rather say so" in text(shortlist)
    assert shortlist.select(".next-steps li")
    assert not soup.select("#comparison")
    coverage = soup.select_one("#coverage")
    assert "Nothing to combine" in text(coverage)
    assert [text(li) for li in coverage.select("ul.uncovered li")] == ["Childcare and working parents"]
    assert soup.select("#excluded ul.excluded > li")
    assert soup.select_one("#cover .badge-none")


def test_a_weak_result_is_called_leads_to_check():
    result = recommend({"name": "Weak Co", "kind": "factory", "country": "IS", "sector": "toys",
                        "issues": {"childcare": 3, "wages": 1}})
    assert result.verdict == "weak"
    soup = html_of(result)
    assert text(soup.select_one("#shortlist h2")) == "Leads to check"
    assert "not as recommendations" in text(soup.select_one("#shortlist"))


# --- escaping ---------------------------------------------------------------------------

EVIL = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def test_client_text_is_escaped_everywhere(profile_dict):
    profile_dict["name"] = EVIL
    profile_dict["description"] = f'{EVIL} "quoted" & <b>bold</b>'
    result = recommend(profile_dict)
    html = render_html(result, ReportOptions(date=DATE, prepared_by=EVIL, title=None))
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all(["script", "b"])
    assert not soup.find_all("img")  # no logo given, so no image at all
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert EVIL in text(soup.select_one("#cover h1"))
    assert EVIL in text(soup.select_one("#cover .prepared-by"))
    assert soup.title.get_text() == f"Programme shortlist for {EVIL}"
    assert f'{EVIL} "quoted" & <b>bold</b>' == text(soup.select_one(".client-description"))
    assert "<script>" not in html


def test_a_logo_that_is_not_an_image_data_uri_is_refused(factory):
    from recommender.errors import InputError

    for logo in ("javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", "https://x.example/logo.png",
                 'data:image/png;base64,AAAA" onerror="alert(1)'):
        with pytest.raises(InputError):
            render_html(factory, ReportOptions(date=DATE, logo=logo))


def test_many_issues_turn_the_heat_map_on_its_side(profile_dict):
    keys = ["wages", "working_hours", "health_safety", "freedom_of_association", "discrimination",
            "harassment", "grievance", "womens_health"]
    profile_dict["issues"] = {k: 2 for k in keys}
    profile_dict["issues"]["womens_health"] = 3
    keys = ["womens_health", *keys[:-1]]  # the top priority comes first
    result = recommend(profile_dict)
    table = html_of(result).select_one("table.heatmap")
    assert "heatmap-transposed" in table["class"]
    assert len(table.select("thead th")) == 1 + len(result.shortlist)
    rows = table.select("tbody tr")
    assert all(text(r.th).startswith(result.taxonomy.label("issues", k)) for r, k in zip(rows, keys, strict=True))
    for row, key in zip(rows, keys, strict=True):
        for cell, rec in zip(row.select("td.heat"), result.shortlist, strict=True):
            assert cell["data-strength"] == str(rec.initiative.issues.get(key, 0))
            assert rec.name in cell["data-label"]
