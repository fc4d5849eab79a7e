"""Rendering: formats, determinism, Markdown escaping, branding options, template
overrides, the documented context, packaging of the templates and PDF output."""

from __future__ import annotations

import configparser
import dataclasses
import datetime as dt
import fnmatch
import os
import re
import subprocess
import sys
import typing

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from recommender import recommend
from recommender import report as report_module
from recommender.cli import main
from recommender.errors import DependencyError
from recommender.report.context import ReportContext, build_context, safe_url
from recommender.report.render import (
    FORMATS,
    ReportOptions,
    css_string,
    markdown_escape,
    render,
    render_html,
    render_markdown,
    report_date,
)

from .conftest import EXAMPLES, PROFILES, REPORT_DATE, ROOT

FACTORY = PROFILES / "bd-knitwear-factory.yaml"
# Nothing fits: the only programme for childcare in Iceland is one the client already belongs to.
FITS_NOTHING = {"name": "Nordic Toy Works", "kind": "factory", "country": "IS", "sector": "toys",
                "issues": {"childcare": 3}, "memberships": ["child-friendly-spaces"]}
BRAND = PROFILES / "nl-apparel-brand.yaml"
DATE = dt.date.fromisoformat(REPORT_DATE)
EVIL = "<script>alert(1)</script><img src=x onerror=alert(1)>"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def run(*args, env=None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def factory():
    return recommend(FACTORY, analyses=("stability", "what_if"))


# --- formats and dates ------------------------------------------------------------------


def test_render_dispatches_and_rejects_unknown_formats(factory, report_options):
    assert render(factory, "html", report_options) == render_html(factory, report_options)
    assert render(factory, "md", report_options) == render_markdown(factory, report_options)
    assert render(factory, "json", report_options).endswith("}\n")
    assert set(FORMATS) == {"html", "json", "md"}
    with pytest.raises(ValueError, match="unknown format"):
        render(factory, "docx", report_options)


def test_report_date_prefers_option_then_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")  # 2025-11-25 00:00 UTC
    assert report_date() == dt.date(2025, 11, 25)
    assert report_date(ReportOptions(date=DATE)) == DATE
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")
    assert report_date() == dt.datetime.now(tz=dt.timezone.utc).date()


# --- determinism ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_same_input_same_bytes_across_processes_and_hash_seeds(tmp_path, fmt):
    outputs = []
    for seed in ("1", "2", "3"):
        target = tmp_path / f"r{seed}.{fmt}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": "1764028800"}
        subprocess.run([sys.executable, "-m", "recommender.cli", str(FACTORY), "-o", str(target)],
                       check=True, env=env, capture_output=True)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    if fmt != "json":
        assert b"25 November 2025" in outputs[0]


def test_date_option_and_source_date_epoch_give_identical_reports(tmp_path, monkeypatch):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert run(FACTORY, "-o", a, "--date", "2025-11-25").exit_code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    assert run(FACTORY, "-o", b).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


def test_rendering_is_pure(factory, report_options):
    before = factory.to_dict()
    first = render_html(factory, report_options)
    assert render_html(factory, report_options) == first
    assert factory.to_dict() == before
    assert not re.search(r"0x[0-9a-f]{6,}", first)  # no ids from memory addresses


# --- Markdown -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("Plain words, 0.53 and 2026.11", "Plain words, 0.53 and 2026.11"),
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; & y"),
        ("C&A and H&M", "C&A and H&M"),  # a bare & is literal in Markdown: keep it readable
        ("&amp; &#60; &#x3c;", "&amp;amp; &amp;\\#60; &amp;\\#x3c;"),  # but never an entity
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("*bold* _it_ `code` ~s~ a|b", "\\*bold\\* \\_it\\_ \\`code\\` \\~s\\~ a\\|b"),
        ("# Heading", "\\# Heading"),
        ("- item", "\\- item"),
        ("1. item", "1\\. item"),
        ("line one\n\n# line two", "line one \\# line two"),
        ("![img](x)", "\\!\\[img\\](x)"),
        (None, ""),
    ],
)
def test_markdown_escape(raw, escaped):
    assert markdown_escape(raw) == escaped


