"""One profile through the engine: validate → a batch of one → `Engine.run` → explain → `Result`.

Analyses a caller did not ask for are not run: ``analyses=("stability", "what_if")`` adds
them (the CLI asks for stability when it writes a report, and for what-if with ``--what-if``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..catalogue import Catalogue
from ..countries import country_name
from ..models import COMPONENTS, Profile, Weights
from ..result import Exclusion, Recommendation, Result
from .batch import ProfileBatch
from .eligibility import RULES, UNDOCUMENTED
from .engine import Engine, Scored, engine_for
from .explain import contribution_list, explain, in_sentence, join_words, sources_for_claims
from .scoring import contributions
from .validate import load_profile

__all__ = ["Recommender", "recommend", "VERDICTS", "DEFAULT_TOP", "RECOMMEND_BAR", "ANALYSES"]

DEFAULT_TOP = 5
#: Score bands for the verdict on the first choice.
VERDICTS = (("strong", 0.50), ("fair", 0.25), ("weak", 0.0))
#: When a description asks for something no programme provides (the taxonomy's ``outside``
#: requests) and does not read like the first choice's work, the verdict says nothing fits:
#: a sure request (a phrase, or two hinting words: confidence >= OUTSIDE_SURE) with the first
#: choice's description relevance below RELEVANT_SURE, or a hinted one (>= OUTSIDE_HINT) with it
#: below RELEVANT_HINT. Fitted on the dev cases of tests/data/dev-writer-d.yaml (docs/evaluation.md).
OUTSIDE_SURE, RELEVANT_SURE = 0.75, 0.65
OUTSIDE_HINT, RELEVANT_HINT = 0.5, 0.45
#: A shortlisted initiative is "recommended" from this score up (and when it addresses
#: something the profile asked for); below it, "also worth a look". The same as the "fair"
#: band of `VERDICTS`, so a recommended first choice is never called weak.
RECOMMEND_BAR = 0.25
ANALYSES = ("stability", "what_if")

ProfileLike = str | os.PathLike[str] | Mapping[str, Any] | Profile


def _check_top(top: Any) -> int:
    if isinstance(top, (bool, np.bool_)) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError("top must be a whole number of at least 1")
    return int(top)


class Recommender:
    """A fitted `Engine` that explains its results for one profile at a time."""

    def __init__(self, catalogue: Catalogue | None = None, *, weights: Weights | None = None,
                 engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else engine_for(catalogue, weights)
        self.catalogue = self.engine.catalogue
        self.weights = self.engine.weights

    def score(self, profile: Profile, *, top: int = DEFAULT_TOP) -> Scored:
        """The engine's arrays for one validated profile (a batch of one)."""
        return self.engine.run(ProfileBatch.from_profiles([profile], self.engine.keys), top=top)

    def recommend(self, profile: ProfileLike, *, top: int = DEFAULT_TOP, analyses: Iterable[str] = ()) -> Result:
        """Rank the catalogue for one profile; see `recommend`."""
        top = _check_top(top)
        wanted = tuple(analyses)
        for name in wanted:
            if name not in ANALYSES:
                raise ValueError(f"unknown analysis {name!r}: choose from {', '.join(ANALYSES)}")
        cat = self.catalogue
        p = load_profile(profile, catalogue=cat)
        scored = self.score(p, top=top)
        result = self.result(p, scored)
        if "stability" in wanted:
            from ..analysis.stability import with_stability

            result = with_stability(result, self)
        if "what_if" in wanted:
            from ..analysis.whatif import with_what_if

            result = with_what_if(result, self)
        return result

    def result(self, p: Profile, scored: Scored) -> Result:
        """The explained `Result` of a scored batch of one."""
        cat, eng = self.catalogue, self.engine
        verdicts = eng.rules.verdicts(p, scored.states[0])
        blocks = contributions(scored.features, eng.matrix, self.weights, 0)
        s = scored.scores[0]
        matches = scored.text.matches[scored.batch.text[0]] if scored.batch.text[0] >= 0 else ()

        undocumented = {rule: scored.states[0, :, r] == UNDOCUMENTED for r, rule in enumerate(RULES)}

        def rec(col: int, rank: int, member: bool) -> Recommendation:
            init = cat.initiatives[col]
            parts = contribution_list(blocks, col, eng.keys, cat.taxonomy)
            ex = explain(p, init, parts, verdict=verdicts[col], matches=matches, taxonomy=cat.taxonomy)
            asked = bool(set(ex.covered) & set(p.issues)) or bool(set(p.wants) & set(init.offers)) \
                or bool(ex.offers) or not p.issues
            # Recommended: passes the bar, answers what was asked, and works where the client is.
            located = not undocumented["country"][col]
            tier = "recommended" if asked and located and s[col] >= RECOMMEND_BAR else "worth_a_look"
            if tier == "recommended" or member:
                why = ""
            elif s[col] < RECOMMEND_BAR:
                why = f"it scores below {RECOMMEND_BAR:.2f}"
            elif not located:
                where = (", ".join(country_name(c) for c in p.sourcing_countries)
                         if p.kind == "brand" and p.sourcing_countries else country_name(p.country))
                why = f"it has no documented work in {where}"
            else:
                why = "it does not address the issues you listed or what you asked for"
            return Recommendation(
                rank=rank, initiative=init, score=float(s[col]), contributions=parts, reasons=tuple(ex.reasons),
                cautions=tuple(("You already take part in it.", *ex.cautions) if member else ex.cautions),
                gaps=tuple(ex.gaps), covered=ex.covered, sources=sources_for_claims(init, ex.claims),
                member=member, tier=tier, offers=ex.offers, matched=tuple(ex.matched), tier_reason=why,
            )

        picked = [int(c) for c in scored.selection.shortlist[0] if c >= 0]
        shortlist = [rec(col, n + 1, False) for n, col in enumerate(picked)]
        away = self._outside(scored, shortlist)
        if away is not None:  # nothing answers the description's decisive request: no "Recommended"
            shortlist = [dataclasses.replace(r, tier="worth_a_look", tier_reason="what your description asks for is "
                                             "not something it provides") for r in shortlist]
        member_cols = np.flatnonzero(scored.batch.members[0] & scored.eligible[0])
        member_cols = sorted(member_cols, key=lambda c: (-np.round(s[c], 9), cat.ids[c]))
        members = [rec(int(col), 0, True) for col in member_cols]
        relevant = scored.relevant[0]
        excluded = [
            Exclusion(initiative=init, reasons=v.reasons, rules=v.failed,
                      sources=tuple({"title": x.title, "url": x.url, "as_of": x.as_of.isoformat()} for x in v.sources),
                      fit=float(s[col]) if relevant[col] else None)
            for col, (init, v) in enumerate(zip(cat.initiatives, verdicts)) if not v.eligible
        ]
        covered_any = {k for r in shortlist for k in r.covered}
        uncovered = tuple(k for k in p.weights() if k not in covered_any)
        close = self._close_fits(p, scored, picked, covered_any)
        close_fits = [rec(col, 0, False) for col in close]
        close_fits = [dataclasses.replace(r, tier="close_fit") for r in close_fits]
        first = shortlist[0].id if shortlist else None
        gaps = {rule: bool(first is not None and undocumented[rule][cat.ids.index(first)])
                for rule in ("kind", "sector", "country")}
        verdict, message = _verdict(p, shortlist, excluded, len(cat), cat, gaps)
        if away is not None and verdict != "none":
            label = in_sentence(cat.taxonomy.label("outside", away.offer))
            asked = f"{label} (“{away.words}”)"
            verdict, message = "weak", (
                f"What your description asks for, {asked}, is not something the programmes in this catalogue "
                "provide. The shortlist answers the issues you listed only: treat it as leads, not as an answer "
                "to that request.")
        eff = scored.weights[0]
        return Result(
            profile=p, catalogue=cat.describe(), taxonomy=cat.taxonomy,
            weights={c: float(eff[i]) for i, c in enumerate(COMPONENTS)},
            shortlist=tuple(shortlist), memberships=tuple(members), excluded=tuple(excluded),
            uncovered=uncovered, verdict=verdict, message=message, considered=len(cat),
            close_fits=tuple(close_fits),
        )

    def _outside(self, scored: Scored, shortlist: list[Recommendation]) -> Any:
        """The description's request that no programme meets (an `OfferMatch` of the taxonomy's
        ``outside`` section), when the description does not read like the first choice's work
        (see `OUTSIDE_SURE`); else None."""
        u = int(scored.batch.text[0])
        tf = scored.text
        if u < 0 or tf.outside is None or not tf.outside.shape[1] or not shortlist:
            return None
        away = tf.outside_matches[u]
        if not away:
            return None
        relevance = float(tf.relevance[u, self.catalogue.ids.index(shortlist[0].id)])
        conf = away[0].confidence
        if (conf >= OUTSIDE_SURE and relevance < RELEVANT_SURE) or (conf >= OUTSIDE_HINT and relevance < RELEVANT_HINT):
            return away[0]
        return None

    def _close_fits(self, p: Profile, scored: Scored, picked: list[int], covered: set[str]) -> list[int]:
        """Candidates left off the shortlist that offer a mechanism the profile wants (strength 2
        or 3) or cover a listed issue no shortlisted initiative covers, best first (at most 3)."""
        eng = self.engine
        cand = scored.selection.candidate[0] | (scored.eligible[0] & scored.relevant[0] & ~scored.batch.members[0])
        wanted = scored.features.offers[0] > 0
        offers = (eng.matrix.offers[:, wanted] >= 2 / 3).any(axis=1) if wanted.any() else np.zeros(len(eng.ids), bool)
        missing = [eng.keys.pos("issues", k) for k in p.issues if k not in covered]
        issues = (eng.matrix.issues[:, missing] > 0).any(axis=1) if missing else np.zeros(len(eng.ids), bool)
        s = scored.scores[0]
        cols = [c for c in np.flatnonzero(cand & (offers | issues)) if c not in picked]
        return sorted(cols, key=lambda c: (-np.round(s[c], 9), eng.ids[c]))[:3]


