"""Issue 14's hostile inputs and faults, one table row each.

Every row behaves as the README's contract says: bad input is exit 2 and one line on stderr
(never a traceback, never "internal error"); a row that cannot be read fails alone (exit 3);
a fault of the machine is exit 1; and a run that fails changes no earlier file, writes no new
one and leaves no temporary behind. The property tests at the end feed random bytes and
randomly broken workbook parts to the supplier-list reader: it either reads them or raises a
`SupplierListError`, nothing else.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import MatchError, recommend
from recommender.catalogue import default_catalogue_dir
from recommender.cli import main
from recommender.errors import SupplierListError
from recommender.suppliers.read import open_list

from .workbooks import HEADER as HEADER6
from .workbooks import ROWS, openpyxl_book, parts, with_parts, write_parts

DATA = Path(__file__).resolve().parent / "data" / "supplier-lists"
TEMPLATES = Path(__file__).resolve().parent.parent / "reports"
HEADER = ["id", "name", "kind", "country", "sector", "workforce_size", "women_share", "issues"]
GOOD = [["F1", "Dhaka Knit Ltd", "factory", "BD", "garment", "1200", "0.7", "womens_health:3;wages"],
        ["F2", "Ningbo Dye Mill", "factory", "CN", "textiles", "380", "", "chemicals:3;water:2"],
        ["B1", "Noordzee Denim", "brand", "NL", "apparel", "", "", "wages:3;purchasing_practices"]]
BAD = ["X1", "Typo Country Ltd", "factory", "Bangladsh", "garment", "", "", "wages"]
PROFILE = "name: Test Knit Ltd\nkind: factory\ncountry: BD\nsector: garment\nissues: [wages]\n"


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, **kw) -> Path:
    with open(path, "w", newline="", encoding=kw.pop("encoding", "utf-8")) as fh:
        writer = csv.writer(fh, **kw)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file under ``folder`` (links not followed) and its content."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        out[str(path.relative_to(folder))] = path.read_bytes()
    return out


def temporaries(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*") if p.name.endswith((".tmp", ".bak")))


@dataclass
class Case:
    """One hostile input: what it makes in the run's folder (returning the arguments), the
    exit code, what the message must hold, and an optional fault to inject."""

    id: str
    make: Callable[[Path], list[str]]
    code: int
    needles: tuple[str, ...] = ()
    fault: Callable[[Path, pytest.MonkeyPatch], None] | None = None
    env: dict[str, str] | None = None
    check: Callable[[Path], None] | None = None


def _base(tmp: Path) -> None:
    write_csv(tmp / "suppliers.csv", GOOD)
    write_csv(tmp / "bad.csv", [GOOD[0], BAD])
    (tmp / "out.csv").write_text("OLD\n")


def _name_is(supplier: str, name: str) -> Callable[[Path], None]:
    def check(tmp: Path) -> None:
        out = pd.read_csv(tmp / "out.csv", dtype=str, keep_default_na=False)
        assert set(out[out["supplier_id"] == supplier]["supplier_name"]) == {name}
    return check


def _errors_reason(needle: str) -> Callable[[Path], None]:
    def check(tmp: Path) -> None:
        errors = pd.read_csv(tmp / "out.errors.csv", dtype=str, keep_default_na=False)
        assert any(needle in r for r in errors["reason"]), list(errors["reason"])
        assert max(len(r) for r in errors["reason"]) < 400
    return check


def _row(cells: dict[str, str]) -> list[str]:
    return [cells.get(h, v) for h, v in zip(HEADER, GOOD[0])]


# --- faults ------------------------------------------------------------------------------------


def _denied_in(folder: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    """mkstemp/mkdtemp refused in ``folder`` (chmod does not stop root, who runs CI)."""
    import tempfile

    def fault(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        real_file, real_dir = tempfile.mkstemp, tempfile.mkdtemp

        def refuse(real):
            def inner(*args, dir=None, **kwargs):  # noqa: A002 - tempfile's own name
                if dir is not None and Path(dir).resolve() == (tmp / folder).resolve():
                    raise PermissionError(errno.EACCES, "Permission denied")
                return real(*args, dir=dir, **kwargs)
            return inner

        mp.setattr(tempfile, "mkstemp", refuse(real_file))
        mp.setattr(tempfile, "mkdtemp", refuse(real_dir))
    return fault


def _disk_full_for(name: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    """Writing any output whose name is ``name`` fails as a full disk does."""
    from recommender import output

    def fault(tmp: Path, mp: pytest.MonkeyPatch) -> None:
        real_write, real_folder = output._Raw.write, output.StagedFolder.write

        def write(self, data):
            if self.target.name == name:
                raise output._write_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), self.target)
            return real_write(self, data)

        def folder_write(self, file_name, text):
            if self.target.name == name:
                raise output._write_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), self.target)
            return real_folder(self, file_name, text)

        mp.setattr(output._Raw, "write", write)
        mp.setattr(output.StagedFolder, "write", folder_write)
    return fault


def _loop(tmp: Path, name: str) -> str:
    (tmp / name).symlink_to(name)
    return str(tmp / name)


def _folder(tmp: Path, name: str) -> str:
    (tmp / name).mkdir()
    return str(tmp / name)


def _file(tmp: Path, name: str) -> str:
    (tmp / name).write_text("a file, not a folder")
    return str(tmp / name)


def _ro(tmp: Path, name: str) -> str:
    (tmp / "ro").mkdir()
    return str(tmp / "ro" / name)


# One row per output option and fault: "the same when --report, --errors or
# --per-supplier-reports is a folder, too long, read-only, on a full disk or /dev/full".
_OPTIONS = {"--report": ("p.html", "suppliers.csv"), "--errors": ("e.csv", "bad.csv"),
            "--per-supplier-reports": ("reps", "suppliers.csv")}
OUTPUT_FAULTS = []
for _opt, (_name, _src) in _OPTIONS.items():
    # click itself refuses a file for --per-supplier-reports (a usage error, also exit 2)
    _wrong_kind = ((lambda t, n=_name: _file(t, n)), "is a file") if _opt == "--per-supplier-reports" else (
        (lambda t, n=_name: _folder(t, n)), "is a folder")
    OUTPUT_FAULTS += [
        Case(f"{_opt}-missing-folder", lambda t, o=_opt, n=_name, s=_src: [s, "-o", "out.csv", o, str(t / "nope" / n)],
             2, ("nope", "does not exist")),
        Case(f"{_opt}-wrong-kind", lambda t, o=_opt, s=_src, w=_wrong_kind[0]: [s, "-o", "out.csv", o, w(t)],
             2, (_wrong_kind[1],)),
        Case(f"{_opt}-too-long", lambda t, o=_opt, s=_src: [s, "-o", "out.csv", o, str(t / ("a" * 300 + ".x"))],
             2, ("too long",)),
        Case(f"{_opt}-read-only", lambda t, o=_opt, n=_name, s=_src: [s, "-o", "out.csv", o, _ro(t, n)],
             2, ("Permission denied", "choose a folder you can write to"), fault=_denied_in("ro")),
        Case(f"{_opt}-full-disk", lambda t, o=_opt, n=_name, s=_src: [s, "-o", "out.csv", o, str(t / n)],
             1, ("No space left on device", "no earlier file was changed"), fault=_disk_full_for(_name)),
        Case(f"{_opt}-dev-full", lambda t, o=_opt, s=_src: [s, "-o", "out.csv", o, "/dev/full"],
             2 if _opt == "--per-supplier-reports" else 1,
             ("/dev/full", "is not a folder") if _opt == "--per-supplier-reports"
             else ("/dev/full", "No space left on device", "no earlier file was changed")),
        Case(f"{_opt}-symlink-loop", lambda t, o=_opt, n=_name, s=_src: [s, "-o", "out.csv", o, _loop(t, n)],
             2, ("loops back on itself",)),
    ]
OUTPUT_FAULTS += [
    Case("-o-symlink-loop", lambda t: ["suppliers.csv", "-o", _loop(t, "loop.csv")], 2, ("loops back on itself",)),
    Case("-o-full-disk-while-streaming", lambda t: ["suppliers.csv", "-o", "out.csv"], 1,
         ("No space left on device", "no earlier file was changed"), fault=_disk_full_for("out.csv")),
    Case("single-profile-report-missing-folder",
         lambda t: (t / "p.yaml").write_text(PROFILE) and ["p.yaml", "-o", str(t / "nope" / "p.html")], 2,
         ("does not exist",)),
    Case("single-profile-full-disk",
         lambda t: (t / "p.yaml").write_text(PROFILE) and ["p.yaml", "-o", "out.csv", "-f", "html"], 1,
         ("No space left on device", "no earlier file was changed"), fault=_disk_full_for("out.csv")),
]


def _catalogue(tmp: Path) -> str:
    shutil.copytree(default_catalogue_dir(), tmp / "cat")
    return str(tmp / "cat")


def _templates(tmp: Path) -> str:
    shutil.copytree(TEMPLATES, tmp / "tpl")
    return str(tmp / "tpl")


# "Outputs overwrite each other and the inputs."
OVERLAPS = [
    Case("reports-into-the-templates", lambda t: ["suppliers.csv", "-o", "out.csv", "--templates", _templates(t),
                                                  "--per-supplier-reports", str(t / "tpl")],
         2, ("overwrite the input folder",)),
    Case("reports-inside-the-templates", lambda t: ["suppliers.csv", "-o", "out.csv", "--templates", _templates(t),
                                                    "--per-supplier-reports", str(t / "tpl" / "partials")],
         2, ("inside the input folder",)),
    Case("reports-into-the-catalogue", lambda t: ["suppliers.csv", "-o", "out.csv", "--catalogue", _catalogue(t),
                                                  "--per-supplier-reports", str(t / "cat")],
         2, ("overwrite the input folder",)),
    Case("reports-into-a-new-folder-in-the-catalogue",
         lambda t: ["suppliers.csv", "-o", "out.csv", "--catalogue", _catalogue(t), "--per-supplier-reports",
                    str(t / "cat" / "reports")], 2, ("inside the input folder",)),
    Case("report-into-the-templates", lambda t: ["suppliers.csv", "-o", "out.csv", "--templates", _templates(t),
                                                 "--report", str(t / "tpl" / "portfolio.html")],
         2, ("inside the input folder",)),
    Case("shortlists-into-the-catalogue", lambda t: ["suppliers.csv", "-o", str(t / "cat" / "out.csv"),
                                                     "--catalogue", _catalogue(t)], 2, ("inside the input folder",)),
    Case("errors-into-the-catalogue", lambda t: ["bad.csv", "-o", "out.csv", "--errors", str(t / "cat" / "e.csv"),
                                                 "--catalogue", _catalogue(t)], 2, ("inside the input folder",)),
    Case("report-is-the-reports-index", lambda t: _folder(t, "reps") and ["suppliers.csv", "-o", "out.csv", "--report",
                                                   str(t / "reps" / "index.html"), "--per-supplier-reports",
                                                   str(t / "reps")], 2, ("overwritten by the index",)),
    Case("errors-is-the-reports-index", lambda t: _folder(t, "reps") and ["bad.csv", "-o", "out.csv", "--errors",
                                                   str(t / "reps" / "INDEX.html"), "--per-supplier-reports",
                                                   str(t / "reps")], 2, ("overwritten by the index",)),
    Case("output-is-the-errors-file", lambda t: ["bad.csv", "-o", "out.csv", "--errors", "out.csv"], 2,
         ("-o and --errors would go to the same file",)),
    Case("report-is-the-output-by-a-link",
         lambda t: (t / "link.html").symlink_to("out.csv") or ["suppliers.csv", "-o", "out.csv", "--report",
                                                               "link.html"], 2, ("same file",)),
    Case("report-is-the-errors-file", lambda t: ["bad.csv", "-o", "out.csv", "--errors", "x.html", "--report",
                                                 "x.html"], 2, ("same file",)),
    Case("output-is-the-input", lambda t: ["suppliers.csv", "-o", "suppliers.csv"], 2, ("overwrite the input",)),
    Case("report-is-the-logo",
         lambda t: (t / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n0000") and [
             "suppliers.csv", "-o", "out.csv", "--logo", "logo.png", "--report", "logo.png"], 2,
         ("overwrite the input",)),
    Case("errors-is-the-column-map", lambda t: (t / "map.yaml").write_text("name: name\n") and [
        "bad.csv", "-o", "out.csv", "--columns", "map.yaml", "--errors", "map.yaml"], 2, ("overwrite the input",)),
    Case("reports-folder-is-the-input-list", lambda t: ["suppliers.csv", "-o", "out.csv", "--per-supplier-reports",
                                                        "suppliers.csv"], 2, ("is a file",)),
    Case("single-report-into-the-templates",
         lambda t: (t / "p.yaml").write_text(PROFILE) and ["p.yaml", "--templates", _templates(t), "-o",
                                                           str(t / "tpl" / "report.html")],
         2, ("inside the input folder",)),
]


def _xlsx(tmp: Path, changes: dict[str, bytes | None] | None = None, name: str = "s.xlsx") -> list[str]:
    with_parts(tmp / name, changes or {})
    return [name, "-o", "out.csv"]


def _sheet(cells: str) -> dict[str, bytes]:
    """A sheet part whose data rows are ``cells`` (raw XML) under the usual header row."""
    book = parts()
    header_row = book["xl/worksheets/sheet1.xml"].decode().split("<sheetData>")[1].split("</row>")[0] + "</row>"
    return {"xl/worksheets/sheet1.xml": (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{header_row}{cells}</sheetData></worksheet>").encode()}


_DTD = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
_CHART_REL = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet")


def _huge_shared_string(tmp: Path) -> list[str]:
    """A small file whose one shared string unpacks to 64 MiB (the issue's was 1 GB)."""
    book = parts()
    path = tmp / "s.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in book.items():
            if name != "xl/sharedStrings.xml":
                zf.writestr(name, data)
        with zf.open("xl/sharedStrings.xml", "w") as fh:
            fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            block = b"a" * (1 << 20)
            for _ in range(64):
                fh.write(block)
            fh.write(b"</t></si></sst>")
    assert path.stat().st_size < 1 << 20
    return ["s.xlsx", "-o", "out.csv"]


def _rows_of(tmp: Path, expected: int) -> None:
    out = pd.read_csv(tmp / "out.csv", dtype=str, keep_default_na=False)
    assert out["supplier_id"].nunique() == expected, out["supplier_id"].unique()


# "Rows silently dropped", "Malformed XLSX", and the resource limits of workbooks.
WORKBOOKS = [
    Case("xlsx-dimension-understates-its-size", lambda t: _xlsx(t), 0, check=lambda t: _rows_of(t, 12)),
    Case("xlsx-openpyxl-written", lambda t: openpyxl_book(t / "s.xlsx") and ["s.xlsx", "-o", "out.csv"], 0,
         check=lambda t: _rows_of(t, 12)),
    Case("xlsx-broken-workbook-xml", lambda t: _xlsx(t, {"xl/workbook.xml": b"<workbook><sheets>"}), 2,
         ("s.xlsx", "xl/workbook.xml is not well-formed XML")),
    Case("xlsx-broken-styles-xml", lambda t: _xlsx(t, {"xl/styles.xml": b"<styleSheet><cellXfs><xf"}), 2,
         ("s.xlsx", "xl/styles.xml is not well-formed XML")),
    Case("xlsx-broken-content-types", lambda t: _xlsx(t, {"[Content_Types].xml": b"<Types"}), 2,
         ("[Content_Types].xml is not well-formed XML",)),
    Case("xlsx-no-content-types", lambda t: _xlsx(t, {"[Content_Types].xml": None}), 2,
         ("not an Excel workbook", "[Content_Types].xml")),
    Case("xlsx-broken-workbook-rels", lambda t: _xlsx(t, {"xl/_rels/workbook.xml.rels": b"<Relationships><"}), 2,
         ("xl/_rels/workbook.xml.rels is not well-formed XML",)),
    Case("xlsx-broken-package-rels", lambda t: _xlsx(t, {"_rels/.rels": b"\x00\x01"}), 2,
         ("_rels/.rels is not well-formed XML",)),
    Case("xlsx-broken-sheet-xml", lambda t: _xlsx(t, {"xl/worksheets/sheet1.xml": parts()[
        "xl/worksheets/sheet1.xml"][:400]}), 2, ("xl/worksheets/sheet1.xml is not well-formed XML",)),
    Case("xlsx-dtd-entities-in-the-sheet", lambda t: _xlsx(t, {"xl/worksheets/sheet1.xml": _DTD + parts()[
        "xl/worksheets/sheet1.xml"].split(b"?>", 1)[1]}), 2, ("xl/worksheets/sheet1.xml has a DTD",)),
    Case("xlsx-entity-bomb-in-shared-strings", lambda t: _xlsx(t, {"xl/sharedStrings.xml": _DTD + b"<sst><si><t>&b;"
                                                                   b"</t></si></sst>"}), 2, ("has a DTD",)),
    Case("xlsx-only-a-chartsheet", lambda t: _xlsx(t, {"xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_CHART_REL}" Target="chartsheets/sheet1.xml"/></Relationships>').encode()}),
         2, ("only chart sheets",)),
    Case("xlsx-missing-sheet-part", lambda t: _xlsx(t, {"xl/worksheets/sheet1.xml": None}), 2,
         ("sheet 'Suppliers' is missing", "xl/worksheets/sheet1.xml")),
    Case("xlsx-shared-string-index-out-of-range", lambda t: _xlsx(t, _sheet('<row r="2"><c r="A2" t="s"><v>999</v>'
                                                                           "</c></row>")), 2,
         ("Suppliers!A2", "shared string 999", "but the workbook has")),
    Case("xlsx-number-cell-holding-text", lambda t: _xlsx(t, _sheet('<row r="2"><c r="B2" t="n"><v>12abc</v></c>'
                                                                   "</row>")), 2,
         ("Suppliers!B2", "'12abc'", "not a number")),
    Case("xlsx-bad-boolean", lambda t: _xlsx(t, _sheet('<row r="2"><c r="C2" t="b"><v>yes please</v></c></row>')), 2,
         ("Suppliers!C2", "not true or false")),
    Case("xlsx-bad-iso-date", lambda t: _xlsx(t, _sheet('<row r="2"><c r="D2" t="d"><v>next tuesday</v></c>'
                                                        "</row>")), 2, ("Suppliers!D2", "not a date")),
    Case("xlsx-date-beyond-excel", lambda t: _xlsx(t, _sheet('<row r="2"><c r="A2" s="1"><v>1e300</v></c></row>')),
         2, ("Suppliers!A2", "date serial")),
    Case("xlsx-reference-ZZZZZZ2", lambda t: _xlsx(t, _sheet('<row r="2"><c r="ZZZZZZ2"><v>1</v></c></row>')), 2,
         ("'ZZZZZZ2'", "names no cell")),
    Case("xlsx-huge-number", lambda t: _xlsx(t, _sheet('<row r="2"><c r="A2"><v>' + "9" * 5000 + "</v></c></row>")),
         2, ("Suppliers!A2", "not a number")),
    Case("xlsx-text-cell-with-a-huge-number-fails-its-row", lambda t: write_parts(t / "s.xlsx", parts(
        rows=[ROWS[0] + [12], ROWS[1] + ["9" * 5000]], header=[*HEADER6, "workforce_size"])) and [
        "s.xlsx", "-o", "out.csv"], 3, check=_errors_reason("5,000 digits")),
    Case("xlsx-rows-out-of-order", lambda t: _xlsx(t, _sheet('<row r="5"><c r="A5"><v>1</v></c></row>'
                                                             '<row r="3"><c r="A3"><v>1</v></c></row>')), 2,
         ("row 3 after row 5",)),
    Case("xlsx-one-gigabyte-shared-string", _huge_shared_string, 2, ("longer than 32,767 characters",)),
    Case("xlsx-duplicate-headers", lambda t: write_parts(t / "s.xlsx", parts(
        header=["id", "name", "Name", "country", "sector", "issues"])) and ["s.xlsx", "-o", "out.csv"], 2,
         ("columns B and C are both headed 'Name'",)),
    Case("xlsx-binary-workbook", lambda t: _xlsx(t, {"[Content_Types].xml": parts()["[Content_Types].xml"].replace(
        b"sheet.main+xml", b"sheet.binary.macroEnabled.main")}), 2, (".xlsb",)),
    Case("xlsx-password-protected", lambda t: shutil.copy(DATA / "password-protected.xlsx", t / "s.xlsx") and [
        "s.xlsx", "-o", "out.csv"], 2, ("password-protected", "remove the password")),
    Case("xlsm-named-as-such", lambda t: openpyxl_book(t / "s.xlsm") and ["s.xlsm", "-o", "out.csv"], 2,
         ("macro-enabled Excel workbook (.xlsm)", "save a copy as .xlsx")),
    Case("ods-named-as-such", lambda t: shutil.copy(DATA / "suppliers.ods", t / "s.ods") and [
        "s.ods", "-o", "out.csv"], 2, ("OpenDocument spreadsheet (.ods)",)),
    Case("ods-renamed-xlsx", lambda t: shutil.copy(DATA / "suppliers.ods", t / "s.xlsx") and [
        "s.xlsx", "-o", "out.csv"], 2, ("OpenDocument spreadsheet (.ods)",)),
    Case("ods-renamed-csv", lambda t: shutil.copy(DATA / "suppliers.ods", t / "s.csv") and [
        "s.csv", "-o", "out.csv"], 2, ("OpenDocument spreadsheet (.ods)",)),
    Case("xls-renamed-xlsx-is-not-called-encrypted", lambda t: (t / "s.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)) and ["s.xlsx", "-o", "out.csv"], 2, ("(.xls)",)),
]


def _parquet(tmp: Path, frame: pd.DataFrame | None = None, **kw) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False) if frame is not None else pa.table({
        "id": ["F1", "F2"], "name": ["Dhaka Knit", "Ningbo Dye"], "kind": ["factory", "factory"],
        "country": ["BD", "CN"], "sector": ["garment", "textiles"],
        "issues": pa.array([["womens_health:3", "wages"], ["chemicals:3", "water:2"]], pa.list_(pa.string())),
        "prefers": pa.array([["training"], None], pa.list_(pa.string())),
        "sourcing_countries": pa.array([None, []], pa.list_(pa.string())),
        "memberships": pa.array([[], ["amfori-bsci"]], pa.list_(pa.string())),
    })
    pq.write_table(table, tmp / "s.parquet", **kw)
    return ["s.parquet", "-o", "out.csv"]


def _parquet_table(tmp: Path, names: list[str]) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_arrays([pa.array(["x"]) for _ in names], names=names), tmp / "s.parquet")
    return ["s.parquet", "-o", "out.csv"]


def _corrupt_parquet(tmp: Path) -> list[str]:
    frame = pd.DataFrame({"id": [f"F{i}" for i in range(2000)], "name": [f"Mill {i}" for i in range(2000)],
                          "kind": "factory", "country": "BD", "sector": "garment", "issues": "wages"})
    _parquet(tmp, frame, compression="snappy", use_dictionary=False)
    data = bytearray((tmp / "s.parquet").read_bytes())
    for i in range(200, 2000, 7):  # inside the first column chunk's data pages, far from the footer
        data[i] ^= 0xFF
    (tmp / "s.parquet").write_bytes(bytes(data))
    return ["s.parquet", "-o", "out.csv"]


def _same_as_csv(tmp: Path) -> None:
    out = pd.read_csv(tmp / "out.csv", dtype=str, keep_default_na=False)
    first = recommend({"name": "Dhaka Knit", "kind": "factory", "country": "BD", "sector": "garment",
                       "issues": ["womens_health:3", "wages"], "prefers": ["training"]})
    assert list(out[out["supplier_id"] == "F1"]["initiative_id"]) == [r.id for r in first.shortlist]
    assert set(out["supplier_id"]) == {"F1", "F2"}


def _cp1252_late(tmp: Path) -> list[str]:
    rows = [[f"S{i}", f"Mill {i}", "factory", "BD", "garment", "", "", "wages"] for i in range(30_000)]
    rows.append(["Z1", "Caf\xe9 \u201cDenim\u201d", "factory", "BD", "garment", "", "", "wages"])
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    data = text.getvalue()
    head, tail = data[: data.index("Z1")], data[data.index("Z1"):]
    raw = head.encode("utf-8") + tail.encode("cp1252")
    assert raw.index(b"\xe9") > 1 << 20
    (tmp / "s.csv").write_bytes(raw)
    return ["s.csv", "-o", "out.csv"]


def _unicode_text(tmp: Path, encoding: str, name: str = "s.txt", bom: bool = True) -> list[str]:
    text = io.StringIO()
    csv.writer(text, delimiter="\t", lineterminator="\r\n").writerows(
        [HEADER, *[[*r[:1], r[1] + " \u00e9", *r[2:]] for r in GOOD]])
    raw = text.getvalue().encode(encoding)
    if not bom:
        raw = raw[2:] if encoding == "utf-16" else raw
    (tmp / name).write_bytes(raw)
    return [name, "-o", "out.csv"]


# Numbers, encodings, headers and the resource limits of text lists, and Parquet.
TEXT_LISTS = [
    Case("number-of-5000-digits-fails-its-row", lambda t: [str(write_csv(t / "s.csv", [GOOD[1], _row(
        {"workforce_size": "9" * 5000})])), "-o", "out.csv"], 3, ("1 row failed",),
         check=_errors_reason("5,000 digits")),
    Case("share-of-10^309-fails-its-row", lambda t: [str(write_csv(t / "s.csv", [GOOD[1], _row(
        {"women_share": "1" + "0" * 309})])), "-o", "out.csv"], 3, check=_errors_reason("310 digits")),
    Case("share-1e309-fails-its-row", lambda t: [str(write_csv(t / "s.csv", [GOOD[1], _row(
        {"women_share": "1e309"})])), "-o", "out.csv"], 3, check=_errors_reason("too large to be a number")),
    Case("single-profile-share-of-10^309", lambda t: (t / "p.yaml").write_text(
        PROFILE + "workforce: {women_share: 1" + "0" * 309 + "}\n") and ["p.yaml"], 2,
         ("p.yaml:6: workforce.women_share", "digits")),
    Case("single-profile-size-of-4000-digits", lambda t: (t / "p.yaml").write_text(
        PROFILE + 'workforce: {size: "' + "9" * 4000 + '"}\n') and ["p.yaml"], 2, ("workforce.size", "4,000 digits")),
    Case("100000-unknown-issue-items-in-one-cell", lambda t: [str(write_csv(t / "s.csv", [GOOD[1], _row(
        {"issues": ";".join(f"bogus{i}" for i in range(100_000))})])), "-o", "out.csv"], 3,
         check=_errors_reason("characters; at most 32,767")),
    Case("3000-unknown-issue-items-in-one-cell", lambda t: [str(write_csv(t / "s.csv", [GOOD[1], _row(
        {"issues": ";".join(f"b{i}" for i in range(3000))})])), "-o", "out.csv"], 3,
         check=_errors_reason("lists 3,000 items; at most 250")),
    Case("100000-columns", lambda t: [str(write_csv(t / "s.csv", [GOOD[0] + [""] * 100_000],
                                                    header=HEADER + [f"x{i}" for i in range(100_000)])),
                                      "-o", "out.csv"], 2, ("100,008 columns", "at most 1,024")),
    Case("500-KB-unknown-value-in-a-profile", lambda t: (t / "p.yaml").write_text(
        PROFILE.replace("country: BD", "country: " + "X" * 500_000)) and ["p.yaml"], 2,
         ("unknown country", "(500,000 characters)")),
    Case("500-KB-unknown-value-in-a-list", lambda t: [str(write_csv(t / "s.csv", [GOOD[1], _row(
        {"country": "X" * 500_000})])), "-o", "out.csv"], 3, check=_errors_reason("500,000 characters")),
    Case("duplicate-headers", lambda t: [str(write_csv(t / "s.csv", [GOOD[0] + ["x"]], header=HEADER + ["Name"])),
                                         "-o", "out.csv"], 2, ("columns B and I are both headed 'Name'",)),
    Case("duplicate-headers-with-spaces", lambda t: [str(write_csv(t / "s.csv", [GOOD[0] + ["x"]],
                                                                   header=HEADER + [" country "])),
                                                     "-o", "out.csv"], 2, ("both headed 'country'",)),
    Case("excel-unicode-text-utf16", lambda t: _unicode_text(t, "utf-16"), 0, check=_name_is("F1", "Dhaka Knit Ltd é")),
    Case("excel-tab-delimited-text-windows-1252", lambda t: (t / "s.txt").write_bytes(
        "\t".join(HEADER).encode() + b"\r\n" + "\t".join(GOOD[0]).replace("Dhaka Knit Ltd", "Caf\xe9").encode(
            "cp1252") + b"\r\n") and ["s.txt", "-o", "out.csv"], 0, check=_name_is("F1", "Caf\xe9")),
    Case("utf16-csv", lambda t: _unicode_text(t, "utf-16", "s.csv"), 0, check=_name_is("F2", "Ningbo Dye Mill é")),
    Case("utf32-text", lambda t: _unicode_text(t, "utf-32"), 0, check=_name_is("B1", "Noordzee Denim é")),
    Case("utf16-without-bom", lambda t: _unicode_text(t, "utf-16-le", "s.csv"), 2,
         ("UTF-16 text without a byte-order mark",)),
    Case("utf16-broken", lambda t: (t / "s.txt").write_bytes(
        "id\tname\n".encode("utf-16") + b"\x00\xd8\x41\x00" * 8) and ["s.txt", "-o", "out.csv"], 2,
         ("not valid UTF-16 text",)),
    Case("windows-1252-after-the-first-MiB", _cp1252_late, 0, check=_name_is("Z1", "Caf\xe9 \u201cDenim\u201d")),
    Case("windows-1252-mixed-in-utf8", lambda t: (t / "s.csv").write_bytes(
        (",".join(HEADER) + "\n" + ",".join(GOOD[0]).replace("Dhaka Knit Ltd", "Fjällspår") + "\n").encode()
        + ",".join(GOOD[1]).replace("Ningbo Dye Mill", "Caf\xe9").encode("cp1252") + b"\n")
         and ["s.csv", "-o", "out.csv"], 0,
         check=lambda t: (_name_is("F1", "Fjällspår")(t), _name_is("F2", "Café")(t))),
    Case("parquet-list-columns", lambda t: _parquet(t), 0, check=_same_as_csv),
    Case("parquet-corrupt-page", _corrupt_parquet, 2, ("s.parquet", "Parquet")),
    Case("parquet-duplicate-columns", lambda t: _parquet_table(t, ["name", "name", "country", "sector"]), 2,
         ("columns A and B are both headed 'name'",)),
    Case("parquet-truncated", lambda t: [*_parquet(t), (t / "s.parquet").write_bytes(
        (t / "s.parquet").read_bytes()[:-20])][:3], 2, ("cannot read as Parquet",)),
    Case("source-date-epoch-out-of-range", lambda t: ["suppliers.csv", "-o", "out.csv", "--report", "p.html"], 2,
         ("SOURCE_DATE_EPOCH", "99999999999999999"), env={"SOURCE_DATE_EPOCH": "99999999999999999"}),
    Case("source-date-epoch-single-profile", lambda t: (t / "p.yaml").write_text(PROFILE) and ["p.yaml"], 2,
         ("SOURCE_DATE_EPOCH",), env={"SOURCE_DATE_EPOCH": "99999999999999999"}),
    Case("source-date-epoch-list", lambda t: ["list"], 2, ("SOURCE_DATE_EPOCH",),
         env={"SOURCE_DATE_EPOCH": "1e9"}),
    Case("yaml-bad-escape", lambda t: (t / "p.yaml").write_text(PROFILE.replace("Test Knit Ltd", '"Knit\\q Ltd"'))
         and ["p.yaml"], 2, ("p.yaml:1", "the escape \\q", "single quotes")),
]

CASES = OUTPUT_FAULTS + OVERLAPS + WORKBOOKS + TEXT_LISTS


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MATCH_CACHE_DIR", "")
    _base(tmp_path)
    args = case.make(tmp_path)
    before = snapshot(tmp_path)
    if case.fault is not None:
        case.fault(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, args, env=case.env)
    message = result.stderr
    assert result.exit_code == case.code, (result.exit_code, message)
    assert "Traceback" not in message + result.stdout
    assert "internal error" not in message, message
    for needle in case.needles:
        assert needle in message, (needle, message)
    assert temporaries(tmp_path) == []
    after = snapshot(tmp_path)
    if case.code in (1, 2):
        usage = message.startswith("Usage: ")  # click's own refusal of an option's value
        assert usage or (message.startswith("match: error: ") and message.count("\n") == 1), message
        assert len(message) < 600, message
        assert after == before, "a failed run changes no earlier file and writes no new one"
    else:
        assert all(after.get(k) == v for k, v in before.items() if k != "out.csv")
    if case.check is not None:
        case.check(tmp_path)


# --- stdout, catalogue folders ---------------------------------------------------------------------


@pytest.mark.parametrize("args", [["suppliers.csv", "-o", "-"], ["suppliers.csv", "-o", "-", "-f", "jsonl"],
                                  ["p.yaml", "-o", "-"], ["p.yaml", "-o", "-", "-f", "md"]])
def test_closed_stdout_is_bad_input(tmp_path: Path, args: list[str]) -> None:
    """`match list.csv -o - >&-`: one line, exit 2 (was AttributeError)."""
    _base(tmp_path)
    (tmp_path / "p.yaml").write_text(PROFILE)
    code = "import sys; from recommender.cli import main; sys.stdout.close(); sys.stdout = None; main()"
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "MATCH_CACHE_DIR": ""}, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("match: error: -o -: standard output is closed"), proc.stderr


def test_catalogue_root_folder_is_bad_input() -> None:
    result = CliRunner().invoke(main, ["list", "--catalogue", "/"])
    assert result.exit_code == 2, result.stderr
    assert "internal error" not in result.stderr


# --- the library: bad values are MatchError subclasses ------------------------------------------------

BASE = {"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles", "issues": ["chemicals"]}


class _Hostile:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("no eq")

    def __hash__(self) -> int:
        raise RuntimeError("no hash")


def _bogus_profile():
    p = recommend(BASE).profile
    return p.model_copy(update={"issues": {"bogus": 3}})


LIBRARY = [
    ("huge-size", lambda: recommend({**BASE, "workforce": {"size": int("9" * 4000)}}), None),
    ("huge-share", lambda: recommend({**BASE, "workforce": {"women_share": 10 ** 309}}), None),
    ("huge-share-text", lambda: recommend({**BASE, "workforce": {"women_share": "1" + "0" * 400}}), None),
    ("hostile-name-object", lambda: recommend({**BASE, "name": _Hostile()}), None),
    ("hostile-issue-object", lambda: recommend({**BASE, "issues": [_Hostile()]}), None),
    ("id-pd-NA", lambda: recommend({**BASE, "id": pd.NA}), None),
    ("id-array", lambda: recommend({**BASE, "id": np.array([1, 2])}), None),
    ("profile-with-keys-the-catalogue-lacks", lambda: recommend(_bogus_profile()), None),
    ("catalogue-root-folder", lambda: recommend(BASE, catalogue="/"), None),
    ("score-frame-5000-digit-cell", lambda: _score_frame({"workforce_size": "9" * 5000}), None),
    ("score-frame-huge-int", lambda: _score_frame({"women_share": 10 ** 309}), None),
]


def _score_frame(cells: dict):
    from recommender.suppliers.frame import score_frame

    row = {"id": "F1", "name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles",
           "issues": "chemicals", **cells}
    result = score_frame(pd.DataFrame([row], dtype=object))
    errors = getattr(result, "errors", None)
    if errors:
        raise MatchError(errors[0].reason)
    return result


@pytest.mark.parametrize("call,lead", [(c[1], c[2]) for c in LIBRARY], ids=[c[0] for c in LIBRARY])
def test_library_raises_only_its_own_errors(call, lead, request) -> None:
    if lead:
        request.applymarker(pytest.mark.xfail(strict=True, reason=lead))
    with pytest.raises(MatchError) as info:
        call()
    assert len(info.value.describe()) < 600


def test_top_as_a_numpy_integer_simply_works() -> None:
    assert recommend(BASE, top=np.int64(3)).shortlist == recommend(BASE, top=3).shortlist


def test_a_long_unknown_value_is_not_echoed_whole_in_the_errors_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "s.csv", [GOOD[1], _row({"country": "X" * 30_000})])
    result = CliRunner().invoke(main, ["s.csv", "-o", "out.csv"])
    assert result.exit_code == 3
    _errors_reason("30,000 characters")(tmp_path)


# --- property tests: the reader reads a file or raises SupplierListError, nothing else --------------------


def _read_all(path: Path) -> int:
    source = open_list(path, chunk_rows=64)
    return sum(len(c) for c in source.chunks)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".csv", ".tsv", ".txt", ".xlsx", ".parquet"]),
       prefix=st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1", b"\xff\xfe", b"\xef\xbb\xbf",
                               b"id,name,country,sector\n"]))
