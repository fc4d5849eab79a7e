"""Stage 6: render a `Result` as HTML, Markdown or JSON — pure functions returning strings.

Writing files is the caller's job (see `recommender.output`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..result import Result

__all__ = [
    "ReportOptions",
    "environment",
    "render",
    "render_json",
    "render_html",
    "render_markdown",
    "markdown_escape",
    "css_string",
    "Markdown",
    "FORMATS",
    "report_date",
    "count",
]

FORMATS = ("html", "json", "md")


@dataclass(frozen=True)
class ReportOptions:
    """Branding, dating and extras of a report.

    ``title`` and ``prepared_by`` (also the PDF's Title and Author) and ``logo`` (a data:
    URI, see `recommender.output.logo_data_uri`) brand it; ``templates`` is a folder of
    templates that override the packaged ones; ``date`` defaults to ``SOURCE_DATE_EPOCH``
    when set, else today, so that reports can be reproduced byte for byte;
    ``stale_after_years`` marks older sources; ``notes`` adds the consultant-notes appendix
    (never for a client); ``portfolio`` and ``supplier_reports`` are where a supplier-list
    run writes its portfolio report and its per-supplier reports, so that the pages link to
    each other; ``extra`` is free for custom templates.
    """

    title: str | None = None
    prepared_by: str | None = None
    logo: str | None = None  # a data: URI, see `recommender.output.logo_data_uri`
    templates: str | None = None
    date: _dt.date | None = None
    stale_after_years: float = 3.0
    notes: bool = False
    portfolio: str | None = None
    supplier_reports: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def report_date(options: ReportOptions | None = None) -> _dt.date:
    """The date printed on a report: explicit, else ``SOURCE_DATE_EPOCH``, else today (UTC)."""
    if options is not None and options.date is not None:
        return options.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).date()
    return _dt.datetime.now(tz=_dt.timezone.utc).date()


def render_json(result: Result, options: ReportOptions | None = None) -> str:
    """The JSON contract, indented, keys in a stable order, ending in a newline."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|~#!])")
_MD_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))(?=\s|$)")
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;"}
# A bare "&" is literal in Markdown ("C&A" stays readable); only one that would start a
# character reference ("&amp;", "&#60;") is written as an entity itself.
_MD_AMPERSAND = re.compile(r"&(?=#?[0-9A-Za-z]+;)")


class Markdown(str):
    """Text that is already Markdown, passed through `markdown_escape` unchanged."""


def markdown_escape(value: object) -> str:
    """``value`` as literal Markdown text: one line, no markup, no raw HTML.

    Turns line breaks into spaces (so client text cannot start a block), backslash-escapes
    Markdown punctuation, writes ``< >`` (and an ``&`` that would start an entity) as
    entities and defuses a leading list marker (``-``, ``+``, ``1.``). `Markdown` instances
    pass through unchanged.
    """
    if isinstance(value, Markdown):
        return value
    if value is None:
        return ""
    text = re.sub(r"\s+", " ", str(value))
    text = _MD_AMPERSAND.sub("&amp;", text)
    text = "".join(_MD_ENTITIES.get(ch, ch) for ch in text)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(_defuse, text, count=1)


def _defuse(m: re.Match[str]) -> str:
    if m.group(2):
        return m.group(1) + "\\" + m.group(2)
    return m.group(1) + m.group(3) + "\\" + m.group(4)


def markdown_url(url: object) -> Markdown:
    """A checked http(s) URL, safe inside ``[text](url)``; empty for anything else."""
    from .context import safe_url

    checked = safe_url(url)
    if checked is None:
        return Markdown("")
    return Markdown("".join(f"%{ord(c):02X}" if c in "()<> " else c for c in checked))


def _pct(value: float) -> str:
    return f"{float(value) * 100:.0f}\u00a0%"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 supplier", "2 suppliers", "1,200 suppliers": a number with its noun agreeing."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def css_string(value: object):
    """``value`` as a double-quoted CSS string, for ``content:`` in the report's own CSS.

    Everything but ASCII letters and digits is written as a six-digit CSS escape, so client
    text can neither end the string, the rule nor the ``<style>`` element. (Spaces too: CSS
    swallows one space after an escape.)
    """
    from markupsafe import Markup

    text = " ".join(str(value).split())
    body = "".join(ch if ch.isascii() and ch.isalnum() else f"\\{ord(ch):06x}" for ch in text)
    return Markup(f'"{body}"')


def environment(templates: str | None, *, markdown: bool = False):
    """The Jinja2 environment: the user's template folder first, the packaged one behind it.

    HTML autoescapes everything; Markdown runs every ``{{ }}`` through `markdown_escape`.
    """
    import jinja2

    from ..cache import template_cache
    from ..catalogue import _package_dir

    loaders: list[jinja2.BaseLoader] = []
    if templates:
        loaders.append(jinja2.FileSystemLoader(str(Path(templates))))
    loaders.append(jinja2.FileSystemLoader(str(_package_dir("reports"))))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=not markdown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=markdown_escape if markdown else None,
        bytecode_cache=template_cache(),
    )
    env.filters["pct"] = _pct
    env.filters["count"] = count
    env.filters["css_string"] = css_string
    env.filters["md_url"] = markdown_url
    env.filters["md"] = markdown_escape
    env.filters["markdown"] = Markdown  # template-made Markdown (a macro's output): not escaped again
    return env


def render_html(result: Result, options: ReportOptions | None = None) -> str:
    """A self-contained HTML report (inline CSS and SVG, no scripts, no external requests)."""
    from .context import build_context

    options = options or ReportOptions()
    env = environment(options.templates)
    ctx = build_context(result, options, env=env)
    return env.get_template("report.html").render(ctx=ctx)


def render_markdown(result: Result, options: ReportOptions | None = None) -> str:
    """A Markdown summary for pasting into a document or an email; client text is escaped."""
    from .context import build_context

    options = options or ReportOptions()
    env = environment(options.templates, markdown=True)
    ctx = build_context(result, options, env=env)
    return env.get_template("report.md").render(ctx=ctx)


def render(result: Result, fmt: str = "html", options: ReportOptions | None = None) -> str:
    """Render ``result`` in ``fmt`` (one of `FORMATS`)."""
    renderers = {"html": render_html, "json": render_json, "md": render_markdown}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](result, options)
