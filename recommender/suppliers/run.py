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

import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from ..catalogue import Catalogue
from ..errors import InputError, OutputError
from .frame import (
    FIELDS,
    SHORTLIST_COLUMNS,
    FrameScorer,
    RowError,
    ShortlistLines,
    header_hint,
    match_columns,
    row_profile,
)
from ..output import AtomicFile, check_not_input, csv_safe, safe_filename, write_atomic

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

#: Rows scored at a time: large enough for fast array operations, small enough for flat memory.
CHUNK_ROWS = 50_000
#: Exit code when the batch completed but some rows failed (they are in the errors file).
EXIT_ROWS_FAILED = 3
#: Columns of the shortlist output (CSV, XLSX and JSON Lines).
OUTPUT_COLUMNS = SHORTLIST_COLUMNS
#: Columns of the errors file.
ERROR_COLUMNS = ("row", "supplier_id", "supplier_name", "column", "field", "reason")

_FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_TEXT_COLUMNS = ("supplier_id", "supplier_name", "initiative_id", "initiative_name", "reasons")
_XLSX_MAX_ROWS = 1_048_576  # rows per worksheet, header included
_NO_GOOD_MATCH = 0.30  # a first choice below this is "weak" (see recommend.VERDICTS)

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


# --- reading ----------------------------------------------------------------------------


@dataclass
class _Source:
    """A supplier file being read: its header, the rows it had to skip, how far along it is."""

    path: Path
    columns: list[Any]
    skipped: list[RowError]
    fraction: Callable[[], float | None]
    chunks: Iterator[pd.DataFrame]


