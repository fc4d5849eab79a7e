"""The supplier-list pages: the portfolio report and the index of per-supplier reports.

Both are phone-first: every wide table sits in its own scroll box with its first column
kept in view, or becomes one card per row on a small screen; no cell breaks inside a word.
`SupplierGrid` collects, chunk by chunk, what the portfolio's supplier × programme grid and
its production-country table need (a bounded number of rows, and counts for all of them);
`index_entry` is the index line of one supplier's report, naming the same first choice as
the report itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis.portfolio import Portfolio
from ..catalogue import Catalogue
from ..core.explain import in_sentence
from ..core.recommend import VERDICTS
from ..countries import country_name
from .context import fit_band, relative_href

__all__ = [
    "PortfolioContext",
    "SupplierIndexContext",
    "ReachRow",
    "GridRow",
    "CountryTable",
    "SupplierGrid",
    "GRID_LIMIT",
    "index_entry",
    "render_portfolio",
    "render_supplier_index",
]

_TOP_COUNTRIES = 8
#: The grid shows at most this many suppliers (the index lists them all).
GRID_LIMIT = 200
#: The grid's columns: the portfolio first, then the most shortlisted others, at most this many in all.
_GRID_COLUMNS = 8


@dataclass(frozen=True)
class ReachRow:
    """One programme in the reach chart: ``id``, ``name``, ``first_choice``, ``shortlisted``
    and ``open_to`` (suppliers), ``first_share``/``listed_share`` (0-1 of all suppliers, for
    the bars), ``in_portfolio`` and ``note`` (why a portfolio member that is nobody's first
    choice is there; else empty)."""

    id: str
    name: str
    first_choice: int
    shortlisted: int
    open_to: int
    first_share: float
    listed_share: float
    in_portfolio: bool
    note: str


@dataclass(frozen=True)
class GridRow:
    """One supplier in the supplier × programme grid: ``row`` (spreadsheet row), ``id``,
    ``name``, ``kind``, ``where`` (a factory's production country; a brand's head office and
    sourcing countries), ``cells`` one per grid column as (css class, text, title), and
    ``first`` the name of its first choice (may be empty)."""

    row: Any
    id: str
    name: str
    kind: str
    where: str
    cells: tuple[tuple[str, str, str], ...]
    first: str


@dataclass(frozen=True)
class CountryTable:
    """Shortlist counts by production country: ``columns`` (code, name, suppliers producing
    there), ``rows`` (programme name, counts per column) and ``head_offices`` (country name,
    brands) of the brands on the list; ``note`` what is counted."""

    columns: tuple[tuple[str, str, int], ...]
    rows: tuple[tuple[str, tuple[int, ...]], ...]
    head_offices: tuple[tuple[str, int], ...]
    note: str


@dataclass(frozen=True)
class PortfolioContext:
    """What `portfolio.html` sees as ``ctx``.

    ``portfolio`` is the `Portfolio`; ``title``, ``prepared_by``, ``logo``, ``date`` and
    ``date_text`` brand and date the page like the single report; ``headline`` the answer in
    one sentence; ``reach`` the reach chart (`ReachRow`, most shortlisted first); ``grid_columns``
    (id, name, in portfolio) and ``grid`` (`GridRow`) the supplier × programme grid (empty
    without a `SupplierGrid`); ``grid_total`` how many suppliers the grid could have shown;
    ``production`` the shortlist by production country (`CountryTable`, or None without a
    `SupplierGrid`); ``countries`` and ``other_countries`` the columns of the by-country table
    drawn from the portfolio's own counts when there is no grid (each supplier's own country);
    ``sectors`` the columns of the by-sector table (key, name, suppliers); ``index_href`` the
    link to the supplier index (empty when none was written); ``country``, ``label``,
    ``inline`` and ``percent`` format codes, keys and shares; ``count`` a number with its noun.
    """

    portfolio: Portfolio
    title: str
    prepared_by: str
    logo: str
    date: str
    date_text: str
    headline: str
    reach: tuple[ReachRow, ...]
    grid_columns: tuple[tuple[str, str, bool], ...]
    grid: tuple[GridRow, ...]
    grid_total: int
    production: CountryTable | None
    countries: tuple[tuple[str, str, int], ...]
    other_countries: int
    sectors: tuple[tuple[str, str, int], ...]
    index_href: str
    country: Any
    label: Any
    inline: Any
    percent: Any
    count: Any
    tool_version: str
    #: The verdict bands' floors (`core.recommend.VERDICTS`): strong from ``strong``, fair from ``good``.
    strong: float = 0.5
    good: float = 0.25


@dataclass(frozen=True)
class SupplierIndexContext:
    """What `supplier_index.html` sees as ``ctx``: one entry per supplier report.

    ``entries`` are mappings with row, id, name, file, country, sector, verdict, first
    (name of the first choice), first_id, score (or None), shortlisted and, from
    `index_entry`, fit (words for the score) and tier ("recommended" or "worth_a_look");
    ``source`` the list's file name; ``errors`` how many rows failed (they have no report);
    ``portfolio_href`` the link to the portfolio report (empty when none was written);
    ``count`` a number with its noun; the rest as in `PortfolioContext`.
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
    portfolio_href: str
    country: Any
    label: Any
    fit: Any
    count: Any
    tool_version: str


