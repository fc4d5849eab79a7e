"""Load and validate a catalogue folder: catalogue.yaml, taxonomy.yaml, one file per initiative."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .countries import resolve_country
from .errors import CatalogueError, InputError
from .loading import YamlDoc, read_yaml, require_mapping
from .models import CatalogueMeta, Initiative, Taxonomy
from .vocabulary import Vocabulary, did_you_mean

__all__ = ["Catalogue", "load_catalogue", "default_catalogue_dir", "pydantic_error"]

_RESERVED = {"catalogue.yaml", "taxonomy.yaml"}
# Fact fields that must be backed by a source whenever they are present.
_FACT_FIELDS = ("established", "participants", "sectors", "countries", "approaches", "workforce")


def _package_dir(name: str) -> Path:
    """A data folder: installed as recommender/_<name>, or beside the package in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / f"_{name}"
    return installed if installed.is_dir() else here.parent / name


def default_catalogue_dir() -> Path:
    """The packaged catalogue folder."""
    return _package_dir("catalogue")


def pydantic_error(
    exc: ValidationError, doc: YamlDoc | None, *, source: str, error: type, prefix: tuple = ()
) -> Exception:
    """Turn the first pydantic error into one of ours, naming field path and line."""
    errors = exc.errors()
    # A typo shows up as an unknown field plus a missing one: report the typo first.
    errors.sort(key=lambda e: e.get("type") != "extra_forbidden")
    first = errors[0]
    loc = tuple(prefix) + tuple(first.get("loc", ()))
    field_name = ".".join(str(p) for p in loc) or None
    msg = first.get("msg", "invalid value")
    msg = msg.removeprefix("Value error, ")
    hint = None
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
        missing = [str(e["loc"][-1]) for e in errors if e.get("type") == "missing" and e.get("loc")]
        close = did_you_mean(str(loc[-1]), missing or _field_names(exc.title))
        hint = f"did you mean {close[0]!r}?" if close else None
    elif first.get("type") == "missing":
        msg = "required field is missing"
    line = doc.line(loc) if doc is not None else None
    return error(msg, source=source, line=line, field=field_name, hint=hint)


