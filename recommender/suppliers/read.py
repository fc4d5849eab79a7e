"""Supplier lists in: CSV/TSV (Excel's "CSV UTF-8" and "Unicode Text" included), XLSX and
Parquet, read as DataFrames of at most `CHUNK_ROWS` rows.

A chunk's index is the row number a spreadsheet shows (header = row 1). Reading never
holds more than one chunk. Anything that goes wrong while a file is read is a
`SupplierListError` naming the file (and the sheet and cell, or the rows, where known):
the parsers' own exceptions never leave this module. Rows the reader itself cannot take
are reported as skipped, so that each fails alone: a CSV line with too many fields, a
cell longer than `MAX_CELL_CHARS`, a workforce number with more than `MAX_DIGITS` digits,
a list cell of more than `MAX_LIST_ITEMS` items.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import os
import stat
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, MatchError, SupplierListError, shorten
from ..numbers import MAX_DIGITS, number_problem
from .formats import _REFUSED, SUFFIXES, is_supplier_list
from .frame import RowError, match_columns
from .xlsx import MAX_CELL_CHARS, column_letters, open_sheet

__all__ = ["CHUNK_ROWS", "MAX_COLUMNS", "MAX_CELL_CHARS", "MAX_LIST_ITEMS", "SUFFIXES", "read_chunks", "open_list",
           "is_supplier_list", "Source"]

#: Rows scored at a time: large enough for fast array operations, small enough for flat memory.
CHUNK_ROWS = 20_000
#: The most columns a supplier list may have (one has a few dozen; Open Supply Hub's about 40).
MAX_COLUMNS = 1_024
#: The most items one list cell (issues, prefers, wants, memberships, sourcing countries) may hold.
MAX_LIST_ITEMS = 250
_LIST_FIELDS = ("issues", "prefers", "wants", "memberships", "sourcing_countries")
_NUMERIC_FIELDS = ("workforce_size", "women_share", "migrant_share")
_HEAD = 1 << 20
_FALLBACK = "match-cp1252"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 read as Windows-1252 (Excel's "CSV" on Western Windows)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bad.decode("cp1252", errors="replace"), exc.end


codecs.register_error(_FALLBACK, _cp1252_fallback)


@dataclass
class Source:
    """A supplier file being read: its header, the rows it had to skip, how far along it is."""

    path: Path
    columns: list[Any]
    skipped: list[RowError]
    fraction: Callable[[], float | None]
    chunks: Iterator[pd.DataFrame]

    def close(self) -> None:
        """Stop reading and release the file (also done when the chunks run out or fail)."""
        close = getattr(self.chunks, "close", None)
        if close is not None:
            close()


def read_chunks(path: str | os.PathLike[str], *, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The rows of a supplier file (CSV, TSV, XLSX or Parquet) as DataFrames of at most
    ``chunk_rows`` rows, indexed by the row number a spreadsheet shows (header = row 1).

    Cells are text for CSV and as stored for XLSX and Parquet; empty rows are left out.
    Raises `SupplierListError` when the file cannot be read as a table.
    """
    source = open_list(Path(path), chunk_rows)
    yield from source.chunks


def open_list(path: Path, chunk_rows: int = CHUNK_ROWS) -> Source:
    """Open a supplier list: read its header and check it; the rows follow in ``chunks``.

    Raises `SupplierListError` for a file that is missing, not a table, in a format or
    encoding it cannot read (saying which), with more than `MAX_COLUMNS` columns or with
    two columns of the same name.
    """
    path = Path(path)
    src = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SupplierListError("no such file", source=src, hint="check the path and spelling") from None
    except (OSError, ValueError) as exc:
        raise _open_error(exc, src) from None
    if stat.S_ISDIR(st.st_mode):
        raise SupplierListError("is a folder, not a supplier list", source=src)
    if not stat.S_ISREG(st.st_mode):
        raise SupplierListError("is not a regular file", source=src, hint="save the supplier list as a file first")
    suffix = path.suffix.lower()
    if suffix in _REFUSED:
        message, hint = _REFUSED[suffix]
        raise SupplierListError(message + ", which match does not read", source=src, hint=hint)
    try:
        if suffix in (".csv", ".tsv", ".txt"):
            return _open_csv(path, chunk_rows, size=st.st_size, tab=suffix == ".tsv")
        if suffix == ".xlsx":
            return _open_xlsx(path, chunk_rows)
        if suffix == ".parquet":
            return _open_parquet(path, chunk_rows)
    except MatchError:
        raise
    except OSError as exc:
        raise _open_error(exc, src) from None
    raise SupplierListError(f"cannot read {suffix or 'files without a suffix'} as a supplier list", source=src,
                            hint="use .csv, .tsv, .xlsx or .parquet")


