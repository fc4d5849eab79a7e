"""Stage 4: scores as sums of named contributions, for one profile or many at once.

``contribution[n, m, f] = profile[n, f] * component_weight[n, component(f)] * initiative[m, f]``
(the text column uses the profile's similarity to initiative m). A score is the sum over f,
so it decomposes exactly into the contributions shown to the user, and lies in [0, 1]
because each component block of a profile row sums to at most 1 and the effective
component weights sum to 1.
"""

from __future__ import annotations

import numpy as np

from .models import COMPONENTS, Weights
from .vectorise import ProfileMatrix, Vectoriser

__all__ = [
    "effective_weights", "contributions", "scores", "component_scores", "rank_order", "SCORE_DECIMALS",
]

#: Scores are compared at this precision, so float noise never reorders a ranking.
SCORE_DECIMALS = 9


def effective_weights(weights: Weights, applicable: np.ndarray) -> np.ndarray:
    """Component weights (n, C) per profile: inapplicable components pass theirs on pro rata."""
    base = np.array([getattr(weights, c) for c in COMPONENTS])
    w = base[None, :] * applicable
    return w / w.sum(axis=1, keepdims=True)


def _scaled_profile(pm: ProfileMatrix, vec: Vectoriser, weights: Weights) -> np.ndarray:
    eff = effective_weights(weights, pm.applicable)
    return pm.values * eff[:, vec.component_of_]


def contributions(pm: ProfileMatrix, vec: Vectoriser, weights: Weights) -> np.ndarray:
    """Every named contribution, an array (n, m, F); sums over F are the scores."""
    x = _scaled_profile(pm, vec, weights)
    out = x[:, None, :] * vec.initiative_matrix_[None, :, :]
    text = vec.column_["text:description"]
    out[:, :, text] = x[:, None, text] * pm.text_similarity
    return out


def scores(pm: ProfileMatrix, vec: Vectoriser, weights: Weights) -> np.ndarray:
    """Scores (n, m) without materialising the contributions (the batch path)."""
    x = _scaled_profile(pm, vec, weights)
    text = vec.column_["text:description"]
    static = vec.initiative_matrix_.copy()
    static[:, text] = 0.0
    return x @ static.T + x[:, text][:, None] * pm.text_similarity


def component_scores(pm: ProfileMatrix, vec: Vectoriser) -> np.ndarray:
    """Unweighted score of each component, an array (n, m, C) with values in [0, 1].

    ``scores`` equals ``(component_scores * effective_weights[:, None, :]).sum(-1)``: the
    per-component scores are what sensitivity perturbs and what `match learn` fits on.
    """
    text = vec.column_["text:description"]
    static = vec.initiative_matrix_.copy()
    static[:, text] = 0.0
    out = np.empty((pm.values.shape[0], static.shape[0], len(COMPONENTS)))
    for c in range(len(COMPONENTS)):
        cols = vec.component_of_ == c
        out[:, :, c] = pm.values[:, cols] @ static[:, cols].T
    out[:, :, COMPONENTS.index("text")] += pm.values[:, text][:, None] * pm.text_similarity
    return out


def rank_order(score_row: np.ndarray, ids: tuple[str, ...]) -> list[int]:
    """Column indices by score (descending, at `SCORE_DECIMALS`), ties broken by id."""
    rounded = np.round(score_row, SCORE_DECIMALS)
    return sorted(range(len(ids)), key=lambda j: (-rounded[j], ids[j]))

