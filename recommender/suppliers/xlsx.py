"""The first worksheet of an .xlsx workbook, streamed row by row with bounded memory.

Read straight from the zip with the standard library's expat parser, part by part:
``[Content_Types].xml``, the relationships, ``workbook.xml``, ``styles.xml`` (which cells
are dates), the shared strings, then the sheet itself as it unpacks. Nothing in the file
is trusted: the sheet's ``<dimension>`` is ignored (every ``<row>`` is read), a DTD is
refused, every cell reference, number, boolean, date and shared-string index is checked,
and limits on cell size, columns, shared strings and unpacked size stop a hostile file
fast. Every problem is a `SupplierListError` naming the file and the part, the sheet or
the cell.
"""

from __future__ import annotations

import datetime as _dt
import math
import posixpath
import re
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ..errors import SupplierListError

__all__ = ["Sheet", "open_sheet", "column_letters", "MAX_CELL_CHARS", "MAX_SHARED_STRINGS", "MAX_SHEET_ROWS"]

#: The most characters one cell may hold: Excel's own limit.
MAX_CELL_CHARS = 32_767
#: The most distinct shared strings, and characters in all of them, read from one workbook.
MAX_SHARED_STRINGS = 2_000_000
MAX_SHARED_CHARS = 200_000_000
#: Rows and columns of a worksheet (Excel's limits).
MAX_SHEET_ROWS = 1_048_576
MAX_SHEET_COLUMNS = 16_384
#: A part may unpack to this many times its packed size (XML packs 5-30 times)...
_MAX_RATIO = 200
#: ...but never to more than this, and to at least this whatever its packed size.
_MAX_PART = 4 << 30
_MIN_PART = 64 << 20
_SMALL_PART = 32 << 20  # workbook.xml, relationships, content types, styles
_BLOCK = 1 << 16

_REL_OFFICE = re.compile(r"/officeDocument$")
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_NUMBER = re.compile(r"[+-]?(?:[0-9]{1,40}(?:\.[0-9]{0,40})?|\.[0-9]{1,40})(?:[eE][+-]?[0-9]{1,3})?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
                       r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Built-in number formats that show dates or times (ECMA-376 18.8.30).
_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(45, 48), *range(27, 37), *range(50, 59)})
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_CODE_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', re.DOTALL)


