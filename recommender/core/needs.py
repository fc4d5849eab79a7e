"""Likely needs of a profile that lists no issues, inferred from public risk data, with sources.

When a profile (or a supplier row) names no issues, its likely salient issues are derived
from where it is, what it makes and who works there, using the catalogue's risk datasets
(`datasets.RiskData`), and marked inferred everywhere they show. The rule, layer by layer
(each gives issues a weight 1-3):

1. **Sector**: the salient issues of each of its sectors (``sector-hazards.yaml``).
2. **Stage**: those of its value-chain stage, when known (wet processing, assembly, ...).
3. **Country, ITUC**: a rating of 5 or 5+ in the ITUC Global Rights Index sets freedom of
   association to 3, a rating of 4 to at least 2; 5+ (rights collapsed by conflict) also sets
   supply-chain risk monitoring to at least 2.
4. **Country and good, US Department of Labor**: a listing of the country's production of the
   profile's own product (its sector at its stage) sets child or forced labour to 3; a listing
   of an upstream input (cotton for a garment maker) sets it to 2 and risk monitoring to 2.
5. **Workforce**: women at least 60 % of workers add harassment, women's health, childcare
   and discrimination; migrants at least half add forced labour, childcare, rights awareness,
   grievance and financial inclusion.

Layers merge by maximum (the evidence overlaps, so weights never add up). Issues are ranked by
weight, ties going to the most specific evidence (workforce, then the two country layers,
then stage, then sector) and then to taxonomy order; the top `KEEP` of weight 2 or more are
kept. A brand is read through its sourcing countries (the highest ITUC rating, any DoL listing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..countries import country_name
from ..datasets import RiskData
from ..models import InferredIssue, Taxonomy

__all__ = ["infer_needs", "origin", "origin_words", "KEEP", "WOMEN", "MIGRANTS", "FROM_DESCRIPTION", "FROM_DOL",
           "FROM_ITUC", "FROM_PRIORS"]

#: How many inferred issues are kept.
KEEP = 6
#: Workforce shares from which the workforce layers apply.
WOMEN, MIGRANTS = 0.6, 0.5
# Layers, most specific first: ties in weight go to the earlier one.
_LAYERS = ("workforce", "dol", "ituc", "stage", "sector")
_ITUC_WORDS = {5: "5, no guarantee of rights",
               6: "5+, no guarantee of rights because of a breakdown of the rule of law",
               4: "4, systematic violations of rights"}
#: Bits of `origin`: where a profile's inferred issues come from.
FROM_DESCRIPTION, FROM_DOL, FROM_ITUC, FROM_PRIORS = 1, 2, 4, 8


@dataclass
class _Reason:
    layer: str
    weight: int
    text: str
    sources: tuple[str, ...]


def _year(as_of) -> str:  # noqa: ANN001 - a date
    return str(as_of.year)


def infer_needs(
    risk: RiskData, taxonomy: Taxonomy, *, kind: str, country: str, sourcing: Sequence[str], sectors: Sequence[str],
    stage: str | None, women_share: float | None, migrant_share: float | None,
) -> tuple[InferredIssue, ...]:
    """The likely issues of a profile (see the module docstring), strongest first."""
    found: dict[str, list[_Reason]] = {}

    def add(key: str, weight: int, layer: str, text: str, sources: tuple[str, ...]) -> None:
        if key in taxonomy.issues:
            found.setdefault(key, []).append(_Reason(layer, weight, text, sources))

    hz, ituc, dol = risk.hazards, risk.ituc, risk.dol
    hz_title = lambda ids: tuple(  # noqa: E731
        f"{s.title} ({_year(s.as_of)})" for s in (hz.source(i) for i in ids[:2]) if s is not None)
    for sector in sectors:
        entry = hz.sectors.get(sector)
        if entry is not None:
            label, titles = taxonomy.label("sectors", sector).lower(), hz_title(entry.sources)
            for key, w in entry.issues.items():
                add(key, w, "sector", f"common in {label}", titles)
    if stage is not None:
        entry = hz.stages.get("material_production").variants.get("wet_processing") if stage == "wet_processing" \
            else hz.stages.get(stage)
        if entry is not None:
            words = {"wet_processing": "wet processing (dyeing, printing, washing, finishing)",
                     "raw_materials": "raw-material production", "material_production": "material production",
                     "component_production": "component production", "assembly": "finished-goods assembly"}
            titles = hz_title(entry.sources)
            for key, w in entry.issues.items():
                add(key, w, "stage", f"typical of {words.get(stage, stage)}", titles)

    places = list(sourcing) if kind == "brand" and sourcing else [country]
    rated = [(ituc.level(c), c) for c in places if ituc.level(c) is not None]
    if rated:
        level, where = max(rated)
        edition = f"ITUC Global Rights Index {ituc.edition}"
        if level >= 5:
            add("freedom_of_association", 3, "ituc", f"{country_name(where)} is rated {_ITUC_WORDS[level]}, in the "
                f"{edition}", (edition,))
        elif level == 4:
            add("freedom_of_association", 2, "ituc", f"{country_name(where)} is rated {_ITUC_WORDS[4]}, in the "
                f"{edition}", (edition,))
        if level == 6:
            add("risk_monitoring", 2, "ituc", f"rights in {country_name(where)} have broken down (ITUC 5+)", (edition,))

    dol_title = f"US Department of Labor, List of Goods Produced by Child Labor or Forced Labor ({dol.edition})"
    goods = dol.goods_to_sectors
    for e in (*dol.entries, *dol.downstream):
        if e.country not in places:
            continue
        good = goods[e.good]
        if not set(good.sectors) & set(sectors):
            continue
        own_stage = "material_production" if stage == "wet_processing" else stage
        own = good.stage == own_stage if own_stage is not None else good.sectors[0] in sectors
        weight = 3 if own else 2
        what = f"{e.good.lower()} from {country_name(e.country)}"
        via = "" if own else " (an input to what you make)"
        for key, listed in (("child_labour", e.child_labour), ("forced_labour", e.forced_labour)):
            if listed:
                add(key, weight, "dol", f"the US Department of Labor's {dol.edition} list names {what} for "
                    f"{key.replace('_', ' ')}{via}", (dol_title,))
        if not own:
            add("risk_monitoring", 2, "dol", f"the US Department of Labor's {dol.edition} list names {what}, an "
                "input to what you make", (dol_title,))

    for share, limit, signal, words in ((women_share, WOMEN, "mostly_female", "most of the workforce are women"),
                                        (migrant_share, MIGRANTS, "mostly_migrant", "most workers are migrants")):
        if share is not None and share >= limit:
            entry = hz.workforce_signals[signal]
            titles = hz_title(entry.sources)
            for key, w in entry.issues.items():
                add(key, w, "workforce", words, titles)

    order = {k: i for i, k in enumerate(taxonomy.issues)}
    ranked = []
    for key, reasons in found.items():
        weight = max(r.weight for r in reasons)
        top = sorted((r for r in reasons if r.weight == weight), key=lambda r: _LAYERS.index(r.layer))
        ranked.append((weight, _LAYERS.index(top[0].layer), order[key], key, top))
    ranked.sort(key=lambda t: (-t[0], t[1], t[2]))
    out = []
    for weight, _, _, key, top in ranked:
        if weight < 2 or len(out) >= KEEP:
            break
        sources = tuple(dict.fromkeys(s for r in top for s in r.sources))
        out.append(InferredIssue(key=key, weight=weight, basis="; ".join(dict.fromkeys(r.text for r in top)),
                                 sources=sources))
    return tuple(out)


def origin(needs: Sequence[InferredIssue]) -> int:
    """The `FROM_*` bits of where ``needs`` come from (US DoL list, ITUC index, sector priors)."""
    bits = 0
    for need in needs:
        for src in need.sources:
            bits |= FROM_DOL if src.startswith("US Department of Labor") else FROM_ITUC if src.startswith("ITUC") \
                else FROM_PRIORS
    return bits


def origin_words(bits: int, risk: RiskData) -> str:
    """``bits`` in words: "the US DoL 2024 list, the ITUC 2025 index and sector risk"."""
    parts = []
    if bits & FROM_DOL:
        parts.append(f"the US DoL {risk.dol.edition} list")
    if bits & FROM_ITUC:
        parts.append(f"the ITUC {risk.ituc.edition} index")
    if bits & FROM_PRIORS:
        parts.append("sector and workforce risk")
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""
