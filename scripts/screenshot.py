"""Regenerate docs/screenshot.png: the first page of a real example report (the advice), 1280 px wide.

    python scripts/screenshot.py                       # the default example
    python scripts/screenshot.py --profile profiles/nl-apparel-brand.yaml --height 1800

Renders the profile with the packaged catalogue at a fixed date, opens the report in
Debian's headless Chromium through Playwright (the same way tests/test_browser.py does,
offline) and saves a PNG. Needs /usr/bin/chromium and `pip install playwright`; never run
`playwright install`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
DEFAULT_PROFILE = ROOT / "profiles" / "bd-knitwear-factory.yaml"
DEFAULT_OUTPUT = ROOT / "docs" / "screenshot.png"
DATE = dt.date(2026, 11, 25)


def render(profile: Path) -> str:
    """The example report's HTML, dated so that the screenshot is reproducible."""
    from recommender import recommend
    from recommender.report.render import ReportOptions, render_html

    options = ReportOptions(date=DATE, prepared_by="Example CSR Advisory")
    return render_html(recommend(profile, analyses=("stability",)), options)


def screenshot(html: str, output: Path, *, width: int, height: int) -> None:
    """Open ``html`` from a file URL, offline, and save the top ``height`` pixels as PNG."""
    from playwright.sync_api import sync_playwright

    from recommender.report.pdf import BROWSER_ARGS

    with tempfile.TemporaryDirectory(prefix="match-shot-") as tmp:
        page_file = Path(tmp) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        url = page_file.as_uri()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(BROWSER_ARGS))
            try:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
                page.goto(url, wait_until="load")
                page.screenshot(path=str(output), clip={"x": 0, "y": 0, "width": width, "height": height})
            finally:
                browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, default=DEFAULT_PROFILE, help="example profile to render")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="PNG to write")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in CSS pixels")
    parser.add_argument("--height", type=int, default=1150, help="how much of the page to keep")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("screenshot: /usr/bin/chromium is missing: apt-get install chromium", file=sys.stderr)
        return 1
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("screenshot: the playwright package is missing: pip install playwright", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    screenshot(render(args.profile), args.output, width=args.width, height=args.height)
    print(f"{args.output} ({args.output.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
