"""Typed data: the profile, the catalogue (taxonomy, initiatives, sources) and the weights.

These pydantic models check structure and ranges at the boundary (``extra="forbid"``);
`recommender.core.validate` resolves aliases, countries and ids against the taxonomy, and
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
    "InferredIssue",
    "Profile",
    "TaxonomyEntry",
    "Taxonomy",
    "SizeRange",
    "WorkforceFocus",
    "Source",
    "Status",
    "STATES",
    "ScopeRule",
    "DocumentedExclusion",
    "Requirement",
    "Eligibility",
    "RULES",
    "Initiative",
    "CatalogueMeta",
    "Weights",
    "COMPONENTS",
]

Kind = Literal["factory", "brand"]

#: The named parts every score is made of, in display order.
COMPONENTS: tuple[str, ...] = ("issues", "approaches", "offers", "workforce", "text")

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


class InferredIssue(_Model):
    """An issue a profile did not list but is likely to face, with where that comes from.

    ``basis`` is one plain sentence for the client ("child labour: cotton from Türkiye is on
    the US Department of Labor's 2024 list"); ``sources`` are the datasets' titles with their year.
    """

    key: str
    weight: int = Field(ge=1, le=3)
    basis: str
    sources: tuple[str, ...] = ()


class Profile(_Model):
    """A validated, normalised profile: every key canonical, countries ISO alpha-2.

    ``issues`` maps issue key to weight (1-3) in the order given (a plain list gives each
    weight 2: priorities, equal); ``inferred_issues`` are issues recognised in the
    description that the profile did not list (weight 1); ``risk_issues`` are likely
    issues inferred from public risk data when the profile lists none.
    """

    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    country: str
    sector: str
    other_sectors: tuple[str, ...] = ()
    stage: str | None = None
    issues: dict[str, int] = Field(default_factory=dict)
    sourcing_countries: tuple[str, ...] = ()
    workforce: Workforce = Workforce()
    prefers: tuple[str, ...] = ()
    wants: tuple[str, ...] = ()
    memberships: tuple[str, ...] = ()
    description: str = Field("", max_length=20_000)
    inferred_issues: tuple[str, ...] = ()
    risk_issues: tuple[InferredIssue, ...] = ()
    id: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _some_issue(self) -> Profile:
        if not (self.issues or self.inferred_issues or self.risk_issues):
            raise ValueError("list at least one issue")
        return self

    def inferred_weights(self) -> dict[str, int]:
        """Issues that count without being listed: from the description (weight 1) and from risk data."""
        out = {k: 1 for k in self.inferred_issues if k not in self.issues}
        for r in self.risk_issues:
            if r.key not in self.issues:
                out[r.key] = max(out.get(r.key, 0), r.weight)
        return out

    def weights(self) -> dict[str, int]:
        """Every issue that counts for scoring, stated and inferred, with its weight."""
        return {**self.issues, **self.inferred_weights()}


# --- the catalogue ----------------------------------------------------------------------


class TaxonomyEntry(_Model):
    """One sector, issue or approach key: label, one-line description, aliases, keywords."""

    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


class Taxonomy(_Model):
    """The vocabulary every profile and initiative is written in.

    ``offers`` are the mechanisms and services that make a programme distinctive (worker
    surveys by phone, film-and-quiz training, ...); their ``keywords`` are the phrases
    that recognise them in a client's description.
    """

    sectors: dict[str, TaxonomyEntry] = Field(min_length=1)
    issues: dict[str, TaxonomyEntry] = Field(min_length=1)
    approaches: dict[str, TaxonomyEntry] = Field(min_length=1)
    offers: dict[str, TaxonomyEntry] = Field(default_factory=dict)
    #: Requests no programme in the catalogue meets (recognised in descriptions like offers).
    outside: dict[str, TaxonomyEntry] = Field(default_factory=dict)

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


#: Where a programme stands now. ``ended`` is never recommended; ``renamed``, ``merged``
#: and ``handed_over`` are recommended under their current form; ``unverified`` carries a caution.
STATES = ("active", "renamed", "merged", "handed_over", "ended", "unverified")
#: The eligibility rules, in the order they are checked and explained.
RULES: tuple[str, ...] = ("status", "kind", "sector", "country")


class Status(_Model):
    """Where an initiative stands as of a date: active, renamed, merged, handed over, ended or unverified.

    ``summary`` is for the client ("Since March 2023 HERproject's work runs as part of
    RISE."); ``successor`` names the current form of a renamed, merged or handed-over one.
    """

    state: Literal["active", "renamed", "merged", "handed_over", "ended", "unverified"]
    as_of: _dt.date
    summary: str | None = None
    successor: str | None = None
    successor_url: str | None = None
    since: int | None = Field(None, ge=1900, le=2100)
    sources: tuple[str, ...] = Field(min_length=1)

    @field_validator("successor_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return _http_url(value)

    @model_validator(mode="after")
    def _needs(self) -> Status:
        if self.state in ("renamed", "merged", "handed_over") and not self.successor:
            raise ValueError(f"a {self.state.replace('_', ' ')} initiative names its successor")
        if self.state != "active" and not self.summary:
            raise ValueError(f"say in summary what '{self.state}' means for the client")
        return self


class ScopeRule(_Model):
    """How far a documented list (participants, sectors or countries) reaches.

    ``closed``: a source says the list is complete, so anything outside it is a documented
    exclusion, explained by ``reason`` (client voice) and backed by ``sources``. Open (the
    default): the list is what is documented, and anything else is "not documented".
    """

    closed: bool = False
    reason: str | None = None
    sources: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _closed_needs_basis(self) -> ScopeRule:
        if self.closed and not self.sources:
            raise ValueError("a closed list needs the sources that say it is complete")
        if self.closed and not self.reason:
            raise ValueError("a closed list needs a reason, as the client will read it")
        return self


class DocumentedExclusion(_Model):
    """Values a source says the initiative does not serve (a country programme that ended, say)."""

    rule: Literal["kind", "sector", "country"]
    values: tuple[str, ...] = Field(min_length=1)
    reason: str = Field(min_length=1)
    since: int | None = Field(None, ge=1900, le=2100)
    sources: tuple[str, ...] = Field(min_length=1)


class Requirement(_Model):
    """A joining rule the profile cannot show it meets (turnover, markets): shown as a caution."""

    applies_to: tuple[Kind, ...] = Field(min_length=1)
    text: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class Eligibility(_Model):
    """The basis of each eligibility rule: which lists are closed, documented exclusions, joining rules."""

    kind: ScopeRule = ScopeRule()
    sector: ScopeRule = ScopeRule()
    country: ScopeRule = ScopeRule()
    excluded: tuple[DocumentedExclusion, ...] = ()
    requirements: tuple[Requirement, ...] = ()

    def scope(self, rule: str) -> ScopeRule:
        """The `ScopeRule` of ``rule`` (kind, sector or country)."""
        return getattr(self, rule)


class Initiative(_Model):
    """One programme in the catalogue, as a set of facts with their sources.

    Two voices: ``summary``, ``involves``, ``caveats``, ``roles``, the status summary and
    eligibility reasons are written for the client; ``notes`` and each source's ``note``
    are for the consultant (how a fact was established, what to check) and never reach a
    client page.
    """

    id: str
    name: str = Field(min_length=1)
    organisation: str | None = None
    established: int | None = Field(None, ge=1900, le=2100)
    summary: str = Field(min_length=1)
    involves: str | None = None
    url: str
    status: Status
    participants: tuple[Kind, ...] = Field(min_length=1)
    roles: dict[Kind, str] = Field(default_factory=dict)
    sectors: tuple[str, ...] = Field(min_length=1)
    countries: tuple[str, ...] = Field(min_length=1)
    eligibility: Eligibility = Eligibility()
    issues: dict[str, int] = Field(min_length=1)
    approaches: tuple[str, ...] = Field(min_length=1)
    offers: dict[str, int] = Field(default_factory=dict)
    workforce: WorkforceFocus = WorkforceFocus()
    keywords: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
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

    @field_validator("issues", "offers")
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

    @property
    def display_name(self) -> str:
        """The name a client sees: the current form first for a renamed or merged initiative."""
        st = self.status
        if st.state in ("renamed", "merged") and st.successor and st.successor != self.name:
            return f"{st.successor} (formerly {self.name})"
        return self.name

    @property
    def recommendable(self) -> bool:
        """False when the initiative has ended."""
        return self.status.state != "ended"

    def source_by_ref(self, ref: str) -> Source | None:
        """The source whose ``ref`` is ``ref``."""
        return next((s for s in self.sources if s.ref == ref), None)

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

    issues: float = Field(0.50, ge=0.0, le=1.0)
    approaches: float = Field(0.08, ge=0.0, le=1.0)
    offers: float = Field(0.17, ge=0.0, le=1.0)
    workforce: float = Field(0.05, ge=0.0, le=1.0)
    text: float = Field(0.20, ge=0.0, le=1.0)
    min_score: float = Field(0.10, ge=0.0, le=1.0)
    #: Share of the score an initiative gives up for each eligibility rule its sources do
    #: not document for the profile (a sector or country it has no documented work in).
    undocumented: float = Field(0.15, ge=0.0, le=0.9)
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
