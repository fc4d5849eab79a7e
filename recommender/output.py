"""Writing results to disk safely: atomic replace, safe file names, never over the input."""

from __future__ import annotations

import base64
import errno
import io
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import InputError, MatchError, OutputError

__all__ = ["AtomicFile", "write_atomic", "safe_filename", "check_not_input", "logo_data_uri", "csv_safe"]

_MAX_NAME = 120
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


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


# Write failures that come from the path the user chose (exit 2) rather than the machine.
_PATH_ERRORS = {errno.EACCES, errno.EPERM, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG, errno.ENOENT,
                errno.EROFS, errno.EINVAL, errno.ELOOP}


def _write_error(exc: OSError, target: Path) -> MatchError:
    reason = exc.strerror or str(exc)
    if exc.errno in _PATH_ERRORS:
        hint = "choose a folder you can write to" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else None
        return OutputError(f"cannot write: {reason}", source=str(target), hint=hint)
    return MatchError(f"cannot write: {reason}", source=str(target), hint="no earlier file was changed")


class AtomicFile:
    """A file written through a temporary beside it and moved into place by `commit`.

    Until `commit`, any earlier file at the path is untouched; `abort` (or a failure in
    `commit`) removes the temporary. An existing device or pipe (``/dev/null``,
    ``/dev/stdout``) is written to directly, never replaced. ``fh`` is binary, or text
    (UTF-8) with ``binary=False``. Raises `OutputError` for a path that cannot be written.
    """

    def __init__(self, path: str | os.PathLike[str], *, binary: bool = True) -> None:
        target = Path(path)
        folder = target.parent if str(target.parent) else Path(".")
        self.target, self.tmp = target, None
        try:
            if not folder.is_dir():
                if folder.exists():
                    raise OutputError("is not a folder", source=str(folder), hint="the output goes into a folder")
                raise OutputError("the output folder does not exist", source=str(folder), hint="create it first")
            if len(os.fsencode(target.name)) > 255:
                raise OutputError("the file name is too long", source=str(target)[:80] + "…",
                    hint="use a name of at most 255 bytes")
            if target.is_dir():
                raise OutputError("is a folder", source=str(target),
                    hint=f"give a file name, e.g. {target / 'report'}…")
            if target.exists() and not stat.S_ISREG(target.stat().st_mode):
                raw = open(target, "wb")  # noqa: SIM115 - /dev/null, a pipe: nothing to replace
            else:
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=folder)
                self.tmp = Path(tmp)
                os.fchmod(fd, _DEFAULT_MODE)  # mkstemp makes 0600; a report is meant to be shared
                raw = os.fdopen(fd, "wb")
        except ValueError:  # a NUL character in the path
            raise OutputError("the path contains a NUL character", source=repr(str(target))) from None
        except OSError as exc:
            raise _write_error(exc, target) from None
        self.fh: Any = raw if binary else io.TextIOWrapper(raw, encoding="utf-8", newline="")

    def commit(self) -> Path:
        """Flush, sync and move the temporary into place; returns the path written."""
        try:
            self.fh.flush()
            if self.tmp is not None:
                os.fsync(self.fh.fileno())
            self.fh.close()
            if self.tmp is not None:
                os.replace(self.tmp, self.target)
        except OSError as exc:
            self.abort()
            raise _write_error(exc, self.target) from exc
        except BaseException:
            self.abort()
            raise
        return self.target

    def abort(self) -> None:
        """Drop what was written; any earlier file stays as it was."""
        try:
            self.fh.close()
        except OSError:
            pass
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through an `AtomicFile`: all of it, or nothing changes."""
    out = AtomicFile(path)
    try:
        out.fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        out.abort()
        raise _write_error(exc, Path(path)) from exc
    except BaseException:
        out.abort()
        raise
    return out.commit()


def safe_filename(name: str, *, suffix: str = "", default: str = "report") -> str:
    """A file name made from client text that cannot leave its folder.

    Keeps letters, digits, ``-``, ``_`` and ``.``; drops path separators, NUL and control
    characters, leading dots; caps the length. Never empty, never ``.`` or ``..``.
    """
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w.-]+", "-", text, flags=re.ASCII).strip("-._")
    text = re.sub(r"-{2,}", "-", text)[:_MAX_NAME].strip("-._") or default
    stem, dot, rest = text.partition(".")
    if stem.upper() in _WINDOWS_RESERVED:  # CON.html, nul.txt.html cannot be opened on Windows
        text = f"{stem}_{dot}{rest}"
    return text + suffix


def check_not_input(output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to write over any of the run's input files, or over a file inside an input folder."""
    out = Path(output)
    try:
        out_real = out.resolve()
        out_exists = out.exists()
    except (OSError, ValueError):
        return  # a path that cannot be resolved cannot be an input either; writing it will fail clearly
    for item in inputs:
        src = Path(item)
        try:
            src_real = src.resolve()
            same = out_exists and src.exists() and os.path.samefile(out, src)
            inside = out_exists and src.is_dir() and src_real in out_real.parents
        except (OSError, ValueError):
            same = inside = False
        if same or out_real == src_real or inside:
            raise OutputError("refusing to overwrite the input file" if not inside
                else f"refusing to overwrite a file in the input folder {src}",
                source=str(output), hint="choose another -o path")