def test_markdown_report_has_every_section(factory, report_options):
    md = render_markdown(factory, report_options)
    for heading in ("# Programme shortlist for Gazipur Knit Composite Ltd", "## Our recommendation",
                    "## What you told us", "## Comparison", "## Coverage", "## The programmes in detail",
                    "## Programmes not open to you", "## How we matched", "## Sources"):
        assert f"\n{heading}" in "\n" + md, heading
    ctx = build_context(factory, report_options)
    for card in ctx.cards:
        assert f"### {card.rank_label}\\. {markdown_escape(card.name)}" in md
        assert f"**{card.score_text} out of 1**" in md
    assert "25 November 2026" in md
    assert f"[{factory.shortlist[0].initiative.url}]({factory.shortlist[0].initiative.url})" in md
    assert "<" not in md.replace("&lt;", "")


def test_markdown_first_screen_is_the_advice(factory, report_options):
    """Title, the recommendation, the scorecard, the gap and the next steps come before any detail."""
    md = render_markdown(factory, report_options)
    first = md.split("\n---\n", 1)[0]
    ctx = build_context(factory, report_options)
    assert first.index("## Our recommendation") < first.index("| Rank | Programme | Fit | Score (0 to 1) |")
    assert markdown_escape(ctx.advice.headline) in first
    assert "**The most important gap:**" in first and "**Next steps**" in first
    for card in ctx.cards:
        assert f"| {card.rank_label} | {markdown_escape(card.name)}" in first
    assert "█" in first  # the score drawn as a bar on a 0-1 scale
    assert len(first.splitlines()) < 40


def test_markdown_fits_nothing(report_options):
    result = recommend(FITS_NOTHING, analyses=("what_if",))
    md = render_markdown(result, report_options)
    assert "## No new programme to recommend" in md
    assert "| Rank |" not in md and "### 1\\." not in md
    if result.extras["what_if"]["sentences"]:
        assert "## What would change the result" in md and "## How firm" not in md


def test_markdown_robustness_and_near_tie(factory, report_options):
    md = render_markdown(factory, report_options)
    assert "## How firm is this advice" in md
    assert f"{factory.extras['stability']['top_stays_first'] * 100:.0f} %" in md
    first, second = factory.shortlist[:2]
    stability = {**factory.extras["stability"], "near_tie": True, "runner_up": second.id, "margin": 0.004,
                 "top_stays_first": 0.55, "challengers": {second.id: 0.45}}
    near = dataclasses.replace(factory, extras={**factory.extras, "stability": stability},
                               shortlist=(first, dataclasses.replace(second, tier="recommended"),
                                          *factory.shortlist[2:]))
    md = render_markdown(near, report_options)
    advice = md.split("\n---\n", 1)[0]
    assert "## Two programmes nearly tied" in advice
    assert f"{markdown_escape(first.name)} or {markdown_escape(second.name)}" in advice
    assert "**Near tie.** Nearly tied with " + markdown_escape(second.name) in md
    assert "**Near tie.** Nearly tied with " + markdown_escape(first.name) in md


# --- branding through the CLI -------------------------------------------------------------


def test_cli_branding_options(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    out = tmp_path / "r.html"
    result = run(FACTORY, "-o", out, "--title", "Supplier review", "--prepared-by", "Acme CSR",
                 "--logo", logo, "--date", "2026-01-31", "--stale-after", "50")
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(out.read_text(), "html.parser")
    assert soup.select_one("#cover h1").get_text(strip=True) == "Supplier review"
    assert soup.select_one(".prepared-by").get_text(strip=True) == "Acme CSR"
    assert soup.select_one("img.cover-logo")["src"].startswith("data:image/png;base64,iVBORw0KGgo")
    assert soup.select_one("#cover time")["datetime"] == "2026-01-31"
    assert "older than" not in soup.select_one("#appendix").get_text()


def test_cli_markdown_format(tmp_path):
    out = tmp_path / "r.md"
    assert run(FACTORY, "-o", out, "--prepared-by", "Acme <CSR>").exit_code == 0
    md = out.read_text()
    assert md.startswith("# Programme shortlist for Gazipur Knit Composite Ltd\n")
    assert "prepared by Acme &lt;CSR&gt;" in md


def test_templates_override_a_partial_and_fall_back_for_the_rest(tmp_path, factory, report_options):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "_advice.html").write_text(
        '<section id="summary"><h2>Our summary</h2><p class="custom">{{ ctx.client }}</p></section>\n'
    )
    (tmp_path / "report.css").write_text(".custom { color: #123456; }\n")
    html = render_html(factory, dataclasses.replace(report_options, templates=str(tmp_path)))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("#summary h2").get_text() == "Our summary"
    assert soup.select_one("#summary .custom").get_text() == factory.profile.name
    assert "#123456" in soup.style.get_text()
    assert soup.select("article.card") and soup.select("#methodology")  # packaged partials still used


