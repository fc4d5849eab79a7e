"""Read YAML safely: bounded size, no code, no alias bombs, no YAML 1.1 surprises.

Every document the tool reads (profiles, catalogue files, weights, cases) goes through
`read_yaml`, which returns plain Python data plus a map from field path to line number, so
that later validation errors can point at the line.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, shorten

__all__ = ["MAX_BYTES", "MAX_DEPTH", "YamlDoc", "read_text", "parse_yaml", "read_yaml", "source_date_epoch"]

MAX_BYTES = 1 << 20  # 1 MiB: far above any real profile, far below a memory problem
MAX_DEPTH = 32
MAX_NODES = 100_000


class YamlDoc:
    """Parsed YAML data and the line (1-based) of every field path in it."""

    __slots__ = ("data", "lines", "source")

    def __init__(self, data: Any, lines: dict[tuple, int], source: str) -> None:
        self.data = data
        self.lines = lines
        self.source = source

    def line(self, path: tuple) -> int | None:
        """The line of ``path`` or of its nearest parent that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


# libyaml's parser when present (ten times faster); the pure-Python one otherwise. Either
# way `_scan` checks the event stream before a tree is composed or anything constructed.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader with the YAML 1.2 core booleans and duplicate keys refused."""

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise InputError(
                    "a mapping key must be a plain value", line=key_node.start_mark.line + 1
                ) from None
            if key in seen:
                raise InputError(
                    f"duplicate key {key!r} (first given on line {seen[key]})",
                    line=key_node.start_mark.line + 1,
                    field=str(key),
                    hint="keep one of them",
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):  # type: ignore[override]
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise InputError(f"a number with {len(node.value):,} digits is too long",
                line=node.start_mark.line + 1, hint="put it in quotes if it is text") from None

    def construct_yaml_timestamp(self, node):  # type: ignore[override]
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            raise InputError(f"{node.value!r} is not a valid date", line=node.start_mark.line + 1,
                hint="write dates as YYYY-MM-DD, or put the value in quotes if it is text") from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


# YAML 1.1 reads yes/no/on/off (and so Norway's code NO) as booleans, and 1:30 as a
# sexagesimal number. Use the YAML 1.2 core rules instead: only true/false are booleans.
# "<<" merge keys are YAML 1.1 too (and need aliases): "<<" is read as a plain key.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:merge")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.yaml_implicit_resolvers = {
    ch: [
        (tag, rx)
        for tag, rx in resolvers
        if not (tag == "tag:yaml.org,2002:int" and ":" in rx.pattern)
        and not (tag == "tag:yaml.org,2002:float" and ":" in rx.pattern)
    ]
    for ch, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]+(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$")
for _tag, _rx, _first in (
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789.")),
):
    _Loader.add_implicit_resolver(_tag, _rx, _first)


# Tags a plain-data document may carry explicitly ("!" is the non-specific tag, a string).
_PLAIN_TAGS = {"!"} | {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map",
                                                            "timestamp")}


def _scan(text: str, *, max_nodes: int) -> None:
    """Refuse aliases and anchors, foreign tags, deep nesting, huge and multi-document input.

    Runs over the parser's events one at a time, before any tree is built, so an alias
    bomb, a deeply nested or a very wide document is refused in bounded time and memory.
    """
    loader = _Loader(text)
    try:
        depth = nodes = documents = 0
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return
            line = event.start_mark.line + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise InputError("holds more than one YAML document", line=line,
                        hint="a line '---' starts another; keep one document per file")
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                continue
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise InputError("anchors and aliases (&name, *name) are not allowed", line=line,
                    hint="write the value out in full")
            if not isinstance(event, yaml.NodeEvent):
                continue
            tag = event.tag
            if tag is not None and tag not in _PLAIN_TAGS:
                raise InputError(f"the tag {tag!r} is not allowed", line=line,
                    hint="profiles and catalogues are plain data; remove the tag")
            nodes += 1
            if nodes > max_nodes:
                raise InputError(f"document has more than {max_nodes:,} values")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InputError(f"document is nested more than {MAX_DEPTH} levels deep", line=line,
                        hint="profiles and catalogues are a few levels deep at most")
    finally:
        loader.dispose()


def _key(node: yaml.Node) -> Any:
    """A scalar mapping key as the loader constructs it (``12:`` is the number 12)."""
    tag = node.tag.rsplit(":", 1)[-1]
    try:
        if tag == "int":
            return int(node.value.replace("_", ""))
        if tag == "float":
            return float(node.value.replace("_", ""))
    except ValueError:
        return node.value
    if tag == "null":
        return None
    if tag == "bool":
        return node.value.lower() == "true"
    return node.value


