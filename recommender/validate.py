"""Stage 1: turn a raw profile (YAML file or mapping) into a validated, normalised `Profile`.

Spellings are resolved against the catalogue's taxonomy (aliases, case, hyphens),
countries against ISO 3166, memberships against the catalogue's ids; anything unknown is
a `ProfileError` that names the field, the line and the closest valid values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .catalogue import Catalogue, load_catalogue, pydantic_error
from .countries import resolve_country, suggest_country
from .errors import InputError, ProfileError
from .loading import YamlDoc, read_yaml, require_mapping
from .models import Profile
from .vocabulary import did_you_mean, fold_key

__all__ = ["load_profile", "validate_profile", "split_list", "PROFILE_FIELDS"]

PROFILE_FIELDS = (
    "name", "kind", "country", "sourcing_countries", "sector", "workforce", "issues",
    "prefers", "memberships", "description", "id",
)
_WORKFORCE_FIELDS = ("size", "women_share", "migrant_share")
_KINDS = {
    "factory": "factory", "supplier": "factory", "manufacturer": "factory", "mill": "factory",
    "facility": "factory", "producer": "factory", "site": "factory",
    "brand": "brand", "retailer": "brand", "buyer": "brand", "company": "brand",
}


def split_list(value: Any) -> list:
    """A list from a list, or from a string separated by ``;`` or ``,``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[;,\n]", value) if p.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class _Checker:
    """Validation of one raw profile, collecting the line of each field for errors."""

    def __init__(self, doc: YamlDoc, catalogue: Catalogue) -> None:
        self.doc = doc
        self.cat = catalogue

    def fail(self, message: str, path: tuple, hint: str | None = None) -> ProfileError:
        return ProfileError(
            message,
            source=self.doc.source,
            line=self.doc.line(path),
            field=".".join(str(p) for p in path) or None,
            hint=hint,
        )

    def text(self, value: Any, path: tuple, *, required: bool = False) -> str:
        if value is None:
            if required:
                raise self.fail("required field is missing", path)
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(f"must be text, not {_kind(value)}", path)
        return str(value).strip()

    def country(self, value: Any, path: tuple) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise self.fail("required field is missing",
                path, "give an ISO code such as BD or a name such as Bangladesh")
        if isinstance(value, bool):
            raise self.fail("must be a country code or name, not true/false", path, "quote it, e.g. \"NO\"")
        code = resolve_country(str(value))
        if code is None:
            close = suggest_country(str(value))
            hint = (
                ("did you mean " + " or ".join(close) + "?")
                if close else "use an ISO code such as BD, CN, VN or an English name"
            )
            raise self.fail(f"unknown country {str(value)!r}", path, hint)
        return code

    def key(self, section: str, value: Any, path: tuple) -> str:
        vocab = self.cat.vocab[section]
        resolved = vocab.resolve(value)
        if resolved is None:
            noun = {"sectors": "sector", "issues": "issue", "approaches": "approach"}[section]
            raise self.fail(f"unknown {noun} {str(value)!r}", path, vocab.hint(value))
        return resolved

    def issues(self, value: Any) -> dict[str, int]:
        path = ("issues",)
        if value is None:
            raise self.fail("required field is missing", path, "list at least one issue, e.g. [wages, health_safety]")
        pairs: list[tuple[Any, Any, tuple]] = []
        if isinstance(value, Mapping):
            pairs = [(k, w, ("issues", k)) for k, w in value.items()]
        elif isinstance(value, (list, tuple, str)):
            for i, item in enumerate(split_list(value)):
                if isinstance(item, Mapping) and len(item) == 1:
                    (k, w), = item.items()
                elif isinstance(item, str) and ":" in item:
                    k, _, w = item.partition(":")
                    w = w.strip()
                    w = int(w) if w.lstrip("-").isdigit() else w
                else:
                    k, w = item, 1
                pairs.append((k, w, ("issues", i)))
        else:
            raise self.fail(f"must be a list of issue keys or a mapping key: weight, not {_kind(value)}", path)
        if not pairs:
            raise self.fail("is empty: list at least one issue", path, "e.g. issues: [wages, health_safety]")
        out: dict[str, int] = {}
        for raw_key, weight, p in pairs:
            key = self.key("issues", raw_key, p)
            if weight is None:
                weight = 1
            if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 3:
                raise self.fail(f"weight of {key!r} must be 1, 2 or 3, not {weight!r}",
                    p, "3 = top priority, 1 = minor")
            if key in out:
                raise self.fail(f"issue {key!r} is listed twice", p, "keep one entry")
            out[key] = weight
        return out

    def keys(self, section: str, value: Any, field: str) -> tuple[str, ...]:
        if value is not None and not isinstance(value, (list, tuple, str)):
            raise self.fail(f"must be a list, not {_kind(value)}", (field,))
        out: list[str] = []
        for i, item in enumerate(split_list(value)):
            key = self.key(section, item, (field, i))
            if key not in out:
                out.append(key)
        return tuple(out)

    def memberships(self, value: Any) -> tuple[str, ...]:
        if value is not None and not isinstance(value, (list, tuple, str)):
            raise self.fail(f"must be a list of initiative ids, not {_kind(value)}", ("memberships",))
        out: list[str] = []
        items = split_list(value)
        by_name = {fold_key(i.name): i.id for i in self.cat} if items else {}
        for i, item in enumerate(items):
            text = str(item).strip()
            ident = text.lower() if text.lower() in self.cat else by_name.get(fold_key(text))
            if ident is None:
                close = did_you_mean(text.lower(), self.cat.ids)
                hint = (
                    ("did you mean " + " or ".join(repr(c) for c in close) + "?")
                    if close else "valid ids: " + ", ".join(self.cat.ids)
                )
                raise self.fail(f"unknown initiative {text!r}", ("memberships", i), hint)
            if ident not in out:
                out.append(ident)
        return tuple(out)

    def workforce(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(f"must be a mapping (size, women_share, migrant_share), not {_kind(value)}", ("workforce",))
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k not in _WORKFORCE_FIELDS:
                raise self.fail("unknown field", ("workforce", k), _suggest_field(k, _WORKFORCE_FIELDS))
            if v is None:
                continue
            if k == "size":
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                if isinstance(v, bool) or not isinstance(v, int):
                    raise self.fail(f"must be a whole number of workers, not {v!r}", ("workforce", k))
                if v < 1:
                    raise self.fail(f"must be at least 1, not {v}", ("workforce", k))
                if v > 1_000_000:
                    raise self.fail(f"{v:,} workers is not a plausible workforce",
                        ("workforce", k), "give the number of workers at this site or supply base, at most 1,000,000")
            else:
                if isinstance(v, str) and v.strip().endswith("%"):
                    try:
                        v = float(v.strip()[:-1]) / 100
                    except ValueError:
                        raise self.fail(f"must be a number between 0 and 1, not {v!r}", ("workforce", k)) from None
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise self.fail(f"must be a number between 0 and 1, not {v!r}", ("workforce", k))
                if not 0 <= v <= 1:
                    hint = f"write {v / 100:g} for {v:g} %" if 1 < v <= 100 else "a share is a fraction between 0 and 1"
                    raise self.fail(f"must be between 0 and 1, not {v:g}", ("workforce", k), hint)
                v = float(v)
            out[k] = v
        return out


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number", str: "text"}.get(
        type(value), type(value).__name__
    )


