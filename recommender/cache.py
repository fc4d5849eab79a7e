"""Where `match` keeps work between runs, so that a run starts quickly.

Compiling the report's Jinja2 templates takes longer than scoring a profile, and reading
and validating the catalogue's YAML nearly as long; their results are kept in
``$MATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/beyond-audit-match``, else
``~/.cache/beyond-audit-match``. ``MATCH_CACHE_DIR=""`` turns the cache off. Nothing in it
is needed: a compiled template is checked against its source, a catalogue entry is keyed
by the size and time of every file it was read from (and of the code that read it), and
when the folder cannot be created, read or written, `match` works without it. The folder
is the user's own (mode 0700); like Python's own bytecode caches, its entries are trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["cache_dir", "template_cache", "cached"]

T = TypeVar("T")

_NAME = "beyond-audit-match"


def cache_dir(kind: str) -> Path | None:
    """The folder for cached ``kind`` (created, private to the user), or None when caching
    is off or the folder cannot be made."""
    base = os.environ.get("MATCH_CACHE_DIR")
    if base == "":
        return None
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = str(Path(xdg) / _NAME) if xdg else str(Path.home() / ".cache" / _NAME)
    folder = Path(base) / kind
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def template_cache() -> Any:
    """A Jinja2 bytecode cache in `cache_dir` ("templates"), or None."""
    folder = cache_dir("templates")
    if folder is None:
        return None
    from jinja2 import FileSystemBytecodeCache

    class _QuietCache(FileSystemBytecodeCache):
        """A cache that never fails a run: an entry that cannot be read or written is skipped."""

        def load_bytecode(self, bucket: Any) -> None:
            try:
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError):
                bucket.reset()

        def dump_bytecode(self, bucket: Any) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return _QuietCache(str(folder))


def cached(kind: str, name: str, key: Any, make: Callable[[], T], expected: type) -> T:
    """``make()``, or what it returned before for the same ``key`` (any picklable value).

    One entry is kept per ``name`` (a newer key replaces the older entry); an entry that
    cannot be read, or holds something other than an ``expected``, is made again."""
    folder = cache_dir(kind)
    if folder is None:
        return make()
    stem = hashlib.sha256(repr(name).encode()).hexdigest()[:20]
    entry = folder / f"{stem}-{hashlib.sha256(repr(key).encode()).hexdigest()[:20]}.pickle"
    try:
        with open(entry, "rb") as fh:
            found = pickle.load(fh)
        if isinstance(found, expected):
            return found
    except Exception:  # noqa: BLE001 - a missing, partial or stale entry: make it again
        pass
    value = make()
    try:
        fd, tmp = tempfile.mkstemp(prefix=".entry.", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
        for old in folder.glob(f"{stem}-*.pickle"):
            if old != entry:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        Path(locals().get("tmp", entry.with_suffix(".none"))).unlink(missing_ok=True)
    return value
