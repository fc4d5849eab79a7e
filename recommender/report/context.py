"""The context every report template receives: a documented, render-ready view of a Result.

`build_context` turns a `Result` into a `ReportContext`: plain strings, numbers and small
frozen dataclasses in display order, so templates only lay things out (and draw the
charts) and never compute. Everything here is deterministic: no clock reads beyond the
report date, no set or dict-order randomness, no ids from memory addresses.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..analysis.coverage import best_combination
from ..analysis.stability import NEAR_TIE_MARGIN, NEAR_TIE_SHARE
from ..core.explain import STRENGTH_WORDS, in_sentence, join_words
from ..core.recommend import VERDICTS
from ..countries import country_name
from ..errors import InputError
from ..models import COMPONENTS
from ..result import Recommendation, Result, round_preserving_sum
from .render import ReportOptions, report_date

__all__ = [
    "ReportContext",
    "build_context",
    "Fact",
    "IssueView",
    "ComponentPart",
    "Bar",
    "SourceView",
    "Card",
    "HeatCell",
    "HeatRow",
    "Heatmap",
    "CoverageStepView",
    "CoverageView",
    "ExcludedView",
    "ComponentWeight",
    "FirstShare",
    "StabilityView",
    "RobustnessView",
    "AppendixGroup",
    "safe_url",
    "COMPONENT_LABELS",
    "STRENGTH_SHORT",
    "HEATMAP_MAX_COLUMNS",
]

#: Display names of the score components, in `models.COMPONENTS` order.
COMPONENT_LABELS = {
    "issues": "Issues",
    "approaches": "Approach fit",
    "offers": "What you asked for",
    "workforce": "Workforce fit",
    "text": "Description match",
}

_COMPONENT_HELP = {
    "issues": "How deeply the initiative addresses each of your issues (core focus, addressed "
    "directly, touched on), weighted by the priority you gave each issue.",
    "approaches": "Whether it works through the approaches you said you prefer.",
    "offers": "Whether it offers the mechanisms and services you asked for, or that your description "
    "names (for example anonymous worker surveys by phone, or training for small suppliers).",
    "workforce": "How strongly it is designed for a workforce like yours (share of women, "
    "share of migrant workers).",
    "text": "How closely your description matches the initiative's documented work, in shared "
    "words and in meaning.",
}

#: More issues than this are drawn as heat-map rows rather than columns.
HEATMAP_MAX_COLUMNS = 6

#: Short words for issue strengths, as printed in heat-map cells.
STRENGTH_SHORT = {3: "Core focus", 2: "Direct", 1: "Touched on", 0: "Not covered"}

_PRIORITY = {3: "high priority", 2: "medium priority", 1: "low priority"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_FIELD_WORDS = {
    "established": "founding year",
    "organisation": "organisation",
    "summary": "summary",
    "involves": "what taking part involves",
    "url": "website",
    "participants": "who can join",
    "sectors": "sectors",
    "countries": "countries",
    "issues": "issues",
    "approaches": "approaches",
    "workforce": "workforce focus",
    "caveats": "cautions",
    "keywords": "keywords",
    "name": "name",
}
_RULE_WORDS = {"kind": "who can join", "sector": "sector", "country": "country"}
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>\\^`{|}\x00-\x1f\x7f]+$", re.IGNORECASE)
_LOGO = re.compile(r"^data:image/(png|jpeg|gif|svg\+xml);base64,([A-Za-z0-9+/]+={0,2})$")


def safe_url(url: object) -> str | None:
    """``url`` when it is a plain http(s) URL, else None: never a ``javascript:`` link."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if _SAFE_URL.match(url) else None


def _long_date(day: _dt.date) -> str:
    # Month names spelled out here rather than strftime("%B"), which follows the locale.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _join(items: list[str]) -> str:
    """`join_words`, with a serial comma when an item has its own "and" ("a and b, and c")."""
    if len(items) > 1 and any(" and " in item for item in items):
        return ", ".join(items[:-1]) + ", and " + items[-1]
    return join_words(items)


def _nbsp(sentence: str) -> str:
    """Keep "75 %" together on one line."""
    return re.sub(r"(\d) %", "\\1\u00a0%", sentence)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:·") + "…"


def _pct(x: float) -> str:
    return f"{x * 100:.0f}\u00a0%"


def _num(x: float) -> str:
    return f"{x:.2f}"


def _band(score: float) -> str:
    return next(name for name, floor in VERDICTS if score >= floor)


def _checked_logo(logo: str | None) -> str:
    if not logo:
        return ""
    match = _LOGO.match(logo.strip())
    if not match:
        raise InputError(
            "the logo must be a base64 data: URI of a PNG, JPEG, GIF or SVG image",
            hint="pass a file to --logo, or use recommender.output.logo_data_uri",
        )
    try:
        base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("the logo data: URI is not valid base64") from None
    return logo.strip()


# --- the view objects -------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One labelled line of the profile summary on the cover: ``label`` and ``value``."""

    label: str
    value: str