def _field_names(model_name: str) -> list[str]:
    from . import models

    model = getattr(models, model_name, None)
    return list(getattr(model, "model_fields", {}))


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue: its metadata, taxonomy and initiatives (sorted by id)."""

    meta: CatalogueMeta
    taxonomy: Taxonomy
    initiatives: tuple[Initiative, ...]
    path: str
    _by_id: dict[str, Initiative] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({i.id: i for i in self.initiatives})

    def __len__(self) -> int:
        return len(self.initiatives)

    def __iter__(self) -> Iterator[Initiative]:
        return iter(self.initiatives)

    def __getitem__(self, initiative_id: str) -> Initiative:
        return self._by_id[initiative_id]

    def __contains__(self, initiative_id: object) -> bool:
        return initiative_id in self._by_id

    @property
    def ids(self) -> tuple[str, ...]:
        """Initiative ids, sorted."""
        return tuple(i.id for i in self.initiatives)

    @functools.cached_property
    def vocab(self) -> dict[str, Vocabulary]:
        """Alias-aware resolvers for sectors, issues and approaches."""
        t = self.taxonomy
        return {
            section: Vocabulary(entries, {k: e.aliases for k, e in entries.items()})
            for section, entries in (
                ("sectors", t.sectors),
                ("issues", t.issues),
                ("approaches", t.approaches),
            )
        }

    def describe(self) -> dict:
        """Name, version and size, as in the JSON result."""
        return {"name": self.meta.name, "version": self.meta.version, "size": len(self)}


def _validate(model: type[BaseModel], doc: YamlDoc, what: str) -> BaseModel:
    data = require_mapping(doc, what=what, error=CatalogueError)
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise pydantic_error(exc, doc, source=doc.source, error=CatalogueError) from None


def _read(path: Path) -> YamlDoc:
    try:
        return read_yaml(path, what="catalogue file")
    except InputError as exc:
        raise CatalogueError(exc.message, source=exc.source, line=exc.line, field=exc.field, hint=exc.hint) from None


def _check_initiative(init: Initiative, doc: YamlDoc, stem: str, vocab: Mapping[str, Vocabulary]) -> Initiative:
    src = doc.source

    def fail(msg: str, path: tuple, hint: str | None = None) -> CatalogueError:
        return CatalogueError(msg, source=src, line=doc.line(path), field=".".join(map(str, path)), hint=hint)

    if init.id != stem:
        raise fail(f"id {init.id!r} does not match the file name {stem!r}",
            ("id",), f"rename the file to {init.id}.yaml")
    for section, values in (("sectors", init.sectors), ("approaches", init.approaches), ("issues", init.issues)):
        for i, value in enumerate(values):
            if value not in vocab[section].keys:
                path = (section, value) if section == "issues" else (section, i)
                raise fail(f"unknown {section[:-1]} key {value!r}", path, vocab[section].hint(value))
    countries = list(init.countries)
    if "global" in countries and len(countries) > 1:
        raise fail("'global' cannot be combined with country codes", ("countries",))
    for i, code in enumerate(countries):
        if code != "global" and (len(code) != 2 or resolve_country(code) != code):
            raise fail(f"{code!r} is not an ISO 3166-1 alpha-2 code",
                ("countries", i), "use codes such as BD, CN, VN, or [global]")
    allowed = {"established", "summary", "involves", "url", "participants", "sectors", "countries",
               "issues", "approaches", "workforce", "caveats", "organisation", "keywords", "name"}
    for s_i, source in enumerate(init.sources):
        for f_i, name in enumerate(source.supports):
            base, _, sub = name.partition(".")
            if base not in allowed or (sub and (base != "issues" or sub not in init.issues)):
                raise fail(f"supports names an unknown field {name!r}", ("sources", s_i, "supports", f_i))
    data = doc.data
    for name in _FACT_FIELDS:
        if name in data and not init.sources_for(name):
            raise fail(f"no source supports {name!r}", (name,), f"add {name} to the supports list of a source")
    for key in init.issues:
        if not init.sources_for(f"issues.{key}"):
            raise fail(f"no source supports issue {key!r}",
                ("issues", key), f"add issues.{key} or issues to a source's supports")
    return init


def _load(path: Path) -> Catalogue:
    if not path.exists():
        raise CatalogueError("no such catalogue folder", source=str(path))
    if not path.is_dir():
        raise CatalogueError("is not a folder", source=str(path),
            hint="--catalogue takes the folder that holds the initiative YAML files")
    tax_path = path / "taxonomy.yaml"
    if not tax_path.exists():
        tax_path = default_catalogue_dir() / "taxonomy.yaml"
    taxonomy = _validate(Taxonomy, _read(tax_path), "taxonomy")
    assert isinstance(taxonomy, Taxonomy)
    meta_path = path / "catalogue.yaml"
    if meta_path.exists():
        meta = _validate(CatalogueMeta, _read(meta_path), "catalogue")
    else:
        meta = CatalogueMeta(name=path.name, version="unversioned")
    assert isinstance(meta, CatalogueMeta)
    cat = Catalogue(meta=meta, taxonomy=taxonomy, initiatives=(), path=str(path))
    vocab = cat.vocab
    initiatives = []
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.name not in _RESERVED)
    for file in files:
        doc = _read(file)
        init = _validate(Initiative, doc, "initiative")
        assert isinstance(init, Initiative)
        initiatives.append(_check_initiative(init, doc, file.stem, vocab))
    if not initiatives:
        raise CatalogueError("holds no initiative files (*.yaml)", source=str(path))
    initiatives.sort(key=lambda i: i.id)
    return Catalogue(meta=meta, taxonomy=taxonomy, initiatives=tuple(initiatives), path=str(path))


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, stamp: tuple) -> Catalogue:
    return _load(Path(path))


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Load and validate a catalogue folder (the packaged one when ``path`` is None).

    Raises `CatalogueError` naming the file, line and field of the first problem. Loads are
    cached per folder until one of its files changes.
    """
    folder = Path(path) if path is not None else default_catalogue_dir()
    try:
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()))
    except OSError:
        return _load(folder)
    return _load_cached(str(folder.resolve()), stamp)
