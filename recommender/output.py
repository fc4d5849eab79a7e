"""Writing results to disk safely: one transaction per run, safe file names, never over an input.

A run plans every output first (`Transaction.file`, `Transaction.folder`), which checks
them against each other and against every input file and folder. `Transaction.begin`
removes temporaries that earlier runs of ours left behind and stages every output beside
its target (which proves each one writable); the run writes into the staged files;
`Transaction.commit` moves all of them into place together, or, when anything fails,
none: an earlier file is never changed by a run that does not complete.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import hashlib
import io
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, MatchError, OutputError

__all__ = [
    "AtomicFile", "Transaction", "StagedFolder", "write_atomic", "safe_filename", "check_not_input",
    "clean_stale_temporaries", "deferred_signals", "logo_data_uri", "csv_safe",
]

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


def _write_error(exc: OSError, target: Path, *, changed: bool = False) -> MatchError:
    reason = exc.strerror or str(exc)
    kept = "an earlier file may have been changed" if changed else "no earlier file was changed"
    if exc.errno in _PATH_ERRORS:
        hint = {errno.EACCES: "choose a folder you can write to", errno.EPERM: "choose a folder you can write to",
                errno.EROFS: "choose a folder you can write to", errno.ELOOP: "the path is a symbolic link that loops"
                }.get(exc.errno)
        return OutputError(f"cannot write: {reason}", source=str(target), hint=hint)
    return MatchError(f"cannot write: {reason}", source=str(target), hint=kept)


# --- temporaries of our own naming ---------------------------------------------------------
#
# ".<target name>.match-<host>-<pid>.<random>.tmp" (and ".bak" for the copy of an earlier file
# kept while a commit is under way): the process that made it is in the name, so a later run
# can tell an abandoned temporary (its process is gone) from one that is still being written.

_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_OURS = re.compile(r"^\.(?P<name>.{1,40})\.match-(?P<host>[0-9a-f]{6})-(?P<pid>[0-9]{1,10})\.[A-Za-z0-9_]{4,16}"
                   r"\.(?:tmp|bak)$", re.DOTALL)
# What releases before 0.2 left: ".<name>.<8 random characters>.tmp", files and folders.
_LEGACY = re.compile(r"^\.(?P<name>.{1,40})\.[a-z0-9_]{8}\.tmp$", re.DOTALL)
_LEGACY_AGE = 3600.0
_LIVE: set[str] = set()  # temporaries this process is writing now
_LIVE_LOCK = threading.Lock()


def _prefix(target: Path) -> str:
    return f".{target.name[:40]}.match-{_HOST}-{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # another user's process, or a pid we cannot ask about: leave its files alone
    return True


def _remove(path: Path) -> None:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def clean_stale_temporaries(folder: Path, names: Iterable[str] = ()) -> list[Path]:
    """Remove temporaries of our naming in ``folder`` whose process has ended; returns them.

    Also removes those of the older naming for the target ``names`` once they are an hour
    old. Temporaries of a live process, of another machine (shared drives) and anything
    not of our naming are never touched.
    """
    removed: list[Path] = []
    wanted = {n[:40] for n in names}
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        path = Path(entry.path)
        m = _OURS.match(name)
        if m is not None:
            pid = int(m["pid"])
            if m["host"] != _HOST:
                continue
            with _LIVE_LOCK:
                live = str(path) in _LIVE
            if (pid == os.getpid() and not live) or (pid != os.getpid() and not _alive(pid)):
                _remove(path)
                removed.append(path)
            continue
        m = _LEGACY.match(name)
        if m is not None and m["name"] in wanted:
            try:
                old = now - entry.stat(follow_symlinks=False).st_mtime > _LEGACY_AGE
            except OSError:
                continue
            if old:
                _remove(path)
                removed.append(path)
    return removed


def _register(path: Path) -> None:
    with _LIVE_LOCK:
        _LIVE.add(str(path))


def _release(path: Path) -> None:
    with _LIVE_LOCK:
        _LIVE.discard(str(path))


# --- signals ----------------------------------------------------------------------------------

_SIGNALS = tuple(s for s in (getattr(signal, n, None) for n in ("SIGINT", "SIGTERM", "SIGHUP")) if s is not None)


@contextlib.contextmanager
def deferred_signals() -> Iterator[list[int]]:
    """Hold SIGINT, SIGTERM and SIGHUP while the block runs (a commit), so that it is never
    cut half way; the signals received are listed in what the block is given, and the
    previous handlers see none of them. Does nothing outside the main thread."""
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got
        return
    previous = {}
    try:
        for sig in _SIGNALS:
            previous[sig] = signal.signal(sig, lambda signum, frame: got.append(signum))
    except (ValueError, OSError):  # not the main interpreter
        pass
    try:
        yield got
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# --- one file ---------------------------------------------------------------------------------


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _check_target(target: Path) -> None:
    """Refuse, before anything is written, a path that cannot become the file asked for."""
    folder = target.parent if str(target.parent) else Path(".")
    try:
        if "\x00" in str(target):
            raise OutputError("the path contains a NUL character", source=repr(str(target)))
        if len(os.fsencode(target.name)) > 255:
            raise OutputError("the file name is too long", source=str(target)[:80] + "…",
                              hint="use a name of at most 255 bytes")
        try:
            os.stat(target)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputError("is a symbolic link that loops back on itself", source=str(target),
                                  hint="remove the link or give another path") from None
            if exc.errno == errno.ENAMETOOLONG:
                raise OutputError("the path is too long", source=str(target)[:80] + "…") from None
        if not folder.is_dir():
            if folder.exists():
                raise OutputError("is not a folder", source=str(folder), hint="the output goes into a folder")
            try:
                os.stat(folder)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise OutputError("is a symbolic link that loops back on itself", source=str(folder)) from None
            raise OutputError("the output folder does not exist", source=str(folder), hint="create it first")
        if target.is_dir():
            raise OutputError("is a folder", source=str(target), hint=f"give a file name, e.g. {target / 'report'}…")
    except ValueError:
        raise OutputError("the path cannot be used", source=repr(str(target))) from None


class _Raw(io.FileIO):
    """A file opened for writing whose write errors (a full disk, /dev/full) are ours, naming
    the target, whatever library is writing into it."""

    def __init__(self, file: int | Path, target: Path) -> None:
        super().__init__(file, "wb")
        self.target = target

    def write(self, data: Any) -> int | None:
        try:
            return super().write(data)
        except OSError as exc:
            raise _write_error(exc, self.target) from None


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
        _check_target(target)
        try:
            if target.exists() and not stat.S_ISREG(target.stat().st_mode):
                raw = io.BufferedWriter(_Raw(target, target))  # /dev/null, a pipe: nothing to replace
            else:
                fd, tmp = tempfile.mkstemp(prefix=_prefix(target), suffix=".tmp", dir=folder)
                self.tmp = Path(tmp)
                _register(self.tmp)
                os.fchmod(fd, _DEFAULT_MODE)  # mkstemp makes 0600; a report is meant to be shared
                raw = io.BufferedWriter(_Raw(fd, target))
        except ValueError:  # a NUL character in the path
            raise OutputError("the path contains a NUL character", source=repr(str(target))) from None
        except OSError as exc:
            if self.tmp is not None:
                self.tmp.unlink(missing_ok=True)
                _release(self.tmp)
            raise _write_error(exc, target) from None
        self.fh: Any = raw if binary else io.TextIOWrapper(raw, encoding="utf-8", newline="")

    @property
    def direct(self) -> bool:
        """True for a device or pipe, written as the run goes and never replaced."""
        return self.tmp is None

    def finish(self) -> None:
        """Flush and sync everything written (and close the file); the target is not touched yet."""
        try:
            self.fh.flush()
            if self.tmp is not None:
                os.fsync(self.fh.fileno())
            self.fh.close()
        except OSError as exc:
            self.abort()
            raise _write_error(exc, self.target) from None
        except BaseException:
            self.abort()
            raise

    def commit(self) -> Path:
        """Flush, sync and move the temporary into place; returns the path written."""
        self.finish()
        try:
            if self.tmp is not None:
                os.replace(self.tmp, self.target)
                _release(self.tmp)
        except OSError as exc:
            self.abort()
            raise _write_error(exc, self.target) from exc
        return self.target

    def abort(self) -> None:
        """Drop what was written; any earlier file stays as it was."""
        with contextlib.suppress(Exception):  # a failing flush while closing: nothing is kept anyway
            self.fh.close()
        if self.tmp is not None:
            self.tmp.unlink(missing_ok=True)
            _release(self.tmp)


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


# --- paths compared ---------------------------------------------------------------------------


def _real(path: Path) -> Path:
    """``path`` with every symbolic link and ``..`` resolved, as far as it exists."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def _same(a: Path, b: Path) -> bool:
    if _real(a) == _real(b):
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is (or would be) inside ``folder``, at any depth, links resolved."""
    real, top = _real(path), _real(folder)
    return top in real.parents


def check_not_input(output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to write over any of the run's input files, or anywhere inside an input folder."""
    out = Path(output)
    if "\x00" in str(out):
        return  # cannot be an input; writing it fails clearly
    for item in inputs:
        src = Path(item)
        try:
            is_folder = src.is_dir()
        except (OSError, ValueError):
            continue
        if _same(out, src):
            raise OutputError("refusing to overwrite the input folder" if is_folder
                              else "refusing to overwrite the input file",
                              source=str(output), hint="choose another output path")
        if is_folder and _inside(out, src):
            raise OutputError(f"refusing to write inside the input folder {src}", source=str(output),
                              hint="choose a path outside the run's input folders")