@dataclass(frozen=True)
class IssueView:
    """One of the client's issues.

    ``key`` the taxonomy key; ``label`` its display label; ``weight`` 1-3; ``priority``
    the weight in words ("high priority"); ``inferred`` True when it was recognised in the
    description rather than listed.
    """

    key: str
    label: str
    weight: int
    priority: str
    inferred: bool


@dataclass(frozen=True)
class ComponentPart:
    """One score component of one initiative: ``key`` (issues, approaches, workforce,
    text), ``label``, ``value`` (its share of the score, rounded so parts sum to the shown
    score) and ``text`` (the value formatted)."""

    key: str
    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Bar:
    """One named contribution, drawn as one bar.

    ``feature`` (such as ``issue:wages``), ``component`` key, ``label``, ``value`` (rounded
    so the bars sum to the shown score), ``text`` (formatted value) and ``fraction`` (the
    value as a share of the report-wide chart axis ``Card.axis``, 0-1).
    """

    feature: str
    component: str
    label: str
    value: float
    text: str
    fraction: float


@dataclass(frozen=True)
class SourceView:
    """A dated source behind a fact.

    ``number`` its place in the appendix; ``title``; ``url`` (a checked http(s) URL or
    None); ``as_of`` ISO date; ``note`` (may be empty); ``supports`` the facts it backs,
    in words; ``stale`` True when it is older than the report's staleness threshold;
    ``age`` its age in whole years at the report date.
    """

    number: int
    title: str
    url: str | None
    as_of: str
    note: str
    supports: str
    stale: bool
    age: int


@dataclass(frozen=True)
class Card:
    """One shortlisted (or already joined) initiative, ready to draw.

    ``rank`` (0 for memberships); ``id``; ``anchor`` (the HTML id of the card);
    ``name``; ``organisation`` (may be empty); ``summary``; ``score`` and ``score_text``;
    ``band`` (strong, fair or weak: the verdict band the score falls in); ``member``
    (already taking part); ``parts`` the score split by component (`ComponentPart`);
    ``bars`` its contributions of at least 0.01, largest first (`Bar`); ``axis`` the value the
    contribution charts' full width stands for (the same on every card); ``chart_text``
    a sentence describing the chart, its text alternative; ``reasons``, ``cautions``;
    ``gaps`` the labels of the client's issues it does not address; ``covered`` (label,
    strength word) pairs of the client's issues it addresses; ``involves`` what taking
    part involves (may be empty); ``approaches`` the labels of how it works;
    ``participants`` who can join, in words; ``url`` a checked http(s) link or None;
    ``sources`` the sources behind the reasons (`SourceView`); ``stale_sources`` how many
    of them are possibly stale; ``ties`` the names of the shortlisted initiatives it is
    nearly tied with (neighbours less than 0.02 apart, or the first two when the
    stability check calls it a near tie; empty for most cards).
    """

    rank: int
    id: str
    anchor: str
    name: str
    organisation: str
    summary: str
    score: float
    score_text: str
    band: str
    member: bool
    parts: tuple[ComponentPart, ...]
    score_alt: str
    bars: tuple[Bar, ...]
    axis: float
    chart_text: str
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]
    gaps: tuple[str, ...]
    covered: tuple[tuple[str, str], ...]
    involves: str
    approaches: tuple[str, ...]
    participants: str
    url: str | None
    sources: tuple[SourceView, ...]
    stale_sources: int
    ties: tuple[str, ...] = ()


@dataclass(frozen=True)
class HeatCell:
    """One heat-map cell: ``issue`` label, ``strength`` 0-3 and ``word`` (the strength in words)."""

    issue: str
    strength: int
    word: str


@dataclass(frozen=True)
class HeatRow:
    """One heat-map row: the initiative's ``rank``, ``name``, card ``anchor`` and ``cells``."""

    rank: int
    name: str
    anchor: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class Heatmap:
    """The comparison matrix: ``issues`` (columns, `IssueView`) × ``rows`` (`HeatRow`).

    ``transposed`` is True when there are too many issues to fit as columns (more than
    `HEATMAP_MAX_COLUMNS`, and more issues than initiatives): the template then draws one
    row per issue and one column per initiative.
    """

    issues: tuple[IssueView, ...]
    rows: tuple[HeatRow, ...]
    transposed: bool


@dataclass(frozen=True)
class CoverageStepView:
    """One initiative of the coverage plan.

    ``position`` (1-based); ``name``; card ``anchor``; ``adds`` the coverage it adds and
    ``total`` the coverage so far (0-1) with ``adds_text``/``total_text`` formatted;
    ``new_issues`` the labels (as they read mid-sentence) of issues it covers better than
    those before it.
    """

    position: int
    name: str
    anchor: str
    adds: float
    total: float
    adds_text: str
    total_text: str
    new_issues: tuple[str, ...]


