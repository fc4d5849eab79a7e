"""Stage 4: scores as sums of named contributions, for one profile or many at once.

Each component (`models.COMPONENTS`) scores every (profile, initiative) pair in [0, 1]:

- issues: the weighted share of the profile's issues the initiative addresses, each at its
  strength / 3 (stated and inferred issues, weights as given);
- approaches: the share of the profile's preferred approaches the initiative uses;
- offers: the weighted share of the mechanisms the profile wants (named under ``wants``,
  or recognised in its description with a confidence) that the initiative offers, at
  strength / 3;
- workforce: how far the initiative targets the profile's women and migrant shares;
- text: the relevance of the description to the initiative (`text.TextModel`).

A component that does not apply to a profile (no preferred approaches, no shares, no
wanted mechanism, a description that says little) passes its weight on pro rata:
``availability`` (n, C) in [0, 1] scales the base weights before they are renormalised.
The score is ``factor × Σ_c weight_c × component_c``, where ``factor`` is
``(1 - undocumented) ** k`` for an initiative with ``k`` undocumented eligibility rules, so
it splits exactly into the contributions shown.

Sums run in a fixed order over each row's own values (``np.einsum`` without BLAS), so a
profile's scores are the same to the last bit whether it is scored alone or among a million.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models import COMPONENTS, Weights

__all__ = [
    "Features", "InitiativeMatrix", "effective_weights", "component_scores", "combine", "contributions",
    "rounded", "rank_key", "SCORE_DECIMALS", "DECIMALS",
]

#: Scores are compared at this precision, so float noise never reorders a ranking.
SCORE_DECIMALS = 9
#: Scores are shown with this many decimals (JSON, CSV, reports).
DECIMALS = 4


@dataclass(frozen=True)
class InitiativeMatrix:
    """The catalogue side of the feature space: (m, K) issue strength / 3, (m, A) approaches
    used, (m, O) offer strength / 3, (m, 2) workforce focus / 3 (women, migrants)."""

    issues: np.ndarray
    approaches: np.ndarray
    offers: np.ndarray
    workforce: np.ndarray


@dataclass(frozen=True)
class Features:
    """Profiles in the feature space: each block's shares (rows sum to at most 1), the text
    relevance (n, m), which components apply (``availability``, n x C) and ``factor`` (n, m)."""

    issues: np.ndarray
    approaches: np.ndarray
    offers: np.ndarray
    workforce: np.ndarray
    relevance: np.ndarray
    availability: np.ndarray
    factor: np.ndarray

    def __len__(self) -> int:
        return len(self.issues)

    def take(self, rows: np.ndarray) -> Features:
        """The features of some rows."""
        return Features(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(n, k) x (m, k) -> (n, m), summed in order of k for each element (no BLAS)."""
    return np.einsum("nk,mk->nm", a, b, optimize=False)


def effective_weights(weights: Weights, availability: np.ndarray) -> np.ndarray:
    """Component weights (n, C) per profile: what does not apply passes its weight on pro rata."""
    base = np.array([getattr(weights, c) for c in COMPONENTS])
    w = base[None, :] * availability
    return w / w.sum(axis=1, keepdims=True)


def component_scores(f: Features, init: InitiativeMatrix) -> np.ndarray:
    """Unweighted component scores (n, m, C), each in [0, 1]."""
    n, m = f.relevance.shape
    out = np.empty((n, m, len(COMPONENTS)))
    out[:, :, 0] = _dot(f.issues, init.issues)
    out[:, :, 1] = _dot(f.approaches, init.approaches)
    out[:, :, 2] = _dot(f.offers, init.offers)
    out[:, :, 3] = _dot(f.workforce, init.workforce)
    out[:, :, 4] = f.relevance
    return out


def combine(comp: np.ndarray, eff: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Scores (n, m) from component scores (n, m, C), weights (n, C) and factors (n, m)."""
    total = np.zeros(comp.shape[:2])
    for c in range(comp.shape[2]):  # a fixed order of addition
        total += comp[:, :, c] * eff[:, None, c]
    return total * factor


def contributions(f: Features, init: InitiativeMatrix, weights: Weights, row: int) -> dict[str, np.ndarray]:
    """Every named contribution of one profile, by feature block: arrays (m, block size).

    Blocks: ``issues`` (m, K), ``approaches`` (m, A), ``offers`` (m, O), ``workforce``
    (m, 2) and ``text`` (m, 1). Their sum over all blocks and columns is the score.
    """
    eff = effective_weights(weights, f.availability[[row]])[0]
    factor = f.factor[row][:, None]
    return {
        "issues": f.issues[row][None, :] * init.issues * eff[0] * factor,
        "approaches": f.approaches[row][None, :] * init.approaches * eff[1] * factor,
        "offers": f.offers[row][None, :] * init.offers * eff[2] * factor,
        "workforce": f.workforce[row][None, :] * init.workforce * eff[3] * factor,
        "text": f.relevance[row][:, None] * eff[4] * factor,
    }


def rounded(values: np.ndarray | float, decimals: int = DECIMALS) -> np.ndarray:
    """Scores as shown: one rounding rule for every path (numpy's, half to even on the scaled value)."""
    return np.round(values, decimals)


def rank_key(scores: np.ndarray) -> np.ndarray:
    """Scores at the precision they are compared at (`SCORE_DECIMALS`)."""
    return np.round(scores, SCORE_DECIMALS)
