"""Resolve user spellings to canonical taxonomy keys, with "did you mean" suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

__all__ = ["fold_key", "strip_invisible", "clean_text", "Vocabulary", "did_you_mean", "EDGE_CHARACTERS"]

# Characters that print as nothing but come along with text pasted from e-mail, web pages
# and spreadsheets: soft hyphen, zero-width space/joiners, bidi marks and controls, BOM.
_INVISIBLE_CHARS = "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_EDGES = re.compile(f"^[\\s{_INVISIBLE_CHARS}]+|[\\s{_INVISIBLE_CHARS}]+$")


#: Every character `clean_text` strips from the edges: Unicode white space and the invisible ones
#: (for vectorised trimming, e.g. ``pyarrow.compute.utf8_trim(values, EDGE_CHARACTERS)``). Written
#: out, not computed at import (a test checks it against ``str.isspace`` and ``_INVISIBLE``).
EDGE_CHARACTERS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\xad\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d"
    "\u202e\u202f\u205f\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3000\ufeff"
)


def strip_invisible(text: str) -> str:
    """``text`` without zero-width characters, bidi marks, soft hyphens and BOMs."""
    return _INVISIBLE.sub("", text)


def clean_text(text: str) -> str:
    """``text`` without surrounding whitespace and invisible characters; those inside are kept."""
    return _EDGES.sub("", text)


def fold_key(text: str) -> str:
    """Lower-case, with spaces, hyphens, slashes and apostrophes read as one underscore.

    Full-width letters read as plain ones and invisible characters are dropped, so text
    pasted from an e-mail resolves like text typed by hand.
    """
    text = strip_invisible(unicodedata.normalize("NFKC", str(text)))
    text = text.strip().lower().replace("'", "").replace("’", "")
    return re.sub(r"[\s\-/&]+", "_", text).strip("_")


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Close matches of ``value`` among ``choices`` (best first)."""
    return difflib.get_close_matches(str(value), list(choices), n=n, cutoff=cutoff)


class Vocabulary:
    """Canonical keys of one taxonomy section and every alias that maps to them."""

    def __init__(self, keys: Iterable[str], aliases: dict[str, Iterable[str]] | None = None) -> None:
        self.keys = tuple(keys)
        self._map: dict[str, str] = {fold_key(k): k for k in self.keys}
        for key, names in (aliases or {}).items():
            for alias in names:
                self._map.setdefault(fold_key(alias), key)

    def resolve(self, value: object) -> str | None:
        """The canonical key for ``value``, or None when it is unknown."""
        if not isinstance(value, str):
            return None
        return self._map.get(fold_key(value))

    def suggest(self, value: object, *, n: int = 3) -> list[str]:
        """Canonical keys close to a misspelt ``value``."""
        hits = did_you_mean(fold_key(str(value)), self._map, n=n * 3, cutoff=0.6)
        out: list[str] = []
        for hit in hits:
            key = self._map[hit]
            if key not in out:
                out.append(key)
        return out[:n]

    def hint(self, value: object) -> str:
        """A "did you mean …?" hint, or the list of valid keys when nothing is close."""
        close = self.suggest(value)
        if close:
            return "did you mean " + " or ".join(repr(c) for c in close) + "?"
        return "valid values: " + ", ".join(self.keys)