@dataclass(frozen=True)
class CoverageView:
    """The smallest combination of shortlisted initiatives that covers most of the client's
    weighted issues (`recommender.analysis.coverage.best_combination`).

    ``steps`` (`CoverageStepView`); ``coverage`` 0-1 and ``coverage_text``; ``uncovered``
    labels of issues no step addresses; ``partly`` (label, best strength word) of issues
    addressed but not as a core focus; ``sentence`` the plan in one plain sentence.
    """

    steps: tuple[CoverageStepView, ...]
    coverage: float
    coverage_text: str
    uncovered: tuple[str, ...]
    partly: tuple[tuple[str, str], ...]
    sentence: str


@dataclass(frozen=True)
class ExcludedView:
    """An initiative the client cannot join: ``name``, ``anchor``, ``reasons`` and ``rules``
    (the failed eligibility rules, in words)."""

    name: str
    anchor: str
    reasons: tuple[str, ...]
    rules: tuple[str, ...]


@dataclass(frozen=True)
class ComponentWeight:
    """One score component in the methodology: ``key``, ``label``, ``weight`` in force (0-1),
    ``weight_text`` and ``description``."""

    key: str
    label: str
    weight: float
    weight_text: str
    description: str


@dataclass(frozen=True)
class FirstShare:
    """One initiative in the stability chart: ``key`` (its colour: ``step-1`` for the first
    choice, ``step-2`` and on for the others), ``label`` (its name), ``value`` the share of
    perturbed runs in which it came first (0-1) and ``text`` (the share formatted)."""

    key: str
    label: str
    value: float
    text: str


@dataclass(frozen=True)
class StabilityView:
    """How often the first choice stays first when the weights are perturbed.

    ``top`` the first choice's name; ``top_stays_first`` 0-1 and ``top_stays_text``;
    ``draws`` how many perturbed runs; ``perturbation`` their size (0-1); ``near_tie`` True
    when the first two are nearly tied; ``runner_up`` the second choice's name (may be
    empty); ``margin`` the first choice's lead over it and ``margin_text``; ``shares``
    (`FirstShare`) every initiative that came first in some run, the first choice first;
    ``sentence`` all of it in words; ``chart_text`` the text alternative of the chart;
    ``rule`` how a near tie is defined, in words, for the methodology.
    """

    top: str
    top_stays_first: float
    top_stays_text: str
    draws: int
    perturbation: float
    near_tie: bool
    runner_up: str
    margin: float | None
    margin_text: str
    shares: tuple[FirstShare, ...]
    sentence: str
    chart_text: str
    rule: str


@dataclass(frozen=True)
class RobustnessView:
    """The "How robust is this ranking" section: ``stability`` (`StabilityView` or None)
    and ``what_if`` sentences (may be empty). Present only when the result carries them."""

    stability: StabilityView | None
    what_if: tuple[str, ...]


@dataclass(frozen=True)
class AppendixGroup:
    """The sources of one initiative named in the report: ``name``, ``anchor`` (the card or
    exclusion it belongs to), ``sources`` (`SourceView`, numbered across the appendix)."""

    name: str
    anchor: str
    sources: tuple[SourceView, ...]


@dataclass(frozen=True)
class ReportContext:
    """What `report.html` and `report.md` (and any override) see as ``ctx``.

    Attributes
    ----------
    result
        The `Result` itself, for custom templates that need more than this view.
    title
        The report title (``--title``, else "Programme shortlist for <client>").
    prepared_by
        The author line (``--prepared-by``); may be empty.
    date
        The report date, ISO (YYYY-MM-DD).
    date_text
        The report date in words, such as "25 November 2026".
    logo
        A checked ``data:image/...;base64,`` URI to embed, or empty.
    client
        The profile's name.
    kind
        "factory" or "brand".
    country
        The profile country's English name.
    sector
        The profile sector's label.
    facts
        The profile summary on the cover, as `Fact` lines.
    description
        The profile's free-text description (may be empty).
    issues
        The client's issues, listed then inferred, as `IssueView`.
    issues_text
        The client's listed issues as they read mid-sentence ("wages and living wage and …").
    catalogue_name
        The catalogue's name.
    catalogue_version
        The catalogue's version.
    catalogue_size
        How many initiatives the catalogue holds.
    considered
        How many initiatives were considered (the catalogue size).
    open_count
        How many of them the client is eligible for.
    verdict
        strong, fair, weak or none (`recommender.core.recommend.VERDICTS`).
    verdict_label
        The verdict in words, such as "Strong match".
    message
        The one-sentence verdict from `recommend`.
    near_tie
        A warning that the first choice is nearly tied with another, or empty.
    fits
        True when there is a shortlist to present.
    summary
        The executive summary, as plain sentences.
    key_gap
        The single most important gap, as one sentence.
    cards
        The shortlist, in rank order, as `Card`.
    memberships
        Initiatives the client already belongs to, as `Card` (rank 0).
    heatmap
        The shortlist × issues comparison (`Heatmap`), or None without a shortlist.
    coverage
        The coverage plan (`CoverageView`).
    excluded
        Initiatives the client cannot join, as `ExcludedView`.
    components
        The score components and the weights in force, as `ComponentWeight`.
    bands
        The verdict bands as (name, lower bound) pairs, such as ("strong", 0.5).
    strengths
        Issue strengths 3, 2, 1 with their words, as (strength, word) pairs.
    robustness
        A `RobustnessView` when the result carries stability or what-if extras, else None.
    appendix
        Every source of every initiative named in the report, grouped (`AppendixGroup`).
    source_count
        How many sources the appendix lists.
    stale_count
        How many of them are possibly stale.
    stale_after_years
        Sources older than this many years at the report date are flagged possibly stale.
    tool_version
        The version of `match` that produced the report.
    running_footer
        The line printed at the foot of every page but the cover when the report is
        printed: title, client and date, shortened to 90 characters.
    label
        A function (section, key) -> display label from the taxonomy.
    """

    result: Result
    title: str
    prepared_by: str
    date: str
    date_text: str
    logo: str
    client: str
    kind: str
    country: str
    sector: str
    facts: tuple[Fact, ...]
    description: str
    issues: tuple[IssueView, ...]
    issues_text: str
    catalogue_name: str
    catalogue_version: str
    catalogue_size: int
    considered: int
    open_count: int
    verdict: str
    verdict_label: str
    message: str
    near_tie: str
    fits: bool
    summary: tuple[str, ...]
    key_gap: str
    cards: tuple[Card, ...]
    memberships: tuple[Card, ...]
    heatmap: Heatmap | None
    coverage: CoverageView
    excluded: tuple[ExcludedView, ...]
    components: tuple[ComponentWeight, ...]
    bands: tuple[tuple[str, float], ...]
    strengths: tuple[tuple[int, str], ...]
    robustness: RobustnessView | None
    appendix: tuple[AppendixGroup, ...]
    source_count: int
    stale_count: int
    stale_after_years: float
    tool_version: str
    running_footer: str
    label: Callable[[str, str], str]


