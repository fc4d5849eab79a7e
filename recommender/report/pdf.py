"""Print a rendered HTML report to PDF with Debian's headless Chromium.

Chromium prints with the report's own print stylesheet, exactly as a reader's browser
would, so the PDF and the HTML never drift apart; it is an optional system package, not
a Python dependency (see docs/report.md for why Chromium rather than WeasyPrint).
"""

from __future__ import annotations

import datetime as _dt
import html as _html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DependencyError

__all__ = ["html_to_pdf", "find_chromium", "pdf_info", "pdf_page_count", "set_info", "PAPER_SIZES", "BROWSER_ARGS",
           "CHROMIUM_FLAGS", "CREATOR"]

#: The PDF's Creator entry: the program that made the document Chromium printed.
CREATOR = "match"

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
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_AUTHOR = re.compile(r'<meta name="author" content="([^"]*)">')
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", re.S)
_DATES = ("CreationDate", "ModDate")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
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


def _pdf_string(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte-order mark, written in hex (no escaping needed)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _read_string(raw: bytes) -> str:
    raw = raw.strip()
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode("ascii"))
        return data[2:].decode("utf-16-be") if data.startswith(b"\xfe\xff") else data.decode("latin-1")
    body = raw[1:-1]
    body = re.sub(rb"\\([()\\])", rb"\1", body)
    return body.decode("latin-1")


def _dictionary(body: bytes) -> dict[str, bytes]:
    """The entries of a flat PDF dictionary body (values as raw bytes)."""
    out: dict[str, bytes] = {}
    for m in re.finditer(rb"/(\w+)\s*(<[0-9A-Fa-f]*>|\((?:\\.|[^\\)])*\)|\d+\s+\d+\s+R|[^/>\s][^/>]*)", body):
        out[m.group(1).decode("ascii")] = m.group(2).strip()
    return out


def pdf_info(pdf: bytes) -> dict[str, str]:
    """The document information of ``pdf`` (Title, Author, Creator, Producer, dates) as text."""
    m = _TRAILER.search(pdf)
    if not m:
        return {}
    trailer = _dictionary(m.group(1))
    ref = trailer.get("Info")
    if not ref:
        return {}
    number = ref.split()[0].decode("ascii")
    objects = list(re.finditer(rb"(?<![0-9])" + number.encode() + rb" 0 obj\s*<<(.*?)>>\s*endobj", pdf, re.S))
    if not objects:
        return {}
    entries = _dictionary(objects[-1].group(1))
    return {k: _read_string(v) for k, v in entries.items() if v[:1] in (b"(", b"<")}


def pdf_page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has (its page objects)."""
    return len(_PAGE.findall(pdf))


def set_info(pdf: bytes, *, title: str | None = None, author: str | None = None, creator: str = CREATOR) -> bytes:
    """``pdf`` with its document information set, as an incremental update (bytes before stay).

    Keeps the dates and Producer already there; ``title`` and ``author`` replace theirs when
    given; an empty author removes it. Deterministic: the same input gives the same bytes.
    """
    m = _TRAILER.search(pdf)
    if not m:
        return pdf
    trailer = _dictionary(m.group(1))
    info = pdf_info(pdf)
    if title is not None:
        info["Title"] = title
    if author is not None:
        info["Author"] = author
    if not info.get("Author"):
        info.pop("Author", None)
    info["Creator"] = creator
    size = int(trailer["Size"])
    body = b"".join(b"/" + k.encode("ascii") + b" " + (f"({v})".encode("ascii") if k in _DATES and v.isascii()
                                                        else _pdf_string(v)) + b"\n"
                    for k, v in sorted(info.items()))
    head = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    obj_at = len(head)
    obj = f"{size} 0 obj\n<<".encode() + body + b">>\nendobj\n"
    xref_at = obj_at + len(obj)
    extra = b"".join(b"/" + k.encode("ascii") + b" " + trailer[k] + b"\n" for k in ("Root", "ID") if k in trailer)
    tail = (f"xref\n{size} 1\n{obj_at:010d} 00000 n \ntrailer\n<</Size {size + 1}\n".encode() + extra
            + f"/Info {size} 0 R\n/Prev {int(m.group(2))}>>\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return head + obj + tail


def html_to_pdf(html: str, *, paper: str = "A4", timeout: float = 120.0, date: _dt.date | None = None,
                title: str | None = None, author: str | None = None) -> bytes:
    """The PDF of a self-contained HTML document, printed by headless Chromium.

    ``paper`` is "A4" or "Letter". The PDF's creation date is ``date``, else the report
    date the document carries (``<meta name="dcterms.created">``, which every report
    rendered by `recommender.report.render` has), so the same report always gives the same bytes;
    without either it is the time of printing. The PDF's Title and Author are ``title`` and
    ``author``, else the document's ``<title>`` and ``<meta name="author">`` (the report's
    ``--prepared-by``); its Creator is `CREATOR`. Raises `DependencyError` when Chromium is
    missing or fails, with what to do about it.
    """
    if paper not in PAPER_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}")
    if date is None:
        found = _REPORT_DATE.search(html)
        date = _dt.date.fromisoformat(found.group(1)) if found else None
    if title is None:
        found = _TITLE.search(html)
        title = " ".join(_html.unescape(found.group(1)).split()) if found else None
    if author is None:
        found = _AUTHOR.search(html)
        author = _html.unescape(found.group(1)) if found else ""
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
    data = _stamp(data, date) if date is not None else data
    return set_info(data, title=title, author=author)