def _line_map(node: yaml.Node) -> dict[tuple, int]:
    lines: dict[tuple, int] = {}
    stack: list[tuple[tuple, yaml.Node]] = [((), node)]
    while stack:
        path, current = stack.pop()
        lines.setdefault(path, current.start_mark.line + 1)
        if isinstance(current, yaml.SequenceNode):
            for i, child in enumerate(current.value):
                stack.append(((*path, i), child))
        elif isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode):
                    key_path = (*path, _key(key_node))
                    lines[key_path] = key_node.start_mark.line + 1
                    stack.append((key_path, value_node))
    return lines


# Where to start from, per kind of file, for "is empty" and "not a mapping" errors.
_START_FROM = {
    "profile": "see profiles/template.yaml for a profile to start from",
    "catalogue file": "see catalogue/README.md for the format",
    "initiative": "see catalogue/README.md for the format",
    "taxonomy": "see catalogue/README.md for the format",
    "catalogue": "see catalogue/README.md for the format",
    "weights file": "write one with `match learn`",
    "cases file": "see docs/evaluation.md for the format",
}


#: The latest date SOURCE_DATE_EPOCH may give: 9999-12-31 23:59:59 UTC.
_MAX_EPOCH = 253_402_300_799


def source_date_epoch() -> _dt.date | None:
    """The date ``SOURCE_DATE_EPOCH`` gives (UTC), or None when it is not set.

    Raises `InputError` when it is set but is not a whole number of seconds since 1970
    between 0 and the end of year 9999 (reproducible-build tools must not guess).
    """
    text = os.environ.get("SOURCE_DATE_EPOCH")
    if text is None or not text.strip():
        return None
    value = text.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 12 or int(value) > _MAX_EPOCH:
        raise InputError(f"SOURCE_DATE_EPOCH is {shorten(value, 40)!r}, not a number of seconds since 1970 "
                         "before the year 10000", hint="unset it, or set it to e.g. $(date +%s)")
    return _dt.datetime.fromtimestamp(int(value), tz=_dt.timezone.utc).date()


def read_text(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, what: str = "file") -> str:
    """Read a UTF-8 text file (a BOM is accepted) no larger than ``max_bytes``.

    Raises `InputError` naming the file for a missing file, a directory, an empty,
    oversized, binary or non-UTF-8 file, and for a path that cannot name a file at all.
    """
    p = Path(path)
    source = str(p)
    try:
        if not p.exists():
            raise InputError(f"no such {what}", source=source, hint="check the path and spelling")
        if p.is_dir():
            raise InputError(f"is a folder, not a {what}", source=source)
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except ValueError:  # a NUL character in the path
        raise InputError("the path contains a NUL character", source=source) from None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError("the path is too long", source=source[:80] + "…") from None
        hint = "check the file's permissions" if exc.errno in (errno.EACCES, errno.EPERM) else None
        raise InputError(f"cannot be read: {exc.strerror or exc}", source=source, hint=hint) from None
    if len(raw) > max_bytes:
        raise InputError(
            f"is larger than {max_bytes // 1024:,} KiB", source=source, hint=f"a {what} is a short text file"
        )
    return decode(raw, source=source, what=what)


def _utf16_without_bom(raw: bytes) -> bool:
    """True when every other byte is NUL, as in UTF-16 text of mostly Latin letters."""
    sample = raw[:4096]
    if len(sample) < 4:
        return False
    return any(sample[i::2].count(0) >= 0.9 * len(sample[i::2]) for i in (0, 1))


