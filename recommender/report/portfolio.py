"""The supplier-list pages: the portfolio report and the index of per-supplier reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..analysis.portfolio import Portfolio
from ..catalogue import Catalogue
from ..core.explain import in_sentence
from ..countries import country_name

__all__ = ["PortfolioContext", "SupplierIndexContext", "render_portfolio", "render_supplier_index"]

_TOP_COUNTRIES = 8


@dataclass(frozen=True)
class PortfolioContext:
    """What `portfolio.html` sees as ``ctx``.

    ``portfolio`` is the `Portfolio`; ``title``, ``prepared_by``, ``logo``, ``date`` and
    ``date_text`` brand and date the page like the single report; ``countries`` and
    ``sectors`` the columns of the breakdown tables as (code or key, display name,
    suppliers), the largest first (the rest of the countries add up in "other");
    ``country`` and ``label`` (section, key) turn codes and keys into display names,
    ``inline`` makes a label read mid-sentence; ``percent`` formats a 0-1 share.
    """

    portfolio: Portfolio
    title: str
    prepared_by: str
    logo: str
    date: str
    date_text: str
    countries: tuple[tuple[str, str, int], ...]
    other_countries: int
    sectors: tuple[tuple[str, str, int], ...]
    country: Any
    label: Any
    inline: Any
    percent: Any
    tool_version: str


@dataclass(frozen=True)
class SupplierIndexContext:
    """What `supplier_index.html` sees as ``ctx``: one entry per supplier report.

    ``entries`` are mappings with row, id, name, file, country, sector, verdict, first
    (name of the first choice), first_id, score (or None) and shortlisted; ``errors`` is
    how many rows failed (they have no report); the rest as in `PortfolioContext`.
    """

    entries: tuple[dict[str, Any], ...]
    source: str
    errors: int
    title: str
    prepared_by: str
    logo: str
    date: str
    date_text: str
    catalogue: dict[str, Any]
    country: Any
    label: Any
    tool_version: str


def _percent(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f} %"


def _date_text(date: Any) -> str:
    return f"{date.day} {date:%B %Y}"


def _page(options: Any, title: str) -> tuple[Any, dict[str, Any]]:
    """The options (defaults if None) and the fields every supplier-list page shares:
    title, prepared-by, logo, date and the tool's version."""
    from .. import __version__
    from .render import ReportOptions, report_date

    options = options or ReportOptions()
    date = report_date(options)
    return options, {
        "title": options.title or title, "prepared_by": options.prepared_by or "", "logo": options.logo or "",
        "date": date.isoformat(), "date_text": _date_text(date), "tool_version": __version__,
    }


def render_portfolio(portfolio: Portfolio, options: Any = None) -> str:
    """The portfolio report as one self-contained HTML page (same look as the single report)."""
    from .render import environment

    options, page = _page(options, f"Programme portfolio for {portfolio.suppliers:,} suppliers")
    label = portfolio.taxonomy.label
    shown = portfolio.countries[:_TOP_COUNTRIES]
    ctx = PortfolioContext(
        portfolio=portfolio,
        **page,
        countries=tuple((c, country_name(c), n) for c, n in shown),
        other_countries=sum(n for _, n in portfolio.countries[_TOP_COUNTRIES:]),
        sectors=tuple((s, label("sectors", s), n) for s, n in portfolio.sectors),
        country=country_name,
        label=label,
        inline=in_sentence,
        percent=_percent,
    )
    return environment(options.templates).get_template("portfolio.html").render(ctx=ctx)


def render_supplier_index(
    entries: Sequence[dict[str, Any]], *, source: str, errors: int = 0, options: Any = None,
    catalogue: Catalogue | None = None,
) -> str:
    """index.html of the per-supplier reports: every supplier, its first choice, a link."""
    from ..catalogue import load_catalogue
    from .render import environment

    options, page = _page(options, f"Supplier reports: {source}")
    cat = catalogue or load_catalogue()
    ctx = SupplierIndexContext(
        entries=tuple(entries),
        source=source,
        errors=errors,
        **page,
        catalogue=cat.describe(),
        country=country_name,
        label=cat.taxonomy.label,
    )
    return environment(options.templates).get_template("supplier_index.html").render(ctx=ctx)
