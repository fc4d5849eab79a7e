"""Print a rendered HTML report to PDF with Debian's headless Chromium.

Chromium prints with the report's own print stylesheet, exactly as a reader's browser
would, so the PDF and the HTML never drift apart; it is an optional system package, not
a Python dependency (see docs/report.md for why Chromium rather than WeasyPrint).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DependencyError

__all__ = ["html_to_pdf", "find_chromium", "PAPER_SIZES", "BROWSER_ARGS", "CHROMIUM_FLAGS"]

#: Paper sizes `html_to_pdf` can ask for (the report's print stylesheet suits both).
PAPER_SIZES = ("A4", "Letter")

#: Flags for a quiet, offline browser: no sandbox (containers), no GPU, no background traffic.
#: The browser test and scripts/screenshot.py launch Chromium with these too.
BROWSER_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

#: The command-line flags `html_to_pdf` prints with.
CHROMIUM_FLAGS = (
    "--headless",
    *BROWSER_ARGS,
    "--no-pdf-header-footer",  # no date or file path printed in the margins
    "--print-to-pdf-no-header",  # the same, for Chromium before 111
)

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_INSTALL_HINT = (
    "install Debian's chromium package (apt-get install chromium), set MATCH_CHROMIUM to a "
    "Chromium executable, or use --format html and print from a browser"
)


def find_chromium() -> str | None:
    """The Chromium executable: ``MATCH_CHROMIUM`` if set, else the first one on PATH."""
    override = os.environ.get("MATCH_CHROMIUM")
    if override:
        return override if Path(override).is_file() and os.access(override, os.X_OK) else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


_REPORT_DATE = re.compile(r'<meta name="dcterms\.created" content="(\d{4}-\d{2}-\d{2})">')
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}([^)]*)\)")


def _stamp(pdf: bytes, day: _dt.date) -> bytes:
    """``pdf`` with its creation and modification dates set to ``day``, midnight UTC.

    Chromium stamps the time of printing; the replacement has the same length, so the
    cross-reference offsets stay valid, and the same report prints to the same bytes.
    """
    stamp = day.strftime("%Y%m%d000000").encode()

    def fix(m: re.Match[bytes]) -> bytes:
        zone = b"+00'00'" if len(m.group(2)) == len(b"+00'00'") else m.group(2)
        return b"/" + m.group(1) + b" (D:" + stamp + zone + b")"

    return _PDF_DATES.sub(fix, pdf)


def html_to_pdf(html: str, *, paper: str = "A4", timeout: float = 120.0, date: _dt.date | None = None) -> bytes:
    """The PDF of a self-contained HTML document, printed by headless Chromium.

    ``paper`` is "A4" or "Letter". The PDF's creation date is ``date``, else the report
    date the document carries (``<meta name="dcterms.created">``, which every report
    rendered by `recommender.report.render` has), so the same report always gives the same bytes;
    without either it is the time of printing. Raises `DependencyError` when Chromium is
    missing or fails, with what to do about it.
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}")
    if date is None:
        found = _REPORT_DATE.search(html)
        date = _dt.date.fromisoformat(found.group(1)) if found else None
    exe = find_chromium()
    if exe is None:
        raise DependencyError("PDF output needs Chromium, which was not found", hint=_INSTALL_HINT)
    page_rule = f"<style>@page {{ size: {paper}; }}</style>"
    if "</head>" in html:
        html = html.replace("</head>", page_rule + "</head>", 1)
    else:
        html = page_rule + html
    with tempfile.TemporaryDirectory(prefix="match-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "report.html"
        target = folder / "report.pdf"
        profile = folder / "profile"
        source.write_text(html, encoding="utf-8")
        command = [
            exe,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise DependencyError(
                f"Chromium did not finish printing within {timeout:.0f} s",
                source=exe,
                hint="try again, or print the HTML report from a browser",
            ) from None
        except OSError as exc:
            raise DependencyError(f"Chromium could not be started: {exc.strerror or exc}",
                                  source=exe, hint=_INSTALL_HINT) from None
        if not target.is_file() or target.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
            last = detail[-1] if detail else f"exit code {done.returncode}"
            raise DependencyError(f"Chromium did not write a PDF ({last})", source=exe,
                                  hint="run with --debug, or print the HTML report from a browser")
        data = target.read_bytes()
    return _stamp(data, date) if date is not None else data
