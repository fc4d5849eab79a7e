"""`match suppliers.csv`: shortlists for a whole supplier list, streamed chunk by chunk.

Reading (CSV/TSV, XLSX, Parquet) yields DataFrames of at most `CHUNK_ROWS` rows whose
index is the row number a spreadsheet shows (header = row 1); `frame.FrameScorer` scores
each chunk; writers append its shortlist lines to files that the run's one
`output.Transaction` staged beside every output, and that all replace their targets
together only when the run completes. Memory stays flat however long the list is: only
the current chunk, the caches of distinct cell values and the portfolio's running totals
are held.

A bad row never stops the batch: it goes to the errors file (CSV: row, supplier id and
name, column, field, reason) and `run_batch_command` returns `EXIT_ROWS_FAILED`.
"""
from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..catalogue import Catalogue
from ..errors import InputError, OutputError
from ..output import Transaction, stdout_handle
from .frame import FIELDS, FrameScorer, header_hint, match_columns
from .layouts import detect, load_column_map
from .read import CHUNK_ROWS, open_list, read_chunks
from .write import ERROR_COLUMNS, OUTPUT_COLUMNS, ErrorsWriter, SupplierReports, open_writer

__all__ = [
    "CHUNK_ROWS",
    "EXIT_ROWS_FAILED",
    "OUTPUT_COLUMNS",
    "ERROR_COLUMNS",
    "BatchSummary",
    "Progress",
    "read_chunks",
    "run_batch_command",
]

#: Exit code when the batch completed but some rows failed (they are in the errors file).
EXIT_ROWS_FAILED = 3
_FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".parquet": "parquet", ".pq": "parquet"}

Echo = Callable[..., None]


# --- progress ---------------------------------------------------------------------------


class Progress:
    """Rows done so far on one line of stderr, redrawn at most a few times a second.

    Silent when ``stream`` is not a terminal, so logs and pipes stay clean.
    """

    def __init__(self, stream: TextIO | None = None, *, enabled: bool | None = None, every: float = 0.25) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.every = every
        self.start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def __call__(self, rows: int, fraction: float | None) -> None:
        """Report ``rows`` processed and, where known, the ``fraction`` of the input read."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        elapsed = now - self.start
        rate = rows / elapsed if elapsed > 0 else 0.0
        text = f"match: {rows:,} rows, {rate:,.0f} rows/s"
        if fraction is not None:
            filled = int(round(max(0.0, min(1.0, fraction)) * 24))
            text = f"match: [{'#' * filled}{'.' * (24 - filled)}] {fraction:4.0%} {rows:,} rows, {rate:,.0f} rows/s"
        self.stream.write("\r" + text + "\033[K")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the progress line (if one was drawn)."""
        if self.enabled and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


# --- the command ------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchSummary:
    """What a batch run did: rows read, scored and failed, and the files written."""

    rows: int
    scored: int
    failed: int
    lines: int
    outputs: tuple[Path, ...]
    seconds: float
    closed: int = 0


def _output_format(path: Path, options: Any) -> tuple[Path | None, str]:
    output = options.output
    if output == "-":
        target = None
    elif output:
        target = Path(output)
    else:
        target = Path.cwd() / f"{path.stem}-shortlists.csv"
    fmt = options.fmt
    if fmt is None:
        suffix = target.suffix.lower() if target is not None else ".csv"
        fmt = _FORMATS.get(suffix) or {".html": "html", ".htm": "html", ".json": "json", ".md": "md",
                                       ".pdf": "pdf"}.get(suffix)
        if fmt is None and target is not None:
            raise OutputError(
                f"cannot tell the output format from {target.suffix or 'a name without a suffix'!r}",
                source=str(target), hint="use .csv, .jsonl, .parquet or .xlsx, or give --format",
            )
    if fmt not in ("csv", "xlsx", "jsonl", "parquet"):
        raise OutputError(
            f"--format {fmt} is for a single profile; a supplier list writes csv, jsonl, parquet or xlsx",
            hint="use --report portfolio.html for the HTML portfolio report",
        )
    return target, fmt


