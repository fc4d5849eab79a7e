"""Supplier-list outputs: the shortlist lines (CSV, XLSX, JSON Lines), the errors file and
per-supplier reports. Each writer writes into a file handle (or a staged folder) that the
run's `output.Transaction` staged beside its target and moves into place only on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import Catalogue
from ..core.scoring import rounded
from ..errors import OutputError
from ..output import StagedFolder, csv_safe, safe_filename
from .frame import FIELDS, SHORTLIST_COLUMNS, RowError, ShortlistLines, row_profile

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


def _lines_table(lines: ShortlistLines, schema: Any) -> Any:
    """The shortlist lines as a pyarrow table for CSV: text made formula-safe, score at 4
    decimals, no Python object per cell."""
    import pyarrow as pa

    table = lines.table(text=csv_safe)
    score = pa.array(rounded(lines.score), type=pa.float64(), from_pandas=True)
    table = table.set_column(table.schema.get_field_index("score"), "score", score)
    rows = pa.array(lines.rows, type=pa.int64()).take(pa.array(lines.supplier, type=pa.int64()))
    return table.append_column("row", rows).select(schema.names).cast(schema)


class _CsvWriter:
    """Lines appended to a binary file handle as UTF-8 CSV by pyarrow's CSV writer, text
    cells made formula-safe (every text cell quoted)."""

    def __init__(self, fh: Any, columns: tuple[str, ...], text_columns: tuple[str, ...],
                 *, integers: tuple[str, ...] = ("rank", "row")) -> None:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        self.fh = fh
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
        """Write the header if no line came, and flush."""
        self.writer.close()
        self.fh.flush()


class _JsonlWriter:
    """Shortlist lines appended to a text file handle as JSON Lines (one object per line,
    null for missing)."""

    def __init__(self, fh: Any, columns: tuple[str, ...]) -> None:
        self.fh = fh
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

    def close(self) -> None:
        """Flush."""
        self.fh.flush()


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


def open_writer(fh: Any, fmt: str):
    """The shortlist writer for ``fmt``: csv and xlsx write into a binary ``fh``, jsonl into a
    text one (standard output is fine for csv and jsonl)."""
    if fmt == "csv":
        return _CsvWriter(fh, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    if fmt == "jsonl":
        return _JsonlWriter(fh, OUTPUT_COLUMNS)
    if fmt == "xlsx":
        return _XlsxWriter(fh, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    raise OutputError(f"cannot write {fmt}", hint="use csv, xlsx or jsonl")


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
