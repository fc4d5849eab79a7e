"""The home-made TF-IDF gives scikit-learn's numbers."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender.text import STOP_WORDS, TextVectoriser, tokenize
from recommender.vectorise import initiative_document


def test_matches_sklearn_tfidf_on_the_catalogue(catalogue):
    docs = [initiative_document(i, catalogue) for i in catalogue]
    queries = [
        "Dyeing mill with wastewater, chemicals and energy costs",
        "Children of migrant workers are left behind; summer care",
        "",
        "unknownword only",
    ]
    ours = TextVectoriser().fit(docs)
    ref = TfidfVectorizer(stop_words=sorted(STOP_WORDS)).fit(docs)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.transform(docs + queries), ref.transform(docs + queries).toarray(), atol=1e-12)


def test_tokenize_drops_stop_words_and_short_tokens():
    assert tokenize("The dye-house and a mill, in X") == ["dye", "house", "mill"]
