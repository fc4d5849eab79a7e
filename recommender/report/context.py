"""The context every report template receives: a documented, render-ready view of a Result.

`build_context` turns a `Result` into a `ReportContext`: plain strings, numbers and small
frozen dataclasses in display order, so templates only lay things out (and draw the
charts) and never compute. Everything here is deterministic: no clock reads beyond the
report date, no set or dict-order randomness, no ids from memory addresses.

One voice: every statement the report makes about selection, ties, coverage and stability
is derived once, here, from one `_Findings` object (which programmes pass the bar, which
are tied, which combination covers the most, which issue is the most important gap), and
the first page, the cards, the charts and the Markdown all read it. Client pages carry only
client-voice text; consultant notes appear only in the ``--notes`` appendix.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..analysis.coverage import best_combination
from ..analysis.stability import NEAR_TIE_MARGIN, NEAR_TIE_SHARE
from ..core.explain import STRENGTH_WORDS, in_sentence, join_words
from ..core.recommend import RECOMMEND_BAR, VERDICTS
from ..countries import country_name
from ..errors import InputError
from ..models import COMPONENTS
from ..result import Exclusion, Recommendation, Result, round_preserving_sum
from .render import ReportOptions, report_date

__all__ = [
    "ReportContext",
    "build_context",
    "Fact",
    "IssueView",
    "CoveredIssue",
    "ComponentPart",
    "Bar",
    "Card",
    "Advice",
    "AlsoView",
    "CloseFitView",
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
    "SourceView",
    "NoteGroup",
    "LinkView",
    "safe_url",
    "relative_href",
    "fit_band",
    "COMPONENT_LABELS",
    "FIT_LABELS",
    "STRENGTH_SHORT",
    "HEATMAP_MAX_COLUMNS",
    "PRIORITY_WORDS",
    "SOURCES_PER_CLAIM",
]

#: Display names of the score components, in `models.COMPONENTS` order.
COMPONENT_LABELS = {
    "issues": "Your issues",
    "approaches": "How it works",
    "offers": "What you asked for",
    "workforce": "Your workforce",
    "text": "Your description",
}

_COMPONENT_HELP = {
    "issues": "How deeply the programme works on each of your issues (a core focus, addressed "
    "directly, touched on), counted by the priority you gave each issue.",
    "approaches": "Whether it works in the ways you said you prefer, such as training or worker voice.",
    "offers": "Whether it offers the services you asked for, or that your description names (for "
    "example anonymous worker surveys by phone, or training for small suppliers).",
    "workforce": "How strongly it is designed for a workforce like yours (share of women, share of "
    "migrant workers).",
    "text": "How closely your description matches what the programme does, in shared words and in meaning.",
}

#: Words for a score, from the verdict bands (`core.recommend.VERDICTS`) and the bar a
#: programme must pass to be recommended (`core.recommend.RECOMMEND_BAR`), highest first.
FIT_LABELS = (("strong", VERDICTS[0][1], "Strong fit"), ("fair", VERDICTS[1][1], "Fair fit"),
              ("modest", RECOMMEND_BAR, "Modest fit"), ("weak", 0.0, "Weak fit"))

#: A card cites, for each fact it states, this many of the newest sources that back it.
SOURCES_PER_CLAIM = 1

#: More issues than this are drawn as heat-map rows rather than columns.
HEATMAP_MAX_COLUMNS = 6

#: Short words for issue strengths, as printed in heat-map cells and issue chips.
STRENGTH_SHORT = {3: "Core focus", 2: "Direct", 1: "Touched on", 0: "Not covered"}

#: A listed issue's weight in words, when the client gave different weights. A plain list
#: (every issue the same weight, 2 by default) calls each one simply "priority".
PRIORITY_WORDS = {3: "top priority", 2: "priority", 1: "minor priority"}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_FIELD_WORDS = {
    "established": "founding year", "organisation": "organisation", "summary": "what it does",
    "involves": "what taking part involves", "url": "website", "participants": "who can join",
    "sectors": "sectors", "countries": "countries", "issues": "issues", "approaches": "how it works",
    "workforce": "workforce focus", "caveats": "points to weigh", "keywords": "keywords", "name": "name",
    "roles": "how you take part", "status": "status", "offers": "services offered",
    "eligibility": "who may join",
}
_RULE_WORDS = {"kind": "who can join", "sector": "sector", "country": "country", "status": "status"}
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>\\^`{|}\x00-\x1f\x7f]+$", re.IGNORECASE)
_LOGO = re.compile(r"^data:image/(png|jpeg|gif|svg\+xml);base64,([A-Za-z0-9+/]+={0,2})$")
_ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def safe_url(url: object) -> str | None:
    """``url`` when it is a plain http(s) URL, else None: never a ``javascript:`` link."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if _SAFE_URL.match(url) else None


def relative_href(target: str | os.PathLike[str], start_folder: str | os.PathLike[str]) -> str:
    """A relative link from a page in ``start_folder`` to the file ``target``, percent-encoded.

    A first segment that could read as a URL scheme ("javascript:x") is prefixed with "./",
    so the link is always a path.
    """
    rel = os.path.relpath(os.path.abspath(os.fspath(target)), os.path.abspath(os.fspath(start_folder)))
    rel = rel.replace(os.sep, "/")
    href = urllib.parse.quote(rel, safe="/")
    return "./" + href if ":" in href.split("/")[0] else href


def fit_band(score: float) -> tuple[str, str]:
    """(band key, words) for a score: strong, fair, modest (recommendable) or weak."""
    return next((key, words) for key, floor, words in FIT_LABELS if score >= floor)


def _long_date(day: _dt.date) -> str:
    # Month names spelled out here rather than strftime("%B"), which follows the locale.
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _join(items: Sequence[str], word: str = "and") -> str:
    """`join_words`, with a serial comma when an item has its own "and" ("a and b, and c")."""
    items = list(items)
    if len(items) > 1 and any(" and " in item for item in items):
        return ", ".join(items[:-1]) + f", {word} " + items[-1]
    if word != "and" and len(items) > 1:
        return ", ".join(items[:-1]) + f" {word} " + items[-1]
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


def _first_clause(text: str, limit: int = 110) -> str:
    """The first sentence (or clause before a semicolon) of ``text``, at most ``limit`` characters."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[a-z0-9)])\. (?=[A-Z])|; ", text, maxsplit=1)[0].rstrip(".")
    return _shorten(first, limit)


def _pct(x: float) -> str:
    return f"{x * 100:.0f}\u00a0%"


def _num(x: float) -> str:
    return f"{x:.2f}"


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """ "1 programme", "2 programmes"."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


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
    """One labelled line of the client profile: ``label`` and ``value``."""

    label: str
    value: str


@dataclass(frozen=True)
class IssueView:
    """One of the client's issues.

    ``key`` the taxonomy key; ``label`` its display label; ``weight`` 1-3; ``priority``
    the weight in words ("top priority"; "priority" for every issue of a plain list;
    "from your description" or "likely for you" for issues the client did not list);
    ``inferred`` True when it was not listed (recognised in the description or from risk data).
    """

    key: str
    label: str
    weight: int
    priority: str
    inferred: bool


@dataclass(frozen=True)
class CoveredIssue:
    """One client issue a programme addresses: ``label``, ``strength`` 1-3, ``word`` (the
    strength in words, "a core focus") and ``short`` (as printed on a chip, "Core focus")."""

    label: str
    strength: int
    word: str
    short: str


@dataclass(frozen=True)
class ComponentPart:
    """One score component of one programme: ``key`` (a `models.COMPONENTS` name), ``label``,
    ``value`` (its share of the score, rounded so parts sum to the shown score) and ``text``."""

    key: str
    label: str
    value: float
    text: str


