"""What a client's own words say: relevance of a description to each initiative, and the
mechanisms (offers) it asks for.

Two signals, fitted once per catalogue (`TextModel.fit`) and applied to each distinct
description (`TextModel.analyse`):

- **Relevance** (0-1 per initiative): the mean of a BM25 match and a semantic match.
  BM25 (Okapi, fitted with the ``bm25s`` library over each initiative's own text, words
  stemmed by Snowball) rewards the client's words that the initiative's text shares,
  rarer words more. BM25 is a sum over the query's terms, so its term weights are kept
  from ``bm25s`` and a description is scored by adding them up (a test checks the sums
  against ``bm25s``'s own ``get_scores``); the semantic match is the cosine similarity of
  static WordLlama embeddings (`embedding`), which survives paraphrase ("small loans on
  their phones" ~ "mobile micro-finance"). Each is scaled by a fixed reference so that a
  weak overlap stays small: a description relates to an initiative only as far as it
  actually says something about it.
- **Offers** (0-1 per offer key): how surely the description asks for a mechanism or
  service of the taxonomy's ``offers`` section: 1 where one of the offer's phrases occurs
  in it (stemmed words, in order), else from the best semantic match of one of its
  sentences to the offer's description. The matched phrase or sentence is kept, so the
  report can say "from your description: 'small loans through their phones' → loans,
  insurance and benefits on workers' phones".

How much the description counts at all follows how much it says (`informativeness`):
nothing for three words, fully from about a dozen content words.

Everything above adds up over a description's **segments** (`segments`: its sentences and
the parts between semicolons or line breaks): BM25 sums over words, the embedding is the
normalised sum of token vectors, phrases match within a segment, and a request's confidence
is the best over segments. So each distinct segment is analysed once (`TextModel` keeps the
most recent ones) and a supplier list whose descriptions repeat phrases pays for each phrase
once; one profile and a million rows go through the same functions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..models import Initiative
from ..text import STOP_WORDS

__all__ = ["TextModel", "TextFeatures", "OfferMatch", "initiative_text", "informativeness", "stem_words", "segments",
           "content_words"]

_TOKEN = re.compile(r"(?u)\b\w\w+\b")
_SEGMENT = re.compile(r"(?<=[.!?;])\s+|\n+")
#: Distinct segments a `TextModel` keeps analysed (the oldest are dropped beyond this).
SEGMENT_CACHE = 200_000
#: Content words from which a description counts fully (and up to which it counts not at all).
FULL_WORDS, NO_WORDS = 12, 3
#: BM25 sum that counts as a full match (about three rare, shared words).
BM25_REFERENCE = 9.0
#: Cosine above the description's mean over initiatives that counts as a full semantic match.
COSINE_REFERENCE = 0.22
#: An inferred request counts from this confidence: a sure phrase (1.0), two different hinting
#: words (0.75) or a close semantic match do; one stray word (0.5) does not.
OFFER_MIN = 0.6
#: A sentence this similar to an offer's description asks for it with confidence 0; at
#: OFFER_FULL with confidence 1.
OFFER_FLOOR, OFFER_FULL = 0.52, 0.72


@functools.lru_cache(maxsize=1)
def _stemmer():  # noqa: ANN202 - Stemmer.Stemmer
    import Stemmer

    return Stemmer.Stemmer("english")


def stem_words(text: str) -> list[str]:
    """Lower-case, stemmed content words (two letters or more, no stop words)."""
    words = [w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS]
    return _stemmer().stemWords(words) if words else []


def stem_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """`stem_words` of ``text`` and where each word stands in it (character start and end)."""
    found = [(m.group(), m.span()) for m in _TOKEN.finditer(text.lower()) if m.group() not in STOP_WORDS]
    if not found:
        return [], []
    return _stemmer().stemWords([w for w, _ in found]), [span for _, span in found]


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, d) x (m, d) -> (n, m) in float64, each element summed in order (no BLAS): a text's
    numbers do not depend on the texts analysed beside it."""
    return np.einsum("nd,md->nm", a.astype(np.float64), b.astype(np.float64), optimize=False)


def segments(text: str) -> list[str]:
    """The segments of ``text``: its sentences and the parts between semicolons or line breaks,
    stripped, empty ones left out. Every signal of a description adds up over them."""
    return [p.strip() for p in _SEGMENT.split(text) if p.strip()]


def content_words(text: str) -> int:
    """How many content words (two letters or more, not stop words) ``text`` has."""
    return len([w for w in _TOKEN.findall(text.lower()) if w not in STOP_WORDS])


def informativeness(text: str | int) -> float:
    """0 for a description of three content words or fewer, 1 from twelve, linear between
    (``text`` may be the count of its content words)."""
    n = text if isinstance(text, int) else content_words(text)
    return float(np.clip((n - NO_WORDS) / (FULL_WORDS - NO_WORDS), 0.0, 1.0))