def read_chunks(path: str | os.PathLike[str], *, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The rows of a supplier file (CSV, TSV, XLSX or Parquet) as DataFrames of at most
    ``chunk_rows`` rows, indexed by the row number a spreadsheet shows (header = row 1).

    Cells are text for CSV and as stored for XLSX and Parquet; empty rows are left out.
    Raises `InputError` when the file cannot be read as a table.
    """
    source = _open(Path(path), chunk_rows)
    yield from source.chunks


def _open(path: Path, chunk_rows: int) -> _Source:
    if not path.exists():
        raise InputError("no such file", source=str(path))
    if path.is_dir():
        raise InputError("is a folder, not a supplier list", source=str(path))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return _open_csv(path, chunk_rows, tab=suffix == ".tsv")
    if suffix == ".xlsx":
        return _open_xlsx(path, chunk_rows)
    if suffix == ".parquet":
        return _open_parquet(path, chunk_rows)
    raise InputError(f"cannot read {suffix or 'files without a suffix'} as a supplier list", source=str(path),
                     hint="use .csv, .tsv, .xlsx or .parquet")


def _open_csv(path: Path, chunk_rows: int, *, tab: bool) -> _Source:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise InputError("is empty", source=str(path),
                         hint="a supplier list needs a header row and one row per supplier; "
                              "see profiles/suppliers-template.csv")
    if head.startswith(b"PK\x03\x04"):
        raise InputError("is an Excel workbook (or another zip file), not CSV text", source=str(path),
                         hint="rename it to .xlsx, or export the sheet as CSV")
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the 1 MiB boundary
            encoding = "cp1252"
    first_line = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    sep = "\t" if tab else max((",", ";", "\t"), key=first_line.count)
    options: dict[str, Any] = dict(sep=sep, keep_default_na=False, na_filter=False, encoding=encoding, engine="c")
    try:
        columns = list(pd.read_csv(path, nrows=0, dtype=str, **options).columns)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read as CSV: {_first_line(exc)}", source=str(path)) from None
    # Cells are read as pandas infers them (text, or numbers where a whole chunk is numeric,
    # which `frame.cell_value` reads the same), except ids: "00123" must keep its zeros.
    try:
        fields = match_columns(columns)[0]
    except InputError:
        fields = {}
    options["dtype"] = {c: str for c, f in fields.items() if f in ("id", "name")}
    fh = open(path, "rb")  # noqa: SIM115 - closed when the chunks run out or fail
    skipped: list[RowError] = []
    reader = pd.read_csv(fh, chunksize=chunk_rows, skip_blank_lines=False, on_bad_lines="warn", **options)

    def chunks() -> Iterator[pd.DataFrame]:
        bad_rows: list[int] = []
        try:
            while True:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", pd.errors.ParserWarning)
                    try:
                        chunk = next(reader)
                    except StopIteration:
                        return
                    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
                        raise InputError(f"cannot read as CSV: {_first_line(exc)}", source=str(path)) from None
                for w in caught:
                    for line in str(w.message).splitlines():
                        row, reason = _bad_line(line)
                        if row is not None:
                            bad_rows.append(row)
                            skipped.append(RowError(row, "", "", "", "", reason))
                # Lines pandas skipped are rows too: count them back in (header = row 1).
                kept = chunk.index.to_numpy()
                shift = np.array(sorted(bad_rows)) - 2 - np.arange(len(bad_rows))
                chunk.index = kept + 2 + np.searchsorted(shift, kept, side="right")
                yield _drop_empty(chunk)
        finally:
            fh.close()

    def fraction() -> float | None:
        try:
            return fh.tell() / size if size else None
        except (OSError, ValueError):
            return None

    return _Source(path, columns, skipped, fraction, chunks())


def _bad_line(line: str) -> tuple[int | None, str]:
    # pandas: "Skipping line 7: expected 13 fields, saw 14"
    text = line.strip()
    if not text.startswith("Skipping line "):
        return None, ""
    number, _, reason = text[len("Skipping line "):].partition(":")
    try:
        row = int(number)
    except ValueError:
        return None, ""
    return row, reason.strip() + " (a cell with a comma or line break needs quotes)"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _drop_empty(chunk: pd.DataFrame) -> pd.DataFrame:
    if chunk.empty:
        return chunk
    blank = np.ones(len(chunk), dtype=bool)
    for name in chunk.columns:
        col = chunk[name]
        if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
            blank &= (col.str.strip() == "").to_numpy()
        else:
            blank &= col.map(lambda v: v is None or (isinstance(v, float) and v != v)
                             or (isinstance(v, str) and not v.strip())).to_numpy(dtype=bool)
        if not blank.any():
            break
    return chunk[~blank] if blank.any() else chunk


def _open_xlsx(path: Path, chunk_rows: int) -> _Source:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(path):
        raise _not_a_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(f"cannot read as an Excel workbook: {_first_line(exc)}", source=str(path),
                         hint="save it as .xlsx, or export the sheet as CSV") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header: list[Any] | None = None
    header_row = 0
    for number, values in enumerate(rows, start=1):
        if any(v not in (None, "") for v in values):
            header, header_row = list(values), number
            break
    if header is None:
        book.close()
        raise InputError("the first sheet is empty", source=str(path))
    while header and header[-1] in (None, ""):
        header.pop()
    columns = [("" if h is None else str(h)).strip() for h in header]
    total = sheet.max_row
    done = [header_row]

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            batch: list[tuple] = []
            numbers: list[int] = []
            for number, values in enumerate(rows, start=header_row + 1):
                done[0] = number
                values = tuple(values[: len(columns)])
                if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                    continue
                batch.append(values + (None,) * (len(columns) - len(values)))
                numbers.append(number)
                if len(batch) >= chunk_rows:
                    yield _frame(batch, numbers, columns)
                    batch, numbers = [], []
            if batch:
                yield _frame(batch, numbers, columns)
        finally:
            book.close()

    def fraction() -> float | None:
        return done[0] / total if total else None

    return _Source(path, columns, [], fraction, chunks())


def _not_a_workbook(path: Path) -> InputError:
    """The error for an .xlsx file that is not a workbook, saying what it is instead."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        return InputError("is empty", source=str(path))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return InputError("is an Excel 97-2003 workbook (.xls), not .xlsx", source=str(path),
                          hint="save it as .xlsx, or export the sheet as CSV")
    try:
        text = b"\x00" not in head and bool(head.decode("utf-8"))
    except UnicodeDecodeError:
        text = False
    if text:
        return InputError("is text, not an Excel workbook (a CSV file named .xlsx?)", source=str(path),
                          hint="rename it to .csv")
    return InputError("is not an Excel workbook", source=str(path), hint="save it as .xlsx, or export the sheet as CSV")


