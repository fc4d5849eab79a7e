"""Which files are supplier lists, and what to say about spreadsheet formats match does not read.

Kept apart from `read` (which imports pandas) so that the CLI can route a path cheaply.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

__all__ = ["SUFFIXES", "is_supplier_list"]

#: The suffixes `open_list` reads, and those it names to say what to do instead.
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet")
_REFUSED = {
    ".xlsm": ("is a macro-enabled Excel workbook (.xlsm)",
              "save a copy as .xlsx (File > Save As > Excel Workbook), or export the sheet as CSV"),
    ".xltm": ("is a macro-enabled Excel template (.xltm)", "save a copy as .xlsx, or export the sheet as CSV"),
    ".xlsb": ("is an Excel binary workbook (.xlsb)", "save a copy as .xlsx, or export the sheet as CSV"),
    ".xls": ("is an Excel 97-2003 workbook (.xls)", "save it as .xlsx, or export the sheet as CSV"),
    ".ods": ("is an OpenDocument spreadsheet (.ods)",
             "save it as .xlsx (File > Save As > Excel 2007-365), or export the sheet as CSV"),
    ".numbers": ("is an Apple Numbers document", "export it as .xlsx or CSV (File > Export To)"),
}


def is_supplier_list(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` names a supplier list (or a spreadsheet `open_list` names the fix for)
    rather than a profile: by suffix, and for ``.txt`` by what Excel writes there ("Unicode
    Text" starts with a byte-order mark; "Text (Tab delimited)" has tabs in its first line)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in SUFFIXES and suffix != ".txt" or suffix in _REFUSED:
        return True
    if suffix == ".txt":
        try:
            with open(p, "rb") as fh:
                head = fh.read(1 << 16)
        except (OSError, ValueError):
            return False
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
            return True
        return head.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0].count(b"\t") >= 2
    return False