def _percent(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}\u00a0%"


def _date_text(date: Any) -> str:
    from .context import _long_date

    return _long_date(date)


def _page(options: Any, title: str) -> tuple[Any, dict[str, Any]]:
    """The options (defaults if None) and the fields every supplier-list page shares:
    title, prepared-by, logo, date and the tool's version."""
    from .. import __version__
    from .context import _checked_logo
    from .render import ReportOptions, report_date

    options = options or ReportOptions()
    date = report_date(options)
    return options, {
        "title": options.title or title, "prepared_by": options.prepared_by or "",
        "logo": _checked_logo(options.logo), "date": date.isoformat(), "date_text": _date_text(date),
        "tool_version": __version__,
    }


def _fit(score: float | None) -> str:
    return fit_band(score)[1] if score is not None else "No match"


# --- collecting the grid ------------------------------------------------------------------


@dataclass
class SupplierGrid:
    """Per-supplier facts for the portfolio, collected chunk by chunk (memory stays bounded).

    Call `add` with each scored chunk (as `suppliers.run` scores them); pass the grid to
    `render_portfolio`. It keeps the first ``limit`` suppliers' shortlists for the supplier ×
    programme grid, and, for every supplier, counts by production country: a factory
    produces where it is, a brand where it sources (its head office is counted apart).
    """

    catalogue: Catalogue
    limit: int = GRID_LIMIT
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    production: Counter = field(default_factory=Counter)
    shortlisted: Counter = field(default_factory=Counter)
    head_offices: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    _places: dict[tuple, tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)

    def _place(self, kind: Any, country: Any, sourcing: Any) -> tuple[str, str, tuple[str, ...]]:
        """(kind, country, sourcing countries) as validation reads them, cached per distinct cells."""
        key = (str(kind), str(country), str(sourcing))
        if key not in self._places:
            from ..core.validate import load_profile

            raw = {"name": "row", "kind": kind, "country": country, "sector": "other", "issues": ["wages"]}
            if sourcing is not None and sourcing == sourcing and str(sourcing).strip():
                raw["sourcing_countries"] = sourcing
            try:
                p = load_profile(raw, catalogue=self.catalogue)
                self._places[key] = (p.kind, p.country, tuple(p.sourcing_countries))
            except Exception:  # noqa: BLE001 - a row that scored has valid cells; keep the raw text otherwise
                self._places[key] = (str(kind), str(country), ())
        return self._places[key]

    def add(self, chunk: Any, scored: Any, fields: Mapping[Any, str]) -> None:
        """Add one chunk: ``chunk`` the DataFrame read, ``scored`` its `frame.ScoredFrame`,
        ``fields`` the column -> field mapping (`frame.match_columns`)."""
        facts = scored.suppliers
        n = len(facts)
        if not n:
            return
        valid = chunk.iloc[np.flatnonzero(scored.valid)].rename(columns=dict(fields))
        get = lambda name: valid[name].tolist() if name in valid.columns else [None] * n  # noqa: E731
        kinds, countries, sourcing = get("kind"), get("country"), get("sourcing_countries")
        ids = self.catalogue.ids
        lines = scored.lines
        scores: dict[tuple[int, int], float] = {}
        for s, rank, col, value in zip(lines.supplier, lines.rank, lines.initiative, lines.score):
            if rank > 0 and col >= 0:
                scores[(int(s), int(rank))] = float(value)
        for i in range(n):
            kind, country, sources = self._place(kinds[i], countries[i], sourcing[i])
            self.kinds[kind] += 1
            made = sources if kind == "brand" else (country,)
            if kind == "brand":
                self.head_offices[country] += 1
            for c in made:
                self.production[c] += 1
            picked = [int(c) for c in facts.shortlist[i] if c >= 0]
            for col in picked:
                for c in made:
                    self.shortlisted[(ids[col], c)] += 1
            if len(self.rows) < self.limit:
                self.rows.append({
                    "row": facts.rows[i].item() if hasattr(facts.rows[i], "item") else facts.rows[i],
                    "id": str(facts.ids[i] or ""), "name": str(facts.names[i]), "kind": kind,
                    "country": country, "sourcing": sources,
                    "shortlist": [(ids[col], rank, scores.get((i, rank))) for rank, col in enumerate(picked, 1)],
                    "open": {ids[j] for j in np.flatnonzero(facts.eligible[i])},
                })
        self.total += n


