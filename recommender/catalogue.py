"""Load and validate a catalogue folder: catalogue.yaml, taxonomy.yaml, one file per initiative."""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .countries import resolve_country
from .datasets import STAGES, DolList, Hazards, ItucIndex, OshVocabulary, RiskData
from .errors import CatalogueError
from .loading import YamlDoc, read_yaml, require_mapping
from .models import CatalogueMeta, Initiative, Taxonomy, Weights
from .vocabulary import Vocabulary, did_you_mean

__all__ = ["Catalogue", "load_catalogue", "default_catalogue_dir", "pydantic_error"]

_ID_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_RESERVED = {"catalogue.yaml", "taxonomy.yaml", "weights.yaml", "open-supply-hub.yaml"}
# Fact fields that must be backed by a source whenever they are present.
_FACT_FIELDS = ("established", "participants", "sectors", "countries", "approaches", "workforce")
# Fields a source's `supports` may name (and ``issues.<key>``, ``offers.<key>``).
_SUPPORTABLE = frozenset({
    "established", "summary", "involves", "url", "participants", "roles", "sectors", "countries", "issues",
    "approaches", "offers", "workforce", "caveats", "organisation", "keywords", "name", "status", "eligibility",
})


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
    msg, hint = _plain_message(first)
    if first.get("type") == "extra_forbidden":
        msg = "unknown field"
        missing = [str(e["loc"][-1]) for e in errors if e.get("type") == "missing" and e.get("loc")]
        close = did_you_mean(str(loc[-1]), missing or _field_names(exc.title))
        hint = f"did you mean {close[0]!r}?" if close else None
    elif first.get("type") == "missing":
        msg = "required field is missing"
    line = doc.line(loc) if doc is not None else None
    return error(msg, source=source, line=line, field=field_name, hint=hint)


# pydantic's wording ("Input should be a valid string") in ours, by error type.
_PLAIN = {
    "string_type": "must be text",
    "int_type": "must be a whole number", "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number", "float_parsing": "must be a number",
    "bool_type": "must be true or false", "bool_parsing": "must be true or false",
    "dict_type": "must be a mapping (key: value lines)",
    "list_type": "must be a list", "tuple_type": "must be a list",
    "date_type": "must be a date", "date_parsing": "must be a date", "date_from_datetime_parsing": "must be a date",
}


def _plain_message(error: Mapping) -> tuple[str, str | None]:
    """One pydantic error as (message, hint) in the words the rest of the tool uses."""
    kind, ctx, value = error.get("type", ""), error.get("ctx") or {}, error.get("input")
    shown = f", not {value!r}" if isinstance(value, (str, int, float)) and len(repr(value)) <= 40 else ""
    if kind in _PLAIN and value is None:
        return "is empty", "give a value, or remove the line if the field is optional"
    if kind in _PLAIN:
        hint = "write dates as YYYY-MM-DD" if kind.startswith("date") else None
        return _PLAIN[kind] + shown, hint
    if kind == "string_too_long":
        return f"is too long: at most {ctx.get('max_length')} characters", "shorten it"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty", None
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}{shown}", None
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}{shown}", None
    msg = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return msg.replace("Input should be", "must be"), None


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
    weights: Weights = field(default_factory=Weights)
    risk: RiskData | None = None
    osh: OshVocabulary | None = None
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
                ("offers", t.offers),
                ("outside", t.outside),
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
    if path.exists() and not path.is_file() and not path.is_dir():
        raise CatalogueError("is not a regular file", source=str(path), hint="a catalogue holds only YAML text files")
    return read_yaml(path, what="catalogue file", error=CatalogueError)