def _verdict(p: Profile, shortlist: list[Recommendation], excluded: list[Exclusion], size: int, cat: Catalogue,
             undocumented: Mapping[str, bool]) -> tuple[str, str]:
    """The verdict band on the first choice and one plain sentence.

    The band follows the score (`VERDICTS`) and the evidence: a first choice with no
    documented work where the client is (its country, or a brand's sourcing countries) is
    only a lead to check ("weak"); one with no documented work in the client's sector or
    kind is at most "fair"."""
    label = lambda k: in_sentence(cat.taxonomy.label("issues", k))  # noqa: E731
    listed = list(p.issues) or list(p.weights())
    issues = join_words([label(k) for k in listed])
    if not shortlist:
        if len(excluded) == size:
            return "none", (
                f"No initiative in the catalogue is open to this profile: all {size} are excluded "
                "(see the reasons below)."
            )
        return "none", (
            f"No initiative in the catalogue fits this profile: none of the {size - len(excluded)} open to it "
            f"addresses {issues} well enough to recommend."
        )
    best = shortlist[0]
    band = next(name for name, floor in VERDICTS if best.score >= floor)
    n_cov = sum(1 for k in listed if k in best.covered)
    noun = "listed issues" if p.issues else "likely issues"
    if undocumented.get("country") and band != "weak":
        where = (", ".join(country_name(c) for c in p.sourcing_countries) if p.kind == "brand"
                 else country_name(p.country))
        return "weak", (
            f"{best.name} matches what you asked for (score {best.score:.2f}), but it has no documented work in "
            f"{where}: treat it as a lead to confirm with the programme, not yet as a recommendation."
        )
    if band == "strong" and (undocumented.get("sector") or undocumented.get("kind")):
        band = "fair"
    if band == "weak" or best.tier != "recommended":
        return "weak", (
            f"No initiative fits this profile well. The best available, {best.name}, scores {best.score:.2f} "
            f"and covers {n_cov} of your {len(listed)} {noun}; treat the shortlist as leads to check, "
            "not as recommendations."
        )
    return band, (
        f"{best.name} is the {'strongest' if band == 'strong' else 'best'} match (score {best.score:.2f}), "
        f"covering {n_cov} of your {len(listed)} {noun}."
    )


def recommend(
    profile: ProfileLike,
    *,
    catalogue: Catalogue | str | os.PathLike[str] | None = None,
    top: int = DEFAULT_TOP,
    weights: Weights | None = None,
    analyses: Iterable[str] = (),
) -> Result:
    """Rank the catalogue's initiatives for one profile and explain the ranking.

    ``profile`` is a YAML path, a mapping or a `Profile`; ``catalogue`` a `Catalogue`, a
    folder, or None for the packaged one; ``weights`` None for the catalogue's fitted
    weights. ``analyses`` adds "stability" and/or "what_if" to ``result.extras``. Returns a
    `Result` whose ``to_dict()`` is the JSON the CLI prints. Raises `ProfileError` /
    `CatalogueError` for bad input.

    Examples
    --------
    >>> r = recommend({"name": "Mill", "kind": "factory", "country": "CN",
    ...                "sector": "textiles", "issues": ["chemicals", "water"]})
    >>> r.shortlist[0].id
    'better-mill-initiative'
    """
    return Recommender(engine=engine_for(catalogue, weights)).recommend(profile, top=top, analyses=analyses)