# --- building it ------------------------------------------------------------------------


class _Sources:
    """Numbers every source once, in the order the report first names it."""

    def __init__(self, today: _dt.date, stale_after_years: float, label: Callable[[str], str]) -> None:
        self.today = today
        self.stale_after = stale_after_years
        self.label = label
        self.numbers: dict[tuple[str, str, str, str], int] = {}

    def view(self, init_id: str, title: str, url: str | None, as_of: str, note: str | None,
             supports: tuple[str, ...] | list[str]) -> SourceView:
        key = (init_id, title, url or "", as_of)
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        day = _dt.date.fromisoformat(as_of)
        days = (self.today - day).days
        words = list(dict.fromkeys(self._supports(s) for s in supports))
        return SourceView(
            number=number,
            title=title,
            url=safe_url(url),
            as_of=as_of,
            note=note or "",
            supports=_join(words),
            stale=days > self.stale_after * 365.25,
            age=max(days, 0) // 365,
        )

    def _supports(self, field: str) -> str:
        base, _, sub = field.partition(".")
        if base == "issues" and sub:
            return in_sentence(self.label(sub))
        return _FIELD_WORDS.get(base, base)


def _participants(kinds: tuple[str, ...]) -> str:
    if set(kinds) >= {"factory", "brand"}:
        return "Factories and brands"
    return {"factory": "Factories only", "brand": "Brands and retailers only"}.get(kinds[0], kinds[0])


