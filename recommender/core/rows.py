"""Distinct rows of a small integer matrix, fast: the batch path's way of doing a thing
once per distinct pattern (a set of sectors, a reason's bits) instead of once per row.

``np.unique(matrix, axis=0)`` sorts rows as byte strings, which is slow for wide rows and
many of them. `distinct_rows` hashes each row to one 64-bit word, sorts the words, and
then checks, with one comparison of the whole matrix, that every row equals its group's
first row; only if two different rows shared a hash (about one chance in 10^8 for a
million rows) does it fall back to ``np.unique``. The result is exact either way.
"""

from __future__ import annotations

import numpy as np

__all__ = ["distinct_rows"]

_MIX = np.random.default_rng(0x5EED_0F_0A).integers(1, 2**63, size=4096, dtype=np.uint64) | np.uint64(1)


def _words(matrix: np.ndarray) -> np.ndarray:
    """The rows of ``matrix`` as rows of 64-bit words (zero-padded), without copying when possible."""
    a = np.ascontiguousarray(matrix)
    if a.dtype == np.bool_:
        a = a.view(np.uint8)
    n = a.shape[0]
    raw = a.reshape(n, -1).view(np.uint8)
    width = raw.shape[1]
    pad = -width % 8
    if pad:
        raw = np.concatenate([raw, np.zeros((n, pad), dtype=np.uint8)], axis=1)
    return raw.view("<u8")


def distinct_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(first, codes)``: the position of each distinct row's first appearance, in order
    of appearance, and for every row the index of its distinct row in ``first``.

    ``matrix[first][codes]`` equals ``matrix``. Works on any (n, ...) array of fixed-width
    integers or booleans.
    """
    n = matrix.shape[0]
    if n <= 1:  # nothing to share (one profile)
        return np.zeros(n, dtype=np.intp), np.zeros(n, dtype=np.intp)
    words = _words(matrix)
    w = words.shape[1]
    if w > len(_MIX):
        return _exact(words)
    with np.errstate(over="ignore"):
        h = (words * _MIX[:w]).sum(axis=1, dtype=np.uint64)
        h ^= h >> np.uint64(29)
    _, first, inverse = np.unique(h, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if not np.array_equal(words, words[first[inverse]]):  # two rows shared a hash
        return _exact(words)
    return _in_order(first, inverse)


def _exact(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    _, first, inverse = np.unique(words, axis=0, return_index=True, return_inverse=True)
    return _in_order(first, inverse.ravel())


def _in_order(first: np.ndarray, inverse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse]
