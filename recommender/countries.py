"""Country names and codes: ISO 3166-1 alpha-2/alpha-3, English names and common aliases."""

from __future__ import annotations

import difflib
import functools
import unicodedata

from .vocabulary import strip_invisible

__all__ = ["resolve_country", "country_name", "suggest_country", "country_codes"]

# Names consultants write that ISO does not list as such.
_ALIASES = {
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "usa": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "united states of america": "US",
    "vietnam": "VN", "viet nam": "VN", "turkey": "TR", "turkiye": "TR", "russia": "RU",
    "south korea": "KR", "korea": "KR", "north korea": "KP", "ivory coast": "CI",
    "burma": "MM", "laos": "LA", "iran": "IR", "syria": "SY", "bolivia": "BO",
    "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "czech republic": "CZ",
    "czechia": "CZ", "macedonia": "MK", "north macedonia": "MK", "swaziland": "SZ",
    "holland": "NL", "the netherlands": "NL", "taiwan": "TW", "hong kong": "HK",
    "macau": "MO", "palestine": "PS", "cape verde": "CV", "east timor": "TL",
    "drc": "CD", "dr congo": "CD", "democratic republic of the congo": "CD",
    "republic of the congo": "CG", "congo": "CG", "brunei": "BN", "vatican": "VA",
    "uae": "AE", "emirates": "AE", "mainland china": "CN", "prc": "CN",
}


def _fold(text: str) -> str:
    text = strip_invisible(unicodedata.normalize("NFKD", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().replace("_", " ").split())


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """(folded name or code -> alpha-2, alpha-2 -> display name), built from pycountry once
    and kept in the user cache (keyed by pycountry's files and this module)."""
    import importlib.util
    import os

    from .cache import cached

    spec = importlib.util.find_spec("pycountry")
    stamps = [os.stat(f) for f in (__file__, spec.origin if spec and spec.origin else __file__)]
    key = tuple((st.st_mtime_ns, st.st_size) for st in stamps)
    return cached("countries", "index", key, _build_index, tuple)


def _build_index() -> tuple[dict[str, str], dict[str, str]]:
    import pycountry

    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    for c in pycountry.countries:
        code = c.alpha_2
        lookup[code.lower()] = code
        lookup[c.alpha_3.lower()] = code
        names[code] = getattr(c, "common_name", None) or c.name
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                lookup.setdefault(_fold(value), code)
    for alias, code in _ALIASES.items():
        lookup[_fold(alias)] = code
    names["VN"] = "Viet Nam"
    names["TR"] = "Türkiye"
    return lookup, names


def resolve_country(value: str) -> str | None:
    """The ISO alpha-2 code for a code, an English name or a common alias, or None."""
    if not isinstance(value, str):
        return None
    lookup, _ = _index()
    return lookup.get(_fold(value.strip()))


def country_name(code: str) -> str:
    """The short English name of an ISO alpha-2 code ("global" reads as "worldwide")."""
    if code == "global":
        return "worldwide"
    _, names = _index()
    return names.get(code, code)


def suggest_country(value: str, *, n: int = 3) -> list[str]:
    """Close matches for a misspelt country, as "Name (CODE)" strings."""
    lookup, names = _index()
    folded = _fold(str(value))
    keys = [k for k in lookup if len(k) > 3]
    hits = difflib.get_close_matches(folded, keys, n=n * 2, cutoff=0.75)
    seen: list[str] = []
    for hit in hits:
        code = lookup[hit]
        label = f"{names[code]} ({code})"
        if label not in seen:
            seen.append(label)
    return seen[:n]


def country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code, sorted."""
    return tuple(sorted(_index()[1]))