def test_random_bytes_are_read_or_refused_clearly(tmp_path_factory, data: bytes, suffix: str, prefix: bytes) -> None:
    path = tmp_path_factory.mktemp("random") / f"list{suffix}"
    path.write_bytes(prefix + data)
    try:
        _read_all(path)
    except SupplierListError as exc:
        assert str(path) in exc.describe() and "\n" not in exc.describe()


_XML_BITS = [b"<", b">", b"</c>", b"<c r=\"A2\" t=\"s\"><v>7</v></c>", b"<row r=\"0\">", b"&amp;", b"&bogus;",
             b"<!DOCTYPE x>", b"<?pi?>", b"\x00", b"\xff", b'"', b"<v>1e999</v>", b"<row>", b"</row>",
             b"<sheet name=\"x\" r:id=\"rId9\"/>", b"<si><t>", b"t=\"b\"", b"s=\"99\"", b"]]>"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(part=st.sampled_from(sorted(parts())), cut=st.integers(0, 4000), insert=st.sampled_from(_XML_BITS),
       noise=st.binary(max_size=64), mode=st.sampled_from(["insert", "truncate", "replace", "drop", "noise"]))
def test_random_workbook_parts_are_read_or_refused_clearly(tmp_path_factory, part: str, cut: int, insert: bytes,
                                                           noise: bytes, mode: str) -> None:
    book = parts()
    data = book[part]
    at = min(cut, len(data))
    book[part] = {"insert": data[:at] + insert + data[at:], "truncate": data[:at], "replace": insert + noise,
                  "drop": None, "noise": data[:at] + noise + data[at + len(noise):]}[mode]
    path = write_parts(tmp_path_factory.mktemp("parts") / "list.xlsx", book)
    try:
        _read_all(path)
    except SupplierListError as exc:
        assert "list.xlsx" in exc.describe() and "\n" not in exc.describe()


def test_a_valid_workbook_reads_all_its_rows() -> None:
    """The baseline the property test breaks: all twelve rows, whatever <dimension> says."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write_parts(Path(folder) / "list.xlsx", parts())
        assert _read_all(path) == len(ROWS)


def test_json_output_is_unaffected(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PROFILE)
    result = CliRunner().invoke(main, [str(tmp_path / "p.yaml"), "-o", "-", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["profile"]["name"] == "Test Knit Ltd"