@dataclass(frozen=True)
class Bar:
    """One named contribution, drawn as one bar on a 0-1 scale (the score's own scale).

    ``feature`` (such as ``issue:wages``), ``component`` key, ``label``, ``value`` (rounded
    so the bars sum to the shown score), ``text`` (formatted value) and ``fraction`` (the
    bar's length, the value itself, as a share of 1).
    """

    feature: str
    component: str
    label: str
    value: float
    text: str
    fraction: float


@dataclass(frozen=True)
class Card:
    """One shortlisted (or already joined) programme, ready to draw in the scorecard and as a card.

    ``rank`` its position (0 for memberships); ``rank_label`` the rank as printed ("2", or
    "1=" when it shares its score with another); ``id``; ``anchor`` (the HTML id of the
    card); ``name``; ``organisation`` (may be empty); ``summary``; ``score`` and
    ``score_text``; ``band`` and ``fit_label`` (`fit_band`); ``tier`` ("recommended",
    "worth_a_look" or "member") and ``tier_label`` its words; ``member`` (already taking
    part); ``parts`` the score split by component (`ComponentPart`); ``score_alt`` the
    score bar's text alternative; ``bars`` its contributions of at least 0.01, largest first
    (`Bar`); ``chart_text`` a sentence describing the chart; ``covered`` the client's issues
    it addresses (`CoveredIssue`), deepest first; ``covered_count`` how many of the listed
    issues it covers, in words ("3 of your 4 issues"); ``gaps`` the labels of the listed
    issues it does not address, highest priority first; ``key_gap`` the first of them, or
    empty; ``reasons`` and ``cautions`` (the issue sentences are left out: ``covered`` and
    ``gaps`` say that); ``involves`` what taking part involves; ``involves_line`` the same
    for this client in one line; ``approaches`` the labels of how it works;
    ``participants`` who can join, in words; ``url`` a checked http(s) link or None;
    ``sources`` the numbers of the sources behind it in the appendix; ``stale_sources``
    how many of them are older than the staleness threshold; ``tie_note`` a sentence when
    it is tied or nearly tied with another programme, else empty; ``tie`` "tie", "near" or
    empty; ``why_not`` why a programme worth a look is not recommended ("it scores below
    0.25", "it has no documented work in Cambodia"), else empty.
    """

    rank: int
    rank_label: str
    id: str
    anchor: str
    name: str
    organisation: str
    summary: str
    score: float
    score_text: str
    band: str
    fit_label: str
    tier: str
    tier_label: str
    member: bool
    parts: tuple[ComponentPart, ...]
    score_alt: str
    bars: tuple[Bar, ...]
    chart_text: str
    covered: tuple[CoveredIssue, ...]
    covered_count: str
    gaps: tuple[str, ...]
    key_gap: str
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]
    involves: str
    involves_line: str
    approaches: tuple[str, ...]
    participants: str
    url: str | None
    sources: tuple[int, ...]
    stale_sources: int
    tie_note: str
    tie: str
    why_not: str


@dataclass(frozen=True)
class AlsoView:
    """A programme named on the first page outside the ranking: ``name``, ``anchor`` (its
    section further on), ``kind`` ("close_fit" or "excluded") and ``text`` (why, one sentence)."""

    name: str
    anchor: str
    kind: str
    text: str


@dataclass(frozen=True)
class Advice:
    """The first page: the advice in one sentence, the scorecard, the gap and what to do next.

    ``state`` is "recommend" (one clear first choice), "tie" (two or more recommended
    programmes share the best score), "near_tie" (the first two are too close to call),
    "leads" (something fits, but nothing is recommended) or "none" (nothing fits); ``title`` the
    callout's heading; ``headline`` the recommendation in one sentence; ``first`` the first
    choice it names (`Card`, or None when nothing fits); ``recommended``
    and ``worth_a_look`` the scorecard's two groups (`Card`); ``also`` programmes outside
    the ranking worth naming (`AlsoView`: close fits and excluded programmes that would
    fit); ``key_gap`` the most important gap in one sentence; ``next_steps`` what to do next.
    """

    state: str
    title: str
    headline: str
    first: Card | None
    recommended: tuple[Card, ...]
    worth_a_look: tuple[Card, ...]
    also: tuple[AlsoView, ...]
    key_gap: str
    next_steps: tuple[str, ...]


@dataclass(frozen=True)
class CloseFitView:
    """An open programme outside the shortlist that offers what was asked for or covers an
    issue nothing shortlisted covers: ``name``, ``anchor``, ``score_text``, ``fit_label``,
    ``reason`` (why it is named), ``summary``, ``involves_line`` and ``url``."""

    name: str
    anchor: str
    score_text: str
    fit_label: str
    reason: str
    summary: str
    involves_line: str
    url: str | None


@dataclass(frozen=True)
class HeatCell:
    """One heat-map cell: ``issue`` label, ``strength`` 0-3 and ``word`` (the strength in words)."""

    issue: str
    strength: int
    word: str


@dataclass(frozen=True)
class HeatRow:
    """One heat-map row: the programme's ``rank_label``, ``name``, card ``anchor`` and ``cells``."""

    rank_label: str
    name: str
    anchor: str
    cells: tuple[HeatCell, ...]


@dataclass(frozen=True)
class Heatmap:
    """The comparison matrix: ``issues`` (columns, `IssueView`) × ``rows`` (`HeatRow`).

    ``transposed`` is True when there are too many issues to fit as columns (more than
    `HEATMAP_MAX_COLUMNS`, and more issues than programmes): the template then draws one
    row per issue and one column per programme.
    """

    issues: tuple[IssueView, ...]
    rows: tuple[HeatRow, ...]
    transposed: bool


@dataclass(frozen=True)
class CoverageStepView:
    """One programme of the coverage plan: ``position`` (1-based); ``name``; card ``anchor``;
    ``adds`` the coverage it adds and ``total`` the coverage so far (0-1), with
    ``adds_text``/``total_text``; ``new_issues`` the labels (mid-sentence) of the issues it
    covers better than those before it."""

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
    """The smallest combination of recommended programmes (of the shortlist, when none is
    recommended) that covers the most of the client's issues
    (`recommender.analysis.coverage.best_combination`).

    ``steps`` (`CoverageStepView`); ``coverage`` 0-1 and ``coverage_text``, the coverage
    score (a core focus counts fully, direct work two thirds, touching on an issue one third,
    each issue by its weight); ``pool`` which programmes were combined, in words;
    ``uncovered`` labels of the issues no step addresses; ``partly`` (label, best strength
    word) of those addressed but not as a core focus; ``sentence`` the plan in one sentence.
    """

    steps: tuple[CoverageStepView, ...]
    coverage: float
    coverage_text: str
    pool: str
    uncovered: tuple[str, ...]
    partly: tuple[tuple[str, str], ...]
    sentence: str


@dataclass(frozen=True)
class ExcludedView:
    """A programme the client cannot join: ``name``, ``anchor``, ``reasons`` (client voice),
    ``rules`` (the failed rules, in words), ``fit_text`` what it would score were it open
    (empty when it addresses nothing asked for), ``would_fit`` True when that passes the bar
    for a recommendation, and ``sources`` the appendix numbers of the sources the reasons rest on."""

    name: str
    anchor: str
    reasons: tuple[str, ...]
    rules: tuple[str, ...]
    fit_text: str
    would_fit: bool
    sources: tuple[int, ...]


@dataclass(frozen=True)
class ComponentWeight:
    """One score component in the method: ``key``, ``label``, ``weight`` (how much it counts
    for this profile, 0-1), ``weight_text`` and ``description``."""

    key: str
    label: str
    weight: float
    weight_text: str
    description: str


@dataclass(frozen=True)
class FirstShare:
    """One programme in the stability chart: ``key`` (its colour: ``step-1`` for the first
    choice, ``step-2`` on for the others), ``label`` (its name), ``value`` the share of
    varied runs in which it came first (0-1) and ``text`` (the share formatted)."""

    key: str
    label: str
    value: float
    text: str


