"""A scikit-learn transformer: profiles (a DataFrame) in, one score column per initiative out.

`MatchEstimator` is the batch scorer (`frame.FrameScorer`) behind scikit-learn's
estimator interface, so the catalogue's scores can feed an existing pipeline: ``fit``
fits the catalogue (the data passed to it is not used), ``transform`` scores every row,
``get_feature_names_out`` names the columns by initiative id. The scores are the ones
`recommend` computes; an initiative a profile cannot join (kind, sector, country) scores
0 unless ``mask_ineligible=False``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..catalogue import Catalogue, load_catalogue
from ..errors import ProfileError
from ..models import Weights

__all__ = ["MatchEstimator"]


class MatchEstimator(TransformerMixin, BaseEstimator):
    """Score supplier profiles against the initiatives of a catalogue.

    Parameters
    ----------
    catalogue : Catalogue, str, os.PathLike or None
        The catalogue to score against: a loaded `Catalogue`, a catalogue folder, or None
        for the packaged one.
    weights : Weights or None
        Component weights (as written by ``match learn``); None for the defaults.
    mask_ineligible : bool
        When True (the default), an initiative a profile cannot join scores 0.

    Attributes
    ----------
    catalogue_ : Catalogue
        The loaded catalogue.
    ids_ : tuple of str
        Initiative ids, the order of the output columns.
    feature_names_in_ : ndarray of str
        The columns of the frame ``fit`` saw, if it saw one.

    Examples
    --------
    >>> import pandas as pd
    >>> from recommender import MatchEstimator
    >>> X = pd.DataFrame([{"name": "Mill", "kind": "factory", "country": "CN",
    ...                    "sector": "textiles", "issues": "chemicals; water"}])
    >>> est = MatchEstimator().fit(X)
    >>> scores = est.transform(X)
    >>> scores.shape == (1, len(est.ids_))
    True
    >>> str(est.get_feature_names_out()[scores[0].argmax()])
    'better-mill-initiative'
    """

    def __init__(
        self,
        catalogue: Catalogue | str | os.PathLike[str] | None = None,
        weights: Weights | None = None,
        mask_ineligible: bool = True,
    ) -> None:
        self.catalogue = catalogue
        self.weights = weights
        self.mask_ineligible = mask_ineligible

    def fit(self, X: Any = None, y: Any = None) -> MatchEstimator:
        """Load and fit the catalogue; ``X`` and ``y`` are accepted and not used. Returns self."""
        from .frame import frame_scorer

        cat = self.catalogue if isinstance(self.catalogue, Catalogue) else load_catalogue(self.catalogue)
        self.catalogue_ = cat
        self.scorer_ = frame_scorer(cat, self.weights)
        self.ids_ = cat.ids
        if X is not None and hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Scores (n, m) of the ``n`` profiles in ``X`` for the ``m`` initiatives (`ids_` order).

        ``X`` is a DataFrame with one profile per row, in the columns `score_frame` reads
        (name, kind, country, sector, issues, ...). Raises `ProfileError` naming the first
        invalid row.
        """
        import pandas as pd

        check_is_fitted(self, "scorer_")
        frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        parsed = self.scorer_.parse(frame)
        if parsed.errors:
            first = parsed.errors[0]
            raise ProfileError(first.reason, source=f"row {first.row}", field=first.field)
        scored = self.scorer_.run(parsed, top=1)
        if self.mask_ineligible:
            return np.where(scored.eligible, scored.scores, 0.0)
        return scored.scores

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The output column names: the initiative ids, in catalogue order."""
        check_is_fitted(self, "scorer_")
        return np.asarray(self.ids_, dtype=object)

    def __sklearn_tags__(self):  # pragma: no cover - depends on the scikit-learn version
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = True
        return tags
