"""Score a whole DataFrame of profiles at once: one row per supplier in, shortlists out.

This is the batch form of `recommend`: the same validation rules, feature space,
eligibility tables, scores and ranking, applied to every row with array operations
instead of a Python loop per supplier. ``score_frame(df)`` gives, row by row, exactly the
shortlist ``recommend()`` gives for that row's profile (same ids, same order, scores
equal within float noise), which a property test checks.

How a row becomes a profile (`row_profile` spells it out for one row):

- columns are matched to profile fields case-insensitively, with common aliases
  (`match_columns`, e.g. "Facility Name" -> name, "Number of workers" -> workforce_size);
- empty cells are absent fields; list cells are separated by ``;``; issue weights are
  written ``wages:3``; numbers in the workforce columns are read as numbers;
- each distinct cell value is resolved once, by `validate.validate_profile` itself, and
  cached, so that aliases, countries, weights and error messages are the single-profile
  ones, and a list where "Bangladesh" appears 100,000 times resolves it once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..catalogue import Catalogue, load_catalogue
from ..core.batch import KINDS, ProfileBatch
from ..core.eligibility import UNDOCUMENTED
from ..core.engine import Engine, Scored, engine_for
from ..core.needs import FROM_DESCRIPTION, origin_words
from ..core.rows import distinct_rows
from ..core.validate import infer_issues, validate_profile
from ..errors import InputError, ProfileError
from ..models import MAX_WORKFORCE, Profile, Weights
from ..numbers import number_problem
from ..vocabulary import EDGE_CHARACTERS, did_you_mean
from .layouts import CLOSED, Layout, detect, to_fields

__all__ = [
    "FIELDS",
    "REQUIRED_FIELDS",
    "COLUMN_ALIASES",
    "SHORTLIST_COLUMNS",
    "match_columns",
    "cell_value",
    "row_profile",
    "RowError",
    "ParsedFrame",
    "SupplierFacts",
    "ShortlistLines",
    "ScoredFrame",
    "FrameScorer",
    "frame_scorer",
    "score_frame",
]

#: The profile fields a supplier row can carry, in the order `validate_profile` checks them.
FIELDS = (
    "kind", "issues", "description", "name", "country", "sourcing_countries", "sector", "stage",
    "workforce_size", "women_share", "migrant_share", "prefers", "wants", "memberships", "id",
)
#: Columns a list must have. Without an ``issues`` column every row's likely issues are
#: inferred from public risk data (`core.needs`); without a ``kind`` column every row is a
#: factory (a list of facilities).
REQUIRED_FIELDS = ("name", "country", "sector")
#: What a missing column means.
ABSENT = {"kind": "factory"}
_NUMERIC = ("workforce_size", "women_share", "migrant_share")
_TEXT = ("name", "id", "description")

#: Column headers accepted for each field (compared after `_fold_header`).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "supplier id", "facility id", "factory id", "site id", "os id", "osh id",
           "open supply hub id", "vendor id", "supplier code", "vendor code"),
    "name": ("name", "supplier name", "supplier", "facility name", "facility", "factory name",
             "factory", "site name", "company name", "company", "vendor name", "vendor",
             "organisation", "organization"),
    "kind": ("kind", "type", "supplier type", "facility type", "profile type", "role"),
    "country": ("country", "country code", "country name", "country iso", "iso country",
                "location country", "facility country"),
    "sourcing_countries": ("sourcing countries", "sourcing country", "sourcing",
                           "supplier countries", "production countries", "countries sourced from"),
    "sector": ("sector", "sectors", "industry", "product category", "category", "sector name"),
    "stage": ("stage", "value chain stage", "supply chain stage", "tier", "supplier tier", "process stage"),
    "workforce_size": ("workforce size", "workforce", "workers", "number of workers",
                       "no of workers", "num workers", "worker count", "workers count",
                       "employees", "number of employees", "headcount", "size", "workforce.size"),
    "women_share": ("women share", "% women", "women %", "share of women", "women",
                    "female share", "% female", "female %", "share women", "workforce.women_share"),
    "migrant_share": ("migrant share", "% migrants", "% migrant", "migrants %", "migrant %",
                      "share of migrants", "migrants", "migrant workers share",
                      "workforce.migrant_share"),
    "issues": ("issues", "priority issues", "issue", "priorities", "needs"),
    "prefers": ("prefers", "preferred approaches", "approaches", "preferences", "preferred approach"),
    "wants": ("wants", "wanted services", "services wanted", "mechanisms", "wanted mechanisms", "offers wanted"),
    "memberships": ("memberships", "member of", "membership", "programmes", "programs",
                    "initiatives", "current programmes", "current programs"),
    "description": ("description", "notes", "note", "comments", "comment", "about", "profile"),
}

#: Columns of the long table `score_frame` returns: one row per supplier and rank.
SHORTLIST_COLUMNS = (
    "supplier_id", "supplier_name", "rank", "initiative_id", "initiative_name", "score", "reasons", "row",
)

#: The line of a facility that the export marks as closed.
CLOSED_REASON = "closed facility (marked closed in the export): not matched to programmes"
#: A reason's workforce or description part is shown from this contribution up.
_SHOWN = 0.005
# A fast score this close to a decision point (min_score, or a rounding boundary at
# SCORE_DECIMALS) is recomputed exactly as `recommend` does, so float noise never flips it.
_NEAR_MIN = 1e-12
_NEAR_HALF = 1e-5
_TEXT_BATCH = 4096


def _fold_header(text: object) -> str:
    return re.sub(r"[^a-z0-9%.]+", " ", str(text).lower()).strip()


_HEADER_TO_FIELD = {_fold_header(a): f for f, aliases in COLUMN_ALIASES.items() for a in (f, *aliases)}


def match_columns(columns: Iterable[object]) -> tuple[dict[object, str], list[object]]:
    """Map column headers to profile fields; returns ({header: field}, [unmatched headers]).

    Raises `InputError` when two columns give the same field or a required one is missing,
    with a "did you mean" for headers that look like a field.
    """
    found: dict[object, str] = {}
    unmatched: list[object] = []
    by_field: dict[str, object] = {}
    for col in columns:
        fld = _HEADER_TO_FIELD.get(_fold_header(col))
        if fld is None:
            unmatched.append(col)
            continue
        if fld in by_field:
            raise InputError(
                f"columns {str(by_field[fld])!r} and {str(col)!r} both give the {fld} field",
                hint="keep one of them or rename the other",
            )
        by_field[fld] = col
        found[col] = fld
    missing = [f for f in REQUIRED_FIELDS if f not in by_field]
    if missing:
        hints = [h for h in (header_hint(c) for c in unmatched) if h]
        raise InputError(
            "missing required column" + ("s" if len(missing) > 1 else "") + ": " + ", ".join(missing),
            hint="; ".join(hints) if hints else "see profiles/suppliers-template.csv for the columns",
        )
    return found, unmatched


def header_hint(column: object) -> str | None:
    """"'Isues' looks like issues" for a header close to a field name or alias, else None."""
    close = did_you_mean(_fold_header(column), list(_HEADER_TO_FIELD), n=1, cutoff=0.75)
    return f"{str(column)!r} looks like {_HEADER_TO_FIELD[close[0]]}" if close else None


#: Where `validate.split_list` splits a list cell (a test keeps the two in step).
_LIST_SEPARATORS = r"[;,\n]"
_INT = re.compile(r"[+-]?\d+")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")
_FLOAT = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?")


def cell_value(field_name: str, value: Any) -> Any:
    """A spreadsheet cell as the profile field's raw value: None when empty, numbers read.

    Text is stripped; "" and NaN are absent; in the workforce columns "4200", "4,200" and
    "0.8" become numbers ("80%" stays text, which validation reads as 0.8); whole-number
    floats become ints (spreadsheets store ids and counts as floats).
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        if field_name in _NUMERIC and number_problem(value) is None:  # too long: validation says why
            if _INT.fullmatch(value):
                return int(value)
            if _THOUSANDS.fullmatch(value):
                return int(value.replace(",", ""))
            if _FLOAT.fullmatch(value):
                return float(value)
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return None
        if value.is_integer() and field_name not in ("women_share", "migrant_share"):
            return int(value)
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    return value