def _frame(batch: list[tuple], numbers: list[int], columns: list[str]) -> pd.DataFrame:
    data = np.empty((len(batch), len(columns)), dtype=object)
    data[:] = batch
    frame = pd.DataFrame(data, columns=range(len(columns)), index=np.array(numbers))
    frame.columns = columns
    return frame


def _open_parquet(path: Path, chunk_rows: int) -> _Source:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise InputError(f"cannot read as Parquet: {_first_line(exc)}", source=str(path)) from None
    total = pf.metadata.num_rows
    done = [0]

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            for batch in pf.iter_batches(batch_size=chunk_rows):
                frame = batch.to_pandas()
                frame.index = np.arange(done[0], done[0] + len(frame)) + 2
                done[0] += len(frame)
                yield _drop_empty(frame)
        finally:
            pf.close()

    return _Source(path, list(pf.schema_arrow.names), [], lambda: done[0] / total if total else None, chunks())


# --- writing ----------------------------------------------------------------------------


def _safe_text(series: pd.Series) -> pd.Series:
    """`csv_safe` on every distinct text value of a column (formula injection)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if not len(uniques):
        return series
    fixed = np.array([csv_safe(u) for u in uniques] + [None], dtype=object)
    return pd.Series(fixed[codes], index=series.index, dtype=object)


def _for_spreadsheet(lines: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = lines.copy()
    for name in columns:
        if name in out.columns:
            out[name] = _safe_text(out[name])
    if "score" in out.columns:
        out["score"] = out["score"].round(4)
    return out


def _lines_table(lines: ShortlistLines, schema: Any) -> Any:
    """The shortlist lines as a pyarrow table for CSV: text made formula-safe, score at 4
    decimals, no Python object per cell."""
    import pyarrow as pa

    table = lines.table(text=csv_safe)
    score = pa.array(np.round(lines.score, 4), type=pa.float64(), from_pandas=True)
    table = table.set_column(table.schema.get_field_index("score"), "score", score)
    rows = pa.array(lines.rows, type=pa.int64()).take(pa.array(lines.supplier, type=pa.int64()))
    return table.append_column("row", rows).select(schema.names).cast(schema)


class _Streamed:
    """A writer into an `AtomicFile`, or into standard output when it has no file."""

    file: AtomicFile | None
    fh: Any

    def close(self) -> None:
        """Move the file into place (or flush standard output)."""
        if self.file is not None:
            self.file.commit()
        else:
            self.fh.flush()

    def abort(self) -> None:
        """Drop what was written to the file."""
        if self.file is not None:
            self.file.abort()


class _CsvWriter(_Streamed):
    """Lines appended as UTF-8 CSV by pyarrow's CSV writer, text cells made formula-safe
    (every text cell quoted)."""

    def __init__(self, target: Path | None, columns: tuple[str, ...], text_columns: tuple[str, ...],
                 *, integers: tuple[str, ...] = ("rank", "row")) -> None:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        self.file = AtomicFile(target, binary=True) if target is not None else None
        self.fh = self.file.fh if self.file is not None else sys.stdout.buffer
        self.columns, self.text_columns, self.integers = columns, text_columns, integers
        self.count = 0
        types = {c: pa.string() if c in text_columns else pa.int64() if c in integers else pa.float64()
                 for c in columns}
        self.schema = pa.schema([(c, types[c]) for c in columns])
        self.pa = pa
        self.writer = pa_csv.CSVWriter(self.fh, self.schema)

    def write(self, lines: ShortlistLines | pd.DataFrame) -> None:
        """Append shortlist lines, or a DataFrame with this writer's columns."""
        if isinstance(lines, ShortlistLines):
            table = _lines_table(lines, self.schema)
        else:
            safe = _for_spreadsheet(lines[list(self.columns)], self.text_columns)
            for name in self.integers:
                if name in safe.columns and not pd.api.types.is_integer_dtype(safe[name].dtype):
                    safe[name] = pd.array(safe[name], dtype="Int64")
            table = self.pa.Table.from_pandas(safe, schema=self.schema, preserve_index=False)
        self.writer.write_table(table)
        self.count += len(lines)

    def close(self) -> None:
        self.writer.close()  # writes the header even when no line came
        super().close()


