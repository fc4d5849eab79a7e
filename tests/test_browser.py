"""Every example page in a real browser: Debian's headless Chromium driven by Playwright.

Each single report (every example profile, a profile nothing fits, a weak match and a
stress case), the portfolio report and the supplier index of profiles/suppliers-template.csv
are opened from a file:// URL with every other request aborted and counted, at 1280×800 and
390 px. Each must log no console error, make no request, be no wider than the screen (the
page and every element), squeeze no table cell under 48 px, load the embedded font, and, for
a report with a first choice, name it on the first 1280×800 screen. Reports are printed to
PDF: the five-programme example in at most 12 pages, with the advice alone on the first.
Screenshots and PDFs go to tests/artifacts/. Skipped, with the reason, when /usr/bin/chromium
or the playwright package is missing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from recommender import load_catalogue, recommend
from recommender.cli import main
from recommender.report.fonts import FAMILY
from recommender.report.pdf import BROWSER_ARGS, pdf_page_count
from recommender.report.render import ReportOptions, render_html

from .conftest import EXAMPLES, PROFILES, REPORT_DATE, ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENS = {1280: 800, 390: 844}
MIN_CELL = 48
MAX_PAGES = 12

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install playwright)"
)

# Nothing fits: the only programme for childcare in Iceland is one the client already belongs to.
FITS_NOTHING = {"name": "Nordic Toy Works", "kind": "factory", "country": "IS", "sector": "toys",
                "issues": {"childcare": 3}, "memberships": ["child-friendly-spaces"]}
# Long unbroken words and many issue columns: the layout must still fit a phone.
STRESS = {
    "name": "Very" * 45 + " Garments",
    "kind": "factory",
    "country": "BD",
    "sector": "garment",
    "workforce": {"size": 12000, "women_share": 0.8, "migrant_share": 0.3},
    "issues": {k: 1 + i % 3 for i, k in enumerate(
        ["wages", "working_hours", "health_safety", "freedom_of_association", "discrimination",
         "harassment", "precarious_employment", "grievance", "womens_health", "financial_inclusion"])},
    "prefers": ["training", "peer_education", "worker_voice"],
    "description": "https://example.org/" + "a" * 150 + " overtime wages union",
}
# Nothing recommended: the best fit has no documented work in Iceland, a lead to check.
WEAK = {"name": "Weak Co", "kind": "factory", "country": "IS", "sector": "toys",
        "issues": {"womens_health": 1}}
REPORTS = [(p.stem, p) for p in EXAMPLES] + [("fits-nothing", FITS_NOTHING), ("weak", WEAK), ("stress", STRESS)]
SUPPLIERS = PROFILES / "suppliers-template.csv"

# Elements whose box lies (partly) outside the viewport, and table cells narrower than the
# minimum, ignoring what is deliberately hidden (visually-hidden text, a phone layout's
# clipped table head) and what scrolls inside its own box.
_LAYOUT_JS = """
(minCell) => {
  const width = window.innerWidth, out = [], narrow = [];
  function* ancestors(el) { for (let a = el; a; a = a.parentElement) yield a; }
  const clipped = (a) => { const s = getComputedStyle(a); return s.position === 'absolute' && s.clip !== 'auto'; };
  const hidden = (el) => el.closest('.visually-hidden, .skip-link') || [...ancestors(el)].some(clipped);
  const inScroller = (el) => [...ancestors(el.parentElement)].some((a) => a.classList.contains('table-scroll'));
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none' || hidden(el)) continue;
    if (!inScroller(el) && (r.right > width + 0.5 || r.left < -0.5)) {
      const cls = typeof el.className === 'string' ? el.className : '';
      const what = (el.textContent || '').trim().slice(0, 40);
      out.push(`${el.tagName.toLowerCase()}.${cls} [${Math.round(r.left)}, ${Math.round(r.right)}] "${what}"`);
    }
    if ((el.tagName === 'TD' || el.tagName === 'TH') && r.width < minCell && (el.textContent || '').trim()) {
      narrow.push(`${el.tagName.toLowerCase()} ${Math.round(r.width)}px "${el.textContent.trim().slice(0, 30)}"`);
    }
  }
  const first = document.querySelector('[data-first-choice]');
  const headline = document.querySelector('#advice .headline-text');
  return {
    scroll: document.scrollingElement.scrollWidth, inner: width, wide: out, narrow,
    height: document.documentElement.scrollHeight,
    first: first ? {name: first.textContent.trim(), bottom: first.getBoundingClientRect().bottom} : null,
    headline: headline ? {text: headline.textContent, bottom: headline.getBoundingClientRect().bottom} : null,
  };
}
"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(BROWSER_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def options():
    return ReportOptions(date=dt.date.fromisoformat(REPORT_DATE), prepared_by="Example CSR Advisory")


