"""The catalogue's data files that are not initiatives, as validated models.

- ``risk/ituc-global-rights-index.yaml``: the ITUC Global Rights Index (a rating per country);
- ``risk/dol-goods-list.yaml``: the US Department of Labor's List of Goods Produced by Child
  Labor or Forced Labor (country × good), with each good's sectors and value-chain stage;
- ``risk/sector-hazards.yaml``: salient issues by sector, value-chain stage and workforce;
- ``open-supply-hub.yaml``: Open Supply Hub's names (sectors, facility and processing types,
  claimed affiliations and certifications) mapped to the taxonomy and to initiative ids.

Each carries its sources and an as-of date; `catalogue.load_catalogue` validates them with the
rest of the catalogue (keys against the taxonomy, countries against ISO 3166), so a broken
data file fails the load with its file, line and field. `catalogue/README.md` says how to
update them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "STAGES", "DataSource", "ItucIndex", "DolEntry", "DolGood", "DolList", "HazardEntry", "Hazards",
    "RiskData", "OshVocabulary",
]

#: Value-chain stages a profile or supplier row may name (`stage:`), in chain order.
STAGES = ("raw_materials", "material_production", "wet_processing", "component_production", "assembly",
          "packing_and_logistics", "other")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSource(_Data):
    """One source a dataset rests on."""

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    as_of: _dt.date
    note: str | None = None


class ItucIndex(_Data):
    """The ITUC Global Rights Index: 1 (sporadic violations) to 5+ (no guarantee of rights)."""

    title: str
    publisher: str
    edition: int
    url: str
    as_of: _dt.date
    period_covered: str | None = None
    scale: dict[str, str]
    coverage: str | None = None
    verification: tuple[str, ...] = ()
    sources: tuple[DataSource, ...] = ()
    ratings: dict[str, int | Literal["5+"]]

    @field_validator("ratings")
    @classmethod
    def _range(cls, value: dict[str, int | str]) -> dict[str, int | str]:
        for code, rating in value.items():
            if rating != "5+" and not (isinstance(rating, int) and 1 <= rating <= 5):
                raise ValueError(f"rating of {code} must be 1-5 or '5+'")
        return value

    def level(self, code: str) -> int | None:
        """The rating as a number (5+ counts 6), None when the country is not rated."""
        r = self.ratings.get(code)
        return None if r is None else 6 if r == "5+" else int(r)


class DolEntry(_Data):
    """One country × good listing."""

    country: str
    good: str
    child_labour: bool
    forced_labour: bool
    basis: tuple[str, ...] = ()
    note: str | None = None
    input: str | None = None
    edition: int | None = None


class DolGood(_Data):
    """What a listed good stands for: the sectors it belongs to and its value-chain stage."""

    sectors: tuple[str, ...] = Field(min_length=1)
    stage: Literal["raw_materials", "material_production", "component_production", "assembly"]


class DolList(_Data):
    """The US Department of Labor's List of Goods Produced by Child Labor or Forced Labor."""

    title: str
    publisher: str
    edition: int
    url: str
    as_of: _dt.date
    scope: str | None = None
    coverage: str | None = None
    removals_applied: tuple[dict, ...] = ()
    sources: tuple[DataSource, ...] = ()
    entries: tuple[DolEntry, ...] = Field(min_length=1)
    downstream: tuple[DolEntry, ...] = ()
    reported_not_confirmed: tuple[dict, ...] = ()
    goods_to_sectors: dict[str, DolGood]


class HazardEntry(_Data):
    """Salient issues (key -> weight 1-3) of a sector, stage or workforce, and why, with sources."""

    issues: dict[str, int]
    why: str
    sources: tuple[str, ...] = Field(min_length=1)
    description: str | None = None
    when: str | None = None
    evidence: str | None = None
    variants: dict[str, HazardEntry] = Field(default_factory=dict)

    @field_validator("issues")
    @classmethod
    def _weights(cls, value: dict[str, int]) -> dict[str, int]:
        for key, w in value.items():
            if isinstance(w, bool) or not isinstance(w, int) or not 1 <= w <= 3:
                raise ValueError(f"weight of {key!r} must be 1, 2 or 3")
        return value


class Hazards(_Data):
    """Sector, stage and workforce priors of salient issues."""

    title: str
    as_of: _dt.date
    issue_keys: tuple[str, ...] = ()
    weights: dict[int, str] = Field(default_factory=dict)
    coverage: str | None = None
    sources: tuple[DataSource, ...] = Field(min_length=1)
    sectors: dict[str, HazardEntry]
    stages: dict[str, HazardEntry]
    workforce_signals: dict[Literal["mostly_female", "mostly_migrant"], HazardEntry]

    def source(self, ident: str) -> DataSource | None:
        return next((s for s in self.sources if s.id == ident), None)


class RiskData(_Data):
    """The three risk datasets together."""

    ituc: ItucIndex
    dol: DolList
    hazards: Hazards


class OshVocabulary(_Data):
    """Open Supply Hub's names mapped to the taxonomy and to initiative ids (see `suppliers.layouts`)."""

    source: dict
    sectors: dict[str, str]
    sector_ambiguous: dict[str, str] = Field(default_factory=dict)
    sector_title_case: dict[str, str] = Field(default_factory=dict)
    facility_types: tuple[str, ...] = ()
    processing_types: dict[str, str] = Field(default_factory=dict)
    legacy_claim_facility_types: tuple[str, ...] = ()
    stages: dict[str, str]
    stage_notes: dict[str, str] = Field(default_factory=dict)
    wet: tuple[str, ...] = ()
    not_wet: dict[str, str] = Field(default_factory=dict)
    affiliations: dict[str, str | None]
    affiliation_fields: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    affiliation_notes: dict[str, str] = Field(default_factory=dict)
    workers_buckets: tuple[dict, ...] = ()
