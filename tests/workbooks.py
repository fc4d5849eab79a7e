"""Workbooks for the reader tests: real ones written by openpyxl, and the same workbook as a
mapping of its zip parts, so that one part can be broken at a time."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

HEADER = ["id", "name", "kind", "country", "sector", "issues"]
ROWS = [[f"F{i}", f"Mill {i}", "factory", "BD", "garment", "wages"] for i in range(1, 13)]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def openpyxl_book(path: Path, rows: list[list] | None = None, header: list | None = None) -> Path:
    """A workbook as openpyxl writes it (inline strings)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Suppliers"
    sheet.append(header or HEADER)
    for row in ROWS if rows is None else rows:
        sheet.append(row)
    book.save(path)
    return path


def cell(ref: str, value: object, strings: list[str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    strings.append(str(value))
    return f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>'


def letters(i: int) -> str:
    out = ""
    while i > 0:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


def parts(rows: list[list] | None = None, *, header: list | None = None, dimension: str | None = "A1:F3",
          sheet_cells: str | None = None) -> dict[str, bytes]:
    """The parts of a workbook as Excel writes it: shared strings, a styles part with a date
    format (style 1), and a sheet whose ``<dimension>`` may understate its size."""
    strings: list[str] = []
    body = []
    for r, values in enumerate([header or HEADER, *(ROWS if rows is None else rows)], start=1):
        cells = "".join(cell(f"{letters(c)}{r}", v, strings) for c, v in enumerate(values, start=1))
        body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">{dim}'
             f'<sheetData>{sheet_cells if sheet_cells is not None else "".join(body)}</sheetData></worksheet>')
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
            "</Types>").encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>").encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheets><sheet name="Suppliers" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/styles" Target="styles.xml"/>'
            "</Relationships>").encode(),
        "xl/worksheets/sheet1.xml": sheet.encode(),
        "xl/sharedStrings.xml": (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(strings)}"'
                                 f' uniqueCount="{len(strings)}">{shared}</sst>').encode(),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>').encode(),
    }


def write_parts(path: Path, book: dict[str, bytes | None]) -> Path:
    """Zip ``book`` (a part of None is left out) into ``path``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in book.items():
            if data is not None:
                zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def with_parts(path: Path, changes: dict[str, bytes | None]) -> Path:
    """`parts` with the parts named in ``changes`` replaced (None: left out)."""
    return write_parts(path, {**parts(), **changes})
