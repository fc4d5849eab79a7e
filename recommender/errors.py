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

    def describe(self) -> str:
        """One line: ``file:line: field: message (hint)``; control characters are escaped."""
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "")
        parts = [p for p in (where, self.field) if p]
        text = ": ".join([*parts, self.message])
        if self.hint:
            text += f" ({self.hint})"
        return printable(text)


class InputError(MatchError):
    """Raised when a user-supplied file cannot be read: missing, binary, too large, bad YAML."""

    exit_code = 2


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