def column_letters(index: int) -> str:
    """The letters of 1-based column ``index`` (1 → A, 28 → AB)."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class Sheet:
    """The first worksheet: its name, its header row and a stream of the rows below it."""

    name: str
    header_row: int
    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]]
    fraction: Callable[[], float | None]
    close: Callable[[], None]


class _Stop(Exception):
    """Carries a `SupplierListError` out of an expat handler."""

    def __init__(self, error: SupplierListError) -> None:
        super().__init__(error.message)
        self.error = error


class _Book:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.source = str(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise self.error(f"cannot be opened as a zip file: {_first_line(exc)}") from exc
        self.names = {i.filename: i for i in self.zip.infolist()}

    def error(self, message: str, *, field: str | None = None, hint: str | None = None) -> SupplierListError:
        return SupplierListError(message, source=self.source, field=field,
                                 hint=hint or "open it in Excel and save it again as .xlsx, or export the sheet as CSV")

    def member(self, name: str) -> zipfile.ZipInfo | None:
        name = name.lstrip("/")
        info = self.names.get(name)
        if info is None:  # part names are case-insensitive in OPC
            folded = name.lower()
            info = next((i for n, i in self.names.items() if n.lower() == folded), None)
        return info

    def parse(self, name: str, parser: Any, *, limit: int = _SMALL_PART,
              progress: Callable[[int], None] | None = None) -> Iterator[None]:
        """Feed part ``name`` to ``parser`` block by block, yielding after each block."""
        info = self.member(name)
        if info is None:
            raise self.error(f"the workbook has no part {name}")
        cap = max(_MIN_PART, min(_MAX_PART, _MAX_RATIO * max(info.compress_size, 1)))
        cap = min(cap, limit) if limit else cap
        read = 0
        try:
            with self.zip.open(info) as fh:
                while True:
                    block = fh.read(_BLOCK)
                    if not block:
                        break
                    read += len(block)
                    if read > cap:
                        raise self.error(f"the part {name} unpacks to more than {cap >> 20:,} MiB",
                                         hint="this is not a workbook Excel writes; export the sheet as CSV")
                    parser.Parse(block, False)
                    if progress is not None:
                        progress(read)
                    yield
                parser.Parse(b"", True)
        except _Stop as stop:
            raise stop.error from None
        except expat.ExpatError as exc:
            raise self.error(f"the part {name} is not well-formed XML: {expat.ErrorString(exc.code)} "
                             f"(line {exc.lineno}, column {exc.offset + 1})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError,
                ValueError) as exc:
            raise self.error(f"the part {name} cannot be unpacked: {_first_line(exc)}") from None
        yield

    def read(self, name: str, parser: Any, *, limit: int = _SMALL_PART) -> None:
        for _ in self.parse(name, parser, limit=limit):
            pass

    def close(self) -> None:
        self.zip.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _parser(book: _Book, part: str, *, namespaces: bool = True) -> Any:
    """An expat parser that refuses any DTD (and so any entity); with ``namespaces`` element
    names come as "uri local", else as written ("c", or "x:c" with a prefix)."""
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.buffer_text = True
    parser.buffer_size = _BLOCK

    def refuse(*args: object) -> None:
        raise _Stop(book.error(f"the part {part} has a DTD (<!DOCTYPE>), which a workbook never has",
                               hint="this is not a workbook Excel writes; export the sheet as CSV"))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _attr(attrs: dict[str, str], local: str) -> str | None:
    if local in attrs:
        return attrs[local]
    for key, value in attrs.items():
        if key.endswith(" " + local):
            return value
    return None


def _elements(book: _Book, part: str, wanted: set[str]) -> list[tuple[str, dict[str, str]]]:
    """(local name, attributes) of every element named in ``wanted``, in document order."""
    found: list[tuple[str, dict[str, str]]] = []
    parser = _parser(book, part)

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local in wanted:
            if len(found) > 100_000:
                raise _Stop(book.error(f"the part {part} lists more than 100,000 entries"))
            found.append((local, attrs))

    parser.StartElementHandler = start
    book.read(part, parser)
    return found


def _relationships(book: _Book, part: str) -> dict[str, tuple[str, str]]:
    """{id: (type, target part)} of a part's relationships (``_rels/x.rels``); {} when none."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if book.member(rels) is None:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for _, attrs in _elements(book, rels, {"Relationship"}):
        rid, kind, target = attrs.get("Id"), attrs.get("Type", ""), attrs.get("Target")
        if not rid or not target or attrs.get("TargetMode") == "External":
            continue
        target = target.replace("\\", "/")
        full = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
        out[rid] = (kind, full)
    return out


def _content_types(book: _Book) -> dict[str, str]:
    if book.member("[Content_Types].xml") is None:
        mimetype = book.member("mimetype")
        try:
            kind = book.zip.read(mimetype)[:200].decode("ascii", "replace") if mimetype is not None else ""
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
            kind = ""
        if "opendocument.spreadsheet" in kind:
            raise book.error("is an OpenDocument spreadsheet (.ods), not an Excel workbook",
                             hint="save it as .xlsx (File > Save As > Excel 2007-365), or export the sheet as CSV")
        if "opendocument" in kind or "apple" in kind.lower():
            raise book.error(f"is a {kind.strip() or 'document'} file, not an Excel workbook",
                             hint="save the list as .xlsx or CSV")
        raise book.error("is a zip file but not an Excel workbook (it has no [Content_Types].xml)",
                         hint="save it as .xlsx, or export the sheet as CSV")
    types: dict[str, str] = {}
    for local, attrs in _elements(book, "[Content_Types].xml", {"Override", "Default"}):
        key = attrs.get("PartName", "").lstrip("/").lower() if local == "Override" else "." + attrs.get(
            "Extension", "").lower()
        types[key] = attrs.get("ContentType", "")
    return types