@pytest.fixture(scope="module")
def pages(tmp_path_factory, options):
    """Every page to check: name -> (path, name of the first choice or None)."""
    folder = tmp_path_factory.mktemp("pages")
    out = {}
    for name, profile in REPORTS:
        result = recommend(profile, analyses=("stability",))
        path = folder / f"{name}.html"
        path.write_text(render_html(result, options), encoding="utf-8")
        # The first choice is the first ranked (one ranking everywhere), recommended or a lead.
        first = result.top
        out[name] = (path, first.name if first else None)
    # The supplier-list pages, exactly as `match` writes them ...
    batch = folder / "batch"
    batch.mkdir()
    result = CliRunner().invoke(main, [str(SUPPLIERS), "-o", str(batch / "lines.csv"), "--report",
                                       str(batch / "portfolio.html"), "--per-supplier-reports",
                                       str(batch / "reports"), "--date", REPORT_DATE])
    assert result.exit_code == 0, result.output
    out["portfolio"] = (batch / "portfolio.html", None)
    out["supplier-index"] = (batch / "reports" / "index.html", None)
    # ... and the portfolio with its supplier × programme grid.
    out["portfolio-grid"] = (_portfolio_with_grid(folder, options), None)
    return out


def _portfolio_with_grid(folder: Path, options: ReportOptions) -> Path:
    from recommender.analysis.portfolio import PortfolioBuilder
    from recommender.report.portfolio import SupplierGrid, render_portfolio
    from recommender.suppliers.frame import FrameScorer, match_columns

    cat = load_catalogue()
    frame = pd.read_csv(SUPPLIERS, dtype=str)
    frame.index = np.arange(2, len(frame) + 2)
    fields, _ = match_columns(frame.columns)
    scorer = FrameScorer(cat)
    builder, grid = PortfolioBuilder(cat, engine=scorer.engine), SupplierGrid(cat)
    scored = scorer.score(frame)
    builder.add(scored.suppliers)
    grid.add(frame, scored, fields)
    path = folder / "portfolio-grid.html"
    path.write_text(render_portfolio(builder.build(source=SUPPLIERS.name), options, grid=grid), encoding="utf-8")
    return path


