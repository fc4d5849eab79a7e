"""Read YAML safely: bounded size, no code, no alias bombs, no YAML 1.1 surprises.

Every document the tool reads (profiles, catalogue files, weights, cases) goes through
`read_yaml`, which returns plain Python data plus a map from field path to line number, so
that later validation errors can point at the line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "YamlDoc", "read_text", "parse_yaml", "read_yaml"]

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


# libyaml's parser when present (ten times faster, and it caps nesting itself); the
# pure-Python one otherwise. Either way the composed tree is checked by `_check_tree`
# before anything is constructed.
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


# YAML 1.1 reads yes/no/on/off (and so Norway's code NO) as booleans, and 1:30 as a
# sexagesimal number. Use the YAML 1.2 core rules instead: only true/false are booleans.
_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
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


def _check_tree(node: yaml.Node) -> None:
    """Refuse aliases, non-standard tags, deep nesting and huge documents, iteratively."""
    seen: set[int] = set()
    stack = [(node, 1)]
    while stack:
        current, depth = stack.pop()
        line = current.start_mark.line + 1
        if id(current) in seen:
            raise InputError(
                "anchors and aliases (&name, *name) are not allowed",
                line=line,
                hint="write the value out in full",
            )
        seen.add(id(current))
        if len(seen) > MAX_NODES:
            raise InputError(f"document has more than {MAX_NODES:,} values")
        if depth > MAX_DEPTH:
            raise InputError(f"document is nested more than {MAX_DEPTH} levels deep", line=line)
        tag = current.tag or ""
        if tag.startswith("tag:yaml.org,2002:python") or (tag.startswith("!") and not tag.startswith("!!")):
            raise InputError(
                f"the tag {tag!r} is not allowed",
                line=line,
                hint="profiles and catalogues are plain data; remove the tag",
            )
        if isinstance(current, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in current.value)
        elif isinstance(current, yaml.MappingNode):
            for k, v in current.value:
                stack.extend(((k, depth + 1), (v, depth + 1)))


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
                    key_path = (*path, key_node.value)
                    lines[key_path] = key_node.start_mark.line + 1
                    stack.append((key_path, value_node))
    return lines


def read_text(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES, what: str = "file") -> str:
    """Read a UTF-8 text file (a BOM is accepted) no larger than ``max_bytes``.

    Raises `InputError` naming the file for a missing file, a directory, an empty,
    oversized, binary or non-UTF-8 file.
    """
    p = Path(path)
    source = str(p)
    if not p.exists():
        raise InputError(f"no such {what}", source=source, hint="check the path and spelling")
    if p.is_dir():
        raise InputError(f"is a directory, not a {what}", source=source)
    try:
        with p.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}", source=source) from None
    if len(raw) > max_bytes:
        raise InputError(
            f"is larger than {max_bytes // 1024:,} KiB", source=source, hint=f"a {what} is a short text file"
        )
    return decode(raw, source=source, what=what)


def decode(raw: bytes, *, source: str, what: str = "file") -> str:
    """Decode UTF-8 bytes (BOM accepted); refuse binary, UTF-16 without BOM and empty input."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("is not valid UTF-16 text", source=source) from None
    if b"\x00" in raw:
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
            "is not UTF-8 text",
            source=source,
            line=line,
            hint="save it as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: encoding UTF-8)",
        ) from None
    if not text.strip():
        raise InputError("is empty", source=source, hint=f"see profiles/template.yaml for a {what} to start from")
    return text


def parse_yaml(text: str, *, source: str = "<string>") -> YamlDoc:
    """Parse one YAML document safely into plain data with a line map."""
    if len(text) > MAX_BYTES * 2:
        raise InputError(f"is larger than {MAX_BYTES // 1024:,} KiB", source=source)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError("is empty", source=source)
            _check_tree(node)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except InputError as exc:
        exc.source = exc.source or source
        raise type(exc)(
            exc.message, source=exc.source, line=exc.line, field=exc.field, hint=exc.hint
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise InputError(
            f"YAML syntax error: {problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            hint="check indentation, colons and quotes on that line",
        ) from None
    except yaml.reader.ReaderError as exc:
        raise InputError(
            f"contains a control character (code {exc.character:#04x}) that YAML does not allow",
            source=source,
            hint="save the file as plain UTF-8 text",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", source=source) from None
    except RecursionError:
        raise InputError("document is nested too deeply", source=source) from None
    return YamlDoc(data, _line_map(node), source)


def read_yaml(path: str | os.PathLike[str], *, what: str = "file", max_bytes: int = MAX_BYTES) -> YamlDoc:
    """Read and parse a YAML file with every safety check; see `read_text`, `parse_yaml`."""
    return parse_yaml(read_text(path, max_bytes=max_bytes, what=what), source=str(path))


def require_mapping(doc: YamlDoc, *, what: str, error: type[InputError] = InputError) -> Mapping:
    """The document's top level as a mapping, or a clear error saying what it is instead."""
    if not isinstance(doc.data, Mapping):
        kind = type(doc.data).__name__
        shown = {"list": "a list", "str": "a single value", "int": "a number", "float": "a number",
                 "bool": "true/false"}.get(kind, kind)
        raise error(
            f"the top level must be a mapping of fields (name: …, kind: …), not {shown}",
            source=doc.source,
            line=1,
            hint=f"see the {what} template",
        )
    return doc.data