def _card(rec: Recommendation, result: Result, sources: _Sources, axis: float,
          ties: Mapping[str, tuple[str, ...]]) -> Card:
    tax = result.taxonomy
    weights = result.profile.weights()
    positive = [c for c in rec.contributions if c.value > 0]
    shown = round_preserving_sum([c.value for c in positive], rec.score, 2)
    order = sorted(range(len(positive)),
                   key=lambda i: (-shown[i], COMPONENTS.index(positive[i].component), positive[i].label))
    bars = tuple(
        Bar(
            feature=positive[i].feature,
            component=positive[i].component,
            label=positive[i].label,
            value=shown[i],
            text=_num(shown[i]),
            fraction=min(shown[i] / axis, 1.0) if axis > 0 else 0.0,
        )
        for i in order
        if shown[i] > 0
    )
    totals = rec.component_totals()
    part_values = round_preserving_sum([max(totals.get(c, 0.0), 0.0) for c in COMPONENTS], rec.score, 2)
    parts = tuple(
        ComponentPart(key=c, label=COMPONENT_LABELS[c], value=v, text=_num(v))
        for c, v in zip(COMPONENTS, part_values, strict=True)
        if v > 0
    )
    made_of = "; ".join(f"{p.label} {p.text}" for p in parts) or "nothing"
    score_alt = (
        f"{rec.name} scores {_num(rec.score)} out of 1, made of: {made_of}. "
        f"Marks at {_num(VERDICTS[1][1])} and {_num(VERDICTS[0][1])} show the fair and strong thresholds."
    )
    described = "; ".join(f"{b.label} {b.text}" for b in bars)
    chart_text = (
        f"Contributions to the score of {rec.name} ({_num(rec.score)}), largest first: {described}."
        if bars else f"{rec.name} has no positive contribution to its score."
    )
    order = list(weights)
    covered = tuple(
        (tax.label("issues", k), STRENGTH_WORDS[rec.covered[k]])
        for k in sorted(weights, key=lambda k: (-rec.covered.get(k, 0), -weights[k], order.index(k)))
        if k in rec.covered
    )
    init = rec.initiative
    gap_words = join_words([in_sentence(tax.label("issues", k)) for k in rec.gaps])
    gap_sentence = f"Does not address {gap_words}."
    backing = tuple(
        sources.view(rec.id, s["title"], s.get("url"), s["as_of"], s.get("note"), s.get("supports", ()))
        for s in rec.sources
    )
    return Card(
        rank=rec.rank,
        id=rec.id,
        anchor=f"{'member' if rec.member else 'rank'}-{rec.id}",
        name=rec.name,
        organisation=init.organisation or "",
        summary=init.summary,
        score=rec.score,
        score_text=_num(rec.score),
        band=_band(rec.score),
        member=rec.member,
        parts=parts,
        score_alt=score_alt,
        bars=bars,
        axis=axis,
        chart_text=chart_text,
        reasons=tuple(_nbsp(r) for r in rec.reasons),
        # The gaps have their own list on the card; drop the caution that repeats them.
        cautions=tuple(_nbsp(c) for c in rec.cautions if c != gap_sentence),
        gaps=tuple(tax.label("issues", k) for k in rec.gaps),
        covered=covered,
        involves=init.involves or "",
        approaches=tuple(tax.label("approaches", a) for a in init.approaches),
        participants=_participants(init.participants),
        url=safe_url(init.url),
        sources=backing,
        stale_sources=sum(1 for s in backing if s.stale),
        ties=() if rec.member else tuple(ties.get(rec.id, ())),
    )


def _axis(recs: tuple[Recommendation, ...]) -> float:
    """A round chart axis (0.1, 0.2, ... 1.0) that fits the largest contribution shown."""
    top = max((c.value for r in recs for c in r.contributions), default=0.0)
    steps = int(top * 10 - 1e-9) + 1
    return min(max(steps, 1), 10) / 10


def _issues(result: Result) -> tuple[IssueView, ...]:
    p = result.profile
    return tuple(
        IssueView(key=k, label=result.taxonomy.label("issues", k), weight=w,
                  priority=_PRIORITY.get(w, f"weight {w}"), inferred=k not in p.issues)
        for k, w in p.weights().items()
    )


def _facts(result: Result, country: str, names: Mapping[str, str]) -> tuple[Fact, ...]:
    p = result.profile
    tax = result.taxonomy
    facts = [
        Fact("Type", "Factory or production site" if p.kind == "factory" else "Brand or retailer"),
        Fact("Country" if p.kind == "factory" else "Head office", country),
        Fact("Sector", tax.label("sectors", p.sector)),
    ]
    if p.kind == "brand":
        facts.append(Fact("Sourcing countries",
                          join_words([country_name(c) for c in p.sourcing_countries]) or "Not stated"))
    wf = p.workforce
    if wf.size is not None:
        facts.append(Fact("Workforce", f"{wf.size:,} workers"))
    shares = []
    if wf.women_share is not None:
        shares.append(f"{_pct(wf.women_share)} women")
    if wf.migrant_share is not None:
        shares.append(f"{_pct(wf.migrant_share)} migrant workers")
    if shares:
        facts.append(Fact("Workforce make-up", ", ".join(shares)))
    if p.prefers:
        facts.append(Fact("Preferred approaches", join_words([in_sentence(tax.label("approaches", a))
                                                             for a in p.prefers]).capitalize()))
    if p.memberships:
        facts.append(Fact("Already a member of", join_words([names.get(m, m) for m in p.memberships])))
    return tuple(facts)


def _names(result: Result) -> dict[str, str]:
    """Initiative id -> name for every initiative the result names."""
    names = {r.id: r.name for r in result.shortlist + result.memberships}
    for e in result.excluded:
        names.setdefault(e.id, e.initiative.name)
    # Open initiatives outside the shortlist are named only by the what-if changes, if at all.
    what_if = result.extras.get("what_if")
    changes = what_if.get("changes") if isinstance(what_if, Mapping) else None
    for change in changes if isinstance(changes, (list, tuple)) else ():
        if isinstance(change, Mapping) and change.get("initiative") and change.get("name"):
            names.setdefault(str(change["initiative"]), str(change["name"]))
    return names


