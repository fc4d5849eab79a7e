"""The streaming XLSX reader: what it reads as Excel means it, and where it stops a hostile file."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.errors import SupplierListError
from recommender.suppliers import xlsx
from recommender.suppliers.read import open_list
from recommender.suppliers.xlsx import column_letters, open_sheet

from .workbooks import MAIN, openpyxl_book, parts, write_parts


def rows_of(path: Path, **kw) -> tuple[list, list[tuple[int, list]]]:
    sheet = open_sheet(path, max_columns=kw.pop("max_columns", 1024))
    try:
        return sheet.header, list(sheet.rows)
    finally:
        sheet.close()


def book_with_sheet(tmp_path: Path, cells: str, *, shared: list[str] = (), styles: bytes | None = None,
                    workbook: bytes | None = None, ns: str = MAIN) -> Path:
    book = parts()
    book["xl/worksheets/sheet1.xml"] = f'<worksheet xmlns="{ns}"><sheetData>{cells}</sheetData></worksheet>'.encode()
    book["xl/sharedStrings.xml"] = (f'<sst xmlns="{ns}">' + "".join(shared) + "</sst>").encode()
    if styles is not None:
        book["xl/styles.xml"] = styles
    if workbook is not None:
        book["xl/workbook.xml"] = workbook
    return write_parts(tmp_path / "b.xlsx", book)


HEAD = '<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>v</t></is></c></row>'


@pytest.mark.parametrize("index,letters", [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA"),
                                           (16384, "XFD")])
def test_column_letters(index, letters):
    assert column_letters(index) == letters
    assert xlsx._column_index(letters) == index


def test_a_workbook_openpyxl_wrote_reads_the_same(tmp_path):
    path = openpyxl_book(tmp_path / "s.xlsx", rows=[["F1", "Mill", "factory", "BD", "garment", "wages"],
                                                    [12345, 0.5, True, None, "", "x"]])
    header, rows = rows_of(path)
    assert header == ["id", "name", "kind", "country", "sector", "issues"]
    assert rows == [(2, ["F1", "Mill", "factory", "BD", "garment", "wages"]),
                    (3, [12345, 0.5, True, None, "", "x"])]


@pytest.mark.parametrize("cell,value", [
    ('<c r="B2" t="s"><v>0</v></c>', "rich text"),
    ('<c r="B2" t="s"><v>1</v></c>', "line\rbreak"),
    ('<c r="B2" t="str"><f>A2&amp;"x"</f><v>cached</v></c>', "cached"),
    ('<c r="B2" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c>', "inline"),
    ('<c r="B2" t="b"><v>0</v></c>', False),
    ('<c r="B2" t="e"><v>#N/A</v></c>', "#N/A"),
    ('<c r="B2" t="d"><v>2024-01-05T10:30:00</v></c>', "2024-01-05T10:30:00"),
    ('<c r="B2"><v>1E3</v></c>', 1000.0),
    ('<c r="B2"><v>-0.25</v></c>', -0.25),
    ('<c r="B2"><v>42</v></c>', 42),
    ('<c r="B2" s="1"><v>45296</v></c>', "2024-01-05"),
    ('<c r="B2" s="1"><v>45296.5</v></c>', "2024-01-05 12:00:00"),
    ('<c r="B2" s="2"><v>45296</v></c>', "2024-01-05"),
    ('<c r="B2" s="0"><v>45296</v></c>', 45296),
    ('<c r="B2"/>', None),
], ids=["shared-rich-text-without-phonetics", "escaped-control-character", "formula-cached-text", "inline-rich-text",
        "boolean", "error-value", "iso-date-cell", "exponent", "negative", "integer", "date-style", "date-time-style",
        "built-in-date-format", "plain-style", "empty-cell"])
def test_cell_values(tmp_path, cell, value):
    shared = ["<si><r><t>rich </t></r><r><t>text</t></r><rPh><t>ルビ</t></rPh></si>",
              "<si><t>line_x000D_break</t></si>"]
    styles = (f'<styleSheet xmlns="{MAIN}"><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
              '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="14"/></cellXfs>'
              "</styleSheet>").encode()
    path = book_with_sheet(tmp_path, HEAD + f'<row r="2"><c r="A2"><v>1</v></c>{cell}</row>', shared=shared,
                           styles=styles)
    _, rows = rows_of(path)
    assert rows == ([(2, [1, value])] if value is not None else [(2, [1, None])])


def test_1904_dates(tmp_path):
    workbook = (f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships"><workbookPr date1904="1"/><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
                "</sheets></workbook>").encode()
    path = book_with_sheet(tmp_path, HEAD + '<row r="2"><c r="A2"><v>1</v></c><c r="B2" s="1"><v>0</v></c></row>',
                           workbook=workbook)
    assert rows_of(path)[1] == [(2, [1, "1904-01-01"])]


def test_rows_and_cells_without_references_gaps_and_a_late_header(tmp_path):
    cells = ('<row r="3"><c t="inlineStr"><is><t>id</t></is></c><c t="inlineStr"><is><t>v</t></is></c>'
             '<c t="inlineStr"><is><t></t></is></c></row><row><c><v>1</v></c><c><v>2</v></c><c><v>99</v></c></row>'
             '<row r="9"><c r="B9"><v>3</v></c><c r="Q9"><v>not read: right of the header</v></c></row>')
    path = book_with_sheet(tmp_path, cells)
    sheet = open_sheet(path, max_columns=1024)
    assert (sheet.header_row, sheet.header) == (3, ["id", "v"])
    assert list(sheet.rows) == [(4, [1, 2]), (9, [None, 3])]
    sheet.close()


def test_strict_ooxml_and_prefixed_names(tmp_path):
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    cells = HEAD.replace("<", "<x:").replace("<x:/", "</x:") + '<x:row r="2"><x:c r="A2"><x:v>7</x:v></x:c></x:row>'
    book = parts()
    book["xl/worksheets/sheet1.xml"] = f'<x:worksheet xmlns:x="{strict}"><x:sheetData>{cells}</x:sheetData>' \
                                       "</x:worksheet>".encode()
    path = write_parts(tmp_path / "b.xlsx", book)
    assert rows_of(path) == (["id", "v"], [(2, [7, None])])


def test_part_names_are_matched_without_regard_to_case(tmp_path):
    book = parts()
    book["XL/Worksheets/Sheet1.XML"] = book.pop("xl/worksheets/sheet1.xml")
    path = write_parts(tmp_path / "b.xlsx", book)
    assert len(rows_of(path)[1]) == 12


def test_progress_reaches_the_end(tmp_path):
    path = write_parts(tmp_path / "b.xlsx", parts())
    source = open_list(path, chunk_rows=5)
    seen = []
    for _ in source.chunks:
        seen.append(source.fraction())
    assert seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize("setup,needle", [
    (lambda m: m.setattr(xlsx, "MAX_SHARED_STRINGS", 5), "more than 5 shared strings"),
    (lambda m: m.setattr(xlsx, "MAX_SHARED_CHARS", 20), "more than 20 characters"),
    (lambda m: (m.setattr(xlsx, "_MIN_PART", 1000), m.setattr(xlsx, "_MAX_RATIO", 2)), "unpacks to more than"),
], ids=["shared-string-count", "shared-string-characters", "unpacked-size"])
def test_limits_stop_a_workbook_early(tmp_path, monkeypatch, setup, needle):
    setup(monkeypatch)
    path = write_parts(tmp_path / "b.xlsx", parts())
    with pytest.raises(SupplierListError, match=needle):
        rows_of(path)


def test_a_cell_over_excels_limit_is_refused_naming_it(tmp_path):
    path = book_with_sheet(tmp_path, HEAD + '<row r="2"><c r="B2" t="inlineStr"><is><t>' + "x" * 40_000
                           + "</t></is></c></row>")
    with pytest.raises(SupplierListError, match=r"Suppliers!B2: holds more than 32,767 characters"):
        rows_of(path)


def test_a_header_wider_than_the_limit_is_refused_naming_its_last_cell(tmp_path):
    header = "".join(f'<c r="{column_letters(i)}1" t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(1, 31))
    path = book_with_sheet(tmp_path, f'<row r="1">{header}</row>')
    with pytest.raises(SupplierListError, match=r"AD1: the header row 1 has 30 columns; .* at most 20"):
        rows_of(path, max_columns=20)


@pytest.mark.parametrize("cells,needle", [
    ('<row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>1</v></c></row>', "out of order"),
    ('<row r="2"><c r="A3"><v>1</v></c></row>', "outside row 2"),
    ('<row r="2"><c r="a2"><v>1</v></c></row>', "names no cell"),
    ('<row r="9999999"><c r="A9999999"><v>1</v></c></row>', "past Excel's last row"),
    ('<row r="2"><c r="A2" t="s"><v>-1</v></c></row>', "not a number"),
    ('<row r="2"><c r="A2" t="zz"><v>1</v></c></row>', "cell type 'zz'"),
    ('<row r="2"><c r="A2" s="77"><v>1</v></c></row>', "style '77'"),
    ('<c r="A2"><v>1</v></c>', "outside any row"),
], ids=["cells-out-of-order", "cell-of-another-row", "lower-case-reference", "row-past-the-end",
        "negative-shared-string", "unknown-cell-type", "undefined-style", "cell-outside-a-row"])
def test_malformed_sheets_name_the_cell(tmp_path, cells, needle):
    path = book_with_sheet(tmp_path, HEAD + cells)
    with pytest.raises(SupplierListError, match=needle) as info:
        rows_of(path)
    assert "b.xlsx" in info.value.describe()


def test_a_hidden_entity_reference_is_refused(tmp_path):
    path = book_with_sheet(tmp_path, HEAD + '<row r="2"><c r="A2" t="str"><v>&xxe;</v></c></row>')
    with pytest.raises(SupplierListError, match="undefined entity"):
        rows_of(path)
