"""Supplier-list outputs: the shortlist lines (CSV, XLSX, JSON Lines), the errors file and
per-supplier reports. Each writer writes into a file handle (or a staged folder) that the
run's `output.Transaction` staged beside its target and moves into place only on commit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import Catalogue
from ..core.scoring import rounded
from ..errors import OutputError
from ..output import StagedFolder, csv_safe, safe_filename
from .frame import FIELDS, SHORTLIST_COLUMNS, RowError, ShortlistLines, row_profile, text_array

__all__ = ["OUTPUT_COLUMNS", "ERROR_COLUMNS", "open_writer", "ErrorsWriter", "SupplierReports"]

#: Columns of the shortlist output (CSV, XLSX and JSON Lines).
OUTPUT_COLUMNS = SHORTLIST_COLUMNS
#: Columns of the errors file.
ERROR_COLUMNS = ("row", "supplier_id", "supplier_name", "column", "field", "reason")
_TEXT_COLUMNS = ("supplier_id", "supplier_name", "initiative_id", "initiative_name", "reasons")
_XLSX_MAX_ROWS = 1_048_576  # rows per worksheet, header included


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


def _lines_table(lines: ShortlistLines, schema: Any, *, safe: bool = True) -> Any:
    """The shortlist lines as a pyarrow table of ``schema``: score at 4 decimals, text made
    formula-safe with ``safe`` (for files people open in spreadsheets), no Python object
    per cell."""
    import pyarrow as pa

    table = lines.table(safe=safe)
    score = pa.array(rounded(lines.score), type=pa.float64(), from_pandas=True)
    table = table.set_column(table.schema.get_field_index("score"), "score", score)
    rows = pa.array(lines.rows, type=pa.int64()).take(pa.array(lines.supplier, type=pa.int64()))
    return table.append_column("row", rows).select(schema.names).cast(schema)


def _schema(columns: tuple[str, ...], text_columns: tuple[str, ...], integers: tuple[str, ...]) -> Any:
    import pyarrow as pa

    return pa.schema([(c, pa.string() if c in text_columns else pa.int64() if c in integers else pa.float64())
                      for c in columns])


class _CsvWriter:
    """Lines appended to a binary file handle as UTF-8 CSV by pyarrow's CSV writer, text
    cells made formula-safe (every text cell quoted)."""

    def __init__(self, fh: Any, columns: tuple[str, ...], text_columns: tuple[str, ...],
                 *, integers: tuple[str, ...] = ("rank", "row"), delimiter: str = ",") -> None:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        self.fh = fh
        self.columns, self.text_columns, self.integers = columns, text_columns, integers
        self.count = 0
        self.schema = _schema(columns, text_columns, integers)
        self.pa = pa
        self.writer = pa_csv.CSVWriter(self.fh, self.schema, write_options=pa_csv.WriteOptions(delimiter=delimiter))

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
        """Write the header if no line came, and flush."""
        self.writer.close()
        self.fh.flush()


class _ParquetWriter:
    """Shortlist lines appended to a binary file handle as one Parquet file (a row group per
    chunk, Snappy-compressed). Columns that repeat (initiatives, reasons) are dictionary-
    encoded; supplier ids and names, nearly all distinct, are written plain, which is
    three times faster to write and no larger. Text is kept as it is: Parquet is data,
    not a sheet that runs formulas."""

    _DICTIONARY = ("initiative_id", "initiative_name", "reasons")

    def __init__(self, fh: Any, columns: tuple[str, ...], text_columns: tuple[str, ...]) -> None:
        import pyarrow.parquet as pq

        self.fh = fh
        self.schema = _schema(columns, text_columns, ("rank", "row"))
        self.writer = pq.ParquetWriter(fh, self.schema, use_dictionary=list(self._DICTIONARY),
                                       compression="snappy")
        self.count = 0

    def write(self, lines: ShortlistLines) -> None:
        if not len(lines):
            return
        self.writer.write_table(_lines_table(lines, self.schema, safe=False))
        self.count += len(lines)

    def close(self) -> None:
        """Write the footer (an empty file still has the schema), and flush."""
        self.writer.close()
        self.fh.flush()


class _JsonlWriter:
    """Shortlist lines appended to a binary file handle as UTF-8 JSON Lines (one object per
    line, keys in `OUTPUT_COLUMNS` order, null for missing).

    Each line is assembled by pyarrow from the columns' JSON forms: text values are
    escaped once per distinct value, numbers formatted by column, and the lines of a chunk
    leave as one buffer."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.count = 0

    def write(self, lines: ShortlistLines) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not len(lines):
            return

        def text(values: np.ndarray) -> Any:
            return pc.fill_null(_json_strings(text_array(values)), "null")

        def joined(*parts: Any) -> Any:
            return pc.binary_join_element_wise(*parts, "")

        # The parts that repeat are built once per supplier, initiative and reason, then taken.
        supplier = joined('{"supplier_id":', text(lines.supplier_ids), ',"supplier_name":', text(lines.supplier_names),
                          ',"rank":')
        none = np.array([None], dtype=object)
        initiative = joined(',"initiative_id":', text(np.concatenate([lines.initiative_ids, none])),
                            ',"initiative_name":', text(np.concatenate([lines.initiative_names, none])), ',"score":')
        reason = joined(',"reasons":', text(lines.reason_texts), ',"row":')
        rows = pc.cast(pa.array(lines.rows, type=pa.int64()), pa.string())
        rank = pc.fill_null(pc.cast(pa.array(lines.rank, mask=lines.rank == 0, type=pa.int64()), pa.string()), "null")
        score = pc.fill_null(_json_floats(pa.array(rounded(lines.score), type=pa.float64(), from_pandas=True)), "null")
        sup = pa.array(lines.supplier, type=pa.int64())
        init = np.where(lines.initiative >= 0, lines.initiative, len(lines.initiative_ids))
        text_lines = joined(supplier.take(sup), rank, initiative.take(pa.array(init, type=pa.int64())), score,
                            reason.take(pa.array(lines.reason, type=pa.int64())), rows.take(sup), "}\n")
        # The lines end to end are one slice of the array's data buffer.
        _, offsets, data = text_lines.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32)[text_lines.offset: text_lines.offset + len(text_lines) + 1]
        self.fh.write(memoryview(data)[int(bounds[0]):int(bounds[-1])])
        self.count += len(lines)

    def close(self) -> None:
        """Flush."""
        self.fh.flush()


