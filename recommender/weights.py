"""Weights files: the component weights `match learn` writes and ``--weights FILE`` reads.

A weights file is YAML::

    weights:            # the component weights, each 0-1, summing to 1
      issues: 0.52
      approaches: 0.08
      offers: 0.17      # optional in files written before 0.2 (then 0)
      workforce: 0.05
      text: 0.18
    min_score: 0.10     # optional: shortlist floor (default 0.10)
    undocumented: 0.15  # optional: share of the score given up per undocumented eligibility rule
    provenance:         # optional: where the weights came from (free-form, one level)
      feedback: feedback.csv
      records: 48

Unknown keys, missing components, values outside 0-1, weights that do not sum to 1 and a
zero issues weight are `WeightsError` naming the file, line and field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import WeightsError
from .loading import YamlDoc, read_yaml, require_mapping
from .models import COMPONENTS, Weights
from .result import round_preserving_sum

__all__ = ["load_weights", "parse_weights", "dump_weights", "save_weights", "SUM_TOLERANCE"]

#: How far from 1 the component weights of a file may sum (rounding in hand-edited files).
SUM_TOLERANCE = 0.001
_TOP = ("weights", "min_score", "undocumented", "provenance")
#: Components a weights file may leave out (they count 0): added after files were first written.
_OPTIONAL = ("offers",)


def _number(doc: YamlDoc, value: Any, path: tuple) -> float:
    field = ".".join(map(str, path))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WeightsError(f"must be a number between 0 and 1, not {value!r}", source=doc.source,
                           line=doc.line(path), field=field)
    if not 0.0 <= float(value) <= 1.0:
        raise WeightsError(f"must be between 0 and 1, not {value:g}", source=doc.source,
                           line=doc.line(path), field=field)
    return float(value)


def parse_weights(doc: YamlDoc) -> Weights:
    """Validate a parsed weights document; see the module docstring for the format."""
    raw = require_mapping(doc, what="weights file", error=WeightsError)

    def fail(message: str, path: tuple, hint: str | None = None) -> WeightsError:
        return WeightsError(message, source=doc.source, line=doc.line(path),
                            field=".".join(map(str, path)) or None, hint=hint)

    for key in raw:
        if key not in _TOP:
            hint = "component weights go under weights:" if key in COMPONENTS else "valid keys: " + ", ".join(_TOP)
            raise fail("unknown field", (key,), hint)
    comps = raw.get("weights")
    if comps is None:
        raise fail("required field is missing", ("weights",), "give weights: {issues: …, approaches: …, "
                   "workforce: …, text: …}")
    if not isinstance(comps, Mapping):
        raise fail("must be a mapping of component: weight", ("weights",))
    for key in comps:
        if key not in COMPONENTS:
            raise fail("unknown component", ("weights", key), "components: " + ", ".join(COMPONENTS))
    values: dict[str, float] = {}
    for c in COMPONENTS:
        if c not in comps and c in _OPTIONAL:
            values[c] = 0.0
            continue
        if c not in comps:
            raise fail(f"component {c!r} is missing", ("weights",), "give all of " + ", ".join(COMPONENTS))
        values[c] = _number(doc, comps[c], ("weights", c))
    total = sum(values.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise fail(f"component weights must sum to 1, they sum to {total:.4f}", ("weights",))
    if values["issues"] <= 0:
        raise fail("must be above 0: every recommendation rests on the issues", ("weights", "issues"))
    values = {c: v / total for c, v in values.items()}
    min_score, undocumented = Weights().min_score, Weights().undocumented
    if raw.get("min_score") is not None:
        min_score = _number(doc, raw["min_score"], ("min_score",))
    if raw.get("undocumented") is not None:
        undocumented = _number(doc, raw["undocumented"], ("undocumented",))
        if undocumented > 0.9:
            raise fail("must be at most 0.9: an undocumented rule is a caution, not an exclusion", ("undocumented",))
    provenance = raw.get("provenance")
    if provenance is not None:
        if not isinstance(provenance, Mapping):
            raise fail("must be a mapping of notes (feedback: …, records: …)", ("provenance",))
        for key, value in provenance.items():
            if isinstance(value, (Mapping, list)):
                raise fail("must be a single value", ("provenance", key))
    source = doc.source
    if isinstance(provenance, Mapping) and provenance.get("feedback"):
        source += f" (learnt from {provenance['feedback']})"
    # Rescaling by the total can leave float noise; the largest component takes it up, so
    # that none can turn negative (0.2 + 0.7 + 0.1 leaves -1e-17 for a text weight of 0).
    largest = max(COMPONENTS, key=lambda c: values[c])
    values[largest] = 1.0 - sum(v for c, v in values.items() if c != largest)
    return Weights(**values, min_score=min_score, undocumented=undocumented, source=source)


def load_weights(path: str | os.PathLike[str]) -> Weights:
    """Read and validate a weights file (YAML); raises `WeightsError` naming file, line, field."""
    return parse_weights(read_yaml(Path(path), what="weights file", error=WeightsError))


def dump_weights(weights: Weights, *, provenance: Mapping[str, Any] | None = None) -> str:
    """A weights file's text: rounded component weights that still sum to 1 exactly."""
    shown = round_preserving_sum([getattr(weights, c) for c in COMPONENTS], 1.0)
    data: dict[str, Any] = {
        "weights": dict(zip(COMPONENTS, shown, strict=True)),
        "min_score": round(weights.min_score, 4),
        "undocumented": round(weights.undocumented, 4),
    }
    if provenance:
        data["provenance"] = {k: v for k, v in provenance.items() if v is not None}
    head = "# Component weights for `match --weights FILE`, written by `match learn`.\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_weights(
    path: str | os.PathLike[str], weights: Weights, *, provenance: Mapping[str, Any] | None = None
) -> Path:
    """Write ``weights`` to ``path`` atomically (see `dump_weights`)."""
    from .output import write_atomic

    return write_atomic(path, dump_weights(weights, provenance=provenance))
