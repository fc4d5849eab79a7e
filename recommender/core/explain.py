"""Stage 6: sentences a consultant can paste into an email, built from the contributions.

Nothing here is scored: every reason restates a contribution (issues covered, mechanisms
offered, approaches, workforce, the description's matched phrases) or an eligibility
fact, and names its sources. Cautions carry what is not documented, what the client
should know (the initiative's caveats, joining rules, status) and the gaps.
"""

from __future__ import annotations

import numpy as np

from ..countries import country_name
from ..models import Initiative, Profile, Taxonomy
from ..result import Contribution
from .batch import Keys
from .eligibility import Verdict
from .text import OFFER_MIN, OfferMatch

__all__ = [
    "STRENGTH_WORDS", "Explanation", "explain", "join_words", "in_sentence", "sources_for_claims",
    "contribution_list", "TEXT_SHOWN",
]

STRENGTH_WORDS = {3: "a core focus", 2: "addressed directly", 1: "touched on"}
#: A description's contribution is put in words from this share of the score up.
TEXT_SHOWN = 0.01
_BLOCK_COMPONENT = {"issues": "issues", "approaches": "approaches", "offers": "offers",
                    "workforce": "workforce", "text": "text"}


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: "Women's health" -> "women's health", "OSH" kept."""
    if len(label) > 1 and label[:2].isalpha() and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _pct(x: float) -> str:
    return f"{x * 100:.0f} %"


class Explanation:
    """Reasons, cautions, gaps, covered issues, matched offers and the sources behind them."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.cautions: list[str] = []
        self.gaps: list[str] = []
        self.covered: dict[str, int] = {}
        self.offers: dict[str, int] = {}
        self.matched: list[str] = []
        self.claims: list[str] = []  # fields whose sources back the reasons


def contribution_list(blocks: dict[str, np.ndarray], col: int, keys: Keys, taxonomy: Taxonomy
                      ) -> tuple[Contribution, ...]:
    """The non-zero contributions of one initiative (row ``col`` of each block) as `Contribution`s."""
    out = []
    names = {"issues": keys.issues, "approaches": keys.approaches, "offers": keys.offers,
             "workforce": ("women", "migrants"), "text": ("description",)}
    for block, values in blocks.items():
        row = values[col]
        for j in np.flatnonzero(row):
            key = names[block][j]
            if block in ("issues", "approaches", "offers"):
                label = taxonomy.label(block, key)
            elif block == "workforce":
                label = {"women": "Women in the workforce", "migrants": "Migrant workers"}[key]
            else:
                label = "Your description"
            feature = {"issues": "issue", "approaches": "approach", "offers": "offer"}.get(block, block)
            out.append(Contribution(feature=f"{feature}:{key}", component=_BLOCK_COMPONENT[block], label=label,
                                    value=float(row[j])))
    return tuple(out)


