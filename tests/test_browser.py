"""Every example report in a real browser: Debian's headless Chromium driven by Playwright.

Each report is opened from a file:// URL with every other request aborted and counted; it
must log no console error, make no request, fit the viewport at 1280 px and 390 px (the
page and every element), and print to PDF. Screenshots and PDFs go to tests/artifacts/.
Skipped, with the reason, when /usr/bin/chromium or the playwright package is missing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from recommender import recommend
from recommender.report.pdf import BROWSER_ARGS
from recommender.report.render import ReportOptions, render_html

from .conftest import EXAMPLES, REPORT_DATE, ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
WIDTHS = (1280, 390)

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (pip install playwright)"
)

FITS_NOTHING = {"name": "Nordic Toy Works", "kind": "factory", "country": "IS", "sector": "toys",
                "issues": {"childcare": 3}}
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
# A weak first choice ("Leads to check").
WEAK = {"name": "Weak Co", "kind": "factory", "country": "IS", "sector": "toys", "issues": {"childcare": 3, "wages": 1}}
CASES = [(p.stem, p) for p in EXAMPLES] + [("fits-nothing", FITS_NOTHING), ("weak", WEAK), ("stress", STRESS)]

# Elements whose box lies (partly) outside the viewport, ignoring ones deliberately hidden.
_OVERFLOW_JS = """
() => {
  const width = window.innerWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') continue;
    if (el.closest('.visually-hidden, .skip-link')) continue;
    if (r.right > width + 0.5 || r.left < -0.5) {
      const cls = typeof el.className === 'string' ? el.className : '';
      const what = (el.textContent || '').trim().slice(0, 40);
      out.push(`${el.tagName.toLowerCase()}.${cls} [${Math.round(r.left)}, ${Math.round(r.right)}] "${what}"`);
    }
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(BROWSER_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    options = ReportOptions(date=dt.date.fromisoformat(REPORT_DATE))
    paths = {}
    for name, profile in CASES:
        path = folder / f"{name}.html"
        path.write_text(render_html(recommend(profile), options), encoding="utf-8")
        paths[name] = path
    return paths


def open_offline(browser, path: Path, width: int):
    """A page showing ``path`` with every other request aborted; returns (page, errors, requests)."""
    page = browser.new_page(viewport={"width": width, "height": 900})
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


def overflow(page) -> tuple[int, int, list[str]]:
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    return scroll, inner, page.evaluate(_OVERFLOW_JS)


@pytest.mark.parametrize("name", [name for name, _ in CASES])
def test_example_report_in_chromium(browser, reports, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page, errors, requests = open_offline(browser, reports[name], width)
        try:
            assert page.title()
            assert errors == [], f"console errors at {width}px: {errors}"
            assert requests == [], f"network requests at {width}px: {requests}"
            scroll, inner, wide = overflow(page)
            assert scroll <= inner, f"page scrolls sideways at {width}px ({scroll} > {inner})"
            assert wide == [], f"elements wider than the {width}px viewport: {wide[:5]}"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            if width == WIDTHS[0]:
                pdf = page.pdf(format="A4", print_background=True)
                assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
                (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
        finally:
            page.close()


def test_print_layout_on_a4(browser, reports):
    # 794 CSS px is A4's width: print must keep the wide layout, not the phone layout.
    page, errors, _ = open_offline(browser, reports["bd-knitwear-factory"], 794)
    try:
        page.emulate_media(media="print")
        rules = page.evaluate("""() => {
          const style = (selector) => getComputedStyle(document.querySelector(selector));
          const body = document.querySelector('article.card .card-body');
          const [reasons, chart] = [...body.children].map((el) => el.getBoundingClientRect().top);
          return {
            cover: style('#cover').breakAfter,
            head: ['breakInside', 'breakAfter'].map((k) => style('article.card .card-head')[k]),
            row: style('.heatmap tbody tr').breakInside,
            heatmap: style('table.heatmap').display,
            chart: [style('article.card .bar-table').breakInside, chart < reasons],
            toc: style('nav.toc').display,
            footer: style('footer.page-footer').display,
            intro: style('section#coverage .section-intro').breakAfter,
            methodology: style('#methodology').breakBefore,
            appendix: style('#appendix').breakBefore,
          };
        }""")
        # On paper the contributions chart comes first, whole, and the reasons flow after it;
        # the running footer and page numbers replace the on-screen footer.
        assert rules == {"cover": "page", "head": ["avoid", "avoid"], "row": "avoid", "heatmap": "table",
                         "chart": ["avoid", True], "toc": "none", "footer": "none", "intro": "avoid",
                         "methodology": "page", "appendix": "page"}
        assert errors == []
    finally:
        page.close()


# --- the checks themselves catch what they are for ------------------------------------------


def test_the_harness_catches_requests_console_errors_and_overflow(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><meta name='viewport' content='width=device-width'></head><body>"
        "<img src='https://example.invalid/pixel.png'>"
        "<script>console.error('boom')</script>"
        "<div style='width: 2000px'>wide</div></body></html>"
    )
    page, errors, requests = open_offline(browser, bad, 390)
    try:
        assert requests == ["https://example.invalid/pixel.png"]
        assert "boom" in errors
        scroll, inner, wide = overflow(page)
        assert scroll > inner and any(item.startswith("div") for item in wide)
    finally:
        page.close()
