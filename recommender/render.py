"""Stage 6: render a `Result` as HTML, Markdown or JSON — pure functions returning strings.

Writing files is the caller's job (see `recommender.output`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .result import Result

__all__ = ["ReportOptions", "render", "render_json", "render_html", "render_markdown", "FORMATS", "report_date"]

FORMATS = ("html", "json", "md")


@dataclass(frozen=True)
class ReportOptions:
    """Branding and dating of a report.

    ``date`` defaults to ``SOURCE_DATE_EPOCH`` when set, else today, so that reports can be
    reproduced byte for byte.
    """

    title: str | None = None
    prepared_by: str | None = None
    logo: str | None = None  # a data: URI, see `recommender.output.logo_data_uri`
    templates: str | None = None
    date: _dt.date | None = None
    stale_after_years: float = 3.0
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


def _environment(templates: str | None):
    import jinja2

    from .catalogue import _package_dir

    loaders: list[jinja2.BaseLoader] = []
    if templates:
        loaders.append(jinja2.FileSystemLoader(str(Path(templates))))
    loaders.append(jinja2.FileSystemLoader(str(_package_dir("reports"))))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def render_html(result: Result, options: ReportOptions | None = None) -> str:
    """A self-contained HTML report (inline CSS, no scripts, no external requests)."""
    from .report import build_context

    options = options or ReportOptions()
    env = _environment(options.templates)
    ctx = build_context(result, options, env=env)
    return env.get_template("report.html").render(ctx=ctx)


def render_markdown(result: Result, options: ReportOptions | None = None) -> str:
    """A Markdown summary for pasting into a document or an email."""
    from .report import build_context

    options = options or ReportOptions()
    env = _environment(options.templates)
    env.autoescape = False
    ctx = build_context(result, options, env=env)
    return env.get_template("report.md").render(ctx=ctx)


def render(result: Result, fmt: str = "html", options: ReportOptions | None = None) -> str:
    """Render ``result`` in ``fmt`` (one of `FORMATS`)."""
    renderers = {"html": render_html, "json": render_json, "md": render_markdown}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return renderers[fmt](result, options)
