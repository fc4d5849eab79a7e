"""Real supplier-list layouts, read as they are exported: Open Supply Hub and column maps.

A supplier list arrives in one of these layouts, recognised by its headers (`detect`):

- ``match``: the profile's own fields as columns (``profiles/suppliers-template.csv``);
- ``osh-download``: Open Supply Hub's facility download (CSV, or XLSX with the sheet
  ``facilities``): ``os_id, contribution_date, name, address, country_code, country_name,
  lat, lng, sector, contributor (list), number_of_workers, ...``, 17 to 59 columns depending
  on when and with which fields it was exported;
- ``osh-upload``: Open Supply Hub's list-upload template: ``country, name, address,
  sector_product_type, facility_type_processing_type, number_of_workers, parent_company, lat, lng``;
- a column map (``--columns map.yaml``) for any other export: ``field: header`` lines.

`to_fields` turns a chunk of an Open Supply Hub layout into the profile's fields, one column
each, read as Open Supply Hub writes them (its code and fixtures are the reference:
``opensupplyhub/open-supply-hub``, see ``catalogue/open-supply-hub.yaml``):

- the supplier id is the ``os_id``; every row is a factory;
- the country is ``country_code`` (``country_name`` only when the code is empty);
- ``sector`` holds several sectors joined with ``|`` (the download title-cases them); each is
  mapped onto the taxonomy, and names outside the mapping count as ``other``;
- ``number_of_workers`` holds one value per contributor (``1|101-500``), each a number or a
  range, and uploads may hold Open Supply Hub's buckets (``Less than 1000``); a claimed
  facility's own figure (``claim_number_of_workers``) wins, otherwise the median of the
  contributors' values (each range by its middle), leaving out single-digit values when
  larger ones exist;
- ``claim_female_workers_percentage`` (0-100) is the share of women;
- ``facility_type`` and ``processing_type`` (or the upload's
  ``facility_type_processing_type``) are the value-chain stage: wet processing when any named
  process is wet (dyeing, printing, washing, finishing, tanning), else the most upstream stage named;
- ``claim_affiliations`` and ``claim_certifications_standards_regulations`` (joined with
  ``", "``) are memberships, mapped to catalogue ids (``Better Work (ILO)`` -> better-work,
  ``HERhealth`` -> herproject, ...);
- ``is_closed`` ``True`` marks a closed facility: it is not scored and is listed as closed.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..datasets import OshVocabulary
from ..errors import InputError

__all__ = ["Layout", "detect", "to_fields", "load_column_map", "workers", "CLOSED", "OSH_DOWNLOAD", "OSH_UPLOAD"]

#: The column `to_fields` adds: True for a facility the export marks as closed.
CLOSED = "closed"
OSH_DOWNLOAD = ("os_id", "country_code", "country_name", "sector", "number_of_workers")
OSH_UPLOAD = ("country", "name", "address", "sector_product_type", "facility_type_processing_type")
_SPLIT_UPLOAD = re.compile(r", |,|\|")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# The most upstream stage wins among those named (wet processing first: its risks are the most specific).
_STAGE_ORDER = ("wet_processing", "raw_materials", "material_production", "component_production", "assembly",
                "packing_and_logistics", "other")


@dataclass(frozen=True)
class Layout:
    """A recognised layout: its name and, for a column map, which header gives which field."""

    name: str
    renames: Mapping[str, str] = field(default_factory=dict)
    #: Headers the layout knows but does not read (addresses, coordinates, contacts...).
    unused: tuple[str, ...] = ()


def _fold(header: object) -> str:
    return str(header).strip().lower()


def detect(columns: Iterable[object], *, column_map: Mapping[str, str] | None = None) -> Layout:
    """The layout of a list with these headers (a column map, when given, decides)."""
    cols = [_fold(c) for c in columns]
    if column_map:
        return Layout("columns", renames={header: fld for fld, header in column_map.items()})
    if all(h in cols for h in OSH_DOWNLOAD):
        used = {"os_id", "name", "country_code", "country_name", "sector", "number_of_workers", "facility_type",
                "processing_type", "processing_type_facility_type_raw", "claim_affiliations",
                "claim_certifications_standards_regulations", "claim_female_workers_percentage",
                "claim_number_of_workers", "is_closed"}
        return Layout("osh-download", unused=tuple(str(c) for c, f in zip(columns, cols) if f not in used))
    if all(h in cols for h in OSH_UPLOAD):
        used = {"country", "name", "sector_product_type", "facility_type_processing_type", "number_of_workers",
                "sector", "facility_type", "processing_type"}
        return Layout("osh-upload", unused=tuple(str(c) for c, f in zip(columns, cols) if f not in used))
    return Layout("match")


def load_column_map(path: str | Path, fields: Sequence[str]) -> dict[str, str]:
    """A ``--columns`` file: ``field: header`` lines (YAML), fields checked against ``fields``."""
    from ..loading import read_yaml, require_mapping
    from ..vocabulary import did_you_mean

    doc = read_yaml(Path(path), what="column map")
    raw = require_mapping(doc, what="column map")
    out: dict[str, str] = {}
    for key, header in raw.items():
        fld = str(key).strip().lower().replace(" ", "_")
        if fld not in fields:
            close = did_you_mean(fld, fields, n=1)
            raise InputError(f"{key!r} is not a field", source=doc.source, line=doc.line((key,)), field=str(key),
                             hint=f"did you mean {close[0]!r}?" if close else "fields: " + ", ".join(fields))
        if not isinstance(header, str) or not header.strip():
            raise InputError("must be the header of a column in the list", source=doc.source,
                             line=doc.line((key,)), field=str(key))
        out[fld] = header.strip()
    if not out:
        raise InputError("maps no field to a column", source=doc.source, hint="write lines such as `name: Supplier`")
    return out


# --- cells ---------------------------------------------------------------------------------


def _values(cell: Any, sep: str | re.Pattern = "|") -> list[str]:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return []
    text = str(cell).strip()
    if not text:
        return []
    parts = sep.split(text) if isinstance(sep, re.Pattern) else text.split(sep)
    return [p.strip() for p in parts if p.strip()]


def workers(cell: Any, buckets: Sequence[Mapping[str, Any]] = ()) -> int | None:
    """One workforce size from Open Supply Hub's cell: ``3200``, ``1001-5000``, ``1|101-500``,
    ``Less than 1000`` (a bucket), ``More than 10000``; None when it holds no number."""
    named = {b["label"].lower(): b for b in buckets}
    mids: list[float] = []
    for value in _values(cell):
        bucket = named.get(value.lower())
        if bucket is not None:
            lo, hi = bucket["min"], bucket["max"]
            mids.append(float(lo if hi is None else (lo + hi) / 2))
            continue
        numbers = [float(n) for n in _NUMBER.findall(value.replace(",", ""))]
        if numbers:
            mids.append((min(numbers) + max(numbers)) / 2)
    if not mids:
        return None
    large = [m for m in mids if m >= 10]
    value = statistics.median(large or mids)
    return max(1, int(round(value)))


class _OshCells:
    """Open Supply Hub's names looked up case-insensitively."""

    def __init__(self, osh: OshVocabulary) -> None:
        self.osh = osh
        fold = lambda d: {k.lower(): v for k, v in d.items()}  # noqa: E731
        self.sectors = fold(osh.sectors)
        self.title_case = fold(osh.sector_title_case)
        self.stages = fold(osh.stages)
        self.wet = {w.lower() for w in osh.wet}
        self.affiliations = fold(osh.affiliations)
        self.unknown_sectors: set[str] = set()

    def sectors_of(self, cell: Any, sep: str | re.Pattern = "|") -> str | None:
        keys: list[str] = []
        for name in _values(cell, sep):
            low = self.title_case.get(name.lower(), name).lower()
            key = self.sectors.get(low)
            if key is None:
                self.unknown_sectors.add(name)
                key = "other"
            if key not in keys:
                keys.append(key)
        return ";".join(keys) or None

    def stage_of(self, *cells: Any, sep: str | re.Pattern = "|") -> str | None:
        named = [v.lower() for cell in cells for v in _values(cell, sep)]
        if any(v in self.wet for v in named):
            return "wet_processing"
        stages = {self.stages[v] for v in named if v in self.stages}
        return next((s for s in _STAGE_ORDER if s in stages), None)

    def memberships_of(self, *cells: Any) -> str | None:
        ids: list[str] = []
        for cell in cells:
            for name in _values(cell, ", "):
                ident = self.affiliations.get(name.lower())
                if ident and ident not in ids:
                    ids.append(ident)
        return ";".join(ids) or None


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    by_fold = {_fold(c): c for c in df.columns}
    col = by_fold.get(name)
    return df[col] if col is not None else pd.Series([None] * len(df), index=df.index, dtype=object)