# --- the transaction --------------------------------------------------------------------------


@dataclass
class _Planned:
    role: str
    target: Path
    folder: bool = False
    optional: bool = False
    binary: bool = True
    file: AtomicFile | None = None
    staged: StagedFolder | None = None
    used: bool = False
    reserved: set[str] = field(default_factory=set)


@dataclass
class StagedFolder:
    """Files for one output folder, written into a temporary folder beside it.

    `name` picks a file name that is free: not used by this run, not reserved by another
    output in the folder, not an input, and not an existing folder or link in the target.
    """

    target: Path
    stage: Path
    inputs: list[Path]
    reserved: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    existed: bool = False

    def name(self, stem: str, suffix: str = ".html", *, exact: bool = False) -> str:
        """A free file name ``stem + suffix`` (``stem-2…``); ``exact`` refuses any other."""
        candidate, n = stem + suffix, 1
        while not self._free(candidate):
            if exact:
                raise OutputError(f"{candidate} cannot be written there", source=str(self.target / candidate),
                                  hint="another output of this run, or an input, has that name")
            n += 1
            candidate = f"{stem}-{n}{suffix}"
        self.used.add(candidate.lower())
        return candidate

    def _free(self, name: str) -> bool:
        key = name.lower()
        if key in self.used or key in self.reserved:
            return False
        path = self.target / name
        st = _lstat(path)
        if st is not None and not stat.S_ISREG(st.st_mode):
            return False  # a folder, a link, a device: never replaced
        try:
            check_not_input(path, self.inputs)
        except OutputError:
            return False
        return True

    def write(self, name: str, text: str | bytes) -> None:
        """Write one staged file (``name`` from `name`)."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        try:
            with open(self.stage / name, "xb") as fh:
                fh.write(data)
        except OSError as exc:
            raise _write_error(exc, self.target / name) from None


class Transaction:
    """Every output of one run: planned and checked, staged, then committed all or nothing.

    ``inputs`` are the run's input files and folders (None entries are ignored): no output
    may be one of them or lie inside an input folder. Use it as a context manager, or call
    `abort` on failure.
    """

    def __init__(self, inputs: Iterable[str | os.PathLike[str] | None] = ()) -> None:
        self.inputs = [Path(p) for p in inputs if p is not None and str(p) != ""]
        self._planned: list[_Planned] = []
        self._state = "planning"

    # planning
    def file(self, path: str | os.PathLike[str], *, role: str, optional: bool = False,
             binary: bool = True) -> Path:
        """Plan one output file; ``optional`` ones are committed only if written to."""
        target = Path(path)
        _check_target(target)
        check_not_input(target, self.inputs)
        for other in self._planned:
            if _same(other.target, target):
                raise OutputError(f"{other.role} and {role} would go to the same file", source=str(target),
                                  hint="give each output its own path")
        self._planned.append(_Planned(role, target, optional=optional, binary=binary))
        return target

    def folder(self, path: str | os.PathLike[str], *, role: str) -> Path:
        """Plan an output folder (made if missing) that files are added to by name."""
        target = Path(path)
        if "\x00" in str(target):
            raise OutputError("the path contains a NUL character", source=repr(str(target)))
        st = None
        try:
            st = os.stat(target)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputError("is a symbolic link that loops back on itself", source=str(target)) from None
            if exc.errno == errno.ENAMETOOLONG:
                raise OutputError("the path is too long", source=str(target)[:80] + "…") from None
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise OutputError("is not a folder", source=str(target), hint=f"{role} takes a folder")
        parent = target.parent if str(target.parent) else Path(".")
        if st is None and not parent.is_dir():
            raise OutputError("the parent folder does not exist", source=str(parent), hint="create it first")
        if len(os.fsencode(target.name)) > 255:
            raise OutputError("the folder name is too long", source=str(target)[:80] + "…")
        check_not_input(target, self.inputs)
        for other in self._planned:
            if _same(other.target, target):
                raise OutputError(f"{other.role} and {role} would go to the same place", source=str(target),
                                  hint="give each output its own path")
        self._planned.append(_Planned(role, target, folder=True))
        return target

    def _folder_reservations(self) -> None:
        """Files of this run that go straight into a planned folder reserve their names there."""
        for planned in (p for p in self._planned if p.folder):
            top = _real(planned.target)
            for other in self._planned:
                if other is planned:
                    continue
                if other.folder and (_inside(other.target, planned.target) or _inside(planned.target, other.target)):
                    raise OutputError(f"{other.role} is inside {planned.role} (or the other way round)",
                                      source=str(other.target), hint="give each output its own folder")
                if not other.folder and _real(other.target).parent == top:
                    name = other.target.name.lower()
                    if name == "index.html":
                        raise OutputError(f"{other.role} would be overwritten by the index of {planned.role}",
                                          source=str(other.target), hint="give it another name or folder")
                    planned.reserved.add(name)

    # staging
    def begin(self) -> Transaction:
        """Remove our stale temporaries, then stage every planned output beside its target."""
        if self._state != "planning":
            raise RuntimeError("the transaction has already begun")
        self._folder_reservations()
        folders: dict[Path, set[str]] = {}
        for p in self._planned:
            parent = p.target.parent if str(p.target.parent) else Path(".")
            folders.setdefault(parent, set()).add(p.target.name)
        for folder, names in folders.items():
            clean_stale_temporaries(folder, names)
        self._state = "staging"
        try:
            for p in self._planned:
                if p.folder:
                    p.staged = self._stage_folder(p)
                else:
                    p.file = AtomicFile(p.target, binary=p.binary)
        except BaseException:
            self.abort()
            raise
        return self

    def _stage_folder(self, p: _Planned) -> StagedFolder:
        parent = p.target.parent if str(p.target.parent) else Path(".")
        try:
            stage = Path(tempfile.mkdtemp(prefix=_prefix(p.target), suffix=".tmp", dir=parent))
        except OSError as exc:
            raise _write_error(exc, p.target) from None
        _register(stage)
        return StagedFolder(p.target, stage, self.inputs, reserved=set(p.reserved),
                            existed=p.target.is_dir())

    def _get(self, path: str | os.PathLike[str]) -> _Planned:
        target = Path(path)
        for p in self._planned:
            if p.target == target:
                return p
        raise KeyError(f"{target} is not an output of this run")

    def fh(self, path: str | os.PathLike[str]) -> Any:
        """The staged file handle for a planned output file (marks it as written)."""
        p = self._get(path)
        if p.file is None:
            raise RuntimeError("begin() the transaction first")
        p.used = True
        return p.file.fh

    def staged_folder(self, path: str | os.PathLike[str]) -> StagedFolder:
        """The staged folder for a planned output folder (marks it as written)."""
        p = self._get(path)
        if p.staged is None:
            raise RuntimeError("begin() the transaction first")
        p.used = True
        return p.staged

    # committing
    def commit(self) -> list[Path]:
        """Move every written output into place; all or nothing. Returns the paths written.

        Every staged file is flushed and synced, and every device or pipe output flushed,
        before the first rename; a rename that still fails puts back what was replaced.
        """
        if self._state != "staging":
            raise RuntimeError("nothing staged to commit")
        written: list[Path] = []
        moves: list[tuple[Path, Path, bool]] = []  # (staged, target, whole folder)
        try:
            for p in self._planned:
                if p.file is not None:
                    if not p.used and p.optional:
                        p.file.abort()
                        continue
                    p.file.finish()
                    if p.file.tmp is not None:
                        moves.append((p.file.tmp, p.target, False))
                    written.append(p.target)
                elif p.staged is not None:
                    _sync_folder(p.staged.stage)
                    if not p.target.exists():
                        moves.append((p.staged.stage, p.target, True))
                    else:
                        moves.extend((e, p.target / e.name, False) for e in sorted(p.staged.stage.iterdir()))
                    written.append(p.target / "index.html")
        except BaseException:
            self.abort()
            raise
        with deferred_signals():
            self._move(moves)
        self._state = "done"
        return written

    def _move(self, moves: list[tuple[Path, Path, bool]]) -> None:
        done: list[tuple[Path, Path, Path | None]] = []  # (target, staged, backup)
        backup: Path | None = None
        try:
            for staged, target, whole in moves:
                backup = None
                st = _lstat(target)
                if st is not None and stat.S_ISREG(st.st_mode):
                    backup = target.with_name(_prefix(target) + secrets.token_hex(4) + ".bak")
                    try:
                        os.link(target, backup)
                    except OSError:
                        backup = None
                if whole:
                    os.chmod(staged, 0o777 & ~_umask())
                os.replace(staged, target)
                _release(staged)
                done.append((target, staged, backup))
                backup = None
        except BaseException as exc:
            if backup is not None:  # made for the rename that failed: the earlier file is still in place
                backup.unlink(missing_ok=True)
            restored = self._roll_back(done)
            self.abort()
            if isinstance(exc, OSError):
                raise _write_error(exc, target, changed=not restored) from None
            raise
        for _, _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)
        for p in self._planned:
            if p.staged is not None:
                with contextlib.suppress(OSError):
                    p.staged.stage.rmdir()
                _release(p.staged.stage)

    @staticmethod
    def _roll_back(done: list[tuple[Path, Path, Path | None]]) -> bool:
        """Undo the renames made so far; True when every earlier file is back."""
        ok = True
        for target, staged, backup in reversed(done):
            try:
                if backup is not None:
                    os.replace(backup, target)
                else:
                    os.replace(target, staged)  # back into the stage, removed with it
            except OSError:
                ok = False
        return ok

    def abort(self) -> None:
        """Drop everything staged; every earlier file stays as it was. A second signal does
        not cut this short."""
        with deferred_signals():
            for p in self._planned:
                if p.file is not None:
                    p.file.abort()
                if p.staged is not None:
                    shutil.rmtree(p.staged.stage, ignore_errors=True)
                    _release(p.staged.stage)
            self._state = "aborted"

    def __enter__(self) -> Transaction:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if kind is not None and self._state in ("planning", "staging"):
            self.abort()


def _sync_folder(folder: Path) -> None:
    for entry in folder.iterdir():
        fd = os.open(entry, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- names ------------------------------------------------------------------------------------


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


# --- logos ------------------------------------------------------------------------------------


def logo_data_uri(path: str | os.PathLike[str], *, max_bytes: int = 512 * 1024) -> str:
    """A ``data:`` URI for a PNG, JPEG, GIF or SVG logo, to embed in a report.

    Raises `InputError` for a missing, unreadable, oversized or unsupported file, and for
    an SVG that is not UTF-8, is not well-formed XML, or holds anything outside the plain
    SVG elements and attributes (`recommender.svg.check_svg`).
    """
    from .svg import check_svg

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
        check_svg(raw, source=str(p))
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


def csv_safe_arrow(values: Any) -> Any:
    """`csv_safe` on every value of a pyarrow string array at once (nulls stay null)."""
    import pyarrow.compute as pc

    risky = pc.starts_with(values, "=")
    for mark in "+-@\t\r":
        risky = pc.or_(risky, pc.starts_with(values, mark))
    if not pc.any(risky).as_py():
        return values
    number = pc.match_substring_regex(values, "^(?:" + _PLAIN_NUMBER.pattern + ")$")
    fix = pc.fill_null(pc.and_(risky, pc.invert(number)), False)
    return pc.if_else(fix, pc.binary_join_element_wise("'", values, ""), values)


def stdout_handle(*, binary: bool) -> Any:
    """Standard output (its binary buffer with ``binary``); `OutputError` when it is closed."""
    stream = sys.stdout
    if stream is None or getattr(stream, "closed", False):
        raise OutputError("standard output is closed", source="-o -",
                          hint="redirect it to a file or a pipe, or give -o FILE")
    if binary:
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            raise OutputError("standard output takes no bytes here", source="-o -", hint="give -o FILE")
        return buffer
    return stream