def initiative_text(init: Initiative, offer_labels: dict[str, str]) -> str:
    """The words an initiative is matched on: its name, summary, what taking part involves,
    its roles, keywords and the labels of what it offers."""
    parts = [init.display_name, init.organisation or "", init.summary, init.involves or "",
             *init.roles.values(), " ".join(init.keywords)]
    parts += [offer_labels[k] for k in init.offers if k in offer_labels]
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class OfferMatch:
    """Why a description asks for an offer (or an outside request): the words matched, and how surely (0-1)."""

    offer: str
    words: str
    confidence: float
    by_phrase: bool


@dataclass(frozen=True)
class TextFeatures:
    """What each distinct description says: ``relevance`` (u, m), ``offers`` (u, O)
    confidence, ``weight`` (u,) informativeness, the ``matches`` behind the offers, and the
    requests no programme meets (``outside`` (u, X) confidence, ``outside_matches``)."""

    relevance: np.ndarray
    offers: np.ndarray
    weight: np.ndarray
    matches: tuple[tuple[OfferMatch, ...], ...]
    outside: np.ndarray | None = None
    outside_matches: tuple[tuple[OfferMatch, ...], ...] = ()

    @classmethod
    def empty(cls, m: int, o: int, x: int = 0) -> TextFeatures:
        return cls(np.zeros((0, m)), np.zeros((0, o)), np.zeros(0), (), np.zeros((0, x)), ())


class _Requests:
    """A vocabulary of requests (offers, or needs outside the catalogue): their phrases as
    stemmed word tuples indexed by first word, and their embedded descriptions."""

    def __init__(self, entries: dict[str, tuple[str, str, Sequence[str]]], emb: Any) -> None:
        self.keys = tuple(entries)
        self.vectors = emb.embed([f"{v[0]}. {v[1]}" for v in entries.values()]) if entries \
            else np.zeros((0, emb.dim), dtype=np.float32)
        phrases: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        for pos, (label, _, words) in enumerate(entries.values()):
            for phrase in (label, *words):
                stems = tuple(stem_words(phrase))
                # A phrase that stop words reduce to one word ("our own practices") says too little.
                if len(stems) > 1 or (stems and len(phrase.split()) == 1):
                    phrases.setdefault(stems[0], []).append((stems, pos, phrase))
        self.phrases = {w: tuple(v) for w, v in phrases.items()}

    def phrase_hits(self, text: str, words: list[str] | None = None, spans: list[tuple[int, int]] | None = None
                    ) -> tuple[dict[int, str], dict[int, dict[str, str]]]:
        """The requests whose phrases occur in ``text`` (stemmed, within the text): (sure:
        position -> the client's words that matched, for phrases of two or more words; hints:
        position -> {stem: the client's word} for single words). ``words`` and ``spans`` are
        `stem_spans` of ``text`` when already at hand."""
        if words is None or spans is None:
            words, spans = stem_spans(text)
        sure: dict[int, str] = {}
        hints: dict[int, dict[str, str]] = {}
        for i, w in enumerate(words):
            for stems, pos, _ in self.phrases.get(w, ()):
                if tuple(words[i:i + len(stems)]) == stems:
                    said = text[spans[i][0]:spans[i + len(stems) - 1][1]]
                    if len(stems) > 1:
                        sure.setdefault(pos, said)
                    else:
                        hints.setdefault(pos, {}).setdefault(stems[0], said)
        return sure, hints

    @staticmethod
    def phrase_confidence(sure: dict[int, str], hints: dict[int, dict[str, str]]) -> dict[int, tuple[float, str]]:
        """Position -> (confidence, the client's words that matched): a phrase of two or more words
        is sure (1.0); a single word only hints (0.5), and different hinting words add up (two:
        0.75, three: 0.875), quoted with an ellipsis between them ("quiz … tablets")."""
        found = {pos: (1.0, phrase) for pos, phrase in sure.items()}
        for pos, got in hints.items():
            if pos not in found:
                found[pos] = (1.0 - 0.5 ** len(got), " \u2026 ".join(got.values()))
        return found

    def phrase_matches(self, text: str) -> dict[int, tuple[float, str]]:
        """`phrase_confidence` of the phrases in ``text``."""
        return self.phrase_confidence(*self.phrase_hits(text))

    def semantic(self, vectors: np.ndarray) -> np.ndarray:
        """Confidence (len(vectors), len(keys)) that each sentence vector asks for each request."""
        if not len(self.keys) or not len(vectors):
            return np.zeros((len(vectors), len(self.keys)))
        return np.clip((_dot(vectors, self.vectors) - OFFER_FLOOR) / (OFFER_FULL - OFFER_FLOOR), 0.0, 1.0)

    def combine(self, parts: Sequence[_Segment], attr: str) -> tuple[np.ndarray, tuple[OfferMatch, ...]]:
        """Confidence (len(keys),) over a description's segments, and the matches behind it: a
        phrase anywhere (hinting words pooled across segments), else the best sentence."""
        sure: dict[int, str] = {}
        hints: dict[int, dict[str, str]] = {}
        best = np.zeros(len(self.keys))
        where = np.full(len(self.keys), -1)
        for n, seg in enumerate(parts):
            seg_sure, seg_hints, conf = getattr(seg, attr)
            for pos, phrase in seg_sure.items():
                sure.setdefault(pos, phrase)
            for pos, got in seg_hints.items():
                for stem, phrase in got.items():
                    hints.setdefault(pos, {}).setdefault(stem, phrase)
            if conf is not None:
                better = conf > best
                best[better], where[better] = conf[better], n
        found = {pos: OfferMatch(self.keys[pos], parts[where[pos]].text, float(best[pos]), False)
                 for pos in np.flatnonzero(best > 0)}
        for pos, (c, phrase) in self.phrase_confidence(sure, hints).items():
            if c >= (found[pos].confidence if pos in found else 0.0):
                found[pos] = OfferMatch(self.keys[pos], phrase, c, True)
        out = np.zeros(len(self.keys))
        for pos, m in found.items():
            out[pos] = m.confidence
        return out, tuple(sorted(found.values(), key=lambda x: (-x.confidence, x.offer)))