# --- the portfolio page ---------------------------------------------------------------------


def _reach(portfolio: Portfolio) -> tuple[ReachRow, ...]:
    n = max(portfolio.suppliers, 1)
    chosen = set(portfolio.ids)
    label = portfolio.taxonomy.label
    steps = {s.id: s for s in portfolio.steps}
    out = []
    for f in portfolio.fits:
        if not (f.shortlisted or f.id in chosen):
            continue
        note = ""
        if f.id in chosen and f.first_choice == 0:
            issues = steps[f.id].issues
            what = ", ".join(in_sentence(label("issues", k)) for k in issues) or "needs the others leave open"
            note = (f"First choice for none of your suppliers, but in the portfolio because it covers what the "
                    f"others leave open: {what}.")
        out.append(ReachRow(id=f.id, name=f.name, first_choice=f.first_choice, shortlisted=f.shortlisted,
                            open_to=f.open_to, first_share=f.first_choice / n, listed_share=f.shortlisted / n,
                            in_portfolio=f.id in chosen, note=note))
    return tuple(out)


def _headline(portfolio: Portfolio, reach: Sequence[ReachRow]) -> str:
    from .render import count

    pf = portfolio
    if not pf.steps:
        return (f"No programme in the catalogue is open to these suppliers and addresses the issues they named: "
                f"none of the {count(pf.catalogue.get('size', 0), 'programme')} can be recommended.")
    names = [s.name for s in pf.steps]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    reached = pf.steps[-1].reached
    first = {r.id: r.first_choice for r in reach}
    firsts = sum(first.get(s.id, 0) for s in pf.steps)
    verb = "reaches" if len(names) == 1 else "together reach"
    return (f"{joined} {verb} {count(reached, 'supplier')} of {pf.suppliers:,}: at least one need of each is "
            f"met, and {firsts:,} of them have one of {'it' if len(names) == 1 else 'these'} as their first choice; "
            f"{'it covers' if len(names) == 1 else 'they cover'} {_percent(pf.coverage)} of all your suppliers' "
            f"{_needs_words(pf)} (every programme in the catalogue together: {_percent(pf.reachable)}).")


def _needs_words(pf: Portfolio) -> str:
    """What the suppliers' needs are: named by them, inferred from risk data, or both."""
    if not pf.inferred:
        return "named needs"
    if pf.inferred >= pf.suppliers:
        return "likely needs, inferred from public risk data"
    return f"needs, named or inferred where a supplier listed none ({pf.inferred:,} of {pf.suppliers:,})"


def _grid(portfolio: Portfolio, grid: SupplierGrid | None, reach: Sequence[ReachRow]
          ) -> tuple[tuple[tuple[str, str, bool], ...], tuple[GridRow, ...]]:
    if grid is None or not grid.rows:
        return (), ()
    chosen = list(portfolio.ids)
    names = {f.id: f.name for f in portfolio.fits}
    others = [r.id for r in reach if r.id not in chosen and r.shortlisted]
    cols = (chosen + others)[:max(_GRID_COLUMNS, len(chosen))]
    columns = tuple((c, names.get(c, c), c in chosen) for c in cols)
    rows = []
    for r in grid.rows:
        ranks = {i: (rank, score) for i, rank, score in r["shortlist"]}
        cells = []
        for c in cols:
            if c in ranks:
                rank, score = ranks[c]
                title = f"Rank {rank} on this supplier's shortlist" + (f", score {score:.2f}" if score is not None
                                                                       else "")
                cells.append((f"cell rank-{min(rank, 6)}", str(rank), title))
            elif c in r["open"]:
                cells.append(("cell open", "·", "Open to this supplier, not on its shortlist"))
            else:
                cells.append(("cell closed", "–", "Not open to this supplier"))
        if r["kind"] == "brand":
            where = f"Brand, head office {country_name(r['country'])}"
            made = r["sourcing"]
            if len(made) > 2:
                where += f"; produces in {len(made)} countries"
            elif made:
                where += "; produces in " + " and ".join(country_name(c) for c in made)
        else:
            where = f"Factory in {country_name(r['country'])}"
        first = next((names.get(i, i) for i, rank, _ in r["shortlist"] if rank == 1), "")
        rows.append(GridRow(row=r["row"], id=r["id"], name=r["name"], kind=r["kind"], where=where,
                            cells=tuple(cells), first=first))
    return columns, tuple(rows)


