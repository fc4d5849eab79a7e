"""Stage 5: sentences a consultant can paste into an email, built from the contributions.

Nothing here is scored: every reason restates a contribution (issue coverage, approach
fit, workforce fit, shared words) or an eligibility fact, and names its sources.
"""

from __future__ import annotations

import numpy as np

from .countries import country_name
from .models import Initiative, Profile, Taxonomy
from .result import Contribution
from .text import tokenize
from .vectorise import Vectoriser

__all__ = ["STRENGTH_WORDS", "Explanation", "explain", "join_words", "in_sentence", "sources_for_claims"]

STRENGTH_WORDS = {3: "a core focus", 2: "addressed directly", 1: "touched on"}
_COMPONENT = {"issue": "issues", "approach": "approaches", "workforce": "workforce", "text": "text"}


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
    """Reasons, cautions, gaps, covered issues and the sources behind them."""

    def __init__(self) -> None:
        self.reasons: list[str] = []
        self.cautions: list[str] = []
        self.gaps: list[str] = []
        self.covered: dict[str, int] = {}
        self.claims: list[str] = []  # fields whose sources back the reasons


def contribution_list(row: np.ndarray, vec: Vectoriser, taxonomy: Taxonomy) -> tuple[Contribution, ...]:
    """Non-zero contributions of one initiative as named `Contribution` objects."""
    out = []
    for j in np.flatnonzero(row):
        name = str(vec.feature_names_[j])
        kind, key = name.split(":", 1)
        if kind == "issue":
            label = taxonomy.label("issues", key)
        elif kind == "approach":
            label = taxonomy.label("approaches", key)
        elif kind == "workforce":
            label = {"women": "Women in the workforce", "migrants": "Migrant workers"}[key]
        else:
            label = "Description match"
        out.append(Contribution(feature=name, component=_COMPONENT[kind], label=label, value=float(row[j])))
    return tuple(out)


def _shared_terms(profile: Profile, vec: Vectoriser, col: int, limit: int = 5) -> list[str]:
    words = set(tokenize(profile.description))
    doc = vec.document_vectors_[col]
    scored = [
        (doc[vec.text_.vocabulary_[w]] * vec.text_.idf_[vec.text_.vocabulary_[w]], w)
        for w in words
        if w in vec.text_.vocabulary_ and doc[vec.text_.vocabulary_[w]] > 0
    ]
    return [w for _, w in sorted(scored, key=lambda t: (-t[0], t[1]))[:limit]]


def explain(
    profile: Profile,
    init: Initiative,
    contributions: tuple[Contribution, ...],
    *,
    vec: Vectoriser,
    col: int,
    taxonomy: Taxonomy,
) -> Explanation:
    """Explain one eligible initiative's score for one profile."""
    ex = Explanation()
    label = lambda key: in_sentence(taxonomy.label("issues", key))  # noqa: E731
    weights = profile.weights()

    stated = list(profile.issues)
    covered = [k for k in stated if k in init.issues]
    ex.covered = {k: init.issues[k] for k in weights if k in init.issues}
    ex.gaps = [k for k in stated if k not in init.issues]
    if covered:
        parts = [f"{label(k)} ({STRENGTH_WORDS[init.issues[k]]})" for k in covered]
        noun = "priority issue" if len(stated) == 1 else "priority issues"
        sentence = f"Covers {len(covered)} of your {len(stated)} {noun}: {join_words(parts)}"
        if len(set(profile.issues.values())) > 1:
            share = sum(profile.issues[k] for k in covered) / sum(profile.issues.values())
            sentence += f", {_pct(share)} of your issue weight"
        ex.reasons.append(sentence + ".")
        ex.claims += [f"issues.{k}" for k in covered]
    else:
        ex.cautions.append("Covers none of the issues you listed.")
    inferred = [k for k in profile.inferred_issues if k in init.issues]
    if inferred:
        ex.reasons.append(
            f"Also addresses {join_words([label(k) for k in inferred])}, which your description mentions."
        )
        ex.claims += [f"issues.{k}" for k in inferred]
    if ex.gaps:
        ex.cautions.append(f"Does not address {join_words([label(k) for k in ex.gaps])}.")

    if profile.prefers:
        matched = [a for a in profile.prefers if a in init.approaches]
        alabel = lambda key: in_sentence(taxonomy.label("approaches", key))  # noqa: E731
        if matched:
            ex.reasons.append(f"Works through approaches you prefer: {join_words([alabel(a) for a in matched])}.")
            ex.claims.append("approaches")
        missing = [a for a in profile.prefers if a not in init.approaches]
        if missing:
            ex.cautions.append(
                f"Does not offer {join_words([alabel(a) for a in missing])}; "
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

    text = next((c.value for c in contributions if c.component == "text"), 0.0)
    if text >= 0.005:
        terms = _shared_terms(profile, vec, col)
        if terms:
            ex.reasons.append(f"Your description shares key terms with its work: {', '.join(terms)}.")

    if init.is_global:
        ex.reasons.append("Operates worldwide.")
    elif profile.kind == "brand" and profile.sourcing_countries:
        inside = [c for c in profile.sourcing_countries if c in init.countries]
        n = len(profile.sourcing_countries)
        where = join_words([country_name(c) for c in inside])
        ex.reasons.append(
            f"Operates in {len(inside)} of your {n} sourcing countries: {where}."
            if n > 1
            else f"Operates in {country_name(inside[0])}."
        )
        ex.claims.append("countries")
    elif profile.kind == "brand":
        ex.cautions.append(
            "You listed no sourcing countries: check that it operates where your suppliers are "
            f"({join_words([country_name(c) for c in init.countries[:8]])}"
            f"{' and more' if len(init.countries) > 8 else ''})."
        )
    else:
        ex.reasons.append(f"Operates in {country_name(profile.country)}.")
        ex.claims.append("countries")
    ex.claims.append("participants")
    ex.cautions.extend(init.caveats)
    return ex


def sources_for_claims(init: Initiative, claims: list[str]) -> tuple[dict, ...]:
    """The sources behind ``claims``, each once, with the claims it backs."""
    backing: dict[int, list[str]] = {}
    for claim in dict.fromkeys(claims):
        for src in init.sources_for(claim):
            backing.setdefault(init.sources.index(src), []).append(claim)
    out = []
    for idx in sorted(backing):
        s = init.sources[idx]
        out.append(
            {
                "title": s.title,
                "url": s.url,
                "as_of": s.as_of.isoformat(),
                "supports": backing[idx],
                **({"note": s.note} if s.note else {}),
            }
        )
    return tuple(out)
