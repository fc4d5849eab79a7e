"""Typed data: the profile, the catalogue (taxonomy, initiatives, sources) and the weights.

These pydantic models check structure and ranges at the boundary (``extra="forbid"``);
`recommender.validate` resolves aliases, countries and ids against the taxonomy, and
downstream stages trust what it returns.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Kind",
    "Workforce",
    "Profile",
    "TaxonomyEntry",
    "Taxonomy",
    "SizeRange",
    "WorkforceFocus",
    "Source",
    "Initiative",
    "CatalogueMeta",
    "Weights",
    "COMPONENTS",
]

Kind = Literal["factory", "brand"]

#: The named parts every score is made of, in display order.
COMPONENTS: tuple[str, ...] = ("issues", "approaches", "workforce", "text")

MAX_WORKFORCE = 1_000_000
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
        raise ValueError("must be an http:// or https:// URL")
    return value


# --- the profile ------------------------------------------------------------------------


class Workforce(_Model):
    """Who works at the site (factory) or across the supply base (brand)."""

    size: int | None = Field(None, ge=1, le=MAX_WORKFORCE, strict=True)
    women_share: float | None = Field(None, ge=0.0, le=1.0)
    migrant_share: float | None = Field(None, ge=0.0, le=1.0)

    @field_validator("women_share", "migrant_share", mode="before")
    @classmethod
    def _no_bool(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("must be a number between 0 and 1, such as 0.6")
        return value


class Profile(_Model):
    """A validated, normalised profile: every key canonical, countries ISO alpha-2.

    ``issues`` maps issue key to weight (1-3) in the order given; ``inferred_issues`` are
    issues recognised in the description that the profile did not list (weight 1).
    """

    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    country: str
    sector: str
    issues: dict[str, int] = Field(min_length=1)
    sourcing_countries: tuple[str, ...] = ()
    workforce: Workforce = Workforce()
    prefers: tuple[str, ...] = ()
    memberships: tuple[str, ...] = ()
    description: str = Field("", max_length=20_000)
    inferred_issues: tuple[str, ...] = ()
    id: str | None = Field(None, max_length=200)

    def weights(self) -> dict[str, int]:
        """Every issue that counts for scoring, stated and inferred, with its weight."""
        merged = dict(self.issues)
        for key in self.inferred_issues:
            merged.setdefault(key, 1)
        return merged


# --- the catalogue ----------------------------------------------------------------------


class TaxonomyEntry(_Model):
    """One sector, issue or approach key: label, one-line description, aliases, keywords."""

    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


class Taxonomy(_Model):
    """The vocabulary every profile and initiative is written in."""

    sectors: dict[str, TaxonomyEntry] = Field(min_length=1)
    issues: dict[str, TaxonomyEntry] = Field(min_length=1)
    approaches: dict[str, TaxonomyEntry] = Field(min_length=1)

    def label(self, section: str, key: str) -> str:
        """The display label of ``key`` in ``section`` (the key itself if unknown)."""
        entry = getattr(self, section).get(key)
        return entry.label if entry else key


class SizeRange(_Model):
    """Workforce sizes an initiative is designed for."""

    min: int | None = Field(None, ge=1)
    max: int | None = Field(None, ge=1)

    def contains(self, size: int) -> bool:
        """True when ``size`` lies within the range (open ends allowed)."""
        return (self.min is None or size >= self.min) and (self.max is None or size <= self.max)


class WorkforceFocus(_Model):
    """How strongly an initiative targets particular workforces (0-3)."""

    women: int = Field(0, ge=0, le=3)
    migrants: int = Field(0, ge=0, le=3)
    size: SizeRange | None = None


class Source(_Model):
    """Where a fact comes from, as of when, and which fields it supports."""

    title: str = Field(min_length=1)
    url: str | None = None
    ref: str | None = None
    as_of: _dt.date
    note: str | None = None
    supports: tuple[str, ...] = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return _http_url(value)


class Initiative(_Model):
    """One programme in the catalogue, as a set of facts with their sources."""

    id: str
    name: str = Field(min_length=1)
    organisation: str | None = None
    established: int | None = Field(None, ge=1900, le=2100)
    summary: str = Field(min_length=1)
    involves: str | None = None
    url: str
    participants: tuple[Kind, ...] = Field(min_length=1)
    sectors: tuple[str, ...] = Field(min_length=1)
    countries: tuple[str, ...] = Field(min_length=1)
    issues: dict[str, int] = Field(min_length=1)
    approaches: tuple[str, ...] = Field(min_length=1)
    workforce: WorkforceFocus = WorkforceFocus()
    keywords: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("must be lower-case words joined by hyphens, such as better-work")
        return value

    @field_validator("issues")
    @classmethod
    def _strengths(cls, value: dict[str, int]) -> dict[str, int]:
        for key, strength in value.items():
            if isinstance(strength, bool) or not isinstance(strength, int) or not 1 <= strength <= 3:
                raise ValueError(f"strength of {key!r} must be 1, 2 or 3")
        return value

    @property
    def is_global(self) -> bool:
        """True when the initiative is not tied to particular countries."""
        return "global" in self.countries

    def sources_for(self, field: str) -> list[Source]:
        """The sources that back ``field`` (``issues.<key>`` falls back to ``issues``)."""
        found = [s for s in self.sources if field in s.supports]
        if not found and "." in field:
            found = [s for s in self.sources if field.split(".", 1)[0] in s.supports]
        return found


class CatalogueMeta(_Model):
    """The catalogue's name, version and one-line description."""

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str | None = None


# --- the weights ------------------------------------------------------------------------


class Weights(_Model):
    """How much each named component counts; they sum to 1.

    A component that does not apply to a profile (no preferred approaches, no workforce
    shares, no description) passes its weight to the others in proportion, so a score
    is always a share of what that profile could score.
    """

    issues: float = Field(0.70, ge=0.0, le=1.0)
    approaches: float = Field(0.12, ge=0.0, le=1.0)
    workforce: float = Field(0.10, ge=0.0, le=1.0)
    text: float = Field(0.08, ge=0.0, le=1.0)
    min_score: float = Field(0.10, ge=0.0, le=1.0)
    source: str | None = None

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = sum(getattr(self, c) for c in COMPONENTS)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"component weights must sum to 1, they sum to {total:.4f}")
        if self.issues <= 0:
            raise ValueError("the issues weight must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        """The component weights, in display order."""
        return {c: getattr(self, c) for c in COMPONENTS}