def _coverage(result: Result, anchors: Mapping[str, str]) -> CoverageView:
    tax = result.taxonomy
    weights = result.profile.weights()
    label = lambda k: tax.label("issues", k)  # noqa: E731
    candidates = [(r.id, r.name, dict(r.initiative.issues)) for r in result.shortlist]
    plan = best_combination(candidates, weights)
    steps = tuple(
        CoverageStepView(
            position=n,
            name=s.name,
            anchor=anchors.get(s.id, ""),
            adds=s.adds,
            total=s.total,
            adds_text=_pct(s.adds),
            total_text=_pct(s.total),
            new_issues=tuple(in_sentence(label(k)) for k in s.new_issues),
        )
        for n, s in enumerate(plan.steps, start=1)
    )
    chosen = [dict(r.initiative.issues) for r in result.shortlist if r.id in plan.ids]
    best = {k: max((c.get(k, 0) for c in chosen), default=0) for k in weights}
    partly = tuple((label(k), STRENGTH_WORDS[best[k]]) for k in plan.partly)
    if not steps:
        sentence = (
            "Nothing to combine: no shortlisted initiative addresses your issues."
            if not result.shortlist
            else "No shortlisted initiative addresses your issues."
        )
    elif len(steps) == 1:
        sentence = (
            f"{steps[0].name} alone reaches the best coverage the shortlist allows: "
            f"{_pct(plan.coverage)} of your weighted issues."
        )
    else:
        sentence = (
            f"Together, {_join([s.name for s in steps])} reach the best coverage the shortlist allows: "
            f"{_pct(plan.coverage)} of your weighted issues."
        )
    return CoverageView(
        steps=steps,
        coverage=plan.coverage,
        coverage_text=_pct(plan.coverage),
        uncovered=tuple(label(k) for k in plan.uncovered),
        partly=partly,
        sentence=sentence,
    )


def _key_gap(result: Result) -> str:
    """The single most important gap: the highest-weight issue the shortlist covers least."""
    tax = result.taxonomy
    weights = result.profile.weights()
    order = list(weights)
    first = lambda keys: sorted(keys, key=lambda k: (-weights[k], order.index(k)))[0]  # noqa: E731
    named = lambda k: f"{tax.label('issues', k)} ({_PRIORITY.get(weights[k], 'listed')})"  # noqa: E731
    if not result.shortlist:
        return f"{named(first(order))} is not addressed well enough by any initiative you can join."
    uncovered = [k for k in order if k in result.uncovered]
    if uncovered:
        return (
            f"{named(first(uncovered))} is not addressed by any shortlisted initiative, "
            "so it needs a plan of its own."
        )
    best = {k: max(r.covered.get(k, 0) for r in result.shortlist) for k in order}
    partial = [k for k in order if best[k] < 3]
    if partial:
        top = sorted(partial, key=lambda k: (-weights[k], best[k], order.index(k)))[0]
        return (
            f"{named(top)} is only {STRENGTH_WORDS[best[top]]} by the shortlist: "
            "no shortlisted initiative makes it a core focus."
        )
    return "None: every issue you listed is a core focus of at least one shortlisted initiative."


def _summary(result: Result, coverage: CoverageView, open_count: int) -> tuple[str, ...]:
    tax = result.taxonomy
    p = result.profile
    label = lambda k: in_sentence(tax.label("issues", k))  # noqa: E731
    out = [result.message]
    if not result.shortlist:
        closed = len(result.excluded)
        kind = "factory" if p.kind == "factory" else "brand"
        if open_count == 0:
            out.append(
                f"Every one of the {result.considered} initiatives in the catalogue is closed to a {kind} "
                "with this profile, because of who may join, the sector served or where it operates."
            )
        else:
            out.append(
                f"The other {closed} of the catalogue's {result.considered} initiatives are closed to a "
                f"{kind} with this profile, because of who may join, the sector served or where it operates."
            )
        out.append(
            "This is a finding, not a failure: the right support may be a local or specialised programme "
            "that this catalogue does not list. The reasons each initiative is closed are given below, "
            "and show what would have to change for it to open."
        )
        if result.memberships:
            out.append(f"You already take part in {join_words([r.name for r in result.memberships])}.")
        return tuple(out)
    for rec in result.shortlist[1:3]:
        stated = [k for k in p.weights() if k in rec.covered]
        strong = [k for k in stated if rec.covered[k] >= 2] or stated
        what = _join([label(k) for k in strong]) if strong else "none of your issues"
        place = {2: "second", 3: "third"}[rec.rank]
        out.append(f"{rec.name} comes {place} (score {rec.score:.2f}) and addresses {what}.")
    if coverage.steps:
        out.append(coverage.sentence)
    if result.memberships:
        out.append(
            f"You already take part in {join_words([r.name for r in result.memberships])}; "
            "it is shown separately and not ranked."
        )
    return tuple(out)