def test_templates_override_through_the_cli(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.md").write_text("Custom for {{ ctx.client }}\n")
    out = tmp_path / "r.md"
    assert run(FACTORY, "-o", out, "--templates", folder).exit_code == 0
    assert out.read_text() == "Custom for Gazipur Knit Composite Ltd\n"


def test_a_page_can_extend_base_html(tmp_path, factory, report_options):
    (tmp_path / "report.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="own">{{ ctx.client }}</p>{% endblock %}'
    )
    soup = BeautifulSoup(render_html(factory, dataclasses.replace(report_options, templates=str(tmp_path))),
                         "html.parser")
    assert soup.select_one("main #own").get_text() == factory.profile.name
    assert soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert ".card" in soup.style.get_text()


# --- the documented context -------------------------------------------------------------


def _view_classes():
    return [getattr(report_module, name) for name in report_module.__all__
            if dataclasses.is_dataclass(getattr(report_module, name))]


@pytest.mark.parametrize("cls", _view_classes(), ids=lambda c: c.__name__)
def test_every_context_field_is_documented(cls):
    doc = cls.__doc__ or ""
    docs_md = (ROOT / "docs" / "report.md").read_text()
    missing = [
        f.name
        for f in dataclasses.fields(cls)
        if not re.search(rf"(``{f.name}``|^    {f.name}$)", doc, re.M) and f"`{f.name}`" not in docs_md
    ]
    assert not missing, f"{cls.__name__}: document {missing} in its docstring"


def test_report_context_is_documented_field_by_field_in_order():
    doc = ReportContext.__doc__
    listed = [name for name in re.findall(r"^    (\w+)$", doc, re.M) if name != "Attributes"]
    assert listed == [f.name for f in dataclasses.fields(ReportContext)]
    hints = typing.get_type_hints(ReportContext)
    assert set(hints) == set(listed)


def test_docs_list_every_context_field():
    docs_md = (ROOT / "docs" / "report.md").read_text()
    for f in dataclasses.fields(ReportContext):
        assert f"`{f.name}`" in docs_md, f.name


def test_context_for_each_example(report_options):
    for path in EXAMPLES:
        result = recommend(path)
        ctx = build_context(result, report_options)
        assert len(ctx.cards) == len(result.shortlist)
        assert ctx.date == REPORT_DATE
        assert ctx.source_count == len(ctx.sources) == len({(s.title, s.url, s.as_of) for s in ctx.sources})
        assert [s.number for s in ctx.sources] == list(range(1, ctx.source_count + 1))
        cited = {n for c in ctx.cards + ctx.memberships for n in c.sources}
        cited |= {n for e in ctx.excluded for n in e.sources}
        assert cited == {s.number for s in ctx.sources}  # only what is shown, each source once
        for card in ctx.cards:
            assert round(sum(b.value for b in card.bars), 2) == round(card.score, 2)
            assert round(sum(p.value for p in card.parts), 2) == round(card.score, 2)


@pytest.mark.parametrize(
    ("url", "ok"),
    [("https://example.org/a?b=c", True), ("http://x.org", True), ("javascript:alert(1)", False),
     (" JAVASCRIPT:alert(1)", False), ("data:text/html,x", False), ("https://x.org/a b", False),
     ('https://x.org/"onmouseover=', False), ("//x.org", False), (None, False), ("", False)],
)
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) == ok


# --- packaging ----------------------------------------------------------------------------


