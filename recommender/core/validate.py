"""Stage 1: turn a raw profile (YAML file or mapping) into a validated, normalised `Profile`.

Spellings are resolved against the catalogue's taxonomy (aliases, case, hyphens),
countries against ISO 3166, memberships against the catalogue's ids; anything unknown is
a `ProfileError` that names the field, the line and the closest valid values.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..catalogue import Catalogue, load_catalogue, pydantic_error
from ..countries import resolve_country, suggest_country
from ..datasets import STAGES
from ..errors import ProfileError
from ..loading import YamlDoc, read_yaml, require_mapping
from ..models import Profile
from ..numbers import number_problem
from ..vocabulary import clean_text as _clean
from ..vocabulary import did_you_mean, fold_key
from .text import segments

__all__ = ["load_profile", "validate_profile", "split_list", "infer_issues", "PROFILE_FIELDS", "LIST_WEIGHT"]

PROFILE_FIELDS = (
    "name", "kind", "country", "sourcing_countries", "sector", "stage", "workforce", "issues",
    "prefers", "wants", "memberships", "description", "id",
)
# Value-chain stages as people write them.
_STAGE_NAMES = {
    **{fold_key(s): s for s in STAGES},
    **{fold_key(a): s for s, aliases in {
        "raw_materials": ("raw material", "raw materials", "farm", "farming", "tier 4", "ginning", "mine", "mining"),
        "material_production": ("materials", "material", "fabric", "spinning", "weaving", "knitting", "mill",
                                "textile mill", "tier 3", "tier 2"),
        "wet_processing": ("wet", "dyeing", "dye house", "dyehouse", "printing", "washing", "laundry", "finishing",
                           "tannery", "tanning", "printing dyeing and laundering"),
        "component_production": ("components", "component", "trims", "accessories", "parts"),
        "assembly": ("final assembly", "finished goods", "cut make trim", "cmt", "sewing", "tier 1",
                     "final product assembly"),
        "packing_and_logistics": ("packing", "warehouse", "warehousing", "logistics", "distribution"),
    }.items() for a in aliases},
}
#: The weight of each issue of a plain list: priorities, equal ("a priority").
LIST_WEIGHT = 2
_WORKFORCE_FIELDS = ("size", "women_share", "migrant_share")
# Field names as people write them ("Name", "Sourcing Countries", "women-share") to ours.
_FIELD_NAMES = {fold_key(f): f for f in PROFILE_FIELDS}
_WORKFORCE_NAMES = {fold_key(f): f for f in _WORKFORCE_FIELDS}
_KINDS = {
    "factory": "factory", "supplier": "factory", "manufacturer": "factory", "mill": "factory",
    "facility": "factory", "producer": "factory", "site": "factory",
    "brand": "brand", "retailer": "brand", "buyer": "brand", "company": "brand",
}
_NOUNS = {"sectors": "sector", "issues": "issue", "approaches": "approach", "offers": "offer"}
_REQUIRED_HINTS = {
    "name": "give the client's name",
    "kind": "factory (a production site) or brand (a buyer)",
    "sector": "e.g. garment; `match taxonomy` lists them all",
}
_WHOLE = re.compile(r"[0-9]{1,3}(?:[, ][0-9]{3})+|[0-9]+")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_COMMA_HINT = ("inside { } a comma starts a new entry: write numbers without thousands separators "
               "(size: 1200) and decimals with a dot (0.7)")


def split_list(value: Any) -> list:
    """A list from a list, or from a string separated by ``;`` or ``,``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[;,\n]", value) if p.strip()]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _path_text(path: tuple) -> str | None:
    return ".".join("null" if p is None else str(p).lower() if isinstance(p, bool) else str(p) for p in path) or None


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
            field=_path_text(path),
            hint=hint,
        )

    def text(self, value: Any, path: tuple, *, required: bool = False) -> str:
        if value is None:
            if required:
                raise self.fail("required field is missing", path, _REQUIRED_HINTS.get(path[-1]))
            return ""
        if isinstance(value, (_dt.date, _dt.datetime)):  # name: 2024-01-01 is text here
            return value.isoformat()
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(f"must be text, not {_kind(value)}", path)
        text = _clean(str(value))
        if required and not text:
            raise self.fail("must not be empty", path, _REQUIRED_HINTS.get(path[-1]))
        return text

    def item(self, value: Any, path: tuple, noun: str, example: str) -> str:
        """One entry of a list field: text, not empty, not a nested list or mapping."""
        if value is None or (isinstance(value, str) and not _clean(value)):
            raise self.fail("is an empty entry", path, f"write {noun} such as {example!r}, or remove the entry")
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            hint = "one level of brackets: [a, b]" if isinstance(value, (list, tuple)) else None
            raise self.fail(f"must be {noun} such as {example!r}, not {_kind(value)}", path, hint)
        return _clean(str(value))

    def country(self, value: Any, path: tuple) -> str:
        if value is None or (isinstance(value, str) and not _clean(value)):
            raise self.fail("required field is missing",
                path, "give an ISO code such as BD or a name such as Bangladesh")
        if isinstance(value, bool):
            raise self.fail("must be a country code or name, not true/false", path, "quote it, e.g. \"NO\"")
        if isinstance(value, (list, tuple, Mapping)) and path == ("country",):
            raise self.fail(f"must be one country, not {_kind(value)}", path,
                "a brand lists the countries it buys from under sourcing_countries")
        if not isinstance(value, (str, int)):
            raise self.fail(f"must be a country code or name, not {_kind(value)}", path)
        text = _clean(str(value))
        code = resolve_country(text)
        if code is None:
            close = suggest_country(text)
            hint = (
                ("did you mean " + " or ".join(close) + "?")
                if close else "use an ISO code such as BD, CN, VN or an English name"
            )
            raise self.fail(f"unknown country {text!r}", path, hint)
        return code

    def key(self, section: str, value: Any, path: tuple) -> str:
        vocab = self.cat.vocab[section]
        noun = _NOUNS[section]
        text = self.item(value, path, f"a{'n' if noun[0] in 'aeiou' else ''} {noun} key", vocab.keys[0])
        resolved = vocab.resolve(text)
        if resolved is None:
            raise self.fail(f"unknown {noun} {text!r}", path, vocab.hint(text))
        return resolved

    def weight(self, key: str, weight: Any, path: tuple) -> int:
        if weight is None or (isinstance(weight, str) and not weight.strip()):
            return LIST_WEIGHT
        if isinstance(weight, str) and weight.strip().isascii() and weight.strip().isdigit():
            weight = int(weight.strip())  # "3" from quotes or a spreadsheet
        elif isinstance(weight, float) and weight.is_integer():
            weight = int(weight)
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 3:
            raise self.fail(f"weight of {key!r} must be 1, 2 or 3, not {weight!r}",
                path, "3 = top priority, 2 = important, 1 = minor")
        return weight

    def issues(self, value: Any) -> dict[str, int]:
        path = ("issues",)
        if value is None or (isinstance(value, str) and not _clean(value)):
            return {}  # likely issues are then inferred (see `validate_profile`)
        pairs: list[tuple[Any, Any, tuple]] = []
        if isinstance(value, Mapping):
            pairs = [(k, w, ("issues", k)) for k, w in value.items()]
        elif isinstance(value, (list, tuple, str)):
            for i, item in enumerate(split_list(value)):
                if isinstance(item, Mapping):  # - wages: 3 (one or more key: weight entries)
                    if not item:
                        raise self.fail("is an empty entry", ("issues", i), "write an issue key such as 'wages'")
                    pairs.extend((k, w, ("issues", i) if len(item) == 1 else ("issues", i, k))
                                 for k, w in item.items())
                elif isinstance(item, str) and ":" in item:
                    k, _, w = item.partition(":")
                    pairs.append((k, w.strip(), ("issues", i)))
                else:
                    pairs.append((item, LIST_WEIGHT, ("issues", i)))
        else:
            raise self.fail(f"must be a list of issue keys or a mapping key: weight, not {_kind(value)}", path)
        if not pairs:
            return {}
        out: dict[str, int] = {}
        for raw_key, weight, p in pairs:
            key = self.key("issues", raw_key, p)
            weight = self.weight(key, weight, p)
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

    def stage(self, value: Any) -> str | None:
        """A value-chain stage (`datasets.STAGES`), spelt as people write it ("wet processing", "Tier 1")."""
        if value is None or (isinstance(value, str) and not _clean(value)):
            return None
        text = self.item(value, ("stage",), "a value-chain stage", "assembly")
        key = _STAGE_NAMES.get(fold_key(text))
        if key is None:
            close = did_you_mean(fold_key(text), list(_STAGE_NAMES), n=1)
            hint = f"did you mean {_STAGE_NAMES[close[0]]!r}?" if close else "one of: " + ", ".join(STAGES)
            raise self.fail(f"unknown stage {text!r}", ("stage",), hint)
        return key

    def sectors(self, value: Any) -> dict[str, Any]:
        """``sector``: one key, or a list whose first is the main sector (``sector: [garment, textiles]``)."""
        if isinstance(value, str) and re.search(r"[;|]", value):
            value = [v for v in re.split(r"[;|]", value) if v.strip()]  # "garment;textiles" from a spreadsheet
        if isinstance(value, (list, tuple)):
            keys = self.keys("sectors", value, "sector")
            if not keys:
                raise self.fail("must not be empty", ("sector",), _REQUIRED_HINTS["sector"])
            return {"sector": keys[0], "other_sectors": keys[1:]}
        text = self.text(value, ("sector",), required=True)
        return {"sector": self.key("sectors", text, ("sector",)), "other_sectors": ()}

    def memberships(self, value: Any) -> tuple[str, ...]:
        if value is not None and not isinstance(value, (list, tuple, str)):
            raise self.fail(f"must be a list of initiative ids, not {_kind(value)}", ("memberships",))
        out: list[str] = []
        items = split_list(value)
        by_name = {fold_key(i.name): i.id for i in self.cat} if items else {}
        for i, item in enumerate(items):
            text = self.item(item, ("memberships", i), "an initiative id", self.cat.ids[0] if self.cat.ids else "")
            ident = text.lower() if text.lower() in self.cat else by_name.get(fold_key(text))
            if ident is None:
                close = self._close_ids(text, by_name)
                hint = (
                    ("did you mean " + " or ".join(repr(c) for c in close) + "?")
                    if close else "valid ids: " + ", ".join(self.cat.ids)
                )
                raise self.fail(f"unknown initiative {text!r}", ("memberships", i), hint)
            if ident not in out:
                out.append(ident)
        return tuple(out)

    def _close_ids(self, text: str, by_name: dict[str, str]) -> list[str]:
        """Ids spelt like ``text``, named like it, or with ``text`` as one of their words (BSCI)."""
        folded = fold_key(text)
        close = did_you_mean(text.lower(), self.cat.ids)
        close += [by_name[n] for n in did_you_mean(folded, by_name)]
        close += [i.id for i in self.cat if folded and (folded in fold_key(i.id).split("_")
                                                        or folded in fold_key(i.name).split("_"))]
        return list(dict.fromkeys(close))[:3]

    def workforce(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(f"must be a mapping (size, women_share, migrant_share), not {_kind(value)}", ("workforce",))
        out: dict[str, Any] = {}
        for raw_k, v in value.items():
            path = ("workforce", raw_k)
            if isinstance(raw_k, (int, float)) and not isinstance(raw_k, bool) and v is None:
                raise self.fail(f"{raw_k!r} is not a field", path, _COMMA_HINT)
            k = _WORKFORCE_NAMES.get(fold_key(raw_k)) if isinstance(raw_k, str) else None
            if k is None:
                raise self.fail("unknown field", path, _suggest_field(raw_k, _WORKFORCE_FIELDS))
            if k in out:
                raise self.fail(f"{k!r} is given twice", path, "keep one of them")
            if v is None:
                continue
            out[k] = self._size(v, path) if k == "size" else self._share(v, path)
        return out

    def _size(self, v: Any, path: tuple) -> int:
        if (too_long := number_problem(v)) is not None:
            raise self.fail(too_long, path, "e.g. size: 1200")
        if isinstance(v, str) and _WHOLE.fullmatch(v.strip()):
            v = int(re.sub(r"[, ]", "", v.strip()))  # "1200", "1,200", "1 200"
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(f"must be a whole number of workers, not {v!r}", path, "e.g. size: 1200")
        if v < 1:
            raise self.fail(f"must be at least 1, not {v}", path)
        if v > 1_000_000:
            raise self.fail(f"{v:,} workers is not a plausible workforce",
                path, "give the number of workers at this site or supply base, at most 1,000,000")
        return v

    def _share(self, v: Any, path: tuple) -> float:
        if (too_long := number_problem(v)) is not None:
            raise self.fail(too_long, path, "e.g. 0.6, or 60%")
        if isinstance(v, str):
            text = v.strip()
            percent = text.endswith("%")
            number = text[:-1].strip() if percent else text
            if _NUMBER.fullmatch(number):
                v = float(number) / (100 if percent else 1)
            elif re.fullmatch(r"[0-9]+,[0-9]+", number):
                raise self.fail(f"must be a number between 0 and 1, not {v!r}", path,
                    f"write decimals with a dot: {number.replace(',', '.')}")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(f"must be a number between 0 and 1, not {v!r}", path, "e.g. 0.6, or 60%")
        if not 0 <= v <= 1:
            hint = f"write {v / 100:g} for {v:g} %" if 1 < v <= 100 else "a share is a fraction between 0 and 1"
            raise self.fail(f"must be between 0 and 1, not {v:g}", path, hint)
        return float(v)


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return "a date"
    return {list: "a list", tuple: "a list", bool: "true/false", int: "a number", float: "a number", str: "text",
            type(None): "empty"}.get(type(value), type(value).__name__)


def _suggest_field(name: Any, fields: tuple[str, ...]) -> str:
    close = did_you_mean(fold_key(str(name)), fields)
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

    Text and keywords are compared as lower-case word sequences within each segment of the
    text (`text.segments`: a keyword matches where its words appear one after another); each
    distinct segment is read once and remembered.
    """
    if not description:
        return ()
    found: set[int] = set()
    for seg in segments(description):
        found |= _segment_issues(seg, catalogue.taxonomy)
    keys = list(catalogue.taxonomy.issues)
    return tuple(keys[p] for p in sorted(found) if keys[p] not in exclude)


_SEEN: dict[tuple[int, str], frozenset[int]] = {}


def _segment_issues(segment: str, taxonomy: Any) -> frozenset[int]:
    key = (id(taxonomy), segment)
    hit = _SEEN.get(key)
    if hit is None:
        words = _NON_WORD.sub(" ", segment.lower()).split()
        phrases = _issue_phrases(taxonomy)
        found: set[int] = set()
        for i, word in enumerate(words):
            for phrase, pos in phrases.get(word, ()):
                if pos not in found and (len(phrase) == 1 or tuple(words[i:i + len(phrase)]) == phrase):
                    found.add(pos)
        if len(_SEEN) > 200_000:
            _SEEN.clear()
        hit = _SEEN[key] = frozenset(found)
    return hit


def _canonical_fields(raw: Mapping, c: _Checker) -> Mapping:
    """``raw`` with field names as we spell them ("Country" is country); unknown or repeated ones fail."""
    if all(isinstance(k, str) and k in PROFILE_FIELDS for k in raw):
        return raw
    out: dict[str, Any] = {}
    given: dict[str, Any] = {}
    for key, value in raw.items():
        name = _FIELD_NAMES.get(fold_key(key)) if isinstance(key, str) else None
        if name is None:
            raise c.fail("unknown field", (key,), _suggest_field(key, PROFILE_FIELDS))
        if name in out:
            raise c.fail(f"{key!r} repeats the field {given[name]!r}", (key,), "keep one of them")
        out[name], given[name] = value, key
        if key != name:  # errors further down name the field as we spell it, at the user's line
            for path, line in list(c.doc.lines.items()):
                if path[:1] == (key,):
                    c.doc.lines.setdefault((name, *path[1:]), line)
    return out


def validate_profile(
    data: Mapping[str, Any] | YamlDoc, *, catalogue: Catalogue | None = None, source: str = "<profile>"
) -> Profile:
    """Check and normalise a raw profile against ``catalogue`` (the packaged one by default).

    Raises `ProfileError` for the first problem, naming field, line and a fix.
    """
    cat = catalogue if catalogue is not None else load_catalogue()
    doc = data if isinstance(data, YamlDoc) else YamlDoc(data, {}, source)
    c = _Checker(doc, cat)
    raw = _canonical_fields(require_mapping(doc, what="profile", error=ProfileError), c)
    kind_text = c.text(raw.get("kind"), ("kind",), required=True).lower()
    if kind_text not in _KINDS:
        close = did_you_mean(kind_text, _KINDS, n=1)
        hint = f"did you mean {_KINDS[close[0]]!r}? " if close else ""
        raise c.fail(f"unknown kind {kind_text!r}", ("kind",),
            hint + "use factory (a production site) or brand (a buyer)")
    issues = c.issues(raw.get("issues"))
    description = c.text(raw.get("description"), ("description",))
    sourcing = raw.get("sourcing_countries")
    if sourcing is not None and not isinstance(sourcing, (list, tuple, str)):
        raise c.fail(f"must be a list of countries, not {_kind(sourcing)}", ("sourcing_countries",))
    fields: dict[str, Any] = {
        "name": c.text(raw.get("name"), ("name",), required=True),
        "kind": _KINDS[kind_text],
        "country": c.country(raw.get("country"), ("country",)),
        "sourcing_countries": tuple(
            dict.fromkeys(c.country(v, ("sourcing_countries", i)) for i, v in enumerate(split_list(sourcing)))
        ),
        **c.sectors(raw.get("sector")),
        "workforce": c.workforce(raw.get("workforce")),
        "issues": issues,
        "prefers": c.keys("approaches", raw.get("prefers"), "prefers"),
        "wants": c.keys("offers", raw.get("wants"), "wants"),
        "memberships": c.memberships(raw.get("memberships")),
        "description": description,
        "inferred_issues": infer_issues(description, cat, exclude=tuple(issues)),
        "stage": c.stage(raw.get("stage")),
    }
    if not issues:
        fields["risk_issues"] = _likely_issues(fields, cat)
        if not fields["risk_issues"] and not fields["inferred_issues"]:
            raise c.fail("required field is missing", ("issues",),
                         "list at least one issue, e.g. [wages, health_safety]; `match taxonomy` lists them")
    ident = raw.get("id")
    if ident is not None and not (isinstance(ident, str) and not ident.strip()):
        fields["id"] = c.text(ident, ("id",)) or None
    try:
        return Profile.model_validate(fields)
    except ValidationError as exc:
        raise pydantic_error(exc, doc, source=doc.source, error=ProfileError) from None


def _check_keys(p: Profile, cat: Catalogue) -> Profile:
    """A `Profile` built elsewhere, checked against ``cat``: every key it names must be the
    catalogue's (pydantic has checked its types and ranges already)."""
    tax = cat.taxonomy
    checks = [("sector", (p.sector, *p.other_sectors), tax.sectors), ("issues", (*p.issues, *p.inferred_issues,
              *(r.key for r in p.risk_issues)), tax.issues), ("prefers", p.prefers, tax.approaches),
              ("wants", p.wants, tax.offers), ("memberships", p.memberships, set(cat.ids))]
    for name, values, known in checks:
        for value in values:
            if value not in known:
                raise ProfileError(f"unknown {'key' if name != 'memberships' else 'initiative'} {value!r}",
                                   source="<profile>", field=name, hint="build profiles with load_profile()")
    for name, codes in (("country", (p.country,)), ("sourcing_countries", p.sourcing_countries)):
        for code in codes:
            if resolve_country(code) != code:
                raise ProfileError(f"{code!r} is not an ISO 3166-1 alpha-2 code", source="<profile>", field=name)
    if p.stage is not None and p.stage not in STAGES:
        raise ProfileError(f"unknown stage {p.stage!r}", source="<profile>", field="stage")
    return p


def _likely_issues(fields: Mapping[str, Any], cat: Catalogue) -> tuple:
    """Issues inferred from public risk data for a profile that lists none (`needs.infer_needs`)."""
    if cat.risk is None:
        return ()
    from .needs import infer_needs

    wf = fields["workforce"]
    return infer_needs(cat.risk, cat.taxonomy, kind=fields["kind"], country=fields["country"],
                       sourcing=fields["sourcing_countries"], sectors=(fields["sector"], *fields["other_sectors"]),
                       stage=fields["stage"], women_share=wf.get("women_share"), migrant_share=wf.get("migrant_share"))


def load_profile(
    profile: str | os.PathLike[str] | Mapping[str, Any] | Profile, *, catalogue: Catalogue | None = None
) -> Profile:
    """A validated `Profile` from a YAML file path, a mapping, or a `Profile` (returned as is)."""
    if isinstance(profile, Profile):
        return _check_keys(profile, catalogue if catalogue is not None else load_catalogue())
    if isinstance(profile, Mapping):
        return validate_profile(profile, catalogue=catalogue, source="<profile>")
    if isinstance(profile, (str, os.PathLike)):
        return validate_profile(read_yaml(Path(profile), what="profile", error=ProfileError), catalogue=catalogue)
    raise TypeError(f"expected a path, a mapping or a Profile, not {type(profile).__name__}")