def row_profile(row: Mapping[str, Any]) -> dict[str, Any]:
    """The raw profile mapping (as `recommend` takes it) for one row keyed by field names."""
    out: dict[str, Any] = {}
    workforce: dict[str, Any] = {}
    for name in FIELDS:
        value = cell_value(name, row.get(name))
        if value is None:
            continue
        if name in _NUMERIC:
            workforce[{"workforce_size": "size"}.get(name, name)] = value
        else:
            out[name] = value
    if workforce:
        out["workforce"] = workforce
    return out


@dataclass(frozen=True)
class RowError:
    """One problem with one input row: where it is, which field, and how to fix it."""

    row: Any
    supplier_id: str
    supplier_name: str
    column: str
    field: str
    reason: str


@dataclass(frozen=True)
class SupplierFacts:
    """What the portfolio needs to know about each valid row, as arrays (one row each).

    ``needs`` (n, K) holds each supplier's issue weights (stated and inferred) divided by
    their total, columns in ``issue_keys`` order; ``eligible`` (n, m), ``relevant`` (n, m:
    eligible and addressing one of the supplier's needs, the engine's own mask) and
    ``shortlist`` (n, top; column indices, -1 where shorter) use ``ids`` order; ``best`` is
    the first choice's score (NaN when nothing fits); ``kinds`` (n,) factory or brand (a brand's
    ``countries`` entry is its head office); ``members`` (n, m) the initiatives each
    already takes part in; ``stages`` (n,) value-chain stage keys or None; ``inferred`` (n,)
    True where every issue was inferred from public risk data.
    """

    rows: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    countries: np.ndarray
    sectors: np.ndarray
    kinds: np.ndarray
    needs: np.ndarray
    eligible: np.ndarray
    relevant: np.ndarray
    members: np.ndarray
    stages: np.ndarray
    inferred: np.ndarray
    shortlist: np.ndarray
    best: np.ndarray
    issue_keys: tuple[str, ...]
    initiative_ids: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class ShortlistLines:
    """The shortlist lines of a scored frame, one per supplier and rank, held as indices
    into small tables (a supplier with no shortlist keeps one line that says why).

    ``supplier`` (L,) is a position among the valid rows (into ``supplier_ids``,
    ``supplier_names``, ``rows``); ``rank`` is 1..top, 0 on a no-shortlist line;
    ``initiative`` a catalogue column, -1 on a no-shortlist line; ``score`` NaN there;
    ``reason`` an index into ``reason_texts``. `frame` gives the `SHORTLIST_COLUMNS` table;
    writers take the columns from the small tables without a Python object per cell.
    """

    supplier: np.ndarray
    rank: np.ndarray
    initiative: np.ndarray
    score: np.ndarray
    reason: np.ndarray
    reason_texts: np.ndarray
    supplier_ids: np.ndarray
    supplier_names: np.ndarray
    rows: np.ndarray
    initiative_ids: np.ndarray
    initiative_names: np.ndarray

    def __len__(self) -> int:
        return len(self.supplier)

    def with_closed(self, ids: np.ndarray, names: np.ndarray, rows: np.ndarray, order: np.ndarray,
                    reason: str) -> ShortlistLines:
        """These lines with one line per closed facility (no rank, no initiative, ``reason``),
        all in input order: ``order`` gives each supplier's position in the input (valid ones
        first, then the closed ones)."""
        if not len(ids):
            return self
        n = len(self.supplier_ids)
        sup = np.concatenate([self.supplier, n + np.arange(len(ids))])
        keep = np.argsort(order[sup], kind="stable")
        texts = np.concatenate([self.reason_texts, np.array([reason], dtype=object)])
        reason_codes = np.concatenate([self.reason, np.full(len(ids), len(self.reason_texts))])
        return ShortlistLines(
            supplier=sup[keep], rank=np.concatenate([self.rank, np.zeros(len(ids), dtype=self.rank.dtype)])[keep],
            initiative=np.concatenate([self.initiative, np.full(len(ids), -1)])[keep],
            score=np.concatenate([self.score, np.full(len(ids), np.nan)])[keep], reason=reason_codes[keep],
            reason_texts=texts, supplier_ids=np.concatenate([self.supplier_ids, ids]),
            supplier_names=np.concatenate([self.supplier_names, names]), rows=np.concatenate([self.rows, rows]),
            initiative_ids=self.initiative_ids, initiative_names=self.initiative_names,
        )

    def frame(self) -> pd.DataFrame:
        """One row per line, columns `SHORTLIST_COLUMNS`: text as pyarrow-backed strings,
        rank as a nullable integer (empty on a no-shortlist line), ``row`` as given."""
        return self.table().to_pandas(types_mapper=_PANDAS_TYPES.get).assign(row=self.rows[self.supplier])

    def table(self, *, safe: bool = False) -> Any:
        """The lines as a pyarrow table of `SHORTLIST_COLUMNS` but ``row``; with ``safe``,
        text is made formula-safe for spreadsheets (`output.csv_safe`), once per distinct
        value and not per line."""
        from ..output import csv_safe_arrow

        def strings(values: np.ndarray, index: np.ndarray) -> Any:
            small = text_array(values)
            if safe:
                small = csv_safe_arrow(small)
            return small.take(pa.array(index, mask=index < 0, type=pa.int64()))

        return pa.table({
            "supplier_id": strings(self.supplier_ids, self.supplier),
            "supplier_name": strings(self.supplier_names, self.supplier),
            "rank": pa.array(self.rank, mask=self.rank == 0, type=pa.int64()),
            "initiative_id": strings(self.initiative_ids, self.initiative),
            "initiative_name": strings(self.initiative_names, self.initiative),
            "score": pa.array(self.score, type=pa.float64(), from_pandas=True),
            "reasons": strings(self.reason_texts, self.reason),
        })


