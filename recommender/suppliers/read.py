"""Supplier lists in: CSV/TSV, XLSX and Parquet read as DataFrames of at most `CHUNK_ROWS` rows.

A chunk's index is the row number a spreadsheet shows (header = row 1). Reading never
holds more than one chunk; rows the reader itself cannot split are reported as skipped.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .frame import RowError, match_columns

__all__ = ["CHUNK_ROWS", "read_chunks", "open_list", "Source"]

#: Rows scored at a time: large enough for fast array operations, small enough for flat memory.
CHUNK_ROWS = 50_000


@dataclass
class Source:
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
    source = open_list(Path(path), chunk_rows)
    yield from source.chunks


def open_list(path: Path, chunk_rows: int = CHUNK_ROWS) -> Source:
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


def _open_csv(path: Path, chunk_rows: int, *, tab: bool) -> Source:
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

    return Source(path, columns, skipped, fraction, chunks())


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


def _open_xlsx(path: Path, chunk_rows: int) -> Source:
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

    return Source(path, columns, [], fraction, chunks())


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


def _open_parquet(path: Path, chunk_rows: int) -> Source:
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

    return Source(path, list(pf.schema_arrow.names), [], lambda: done[0] / total if total else None, chunks())