def _one_blas_thread(func: Callable[..., int]) -> Callable[..., int]:
    """Run ``func`` with one BLAS thread: the batch's matrix products are small, and idle
    BLAS threads spinning beside them cost a third of the CPU time for nothing."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> int:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


@_one_blas_thread
def run_batch_command(
    path: Path,
    options: Any,
    *,
    catalogue: Catalogue,
    echo: Echo,
    progress: Callable[[int, float | None], None] | None = None,
) -> int:
    """Score every row of the supplier list at ``path`` and write what ``options`` ask for.

    ``options`` is a `commands.RunOptions`. Writes the shortlist lines (CSV, XLSX or JSON
    Lines; ``-o -`` streams CSV/JSONL to stdout), the errors file when some rows failed,
    the portfolio report (``--report``) and per-supplier reports. Returns 0, or
    `EXIT_ROWS_FAILED` when some rows failed; raises `InputError` (exit 2) when the file
    itself cannot be read. ``progress`` (rows, fraction) defaults to a stderr bar that is
    silent when stderr is not a terminal.
    """
    from ..commands import load_weights_option, report_options, run_inputs

    started = time.monotonic()
    path = Path(path)
    target, fmt = _output_format(path, options)
    errors_target = Path(options.errors_file) if options.errors_file else (
        (target.with_name(f"{target.stem}.errors.csv")) if target is not None
        else Path.cwd() / f"{path.stem}.errors.csv"
    )
    # Every output is planned and checked against the others and every input before
    # anything is read or written.
    tx = Transaction(run_inputs(options, path))
    if target is not None:
        tx.file(target, role="-o", binary=True)
    elif fmt in ("xlsx", "parquet"):
        raise OutputError(f"{'an XLSX workbook' if fmt == 'xlsx' else 'a Parquet file'} cannot be written to "
                          "standard output", hint=f"give -o FILE.{fmt}")
    else:
        stdout_handle(binary=True)
    if options.portfolio_report is not None:
        tx.file(options.portfolio_report, role="--report")
    if options.per_supplier_reports is not None:
        tx.folder(options.per_supplier_reports, role="--per-supplier-reports")
    tx.file(errors_target, role="--errors", optional=True)
    weights = load_weights_option(options.weights_file)
    ropts = report_options(options)
    if options.portfolio_report is not None or options.per_supplier_reports is not None:
        from ..report.render import report_date

        ropts = _dated(ropts, report_date(ropts))

    source = open_list(path, CHUNK_ROWS)
    bar = progress if progress is not None else Progress()
    try:
        column_map = load_column_map(options.columns_file, FIELDS) if options.columns_file else None
        layout = detect(source.columns, column_map=column_map)
        headers = list(layout.renames.values()) if layout.name == "columns" else source.columns
        if layout.name in ("osh-download", "osh-upload"):
            what = "facility download" if layout.name == "osh-download" else "list-upload template"
            echo(f"match: reading an Open Supply Hub {what}"
                 + (f" (not used: {', '.join(layout.unused[:6])}{' and more' if len(layout.unused) > 6 else ''})"
                    if layout.unused else ""), err=True)
        else:
            if layout.name == "columns":
                missing = [h for h in layout.renames if h not in {str(c).strip() for c in source.columns}]
                if missing:
                    raise InputError(f"the column map names columns the list does not have: {', '.join(missing)}",
                                     source=str(options.columns_file), hint="check the headers in the list")
            try:
                _, unmatched = match_columns(headers)
            except InputError as exc:
                raise InputError(exc.message, source=str(path), line=1, hint=exc.hint) from None
            if layout.name == "columns":
                unmatched = [c for c in source.columns if str(c).strip() not in layout.renames]
            if unmatched:
                hints = [h for h in (header_hint(c) for c in unmatched) if h]
                names = ", ".join(repr(str(c)) for c in unmatched[:8]) + (" and more" if len(unmatched) > 8 else "")
                echo(f"match: ignoring columns that are not profile fields: {names}"
                     + (f" ({'; '.join(hints)}; or map them with --columns)" if hints
                        else " (map them with --columns if they hold profile fields)"), err=True)

        scorer = FrameScorer(catalogue, weights=weights)
        scorer.layout = layout
        from ..analysis.portfolio import PortfolioBuilder

        builder = PortfolioBuilder(catalogue, engine=scorer.engine, top=options.top)
        grid = None
        if options.portfolio_report is not None:
            from ..report.portfolio import SupplierGrid

            grid = SupplierGrid(catalogue)
        tx.begin()
        tab = target is not None and target.suffix.lower() == ".tsv"
        writer = open_writer(tx.fh(target) if target is not None else stdout_handle(binary=True), fmt,
                             delimiter="\t" if tab else ",")
        errors = ErrorsWriter(lambda: tx.fh(errors_target))
        reports = None
        if options.per_supplier_reports is not None:
            reports = SupplierReports(tx.staged_folder(options.per_supplier_reports), catalogue=catalogue,
                                      weights=weights, top=options.top, report_options=ropts)
        rows = scored = 0
        reported = 0
        for chunk in source.chunks:
            errors.write(source.skipped[reported:])
            reported = len(source.skipped)
            if chunk.empty:
                continue
            result = scorer.score(chunk, top=options.top)
            writer.write(result.lines)
            errors.write(result.errors)
            builder.add(result.suppliers)
            builder.closed += result.closed
            if grid is not None and result.fields is not None:
                grid.add(result.fields, result, {c: c for c in result.fields.columns})
            if reports is not None:
                reports.write(result.fields, result.valid)
            rows += len(chunk)
            scored += int(result.valid.sum())
            bar(rows, source.fraction())
        errors.write(source.skipped[reported:])
        if rows == 0 and not errors.count:
            raise InputError("has a header but no supplier rows", source=str(path))
        if hasattr(bar, "close"):
            bar.close()
        if scorer.unknown_sectors:
            names = sorted(scorer.unknown_sectors)
            echo("match: sectors the Open Supply Hub mapping does not know, read as 'other': "
                 + ", ".join(repr(n) for n in names[:8]) + (" and more" if len(names) > 8 else "")
                 + " (add them to catalogue/open-supply-hub.yaml)", err=True)
        # Everything is made before anything is moved into place: a run that fails leaves
        # no output behind, and earlier outputs as they were.
        failed = len(errors.rows)
        if options.portfolio_report is not None:
            from ..report.portfolio import render_portfolio

            portfolio = builder.build(k=options.portfolio_size, failed=failed, source=path.name)
            tx.fh(options.portfolio_report).write(render_portfolio(portfolio, ropts, grid=grid).encode("utf-8"))
        if reports is not None:
            reports.finish(source=path.name, errors=failed)
        writer.close()
        errors.close()
        written = tx.commit()
    except BaseException:
        if hasattr(bar, "close"):
            bar.close()
        tx.abort()
        source.close()
        raise
    summary = BatchSummary(rows=rows + len(source.skipped), scored=scored, failed=failed, lines=writer.count,
                           outputs=tuple(written), seconds=time.monotonic() - started, closed=builder.closed)
    _report(summary, errors_target if errors.count else None, echo, to_stdout=target is not None)
    return EXIT_ROWS_FAILED if failed else 0


def _dated(options: Any, date: Any) -> Any:
    from dataclasses import replace

    return replace(options, date=date)


def _report(summary: BatchSummary, errors_file: Path | None, echo: Echo, *, to_stdout: bool) -> None:
    from ..report.render import count

    text = f"match: {count(summary.scored, 'supplier')} scored in {summary.seconds:.1f} s"
    if summary.closed:
        text += f"; {count(summary.closed, 'closed facility', 'closed facilities')} listed, not scored"
    if summary.failed:
        text += f"; {count(summary.failed, 'row')} failed, see {errors_file}"
    echo(text, err=True)
    if to_stdout:
        for path in summary.outputs:
            echo(str(path))

