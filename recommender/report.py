"""The context every report template receives: a documented, render-ready view of a Result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .countries import country_name
from .render import ReportOptions, report_date
from .result import Result

__all__ = ["ReportContext", "build_context"]


@dataclass(frozen=True)
class ReportContext:
    """What `report.html` and `report.md` see as ``ctx``.

    ``result`` is the `Result`; ``title`` the report title; ``prepared_by`` the author
    line (may be empty); ``date`` the ISO date printed; ``country`` the profile country's
    name; ``label`` a function (section, key) -> display label.
    """

    result: Result
    title: str
    prepared_by: str
    date: str
    country: str
    label: Any


def build_context(result: Result, options: ReportOptions, *, env: Any = None) -> ReportContext:
    """Assemble the `ReportContext` for ``result``."""
    p = result.profile
    return ReportContext(
        result=result,
        title=options.title or f"Programme shortlist for {p.name}",
        prepared_by=options.prepared_by or "",
        date=report_date(options).isoformat(),
        country=country_name(p.country),
        label=result.taxonomy.label,
    )
