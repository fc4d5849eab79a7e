"""Where `match` keeps compiled report templates between runs, so that a run starts quickly.

Compiling the report's Jinja2 templates takes longer than scoring a profile; the compiled
form is kept in ``$MATCH_CACHE_DIR``, else ``$XDG_CACHE_HOME/beyond-audit-match``, else
``~/.cache/beyond-audit-match``. ``MATCH_CACHE_DIR=""`` turns the cache off. Nothing in it
is needed: an entry is checked against its template's source before use, and when the
folder cannot be created or written, `match` works without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "template_cache"]

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