class _JsonlWriter(_Streamed):
    """Shortlist lines appended as JSON Lines (one object per line, null for missing)."""

    def __init__(self, target: Path | None, columns: tuple[str, ...]) -> None:
        self.file = AtomicFile(target, binary=False) if target is not None else None
        self.fh = self.file.fh if self.file is not None else sys.stdout
        self.columns = columns
        self.count = 0

    def write(self, lines: ShortlistLines) -> None:
        if not len(lines):
            return
        out = lines.frame()[list(self.columns)]
        out["score"] = out["score"].round(4)
        text = out.to_json(orient="records", lines=True, force_ascii=False)
        self.fh.write(text if text.endswith("\n") else text + "\n")
        self.count += len(lines)

class _XlsxWriter:
    """Shortlist lines streamed into a write-only workbook; a full sheet continues on the next."""

    def __init__(self, target: Path, columns: tuple[str, ...], text_columns: tuple[str, ...]) -> None:
        from openpyxl import Workbook

        self.file = AtomicFile(target, binary=True)
        self.book = Workbook(write_only=True)
        self.columns, self.text_columns = columns, text_columns
        self.sheet: Any = None
        self.sheets = 0
        self.rows = 0
        self.count = 0

    def _new_sheet(self) -> None:
        self.sheets += 1
        self.sheet = self.book.create_sheet("Shortlists" if self.sheets == 1 else f"Shortlists {self.sheets}")
        self.sheet.freeze_panes = "A2"
        self.sheet.append(list(self.columns))
        self.rows = 1

    def write(self, lines: ShortlistLines) -> None:
        if self.sheet is None:
            self._new_sheet()
        safe = _for_spreadsheet(lines.frame()[list(self.columns)], self.text_columns)
        values = safe.astype(object).where(safe.notna(), None).to_numpy(dtype=object).tolist()
        for row in values:
            if self.rows >= _XLSX_MAX_ROWS:
                self._new_sheet()
            self.sheet.append(row)
            self.rows += 1
        self.count += len(lines)

    def close(self) -> None:
        if self.sheet is None:
            self._new_sheet()
        self.book.save(self.file.fh)
        self.file.commit()

    def abort(self) -> None:
        self.file.abort()


