"""Stage 2: put profiles and initiatives into one feature space.

Columns (``get_feature_names_out``) are ``issue:<key>``, ``approach:<key>``,
``workforce:women``, ``workforce:migrants`` and ``text:description``; each belongs to one
score component (`models.COMPONENTS`).

- An initiative row holds issue strength / 3, 1 for each approach it uses, workforce
  focus / 3; its text column is filled per profile with the TF-IDF cosine similarity.
- A profile row holds issue weight / total weight, 1 / (number of preferred approaches)
  for each preferred approach, and each given workforce share / number of shares given.
  Every component block of a profile row sums to at most 1, so the weighted product with
  an initiative row is a score in [0, 1] that splits exactly by column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .catalogue import Catalogue
from .models import COMPONENTS, Initiative, Profile
from .text import TextVectoriser

__all__ = ["Vectoriser", "ProfileMatrix", "initiative_document"]

WORKFORCE_DIMS = ("women", "migrants")


def initiative_document(init: Initiative, catalogue: Catalogue) -> str:
    """The text an initiative is matched on: its own words plus its issues' vocabulary."""
    tax = catalogue.taxonomy
    parts = [init.name, init.organisation or "", init.summary, init.involves or "", " ".join(init.keywords)]
    for key in init.issues:
        entry = tax.issues[key]
        parts.append(" ".join((entry.label, *entry.keywords)))
    for key in init.approaches:
        parts.append(tax.approaches[key].label)
    return "\n".join(parts)


@dataclass(frozen=True)
class ProfileMatrix:
    """Profiles as rows of the feature space.

    ``values`` (n, F) as described in the module docstring; ``applicable`` (n, C) says
    which components apply to each profile; ``text_similarity`` (n, m) holds the cosine
    similarity of each profile's description to each initiative.
    """

    values: np.ndarray
    applicable: np.ndarray
    text_similarity: np.ndarray


class Vectoriser:
    """Fit on a catalogue, then transform profiles into the same feature space.

    Examples
    --------
    >>> from recommender import load_catalogue
    >>> v = Vectoriser().fit(load_catalogue())
    >>> v.get_feature_names_out()[0]
    'issue:wages'
    """

    def fit(self, catalogue: Catalogue) -> Vectoriser:
        tax = catalogue.taxonomy
        self.issue_keys_ = tuple(tax.issues)
        self.approach_keys_ = tuple(tax.approaches)
        names = (
            [f"issue:{k}" for k in self.issue_keys_]
            + [f"approach:{k}" for k in self.approach_keys_]
            + [f"workforce:{d}" for d in WORKFORCE_DIMS]
            + ["text:description"]
        )
        self.feature_names_ = np.array(names, dtype=object)
        self.column_ = {name: i for i, name in enumerate(names)}
        comp = {"issue": "issues", "approach": "approaches", "workforce": "workforce", "text": "text"}
        self.component_of_ = np.array([COMPONENTS.index(comp[n.split(":")[0]]) for n in names])
        self.ids_ = catalogue.ids
        m, f = len(self.ids_), len(names)
        matrix = np.zeros((m, f))
        for row, init in enumerate(catalogue.initiatives):
            for key, strength in init.issues.items():
                matrix[row, self.column_[f"issue:{key}"]] = strength / 3.0
            for key in init.approaches:
                matrix[row, self.column_[f"approach:{key}"]] = 1.0
            matrix[row, self.column_["workforce:women"]] = init.workforce.women / 3.0
            matrix[row, self.column_["workforce:migrants"]] = init.workforce.migrants / 3.0
        self.initiative_matrix_ = matrix
        self.text_ = TextVectoriser().fit(initiative_document(i, catalogue) for i in catalogue.initiatives)
        self.document_vectors_ = self.text_.transform(
            [initiative_document(i, catalogue) for i in catalogue.initiatives]
        )
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the feature columns, such as ``issue:wages``."""
        return self.feature_names_

    def text_similarity(self, descriptions: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity (n, m) of descriptions to initiatives, and whether each had signal."""
        rows, cols, values = self.text_.sparse_rows(list(descriptions))
        similarity = np.zeros((len(descriptions), len(self.ids_)))
        has_signal = np.zeros(len(descriptions), dtype=bool)
        if len(rows):
            # Each description's dot products summed over its own terms, in term order: a
            # row's result does not depend on the rows scored beside it.
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            parts = values[:, None] * self.document_vectors_[:, cols].T
            similarity[rows[starts]] = np.add.reduceat(parts, starts, axis=0)
            has_signal[rows] = True
        return np.clip(similarity, 0.0, 1.0), has_signal

    def transform(self, profiles: Sequence[Profile]) -> ProfileMatrix:
        """Profiles as a `ProfileMatrix` (issue weights include inferred issues)."""
        n, f = len(profiles), len(self.feature_names_)
        values = np.zeros((n, f))
        applicable = np.zeros((n, len(COMPONENTS)), dtype=bool)
        applicable[:, COMPONENTS.index("issues")] = True
        for row, p in enumerate(profiles):
            weights = p.weights()
            total = float(sum(weights.values()))
            for key, w in weights.items():
                values[row, self.column_[f"issue:{key}"]] = w / total
            if p.prefers:
                applicable[row, COMPONENTS.index("approaches")] = True
                for key in p.prefers:
                    values[row, self.column_[f"approach:{key}"]] = 1.0 / len(p.prefers)
            shares = {"women": p.workforce.women_share, "migrants": p.workforce.migrant_share}
            given = {d: s for d, s in shares.items() if s is not None}
            if given:
                applicable[row, COMPONENTS.index("workforce")] = True
                for d, s in given.items():
                    values[row, self.column_[f"workforce:{d}"]] = s / len(given)
        similarity, has_signal = self.text_similarity([p.description for p in profiles])
        values[:, self.column_["text:description"]] = has_signal.astype(float)
        applicable[:, COMPONENTS.index("text")] = has_signal
        return ProfileMatrix(values=values, applicable=applicable, text_similarity=similarity)
