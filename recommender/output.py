"""Writing results to disk safely: atomic replace, safe file names, never over the input."""

from __future__ import annotations

import base64
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError, OutputError

__all__ = ["write_atomic", "safe_filename", "check_not_input", "logo_data_uri", "csv_safe"]

_MAX_NAME = 120


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_DEFAULT_MODE = 0o666 & ~_umask()
_LOGO_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder, then replace.

    A failure part-way leaves any earlier file at ``path`` untouched and no temporary
    file behind.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError("the output folder does not exist", source=str(folder), hint="create it first")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, _DEFAULT_MODE)  # mkstemp makes 0600; a report is meant to be shared
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return target


def safe_filename(name: str, *, suffix: str = "", default: str = "report") -> str:
    """A file name made from client text that cannot leave its folder.

    Keeps letters, digits, ``-``, ``_`` and ``.``; drops path separators, NUL and control
    characters, leading dots; caps the length. Never empty, never ``.`` or ``..``.
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w.-]+", "-", text, flags=re.ASCII).strip("-._")
    text = re.sub(r"-{2,}", "-", text)[:_MAX_NAME].strip("-._")
    return (text or default) + suffix


def check_not_input(output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to write over any of the run's input files."""
    out = Path(output)
    for item in inputs:
        src = Path(item)
        try:
            same = out.exists() and src.exists() and os.path.samefile(out, src)
        except OSError:
            same = False
        if same or out.resolve() == src.resolve():
            raise OutputError("refusing to overwrite the input file", source=str(output), hint="choose another -o path")


def logo_data_uri(path: str | os.PathLike[str], *, max_bytes: int = 512 * 1024) -> str:
    """A ``data:`` URI for a PNG, JPEG, GIF or SVG logo, to embed in a report."""
    p = Path(path)
    if not p.is_file():
        raise InputError("no such logo file", source=str(p))
    raw = p.read_bytes()
    if len(raw) > max_bytes:
        raise InputError(f"logo is larger than {max_bytes // 1024} KiB", source=str(p))
    mime = next((m for sig, m in _LOGO_TYPES.items() if raw.startswith(sig)), None)
    if mime is None and p.suffix.lower() == ".svg":
        text = raw.decode("utf-8", errors="replace").lower()
        if re.search(r"<script|javascript:|<foreignobject|\son\w+\s*=", text):
            raise InputError("SVG logo contains scripts or event handlers",
                source=str(p), hint="export a plain SVG or a PNG")
        mime = "image/svg+xml"
    if mime is None:
        raise InputError("logo must be a PNG, JPEG, GIF or SVG file", source=str(p))
    return f"data:{mime};base64," + base64.b64encode(raw).decode("ascii")


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formula injection in a text cell; numbers pass unchanged."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
