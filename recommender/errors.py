"""Every error and warning the library raises, in one place.

The library never prints or exits: it raises one of these, and the CLI turns them into a
one-line message and an exit code (2 for bad input, 1 for anything else).
"""

from __future__ import annotations

import re

__all__ = [
    "printable",
    "MatchError",
    "InputError",
    "SupplierListError",
    "ProfileError",
    "CatalogueError",
    "WeightsError",
    "OutputError",
    "DependencyError",
]


# Control characters (a YAML key written "\e[31m" is one), line breaks, and the invisible
# format characters that text pasted from e-mail carries (zero-width, BOM, bidi controls).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def printable(text: str) -> str:
    """``text`` on one line, with control and invisible characters shown as escapes (``\\x1b``)."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


#: A value echoed in a message is cut to this many characters (a 500 KB cell stays out of the line).
MAX_ECHO = 80
#: The most characters one message line holds, whatever its parts.
MAX_LINE = 2_000
_QUOTED = re.compile("|".join(f"{q}[^{q}\\n]{{{MAX_ECHO + 1},}}{q}" for q in "'\""))


def shorten(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" and the full length when cut."""
    if len(text) <= limit:
        return text
    return f"{text[: max(1, limit - 24)]}… ({len(text):,} characters)"


def _shorten_quoted(message: str) -> str:
    """Every quoted value longer than `MAX_ECHO` in ``message`` cut to a readable head."""
    return _QUOTED.sub(lambda m: m.group()[0] + shorten(m.group()[1:-1]) + m.group()[0], message)


class MatchError(Exception):
    """Base class of every error raised by `recommender`.

    ``source`` names the file (or "<dict>") the problem is in, ``line`` the 1-based line
    where known, ``field`` the dotted field path, ``hint`` how to fix it.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        self.hint = hint
        super().__init__(self.describe())

    def reason(self) -> str:
        """The message and hint without the place, on one line, long echoed values cut (for the
        errors file of a supplier list, whose columns give the place)."""
        text = _shorten_quoted(self.message)
        if self.hint:
            text += f" ({_shorten_quoted(self.hint)})"
        return shorten(printable(text), MAX_LINE)

    def describe(self) -> str:
        """One line: ``file:line: field: message (hint)``; control characters are escaped."""
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "")
        parts = [shorten(p, 300) for p in (where, self.field) if p]
        text = ": ".join([*parts, _shorten_quoted(self.message)])
        if self.hint:
            text += f" ({_shorten_quoted(self.hint)})"
        return shorten(printable(text), MAX_LINE)


class InputError(MatchError):
    """Raised when a user-supplied file cannot be read: missing, binary, too large, bad YAML."""

    exit_code = 2


class SupplierListError(InputError):
    """Raised when a supplier list (CSV, XLSX, Parquet) cannot be read as a table; names the
    file and, where known, the sheet, the cell or the part of the workbook."""


class ProfileError(InputError):
    """Raised when a profile is readable but its content is invalid (unknown key, bad value)."""


class CatalogueError(InputError):
    """Raised when a catalogue file is unreadable or invalid; names the catalogue file."""


class WeightsError(InputError):
    """Raised when a weights file (from `match learn`) is unreadable or invalid."""


class OutputError(MatchError):
    """Raised when an output cannot be written (unsafe path, would overwrite the input)."""

    exit_code = 2


class DependencyError(MatchError):
    """Raised when an optional dependency (Chromium for PDF, pyarrow, dask) is missing."""

    exit_code = 1