def _writer(target: Path | None, fmt: str):
    if fmt == "csv":
        return _CsvWriter(target, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    if fmt == "jsonl":
        return _JsonlWriter(target, OUTPUT_COLUMNS)
    if target is None:
        raise OutputError("an XLSX workbook cannot be written to standard output", hint="give -o FILE.xlsx")
    return _XlsxWriter(target, OUTPUT_COLUMNS, _TEXT_COLUMNS)


class _ErrorsWriter:
    """Failed rows as CSV, opened on the first error only."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.writer: _CsvWriter | None = None
        self.count = 0
        self.rows: set[Any] = set()

    def write(self, errors: list[RowError]) -> None:
        if not errors:
            return
        if self.writer is None:
            self.writer = _CsvWriter(self.target, ERROR_COLUMNS, ERROR_COLUMNS[1:], integers=("row",))
        frame = pd.DataFrame([[getattr(e, c) for c in ERROR_COLUMNS] for e in errors], columns=list(ERROR_COLUMNS))
        self.writer.write(frame)
        self.count += len(errors)
        self.rows.update(e.row for e in errors)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()


# --- per-supplier reports ---------------------------------------------------------------


class _SupplierReports:
    """One HTML report per valid row (via `recommend` and `render_html`), then index.html.

    They are written into a temporary folder beside the target and moved into it only by
    `commit`, when the whole run has succeeded; `abort` removes them."""

    def __init__(self, folder: Path, *, catalogue: Catalogue, weights: Any, top: int, report_options: Any,
                 inputs: list[Path]) -> None:
        if folder.exists() and not folder.is_dir():
            raise OutputError("is not a folder", source=str(folder))
        parent = folder.parent if str(folder.parent) else Path(".")
        if not parent.is_dir():
            raise OutputError("the parent folder does not exist", source=str(parent), hint="create it first")
        try:
            self.stage = Path(tempfile.mkdtemp(prefix=f".{folder.name[:40]}.", suffix=".tmp", dir=parent))
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror or exc}", source=str(parent),
                              hint="choose a folder you can write to") from None
        self.folder, self.catalogue, self.weights, self.top = folder, catalogue, weights, top
        self.options, self.inputs = report_options, inputs
        self.used: set[str] = {"index.html"}
        self.entries: list[dict[str, Any]] = []

    def write(self, chunk: pd.DataFrame, valid: np.ndarray, fields: dict[Any, str]) -> None:
        from dataclasses import replace

        from ..core.recommend import recommend
        from ..report.render import render_html

        renamed = chunk.iloc[np.flatnonzero(valid)].rename(columns=fields)
        keep = [c for c in renamed.columns if c in FIELDS]
        for number, row in zip(renamed.index, renamed[keep].to_dict("records")):
            result = recommend(row_profile(row), catalogue=self.catalogue, top=self.top, weights=self.weights)
            p = result.profile
            name = self._file_name(p.id, p.name)
            check_not_input(self.folder / name, self.inputs)
            (self.stage / name).write_text(render_html(result, replace(self.options, title=None)), encoding="utf-8")
            best = result.top
            self.entries.append({
                "row": int(number), "id": p.id or "", "name": p.name, "file": name,
                "country": p.country, "sector": p.sector, "verdict": result.verdict,
                "first": best.name if best else "", "first_id": best.id if best else "",
                "score": best.score if best else None, "shortlisted": len(result.shortlist),
            })

    def _file_name(self, ident: str | None, name: str) -> str:
        stem = safe_filename(f"{ident}-{name}" if ident else name, default="supplier")
        candidate, n = stem + ".html", 1
        while candidate.lower() in self.used:
            n += 1
            candidate = f"{stem}-{n}.html"
        self.used.add(candidate.lower())
        return candidate

    def finish(self, *, source: str, errors: int) -> None:
        """Write index.html (still in the temporary folder)."""
        from ..report.portfolio import render_supplier_index

        html = render_supplier_index(self.entries, source=source, errors=errors, options=self.options,
                                     catalogue=self.catalogue)
        check_not_input(self.folder / "index.html", self.inputs)
        (self.stage / "index.html").write_text(html, encoding="utf-8")

    def commit(self) -> Path:
        """Move the reports into the target folder (made if missing); returns its index.html."""
        try:
            if not self.folder.exists():
                os.chmod(self.stage, 0o777 & ~_umask())
                os.replace(self.stage, self.folder)
            else:
                for entry in self.stage.iterdir():
                    os.replace(entry, self.folder / entry.name)
                self.stage.rmdir()
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write: {exc.strerror or exc}", source=str(self.folder)) from None
        return self.folder / "index.html"

    def abort(self) -> None:
        """Remove the reports written so far; the target folder stays as it was."""
        shutil.rmtree(self.stage, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


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

    source = _open(path, CHUNK_ROWS)
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
    writer = _writer(target, fmt)
    errors = _ErrorsWriter(errors_target)
    reports = None
    bar = progress if progress is not None else Progress()
    rows = scored = 0
    try:
        if options.per_supplier_reports is not None:
            reports = _SupplierReports(Path(options.per_supplier_reports), catalogue=catalogue, weights=weights,
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