def text_array(values: np.ndarray) -> Any:
    """An object array of text values (None for missing) as a pyarrow string array; values
    that are not text (ids a user's DataFrame holds as numbers) as their ``str``."""
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


@dataclass(frozen=True)
class ScoredFrame:
    """The result of `FrameScorer.score`: shortlist lines, bad rows, and facts for the portfolio."""

    lines: ShortlistLines
    errors: list[RowError]
    suppliers: SupplierFacts
    valid: np.ndarray = field(repr=False)  # boolean mask over the input rows
    closed: int = 0  # facilities marked closed in the export (listed, not scored)
    #: The chunk as the profile's fields (one column each; `row_profile` reads a row of it).
    fields: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def shortlists(self) -> pd.DataFrame:
        """The lines as a DataFrame (`ShortlistLines.frame`)."""
        return self.lines.frame()


class _Column:
    """One field of a chunk: per-row codes into resolved unique values, and their errors.

    ``matrix`` (issues only, when the cells were read as text): the weights of each unique
    cell as a (unique cells, issue keys) array; ``values`` then holds None for every cell.
    """

    __slots__ = ("codes", "values", "errors", "raw", "matrix")

    def __init__(self, codes: np.ndarray, values: list, errors: list, raw: list,
                 matrix: np.ndarray | None = None) -> None:
        self.codes = codes
        self.values = values
        self.errors = errors
        self.raw = raw
        self.matrix = matrix


@dataclass(frozen=True)
class ParsedFrame:
    """A frame's cells resolved field by field; ``valid`` marks rows without errors."""

    columns: dict[str, _Column]
    labels: np.ndarray
    valid: np.ndarray
    errors: list[RowError]
    #: Facilities the export marks as closed: neither scored nor errors.
    closed: np.ndarray | None = None
    layout: str = "match"
    #: The frame as the profile's fields (columns renamed to field names).
    fields: pd.DataFrame | None = None

    @property
    def ok(self) -> np.ndarray:
        """Positions of the valid rows."""
        return np.flatnonzero(self.valid)


_CACHE_LIMIT = 200_000


#: How `ShortlistLines.frame` turns the pyarrow columns into pandas ones.
_PANDAS_TYPES = {pa.string(): pd.StringDtype("pyarrow"), pa.int64(): pd.Int64Dtype()}