def to_fields(df: pd.DataFrame, layout: Layout, osh: OshVocabulary | None) -> tuple[pd.DataFrame, set[str]]:
    """A chunk of ``layout`` as the profile's fields (one column each, plus `CLOSED`), and the
    sector names that were not in the mapping (counted as ``other``)."""
    if layout.name == "match":
        return df, set()
    if layout.name == "columns":
        renamed = df.rename(columns={c: layout.renames[str(c).strip()] for c in df.columns
                                     if str(c).strip() in layout.renames})
        return renamed[[c for c in renamed.columns if c in layout.renames.values()]], set()
    if osh is None:
        raise InputError("this catalogue has no Open Supply Hub mapping (open-supply-hub.yaml)",
                         hint="use the packaged catalogue, or add the mapping to yours")
    cells = _OshCells(osh)
    buckets = osh.workers_buckets
    out = pd.DataFrame(index=df.index)
    if layout.name == "osh-download":
        out["id"] = _column(df, "os_id")
        out["name"] = _column(df, "name")
        code, name = _column(df, "country_code"), _column(df, "country_name")
        out["country"] = [c if isinstance(c, str) and c.strip() else n for c, n in zip(code, name)]
        out["sector"] = [cells.sectors_of(v) for v in _column(df, "sector")]
        claim = _column(df, "claim_number_of_workers")
        out["workforce_size"] = [workers(c, buckets) or workers(v, buckets)
                                 for c, v in zip(claim, _column(df, "number_of_workers"))]
        share = pd.to_numeric(_column(df, "claim_female_workers_percentage"), errors="coerce")
        out["women_share"] = [None if np.isnan(v) or not 0 <= v <= 100 else v / 100 for v in share]
        out["stage"] = [cells.stage_of(f, p) for f, p in zip(_column(df, "facility_type"),
                                                             _column(df, "processing_type"))]
        out["memberships"] = [cells.memberships_of(a, c) for a, c in zip(
            _column(df, "claim_affiliations"), _column(df, "claim_certifications_standards_regulations"))]
        out[CLOSED] = [str(v).strip().lower() == "true" for v in _column(df, "is_closed")]
    else:  # osh-upload
        out["name"] = _column(df, "name")
        out["country"] = _column(df, "country")
        given = _column(df, "sector")
        mixed = _column(df, "sector_product_type")
        out["sector"] = [cells.sectors_of(g, _SPLIT_UPLOAD) if isinstance(g, str) and g.strip()
                         else _upload_sectors(cells, m) for g, m in zip(given, mixed)]
        out["workforce_size"] = [workers(v, buckets) for v in _column(df, "number_of_workers")]
        both = _column(df, "facility_type_processing_type")
        out["stage"] = [cells.stage_of(b, f, p, sep=_SPLIT_UPLOAD) for b, f, p in zip(
            both, _column(df, "facility_type"), _column(df, "processing_type"))]
        out[CLOSED] = False
    out["kind"] = "factory"
    return out, cells.unknown_sectors


def _upload_sectors(cells: _OshCells, cell: Any) -> str | None:
    """The upload's ``sector_product_type``: values that are Open Supply Hub sectors, the rest product types."""
    names = [v for v in _values(cell, _SPLIT_UPLOAD) if v.lower() in cells.sectors]
    return cells.sectors_of("|".join(names)) if names else None