def _stability(raw: object, result: Result, names: Mapping[str, str]) -> StabilityView | None:
    if not isinstance(raw, Mapping):
        return None
    try:
        share = float(raw.get("top_stays_first", 0.0))
        draws = int(raw.get("draws", 0))
        perturbation = float(raw.get("perturbation", 0.0))
        margin = float(raw["margin"]) if raw.get("margin") is not None else None
        challengers = [(str(k), float(v)) for k, v in dict(raw.get("challengers") or {}).items()]
    except (TypeError, ValueError):
        return None
    share = min(max(share, 0.0), 1.0)
    near_tie = bool(raw.get("near_tie", False))
    top_id = raw.get("top") or (result.top.id if result.top else "")
    top = names.get(str(top_id), str(top_id)) or "The first choice"
    runner_id = raw.get("runner_up") or (result.shortlist[1].id if len(result.shortlist) > 1 else "")
    runner = names.get(str(runner_id), str(runner_id))
    shares = [FirstShare("step-1", top, share, _pct(share))]
    shares += [FirstShare(f"step-{min(n, 5)}", names.get(k, k), min(max(v, 0.0), 1.0), _pct(v))
               for n, (k, v) in enumerate(challengers, start=2) if v > 0]

    sentence = (
        f"When each score weight is varied at random by up to {_pct(perturbation)} over {draws:,} runs, "
        f"{top} stays first in {_pct(share)} of them"
    )
    others = [f"{s.label} ({s.text})" for s in shares[1:]]
    if len(others) == 1:
        sentence += f"; in the others {shares[1].label} comes first."
    elif others:
        sentence += f"; otherwise {_join(others[:-1])} or {others[-1]} comes first."
    else:
        sentence += "."
    close = margin is not None and margin < NEAR_TIE_MARGIN
    if near_tie and runner and close:
        lead = "less than 0.01" if margin < 0.01 else f"less than {NEAR_TIE_MARGIN:.2f}"
        sentence += f" It leads {runner} by {lead}: a near tie, so treat the two as equally good."
    elif near_tie:
        sentence += " That makes it a near tie: treat the first two as equally good and compare them with care."
    elif share >= 0.9:
        sentence += " The first choice does not hinge on the exact weights."
    elif share < 0.6:
        sentence += " The first choice depends on the exact weights; compare the top few with care."
    chart_text = "; ".join(f"{s.label} first in {s.text} of runs" for s in shares) + "."
    return StabilityView(
        top=top, top_stays_first=share, top_stays_text=_pct(share), draws=draws, perturbation=perturbation,
        near_tie=near_tie, runner_up=runner, margin=margin,
        margin_text=_num(margin) if margin is not None else "", shares=tuple(shares),
        sentence=sentence, chart_text=chart_text,
        rule=(f"a lead of less than {NEAR_TIE_MARGIN:.2f} over the runner-up, or staying first in fewer "
              f"than {_pct(NEAR_TIE_SHARE)} of the runs"),
    )


def _robustness(result: Result, names: Mapping[str, str]) -> RobustnessView | None:
    extras = result.extras
    stability = _stability(extras["stability"], result, names) if "stability" in extras else None
    what_if: tuple[str, ...] = ()
    raw = extras.get("what_if")
    if isinstance(raw, Mapping) and isinstance(raw.get("sentences"), (list, tuple)):
        what_if = tuple(str(s) for s in raw["sentences"] if str(s).strip())
    if stability is None and not what_if:
        return None
    return RobustnessView(stability=stability, what_if=what_if)


def _ties(result: Result, stability: StabilityView | None) -> dict[str, tuple[str, ...]]:
    """Initiative id -> the names of the shortlisted initiatives it is nearly tied with.

    Neighbours in the ranking whose scores differ by less than `NEAR_TIE_MARGIN` are nearly
    tied, and so are the first two when the stability check says so.
    """
    pairs: list[tuple[Recommendation, Recommendation]] = []
    ranked = result.shortlist
    for a, b in zip(ranked, ranked[1:]):
        if round(a.score - b.score, 4) < NEAR_TIE_MARGIN:
            pairs.append((a, b))
    if stability is not None and stability.near_tie and len(ranked) > 1:
        runner = next((r for r in ranked[1:] if r.name == stability.runner_up), ranked[1])
        if (ranked[0], runner) not in pairs:
            pairs.insert(0, (ranked[0], runner))
    ties: dict[str, list[str]] = {}
    for a, b in pairs:
        ties.setdefault(a.id, []).append(b.name)
        ties.setdefault(b.id, []).append(a.name)
    return {k: tuple(dict.fromkeys(v)) for k, v in ties.items()}


def _tie_sentence(result: Result, stability: StabilityView | None, ties: Mapping[str, tuple[str, ...]]) -> str:
    """The executive summary's warning when the first choice is nearly tied, else empty."""
    if not result.shortlist or not ties.get(result.shortlist[0].id):
        return ""
    first = result.shortlist[0]
    other = next(r for r in result.shortlist[1:] if r.name == ties[first.id][0])
    sentence = (
        f"{first.name} and {other.name} are nearly tied ({_num(first.score)} and {_num(other.score)})"
    )
    share = next((s for s in stability.shares[1:] if s.label == other.name), None) if stability else None
    if share is not None:
        sentence += f": with slightly different weights, {other.name} comes first in {share.text} of runs"
    return sentence + ". Treat the two as equally good and let the client's priorities decide."