class FrameScorer:
    """The engine (`core.engine.Engine`) for DataFrames: cells resolved once per distinct
    value by the single-profile validation, turned into a `ProfileBatch`, scored by
    `Engine.run`."""

    def __init__(self, catalogue: Catalogue | None = None, *, weights: Weights | None = None,
                 engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else engine_for(catalogue, weights)
        self.catalogue = self.engine.catalogue
        self.weights = self.engine.weights
        cat, keys = self.catalogue, self.engine.keys
        self.keys = keys
        self.ids = cat.ids
        self.issue_keys = keys.issues
        # What each initiative covers, offers (strength 2 or 3) and uses, as 64-bit words (m, w).
        self._covers = _bits(self.engine.matrix.issues > 0)
        self._offered = _bits(self.engine.matrix.offers >= 2 / 3)
        self._uses = _bits(self.engine.matrix.approaches > 0)
        self._issue_pos = keys.index["issues"]
        tax = cat.taxonomy
        self._template = {
            "name": "row", "kind": "factory", "country": "GB",
            "sector": next(iter(tax.sectors)), "issues": [next(iter(tax.issues))],
        }
        self._cache: dict[str, dict[Any, tuple[Any, ProfileError | None]]] = {f: {} for f in FIELDS}
        self._reasons: dict[str, Any] = {}
        #: The layout every frame is read in (None: recognised from each frame's headers).
        self.layout: Layout | None = None
        #: Open Supply Hub sector names met that the mapping does not know (read as "other").
        self.unknown_sectors: set[str] = set()
        limits = {f: Profile.model_fields[f].metadata for f in ("name", "id", "description")}
        self._max_len = {f: next(m.max_length for m in meta if hasattr(m, "max_length")) for f, meta in limits.items()}

    # --- one field, one distinct value -------------------------------------------------

    def resolve(self, field_name: str, value: Any) -> Any:
        """The validated value of one cell (already through `cell_value`) for ``field_name``.

        Resolution is `validate_profile`'s own: the cell is put into an otherwise valid
        profile and read back, so aliases, case, country names, weights and the error
        (a `ProfileError` naming the field, with a hint) are exactly the single-profile ones.
        """
        raw = dict(self._template)
        if field_name in _NUMERIC:
            raw["workforce"] = {{"workforce_size": "size"}.get(field_name, field_name): value}
        else:
            raw[field_name] = value
        p = validate_profile(raw, catalogue=self.catalogue, source="<row>")
        if field_name == "workforce_size":
            return p.workforce.size
        if field_name in ("women_share", "migrant_share"):
            return getattr(p.workforce, field_name)
        if field_name == "sector":
            return (p.sector, *p.other_sectors)
        return getattr(p, field_name)

    def _resolved(self, field_name: str, value: Any) -> tuple[Any, ProfileError | None]:
        cache = self._cache[field_name]
        try:
            return cache[value]
        except KeyError:
            pass
        except TypeError:  # an unhashable cell (a list from a user's DataFrame)
            return self._resolve_safely(field_name, value)
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        out = cache[value] = self._resolve_safely(field_name, value)
        return out

    def _resolve_safely(self, field_name: str, value: Any) -> tuple[Any, ProfileError | None]:
        try:
            return self.resolve(field_name, value), None
        except ProfileError as exc:
            return None, exc

    def _column(self, series: pd.Series | None, n: int, field_name: str) -> _Column:
        if series is None:
            value, err = self._resolved(field_name, ABSENT.get(field_name))
            return _Column(np.zeros(n, dtype=np.intp), [value], [err], [None])
        if field_name in _TEXT and pd.api.types.infer_dtype(series, skipna=False) == "string":
            return self._text_column(series, field_name)
        try:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            uniques = list(np.asarray(uniques, dtype=object))
        except TypeError:  # unhashable cells: factorize their repr, resolve the first of each
            keys = series.map(repr)
            codes, _ = pd.factorize(keys)
            first = pd.Series(np.arange(n)).groupby(codes).first().to_numpy()
            uniques = [series.iloc[i] for i in first]
        codes = np.where(codes < 0, len(uniques), codes)
        uniques.append(None)
        if field_name == "issues" and all(isinstance(u, str) for u in uniques[:-1]):
            return self._issue_column(codes, uniques)
        fast = _plain_numbers(field_name, uniques) if field_name in _NUMERIC else None
        raw, values, errors = [], [], []
        for u, found in zip(uniques, fast if fast is not None else [None] * len(uniques)):
            if found is not None:  # plain digits, in range: what cell_value and validation give
                raw.append(found)
                values.append(float(found) if field_name != "workforce_size" else found)
                errors.append(None)
                continue
            v = cell_value(field_name, u)
            plain = _plain_number(field_name, v)
            value, err = (plain, None) if plain is not None else self._resolved(field_name, v)
            raw.append(v)
            values.append(value)
            errors.append(err)
        return _Column(codes, values, errors, raw)

    def _issue_column(self, codes: np.ndarray, uniques: list) -> _Column:
        """The issues column when its cells are text: every cell split into items at once,
        each distinct item resolved (and cached) on its own, weights scattered into a matrix.

        Issue cells are nearly as varied as the rows ("wages:3;chemicals", "chemicals;wages:3",
        ...) while their items repeat. `validate_profile` reads a cell item by item
        (`split_list`) and keeps them in order, so where every item is valid and no key
        repeats, the items' results together are the cell's; any other cell (an unknown
        item, a key given twice, no item at all) goes whole to `resolve` for its error.
        """
        K, key_pos, cells = len(self.issue_keys), self._issue_pos, len(uniques) - 1
        parent, item_codes, items = _split_items(uniques[:-1])
        item_key = np.full(len(items) + 1, -1, dtype=np.intp)
        item_weight = np.zeros(len(items) + 1)
        for i, item in enumerate(items):
            found, err = self._resolved("issues", item)
            if err is None and len(found) == 1:
                ((key, weight),) = found.items()
                item_key[i], item_weight[i] = key_pos[key], weight
        keys = item_key[item_codes]
        bad = np.bincount(parent, minlength=cells) == 0
        bad[parent[keys < 0]] = True
        good = keys >= 0
        pair = parent[good] * K + keys[good]
        bad[parent[good][np.bincount(pair, minlength=cells * K)[pair] > 1]] = True
        matrix = np.zeros((len(uniques), K))
        matrix[parent[good], keys[good]] = item_weight[item_codes[good]]
        errors: list[ProfileError | None] = [None] * len(uniques)
        for u in [*np.flatnonzero(bad), cells]:  # the bad cells and the empty one
            value, errors[u] = self._resolved("issues", cell_value("issues", uniques[u]))
            matrix[u] = 0.0
            for key, weight in (value or {}).items():
                matrix[u, key_pos[key]] = weight
        return _Column(codes, [None] * len(uniques), errors, uniques, matrix=matrix)

    def _text_column(self, series: pd.Series, field_name: str) -> _Column:
        # Names, ids and descriptions are nearly all distinct: check the common case with
        # string operations and send only the rest through `resolve`.
        # The edges cleaned exactly as `vocabulary.clean_text` cleans one value (white space and
        # invisible characters), for the whole column at once.
        import pyarrow.compute as pc

        try:
            cells = pa.array(series, type=pa.string(), from_pandas=True)  # no copy for Arrow-backed text
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            cells = pa.array(series.astype(object).where(series.notna(), None), type=pa.string())
        trimmed = pc.fill_null(pc.utf8_trim(cells, characters=EDGE_CHARACTERS), "")
        length = pc.utf8_length(trimmed).to_numpy(zero_copy_only=False).astype(np.int64)
        values = trimmed.to_numpy(zero_copy_only=False).astype(object)
        raw = values.copy()
        empty = length == 0
        raw[empty] = None
        fine = length <= self._max_len[field_name]
        if field_name == "name":
            fine &= ~empty  # a missing name is an error: let `resolve` say so
        else:
            values[empty] = self._resolved(field_name, None)[0]  # id: None, description: ""
        errors = np.full(len(values), None, dtype=object)
        for i in np.flatnonzero(~fine):
            raw[i] = cell_value(field_name, raw[i])
            values[i], errors[i] = self._resolved(field_name, raw[i])
        return _Column(np.arange(len(values)), values, errors, raw)

    # --- a whole frame ------------------------------------------------------------------

    def parse(self, df: pd.DataFrame) -> ParsedFrame:
        """Match the columns and resolve every cell; bad rows become `RowError`s.

        Unmatched columns are ignored; a missing required column is an `InputError`.
        """
        layout = self.layout if self.layout is not None else detect(df.columns)
        df, unknown = to_fields(df, layout, self.catalogue.osh)
        self.unknown_sectors |= unknown
        closed = df[CLOSED].to_numpy(dtype=bool) if CLOSED in df.columns else np.zeros(len(df), dtype=bool)
        if CLOSED in df.columns:
            df = df.drop(columns=[CLOSED])
        mapping, _ = match_columns(df.columns)
        by_field = {f: c for c, f in mapping.items()}
        n = len(df)
        cols = {f: self._column(df[by_field[f]] if f in by_field else None, n, f) for f in FIELDS}
        labels = df.index.to_numpy()
        errors, valid = self._errors(cols, labels, by_field, n)
        if closed.any():
            errors = [e for e, bad in zip(errors, self._error_rows(errors, labels)) if not closed[bad]]
            valid &= ~closed
        return ParsedFrame(columns=cols, labels=labels, valid=valid, errors=errors, closed=closed,
                           layout=layout.name, fields=df.rename(columns={c: f for c, f in mapping.items()}))

    @staticmethod
    def _error_rows(errors: list[RowError], labels: np.ndarray) -> list[int]:
        position = {(lab.item() if hasattr(lab, "item") else lab): i for i, lab in enumerate(labels)}
        return [position[e.row] for e in errors]

    def batch(self, parsed: ParsedFrame) -> ProfileBatch:
        """The valid rows as a `ProfileBatch`: each distinct cell's value turned into array
        rows once, then gathered by the rows' codes."""
        cols, ok, keys = parsed.columns, parsed.ok, self.keys
        ix = keys.index
        n, K = len(ok), len(keys.issues)

        def table(field_name: str, width: int, fill: Callable[[np.ndarray, Any], None], dtype: Any = bool):
            col = cols[field_name]
            out = np.zeros((len(col.values), width), dtype=dtype)
            for u, value in enumerate(col.values):
                if value:
                    fill(out[u], value)
            return out[col.codes[ok]]

        def mark(section: str) -> Callable[[np.ndarray, Any], None]:
            def fill(row: np.ndarray, values: Any) -> None:
                row[[ix[section][v] for v in values]] = True
            return fill

        issues = cols["issues"]
        stated = issues.matrix
        if stated is None:
            stated = np.zeros((len(issues.values), K))
            for u, weights in enumerate(issues.values):
                for key, w in (weights or {}).items():
                    stated[u, ix["issues"][key]] = w
        W = stated[issues.codes[ok]]
        desc = _take(cols["description"], ok)
        codes, uniques = pd.factorize(desc)
        uniques = list(uniques)
        filled = [i for i, t in enumerate(uniques) if t]
        remap = np.full(len(uniques) + 1, -1, dtype=np.int32)
        remap[filled] = np.arange(len(filled))
        text = remap[codes]
        described = np.zeros((len(filled) + 1, K))
        for j, i in enumerate(filled):
            # infer_issues(d, exclude=E) keeps infer_issues(d)'s keys not in E, in order;
            # the exclusion is applied per row below (inferred where nothing is stated).
            for key in infer_issues(uniques[i], self.catalogue):
                described[j, ix["issues"][key]] = 1.0
        inferred = np.where(W == 0, described[np.where(text >= 0, text, len(filled))], 0.0)
        origin = np.where((inferred > 0).any(axis=1), FROM_DESCRIPTION, 0).astype(np.uint8)
        likely = self._likely(cols, ok, W)
        if likely is not None:
            inferred = np.maximum(inferred, likely[0])
            origin |= likely[1]
        kind_col, country_col = cols["kind"], cols["country"]
        kinds = np.array([KINDS.index(k) if k else 0 for k in kind_col.values], dtype=np.int8)[kind_col.codes[ok]]
        country = np.array([ix["countries"][c] if c else 0 for c in country_col.values],
                           dtype=np.int32)[country_col.codes[ok]]
        members = table("memberships", len(keys.ids), mark("ids"))
        return ProfileBatch(
            kind=kinds, country=country,
            sourcing=table("sourcing_countries", len(keys.countries), mark("countries")),
            sectors=table("sector", len(keys.sectors), mark("sectors")),
            stated=W, inferred=inferred,
            prefers=table("prefers", len(keys.approaches), mark("approaches")),
            wants=table("wants", len(keys.offers), mark("offers")),
            shares=np.column_stack([_floats(cols["women_share"], ok), _floats(cols["migrant_share"], ok)])
            if n else np.zeros((0, 2)),
            size=_floats(cols["workforce_size"], ok),
            members=members, text=text, descriptions=tuple(uniques[i] for i in filled), origin=origin,
        )

    def _likely(self, cols: dict[str, _Column], ok: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """(n, K) weights of the issues inferred from public risk data for rows that list none
        (`core.needs.infer_needs`, once per distinct country, sectors, stage and workforce),
        and (n,) the bits of where they come from (`core.needs.origin`)."""
        cat = self.catalogue
        empty = W.sum(axis=1) == 0
        if cat.risk is None or not empty.any():
            return None
        from ..core.needs import MIGRANTS, WOMEN, infer_needs, origin

        ix = self.keys.index["issues"]
        rows = np.flatnonzero(empty)
        women, migrants = _floats(cols["women_share"], ok[rows]), _floats(cols["migrant_share"], ok[rows])
        # One inference per distinct combination of the resolved values it reads ("BD" and
        # "Bangladesh" alike), kept across chunks.
        fields = ("kind", "country", "sourcing_countries", "sector", "stage")
        key_codes = np.column_stack([
            *(_value_codes(cols[f])[cols[f].codes[ok[rows]]] for f in fields),
            women >= WOMEN, migrants >= MIGRANTS,
        ]).astype(np.int64)
        first, group = distinct_rows(key_codes)
        reps = rows[first]
        take = {f: _take(cols[f], ok[reps]) for f in fields}
        weights = np.zeros((len(first), W.shape[1]))
        where = np.zeros(len(first), dtype=np.uint8)
        memo = self._reasons.setdefault("likely", {})
        if len(memo) > _CACHE_LIMIT:
            memo.clear()
        for j in range(len(first)):
            key = (take["kind"][j] or "factory", take["country"][j], tuple(take["sourcing_countries"][j] or ()),
                   tuple(take["sector"][j] or ()), take["stage"][j], bool(key_codes[first[j], 5]),
                   bool(key_codes[first[j], 6]))
            found = memo.get(key)
            if found is None:
                needs = infer_needs(cat.risk, cat.taxonomy, kind=key[0], country=key[1], sourcing=key[2],
                                    sectors=key[3], stage=key[4], women_share=1.0 if key[5] else None,
                                    migrant_share=1.0 if key[6] else None)
                row = np.zeros(W.shape[1])
                for need in needs:
                    row[ix[need.key]] = need.weight
                found = memo[key] = (row, origin(needs))
            weights[j], where[j] = found
        out = np.zeros(W.shape)
        bits = np.zeros(len(W), dtype=np.uint8)
        out[rows], bits[rows] = weights[group], where[group]
        return out, bits

    def run(self, parsed: ParsedFrame, *, top: int = 5) -> Scored:
        """`Engine.run` on the valid rows."""
        return self.engine.run(self.batch(parsed), top=top)

    def scores(self, parsed: ParsedFrame) -> np.ndarray:
        """Scores (n, m) of the valid rows."""
        return self.run(parsed, top=1).scores

    def eligibility(self, parsed: ParsedFrame) -> np.ndarray:
        """(n, m) mask of the valid rows: is the initiative open to the row."""
        return self.run(parsed, top=1).eligible

    def score(self, df: pd.DataFrame, *, top: int = 5) -> ScoredFrame:
        """Validate, score and rank every row of ``df``: shortlists, errors and portfolio facts."""
        if isinstance(top, (bool, np.bool_)) or not isinstance(top, (int, np.integer)) or top < 1:
            raise ValueError("top must be a whole number of at least 1")
        top = int(top)
        parsed = self.parse(df)
        cols, ok = parsed.columns, parsed.ok
        n = len(ok)
        scored = self.run(parsed, top=top)
        s, shortlist = scored.scores, scored.selection.shortlist
        count = scored.selection.count
        first = s[np.arange(n), np.maximum(shortlist[:, 0], 0)] if len(self.ids) and n else np.zeros(n)
        facts = SupplierFacts(
            rows=parsed.labels[ok],
            ids=_take(cols["id"], ok),
            names=_take(cols["name"], ok),
            countries=_take(cols["country"], ok),
            kinds=_take(cols["kind"], ok),
            sectors=np.array([v[0] if v else None for v in _take(cols["sector"], ok)], dtype=object),
            needs=scored.features.issues,
            eligible=scored.eligible,
            relevant=scored.relevant & scored.eligible,
            members=scored.batch.members,
            stages=_take(cols["stage"], ok),
            inferred=(scored.batch.stated.sum(axis=1) == 0),
            shortlist=shortlist,
            best=np.where(count > 0, first, np.nan),
            issue_keys=self.issue_keys,
            initiative_ids=self.ids,
        )
        lines = self._lines(facts, scored)
        closed = np.flatnonzero(parsed.closed) if parsed.closed is not None else np.zeros(0, dtype=np.intp)
        if len(closed):
            order = np.concatenate([ok, closed])
            lines = lines.with_closed(_take(cols["id"], closed), _take(cols["name"], closed), parsed.labels[closed],
                                      order, CLOSED_REASON)
        return ScoredFrame(lines=lines, errors=parsed.errors, suppliers=facts, valid=parsed.valid,
                           closed=int(len(closed)), fields=parsed.fields)

    def _errors(self, cols: dict[str, _Column], labels: np.ndarray, by_field: dict, n: int):
        bad = np.zeros(n, dtype=bool)
        found: list[tuple[int, int, str, ProfileError]] = []
        for order, f in enumerate(FIELDS):
            col = cols[f]
            codes_bad = [i for i, e in enumerate(col.errors) if e is not None]
            if not codes_bad:
                continue
            rows = np.flatnonzero(np.isin(col.codes, codes_bad))
            bad[rows] = True
            for r in rows:
                found.append((r, order, f, col.errors[col.codes[r]]))
        found.sort(key=lambda t: (t[0], t[1]))
        out = []
        for r, _, f, exc in found:
            reason = exc.reason()
            out.append(RowError(
                row=labels[r].item() if hasattr(labels[r], "item") else labels[r],
                supplier_id=_plain(cols["id"].raw[cols["id"].codes[r]]),
                supplier_name=_plain(cols["name"].raw[cols["name"].codes[r]]),
                column=str(by_field.get(f, f)),
                field=exc.field or f,
                reason=reason,
            ))
        return out, ~bad

    # --- the long table -----------------------------------------------------------------

    def _lines(self, facts: SupplierFacts, scored: Scored) -> ShortlistLines:
        n, top = facts.shortlist.shape
        s = scored.scores
        has = facts.shortlist >= 0
        count = has.sum(axis=1)
        # One line per (supplier, rank); a supplier with no shortlist keeps one line that says why.
        lines = np.maximum(count, 1)
        sup = np.repeat(np.arange(n), lines)
        starts = np.repeat(np.cumsum(lines) - lines, lines)
        rank = np.where(count[sup] > 0, np.arange(len(sup)) - starts + 1, 0)
        col = np.where(rank > 0, facts.shortlist[sup, np.maximum(rank - 1, 0)], -1)
        score = np.where(rank > 0, s[sup, np.maximum(col, 0)], np.nan) if s.shape[1] else np.full(len(sup), np.nan)
        codes, texts = self._reason_texts(sup, col, scored)
        return ShortlistLines(
            supplier=sup, rank=rank, initiative=col, score=score, reason=codes, reason_texts=texts,
            supplier_ids=facts.ids, supplier_names=facts.names, rows=facts.rows,
            initiative_ids=np.array(self.ids, dtype=object),
            initiative_names=np.array([i.display_name for i in self.catalogue.initiatives], dtype=object),
        )

    def _reason_texts(self, sup: np.ndarray, col: np.ndarray, scored: Scored) -> tuple[np.ndarray, np.ndarray]:
        """A short reason per line, built from what each contribution says: the issues it
        covers, issues inferred from the description or risk data, mechanisms it offers that
        the row wants, preferred approaches it uses, whether the workforce and description
        parts count, and what its sources do not document. Returns (a code per line, the
        distinct texts in order of first appearance).

        Each part is put into words once per distinct key (and cached across chunks); the
        parts of every line are joined by pyarrow, not by a Python loop over lines."""
        if not len(sup):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=object)
        safe = np.maximum(col, 0)
        f, comp, eff = scored.features, scored.components, scored.weights
        wf = comp[sup, safe, 3] * eff[sup, 3] * f.factor[sup, safe] >= _SHOWN
        text = comp[sup, safe, 4] * eff[sup, 4] * f.factor[sup, safe] >= _SHOWN
        undocumented = scored.states[sup, safe, 1:] == UNDOCUMENTED  # kind, sector, country
        # A line's reason depends on its supplier only through these bits, and otherwise on the
        # initiative and six flags: one integer key per line, words only for distinct keys.
        batch = scored.batch
        origin = batch.origin if batch.origin is not None else np.zeros(len(batch), dtype=np.uint8)
        supplier_bits = np.concatenate([
            _bits(batch.stated > 0), _bits(batch.inferred > 0), origin.astype(np.uint64)[:, None],
            _bits(f.offers > 0), _bits(batch.prefers), scored.eligible.any(axis=1).astype(np.uint64)[:, None],
        ], axis=1)
        _, supplier_code = distinct_rows(supplier_bits)
        flags = (wf.astype(np.int64) | text.astype(np.int64) << 1 | undocumented[:, 0].astype(np.int64) << 2
                 | undocumented[:, 1].astype(np.int64) << 3 | undocumented[:, 2].astype(np.int64) << 4)
        key = (supplier_code[sup].astype(np.int64) * (len(self.ids) + 1) + (col + 1)) * 32 + flags
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # distinct keys in order of first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        reps = first[order]
        codes, texts = self._reason_words(sup[reps], col[reps], wf[reps], text[reps], undocumented[reps], scored)
        return codes[rank[inverse.ravel()]], texts

    def _reason_words(self, sup: np.ndarray, col: np.ndarray, wf: np.ndarray, text: np.ndarray,
                      undocumented: np.ndarray, scored: Scored) -> tuple[np.ndarray, np.ndarray]:
        """The reasons of the given lines (one each of the distinct keys of `_reason_texts`):
        (a code per line, the distinct texts in order of first appearance)."""
        import pyarrow.compute as pc

        safe = np.maximum(col, 0)
        f, batch = scored.features, scored.batch
        stated = batch.stated > 0
        covers = self._covers[safe]
        origin = batch.origin if batch.origin is not None else np.zeros(len(batch), dtype=np.uint8)
        shortlisted = col >= 0
        count = stated.sum(axis=1)[sup].astype(np.uint64)
        issue_labels = self._labels("issues", self.issue_keys)

        def covered_words(key: tuple) -> str:
            *bits, n = key
            got = _unbits(tuple(bits), issue_labels)
            if not got:
                return f"covers none of the {n} issues listed"
            return f"covers {', '.join(got)} ({len(got)} of {n} issues)"

        def also_words(key: tuple) -> str:
            *bits, where, any_stated = key
            sources = [w for w in (("the description" if where & FROM_DESCRIPTION else ""),
                                   origin_words(where, self.catalogue.risk) if self.catalogue.risk else "") if w]
            return (("also " if any_stated else "covers likely issues ") + ", ".join(_unbits(tuple(bits), issue_labels))
                    + f" (inferred from {' and '.join(sources) or 'the profile'})")

        also = _bits(batch.inferred > 0)[sup] & covers
        offers = _bits(f.offers > 0)[sup] & self._offered[safe]
        via = _bits(batch.prefers)[sup] & self._uses[safe]
        missing = (undocumented[:, 0].astype(np.uint64) << np.uint64(2)
                   | undocumented[:, 1].astype(np.uint64) << np.uint64(1)
                   | undocumented[:, 2].astype(np.uint64))[:, None]
        parts = [
            pa.repeat(pa.scalar("", pa.string()), len(sup)),  # a leading "" keeps no line all-null (see below)
            self._words("covered", np.concatenate([_bits(stated)[sup] & covers, count[:, None]], axis=1),
                        shortlisted & (count > 0), covered_words),
            self._words("also", np.concatenate([also, origin[sup].astype(np.uint64)[:, None],
                                                (count > 0).astype(np.uint64)[:, None]], axis=1),
                        shortlisted & also.any(axis=1), also_words),
            self._words("offers", offers, shortlisted & offers.any(axis=1), lambda key: "offers " + ", ".join(
                _unbits(key, self._labels("offers", self.keys.offers)))),
            self._words("via", via, shortlisted & via.any(axis=1), lambda key: "via " + ", ".join(
                _unbits(key, self._labels("approaches", self.keys.approaches)))),
            pc.if_else(shortlisted & wf, "workforce fit", pa.scalar(None, pa.string())),
            pc.if_else(shortlisted & text, "description match", pa.scalar(None, pa.string())),
            self._words("missing", missing, shortlisted & (missing[:, 0] > 0), lambda key: (
                "no documented work for this "
                + " or ".join(w for w, bit in (("kind", 4), ("sector", 2), ("country", 1)) if key[0] & bit)
                + ": confirm with the programme")),
        ]
        # pyarrow 26 drops the rows of binary_join_element_wise(null_handling="skip") whose
        # values are all null, so every line starts with "" and loses the "; " after it.
        joined = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, "; ", null_handling="skip"), 2)
        if shortlisted.all():
            lines = joined
        else:
            nothing = pc.if_else(scored.eligible.any(axis=1)[sup],
                                 "no open initiative addresses these issues well enough to recommend",
                                 "no initiative in the catalogue is open to this supplier")
            lines = pc.if_else(shortlisted, joined, nothing)
        encoded = lines.dictionary_encode()
        return (encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp),
                encoded.dictionary.to_numpy(zero_copy_only=False).astype(object))

    def _words(self, kind: str, keys: np.ndarray, where: np.ndarray, make: Callable[[tuple], str]) -> Any:
        """One part of each line's reason as a pyarrow string array (null where ``where`` is
        False): ``make`` puts each distinct row of ``keys`` into words, once (cached)."""
        rows = np.flatnonzero(where)
        index = np.full(len(where), -1, dtype=np.int64)
        if not len(rows):
            return pa.nulls(len(where), type=pa.string())
        cache = self._reasons.setdefault(f"part:{kind}", {})
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        first, codes = distinct_rows(keys[rows])
        texts = []
        for key in map(tuple, keys[rows][first].tolist()):
            found = cache.get(key)
            if found is None:
                found = cache[key] = make(key)
            texts.append(found)
        index[rows] = codes
        return pa.array(texts, type=pa.string()).take(pa.array(index, mask=index < 0))

    def _labels(self, section: str, keys: Sequence[str]) -> list[str]:
        # Keys as the spreadsheet spells them ("forced labour"): short, and what users typed.
        found = self._reasons.get(section)
        if found is None:
            found = self._reasons[section] = [k.replace("_", " ") for k in keys]
        return found