def _check_initiative(
    init: Initiative, doc: YamlDoc, stem: str, vocab: Mapping[str, Vocabulary], *, taken: Mapping[str, Path]
) -> Initiative:
    """Cross-field checks of one initiative; ``taken`` maps ids already loaded to their files."""
    src = doc.source

    def fail(msg: str, path: tuple, hint: str | None = None) -> CatalogueError:
        return CatalogueError(msg, source=src, line=doc.line(path), field=".".join(map(str, path)), hint=hint)

    if init.id in taken:
        raise fail(f"id {init.id!r} is already used by {taken[init.id].name}",
            ("id",), "keep one file per initiative: delete this one or give it its own id")
    if init.id != stem:
        other = Path(src).with_name(f"{init.id}.yaml")
        hint = (f"{other.name} already holds id {init.id!r}: give this initiative its own id"
                if other.exists() else f"rename the file to {init.id}.yaml")
        raise fail(f"id {init.id!r} does not match the file name {stem!r}", ("id",), hint)
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
    refs: dict[str, int] = {}
    for s_i, source in enumerate(init.sources):
        if source.ref is not None:
            if source.ref in refs:
                raise fail(f"ref {source.ref!r} is used by two sources", ("sources", s_i, "ref"),
                           "give each source its own ref")
            refs[source.ref] = s_i
        for f_i, name in enumerate(source.supports):
            base, _, sub = name.partition(".")
            known_sub = (not sub or (base == "issues" and sub in init.issues)
                         or (base == "offers" and sub in init.offers))
            if base not in _SUPPORTABLE or not known_sub:
                raise fail(f"supports names an unknown field {name!r}", ("sources", s_i, "supports", f_i))
    for path, ref_list in _references(init):
        for r_i, ref in enumerate(ref_list):
            if ref not in refs:
                raise fail(f"no source has ref {ref!r}", (*path, r_i),
                           "give the source a `ref:` and name it here" if refs else "add `ref:` handles to the sources")
    for section, values in (("offers", init.offers),):
        for value in values:
            if value not in vocab[section].keys:
                raise fail(f"unknown offer key {value!r}", (section, value), vocab[section].hint(value))
    for e_i, excl in enumerate(init.eligibility.excluded):
        for v_i, value in enumerate(excl.values):
            path = ("eligibility", "excluded", e_i, "values", v_i)
            if excl.rule == "kind" and value not in ("factory", "brand"):
                raise fail(f"{value!r} is not a kind", path, "use factory or brand")
            if excl.rule == "sector" and value not in vocab["sectors"].keys:
                raise fail(f"unknown sector key {value!r}", path, vocab["sectors"].hint(value))
            if excl.rule == "country" and (len(value) != 2 or resolve_country(value) != value):
                raise fail(f"{value!r} is not an ISO 3166-1 alpha-2 code", path)
    for kind in init.roles:
        if kind not in ("factory", "brand"):
            raise fail(f"{kind!r} is not a kind", ("roles", kind), "use factory or brand")
    data = doc.data
    for name in _FACT_FIELDS:
        if name in data and not init.sources_for(name):
            raise fail(f"no source supports {name!r}", (name,), f"add {name} to the supports list of a source")
    for section in ("issues", "offers"):
        for key in getattr(init, section):
            if not init.sources_for(f"{section}.{key}"):
                raise fail(f"no source supports {section[:-1]} {key!r}",
                    (section, key), f"add {section}.{key} or {section} to a source's supports")
    return init


def _references(init: Initiative) -> Iterator[tuple[tuple, tuple[str, ...]]]:
    """Every list of source refs in an initiative, with its field path."""
    yield ("status", "sources"), init.status.sources
    el = init.eligibility
    for rule in ("kind", "sector", "country"):
        yield ("eligibility", rule, "sources"), el.scope(rule).sources
    for i, excl in enumerate(el.excluded):
        yield ("eligibility", "excluded", i, "sources"), excl.sources
    for i, req in enumerate(el.requirements):
        yield ("eligibility", "requirements", i, "sources"), req.sources