def test_every_report_asset_is_package_data():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    globs = [g.strip() for g in cfg["options.package_data"]["recommender._reports"].split(",")]
    for path in (ROOT / "reports").rglob("*"):
        if path.is_file():
            rel = path.relative_to(ROOT / "reports").as_posix()
            assert any(fnmatch.fnmatch(rel, g) and rel.count("/") == g.count("/") for g in globs), rel


@pytest.mark.parametrize("value", ["Plain Name Ltd", 'a"b', "</style><script>x()</script>", "a\\\"; } * { x: y",
                                   "Fjällspår · Co\nLtd", "/* c */ ;{}"])
def test_css_string_cannot_break_out(value):
    out = str(css_string(value))
    assert re.fullmatch(r'"[A-Za-z0-9\\]*"', out)
    decoded = re.sub(r"\\([0-9a-f]{6})", lambda m: chr(int(m.group(1), 16)), out[1:-1])
    assert decoded == " ".join(value.split())


def test_stylesheet_has_print_and_small_screen_rules():
    css = (ROOT / "reports" / "report.css").read_text()
    assert "@media print" in css and "@page" in css and "break-inside: avoid" in css
    assert "@media screen and (max-width:" in css
    assert "{#" not in css and "{%" not in css and "{{" not in css  # included as a template


# --- PDF ----------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    __import__("recommender.report.pdf", fromlist=["find_chromium"]).find_chromium() is None,
    reason="Chromium is not installed (apt-get install chromium); PDF output cannot be tested",
)