def _bits(mask: np.ndarray) -> np.ndarray:
    """Boolean rows (n, k) as rows of 64-bit words (n, ceil(k / 64)), for hashing patterns."""
    n, k = mask.shape
    words = max(1, -(-k // 64))
    packed = np.zeros((n, words * 8), dtype=np.uint8)
    packed[:, : -(-k // 8)] = np.packbits(mask, axis=1, bitorder="little")
    return packed.view("<u8")


def _unbits(words: tuple[int, ...], labels: list[str]) -> list[str]:
    """The labels whose bits are set in ``words`` (as made by `_bits`), in order."""
    out = []
    for w, word in enumerate(words):
        while word:
            low = word & -word
            out.append(labels[w * 64 + low.bit_length() - 1])
            word ^= low
    return out


def _split_items(cells: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """List cells split into items all at once, as `split_list` splits one: at ``;``, ``,``
    or a line break, items stripped, empty ones dropped. Returns each item's cell, each
    item's code and the distinct items.

    pyarrow's notion of white space can differ from Python's on rare characters; an item
    it leaves unstripped then fails on its own, and its cell is read whole by
    `validate_profile`, so the result is the same, only slower."""
    import pyarrow.compute as pc

    lists = pc.split_pattern_regex(pa.array(cells, type=pa.string()), pattern=_LIST_SEPARATORS)
    parent = pc.list_parent_indices(lists).to_numpy()
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    keep = pc.not_equal(items, "").to_numpy(zero_copy_only=False)
    encoded = items.filter(keep).dictionary_encode()
    return parent[keep], encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()


def _plain_number(field_name: str, value: Any) -> int | float | None:
    """A workforce cell that is plainly valid, as validation would return it; None for
    anything else (text, out of range, not a number), which goes through `resolve`.

    Workforce columns hold many distinct numbers, and a plain one needs no lookup."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if field_name == "workforce_size":
        return value if isinstance(value, int) and 1 <= value <= MAX_WORKFORCE else None
    if field_name in ("women_share", "migrant_share"):
        return float(value) if 0.0 <= value <= 1.0 else None
    return None


_PLAIN_INT = "^[0-9]{1,9}$"
_PLAIN_SHARE = "^(?:0|1|0?\\.[0-9]{1,12}|1\\.0{1,12})$"


def _plain_numbers(field_name: str, uniques: list) -> list | None:
    """For the distinct text cells of a workforce column, the number each one is when it is
    plain ASCII digits in range (a count of 1 to `MAX_WORKFORCE`, a share from 0 to 1 written
    as ``0.7`` or ``1``), else None: those cells, and every non-text one, are read one by one
    by `cell_value` and validation, which give these same numbers for plain cells.

    A list's workforce columns hold many distinct numbers; this reads them all at once."""
    import pyarrow.compute as pc

    texts = [u if isinstance(u, str) else None for u in uniques]
    if not any(t is not None for t in texts):
        return None
    arr = pa.array(texts, type=pa.string())
    if field_name == "workforce_size":
        plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_INT), False)
        numbers = pc.cast(pc.if_else(plain, arr, None), pa.int64())
        plain = pc.and_(plain, pc.fill_null(pc.and_(pc.greater_equal(numbers, 1),
                                                    pc.less_equal(numbers, MAX_WORKFORCE)), False))
    else:
        plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_SHARE), False)
        numbers = pc.cast(pc.if_else(plain, arr, None), pa.float64())
    keep = plain.to_numpy(zero_copy_only=False)
    got = numbers.to_pylist()
    if field_name != "workforce_size":
        # "1" and "0" are ints to cell_value; validation reads them as the shares 1.0 and 0.0.
        got = [int(g) if g is not None and t in ("0", "1") else g for g, t in zip(got, texts)]
    return [g if k else None for g, k in zip(got, keep)]


def _value_codes(col: _Column) -> np.ndarray:
    """For each distinct cell of a column, a code of its resolved value: cells that resolve
    alike ("BD", "Bangladesh") share one."""
    seen: dict[Any, int] = {}
    out = np.empty(len(col.values), dtype=np.int64)
    for i, v in enumerate(col.values):
        key = tuple(v) if isinstance(v, (list, tuple)) else v
        try:
            out[i] = seen.setdefault(key, len(seen))
        except TypeError:  # an unhashable value: its own code
            out[i] = len(seen) + i + 1_000_000
    return out


def _take(col: _Column, ok: np.ndarray) -> np.ndarray:
    """The resolved value of each valid row, as an object array."""
    table = np.empty(len(col.values), dtype=object)
    table[:] = col.values
    return table[col.codes[ok]]


def _floats(col: _Column, ok: np.ndarray) -> np.ndarray:
    table = np.array([np.nan if v is None else float(v) for v in col.values])
    return table[col.codes[ok]]


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


_SCORERS: dict[int, FrameScorer] = {}


def frame_scorer(catalogue: Catalogue | None = None, weights: Weights | None = None) -> FrameScorer:
    """The `FrameScorer` of the engine for ``catalogue`` and ``weights``, made once per engine."""
    engine = engine_for(catalogue, weights)
    found = _SCORERS.get(id(engine))
    if found is None or found.engine is not engine:
        if len(_SCORERS) > 16:
            _SCORERS.clear()
        found = _SCORERS[id(engine)] = FrameScorer(engine=engine)
    return found


def score_frame(
    df: pd.DataFrame,
    catalogue: Catalogue | str | None = None,
    top: int = 5,
    weights: Weights | None = None,
    *,
    errors: str = "raise",
) -> pd.DataFrame:
    """Shortlists for every row of ``df``: one line per supplier and rank.

    Columns are `SHORTLIST_COLUMNS`: supplier_id, supplier_name, rank (1..top),
    initiative_id, initiative_name, score, reasons (short), and row (``df``'s index label).
    A valid row whose shortlist is empty keeps one line with no rank and a reason.
    ``errors="raise"`` raises a `ProfileError` naming the first bad row; ``"skip"`` leaves
    bad rows out. Works unchanged on Dask partitions (``ddf.map_partitions(score_frame)``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame([{"name": "Mill", "kind": "factory", "country": "CN",
    ...                     "sector": "textiles", "issues": "chemicals; water"}])
    >>> score_frame(df, top=1)["initiative_id"].tolist()
    ['better-mill-initiative']
    """
    if errors not in ("raise", "skip"):
        raise ValueError("errors must be 'raise' or 'skip'")
    if catalogue is not None and not isinstance(catalogue, Catalogue):
        catalogue = load_catalogue(catalogue)
    result = frame_scorer(catalogue, weights).score(df, top=top)
    if result.errors and errors == "raise":
        first = result.errors[0]
        raise ProfileError(first.reason, source=f"row {first.row}", field=first.field)
    return result.lines.frame()
