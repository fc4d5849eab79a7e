"""Write profiles/suppliers-template.xlsx from profiles/suppliers-template.csv.

    python profiles/make_suppliers_template.py

The workbook holds the same rows (numbers as numbers, shares shown as percentages) on a
"Suppliers" sheet, and a "Columns" sheet that explains each column. `match` reads the
first sheet. The output is byte-for-byte reproducible.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
COLUMNS = {
    "id": "Optional. Your id for the site, e.g. its Open Supply Hub id.",
    "name": "Required. The supplier's name.",
    "kind": "Required. factory (a production site) or brand (a buyer).",
    "country": "Required. ISO code (BD) or English name (Bangladesh).",
    "sourcing_countries": "Brands only. Countries its suppliers are in, separated by ;",
    "sector": "Required. garment, footwear, textiles, electronics, toys, home_goods, food, agriculture or other.",
    "workforce_size": "Optional. Number of workers.",
    "women_share": "Optional. Share of women, 0 to 1 (or a percentage cell).",
    "migrant_share": "Optional. Share of migrant workers, 0 to 1 (or a percentage cell).",
    "issues": "Required. Issue keys separated by ;, with a weight 1-3 after a colon: wages:3;health_safety",
    "prefers": "Optional. Preferred approaches separated by ;, e.g. training;worker_voice",
    "memberships": "Optional. Initiatives it already takes part in (ids or names), separated by ;",
    "description": "Optional. Free text; issues it mentions count with weight 1.",
}
FIXED = dt.datetime(2026, 1, 1)


def _cell(column: str, text: str):
    if text == "":
        return None
    if column == "workforce_size":
        return int(text)
    if column in ("women_share", "migrant_share"):
        return float(text)
    return text


def build(source: Path = HERE / "suppliers-template.csv", target: Path = HERE / "suppliers-template.xlsx") -> Path:
    with open(source, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, data = rows[0], rows[1:]
    book = Workbook()
    sheet = book.active
    sheet.title = "Suppliers"
    sheet.append(header)
    for row in data:
        sheet.append([_cell(c, v) for c, v in zip(header, row, strict=True)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for col, name in enumerate(header, start=1):
        letter = sheet.cell(row=1, column=col).column_letter
        width = max(len(name), *(len(r[col - 1]) for r in data)) + 2
        sheet.column_dimensions[letter].width = min(width, 60)
        if name in ("women_share", "migrant_share"):
            for r in range(2, len(data) + 2):
                sheet.cell(row=r, column=col).number_format = "0%"
    sheet.freeze_panes = "C2"
    notes = book.create_sheet("Columns")
    notes.append(["column", "what to put in it"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name in header:
        notes.append([name, COLUMNS.get(name, "")])
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 100
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True)
    book.properties.creator = "match"
    book.properties.created = book.properties.modified = FIXED
    buffer = io.BytesIO()
    book.save(buffer)
    target.write_bytes(_fixed_zip_times(buffer.getvalue()))
    return target


def _fixed_zip_times(data: bytes) -> bytes:
    """The same workbook with every zip entry dated FIXED (openpyxl stamps the save time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = payload.replace(
                    dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d").encode(), FIXED.strftime("%Y-%m-%d").encode()
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, payload)
    return out.getvalue()


if __name__ == "__main__":
    print(build())