@needs_chromium
def test_pdf_from_the_cli(tmp_path):
    out = tmp_path / "r.pdf"
    result = run(FACTORY, "-o", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    assert len(data) > 20_000


@needs_chromium
def test_same_report_same_pdf_bytes(factory, report_options):
    from recommender.report.pdf import html_to_pdf

    html = render_html(factory, report_options)
    first, second = html_to_pdf(html), html_to_pdf(html)
    assert first == second
    assert b"/CreationDate (D:20261125000000+00'00')" in first  # the report date, not the clock
    assert b"/ModDate (D:20261125000000+00'00')" in first
    other = html_to_pdf(html, date=dt.date(2030, 1, 2))
    assert b"/CreationDate (D:20300102000000" in other and len(other) == len(first)


@needs_chromium
def test_html_to_pdf_paper_sizes(factory, report_options):
    from recommender.report.pdf import html_to_pdf

    html = render_html(factory, report_options)
    a4 = html_to_pdf(html, paper="A4")
    letter = html_to_pdf(html, paper="Letter")
    assert b"/MediaBox [0 0 594.9" in a4 or b"/MediaBox [0 0 595" in a4
    assert b"/MediaBox [0 0 612 792]" in letter
    with pytest.raises(ValueError):
        html_to_pdf(html, paper="A3")


def test_pdf_without_chromium_says_what_to_do(tmp_path, monkeypatch, factory, report_options):
    from recommender.report.pdf import html_to_pdf

    monkeypatch.setenv("MATCH_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(DependencyError, match="apt-get install chromium"):
        html_to_pdf(render_html(factory, report_options))
    result = CliRunner(env={"MATCH_CHROMIUM": str(tmp_path / "missing")}).invoke(
        main, [str(FACTORY), "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1
    assert "Chromium" in result.stderr and "apt-get install chromium" in result.stderr
    assert not (tmp_path / "r.pdf").exists()



@needs_chromium
def test_pdf_carries_title_author_and_creator(factory, report_options):
    from recommender.report.pdf import html_to_pdf, pdf_info, pdf_page_count

    html = render_html(factory, dataclasses.replace(report_options, prepared_by="Acme CSR · Équipe"))
    data = html_to_pdf(html)
    info = pdf_info(data)
    assert info["Title"] == f"Programme shortlist for {factory.profile.name}"
    assert info["Author"] == "Acme CSR · Équipe"
    assert info["Creator"] == "match"
    assert info["CreationDate"].startswith("D:20261125")
    assert 1 <= pdf_page_count(data) <= 12
    assert "Author" not in pdf_info(html_to_pdf(render_html(factory, report_options)))


def test_set_info_is_an_incremental_update():
    from recommender.report.pdf import pdf_info, set_info

    pdf = (b"%PDF-1.4\n1 0 obj\n<</Title (Old) /Producer (Skia/PDF)\n/CreationDate (D:20260101000000+00'00')>>\n"
           b"endobj\n2 0 obj\n<</Type /Catalog>>\nendobj\nxref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n"
           b"0000000099 00000 n \ntrailer\n<</Size 3\n/Root 2 0 R\n/Info 1 0 R>>\nstartxref\n130\n%%EOF\n")
    out = set_info(pdf, title="Nouveau (titre)", author="A & B")
    assert out.startswith(pdf)  # earlier bytes untouched
    assert pdf_info(out) == {"Title": "Nouveau (titre)", "Author": "A & B", "Creator": "match",
                             "Producer": "Skia/PDF", "CreationDate": "D:20260101000000+00'00'"}
    assert set_info(pdf, title="x") == set_info(pdf, title="x")
    assert b"/Prev 130" in out and out.rstrip().endswith(b"%%EOF")


# --- the CLI's friction points --------------------------------------------------------------


def test_match_help_lists_the_main_commands_options():
    result = run("--help")
    assert result.exit_code == 0
    for flag in ("--output", "--format", "--top", "--prepared-by", "--report", "--what-if", "--notes"):
        assert flag in result.output, flag
    assert "Commands:" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["--report", "p.html"], "--report is for supplier lists"),
    (["--per-supplier-reports", "out"], "--per-supplier-reports is for supplier lists"),
    (["--portfolio-size", "4"], "--portfolio-size is for supplier lists"),
    (["--errors", "e.csv"], "--errors is for supplier lists"),
    (["--report", "p.html", "--errors", "e.csv"], "--report, --errors are for supplier lists"),
])
def test_batch_only_options_for_a_single_profile_are_an_error(tmp_path, args, message):
    result = CliRunner().invoke(main, [str(FACTORY), "-o", str(tmp_path / "r.html"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "bd-knitwear-factory.yaml is a single profile" in result.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--what-if"], "--what-if is for a single profile"),
    (["--notes"], "--notes adds the consultant notes to a report"),
])
def test_single_only_options_for_a_supplier_list_are_an_error(tmp_path, args, message):
    result = CliRunner().invoke(main, [str(PROFILES / "suppliers-template.csv"), "-o", str(tmp_path / "s.csv"),
                                       *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "suppliers-template.csv" in result.output
    assert not (tmp_path / "s.csv").exists()


def test_the_notes_option_through_the_cli(tmp_path):
    plain, noted = tmp_path / "r.html", tmp_path / "n.html"
    assert run(FACTORY, "-o", plain).exit_code == 0
    assert run(FACTORY, "-o", noted, "--notes").exit_code == 0
    assert 'id="notes"' in noted.read_text() and 'id="notes"' not in plain.read_text()


@pytest.mark.parametrize(("n", "noun", "plural", "expected"), [
    (1, "supplier", None, "1 supplier"), (2, "supplier", None, "2 suppliers"),
    (0, "country", "countries", "0 countries"), (1, "country", "countries", "1 country"),
    (1200, "row", None, "1,200 rows"),
])
def test_counts_agree_with_their_nouns(n, noun, plural, expected):
    from recommender.report.render import count

    assert count(n, noun, plural) == expected


def test_one_supplier_is_not_one_suppliers(tmp_path):
    import pandas as pd

    from recommender.analysis.portfolio import PortfolioBuilder
    from recommender.catalogue import load_catalogue
    from recommender.report.portfolio import render_portfolio
    from recommender.suppliers.frame import FrameScorer

    cat = load_catalogue()
    scorer = FrameScorer(cat)
    frame = pd.read_csv(PROFILES / "suppliers-template.csv", dtype=str).head(1)
    frame.index = frame.index + 2
    builder = PortfolioBuilder(cat, engine=scorer.engine)
    builder.add(scorer.score(frame).suppliers)
    page = BeautifulSoup(render_portfolio(builder.build(source="one.csv"), ReportOptions(date=DATE)), "html.parser")
    words = " ".join(page.get_text(" ").split())
    assert "1 suppliers" not in words and "1 supplier" in words
