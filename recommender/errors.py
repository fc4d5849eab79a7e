"""Every error and warning the library raises, in one place.

The library never prints or exits: it raises one of these, and the CLI turns them into a
one-line message and an exit code (2 for bad input, 1 for anything else).
"""

from __future__ import annotations

__all__ = [
    "MatchError",
    "InputError",
    "ProfileError",
    "CatalogueError",
    "WeightsError",
    "OutputError",
    "DependencyError",
]


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
        """One line: ``file:line: field: message (hint)``."""
        where = ""
        if self.source:
            where = self.source + (f":{self.line}" if self.line else "")
        parts = [p for p in (where, self.field) if p]
        text = ": ".join([*parts, self.message])
        if self.hint:
            text += f" ({self.hint})"
        return text


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