def decode(raw: bytes, *, source: str, what: str = "file") -> str:
    """Decode UTF-8 bytes (BOM accepted); refuse binary, UTF-16 without BOM and empty input."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("is not valid UTF-16 text", source=source, hint="save it as UTF-8") from None
        return _not_empty(text, source=source, what=what)
    if b"\x00" in raw:
        if _utf16_without_bom(raw):
            raise InputError("looks like UTF-16 text without a byte-order mark", source=source,
                hint=f"save the {what} as UTF-8 text")
        raise InputError(
            "looks like a binary file, not text",
            source=source,
            hint=f"save the {what} as UTF-8 text",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"is not UTF-8 text (byte {raw[exc.start]:#04x})",
            source=source,
            line=line,
            hint="save it as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: encoding UTF-8)",
        ) from None
    return _not_empty(text, source=source, what=what)


def _not_empty(text: str, *, source: str, what: str) -> str:
    if not text.lstrip("\ufeff").strip():
        raise InputError("is empty", source=source, hint=_START_FROM.get(what))
    return text


# Characters YAML reserves at the start of a plain value.
_QUOTE_FIRST = "@`%"


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, source: str) -> InputError:
    """A YAML syntax error as one plain sentence, with a fix for the common slips."""
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    context = (exc.context or "").strip()
    line = mark.line + 1 if mark else None
    lines = text.splitlines()
    row = lines[mark.line] if mark and mark.line < len(lines) else ""
    char = row[mark.column] if mark and mark.column < len(row) else ""
    message, hint = f"YAML syntax error: {problem}", "check indentation, colons and quotes on that line"
    opened = exc.context_mark.line + 1 if exc.context_mark else None
    if "maximum nesting depth" in problem:  # libyaml's own cap, met while scanning ahead
        message, hint = f"document is nested more than {MAX_DEPTH} levels deep", None
    elif "tab" in problem or (char == "\t" and "cannot start any token" in problem):
        message, hint = "YAML syntax error: a tab is used for indentation", "indent with spaces, not tabs"
    elif "cannot start any token" in problem and char and char in _QUOTE_FIRST:
        message = f"YAML syntax error: a value cannot start with {char!r} unless it is in quotes"
        hint = f'put the value in quotes, e.g. name: "{char}home Ltd"'
    elif "mapping values are not allowed" in problem:
        hint = 'a value containing ": " must be in quotes, e.g. name: "Acme: Knit Ltd"; or fix the indentation'
    elif "could not find expected ':'" in problem:
        hint = "each line is key: value; continue a long value on the next line, indented, or put it in quotes"
    elif "escape" in problem or "hexdecimal" in problem or "hexadecimal" in problem:
        col = mark.column if mark else 0
        at = row.rfind("\\", 0, col + 1)
        shown = f"the escape {row[at:at + 2]}" if at >= 0 else "a backslash escape"
        message = f"YAML syntax error: {shown} is not one YAML knows inside double quotes"
        hint = ("put text with backslashes in single quotes ('C:\\files'), or write each backslash twice "
                "inside double quotes")
    elif "quoted scalar" in context and opened:
        message, line = f"YAML syntax error: the quote opened on line {opened} is never closed", opened
        hint = "add the closing quote"
    elif "flow sequence" in context and opened:
        message, line = f"YAML syntax error: the list '[' opened on line {opened} is not closed", opened
        hint = "close it with ']' and separate the items with commas"
    elif "flow mapping" in context and opened:
        message, line = f"YAML syntax error: the mapping '{{' opened on line {opened} is not closed", opened
        hint = "close it with '}' and separate the entries with commas"
    elif "block end" in problem or "expected key" in problem or "block mapping" in context:
        hint = "check the indentation: the entries of one list or mapping must line up"
    return InputError(message, source=source, line=line, hint=hint)


def parse_yaml(
    text: str, *, source: str = "<string>", max_chars: int = MAX_BYTES, max_nodes: int = MAX_NODES
) -> YamlDoc:
    """Parse one YAML document safely into plain data with a line map.

    Raises `InputError` for text longer than ``max_chars``, a syntax error, an alias or
    anchor, a tag other than YAML's plain ones, more than ``max_nodes`` values, more than
    `MAX_DEPTH` levels of nesting, a second document, a duplicate key or a bad number/date.
    """
    if len(text) > max_chars:
        raise InputError(f"is larger than {max_chars // 1024:,} KiB", source=source)
    try:
        _scan(text, max_nodes=max_nodes)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError("is empty", source=source)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except InputError as exc:
        raise type(exc)(
            exc.message, source=exc.source or source, line=exc.line, field=exc.field, hint=exc.hint
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, source) from None
    except yaml.reader.ReaderError as exc:
        raise InputError(
            f"contains a control character (code {exc.character:#04x}) that YAML does not allow",
            source=source,
            line=text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None,
            hint="save the file as plain UTF-8 text",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {' '.join(str(exc).split())}", source=source) from None
    except RecursionError:
        raise InputError("document is nested too deeply", source=source) from None
    return YamlDoc(data, _line_map(node), source)


def read_yaml(
    path: str | os.PathLike[str], *, what: str = "file", max_bytes: int = MAX_BYTES,
    error: type[InputError] = InputError,
) -> YamlDoc:
    """Read and parse a YAML file with every safety check; see `read_text`, `parse_yaml`.

    A problem is raised as ``error`` (an `InputError` subclass such as `ProfileError`)."""
    try:
        return parse_yaml(
            read_text(path, max_bytes=max_bytes, what=what),
            source=str(path),
            max_chars=max_bytes,
            max_nodes=MAX_NODES * max(1, max_bytes // MAX_BYTES),
        )
    except InputError as exc:
        if isinstance(exc, error):
            raise
        raise error(exc.message, source=exc.source, line=exc.line, field=exc.field, hint=exc.hint) from None


def require_mapping(doc: YamlDoc, *, what: str, error: type[InputError] = InputError) -> Mapping:
    """The document's top level as a mapping, or a clear error saying what it is instead."""
    if not isinstance(doc.data, Mapping):
        if doc.data is None:
            raise error("holds no fields", source=doc.source, line=1, hint=_START_FROM.get(what))
        kind = type(doc.data).__name__
        shown = {"list": "a list", "str": "a single value", "int": "a number", "float": "a number",
                 "bool": "true/false"}.get(kind, "a single value")
        example = " (name: …, kind: …)" if what == "profile" else ""
        raise error(
            f"the top level must be a mapping of fields{example}, not {shown}",
            source=doc.source,
            line=1,
            hint=("the lines must read key: value, not start with '- '" if kind == "list" else _START_FROM.get(what)),
        )
    return doc.data