def _open_error(exc: BaseException, src: str) -> SupplierListError:
    code = getattr(exc, "errno", None)
    if code == errno.ENAMETOOLONG:
        return SupplierListError("the path is too long", source=src[:80] + "…")
    if isinstance(exc, ValueError):
        return SupplierListError("the path cannot name a file", source=repr(src))
    hint = "check the file's permissions" if code in (errno.EACCES, errno.EPERM) else None
    return SupplierListError(f"cannot be read: {getattr(exc, 'strerror', None) or exc}", source=src, hint=hint)


def _guarded(chunks: Iterator[pd.DataFrame], path: Path, what: str, where: Callable[[], str] | None = None
             ) -> Iterator[pd.DataFrame]:
    """``chunks`` with every parser failure turned into a `SupplierListError` naming the file."""
    try:
        yield from chunks
    except (MatchError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - the parsers raise many types; none may leave as a crash
        at = where() if where is not None else ""
        raise SupplierListError(f"cannot be read as {what}{at}: {shorten(_first_line(exc), 200)}",
                                source=str(path)) from exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- the header ---------------------------------------------------------------------------


def _check_header(columns: list[Any], *, path: Path, row: int = 1) -> None:
    """Refuse more than `MAX_COLUMNS` columns, and two columns with the same name."""
    if len(columns) > MAX_COLUMNS:
        raise SupplierListError(f"has {len(columns):,} columns; a supplier list has at most {MAX_COLUMNS:,}",
                                source=str(path), line=row,
                                hint="keep the profile columns (see profiles/suppliers-template.csv)")
    seen: dict[str, int] = {}
    for i, name in enumerate(columns):
        key = str(name).strip().casefold()
        if not key:
            continue
        if key in seen:
            first = seen[key]
            raise SupplierListError(
                f"columns {column_letters(first + 1)} and {column_letters(i + 1)} are both headed "
                f"{shorten(str(name).strip(), 60)!r}", source=str(path), line=row,
                hint="rename or remove one of them")
        seen[key] = i


# --- cells no profile can hold ------------------------------------------------------------------


def _guard(chunk: pd.DataFrame, fields: dict[Any, str], skipped: list[RowError]) -> pd.DataFrame:
    """``chunk`` without its rows that hold a cell no profile can hold; those go to ``skipped``."""
    if chunk.empty:
        return chunk
    bad: dict[Any, tuple[str, str, str]] = {}  # row -> (column, field, reason)
    for position, name in enumerate(chunk.columns):
        col = chunk.iloc[:, position]
        field = fields.get(name, "")
        texts = _text_lengths(col)
        if texts is None:
            continue
        lengths, is_text = texts
        long = lengths > MAX_CELL_CHARS
        for row in chunk.index[long]:
            bad.setdefault(row, (str(name), field, f"the cell holds {int(lengths[chunk.index.get_loc(row)]):,} "
                                 f"characters; at most {MAX_CELL_CHARS:,} (Excel's limit for one cell)"))
        if field in _NUMERIC_FIELDS:
            for i in np.flatnonzero(is_text & (lengths > MAX_DIGITS) & ~long):
                problem = number_problem(col.iloc[i])
                if problem:
                    bad.setdefault(chunk.index[i], (str(name), f"workforce.{field.replace('workforce_', '')}",
                                                    problem))
        elif field in _LIST_FIELDS:
            for i in np.flatnonzero(is_text & (lengths > 2 * MAX_LIST_ITEMS) & ~long):
                text = col.iloc[i]
                items = sum(1 for part in text.replace(",", ";").replace("\n", ";").split(";") if part.strip())
                if items > MAX_LIST_ITEMS:
                    bad.setdefault(chunk.index[i], (str(name), field,
                                                    f"lists {items:,} items; at most {MAX_LIST_ITEMS:,}"))
    if not bad:
        return chunk
    by_field = {f: c for c, f in fields.items()}
    for row in sorted(bad, key=lambda r: (str(type(r)), r)):
        column, field, reason = bad[row]
        ident = _shown(chunk.at[row, by_field["id"]]) if "id" in by_field else ""
        name = _shown(chunk.at[row, by_field["name"]]) if "name" in by_field else ""
        skipped.append(RowError(row, ident, name, column, field, reason))
    return chunk.drop(index=list(bad))


def _text_lengths(col: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """Each cell's length (0 for non-text) and whether it is text; None when no cell is text."""
    if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
        return None
    if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
        lengths = col.str.len().fillna(0).to_numpy(dtype=np.int64)
        return lengths, np.ones(len(col), dtype=bool)
    values = col.to_numpy(dtype=object)
    is_text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    if not is_text.any():
        return None
    lengths = np.fromiter((len(v) if isinstance(v, str) else 0 for v in values), dtype=np.int64, count=len(values))
    return lengths, is_text


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return shorten(str(value), 200)


def _fields(columns: list[Any]) -> dict[Any, str]:
    try:
        return match_columns(columns)[0]
    except InputError:
        return {}


# --- CSV ------------------------------------------------------------------------------------


def _sniff_not_text(path: Path, head: bytes) -> None:
    """Refuse a file that is not text, saying what it is instead."""
    src = str(path)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SupplierListError("is empty", source=src,
                                hint="a supplier list needs a header row and one row per supplier; "
                                     "see profiles/suppliers-template.csv")
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head[:200]:
            raise SupplierListError("is an OpenDocument spreadsheet (.ods), not CSV text", source=src,
                                    hint="save it as .xlsx or export the sheet as CSV")
        raise SupplierListError("is an Excel workbook (or another zip file), not CSV text", source=src,
                                hint="rename it to .xlsx, or export the sheet as CSV")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _compound_file_error(path)
    if head.startswith(b"PAR1"):
        raise SupplierListError("is a Parquet file, not CSV text", source=src, hint="rename it to .parquet")


def _encoding(path: Path, head: bytes) -> tuple[str, str, str]:
    """(codec, error handler, name shown) for a text supplier list, from its first MiB."""
    src = str(path)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", "strict", "UTF-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "strict", "UTF-16"
    if b"\x00" in head:
        sample = head[:4096]
        if len(sample) >= 4 and any(sample[i::2].count(0) >= 0.9 * len(sample[i::2]) for i in (0, 1)):
            raise SupplierListError("looks like UTF-16 text without a byte-order mark", source=src,
                                    hint="save it as 'CSV UTF-8', or as 'Unicode Text' from Excel")
        raise SupplierListError("looks like a binary file, not CSV text", source=src,
                                hint="export the sheet as 'CSV UTF-8'")
    return "utf-8-sig", _FALLBACK, "UTF-8"


def _open_csv(path: Path, chunk_rows: int, *, size: int, tab: bool) -> Source:
    src = str(path)
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    _sniff_not_text(path, head)
    encoding, errors, shown = _encoding(path, head)
    try:
        text = codecs.getincrementaldecoder(encoding)(errors).decode(head, final=len(head) < _HEAD)
    except UnicodeDecodeError:
        raise SupplierListError(f"is not valid {shown} text", source=src,
                                hint="save it again as 'CSV UTF-8' or as 'Unicode Text'") from None
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    lead = 0
    while lead < len(lines) and not lines[lead].strip():
        lead += 1
    if lead == len(lines) or (len(head) == _HEAD and "\n" not in text and "\r" not in text):
        raise SupplierListError("the header row is longer than 1 MiB" if lines else "is empty", source=src,
                                hint="a supplier list needs a header row and one row per supplier")
    first_line = lines[lead]
    sep = "\t" if tab else max((",", ";", "\t"), key=first_line.count)
    if first_line.count(sep) >= MAX_COLUMNS:
        _check_header([""] * (first_line.count(sep) + 1), path=path, row=lead + 1)
    csv.field_size_limit(_HEAD)
    try:
        head_rows = csv.reader(io.StringIO("\n".join(lines[lead:lead + 50])), delimiter=sep)
        header = next(head_rows)
    except (csv.Error, StopIteration) as exc:
        raise SupplierListError(f"cannot read the header row: {_first_line(exc)}", source=src,
                                line=lead + 1) from None
    # pandas reads a first row with more fields than the header by dropping the extra ones
    # (with index_col=False; without, it takes the first column as an index): that row fails
    # alone, as any later row with too many fields does.
    try:
        first_row = next(head_rows, None)
    except csv.Error:
        first_row = None
    too_wide = first_row is not None and len(first_row) > len(header)
    _check_header(header, path=path, row=lead + 1)
    names = [h if h.strip() else f"Unnamed: {i}" for i, h in enumerate(header)]
    fields = _fields(names)
    # Cells are read as pandas infers them (text, or numbers where a whole chunk is numeric,
    # which `frame.cell_value` reads the same), except ids: "00123" must keep its zeros.
    options: dict[str, Any] = dict(
        sep=sep, keep_default_na=False, na_filter=False, encoding=encoding, encoding_errors=errors, engine="c",
        # index_col=False: a first row with one field too many never makes an index column.
        header=0, names=names, skiprows=lead, index_col=False,
        dtype={c: str for c, f in fields.items() if f in ("id", "name")},
    )
    fh = open(path, "rb")  # noqa: SIM115 - closed when the chunks run out or fail
    skipped: list[RowError] = []
    try:
        reader = pd.read_csv(fh, chunksize=chunk_rows, skip_blank_lines=False, on_bad_lines="warn", **options)
    except Exception as exc:  # noqa: BLE001
        fh.close()
        raise SupplierListError(f"cannot read as CSV: {_first_line(exc)}", source=src) from None

    def chunks() -> Iterator[pd.DataFrame]:
        bad_rows: list[int] = []
        first = True
        try:
            while True:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", pd.errors.ParserWarning)
                    try:
                        chunk = next(reader)
                    except StopIteration:
                        return
                    except UnicodeDecodeError:
                        raise SupplierListError(f"is not valid {shown} text", source=src,
                                                hint="save it again as 'CSV UTF-8' or as 'Unicode Text'") from None
                    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
                        raise SupplierListError(f"cannot read as CSV: {shorten(_first_line(exc), 200)}",
                                                source=src) from None
                for w in caught:
                    for line in str(w.message).splitlines():
                        row, reason = _bad_line(line)
                        if row is not None:  # pandas counts the lines of the whole file
                            bad_rows.append(row)
                            skipped.append(RowError(row, "", "", "", "", reason))
                # Lines pandas skipped are rows too: count them back in (header = row lead + 1).
                kept = chunk.index.to_numpy()
                shift = np.array(sorted(bad_rows)) - 2 - lead - np.arange(len(bad_rows))
                chunk.index = kept + 2 + lead + np.searchsorted(shift, kept, side="right")
                if too_wide and first and len(chunk) and chunk.index[0] == lead + 2:
                    skipped.append(RowError(lead + 2, "", "", "", "", f"expected {len(header)} fields, saw "
                                            f"{len(first_row)} (a cell with a comma or line break needs quotes)"))
                    chunk = chunk.iloc[1:]
                first = False
                yield _guard(_drop_empty(chunk), fields, skipped)
        finally:
            fh.close()

    def fraction() -> float | None:
        try:
            return fh.tell() / size if size else None
        except (OSError, ValueError):
            return None

    return Source(path, names, skipped, fraction, _guarded(chunks(), path, "CSV"))


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


def _drop_empty(chunk: pd.DataFrame) -> pd.DataFrame:
    if chunk.empty:
        return chunk
    blank = np.ones(len(chunk), dtype=bool)
    for position in range(chunk.shape[1]):
        col = chunk.iloc[:, position]
        if pd.api.types.is_string_dtype(col.dtype) and col.dtype != object:
            blank &= (col.str.strip() == "").to_numpy()
        else:
            blank &= col.map(lambda v: v is None or (isinstance(v, float) and v != v)
                             or (isinstance(v, str) and not v.strip())).to_numpy(dtype=bool)
        if not blank.any():
            break
    return chunk[~blank] if blank.any() else chunk


# --- XLSX -----------------------------------------------------------------------------------


def _open_xlsx(path: Path, chunk_rows: int) -> Source:
    import zipfile

    try:
        is_zip = zipfile.is_zipfile(path)
    except OSError as exc:
        raise _open_error(exc, str(path)) from None
    if not is_zip:
        raise _not_a_workbook(path)
    sheet = open_sheet(path, max_columns=MAX_COLUMNS)
    columns = [("" if h is None else str(h)).strip() for h in sheet.header]
    try:
        _check_header(columns, path=path, row=sheet.header_row)
    except SupplierListError:
        sheet.close()
        raise
    fields = _fields(columns)
    skipped: list[RowError] = []

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            batch: list[list[Any]] = []
            numbers: list[int] = []
            for number, values in sheet.rows:
                if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
                    continue
                batch.append(values)
                numbers.append(number)
                if len(batch) >= chunk_rows:
                    yield _guard(_frame(batch, numbers, columns), fields, skipped)
                    batch, numbers = [], []
            if batch:
                yield _guard(_frame(batch, numbers, columns), fields, skipped)
        finally:
            sheet.close()

    return Source(path, columns, skipped, sheet.fraction, _guarded(chunks(), path, "an Excel workbook"))


def _compound_file_error(path: Path) -> SupplierListError:
    """An OLE compound file: a password-protected workbook, or an Excel 97-2003 one."""
    name = "EncryptedPackage".encode("utf-16-le")
    try:
        with open(path, "rb") as fh:
            found, tail = False, b""
            for _ in range(64):  # directory entries sit in the first MiBs of any real file
                block = fh.read(1 << 20)
                if not block:
                    break
                if name in tail + block:
                    found = True
                    break
                tail = block[-len(name):]
    except OSError:
        found = False
    if found:
        return SupplierListError("is a password-protected (encrypted) workbook", source=str(path),
                                 hint="open it in Excel, remove the password (File > Info > Protect Workbook > "
                                      "Encrypt with Password), save, and run again")
    return SupplierListError("is an Excel 97-2003 workbook (.xls), not .xlsx", source=str(path),
                             hint="save it as .xlsx, or export the sheet as CSV")


def _not_a_workbook(path: Path) -> SupplierListError:
    """The error for an .xlsx file that is not a workbook, saying what it is instead."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        return SupplierListError("is empty", source=str(path))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _compound_file_error(path)
    if head.startswith(b"PAR1"):
        return SupplierListError("is a Parquet file, not an Excel workbook", source=str(path),
                                 hint="rename it to .parquet")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return SupplierListError("is UTF-16 text (Excel's 'Unicode Text'), not an Excel workbook", source=str(path),
                                 hint="rename it to .txt")
    try:
        text = b"\x00" not in head and bool(head.decode("utf-8"))
    except UnicodeDecodeError:
        text = False
    if text:
        return SupplierListError("is text, not an Excel workbook (a CSV file named .xlsx?)", source=str(path),
                                 hint="rename it to .csv")
    return SupplierListError("is not an Excel workbook", source=str(path),
                             hint="save it as .xlsx, or export the sheet as CSV")


def _frame(batch: list[list[Any]], numbers: list[int], columns: list[str]) -> pd.DataFrame:
    data = np.empty((len(batch), len(columns)), dtype=object)
    data[:] = batch
    frame = pd.DataFrame(data, columns=range(len(columns)), index=np.array(numbers))
    frame.columns = columns
    return frame


# --- Parquet --------------------------------------------------------------------------------


def _open_parquet(path: Path, chunk_rows: int) -> Source:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = str(path)
    try:
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
        total = pf.metadata.num_rows
    except (MatchError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a bad file
        raise SupplierListError(f"cannot read as Parquet: {shorten(_first_line(exc), 200)}", source=src,
                                hint="write it again, or export the list as CSV") from None
    columns = list(schema.names)
    try:
        _check_header(columns, path=path)
    except SupplierListError:
        pf.close()
        raise
    fields = _fields(columns)
    nested = [i for i, f in enumerate(schema) if pa.types.is_list(f.type) or pa.types.is_large_list(f.type)
              or pa.types.is_fixed_size_list(f.type) or pa.types.is_map(f.type)]
    skipped: list[RowError] = []
    done = [0]

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            for batch in pf.iter_batches(batch_size=chunk_rows):
                frame = _parquet_frame(batch, columns, nested)
                frame.index = np.arange(done[0], done[0] + len(frame)) + 2
                done[0] += len(frame)
                yield _guard(_drop_empty(frame), fields, skipped)
        finally:
            pf.close()

    def where() -> str:
        return f" (after row {done[0] + 1:,})"

    return Source(path, columns, skipped, lambda: done[0] / total if total else None,
                  _guarded(chunks(), path, "Parquet", where))


def _parquet_frame(batch: Any, columns: list[str], nested: list[int]) -> pd.DataFrame:
    """A record batch as a DataFrame: list columns as Python lists (issues, prefers, sourcing
    countries, memberships), map columns as mappings, an empty list as an empty cell."""
    import pyarrow as pa

    data: dict[int, Any] = {}
    for i in range(batch.num_columns):
        column = batch.column(i)
        if i in nested:
            values = column.to_pylist()
            if pa.types.is_map(column.type):
                values = [dict(v) if v else None for v in values]
            else:
                values = [list(v) if v else None for v in values]
            data[i] = pd.Series(values, dtype=object)
        else:
            series = column.to_pandas()
            if isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype(object)
            data[i] = series
    frame = pd.DataFrame(data)
    frame.columns = columns
    return frame
