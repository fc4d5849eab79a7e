"""The one engine: a catalogue fitted once, and the same stages for every path that ranks.

``Engine(catalogue, weights).run(batch, top=5)`` takes a `batch.ProfileBatch` through
vectorise → eligibility → score → select and returns a `Scored` with every array the
callers need. `recommend` is a batch of one plus explanation; the supplier-list path, the
estimator, what-if, stability, the portfolio, evaluation and learning call the same
methods, so they cannot disagree on a rule.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..catalogue import Catalogue, load_catalogue
from ..models import Weights
from .batch import Keys, ProfileBatch
from .eligibility import EXCLUDED, UNDOCUMENTED, Rules
from .scoring import Features, InitiativeMatrix, combine, component_scores, effective_weights
from .selection import Selection, select
from .text import OFFER_MIN, TextFeatures, TextModel

__all__ = ["Engine", "Scored", "engine_for", "OFFER_MIN"]


@dataclass(frozen=True)
class Scored:
    """Everything the engine found for a batch, as arrays over (profile, initiative).

    ``states`` (n, m, R) eligibility rule states; ``eligible`` and ``relevant`` (n, m);
    ``components`` (n, m, C) unweighted component scores; ``weights`` (n, C) effective
    component weights; ``scores`` (n, m); ``selection`` the shortlists; ``text`` what each
    distinct description said.
    """

    batch: ProfileBatch
    features: Features
    states: np.ndarray
    eligible: np.ndarray
    relevant: np.ndarray
    components: np.ndarray
    weights: np.ndarray
    scores: np.ndarray
    selection: Selection
    text: TextFeatures


class Engine:
    """A catalogue and weights, fitted: keys, rule tables, the initiative matrix and the text model."""

    def __init__(self, catalogue: Catalogue, weights: Weights | None = None) -> None:
        self.catalogue = catalogue
        self.weights = weights if weights is not None else catalogue.weights
        self.keys = Keys.of(catalogue)
        self.rules = Rules().fit(catalogue, self.keys)
        self.matrix = self._matrix()
        tax = catalogue.taxonomy
        offers = {k: (e.label, e.description, e.keywords) for k, e in tax.offers.items()}
        outside = {k: (e.label, e.description, e.keywords) for k, e in tax.outside.items()}
        self.text = TextModel().fit(catalogue.initiatives, offers, outside)

    def _matrix(self) -> InitiativeMatrix:
        k, inits = self.keys, self.catalogue.initiatives
        m = len(inits)
        issues = np.zeros((m, len(k.issues)))
        approaches = np.zeros((m, len(k.approaches)))
        offers = np.zeros((m, len(k.offers)))
        workforce = np.zeros((m, 2))
        for r, init in enumerate(inits):
            for key, s in init.issues.items():
                issues[r, k.pos("issues", key)] = s / 3.0
            for key in init.approaches:
                approaches[r, k.pos("approaches", key)] = 1.0
            for key, s in init.offers.items():
                offers[r, k.pos("offers", key)] = s / 3.0
            workforce[r] = [init.workforce.women / 3.0, init.workforce.migrants / 3.0]
        return InitiativeMatrix(issues=issues, approaches=approaches, offers=offers, workforce=workforce)

    @property
    def ids(self) -> tuple[str, ...]:
        return self.keys.ids

    # --- the stages ------------------------------------------------------------------

    def describe(self, batch: ProfileBatch) -> TextFeatures:
        """What each distinct description of the batch says."""
        return self.text.analyse(batch.descriptions)

    def features(self, batch: ProfileBatch, text: TextFeatures, states: np.ndarray) -> Features:
        """Stage 2: the batch in the feature space (see `scoring`)."""
        n, m = len(batch), len(self.ids)
        has_text = batch.text >= 0
        rows = np.maximum(batch.text, 0)

        def gather(values: np.ndarray, width: int) -> np.ndarray:
            if not len(values):
                return np.zeros((n, width))
            return np.where(has_text[:, None], values[rows], 0.0)

        w = batch.weights
        total = w.sum(axis=1, keepdims=True)
        issues = np.divide(w, total, out=np.zeros_like(w, dtype=float), where=total > 0)
        count = batch.prefers.sum(axis=1, keepdims=True)
        approaches = np.divide(batch.prefers, count, out=np.zeros(batch.prefers.shape), where=count > 0)
        wanted = np.maximum(batch.wants.astype(float), gather(text.offers, len(self.keys.offers)))
        wanted = np.where(wanted >= OFFER_MIN, wanted, 0.0)
        o_total = wanted.sum(axis=1, keepdims=True)
        offers = np.divide(wanted, o_total, out=np.zeros_like(wanted), where=o_total > 0)
        given = ~np.isnan(batch.shares)
        g_count = given.sum(axis=1, keepdims=True)
        workforce = np.divide(np.nan_to_num(batch.shares), g_count, out=np.zeros(batch.shares.shape),
                              where=g_count > 0)
        availability = np.column_stack([
            np.ones(n), count[:, 0] > 0, wanted.max(axis=1, initial=0.0), g_count[:, 0] > 0,
            gather(text.weight[:, None], 1)[:, 0] if len(text.weight) else np.zeros(n),
        ]).astype(float)
        undocumented = (states == UNDOCUMENTED).sum(axis=2)
        factor = (1.0 - self.weights.undocumented) ** undocumented
        return Features(issues=issues, approaches=approaches, offers=offers, workforce=workforce,
                        relevance=gather(text.relevance, m), availability=availability, factor=factor)

    def offer_relevance(self, features: Features) -> np.ndarray:
        """(n, m): the initiative offers (strength 2 or 3) a mechanism the profile wants."""
        return np.einsum("nk,mk->nm", (features.offers > 0).astype(float),
                         (self.matrix.offers >= 2 / 3).astype(float), optimize=False) > 0

    def relevance(self, features: Features) -> np.ndarray:
        """(n, m): the initiative addresses one of the profile's issues or offers a wanted mechanism."""
        issue = np.einsum("nk,mk->nm", (features.issues > 0).astype(float), (self.matrix.issues > 0).astype(float),
                          optimize=False) > 0
        return issue | self.offer_relevance(features)

    def scores(self, features: Features, weights: Weights | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(components (n, m, C), effective weights (n, C), scores (n, m))."""
        comp = component_scores(features, self.matrix)
        eff = effective_weights(weights or self.weights, features.availability)
        return comp, eff, combine(comp, eff, features.factor)

    def select(self, scores: np.ndarray, eligible: np.ndarray, relevant: np.ndarray, members: np.ndarray,
               *, top: int) -> Selection:
        """The shortlists (`selection.select` with this engine's ids and minimum score)."""
        return select(scores, eligible, relevant, members, ids=self.ids, top=top, min_score=self.weights.min_score)

    def run(self, batch: ProfileBatch, *, top: int = 5) -> Scored:
        """Every stage for a batch."""
        states = self.rules.states(batch)
        eligible = (states != EXCLUDED).all(axis=2)
        text = self.describe(batch)
        features = self.features(batch, text, states)
        relevant = self.relevance(features)
        comp, eff, scores = self.scores(features)
        selection = self.select(scores, eligible, relevant, batch.members, top=top)
        return Scored(batch=batch, features=features, states=states, eligible=eligible, relevant=relevant,
                      components=comp, weights=eff, scores=scores, selection=selection, text=text)


# --- fitted engines, kept in memory and in the user cache ------------------------------------

_ENGINES: dict[tuple[str, Weights | None], Engine] = {}
# The same engine by catalogue object, so that a caller passing the same catalogue again pays no digest.
_BY_OBJECT: dict[tuple[int, Weights | None], Engine] = {}


def _fingerprint(catalogue: Catalogue) -> str:
    """A digest of everything the engine is fitted from (stable across processes)."""
    data = json.dumps([m.model_dump(mode="json") for m in (catalogue.meta, catalogue.taxonomy, catalogue.weights,
                                                            *catalogue.initiatives)], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def _code_stamp() -> tuple:
    from .embedding import model_files

    here = Path(__file__).resolve().parent
    files = [*sorted(here.glob("*.py")), Path(__file__).resolve().parent.parent / "models.py", *model_files()]
    return tuple((p.name, os.stat(p).st_mtime_ns, os.stat(p).st_size) for p in files)


def engine_for(catalogue: Catalogue | str | os.PathLike[str] | None = None, weights: Weights | None = None) -> Engine:
    """The `Engine` for ``catalogue`` (a `Catalogue`, a folder or None for the packaged one) and
    ``weights`` (None: the catalogue's), fitted once per process and kept in the user cache."""
    from ..cache import cached

    if not isinstance(catalogue, Catalogue):
        catalogue = load_catalogue(catalogue)
    seen = _BY_OBJECT.get((id(catalogue), weights))
    if seen is not None and seen.catalogue is catalogue:
        return seen
    print_ = _fingerprint(catalogue)
    key = (print_, weights)
    found = _ENGINES.get(key)
    if found is None:
        if len(_ENGINES) > 16:
            _ENGINES.clear()
            _BY_OBJECT.clear()
        found = cached("engines", catalogue.path, (print_, weights, _code_stamp()),
                       lambda: Engine(catalogue, weights), Engine)
        found.catalogue = catalogue  # the caller's object, so identity checks keep working
        _ENGINES[key] = found
    _BY_OBJECT[(id(catalogue), weights)] = found
    return found
