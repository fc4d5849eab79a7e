"""Which few shortlisted initiatives together cover most of a profile's weighted issues.

Coverage of an issue by a set of initiatives is the deepest strength any of them brings
(3 core focus = 1.0, 2 = 0.67, 1 = 0.33); a set's coverage is the weight-averaged coverage
over the profile's issues. `best_combination` finds, exactly, the smallest set of
shortlisted initiatives that reaches the highest coverage the shortlist allows.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["CoverStep", "CoverPlan", "coverage", "best_combination"]

_EXACT_LIMIT = 12  # subsets of up to 12 shortlisted initiatives are searched exhaustively


@dataclass(frozen=True)
class CoverStep:
    """One initiative of the plan and the coverage it adds to those before it."""

    id: str
    name: str
    adds: float
    total: float
    new_issues: tuple[str, ...]


@dataclass(frozen=True)
class CoverPlan:
    """The chosen combination, its coverage (0-1) and the issues it leaves uncovered."""

    steps: tuple[CoverStep, ...]
    coverage: float
    uncovered: tuple[str, ...]
    partly: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)


def coverage(strengths: Sequence[Mapping[str, int]], weights: Mapping[str, float]) -> float:
    """Weight-averaged best strength / 3 over the issues in ``weights``."""
    total = float(sum(weights.values()))
    if total <= 0:
        return 0.0
    got = sum(w * max((s.get(k, 0) for s in strengths), default=0) / 3.0 for k, w in weights.items())
    return got / total


def best_combination(
    candidates: Sequence[tuple[str, str, Mapping[str, int]]], weights: Mapping[str, float]
) -> CoverPlan:
    """The smallest subset of ``candidates`` (id, name, issue strengths) with the best coverage.

    Candidates are given in rank order; among equally small, equally good sets the one
    with better-ranked members wins. Steps are ordered greedily by coverage added.
    """
    cands = list(candidates)[:_EXACT_LIMIT]
    best_value = coverage([c[2] for c in cands], weights) if cands else 0.0
    chosen: tuple[int, ...] = ()
    if best_value > 0:
        for size in range(1, len(cands) + 1):
            hits = [
                combo
                for combo in itertools.combinations(range(len(cands)), size)
                if coverage([cands[i][2] for i in combo], weights) >= best_value - 1e-12
            ]
            if hits:
                chosen = hits[0]
                break
    steps: list[CoverStep] = []
    remaining = list(chosen)
    picked: list[Mapping[str, int]] = []
    current = 0.0
    while remaining:
        gains = [(coverage([*picked, cands[i][2]], weights) - current, -n, i) for n, i in enumerate(remaining)]
        gain, _, idx = max(gains)
        new = tuple(k for k in weights if cands[idx][2].get(k, 0) > max((p.get(k, 0) for p in picked), default=0))
        picked.append(cands[idx][2])
        current += gain
        steps.append(CoverStep(id=cands[idx][0], name=cands[idx][1], adds=gain, total=current, new_issues=new))
        remaining.remove(idx)
    uncovered = tuple(k for k in weights if all(p.get(k, 0) == 0 for p in picked))
    partly = tuple(k for k in weights if 0 < max((p.get(k, 0) for p in picked), default=0) < 3)
    return CoverPlan(steps=tuple(steps), coverage=current, uncovered=uncovered, partly=partly)