def _initiative_files(folder: Path) -> list[Path]:
    """The initiative files of a catalogue folder: *.yaml and *.yml in any case, sorted.

    Hidden files are skipped: editors' lock files (``.#eti.yaml``) and the ``._eti.yaml``
    files macOS leaves on shared drives and in zip archives are not initiatives.
    """
    try:
        names = sorted(folder.iterdir())
    except OSError as exc:
        raise CatalogueError(f"cannot be read: {exc.strerror or exc}", source=str(folder)) from None
    return [p for p in names if p.suffix.lower() in (".yaml", ".yml") and p.name.lower() not in _RESERVED
            and not p.name.startswith(".")]


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
        meta = CatalogueMeta(name=path.resolve().name or str(path), version="unversioned")
    assert isinstance(meta, CatalogueMeta)
    cat = Catalogue(meta=meta, taxonomy=taxonomy, initiatives=(), path=str(path))
    vocab = cat.vocab
    initiatives = []
    taken: dict[str, Path] = {}
    for file in _initiative_files(path):
        doc = _read(file)
        init = _validate(Initiative, doc, "initiative")
        assert isinstance(init, Initiative)
        initiatives.append(_check_initiative(init, doc, file.stem, vocab, taken=taken))
        taken[init.id] = file
    if not initiatives:
        raise CatalogueError("holds no initiative files (*.yaml)", source=str(path))
    initiatives.sort(key=lambda i: i.id)
    weights = Weights()
    weights_path = path / "weights.yaml"
    if not weights_path.exists():
        weights_path = default_catalogue_dir() / "weights.yaml"
    if weights_path.exists():
        from .weights import parse_weights

        weights = parse_weights(read_yaml(weights_path, what="weights file", error=CatalogueError))
    risk = _risk_data(path, taxonomy, vocab)
    osh = _osh_vocabulary(path, vocab, {i.id for i in initiatives})
    return Catalogue(meta=meta, taxonomy=taxonomy, initiatives=tuple(initiatives), path=str(path), weights=weights,
                     risk=risk, osh=osh)


def _data_file(path: Path, name: str) -> Path | None:
    """``name`` in the catalogue folder, else the packaged one (None when neither exists)."""
    for folder in (path, default_catalogue_dir()):
        if (folder / name).is_file():
            return folder / name
    return None


def _risk_data(path: Path, taxonomy: Taxonomy, vocab: Mapping[str, Vocabulary]) -> RiskData | None:
    """The three risk datasets (`datasets`), checked against the taxonomy and ISO countries."""
    files = {k: _data_file(path, f"risk/{name}.yaml") for k, name in
             (("ituc", "ituc-global-rights-index"), ("dol", "dol-goods-list"), ("hazards", "sector-hazards"))}
    if any(f is None for f in files.values()):
        return None
    docs = {k: read_yaml(f, what="risk data file", max_bytes=4 << 20, error=CatalogueError) for k, f in files.items()}
    models = {"ituc": ItucIndex, "dol": DolList, "hazards": Hazards}
    parsed = {k: _validate(models[k], doc, "risk data") for k, doc in docs.items()}

    def fail(k: str, msg: str, at: tuple) -> CatalogueError:
        return CatalogueError(msg, source=docs[k].source, line=docs[k].line(at), field=".".join(map(str, at)))

    for code in parsed["ituc"].ratings:
        if len(code) != 2 or resolve_country(code) != code:
            raise fail("ituc", f"{code!r} is not an ISO 3166-1 alpha-2 code", ("ratings", code))
    dol = parsed["dol"]
    for n, e in enumerate((*dol.entries, *dol.downstream)):
        if resolve_country(e.country) != e.country:
            raise fail("dol", f"{e.country!r} is not an ISO 3166-1 alpha-2 code", ("entries", n, "country"))
        if e.good not in dol.goods_to_sectors:
            raise fail("dol", f"good {e.good!r} has no entry in goods_to_sectors", ("entries", n, "good"))
    for good, g in dol.goods_to_sectors.items():
        for s in g.sectors:
            if s not in vocab["sectors"].keys:
                raise fail("dol", f"unknown sector key {s!r}", ("goods_to_sectors", good))
    hz = parsed["hazards"]
    known = {s.id for s in hz.sources}
    entries = [(("sectors", k), e) for k, e in hz.sectors.items()] + [(("stages", k), e) for k, e in hz.stages.items()]
    entries += [(("stages", k, "variants", v), ve) for k, e in hz.stages.items() for v, ve in e.variants.items()]
    entries += [(("workforce_signals", k), e) for k, e in hz.workforce_signals.items()]
    for at, e in entries:
        for key in e.issues:
            if key not in vocab["issues"].keys:
                raise fail("hazards", f"unknown issue key {key!r}", (*at, "issues", key))
        for ref in e.sources:
            if ref not in known:
                raise fail("hazards", f"no source has id {ref!r}", (*at, "sources"))
    for key in hz.sectors:
        if key not in taxonomy.sectors:
            raise fail("hazards", f"unknown sector key {key!r}", ("sectors", key))
    for key in hz.stages:
        if key not in STAGES:
            raise fail("hazards", f"unknown stage {key!r}", ("stages", key), )
    return RiskData(ituc=parsed["ituc"], dol=dol, hazards=hz)