def _workbook_part(book: _Book) -> str:
    for kind, target in _relationships(book, "").values():
        if _REL_OFFICE.search(kind):
            return target
    return "xl/workbook.xml"


def _date_styles(book: _Book, part: str | None) -> list[bool]:
    """For each cell style (``s``), whether its number format shows a date."""
    if part is None or book.member(part) is None:
        return []
    codes: dict[int, str] = {}
    styles: list[bool] = []
    parser = _parser(book, part)
    depth = {"cellXfs": 0}

    def number(value: str | None) -> int:
        try:
            return int(value or 0)
        except ValueError:
            raise _Stop(book.error(f"the part {part} has a number format id {value!r}")) from None

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            codes[number(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] += 1
        elif local == "xf" and depth["cellXfs"]:
            if len(styles) > 100_000:
                raise _Stop(book.error(f"the part {part} has more than 100,000 cell styles"))
            fmt = number(attrs.get("numFmtId"))
            code = codes.get(fmt)
            styles.append(fmt in _DATE_FORMAT_IDS if code is None
                          else bool(_DATE_CODE.search(_CODE_NOISE.sub("", code))))

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            depth["cellXfs"] -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    book.read(part, parser, limit=0)  # styles parts of old workbooks grow large; the ratio bounds them
    return styles


def _shared_strings(book: _Book, part: str | None) -> list[str]:
    if part is None or book.member(part) is None:
        return []
    strings: list[str] = []
    text: list[str] = []
    state = {"t": 0, "phonetic": 0, "chars": 0, "total": 0}
    parser = _parser(book, part)

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            text.clear()
            state["chars"] = 0
        elif local == "t" and not state["phonetic"]:
            state["t"] += 1
        elif local == "rPh":
            state["phonetic"] += 1

    def end(name: str) -> None:
        local = _local(name)
        if local == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise _Stop(book.error(f"the workbook has more than {MAX_SHARED_STRINGS:,} shared strings",
                                       hint="split the list, or export the sheet as CSV"))
            strings.append(_unescape("".join(text)))
        elif local == "t" and state["t"]:
            state["t"] -= 1
        elif local == "rPh":
            state["phonetic"] -= 1

    def chars(data: str) -> None:
        if state["t"]:
            state["chars"] += len(data)
            state["total"] += len(data)
            if state["chars"] > MAX_CELL_CHARS:
                raise _Stop(book.error(f"shared string {len(strings):,} is longer than {MAX_CELL_CHARS:,} "
                                       "characters (Excel's limit for one cell)",
                                       hint="this is not a workbook Excel writes; export the sheet as CSV"))
            if state["total"] > MAX_SHARED_CHARS:
                raise _Stop(book.error(f"the shared strings hold more than {MAX_SHARED_CHARS:,} characters",
                                       hint="split the list, or export the sheet as CSV"))
            text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    book.read(part, parser, limit=0)
    return strings


def _unescape(text: str) -> str:
    """OOXML writes control characters as ``_xHHHH_``."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _sheet_label(name: str) -> str:
    return f"'{name}'" if re.search(r"[^A-Za-z0-9_]", name) else name


def open_sheet(path: Path, *, max_columns: int) -> Sheet:
    """The first worksheet of the workbook at ``path``: its header (the first row with a value,
    trailing empty cells dropped, at most ``max_columns``) and its later rows, each a list as
    wide as the header. Raises `SupplierListError` for anything that is not a sound workbook."""
    book = _Book(path)
    try:
        return _open(book, max_columns)
    except BaseException:
        book.close()
        raise


def _open(book: _Book, max_columns: int) -> Sheet:
    types = _content_types(book)
    workbook = _workbook_part(book)
    kind = types.get(workbook.lower(), "")
    if "binary" in kind:
        raise book.error("is an Excel binary workbook (.xlsb), not .xlsx", hint="save it as .xlsx in Excel")
    if book.member(workbook) is None:
        raise book.error(f"the workbook has no part {workbook}")
    sheets: list[tuple[str, str]] = []
    date1904 = False
    for local, attrs in _elements(book, workbook, {"sheet", "workbookPr"}):
        if local == "workbookPr":
            date1904 = attrs.get("date1904", "0").lower() in ("1", "true")
        else:
            sheets.append((attrs.get("name", "") or "?", _attr(attrs, "id") or ""))
    rels = _relationships(book, workbook)
    if not sheets:
        raise book.error("the workbook lists no sheets")
    first = None
    for name, rid in sheets:
        kind_, target = rels.get(rid, ("", ""))
        if kind_.endswith("/worksheet"):
            first = (name, target)
            break
    if first is None:
        if any(rels.get(rid, ("", ""))[0].endswith("/chartsheet") for _, rid in sheets):
            raise book.error("has only chart sheets, no worksheet with rows",
                             hint="put the supplier list on a worksheet")
        raise book.error("the workbook's sheets point at no worksheet part")
    sheet_name, sheet_part = first
    if book.member(sheet_part) is None:
        raise book.error(f"the sheet {sheet_name!r} is missing from the workbook (no part {sheet_part})")
    by_kind = {kind_.rsplit("/", 1)[-1]: target for kind_, target in rels.values()}
    shared = _shared_strings(book, by_kind.get("sharedStrings"))
    dates = _date_styles(book, by_kind.get("styles"))
    reader = _SheetReader(book, sheet_name, sheet_part, shared, dates, date1904, max_columns)
    header_row, header = reader.header()
    return Sheet(sheet_name, header_row, header, reader.rows(), reader.fraction, book.close)


class _SheetReader:
    """The worksheet's rows, parsed as the part unpacks (a few hundred rows held at a time)."""

    def __init__(self, book: _Book, name: str, part: str, shared: list[str], dates: list[bool], date1904: bool,
                 max_columns: int) -> None:
        self.book, self.name, self.part = book, name, part
        self.label = _sheet_label(name)
        self.shared, self.dates, self.date1904 = shared, dates, date1904
        self.max_columns = max_columns
        self.width = MAX_SHEET_COLUMNS  # cells kept per row: the header's width once it is known
        info = book.member(part)
        self.size = info.file_size if info is not None else 0
        self.done = 0
        self.ready: deque[tuple[int, dict[int, tuple[str, str, str | None, str]]]] = deque()
        self.row = 0
        self.cells: dict[int, tuple[str, str, str | None, str]] | None = None
        self.cell: tuple[str, int, str, str | None] | None = None  # (ref, column, type, style)
        self.column = 0
        self.text: list[str] = []
        self.chars = 0
        self.collect = False
        self.inline = 0
        self.phonetic = 0
        self.locals: dict[str, str] = {}
        self.starts = {"c": self._start_c, "v": self._start_v, "is": self._start_is, "t": self._start_t,
                       "rPh": self._start_rph, "row": self._start_row}
        self.ends = {"c": self._end_c, "v": self._end_text, "t": self._end_text, "is": self._end_is,
                     "rPh": self._end_rph, "row": self._end_row}
        self.letters: dict[str, int] = {}
        # Element names as written: the sheet's elements are matched on their local names only.
        parser = _parser(book, part, namespaces=False)
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        self.stream = book.parse(part, parser, limit=0, progress=self._progress)

    def _progress(self, read: int) -> None:
        self.done = read

    def fraction(self) -> float | None:
        return min(1.0, self.done / self.size) if self.size else None

    def fail(self, message: str, ref: str | None = None) -> _Stop:
        field = f"{self.label}!{ref}" if ref else f"sheet {self.name!r}"
        return _Stop(self.book.error(message, field=field))

    # expat handlers: called for every element of the sheet, so they do little
    def _local(self, name: str) -> str:
        local = self.locals.get(name)
        if local is None:
            local = self.locals[name] = name.rpartition(":")[2]
        return local

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        handler = self.starts.get(self._local(name))
        if handler is not None:
            handler(attrs)

    def _end(self, name: str) -> None:
        handler = self.ends.get(self._local(name))
        if handler is not None:
            handler()

    def _start_c(self, attrs: dict[str, str]) -> None:
        if self.cells is None:
            raise self.fail("has a cell outside any row")
        ref = attrs.get("r")
        if ref is None:
            column = self.column + 1
            ref = f"{column_letters(column)}{self.row}"
        else:
            m = _REF.fullmatch(ref)
            if m is None:
                raise self.fail(f"has a cell reference {ref[:20]!r} that names no cell", ref[:20])
            letters = m.group(1)
            column = self.letters.get(letters)
            if column is None:
                column = self.letters[letters] = _column_index(letters)
            if column > MAX_SHEET_COLUMNS or int(m.group(2)) != self.row:
                raise self.fail(f"has a cell reference {ref!r} outside row {self.row} or past column XFD", ref)
        if column <= self.column:
            raise self.fail("comes after a cell to its right (the cells of a row are out of order)", ref)
        self.column = column
        self.cell = (ref, column, attrs.get("t", "n"), attrs.get("s"))
        self.text = []
        self.chars = 0

    def _start_v(self, attrs: dict[str, str]) -> None:
        self.collect = self.cell is not None

    def _start_is(self, attrs: dict[str, str]) -> None:
        self.inline += 1

    def _start_t(self, attrs: dict[str, str]) -> None:
        self.collect = bool(self.inline) and not self.phonetic and self.cell is not None

    def _start_rph(self, attrs: dict[str, str]) -> None:
        self.phonetic += 1

    def _start_row(self, attrs: dict[str, str]) -> None:
        r = attrs.get("r")
        if r is None:
            number = self.row + 1
        elif r.isdigit() and len(r) <= 7:
            number = int(r)
        else:
            raise self.fail(f"has a row numbered {r[:20]!r}")
        if number <= self.row or number > MAX_SHEET_ROWS:
            raise self.fail(f"has row {number:,} after row {self.row:,}" if number <= self.row
                            else f"has a row numbered {number:,}, past Excel's last row")
        self.row = number
        self.cells = {}
        self.column = 0

    def _end_c(self) -> None:
        if self.cell is not None and self.cells is not None:
            ref, column, kind, style = self.cell
            if column <= self.width and (self.text or kind == "inlineStr"):
                self.cells[column] = (ref, kind, style, "".join(self.text))
        self.cell = None
        self.collect = False

    def _end_text(self) -> None:
        self.collect = False

    def _end_is(self) -> None:
        self.inline -= 1

    def _end_rph(self) -> None:
        self.phonetic -= 1

    def _end_row(self) -> None:
        if self.cells:
            self.ready.append((self.row, self.cells))
        self.cells = None

    def _chars(self, data: str) -> None:
        if self.collect:
            self.chars += len(data)
            if self.chars > MAX_CELL_CHARS:
                raise self.fail(f"holds more than {MAX_CELL_CHARS:,} characters (Excel's limit for one cell)",
                                self.cell[0] if self.cell else None)
            self.text.append(data)

    def _value(self, ref: str, kind: str, style: str | None, text: str) -> Any:
        if kind == "n":
            text = text.strip()
            if not text:
                return None
            if not _NUMBER.fullmatch(text):
                raise self.fail(f"holds {text[:40]!r}, which is not a number although the cell says it is", ref)
            number = float(text)
            if math.isinf(number):
                raise self.fail(f"holds the number {text[:40]!r}, beyond what Excel can store", ref)
            if style is not None and self.dates:
                try:
                    is_date = self.dates[int(style)]
                except (ValueError, IndexError):
                    raise self.fail(f"has a style {style[:12]!r} that the workbook does not define", ref) from None
                if is_date:
                    return self._date(ref, number)
            if number.is_integer() and abs(number) < 2 ** 53 and "." not in text and "e" not in text.lower():
                return int(number)
            return number
        if kind == "s":
            text = text.strip()
            if not text.isdigit() or len(text) > 10:
                raise self.fail(f"refers to shared string {text[:20]!r}, which is not a number", ref)
            index = int(text)
            if index >= len(self.shared):
                raise self.fail(f"refers to shared string {index:,}, but the workbook has "
                                f"{len(self.shared):,}", ref)
            return self.shared[index]
        if kind in ("str", "inlineStr"):
            return _unescape(text)
        if kind == "b":
            flag = text.strip().lower()
            if flag in ("1", "true"):
                return True
            if flag in ("0", "false"):
                return False
            raise self.fail(f"holds {text[:40]!r}, which is not true or false although the cell says it is", ref)
        if kind == "e":
            return text.strip() or None
        if kind == "d":
            text = text.strip()
            if not text:
                return None
            if not _ISO_DATE.fullmatch(text):
                raise self.fail(f"holds {text[:40]!r}, which is not a date although the cell says it is", ref)
            return text
        raise self.fail(f"has a cell type {kind[:12]!r} that Excel does not write", ref)

    def _date(self, ref: str, serial: float) -> str:
        """A date cell as ISO text ("2024-01-05", or with the time when it has one)."""
        if not 0 <= serial < 2_958_466:
            raise self.fail(f"holds the date serial {serial:g}, outside the dates Excel can show", ref)
        base = _dt.datetime(1904, 1, 1) if self.date1904 else _dt.datetime(1899, 12, 31)
        if not self.date1904 and serial >= 60:
            serial -= 1  # Excel's 1900 leap-year bug: day 60 is 29 February 1900, which never was
        moment = base + _dt.timedelta(days=serial)
        moment = moment.replace(microsecond=0) + _dt.timedelta(seconds=round(moment.microsecond / 1e6))
        if moment.time() == _dt.time(0):
            return moment.date().isoformat()
        return moment.isoformat(sep=" ")

    def _next(self) -> tuple[int, dict[int, tuple[str, str, str | None, str]]] | None:
        while not self.ready:
            try:
                next(self.stream)
            except StopIteration:
                return None
        return self.ready.popleft()

    def _values(self, cells: dict[int, tuple[str, str, str | None, str]], width: int) -> dict[int, Any]:
        """The cells up to column ``width`` as values (raw text is converted only here, so a
        cell right of the header is never judged)."""
        out: dict[int, Any] = {}
        try:
            for column, (ref, kind, style, text) in cells.items():
                if column <= width:
                    value = self._value(ref, kind, style, text)
                    if value is not None:
                        out[column] = value
        except _Stop as stop:
            raise stop.error from None
        return out

    def header(self) -> tuple[int, list[Any]]:
        """The first row that has a value: its number and its cells (trailing blanks dropped)."""
        while True:
            got = self._next()
            if got is None:
                raise SupplierListError(f"the sheet {self.name!r} is empty", source=self.book.source,
                                        hint="put the header in the first row and one supplier per row below")
            number, raw = got
            cells = self._values(raw, MAX_SHEET_COLUMNS)
            if any(v is not None and (not isinstance(v, str) or v.strip()) for v in cells.values()):
                break
        width = max(c for c, v in cells.items() if v is not None and (not isinstance(v, str) or v.strip()))
        if width > self.max_columns:
            raise self.fail(f"the header row {number} has {width:,} columns; a supplier list has at most "
                            f"{self.max_columns:,}", f"{column_letters(width)}{number}").error
        self.width = width
        return number, [cells.get(i) for i in range(1, width + 1)]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        width = self.width
        while True:
            got = self._next()
            if got is None:
                return
            number, raw = got
            cells = self._values(raw, width)
            yield number, [cells.get(i) for i in range(1, width + 1)]