def explain(
    profile: Profile,
    init: Initiative,
    contributions: tuple[Contribution, ...],
    *,
    verdict: Verdict,
    matches: tuple[OfferMatch, ...],
    taxonomy: Taxonomy,
) -> Explanation:
    """Explain one eligible initiative's score for one profile."""
    ex = Explanation()
    label = lambda key: in_sentence(taxonomy.label("issues", key))  # noqa: E731
    olabel = lambda key: in_sentence(taxonomy.label("offers", key))  # noqa: E731

    stated = list(profile.issues)
    covered = [k for k in stated if k in init.issues]
    ex.covered = {k: init.issues[k] for k in profile.weights() if k in init.issues}
    ex.gaps = [k for k in stated if k not in init.issues]
    if covered:
        parts = [f"{label(k)} ({STRENGTH_WORDS[init.issues[k]]})" for k in covered]
        noun = "priority issue" if len(stated) == 1 else "priority issues"
        sentence = f"Covers {len(covered)} of your {len(stated)} {noun}: {join_words(parts)}"
        if len(set(profile.issues.values())) > 1:
            share = sum(profile.issues[k] for k in covered) / sum(profile.issues.values())
            sentence += f", {_pct(share)} of the weight you gave them"
        ex.reasons.append(sentence + ".")
        ex.claims += [f"issues.{k}" for k in covered]
    described = [k for k in profile.inferred_issues if k in init.issues and k not in profile.issues]
    if described:
        ex.reasons.append(
            f"Also addresses {join_words([label(k) for k in described])}, which your description mentions."
        )
        ex.claims += [f"issues.{k}" for k in described]
    for risk in profile.risk_issues:
        if risk.key in init.issues and risk.key not in profile.issues:
            ex.reasons.append(f"Addresses {label(risk.key)}, a likely issue for you (inferred: {risk.basis}).")
            ex.claims.append(f"issues.{risk.key}")
    if stated and not covered:
        ex.cautions.append("Covers none of the issues you listed.")
    if ex.gaps:
        ex.cautions.append(f"Does not address {join_words([label(k) for k in ex.gaps])}.")

    wanted = [o for o in profile.wants if o in init.offers]
    if wanted:
        ex.reasons.append(f"Offers what you asked for: {join_words([olabel(o) for o in wanted])}.")
        ex.claims += [f"offers.{o}" for o in wanted]
    for match in matches:
        # Only what counts in the score is put in words (`text.OFFER_MIN`).
        if match.confidence >= OFFER_MIN and match.offer in init.offers and match.offer not in profile.wants \
                and init.offers[match.offer] >= 2:
            ex.reasons.append(f"From your description, \u201c{match.words}\u201d: it offers "
                              f"{olabel(match.offer)}.")
            ex.claims.append(f"offers.{match.offer}")
            ex.offers[match.offer] = init.offers[match.offer]
            ex.matched.append(match.words)
    for o in wanted:
        ex.offers[o] = init.offers[o]
    missing = [o for o in profile.wants if o not in init.offers]
    if missing:
        ex.cautions.append(f"Does not offer {join_words([olabel(o) for o in missing])}.")

    if profile.prefers:
        alabel = lambda key: in_sentence(taxonomy.label("approaches", key))  # noqa: E731
        matched = [a for a in profile.prefers if a in init.approaches]
        if matched:
            ex.reasons.append(f"Works through approaches you prefer: {join_words([alabel(a) for a in matched])}.")
            ex.claims.append("approaches")
        absent = [a for a in profile.prefers if a not in init.approaches]
        if absent:
            ex.cautions.append(
                f"Does not offer {join_words([alabel(a) for a in absent])}; "
                f"it works through {join_words([alabel(a) for a in init.approaches])}."
            )

    wf = profile.workforce
    if wf.women_share is not None and init.workforce.women >= 2 and wf.women_share >= 0.5:
        ex.reasons.append(f"Designed for workplaces where most workers are women (yours: {_pct(wf.women_share)}).")
        ex.claims.append("workforce")
    if wf.migrant_share is not None and init.workforce.migrants >= 2 and wf.migrant_share >= 0.25:
        ex.reasons.append(f"Built with migrant workers in mind ({_pct(wf.migrant_share)} of your workforce).")
        ex.claims.append("workforce")
    size = init.workforce.size
    if wf.size is not None and size is not None and not size.contains(wf.size):
        lo = f"{size.min:,}" if size.min else "any"
        hi = f"{size.max:,}" if size.max else "more"
        ex.cautions.append(f"Designed for workforces of {lo}–{hi}; yours is {wf.size:,}.")

    text = sum(c.value for c in contributions if c.component == "text")
    if text >= TEXT_SHOWN and not ex.matched:
        ex.reasons.append("Your description closely matches what it does.")
        ex.claims.append("summary")

    if init.is_global:
        ex.reasons.append("Works worldwide.")
        ex.claims.append("countries")
    elif profile.kind == "brand" and profile.sourcing_countries:
        inside = [c for c in profile.sourcing_countries if c in init.countries]
        n = len(profile.sourcing_countries)
        if inside:
            where = join_words([country_name(c) for c in inside])
            ex.reasons.append(f"Works in {len(inside)} of your {n} sourcing countries: {where}." if n > 1
                              else f"Works in {country_name(inside[0])}.")
            ex.claims.append("countries")
    elif profile.kind == "brand":
        ex.cautions.append(
            "You listed no sourcing countries: check that it works where your suppliers are "
            f"({join_words([country_name(c) for c in init.countries[:8]])}"
            f"{' and more' if len(init.countries) > 8 else ''})."
        )
    elif profile.country in init.countries:
        ex.reasons.append(f"Works in {country_name(profile.country)}.")
        ex.claims.append("countries")
    ex.claims.append("participants")
    if profile.kind in init.roles:
        ex.reasons.append(init.roles[profile.kind])
        ex.claims.append("roles")
    ex.cautions.extend(verdict.cautions)
    st = init.status
    if st.state in ("renamed", "merged", "handed_over") and st.summary:
        ex.cautions.append(st.summary)
        ex.claims.append("status")
    ex.cautions.extend(r.text for r in init.eligibility.requirements if profile.kind in r.applies_to)
    ex.cautions.extend(init.caveats)
    return ex


_SUPPORTS: dict[int, tuple[Initiative, dict[str, tuple[int, ...]]]] = {}


def _supports(init: Initiative) -> dict[str, tuple[int, ...]]:
    """Field -> the indices of the sources that back it, per initiative, built once."""
    hit = _SUPPORTS.get(id(init))
    if hit is None or hit[0] is not init:
        index: dict[str, list[int]] = {}
        for i, src in enumerate(init.sources):
            for name in src.supports:
                index.setdefault(name, []).append(i)
        if len(_SUPPORTS) > 256:
            _SUPPORTS.clear()
        hit = _SUPPORTS[id(init)] = (init, {k: tuple(v) for k, v in index.items()})
    return hit[1]


def sources_for_claims(init: Initiative, claims: list[str]) -> tuple[dict, ...]:
    """The sources behind ``claims``, each once, with the claims it backs. A source's ``note``
    (consultant voice) is kept for the JSON and the ``--notes`` appendix; reports leave it out."""
    index = _supports(init)
    backing: dict[int, list[str]] = {}
    for claim in dict.fromkeys(claims):
        found = index.get(claim) or (index.get(claim.split(".", 1)[0], ()) if "." in claim else ())
        for i in found:
            backing.setdefault(i, []).append(claim)
    out = []
    for idx in sorted(backing):
        s = init.sources[idx]
        out.append({"title": s.title, "url": s.url, "as_of": s.as_of.isoformat(), "supports": backing[idx],
                    **({"note": s.note} if s.note else {})})
    return tuple(out)