def build_context(result: Result, options: ReportOptions, *, env: Any = None) -> ReportContext:
    """Assemble the `ReportContext` for ``result`` (``env`` is accepted for template hooks)."""
    from .. import __version__

    p = result.profile
    tax = result.taxonomy
    today = report_date(options)
    country = country_name(p.country)
    sources = _Sources(today, options.stale_after_years, lambda k: tax.label("issues", k))
    anchors = {r.id: f"rank-{r.id}" for r in result.shortlist}
    anchors.update({r.id: f"member-{r.id}" for r in result.memberships})
    for e in result.excluded:
        anchors.setdefault(e.id, f"excluded-{e.id}")

    # The appendix first, so that sources are numbered in the order the appendix lists them:
    # every source of every initiative the report names, in report order.
    named = [r.initiative for r in result.shortlist + result.memberships]
    named += [e.initiative for e in result.excluded]
    appendix = tuple(
        AppendixGroup(
            name=init.name,
            anchor=anchors[init.id],
            sources=tuple(
                sources.view(init.id, s.title, s.url, s.as_of.isoformat(), s.note, s.supports)
                for s in init.sources
            ),
        )
        for init in named
    )
    all_sources = [s for g in appendix for s in g.sources]

    names = _names(result)
    robustness = _robustness(result, names)
    stability = robustness.stability if robustness else None
    ties = _ties(result, stability)
    axis = _axis(result.shortlist + result.memberships)
    cards = tuple(_card(r, result, sources, axis, ties) for r in result.shortlist)
    members = tuple(_card(r, result, sources, axis, ties) for r in result.memberships)
    issues = _issues(result)
    # The comparison lists the issues by priority, highest first (stable within a priority).
    by_priority = tuple(sorted(issues, key=lambda i: -i.weight))
    heatmap = None
    if cards:
        heatmap = Heatmap(
            issues=by_priority,
            rows=tuple(
                HeatRow(
                    rank=r.rank,
                    name=r.name,
                    anchor=anchors[r.id],
                    cells=tuple(
                        HeatCell(issue=i.label, strength=r.initiative.issues.get(i.key, 0),
                                 word=STRENGTH_SHORT[r.initiative.issues.get(i.key, 0)])
                        for i in by_priority
                    ),
                )
                for r in result.shortlist
            ),
            transposed=len(issues) > HEATMAP_MAX_COLUMNS and len(issues) > len(cards),
        )
    open_count = result.considered - len(result.excluded)
    coverage = _coverage(result, anchors)
    catalogue = result.catalogue
    title = options.title or f"Programme shortlist for {p.name}"
    running = title if p.name in title else f"{title} · {p.name}"
    running = f"{_shorten(running, 70)} · {_long_date(today)}"
    return ReportContext(
        result=result,
        title=title,
        prepared_by=options.prepared_by or "",
        date=today.isoformat(),
        date_text=_long_date(today),
        logo=_checked_logo(options.logo),
        client=p.name,
        kind=p.kind,
        country=country,
        sector=tax.label("sectors", p.sector),
        facts=_facts(result, country, names),
        description=p.description,
        issues=issues,
        issues_text=_join([in_sentence(i.label) for i in issues if not i.inferred]),
        catalogue_name=str(catalogue.get("name", "")),
        catalogue_version=str(catalogue.get("version", "")),
        catalogue_size=int(catalogue.get("size", result.considered)),
        considered=result.considered,
        open_count=open_count,
        verdict=result.verdict,
        verdict_label={"strong": "Strong match", "fair": "Fair match", "weak": "Weak match"}.get(
            result.verdict, "No match"),
        message=result.message,
        near_tie=_tie_sentence(result, stability, ties),
        fits=bool(result.shortlist) and result.verdict != "none",
        summary=tuple(_nbsp(s) for s in _summary(result, coverage, open_count)),
        key_gap=_key_gap(result),
        cards=cards,
        memberships=members,
        heatmap=heatmap,
        coverage=coverage,
        excluded=tuple(
            ExcludedView(name=e.initiative.name, anchor=anchors[e.id], reasons=tuple(e.reasons),
                         rules=tuple(_RULE_WORDS.get(r, r) for r in e.rules))
            for e in result.excluded
        ),
        components=tuple(
            ComponentWeight(key=c, label=COMPONENT_LABELS[c], weight=w, weight_text=_pct(w),
                            description=_COMPONENT_HELP[c])
            for c, w in ((c, float(result.weights.get(c, 0.0))) for c in COMPONENTS)
        ),
        bands=tuple((name, floor) for name, floor in VERDICTS),
        strengths=tuple((s, STRENGTH_WORDS[s]) for s in (3, 2, 1)),
        robustness=robustness,
        appendix=appendix,
        source_count=len({s.number for s in all_sources}),
        stale_count=len({s.number for s in all_sources if s.stale}),
        stale_after_years=options.stale_after_years,
        tool_version=__version__,
        running_footer=running,
        label=tax.label,
    )
