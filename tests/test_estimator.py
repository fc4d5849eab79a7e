"""MatchEstimator: a scikit-learn transformer over the batch scorer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

from recommender import MatchEstimator, ProfileError, load_catalogue, recommend
from recommender.core.scoring import rounded
from recommender.suppliers.frame import row_profile

CAT = load_catalogue()
X = pd.DataFrame([
    {"name": "Mill", "kind": "factory", "country": "CN", "sector": "textiles", "issues": "chemicals:3;water"},
    {"name": "Knit", "kind": "factory", "country": "BD", "sector": "garment", "issues": "womens_health;wages",
     "women_share": 0.8, "prefers": "training"},
    {"name": "Brand", "kind": "brand", "country": "NL", "sector": "garment", "issues": "purchasing_practices",
     "sourcing_countries": "BD;VN"},
])


def test_fit_returns_self_and_sets_learnt_attributes():
    est = MatchEstimator(catalogue=CAT)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    assert est.fit(X) is est
    check_is_fitted(est)
    assert est.ids_ == CAT.ids
    assert list(est.feature_names_in_) == list(X.columns)


def test_init_only_stores_parameters_and_clones():
    est = MatchEstimator(mask_ineligible=False)
    assert est.get_params() == {"catalogue": None, "weights": None, "mask_ineligible": False}
    assert clone(est).get_params() == est.get_params()
    assert not hasattr(est, "catalogue_")


def test_transform_gives_recommend_scores_and_names_the_columns():
    est = MatchEstimator().fit(X)
    scores = est.transform(X)
    names = est.get_feature_names_out()
    assert scores.shape == (len(X), len(CAT)) and list(names) == list(CAT.ids)
    for i, row in enumerate(X.to_dict("records")):
        result = recommend(row_profile(row), top=len(CAT))
        for rec in (*result.shortlist, *result.memberships, *result.close_fits):
            col = list(names).index(rec.id)
            assert scores[i, col] == pytest.approx(rec.score, abs=1e-9)
            assert float(rounded(scores[i, col])) == rec.to_dict()["score"]
        for exc in result.excluded:
            assert scores[i, list(names).index(exc.id)] == 0.0
        # the first choice is the best open, relevant, non-member column above min_score
        if result.top is not None:
            assert result.top.score == pytest.approx(max(r.score for r in result.shortlist))


def test_unmasked_scores_keep_ineligible_initiatives():
    masked = MatchEstimator().fit().transform(X)
    raw = MatchEstimator(mask_ineligible=False).fit().transform(X)
    assert (raw >= masked).all() and (raw > masked).any()
    for i, row in enumerate(X.to_dict("records")):
        excluded = {e.id: e for e in recommend(row_profile(row)).excluded}
        for j, ident in enumerate(CAT.ids):
            if ident in excluded:
                assert masked[i, j] == 0.0
                if excluded[ident].fit is not None:  # what it would score were it open
                    assert float(rounded(raw[i, j])) == excluded[ident].to_dict()["fit"]
            else:
                assert masked[i, j] == raw[i, j]


def test_weights_are_used(tmp_path):
    from recommender import Weights

    heavy = Weights(issues=0.3, approaches=0.6, offers=0.0, workforce=0.05, text=0.05)
    est = MatchEstimator(weights=heavy).fit()
    for i, row in enumerate(X.to_dict("records")):
        for rec in recommend(row_profile(row), weights=heavy).shortlist:
            assert est.transform(X)[i, CAT.ids.index(rec.id)] == pytest.approx(rec.score, abs=1e-9)


def test_in_a_pipeline():
    pipe = make_pipeline(MatchEstimator())
    out = pipe.fit_transform(X)
    assert out.shape == (3, len(CAT))
    assert list(pipe.get_feature_names_out()) == list(CAT.ids)
    assert np.argmax(out[0]) == CAT.ids.index("better-mill-initiative")


def test_bad_rows_raise_a_profile_error():
    bad = X.assign(country=["CN", "Atlantis", "NL"])
    with pytest.raises(ProfileError, match="unknown country 'Atlantis'"):
        MatchEstimator().fit().transform(bad)


def test_the_estimator_is_not_imported_by_the_single_profile_path():
    import subprocess
    import sys

    code = "import sys, recommender, recommender.cli; print('sklearn' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
