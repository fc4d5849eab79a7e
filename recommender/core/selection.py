"""Stage 5: from scores to a shortlist — the one selection rule every path uses.

A candidate is eligible (`eligibility`), not one of the profile's memberships, relevant
(it addresses at least one of the profile's issues, stated or inferred, or offers a
mechanism the profile wants) and scores at least ``min_score``. Candidates are ranked by
score at `scoring.SCORE_DECIMALS` precision, ties broken by initiative id; the first
``top`` are the shortlist. Memberships are scored the same way and reported apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scoring import rank_key

__all__ = ["Selection", "select", "first_choice"]


@dataclass(frozen=True)
class Selection:
    """``shortlist`` (n, top): catalogue columns in rank order, -1 where shorter;
    ``candidate`` (n, m): which initiatives could be shortlisted at all."""

    shortlist: np.ndarray
    candidate: np.ndarray

    @property
    def count(self) -> np.ndarray:
        """Shortlist length per profile."""
        return (self.shortlist >= 0).sum(axis=1)


def _order(ids: tuple[str, ...]) -> np.ndarray:
    return np.argsort(np.array(ids, dtype=object), kind="stable")


def select(
    scores: np.ndarray, eligible: np.ndarray, relevant: np.ndarray, members: np.ndarray,
    *, ids: tuple[str, ...], top: int, min_score: float,
) -> Selection:
    """The shortlist of every row: see the module docstring. All arrays are (n, m)."""
    candidate = eligible & relevant & ~members & (scores >= min_score)
    by_id = _order(ids)
    key = np.where(candidate, -rank_key(scores), np.inf)[:, by_id]
    order = by_id[np.argsort(key, axis=1, kind="stable")][:, :top]
    count = np.minimum(candidate.sum(axis=1), top)
    shortlist = np.where(np.arange(order.shape[1])[None, :] < count[:, None], order, -1)
    return Selection(shortlist=shortlist, candidate=candidate)


def first_choice(
    scores: np.ndarray, eligible: np.ndarray, relevant: np.ndarray, members: np.ndarray,
    *, ids: tuple[str, ...], min_score: float,
) -> np.ndarray:
    """The first choice of every row (column, -1 when nothing is shortlisted): `select` with top 1."""
    return select(scores, eligible, relevant, members, ids=ids, top=1, min_score=min_score).shortlist[:, 0]
