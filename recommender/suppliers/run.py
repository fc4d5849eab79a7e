"""`match suppliers.csv`: shortlists for a whole supplier list, streamed chunk by chunk.

Reading (CSV/TSV, XLSX, Parquet) yields DataFrames of at most `CHUNK_ROWS` rows whose
index is the row number a spreadsheet shows (header = row 1); `frame.FrameScorer` scores
each chunk; writers append its shortlist lines to a temporary file beside the output,
which replaces the output only when the run completes. Memory stays flat however long
the list is: only the current chunk, the caches of distinct cell values and the
portfolio's running totals are held.

A bad row never stops the batch: it goes to the errors file (CSV: row, supplier id and
name, column, field, reason) and `run_batch_command` returns `EXIT_ROWS_FAILED`.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..catalogue import Catalogue
from ..errors import InputError, OutputError
from ..output import check_not_input, write_atomic
from .frame import FrameScorer, header_hint, match_columns
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
_FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}

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
                source=str(target), hint="use .csv, .xlsx or .jsonl, or give --format",
            )
    if fmt not in ("csv", "xlsx", "jsonl"):
        raise OutputError(
            f"--format {fmt} is for a single profile; a supplier list writes csv, xlsx or jsonl",
            hint="use --report portfolio.html for the HTML portfolio report",
        )
    return target, fmt


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
    from ..commands import load_weights_option, report_options

    started = time.monotonic()
    path = Path(path)
    target, fmt = _output_format(path, options)
    errors_target = Path(options.errors_file) if options.errors_file else (
        (target.with_name(f"{target.stem}.errors.csv")) if target is not None
        else Path.cwd() / f"{path.stem}.errors.csv"
    )
    outputs = [p for p in (target, errors_target, options.portfolio_report) if p is not None]
    for out in outputs:
        check_not_input(out, [path])
    if len({Path(p).resolve() for p in outputs}) < len(outputs):
        raise OutputError("two outputs would go to the same file",
            hint="give -o, --errors and --report different paths")
    weights = load_weights_option(options.weights_file)
    ropts = report_options(options)
    if options.portfolio_report is not None or options.per_supplier_reports is not None:
        from ..report.render import report_date

        ropts = _dated(ropts, report_date(ropts))

    source = open_list(path, CHUNK_ROWS)
    try:
        fields, unmatched = match_columns(source.columns)
    except InputError as exc:
        raise InputError(exc.message, source=str(path), line=1, hint=exc.hint) from None
    if unmatched:
        hints = [h for h in (header_hint(c) for c in unmatched) if h]
        names = ", ".join(repr(str(c)) for c in unmatched[:8]) + (" and more" if len(unmatched) > 8 else "")
        echo(f"match: ignoring columns that are not profile fields: {names}"
             + (f" ({'; '.join(hints)})" if hints else ""), err=True)

    scorer = FrameScorer(catalogue, weights=weights)
    from ..analysis.portfolio import PortfolioBuilder

    builder = PortfolioBuilder(catalogue, engine=scorer.engine, top=options.top)
    writer = open_writer(target, fmt)
    errors = ErrorsWriter(errors_target)
    reports = None
    bar = progress if progress is not None else Progress()
    rows = scored = 0
    try:
        if options.per_supplier_reports is not None:
            reports = SupplierReports(Path(options.per_supplier_reports), catalogue=catalogue, weights=weights,
                                       top=options.top, report_options=ropts, inputs=[path])
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
            if reports is not None:
                reports.write(chunk, result.valid, fields)
            rows += len(chunk)
            scored += int(result.valid.sum())
            bar(rows, source.fraction())
        errors.write(source.skipped[reported:])
        if rows == 0 and not errors.count:
            raise InputError("has a header but no supplier rows", source=str(path))
        if hasattr(bar, "close"):
            bar.close()
        # Everything is made before anything is moved into place: a run that fails leaves
        # no output behind, and earlier outputs as they were.
        failed = len(errors.rows)
        portfolio_html = None
        if options.portfolio_report is not None:
            from ..report.portfolio import render_portfolio

            portfolio = builder.build(k=options.portfolio_size, failed=failed, source=path.name)
            portfolio_html = render_portfolio(portfolio, ropts)
        if reports is not None:
            reports.finish(source=path.name, errors=failed)
        writer.close()
        errors.close()
    except BaseException:
        if hasattr(bar, "close"):
            bar.close()
        writer.abort()
        errors.abort()
        if reports is not None:
            reports.abort()
        raise

    written: list[Path] = [target] if target is not None else []
    if portfolio_html is not None:
        written.append(write_atomic(options.portfolio_report, portfolio_html))
    if reports is not None:
        written.append(reports.commit())
    if errors.count:
        written.append(errors_target)
    summary = BatchSummary(rows=rows + len(source.skipped), scored=scored, failed=failed, lines=writer.count,
                           outputs=tuple(written), seconds=time.monotonic() - started)
    _report(summary, errors_target if errors.count else None, echo, to_stdout=target is not None)
    return EXIT_ROWS_FAILED if failed else 0


def _dated(options: Any, date: Any) -> Any:
    from dataclasses import replace

    return replace(options, date=date)


def _report(summary: BatchSummary, errors_file: Path | None, echo: Echo, *, to_stdout: bool) -> None:
    text = f"match: {summary.scored:,} suppliers scored in {summary.seconds:.1f} s"
    if summary.failed:
        text += f"; {summary.failed:,} rows failed, see {errors_file}"
    echo(text, err=True)
    if to_stdout:
        for path in summary.outputs:
            echo(str(path))