def _json_strings(values: Any) -> Any:
    """Each value of a pyarrow string array as a JSON string literal (null stays null).

    Quotes and backslashes are escaped in one pass; the rare value with a control
    character is escaped by `json.dumps`. Non-ASCII text is written as UTF-8, not escaped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    control = pc.fill_null(pc.match_substring_regex(values, "[\\x00-\\x1f]"), False)
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    if pc.any(control).as_py():
        where = np.flatnonzero(control.to_numpy(zero_copy_only=False))
        fixed = pa.array([json.dumps(values[int(i)].as_py(), ensure_ascii=False) for i in where], type=pa.string())
        quoted = pc.replace_with_mask(quoted, control, fixed)
    return quoted


def _json_floats(values: Any) -> Any:
    """Each value of a pyarrow float array as a JSON number that reads back as a float
    ("1.0", not "1"); NaN as null."""
    import pyarrow.compute as pc

    values = pc.if_else(pc.is_nan(values), None, values)
    text = pc.cast(values, "string")
    whole = pc.invert(pc.match_substring_regex(text, "[.eE]|inf|nan"))
    return pc.if_else(pc.fill_null(whole, False), pc.binary_join_element_wise(text, ".0", ""), text)


class _XlsxWriter:
    """Shortlist lines streamed into a write-only workbook, saved into a binary file handle
    by `close`; a full sheet continues on the next."""

    def __init__(self, fh: Any, columns: tuple[str, ...], text_columns: tuple[str, ...]) -> None:
        from openpyxl import Workbook

        self.fh = fh
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
        """Save the workbook."""
        if self.sheet is None:
            self._new_sheet()
        self.book.save(self.fh)
        self.fh.flush()


def open_writer(fh: Any, fmt: str, *, delimiter: str = ","):
    """The shortlist writer for ``fmt`` (csv, jsonl, parquet or xlsx), writing into a binary
    ``fh`` (standard output's buffer is fine for csv and jsonl)."""
    if fmt == "csv":  # tab-separated with delimiter="\t" (-o shortlists.tsv)
        return _CsvWriter(fh, OUTPUT_COLUMNS, _TEXT_COLUMNS, delimiter=delimiter)
    if fmt == "jsonl":
        return _JsonlWriter(fh)
    if fmt == "parquet":
        return _ParquetWriter(fh, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    if fmt == "xlsx":
        return _XlsxWriter(fh, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    raise OutputError(f"cannot write {fmt}", hint="use csv, jsonl, parquet or xlsx")


class ErrorsWriter:
    """Failed rows as CSV, into the handle ``open_file()`` gives on the first error only."""

    def __init__(self, open_file: Callable[[], Any]) -> None:
        self.open_file = open_file
        self.writer: _CsvWriter | None = None
        self.count = 0
        self.rows: set[Any] = set()

    def write(self, errors: list[RowError]) -> None:
        """Append rows to the errors file."""
        if not errors:
            return
        if self.writer is None:
            self.writer = _CsvWriter(self.open_file(), ERROR_COLUMNS, ERROR_COLUMNS[1:], integers=("row",))
        frame = pd.DataFrame([[getattr(e, c) for c in ERROR_COLUMNS] for e in errors], columns=list(ERROR_COLUMNS))
        self.writer.write(frame)
        self.count += len(errors)
        self.rows.update(e.row for e in errors)

    def close(self) -> None:
        """Flush the errors file, if one was opened."""
        if self.writer is not None:
            self.writer.close()


# --- per-supplier reports ---------------------------------------------------------------


class SupplierReports:
    """One HTML report per valid row (via `recommend` and `render_html`), then index.html,
    written into a `StagedFolder` that the run's transaction moves into place on commit."""

    def __init__(self, folder: StagedFolder, *, catalogue: Catalogue, weights: Any, top: int,
                 report_options: Any) -> None:
        self.folder, self.catalogue, self.weights, self.top = folder, catalogue, weights, top
        self.options = report_options
        self.index = folder.name("index", exact=True)
        self.entries: list[dict[str, Any]] = []

    def write(self, chunk: pd.DataFrame, valid: np.ndarray, fields: dict[Any, str] | None = None) -> None:
        """Render and stage the report of every valid row of ``chunk`` (columns renamed by
        ``fields``; None when they are field names already, as `ScoredFrame.fields` gives them)."""
        from dataclasses import replace

        from ..core.recommend import recommend
        from ..report.portfolio import index_entry
        from ..report.render import render_html

        renamed = chunk.iloc[np.flatnonzero(valid)].rename(columns=fields or {})
        keep = [c for c in renamed.columns if c in FIELDS]
        for number, row in zip(renamed.index, renamed[keep].to_dict("records")):
            result = recommend(row_profile(row), catalogue=self.catalogue, top=self.top, weights=self.weights)
            p = result.profile
            name = self.folder.name(safe_filename(f"{p.id}-{p.name}" if p.id else p.name, default="supplier"))
            self.folder.write(name, render_html(result, replace(self.options, title=None)))
            self.entries.append(index_entry(result, row=int(number), file=name))

    def finish(self, *, source: str, errors: int) -> None:
        """Stage index.html."""
        from ..report.portfolio import render_supplier_index

        html = render_supplier_index(self.entries, source=source, errors=errors, options=self.options,
                                     catalogue=self.catalogue)
        self.folder.write(self.index, html)