def _suggest_field(name: Any, fields: tuple[str, ...]) -> str:
    close = did_you_mean(str(name).lower(), fields)
    if close:
        return f"did you mean {close[0]!r}?"
    return "valid fields: " + ", ".join(fields)


_NON_WORD = re.compile(r"[^\w]+")
_PHRASES: dict[int, tuple[Any, dict[str, tuple[tuple[tuple[str, ...], int], ...]]]] = {}


def _issue_phrases(taxonomy: Any) -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Each issue's keywords and label as word tuples, by first word, cached per taxonomy."""
    hit = _PHRASES.get(id(taxonomy))
    if hit is None or hit[0] is not taxonomy:
        index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for pos, entry in enumerate(taxonomy.issues.values()):
            for phrase in (*entry.keywords, entry.label):
                words = tuple(_NON_WORD.sub(" ", phrase.lower()).split())
                if words:
                    index.setdefault(words[0], []).append((words, pos))
        if len(_PHRASES) > 16:
            _PHRASES.clear()
        hit = _PHRASES[id(taxonomy)] = (taxonomy, {w: tuple(v) for w, v in index.items()})
    return hit[1]


def infer_issues(description: str, catalogue: Catalogue, *, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Issue keys whose taxonomy keywords appear in free text, in taxonomy order.

    Text and keywords are compared as lower-case word sequences: a keyword matches where
    its words appear one after another.
    """
    if not description:
        return ()
    words = _NON_WORD.sub(" ", description.lower()).split()
    phrases = _issue_phrases(catalogue.taxonomy)
    found: set[int] = set()
    for i, word in enumerate(words):
        for phrase, pos in phrases.get(word, ()):
            if pos not in found and (len(phrase) == 1 or tuple(words[i:i + len(phrase)]) == phrase):
                found.add(pos)
    keys = list(catalogue.taxonomy.issues)
    return tuple(keys[p] for p in sorted(found) if keys[p] not in exclude)


def validate_profile(
    data: Mapping[str, Any] | YamlDoc, *, catalogue: Catalogue | None = None, source: str = "<profile>"
) -> Profile:
    """Check and normalise a raw profile against ``catalogue`` (the packaged one by default).

    Raises `ProfileError` for the first problem, naming field, line and a fix.
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    doc = data if isinstance(data, YamlDoc) else YamlDoc(data, {}, source)
    raw = require_mapping(doc, what="profile", error=ProfileError)
    c = _Checker(doc, cat)
    for key in raw:
        if key not in PROFILE_FIELDS:
            raise c.fail("unknown field", (key,), _suggest_field(key, PROFILE_FIELDS))
    kind_text = c.text(raw.get("kind"), ("kind",), required=True).lower()
    if kind_text not in _KINDS:
        raise c.fail(f"unknown kind {kind_text!r}", ("kind",), "use factory (a production site) or brand (a buyer)")
    issues = c.issues(raw.get("issues"))
    description = c.text(raw.get("description"), ("description",))
    fields: dict[str, Any] = {
        "name": c.text(raw.get("name"), ("name",), required=True),
        "kind": _KINDS[kind_text],
        "country": c.country(raw.get("country"), ("country",)),
        "sourcing_countries": tuple(
            dict.fromkeys(c.country(v, ("sourcing_countries", i))
                for i, v in enumerate(split_list(raw.get("sourcing_countries"))))
        ),
        "sector": c.key("sectors", c.text(raw.get("sector"), ("sector",), required=True), ("sector",)),
        "workforce": c.workforce(raw.get("workforce")),
        "issues": issues,
        "prefers": c.keys("approaches", raw.get("prefers"), "prefers"),
        "memberships": c.memberships(raw.get("memberships")),
        "description": description,
        "inferred_issues": infer_issues(description, cat, exclude=tuple(issues)),
    }
    if raw.get("id") not in (None, ""):
        fields["id"] = c.text(raw.get("id"), ("id",))
    if not fields["name"]:
        raise c.fail("must not be empty", ("name",), "give the client's name")
    try:
        return Profile.model_validate(fields)
    except ValidationError as exc:
        raise pydantic_error(exc, doc, source=doc.source, error=ProfileError) from None


def load_profile(
    profile: str | os.PathLike[str] | Mapping[str, Any] | Profile, *, catalogue: Catalogue | None = None
) -> Profile:
    """A validated `Profile` from a YAML file path, a mapping, or a `Profile` (returned as is)."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, Mapping):
        return validate_profile(profile, catalogue=catalogue, source="<profile>")
    if isinstance(profile, (str, os.PathLike)):
        try:
            doc = read_yaml(Path(profile), what="profile")
        except ProfileError:
            raise
        except InputError as exc:
            raise ProfileError(exc.message, source=exc.source, line=exc.line, field=exc.field, hint=exc.hint) from None
        return validate_profile(doc, catalogue=catalogue)
    raise TypeError(f"expected a path, a mapping or a Profile, not {type(profile).__name__}")