@dataclass(frozen=True)
class StabilityView:
    """How often the first choice stays first when the weights are varied.

    ``top`` the first choice's name; ``top_stays_first`` 0-1 and ``top_stays_text``;
    ``draws`` how many varied runs; ``perturbation`` by how much (0-1); ``near_tie`` True
    when the report calls the first place a tie or near tie (`Advice.state`); ``runner_up``
    the second choice's name (may be empty); ``margin`` the lead over it (None when nothing
    else is a candidate) and ``margin_text``; ``shares`` (`FirstShare`) every programme that
    came first in some run, the first choice first; ``sentence`` all of it in words,
    consistent with the first page; ``chart_text`` the chart's text alternative; ``rule``
    how a near tie is defined, in words.
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
    """The "How firm is this advice" section: ``stability`` (`StabilityView` or None) and
    ``what_if`` sentences (may be empty). Present only when the result carries them."""

    stability: StabilityView | None
    what_if: tuple[str, ...]


@dataclass(frozen=True)
class SourceView:
    """One source in the appendix, listed once however many programmes cite it.

    ``number`` (the card and exclusion references); ``title``; ``url`` (a checked http(s)
    URL or None); ``as_of`` ISO date; ``year``; ``stale`` True when older than the report's
    staleness threshold; ``age`` its age in whole years at the report date; ``cited_for``
    what the report cites it for ("RISE: women's health and who can join; Better Work: wages").
    """

    number: int
    title: str
    url: str | None
    as_of: str
    year: str
    stale: bool
    age: int
    cited_for: str


@dataclass(frozen=True)
class NoteGroup:
    """Consultant notes on one programme named in the report (the ``--notes`` appendix only):
    ``name``, ``anchor``, ``notes`` (the programme's notes) and ``sources`` ((number, title,
    note) for each cited source with a note)."""

    name: str
    anchor: str
    notes: tuple[str, ...]
    sources: tuple[tuple[int, str, str], ...]


@dataclass(frozen=True)
class LinkView:
    """A link to a related page (a supplier report's index, the portfolio): ``label``, ``href``."""

    label: str
    href: str


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
        The profile country's English name (a factory's site, a brand's head office).
    sector
        The profile sector's label.
    facts
        The client profile, as `Fact` lines.
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
        How many programmes the catalogue holds.
    considered
        How many programmes were considered (the catalogue size).
    open_count
        How many of them the client is eligible for.
    advice
        The first page (`Advice`).
    fits
        True when there is a shortlist to present.
    cards
        The shortlist, in rank order, as `Card`.
    memberships
        Programmes the client already belongs to, as `Card` (rank 0).
    close_fits
        Open programmes outside the shortlist worth naming, as `CloseFitView`.
    heatmap
        The shortlist × issues comparison (`Heatmap`), or None without a shortlist.
    coverage
        The coverage plan (`CoverageView`).
    excluded
        Programmes the client cannot join, as `ExcludedView`, those that would fit first.
    components
        The score components and how much each counts, as `ComponentWeight`.
    bands
        The fit words as (key, lower bound, words), such as ("strong", 0.5, "Strong fit").
    recommend_bar
        The score from which a programme that addresses what was asked can be recommended.
    strengths
        Issue strengths 3, 2, 1 with their words, as (strength, word) pairs.
    robustness
        A `RobustnessView` when the result carries stability or what-if extras, else None.
    sources
        Every source the report cites, once each, in order of first citation (`SourceView`).
    source_count
        How many sources the report cites.
    stale_count
        How many of them are older than the staleness threshold.
    stale_after_years
        Sources older than this many years at the report date are marked as older.
    notes
        The consultant notes appendix (`NoteGroup`), only with ``--notes``; else empty.
    links
        Links to related pages (`LinkView`): a supplier report's index and portfolio; else empty.
    tool_version
        The version of `match` that produced the report.
    running_footer
        The line printed at the foot of every printed page but the first: title, client and
        date, shortened to 90 characters.
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
    advice: Advice
    fits: bool
    cards: tuple[Card, ...]
    memberships: tuple[Card, ...]
    close_fits: tuple[CloseFitView, ...]
    heatmap: Heatmap | None
    coverage: CoverageView
    excluded: tuple[ExcludedView, ...]
    components: tuple[ComponentWeight, ...]
    bands: tuple[tuple[str, float, str], ...]
    recommend_bar: float
    strengths: tuple[tuple[int, str], ...]
    robustness: RobustnessView | None
    sources: tuple[SourceView, ...]
    source_count: int
    stale_count: int
    stale_after_years: float
    notes: tuple[NoteGroup, ...]
    links: tuple[LinkView, ...]
    tool_version: str
    running_footer: str
    label: Callable[[str, str], str]


# --- the one source of truth ------------------------------------------------------------


class _Findings:
    """Everything the report says about selection, ties, coverage and stability, derived once.

    ``recommended`` and ``worth`` split the shortlist by tier (a tier is not always in score
    order: a programme with no documented work where the client is stays "worth a look"
    whatever it scores). ``first`` is the first choice the advice names: the first of the
    shortlist, as the JSON and the supplier-list outputs rank it (one ranking everywhere);
    when it is not recommended, the advice calls it a lead and names ``alternative``, the
    best recommended programme, if there is one. ``tie_groups`` maps each id to the ids that
    share its shown score (two decimals, as every page prints it); ``near`` maps each id to
    its neighbours less than `NEAR_TIE_MARGIN` apart (and, for the first two, a near tie
    called by the stability check); ``joint`` the programmes sharing first place with
    ``first`` (itself included); ``rival`` the one nearly tied with it, if any; ``ahead``
    the programmes that score higher than ``first`` but are not recommended; ``state`` is
    `Advice.state`.
    """

    def __init__(self, result: Result) -> None:
        self.result = result
        p = result.profile
        ranked = result.shortlist
        self.ranked = ranked
        self.recommended = tuple(r for r in ranked if r.tier == "recommended")
        self.worth = tuple(r for r in ranked if r.tier != "recommended")
        shown = {r.id: _num(r.score) for r in ranked}
        self.tie_groups: dict[str, tuple[str, ...]] = {
            r.id: tuple(o.id for o in ranked if shown[o.id] == shown[r.id]) for r in ranked
        }
        self.rank_label: dict[str, str] = {}
        for r in ranked:
            group = self.tie_groups[r.id]
            first = min(o.rank for o in ranked if o.id in group)
            self.rank_label[r.id] = f"{first}=" if len(group) > 1 else str(r.rank)
        near: dict[str, list[str]] = {}
        for a, b in zip(ranked, ranked[1:]):
            if shown[a.id] != shown[b.id] and round(a.score - b.score, 4) < NEAR_TIE_MARGIN:
                near.setdefault(a.id, []).append(b.id)
                near.setdefault(b.id, []).append(a.id)
        raw = result.extras.get("stability")
        self.stability = raw if isinstance(raw, Mapping) else None
        st = self.stability
        if st is not None and bool(st.get("near_tie")) and len(ranked) > 1:
            top, runner = ranked[0], next((r for r in ranked[1:] if r.id == st.get("runner_up")), ranked[1])
            if runner.id not in self.tie_groups[top.id] and runner.id not in near.get(top.id, []):
                near.setdefault(top.id, []).insert(0, runner.id)
                near.setdefault(runner.id, []).append(top.id)
        self.near = {k: tuple(dict.fromkeys(v)) for k, v in near.items()}
        self.first = (ranked or (None,))[0]
        first = self.first
        self.alternative = next((r for r in self.recommended if first is not None and r.id != first.id), None) \
            if first is not None and first.tier != "recommended" else None
        same_tier = self.recommended if first is not None and first.tier == "recommended" else ranked
        if first is None:
            self.joint: tuple[Recommendation, ...] = ()
            self.rival = None
        else:
            self.joint = tuple(r for r in same_tier if r.id in self.tie_groups[first.id])
            self.rival = next((r for r in same_tier if r.id in self.near.get(first.id, ())), None)
        close_to_first = set(self.tie_groups.get(first.id, ())) | set(self.near.get(first.id, ())) if first else set()
        self.ahead = tuple(r for r in ranked if first is not None and r.tier != "recommended" and r.id != first.id
                           and (r.rank < first.rank or r.id in close_to_first))
        if first is None:
            self.state = "none"
        elif first.tier != "recommended":
            self.state = "leads"
        elif len(self.joint) > 1:
            self.state = "tie"
        elif self.rival is not None:
            self.state = "near_tie"
        else:
            self.state = "recommend"
        # The coverage plan combines the programmes that pass the bar (the shortlist when none does).
        self.pool = self.recommended or ranked
        weights = p.weights()
        self.plan = best_combination([(r.id, r.name, dict(r.initiative.issues)) for r in self.pool], weights)
        self.covered_any = {k for r in ranked for k in r.covered}
        self.weights = weights
        self.listed = list(p.issues) or list(weights)
        self.equal_weights = len(set(p.issues.values())) <= 1
        #: The description asks for something no programme provides (the core's verdict says so).
        self.outside = bool(ranked) and not self.recommended and result.verdict == "weak" and \
            result.message.startswith("What your description asks for")

    def name(self, ident: str) -> str:
        return next(r.name for r in self.ranked if r.id == ident)

    def why_not(self, rec: Recommendation) -> str:
        """Why a shortlisted programme is worth a look rather than recommended, in a few words."""
        if rec.tier == "recommended":
            return ""
        if rec.tier_reason:
            return rec.tier_reason
        if self.outside:
            return "what your description asks for is not something it provides"
        if rec.score < RECOMMEND_BAR:
            return f"it scores below {_num(RECOMMEND_BAR)}"
        p = self.result.profile
        where = ("No documented work in your sourcing countries" if p.kind == "brand"
                 else f"No documented work in {country_name(p.country)}")
        undocumented = next((c for c in rec.cautions if c.startswith(where)), "")
        if undocumented:
            return "it has n" + undocumented[1:].split(";")[0].rstrip(".")
        return "it does not address the issues you listed or what you asked for"

    def priority(self, key: str) -> str:
        """The listed issue's weight in words; empty for a plain list (all equal)."""
        p = self.result.profile
        if key not in p.issues:
            return "from your description" if key in p.inferred_issues else "likely for you"
        return "" if self.equal_weights else PRIORITY_WORDS.get(p.issues[key], "")

    def by_priority(self, keys: Sequence[str]) -> list[str]:
        order = list(self.weights)
        return sorted(keys, key=lambda k: (-self.weights.get(k, 0), order.index(k) if k in order else 99))


# --- building it ------------------------------------------------------------------------


class _Sources:
    """Numbers every cited source once (by title, address and date), in order of first citation,
    and remembers what each is cited for."""

    def __init__(self, today: _dt.date, stale_after_years: float) -> None:
        self.today = today
        self.stale_after = stale_after_years
        self.entries: dict[tuple[str, str, str], dict[str, Any]] = {}

    def cite(self, who: str, src: Mapping[str, Any], supports: Sequence[str]) -> int:
        key = (str(src["title"]), str(src.get("url") or ""), str(src["as_of"]))
        entry = self.entries.setdefault(key, {"number": len(self.entries) + 1, "cited": {}, "notes": {}})
        entry["cited"].setdefault(who, [])
        for word in supports:
            if word not in entry["cited"][who]:
                entry["cited"][who].append(word)
        if src.get("note"):
            entry["notes"][who] = str(src["note"])
        return entry["number"]

    def views(self) -> tuple[SourceView, ...]:
        out = []
        for (title, url, as_of), entry in self.entries.items():
            day = _dt.date.fromisoformat(as_of)
            days = (self.today - day).days
            cited = "; ".join(f"{who}: {_join(words)}" if words else who for who, words in entry["cited"].items())
            out.append(SourceView(number=entry["number"], title=title, url=safe_url(url or None), as_of=as_of,
                                  year=str(day.year), stale=days > self.stale_after * 365.25,
                                  age=max(days, 0) // 365, cited_for=cited))
        return tuple(sorted(out, key=lambda s: s.number))

    def stale(self, numbers: Sequence[int]) -> int:
        stale = {s.number for s in self.views() if s.stale}
        return sum(1 for n in numbers if n in stale)

    def notes_for(self, who: str) -> tuple[tuple[int, str, str], ...]:
        return tuple((e["number"], title, e["notes"][who]) for (title, _, _), e in self.entries.items()
                     if who in e["notes"])


def _supports_words(fields: Sequence[str], label: Callable[[str, str], str]) -> list[str]:
    words = []
    for f in fields:
        base, _, sub = f.partition(".")
        if base == "issues" and sub:
            word = in_sentence(label("issues", sub))
        elif base == "offers" and sub:
            word = in_sentence(label("offers", sub))
        else:
            word = _FIELD_WORDS.get(base, base)
        if word not in words:
            words.append(word)
    return words


def _backing(found: Sequence[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], list[str]]]:
    """The sources to cite for a card: for each claim its `SOURCES_PER_CLAIM` newest sources,
    each source once with the claims it is cited for, in the catalogue's order."""
    chosen: dict[int, list[str]] = {}
    claims = list(dict.fromkeys(c for s in found for c in s.get("supports", ())))
    for claim in claims:
        backing = [i for i, s in enumerate(found) if claim in s.get("supports", ())]
        backing.sort(key=lambda i: (str(found[i]["as_of"]), -i), reverse=True)
        for i in backing[:SOURCES_PER_CLAIM]:
            chosen.setdefault(i, []).append(claim)
    return [(found[i], chosen[i]) for i in sorted(chosen)]


def _participants(kinds: tuple[str, ...]) -> str:
    if set(kinds) >= {"factory", "brand"}:
        return "Factories and brands"
    return {"factory": "Factories only", "brand": "Brands and retailers only"}.get(kinds[0], kinds[0])


def _involves_line(rec_init: Any, kind: str) -> str:
    """What taking part involves for this client, in one line: its role, else the general text."""
    text = rec_init.roles.get(kind) or rec_init.involves or ""
    return _first_clause(text, 110) if text else ""


_ISSUE_REASON = re.compile(r"^Covers \d+ of your \d+ priority issues?:")
_ISSUE_CAUTIONS = ("Covers none of the issues you listed.",)


def _card(rec: Recommendation, f: _Findings, sources: _Sources) -> Card:
    result = f.result
    tax = result.taxonomy
    p = result.profile
    positive = [c for c in rec.contributions if c.value > 0]
    shown = round_preserving_sum([c.value for c in positive], rec.score, 2)
    order = sorted(range(len(positive)),
                   key=lambda i: (-shown[i], COMPONENTS.index(positive[i].component), positive[i].label))
    bars = tuple(
        Bar(feature=positive[i].feature, component=positive[i].component, label=positive[i].label,
            value=shown[i], text=_num(shown[i]), fraction=min(max(shown[i], 0.0), 1.0))
        for i in order if shown[i] > 0
    )
    totals = rec.component_totals()
    part_values = round_preserving_sum([max(totals.get(c, 0.0), 0.0) for c in COMPONENTS], rec.score, 2)
    parts = tuple(ComponentPart(key=c, label=COMPONENT_LABELS[c], value=v, text=_num(v))
                  for c, v in zip(COMPONENTS, part_values, strict=True) if v > 0)
    band, fit_label = fit_band(rec.score)
    made_of = "; ".join(f"{pt.label} {pt.text}" for pt in parts) or "nothing"
    score_alt = (f"{rec.name} scores {_num(rec.score)} on a scale from 0 to 1, made of: {made_of}. "
                 f"Marks at {_num(RECOMMEND_BAR)}, {_num(VERDICTS[1][1])} and {_num(VERDICTS[0][1])} "
                 "show where a modest, fair and strong fit begin.")
    described = "; ".join(f"{b.label} {b.text}" for b in bars)
    chart_text = (f"What the score of {rec.name} ({_num(rec.score)}) is made of, on a scale from 0 to 1, "
                  f"largest first: {described}." if bars else f"{rec.name} has no positive contribution to its score.")
    covered = tuple(
        CoveredIssue(label=tax.label("issues", k), strength=rec.covered[k], word=STRENGTH_WORDS[rec.covered[k]],
                     short=STRENGTH_SHORT[rec.covered[k]])
        for k in sorted(rec.covered, key=lambda k: (-rec.covered[k], -f.weights.get(k, 0), list(f.weights).index(k)
                                                      if k in f.weights else 99))
    )
    listed = list(p.issues)
    n_cov = sum(1 for k in listed if k in rec.covered)
    if listed:
        covered_count = (f"all {len(listed)} of your issues" if n_cov == len(listed) and n_cov > 1
                         else f"{n_cov} of your {_count(len(listed), 'issue')}")
    else:
        covered_count = f"{_count(len(rec.covered), 'likely issue')}"
    gap_keys = f.by_priority([k for k in listed if k not in rec.covered])
    gaps = tuple(tax.label("issues", k) for k in gap_keys)
    key_gap = gaps[0] if gaps else ""
    gap_caution = f"Does not address {join_words([in_sentence(tax.label('issues', k)) for k in rec.gaps])}."
    init = rec.initiative
    numbers = tuple(dict.fromkeys(
        sources.cite(rec.name, s, _supports_words(claims, tax.label)) for s, claims in _backing(rec.sources)
    ))
    if rec.member:
        tier, tier_label, rank_label, tie, tie_note = "member", "Already a member", "", "", ""
    else:
        tier = "recommended" if rec.tier == "recommended" else "worth_a_look"
        tier_label = "Recommended" if tier == "recommended" else "Also worth a look"
        rank_label = f.rank_label[rec.id]
        tied = [f.name(i) for i in f.tie_groups[rec.id] if i != rec.id]
        near = [f.name(i) for i in f.near.get(rec.id, ())]
        if tied:
            tie = "tie"
            tie_note = (f"Tied with {_join(tied)} at {_num(rec.score)}: the scores cannot separate them, so "
                        "let your priorities and the points below decide. Tied programmes are listed in "
                        "alphabetical order.")
        elif near:
            tie = "near"
            tie_note = (f"Nearly tied with {_join(near)}: the scores are too close to call, so let your "
                        "priorities and the points below decide.")
        else:
            tie, tie_note = "", ""
    reasons = tuple(_nbsp(r) for r in rec.reasons if not _ISSUE_REASON.match(r))
    cautions = tuple(_nbsp(c) for c in rec.cautions if c != gap_caution and c not in _ISSUE_CAUTIONS)
    return Card(
        rank=rec.rank, rank_label=rank_label, id=rec.id,
        anchor=f"{'member' if rec.member else 'rank'}-{rec.id}", name=rec.name,
        organisation=init.organisation or "", summary=init.summary, score=rec.score, score_text=_num(rec.score),
        band=band, fit_label=fit_label, tier=tier, tier_label=tier_label, member=rec.member, parts=parts,
        score_alt=score_alt, bars=bars, chart_text=chart_text, covered=covered, covered_count=covered_count,
        gaps=gaps, key_gap=key_gap, reasons=reasons, cautions=cautions, involves=init.involves or "",
        involves_line=_involves_line(init, p.kind),
        approaches=tuple(tax.label("approaches", a) for a in init.approaches),
        participants=_participants(init.participants), url=safe_url(init.url), sources=numbers,
        stale_sources=0, tie_note=tie_note, tie=tie, why_not=f.why_not(rec) if not rec.member else "",
    )


def _with_stale(card: Card, sources: _Sources) -> Card:
    from dataclasses import replace

    return replace(card, stale_sources=sources.stale(card.sources))


def _issues(f: _Findings) -> tuple[IssueView, ...]:
    p = f.result.profile
    out = []
    for k, w in p.weights().items():
        inferred = k not in p.issues
        word = f.priority(k) or "priority"
        out.append(IssueView(key=k, label=f.result.taxonomy.label("issues", k), weight=w, priority=word,
                             inferred=inferred))
    return tuple(out)


def _facts(result: Result, country: str, names: Mapping[str, str]) -> tuple[Fact, ...]:
    p = result.profile
    tax = result.taxonomy
    facts = [
        Fact("Type", "Factory or production site" if p.kind == "factory" else "Brand or retailer"),
        Fact("Production country" if p.kind == "factory" else "Head office", country),
        Fact("Sector", tax.label("sectors", p.sector)),
    ]
    if p.kind == "brand":
        facts.append(Fact("Sourcing (production) countries",
                          join_words([country_name(c) for c in p.sourcing_countries]) or "Not stated"))
    wf = p.workforce
    if wf.size is not None:
        facts.append(Fact("Workforce", _count(wf.size, "worker")))
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
    if p.wants:
        facts.append(Fact("Asked for", join_words([in_sentence(tax.label("offers", o)) for o in p.wants])
                          .capitalize()))
    if p.memberships:
        facts.append(Fact("Already a member of", join_words([names.get(m, m) for m in p.memberships])))
    return tuple(facts)


def _names(result: Result) -> dict[str, str]:
    """Programme id -> name for every programme the result names."""
    names = {r.id: r.name for r in result.shortlist + result.memberships + result.close_fits}
    for e in result.excluded:
        names.setdefault(e.id, e.name)
    what_if = result.extras.get("what_if")
    changes = what_if.get("changes") if isinstance(what_if, Mapping) else None
    for change in changes if isinstance(changes, (list, tuple)) else ():
        if isinstance(change, Mapping) and change.get("initiative") and change.get("name"):
            names.setdefault(str(change["initiative"]), str(change["name"]))
    return names


def _coverage(f: _Findings, anchors: Mapping[str, str]) -> CoverageView:
    tax = f.result.taxonomy
    label = lambda k: tax.label("issues", k)  # noqa: E731
    plan = f.plan
    steps = tuple(
        CoverageStepView(position=n, name=s.name, anchor=anchors.get(s.id, ""), adds=s.adds, total=s.total,
                         adds_text=_pct(s.adds), total_text=_pct(s.total),
                         new_issues=tuple(in_sentence(label(k)) for k in s.new_issues))
        for n, s in enumerate(plan.steps, start=1)
    )
    chosen = [dict(r.initiative.issues) for r in f.pool if r.id in plan.ids]
    best = {k: max((c.get(k, 0) for c in chosen), default=0) for k in f.weights}
    partly = tuple((label(k), STRENGTH_WORDS[best[k]]) for k in plan.partly)
    pool = ("the recommended programmes" if f.recommended else "the shortlist")
    n_all = len(f.weights)
    reached = sum(1 for k in f.weights if best[k] > 0)
    core = sum(1 for k in f.weights if best[k] == 3)
    if not steps:
        sentence = ("Nothing to combine: no programme on the shortlist addresses your issues."
                    if f.ranked else "Nothing to combine: no programme fits.")
    else:
        who = steps[0].name + " alone" if len(steps) == 1 else "Together, " + _join([s.name for s in steps])
        reach = (f"all {n_all} of your issues" if reached == n_all and n_all > 1
                 else f"{reached} of your {_count(n_all, 'issue')}")
        depth = (", each as a core focus" if core == reached and reached > 1 else
                 (", as a core focus" if core == reached else f", {core} of them as a core focus"))
        sentence = f"{who} {'address' if len(steps) > 1 else 'addresses'} {reach}{depth}."
    return CoverageView(steps=steps, coverage=plan.coverage, coverage_text=_pct(plan.coverage), pool=pool,
                        uncovered=tuple(label(k) for k in plan.uncovered), partly=partly, sentence=sentence)


def _key_gap(f: _Findings) -> str:
    """The single most important gap: the highest-priority issue the advice covers least."""
    tax = f.result.taxonomy
    keys = f.by_priority(list(f.weights))
    if not keys:
        return "None."

    def named(k: str) -> str:
        word = f.priority(k)
        return f"{tax.label('issues', k)}{f' ({word})' if word else ''}"

    if not f.ranked:
        members = f.result.memberships
        listed = [k for k in f.by_priority(f.listed) if not any(k in m.covered for m in members)]
        if not listed:
            return (f"None that a new programme would close: {join_words([m.name for m in members])}, which you "
                    "already take part in, covers your issues.")
        them = "it" if len(listed) == 1 else "them"
        return f"{_join([named(k) for k in listed[:3]])}: no programme you can join addresses {them} well enough."
    pool = f.pool
    best = {k: max((r.covered.get(k, 0) for r in pool), default=0) for k in keys}
    missing = [k for k in keys if best[k] == 0]
    who = "recommended programme" if f.recommended else "programme on the shortlist"
    if missing:
        k = missing[0]
        elsewhere = [r.name for r in f.ranked if r not in pool and k in r.covered]
        tail = (f"; {elsewhere[0]}, further down the list, touches it" if elsewhere
                else ", so it needs a plan of its own")
        return f"{named(k)} is not addressed by any {who}{tail}."
    partial = sorted([k for k in keys if best[k] < 3], key=lambda k: (-f.weights[k], best[k], keys.index(k)))
    if partial:
        k = partial[0]
        return (f"{named(k)} is only {STRENGTH_WORDS[best[k]]} by the {who}s: none makes it a core focus.")
    return "None: every issue you listed is a core focus of at least one recommended programme."


def _covers_text(rec: Recommendation, f: _Findings) -> str:
    label = lambda k: in_sentence(f.result.taxonomy.label("issues", k))  # noqa: E731
    keys = [k for k in f.by_priority(list(rec.covered)) if k in f.result.profile.issues] or \
        f.by_priority(list(rec.covered))
    return _join([label(k) for k in keys]) if keys else "none of your issues"


def _headline(f: _Findings, coverage: CoverageView, open_count: int, kind_words: str) -> tuple[str, str]:
    """(callout title, the recommendation in one sentence), from the findings alone."""
    r = f.result
    client = r.profile.name
    if f.state == "none":
        if open_count == 0:
            return ("No programme to recommend",
                    f"No programme in the catalogue is open to {client}: all {r.considered} are closed to "
                    f"{kind_words}, by who may join, the sector served or where they work.")
        issues = _join([in_sentence(r.taxonomy.label("issues", k)) for k in f.listed])
        if r.memberships:
            members = join_words([m.name for m in r.memberships])
            return ("No new programme to recommend",
                    f"Beyond {members}, which you already take part in, no programme in the catalogue fits "
                    f"{client}: none of the others open to it addresses {issues} well enough to recommend.")
        return ("No programme to recommend",
                f"No programme in the catalogue fits {client}: none of the {_count(open_count, 'programme')} "
                f"open to it addresses {issues} well enough to recommend.")
    top = f.first
    if f.state == "leads":
        if f.outside:
            return "Nothing here answers your main request", r.message
        why = f.why_not(top)
        alt = (f" Of the programmes that do, {f.alternative.name} ({_num(f.alternative.score)} out of 1) is the "
               "best recommended." if f.alternative is not None else "")
        if why.startswith("it has no documented work"):
            return ("A lead to check",
                    f"{top.name} fits what you asked for best ({_num(top.score)} out of 1), but "
                    f"{why[3:]}: treat it as a lead to confirm with the programme, not yet as a recommendation."
                    + alt)
        return ("No programme passes the bar",
                f"No programme fits {client} well enough to recommend: the closest, {top.name} "
                f"({_num(top.score)} out of 1), covers {_covers_text(top, f)}; treat the list as leads to check.")
    if f.state == "tie":
        joint = f.joint
        names = _join([x.name for x in joint], "or")
        same = len({tuple(sorted(x.covered)) for x in joint}) == 1
        detail = (f"both cover {_covers_text(joint[0], f)}" if same and len(joint) == 2 else
                  ("they cover the same issues" if same else
                   "; ".join(f"{x.name} covers {_covers_text(x, f)}" for x in joint)))
        return (f"{len(joint)} programmes tied for first",
                f"We recommend {names} for {client}: they are tied ({_num(top.score)} out of 1) and "
                f"{detail}, so let your priorities choose.")
    band_words = fit_band(top.score)[1].lower()
    if f.state == "near_tie":
        other = f.rival
        return ("Two programmes nearly tied",
                f"We recommend {top.name} or {other.name} for {client}: they are nearly tied "
                f"({_num(top.score)} and {_num(other.score)} out of 1); {top.name} covers {_covers_text(top, f)}, "
                f"{other.name} covers {_covers_text(other, f)}.")
    sentence = (f"We recommend {top.name} for {client}: a {band_words} ({_num(top.score)} out of 1) "
                f"that covers {_covers_text(top, f)}")
    partners = _partners(f)
    if partners:
        sentence += "; add " + _join(partners)
    return "Our recommendation", sentence + "."


def _partners(f: _Findings) -> list[str]:
    """What each further programme of the coverage plan adds to the first choice, in words:
    "Better Work for wages" for an issue the first does not cover, "ETI to make freedom of
    association a core focus" for one it covers less deeply."""
    steps = f.plan.steps
    if len(steps) < 2 or f.first is None or steps[0].id != f.first.id:
        return []
    label = lambda k: in_sentence(f.result.taxonomy.label("issues", k))  # noqa: E731
    pool = {r.id: r for r in f.pool}
    out, seen = [], dict(pool[steps[0].id].covered)
    for st in steps[1:]:
        new = [k for k in st.new_issues if k not in seen]
        deeper = [k for k in st.new_issues if k in seen]
        parts = []
        if new:
            parts.append(f"for {_join([label(k) for k in new])}")
        if deeper:
            parts.append(f"to make {_join([label(k) for k in deeper])} a core focus")
        if parts:
            out.append(f"{st.name} {' and '.join(parts)}")
        for k, v in pool[st.id].covered.items():
            seen[k] = max(seen.get(k, 0), v)
    return out


def _also(f: _Findings, excluded: Sequence[Exclusion], anchors: Mapping[str, str]) -> tuple[AlsoView, ...]:
    out = []
    if f.state != "leads":
        for a in f.ahead:
            how = "scores higher" if a.rank < f.first.rank else "is nearly tied"
            out.append(AlsoView(name=a.name, anchor=anchors.get(a.id, ""), kind="ahead",
                                text=f"{how} ({_num(a.score)} out of 1) but is not recommended: "
                                     f"{f.why_not(a)}. Ask it before counting on it."))
    out += [AlsoView(name=c.name, anchor=anchors.get(c.id, ""), kind="close_fit", text=_close_reason(c, f))
            for c in f.result.close_fits]
    for e in excluded:
        if e.fit is not None and e.fit >= RECOMMEND_BAR:
            why = _first_clause(e.reasons[0], 200) if e.reasons else "its rules exclude this profile"
            out.append(AlsoView(name=e.name, anchor=anchors.get(e.id, ""), kind="excluded",
                                text=f"would fit ({_num(e.fit)} out of 1) but is not open to you: {why}."))
    return tuple(out)


def _close_reason(c: Recommendation, f: _Findings) -> str:
    tax = f.result.taxonomy
    p = f.result.profile
    parts = []
    wanted = [o for o in p.wants if o in c.initiative.offers]
    if wanted:
        parts.append(f"offers what you asked for: {_join([in_sentence(tax.label('offers', o)) for o in wanted])}")
    described = [o for o in c.offers if o not in p.wants]
    if described:
        words = f" (“{c.matched[0]}”)" if c.matched else ""
        parts.append(f"offers what your description points to{words}: "
                     f"{_join([in_sentence(tax.label('offers', o)) for o in described])}")
    missing = [k for k in p.issues if k not in f.covered_any and k in c.covered]
    if missing:
        parts.append(f"covers {_join([in_sentence(tax.label('issues', k)) for k in missing])}, which nothing on "
                     "the shortlist covers")
    why = "; it ".join(parts) if parts else "addresses what you asked for"
    return f"is outside the shortlist ({_num(c.score)} out of 1) but {why}."


def _next_steps(f: _Findings, also: Sequence[AlsoView], coverage: CoverageView) -> tuple[str, ...]:
    r = f.result
    tax = r.taxonomy
    steps: list[str] = []
    if f.state == "none":
        member = (f"Build on {join_words([m.name for m in r.memberships])}, which you already take part in: "
                  "its card below shows what it covers.",) if r.memberships else ()
        return member + (
            "Read why each programme is closed to you (below): where a rule rests on a fact that may "
            "change, such as a new country programme, ask the programme directly.",
            "Look beyond this catalogue: national programmes, industry associations, trade unions and local "
            "organisations often work on these issues.",
            "If the profile leaves out issues that matter to you, add them and run the match again.",
        )
    top = f.first
    issues = _join([in_sentence(tax.label("issues", k)) for k in f.listed])
    if f.state == "leads":
        why = f.why_not(top)
        if why.startswith("it has no documented work"):
            steps.append(f"Ask {top.name} whether it works where you are and on {issues} before counting on it.")
        else:
            steps.append(f"Ask {top.name} whether it can work on {issues} with you before counting on it: "
                         "none of the programmes fits well.")
    elif f.state in ("tie", "near_tie"):
        pair = f.joint if f.state == "tie" else (top, f.rival)
        steps.append(f"Compare {_join([x.name for x in pair])} on their points to weigh and on what taking part "
                     "involves: the scores cannot separate them.")
    else:
        steps.append(f"Talk to {top.name} about taking part, and check the points to weigh on its card first.")
    ahead = next((x for x in also if x.kind == "ahead"), None)
    if ahead is not None:
        why = f.why_not(_by_name(f, ahead.name))[3:]
        how = "scores higher" if _by_name(f, ahead.name).rank < top.rank else "is nearly tied"
        steps.append(f"Ask {ahead.name} whether it can work with you: it {how} but {why}.")
    partners = _partners(f)
    if partners and f.state == "recommend":
        steps.append(f"Consider {partners[0]}, alongside {top.name}.")
    missing = [k for k in f.by_priority(list(r.profile.issues)) if k not in {k for x in f.pool for k in x.covered}]
    if missing:
        k = missing[0]
        helper = next((a for a in also if a.kind == "close_fit" and
                       in_sentence(tax.label("issues", k)) in a.text), None)
        steps.append(f"Plan separately for {in_sentence(tax.label('issues', k))}"
                     + (f": {helper.name} may help." if helper else
                        ": look for a local or specialised programme."))
    excluded = [a for a in also if a.kind == "excluded"]
    if excluded:
        steps.append(f"{excluded[0].name} would fit but is closed to you; its entry under “Not open to you” "
                     "says what would have to change for it to open.")
    if r.memberships:
        steps.append(f"You already take part in {join_words([m.name for m in r.memberships])}: build on it "
                     "before adding a programme that covers the same ground.")
    return tuple(steps[:4])


def _by_name(f: _Findings, name: str) -> Recommendation:
    return next(r for r in f.ranked if r.name == name)


def _stability(f: _Findings, names: Mapping[str, str]) -> StabilityView | None:
    raw = f.stability
    if raw is None or not f.ranked:
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
    top = f.ranked[0]
    runner_id = str(raw.get("runner_up") or (f.ranked[1].id if len(f.ranked) > 1 else ""))
    runner = names.get(runner_id, runner_id)
    shares = [FirstShare("step-1", top.name, share, _pct(share))]
    shares += [FirstShare(f"step-{min(n, 5)}", names.get(k, k), min(max(v, 0.0), 1.0), _pct(v))
               for n, (k, v) in enumerate(challengers, start=2) if v > 0]
    varied = f"When the weights are varied at random by up to {_pct(perturbation)}, over {draws:,} runs"
    tied = [x.name for x in f.ranked if x.id in f.tie_groups[top.id]]
    if len(tied) > 1:
        others = [s for s in shares[1:] if s.label in tied]
        if others:
            sentence = (f"{_join(tied)} share the highest score. {varied}, "
                        + "; ".join(f"{s.label} comes first in {s.text}" for s in shares if s.label in tied)
                        + " of them: the scores do not settle the order between them.")
        else:
            sentence = (f"{_join(tied)} share the highest score, and varying the weights does not separate them: "
                        "they cover your issues in the same way, so the scores cannot choose between them.")
    else:
        sentence = f"{varied}, {top.name} keeps the highest score in {_pct(share)} of them"
        others = [f"{s.label} ({s.text})" for s in shares[1:]]
        if len(others) == 1:
            sentence += f"; in the others {shares[1].label} comes first."
        elif others:
            sentence += f"; otherwise {_join(others[:-1])} or {others[-1]} comes first."
        else:
            sentence += "."
        if top.id in f.near:
            rival = next(r for r in f.ranked if r.id == f.near[top.id][0])
            if rival.tier == "recommended" or top.tier != "recommended":
                sentence += f" That makes it a near tie with {rival.name}: treat the two as equally good."
            else:
                sentence += (f" That makes it a near tie with {rival.name} on the scores, but {rival.name} is "
                             f"worth a look rather than recommended: {f.why_not(rival)}.")
        elif share >= 0.9:
            sentence += " The order at the top does not hinge on the exact weights."
        elif share < 0.6:
            sentence += " The order at the top depends on the exact weights; compare the top few with care."
    if top.tier != "recommended" and f.first is not None and f.first.id != top.id:
        sentence += f" {top.name} is worth a look rather than recommended: {f.why_not(top)}."
    chart_text = "; ".join(f"{s.label} first in {s.text} of runs" for s in shares) + "."
    return StabilityView(
        top=top.name, top_stays_first=share, top_stays_text=_pct(share), draws=draws, perturbation=perturbation,
        near_tie=len(tied) > 1 or top.id in f.near, runner_up=runner, margin=margin,
        margin_text=_num(margin) if margin is not None else "", shares=tuple(shares), sentence=_nbsp(sentence),
        chart_text=chart_text,
        rule=(f"two programmes whose scores are the same at two decimals are tied; a lead of less than "
              f"{NEAR_TIE_MARGIN:.2f}, or a first place kept in fewer than {_pct(NEAR_TIE_SHARE)} "
              "of the varied runs, is a near tie"),
    )


_WHAT_IF = re.compile(r"^If (?P<clause>.+), (?P<name>.+?) would rank first at [0-9.]+, ahead of (?P<other>.+) at "
                      r"[0-9.]+\.$")


def _what_if(raw: object) -> tuple[str, ...]:
    """The what-if sentences, with a change that only draws level described as a tie."""
    if not isinstance(raw, Mapping):
        return ()
    changes = raw.get("changes") if isinstance(raw.get("changes"), (list, tuple)) else []
    out = []
    for i, sentence in enumerate(str(s) for s in raw.get("sentences") or () if str(s).strip()):
        change = changes[i] if i < len(changes) and isinstance(changes[i], Mapping) else {}
        m = _WHAT_IF.match(sentence)
        score, current = change.get("score"), change.get("current_score")
        if m and isinstance(score, (int, float)) and isinstance(current, (int, float)):
            if _num(score) == _num(current):
                sentence = (f"If {m['clause']}, {m['name']} would draw level with {m['other']} "
                            f"(both {_num(score)}).")
            else:
                sentence = (f"If {m['clause']}, {m['name']} would come first with {_num(score)}, "
                            f"ahead of {m['other']} with {_num(current)}.")
        out.append(_nbsp(sentence))
    return tuple(out)


def _links(options: ReportOptions) -> tuple[LinkView, ...]:
    """Links from a per-supplier report back to its index and the portfolio."""
    folder = options.supplier_reports
    if not folder:
        return ()
    out = [LinkView("All supplier reports", "index.html")]
    if options.portfolio:
        out.append(LinkView("Portfolio report", relative_href(options.portfolio, folder)))
    return tuple(out)


def build_context(result: Result, options: ReportOptions, *, env: Any = None) -> ReportContext:
    """Assemble the `ReportContext` for ``result`` (``env`` is accepted for template hooks)."""
    from .. import __version__

    p = result.profile
    tax = result.taxonomy
    today = report_date(options)
    country = country_name(p.country)
    f = _Findings(result)
    sources = _Sources(today, options.stale_after_years)
    anchors = {r.id: f"rank-{r.id}" for r in result.shortlist}
    anchors.update({r.id: f"member-{r.id}" for r in result.memberships})
    anchors.update({r.id: f"close-{r.id}" for r in result.close_fits})
    for e in result.excluded:
        anchors.setdefault(e.id, f"excluded-{e.id}")
    names = _names(result)

    # Cards first, in report order, so that sources are numbered as the reader meets them.
    cards = tuple(_card(r, f, sources) for r in result.shortlist)
    members = tuple(_card(r, f, sources) for r in result.memberships)
    excluded_sorted = sorted(result.excluded, key=lambda e: (e.fit is None, -(e.fit or 0.0), e.id))
    excluded = tuple(
        ExcludedView(
            name=e.name, anchor=anchors[e.id], reasons=tuple(_nbsp(x) for x in e.reasons),
            rules=tuple(_RULE_WORDS.get(x, x) for x in e.rules),
            fit_text=_num(e.fit) if e.fit is not None else "", would_fit=e.fit is not None and e.fit >= RECOMMEND_BAR,
            sources=tuple(dict.fromkeys(sources.cite(e.name, s, [_RULE_WORDS.get(x, x) for x in e.rules])
                                        for s in e.sources)),
        )
        for e in excluded_sorted
    )
    cards = tuple(_with_stale(c, sources) for c in cards)
    members = tuple(_with_stale(c, sources) for c in members)
    source_views = sources.views()

    close = tuple(
        CloseFitView(name=c.name, anchor=anchors[c.id], score_text=_num(c.score), fit_label=fit_band(c.score)[1],
                     reason=_close_reason(c, f), summary=c.initiative.summary,
                     involves_line=_involves_line(c.initiative, p.kind), url=safe_url(c.initiative.url))
        for c in result.close_fits
    )
    issues = _issues(f)
    by_priority = tuple(sorted(issues, key=lambda i: (i.inferred, -i.weight)))
    heatmap = None
    if cards:
        heatmap = Heatmap(
            issues=by_priority,
            rows=tuple(
                HeatRow(rank_label=c.rank_label, name=r.name, anchor=anchors[r.id],
                        cells=tuple(HeatCell(issue=i.label, strength=r.initiative.issues.get(i.key, 0),
                                             word=STRENGTH_SHORT[r.initiative.issues.get(i.key, 0)])
                                    for i in by_priority))
                for r, c in zip(result.shortlist, cards)
            ),
            transposed=len(issues) > HEATMAP_MAX_COLUMNS and len(issues) > len(cards),
        )
    open_count = result.considered - len(result.excluded)
    coverage = _coverage(f, anchors)
    where = country_name(p.country) if p.kind == "factory" else "brands sourcing from " + (
        join_words([country_name(c) for c in p.sourcing_countries]) or "unstated countries")
    kind_words = (f"a {in_sentence(tax.label('sectors', p.sector))} factory in {where}" if p.kind == "factory"
                  else f"{in_sentence(tax.label('sectors', p.sector))} {where}")
    title_words, headline = _headline(f, coverage, open_count, kind_words)
    also = _also(f, result.excluded, anchors)
    by_id = {c.id: c for c in cards}
    advice = Advice(
        state=f.state, title=title_words, headline=_nbsp(headline), first=by_id[f.first.id] if f.first else None,
        recommended=tuple(by_id[r.id] for r in f.recommended),
        worth_a_look=tuple(by_id[r.id] for r in f.worth),
        also=also, key_gap=_nbsp(_key_gap(f)), next_steps=tuple(_nbsp(s) for s in _next_steps(f, also, coverage)),
    )
    robustness = None
    stability = _stability(f, names)
    what_if = _what_if(result.extras.get("what_if"))
    if stability is not None or what_if:
        robustness = RobustnessView(stability=stability, what_if=what_if)
    notes: tuple[NoteGroup, ...] = ()
    if options.notes:
        named = [(c.name, c.anchor, r.initiative) for c, r in zip(cards + members,
                                                                  result.shortlist + result.memberships)]
        named += [(x.name, x.anchor, c.initiative) for x, c in zip(close, result.close_fits)]
        named += [(e.name, anchors[e.id], e.initiative) for e in excluded_sorted]
        notes = tuple(NoteGroup(name=n, anchor=a, notes=tuple(i.notes), sources=sources.notes_for(n))
                      for n, a, i in named if i.notes or sources.notes_for(n))
    catalogue = result.catalogue
    title = options.title or f"Programme shortlist for {p.name}"
    running = title if p.name in title else f"{title} · {p.name}"
    running = f"{_shorten(running, 70)} · {_long_date(today)}"
    return ReportContext(
        result=result, title=title, prepared_by=options.prepared_by or "", date=today.isoformat(),
        date_text=_long_date(today), logo=_checked_logo(options.logo), client=p.name, kind=p.kind,
        country=country, sector=tax.label("sectors", p.sector), facts=_facts(result, country, names),
        description=p.description, issues=issues,
        issues_text=_join([in_sentence(i.label) for i in issues if not i.inferred]),
        catalogue_name=str(catalogue.get("name", "")), catalogue_version=str(catalogue.get("version", "")),
        catalogue_size=int(catalogue.get("size", result.considered)), considered=result.considered,
        open_count=open_count, advice=advice, fits=bool(result.shortlist), cards=cards, memberships=members,
        close_fits=close, heatmap=heatmap, coverage=coverage, excluded=excluded,
        components=tuple(
            ComponentWeight(key=c, label=COMPONENT_LABELS[c], weight=w, weight_text=_pct(w),
                            description=_COMPONENT_HELP[c])
            for c, w in ((c, float(result.weights.get(c, 0.0))) for c in COMPONENTS)
        ),
        bands=FIT_LABELS, recommend_bar=RECOMMEND_BAR,
        strengths=tuple((s, STRENGTH_WORDS[s]) for s in (3, 2, 1)),
        robustness=robustness, sources=source_views, source_count=len(source_views),
        stale_count=sum(1 for s in source_views if s.stale), stale_after_years=options.stale_after_years,
        notes=notes, links=_links(options), tool_version=__version__, running_footer=running, label=tax.label,
    )