# What an SVG logo may not hold: scripts, event handlers, embedded HTML, entity tricks,
# and references to anything outside itself (the report makes no network request).
_SVG_UNSAFE = re.compile(
    r"<script|<foreignobject|<!doctype|<!entity|javascript:|\son\w+\s*=|@import"
    r"|(?:href|src)\s*=\s*[\"']?\s*(?!#|data:image/)[^\"'\s>]"
    r"|url\(\s*[\"']?\s*(?!#|data:image/)"
)


def logo_data_uri(path: str | os.PathLike[str], *, max_bytes: int = 512 * 1024) -> str:
    """A ``data:`` URI for a PNG, JPEG, GIF or SVG logo, to embed in a report.

    Raises `InputError` for a missing, unreadable, oversized or unsupported file, and for
    an SVG that is not UTF-8 or holds scripts, event handlers or external references.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError("is a folder, not a logo file", source=str(p), hint="give the logo's file name")
        if not p.is_file():
            raise InputError("no such logo file", source=str(p), hint="check the path and spelling")
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot be read: {getattr(exc, 'strerror', None) or exc}", source=str(p)) from None
    if len(raw) > max_bytes:
        raise InputError(f"logo is larger than {max_bytes // 1024} KiB", source=str(p),
            hint="export a smaller PNG or JPEG (a few hundred pixels wide is plenty)")
    mime = next((m for sig, m in _LOGO_TYPES.items() if raw.startswith(sig)), None)
    if mime is None and p.suffix.lower() == ".svg":
        try:
            text = raw.removeprefix(b"\xef\xbb\xbf").decode("utf-8").lower()
        except UnicodeDecodeError:
            raise InputError("SVG logo is not UTF-8 text", source=str(p),
                hint="save it as UTF-8, or use a PNG") from None
        if _SVG_UNSAFE.search(text):
            raise InputError("SVG logo contains scripts, event handlers or links to other files",
                source=str(p), hint="export a plain SVG or a PNG")
        mime = "image/svg+xml"
    if mime is None:
        raise InputError("logo must be a PNG, JPEG, GIF or SVG file", source=str(p))
    return f"data:{mime};base64," + base64.b64encode(raw).decode("ascii")


_PLAIN_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formula injection in a text cell (a leading ``'``).

    Cells starting with ``= + - @``, a tab or a carriage return are prefixed; numbers, and
    text that is just a number such as ``-3.5``, pass unchanged.
    """
    if isinstance(value, str) and value and value[0] in "=+-@\t\r" and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