def _osh_vocabulary(path: Path, vocab: Mapping[str, Vocabulary], ids: set[str]) -> OshVocabulary | None:
    """Open Supply Hub's names mapped to the taxonomy (`datasets.OshVocabulary`), checked."""
    file = _data_file(path, "open-supply-hub.yaml")
    if file is None:
        return None
    doc = read_yaml(file, what="Open Supply Hub mapping", max_bytes=2 << 20, error=CatalogueError)
    osh = _validate(OshVocabulary, doc, "Open Supply Hub mapping")

    def fail(msg: str, at: tuple) -> CatalogueError:
        return CatalogueError(msg, source=doc.source, line=doc.line(at), field=".".join(map(str, at)))

    for name, key in osh.sectors.items():
        if key not in vocab["sectors"].keys:
            raise fail(f"unknown sector key {key!r}", ("sectors", name))
    for name, stage in osh.stages.items():
        if stage not in STAGES:
            raise fail(f"unknown stage {stage!r}", ("stages", name))
    for name, ident in osh.affiliations.items():
        if ident is not None and not _ID_SHAPE.match(ident):
            raise fail(f"{ident!r} is not an initiative id (lower-case words joined by hyphens)",
                       ("affiliations", name))
    # A name of an initiative this catalogue does not hold (one removed from a copy) marks no membership.
    return osh.model_copy(update={"affiliations": {k: v if v in ids else None for k, v in osh.affiliations.items()}})


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, stamp: tuple) -> Catalogue:
    from .cache import cached

    # The code that reads a catalogue is part of the key: a changed loader rereads it.
    code = Path(__file__).resolve().parent
    key = (path, stamp, _stamp(code, "*.py"), _stamp(default_catalogue_dir(), "taxonomy.yaml"))
    return cached("catalogues", path, key, lambda: _load(Path(path)), Catalogue)


def _stamp(folder: Path, pattern: str) -> tuple:
    return tuple(sorted((p.name, *_size_time(p)) for p in folder.glob(pattern)))


def _size_time(path: Path) -> tuple[int, int]:
    st = path.stat()  # one system call per file
    return st.st_mtime_ns, st.st_size


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Load and validate a catalogue folder (the packaged one when ``path`` is None).

    Raises `CatalogueError` naming the file, line and field of the first problem. Loads are
    cached per folder until one of its files changes.
    """
    now = time.monotonic()
    if path is None and _RECENT is not None and now - _RECENT[0] < _RECHECK_SECONDS:
        return _RECENT[1]  # the packaged catalogue, checked less than a second ago
    folder = Path(path) if path is not None else default_catalogue_dir()
    try:
        stamp = tuple(sorted((p.name, *_size_time(p)) for p in folder.iterdir()))
    except OSError:
        return _load(folder)
    found = _load_cached(str(folder.resolve()), stamp)
    if path is None:
        _remember(now, found)
    return found


#: The packaged catalogue and when its files were last checked: a loop calling `recommend()`
#: thousands of times does not stat every catalogue file on every call. A folder given by
#: path is checked on every call.
_RECENT: tuple[float, Catalogue] | None = None
_RECHECK_SECONDS = 1.0


def _remember(now: float, catalogue: Catalogue) -> None:
    global _RECENT
    _RECENT = (now, catalogue)
