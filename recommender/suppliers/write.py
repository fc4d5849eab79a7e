"""Supplier-list outputs: the shortlist lines (CSV, XLSX, JSON Lines), the errors file and
per-supplier reports, each staged beside its target and moved into place only on commit."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import Catalogue
from ..errors import OutputError
from ..output import AtomicFile, check_not_input, csv_safe, safe_filename
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


def open_writer(target: Path | None, fmt: str):
    if fmt == "csv":
        return _CsvWriter(target, OUTPUT_COLUMNS, _TEXT_COLUMNS)
    if fmt == "jsonl":
        return _JsonlWriter(target, OUTPUT_COLUMNS)
    if target is None:
        raise OutputError("an XLSX workbook cannot be written to standard output", hint="give -o FILE.xlsx")
    return _XlsxWriter(target, OUTPUT_COLUMNS, _TEXT_COLUMNS)


class ErrorsWriter:
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


class SupplierReports:
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