def open_offline(browser, path: Path, width: int, height: int = 900):
    """A page showing ``path`` with every other request aborted; returns (page, errors, requests)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)
    url = path.as_uri()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: requests.append(req.url) if req.url != url else None)

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(url, wait_until="load")
    return page, errors, requests


def layout(page) -> dict:
    return page.evaluate(_LAYOUT_JS, MIN_CELL)


@pytest.mark.parametrize("name", [name for name, _ in REPORTS] + ["portfolio", "portfolio-grid", "supplier-index"])
def test_page_in_chromium(browser, pages, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path, first = pages[name]
    for width, height in SCREENS.items():
        page, errors, requests = open_offline(browser, path, width, height)
        try:
            assert page.title()
            assert errors == [], f"console errors at {width}px: {errors}"
            assert requests == [], f"network requests at {width}px: {requests}"
            assert page.evaluate(f"document.fonts.check('16px \"{FAMILY}\"')"), "the embedded font is not used"
            found = layout(page)
            assert found["scroll"] <= found["inner"], f"page scrolls sideways at {width}px"
            assert found["wide"] == [], f"elements wider than the {width}px viewport: {found['wide'][:5]}"
            assert found["narrow"] == [], f"table cells under {MIN_CELL}px at {width}px: {found['narrow'][:5]}"
            if first is not None:
                assert found["first"] and found["first"]["name"] == first
                if width == 1280:
                    # Named on the first screen: in the scorecard, or in the advice above it (a
                    # first choice that is only a lead sits under "Also worth a look").
                    in_card = found["first"]["bottom"] <= height
                    said = bool(found["headline"]) and first in found["headline"]["text"] \
                        and found["headline"]["bottom"] <= height
                    assert in_card or said, f"first choice not named on the first screen at {width}px"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        finally:
            page.close()


@pytest.mark.parametrize("name", [name for name, _ in REPORTS])
def test_report_prints_to_pdf(browser, pages, name):
    path, _ = pages[name]
    page, errors, _ = open_offline(browser, path, 794)
    try:
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF-") and errors == []
        (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
        pages_printed = pdf_page_count(pdf)
        assert pages_printed <= MAX_PAGES + (4 if name == "stress" else 0), f"{name}: {pages_printed} pages"
        if name == "bd-knitwear-factory":
            assert pages_printed <= MAX_PAGES
    finally:
        page.close()


def test_print_layout_on_a4(browser, pages):
    # 794 CSS px is A4's width: print must keep the wide layout, not the phone layout.
    page, errors, _ = open_offline(browser, pages["bd-knitwear-factory"][0], 794)
    try:
        page.emulate_media(media="print")
        rules = page.evaluate("""() => {
          const style = (selector) => getComputedStyle(document.querySelector(selector));
          const advice = document.querySelector('#advice').getBoundingClientRect();
          return {
            advice: style('#advice').breakAfter,
            adviceHeight: advice.bottom,
            head: ['breakInside', 'breakAfter'].map((k) => style('article.card .card-head')[k]),
            row: style('.scorecard tbody tr').breakInside,
            scorecard: style('table.scorecard').display,
            chart: style('article.card .bar-table').breakInside,
            toc: style('nav.toc').display,
            footer: style('footer.page-footer').display,
            appendix: style('#appendix').breakBefore,
          };
        }""")
        # The advice fits on the first A4 page (297 mm less 28 mm of margins, at 96 px to the inch).
        assert rules.pop("adviceHeight") <= (297 - 28) / 25.4 * 96
        assert rules == {"advice": "page", "head": ["avoid", "avoid"], "row": "avoid", "scorecard": "table",
                         "chart": "avoid", "toc": "none", "footer": "none", "appendix": "auto"}
        assert errors == []
    finally:
        page.close()


# --- the checks themselves catch what they are for ------------------------------------------


def test_the_harness_catches_requests_console_errors_overflow_and_squeezed_cells(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><meta name='viewport' content='width=device-width'></head><body>"
        "<img src='https://example.invalid/pixel.png'>"
        "<script>console.error('boom')</script>"
        "<div style='width: 2000px'>wide</div>"
        "<table style='width: 100px'><tr><td style='overflow-wrap: anywhere'>Bangladesh</td>"
        "<td>Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</td></tr></table></body></html>"
    )
    page, errors, requests = open_offline(browser, bad, 390)
    try:
        assert requests == ["https://example.invalid/pixel.png"]
        assert "boom" in errors
        found = layout(page)
        assert found["scroll"] > found["inner"] and any(item.startswith("div") for item in found["wide"])
        assert any("Bangladesh" in item for item in found["narrow"])
    finally:
        page.close()