def _speaks(hits: tuple) -> bool:
    """Whether a segment's (sure, hints, confidences) for one vocabulary say anything."""
    sure, hints, conf = hits
    return bool(sure or hints or (conf is not None and conf.max(initial=0.0) > 0))


@dataclass(frozen=True)
class _Segment:
    """What one segment says: BM25 sums (m,), the sum of its token vectors and their count,
    its content words, and per vocabulary (offers, outside) its phrase hits and, for a
    sentence of three words or more, its semantic confidences."""

    text: str
    bm25: np.ndarray
    token_sum: np.ndarray
    tokens: int
    words: int
    offers: tuple
    outside: tuple
    #: Whether it says anything to the offers, and to the outside requests.
    speaks: tuple[bool, bool] = (True, True)


class TextModel:
    """BM25 term weights, document embeddings and request vocabularies of one catalogue.

    ``fit`` reads the catalogue's texts; ``analyse`` scores descriptions against them.
    Fitted models are plain arrays and dictionaries, so they pickle (the engine is kept in
    the user cache) and a description is scored without importing ``bm25s``.
    """

    def fit(self, initiatives: Sequence[Initiative], offers: dict[str, tuple[str, str, Sequence[str]]],
            outside: dict[str, tuple[str, str, Sequence[str]]] | None = None) -> TextModel:
        """``offers`` and ``outside`` map each key to (label, description, phrases)."""
        import bm25s

        from .embedding import load_embedding

        labels = {k: v[0] for k, v in offers.items()}
        docs = [initiative_text(i, labels) for i in initiatives]
        tokens = [stem_words(d) for d in docs]
        index = bm25s.BM25()
        index.index(tokens, show_progress=False)
        self.vocabulary_ = {t: i for t, i in index.vocab_dict.items() if t}
        csc = index.scores
        weights = np.zeros((len(index.vocab_dict), len(docs)), dtype=np.float64)
        for term in range(len(csc["indptr"]) - 1):
            lo, hi = csc["indptr"][term], csc["indptr"][term + 1]
            weights[term, csc["indices"][lo:hi]] = csc["data"][lo:hi]
        self.term_weights_ = weights
        emb = load_embedding()
        self.doc_vectors_ = emb.embed(docs)
        self.offers_ = _Requests(offers, emb)
        self.outside_ = _Requests(outside or {}, emb)
        return self

    @property
    def offer_keys_(self) -> tuple[str, ...]:
        return self.offers_.keys

    # --- scoring descriptions --------------------------------------------------------

    def bm25(self, text: str) -> np.ndarray:
        """BM25 scores (m,) of one text against every initiative (`bm25s`'s sums)."""
        ids = [self.vocabulary_[t] for t in stem_words(text) if t in self.vocabulary_]
        if not ids:
            return np.zeros(self.term_weights_.shape[1])
        return self.term_weights_[ids].sum(axis=0)

    def phrase_matches(self, text: str) -> dict[int, tuple[float, str]]:
        """Offers whose phrases occur in ``text`` (see `_Requests.phrase_confidence`)."""
        return self.offers_.phrase_matches(text)

    def _segments(self, split: Sequence[Sequence[str]]) -> dict[str, _Segment]:
        """`_Segment` of every distinct segment of ``split`` (each text's segments), from the
        cache or analysed now (in bulk)."""
        from .embedding import load_embedding

        cache: dict[str, _Segment] = self.__dict__.setdefault("_cache", {})
        new = list(dict.fromkeys(s for parts in split for s in parts if s not in cache))
        if new:
            if len(cache) + len(new) > SEGMENT_CACHE:
                cache.clear()
            sums, counts = load_embedding().token_sums(new)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            vectors = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
            words_of = [content_words(seg) for seg in new]
            # Semantic confidences of every new sentence of three content words or more, at once.
            sentences = np.flatnonzero(np.array(words_of) >= 3)
            semantic = [dict(zip(sentences.tolist(), requests.semantic(vectors[sentences])))
                        for requests in (self.offers_, self.outside_)]
            for n, seg in enumerate(new):
                stems, spans = stem_spans(seg)
                words = words_of[n]
                hits = []
                for requests, sem in zip((self.offers_, self.outside_), semantic):
                    hits.append((*requests.phrase_hits(seg, stems, spans), sem.get(n)))
                ids = [self.vocabulary_[t] for t in stems if t in self.vocabulary_]
                bm25 = self.term_weights_[ids].sum(axis=0) if ids else np.zeros(self.term_weights_.shape[1])
                cache[seg] = _Segment(seg, bm25, sums[n], int(counts[n]), words, hits[0], hits[1],
                                      (_speaks(hits[0]), _speaks(hits[1])))
        return cache

    def _combined(self, requests: _Requests, parts: Sequence[_Segment], attr: str
                  ) -> tuple[np.ndarray, tuple[OfferMatch, ...]]:
        """`_Requests.combine` over the segments that say anything to ``requests`` (the others
        add nothing to it), kept per distinct run of such segments: descriptions differ in
        their details ("about 2,562 workers") far more often than in what they ask for."""
        said = tuple(seg for seg in parts if seg.speaks[attr == "outside"])
        key = (attr, tuple(seg.text for seg in said))
        memo: dict[tuple, tuple[np.ndarray, tuple[OfferMatch, ...]]] = self.__dict__.setdefault("_combine_memo", {})
        found = memo.get(key)
        if found is None:
            if len(memo) > SEGMENT_CACHE:
                memo.clear()
            found = memo[key] = requests.combine(said, attr)
        return found

    def analyse(self, texts: Sequence[str]) -> TextFeatures:
        """`TextFeatures` of distinct, non-empty descriptions."""
        m, o, x = self.term_weights_.shape[1], len(self.offers_.keys), len(self.outside_.keys)
        if not texts:
            return TextFeatures.empty(m, o, x)
        split = [segments(t) for t in texts]
        cache = self._segments(split)
        u = len(texts)
        bm25, sums = np.zeros((u, m)), np.zeros((u, self.doc_vectors_.shape[1]), dtype=np.float32)
        words = np.zeros(u, dtype=np.int64)
        offers, outside = np.zeros((u, o)), np.zeros((u, x))
        matches, outside_matches = [], []
        all_parts = [[cache[s] for s in seg_texts] for seg_texts in split]
        # Each description's sums over its segments, added one segment at a time in order for
        # all descriptions at once: the numbers of a text never depend on the texts beside it.
        lengths = np.array([len(p) for p in all_parts], dtype=np.intp)
        flat = [seg for parts in all_parts for seg in parts]
        if flat:
            starts = np.cumsum(lengths) - lengths
            seg_bm25 = np.stack([seg.bm25 for seg in flat])
            seg_sums = np.stack([seg.token_sum for seg in flat])
            seg_words = np.array([seg.words for seg in flat], dtype=np.int64)
            for j in range(int(lengths.max())):
                rows = np.flatnonzero(lengths > j)
                at = starts[rows] + j
                bm25[rows] += seg_bm25[at]
                sums[rows] += seg_sums[at]
                words[rows] += seg_words[at]
        for i, parts in enumerate(all_parts):
            offers[i], found = self._combined(self.offers_, parts, "offers")
            outside[i], away = self._combined(self.outside_, parts, "outside")
            matches.append(found)
            outside_matches.append(away)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        whole = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
        cosine = _dot(whole, self.doc_vectors_)  # (u, m)
        semantic = np.clip((cosine - cosine.mean(axis=1, keepdims=True)) / COSINE_REFERENCE, 0.0, 1.0)
        lexical = np.clip(bm25 / BM25_REFERENCE, 0.0, 1.0)
        relevance = (semantic + lexical) / 2.0
        weight = np.clip((words - NO_WORDS) / (FULL_WORDS - NO_WORDS), 0.0, 1.0)
        return TextFeatures(relevance=relevance, offers=offers, weight=weight, matches=tuple(matches),
                            outside=outside, outside_matches=tuple(outside_matches))
