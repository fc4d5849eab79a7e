"""The naive baseline every evaluation prints beside the scorer: text search, no catalogue logic.

Each initiative is the text of its summary and what taking part involves; a profile is the
text of its description and the labels of the issues and approaches it lists. The baseline
ranks the initiatives by the TF-IDF cosine similarity of the two (`text.TextVectoriser`,
scikit-learn's numbers), with no eligibility, no strengths and no weights. A scorer that
cannot beat this by a wide margin is not using what the catalogue knows.
"""

from __future__ import annotations

import numpy as np

from ..catalogue import Catalogue
from ..models import Profile
from ..text import TextVectoriser

__all__ = ["Baseline"]


class Baseline:
    """TF-IDF search over the catalogue's summaries (see the module docstring)."""

    def fit(self, catalogue: Catalogue) -> Baseline:
        self.ids_ = catalogue.ids
        docs = [f"{i.summary}\n{i.involves or ''}" for i in catalogue.initiatives]
        self.vectoriser_ = TextVectoriser().fit(docs)
        self.docs_ = self.vectoriser_.transform(docs)
        self.taxonomy_ = catalogue.taxonomy
        return self

    def query(self, profile: Profile) -> str:
        """The words of a profile the baseline searches with."""
        tax = self.taxonomy_
        words = [profile.description]
        words += [tax.label("issues", k) for k in profile.weights()]
        words += [tax.label("approaches", k) for k in profile.prefers]
        return "\n".join(words)

    def rank(self, profile: Profile) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """Every initiative id, most similar first (ties by id), and the similarities."""
        q = self.vectoriser_.transform([self.query(profile)])[0]
        sim = self.docs_ @ q
        order = sorted(range(len(self.ids_)), key=lambda j: (-round(float(sim[j]), 12), self.ids_[j]))
        return tuple(self.ids_[j] for j in order), tuple(float(sim[j]) for j in order)

    def scores(self, profile: Profile) -> np.ndarray:
        """Similarities (m,) in catalogue order."""
        return self.docs_ @ self.vectoriser_.transform([self.query(profile)])[0]