def _production(portfolio: Portfolio, grid: SupplierGrid | None) -> CountryTable | None:
    if grid is None or not grid.total:
        return None
    top = grid.production.most_common(_TOP_COUNTRIES)
    columns = tuple((c, country_name(c), n) for c, n in top)
    rows = []
    for f in portfolio.fits:
        counts = tuple(grid.shortlisted.get((f.id, c), 0) for c, _ in top)
        if any(counts):
            rows.append((f.name, counts))
    offices = tuple((country_name(c), n) for c, n in grid.head_offices.most_common())
    from .render import count

    factories = count(grid.kinds["factory"], "factory", "factories")
    note = (f"A factory counts where it produces, a brand in each country it sources from ({factories}, "
            f"{count(grid.kinds['brand'], 'brand')}); brands' head offices are listed apart.")
    return CountryTable(columns=columns, rows=tuple(rows), head_offices=offices, note=note)


def render_portfolio(portfolio: Portfolio, options: Any = None, *, grid: SupplierGrid | None = None) -> str:
    """The portfolio report as one self-contained HTML page (same look as the single report).

    With ``grid`` (a `SupplierGrid` filled while the list was scored) it also draws the
    supplier × programme grid and counts shortlists by production country; without it the
    by-country table counts each supplier's own country (a brand's head office).
    """
    from .render import count, environment

    options, page = _page(options, f"Programme portfolio for {count(portfolio.suppliers, 'supplier')}")
    label = portfolio.taxonomy.label
    shown = portfolio.countries[:_TOP_COUNTRIES]
    reach = _reach(portfolio)
    columns, rows = _grid(portfolio, grid, reach)
    index_href = ""
    if options.supplier_reports and options.portfolio:
        index_href = relative_href(Path(options.supplier_reports) / "index.html", Path(options.portfolio).parent)
    ctx = PortfolioContext(
        portfolio=portfolio,
        **page,
        headline=_headline(portfolio, reach),
        reach=reach,
        grid_columns=columns,
        grid=rows,
        grid_total=grid.total if grid is not None else 0,
        production=_production(portfolio, grid),
        countries=tuple((c, country_name(c), n) for c, n in shown),
        other_countries=sum(n for _, n in portfolio.countries[_TOP_COUNTRIES:]),
        sectors=tuple((s, label("sectors", s), n) for s, n in portfolio.sectors),
        index_href=index_href,
        country=country_name,
        label=label,
        inline=in_sentence,
        percent=_percent,
        count=count,
        strong=VERDICTS[0][1],
        good=VERDICTS[1][1],
    )
    return environment(options.templates).get_template("portfolio.html").render(ctx=ctx)


# --- the index page -------------------------------------------------------------------------


def index_entry(result: Any, *, row: Any, file: str) -> dict[str, Any]:
    """The index line of one supplier's report: the same first choice the report names (the
    first of its shortlist), its score and fit words."""
    p = result.profile
    first = result.top
    return {
        "row": row, "id": p.id or "", "name": p.name, "file": file, "country": p.country, "sector": p.sector,
        "verdict": result.verdict, "first": first.name if first else "", "first_id": first.id if first else "",
        "score": first.score if first else None, "shortlisted": len(result.shortlist),
        "tier": first.tier if first else "", "fit": _fit(first.score) if first else "No match",
    }


def render_supplier_index(
    entries: Sequence[dict[str, Any]], *, source: str, errors: int = 0, options: Any = None,
    catalogue: Catalogue | None = None,
) -> str:
    """index.html of the per-supplier reports: every supplier, its first choice, a link."""
    from ..catalogue import load_catalogue
    from .render import count, environment

    options, page = _page(options, f"Supplier reports: {source}")
    cat = catalogue or load_catalogue()
    portfolio_href = ""
    if options.portfolio and options.supplier_reports:
        portfolio_href = relative_href(options.portfolio, options.supplier_reports)
    ctx = SupplierIndexContext(
        entries=tuple(entries),
        source=source,
        errors=errors,
        **page,
        catalogue=cat.describe(),
        portfolio_href=portfolio_href,
        country=country_name,
        label=cat.taxonomy.label,
        fit=_fit,
        count=count,
    )
    return environment(options.templates).get_template("supplier_index.html").render(ctx=ctx)
