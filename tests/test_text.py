"""Text: the TF-IDF of the naive baseline gives scikit-learn's numbers; BM25 gives bm25s's;
the embedding gives WordLlama's own and never touches the network; offer phrases; informativeness."""

from __future__ import annotations

import re
import socket

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender import load_catalogue, recommend
from recommender.core.embedding import load_embedding, model_files
from recommender.core.engine import engine_for
from recommender.core.text import (
    FULL_WORDS,
    NO_WORDS,
    TextModel,
    informativeness,
    initiative_text,
    stem_words,
)
from recommender.text import STOP_WORDS, TextVectoriser, tokenize

from .conftest import EXAMPLES, HAND_WEIGHTS, initiative, profile

CAT = load_catalogue()
LABELS = {k: e.label for k, e in CAT.taxonomy.offers.items()}
DOCS = [initiative_text(i, LABELS) for i in CAT.initiatives]
QUERIES = [
    "Dyeing mill with wastewater, chemicals and energy costs",
    "Children of migrant workers are left behind; summer care for the children",
    "wages wages wages and overtime",  # a word repeated counts each time
    "unknownword only zzzz",
    "We want anonymous surveys by phone so that workers can tell us about harassment and pay.",
]


# --- the baseline's TF-IDF ------------------------------------------------------------------


def test_tfidf_matches_sklearn_on_the_catalogue():
    docs = [f"{i.summary}\n{i.involves or ''}" for i in CAT.initiatives]  # what the baseline indexes
    ours = TextVectoriser().fit(docs)
    ref = TfidfVectorizer(stop_words=sorted(STOP_WORDS)).fit(docs)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=0, atol=1e-12)
    texts = docs + QUERIES + [""]
    np.testing.assert_allclose(ours.transform(texts), ref.transform(texts).toarray(), atol=1e-12)


def test_tokenize_drops_stop_words_and_short_tokens():
    assert tokenize("The dye-house and a mill, in X") == ["dye", "house", "mill"]


# --- BM25 --------------------------------------------------------------------------------------


def test_bm25_sums_equal_bm25s_own_scores_on_the_catalogue():
    import bm25s

    model = engine_for(CAT).text
    index = bm25s.BM25()
    index.index([stem_words(d) for d in DOCS], show_progress=False)
    for q in QUERIES + DOCS[:3]:
        tokens = stem_words(q)
        expected = index.get_scores(tokens) if tokens else np.zeros(len(DOCS))
        np.testing.assert_allclose(model.bm25(q), expected, rtol=1e-6, atol=1e-9)
    assert model.bm25("").tolist() == [0.0] * len(DOCS)
    assert model.bm25("the and of").tolist() == [0.0] * len(DOCS)


def test_stem_words_stem_and_drop_stop_words():
    assert stem_words("The workers are training in the mills") == ["worker", "train", "mill"]
    assert stem_words("") == [] and stem_words("of the and") == []


# --- the embedding -------------------------------------------------------------------------------


def _wordllama():
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama.inference import WordLlamaInference

    weights, tokenizer = model_files()
    with safe_open(str(weights), framework="np", device="cpu") as f:
        embedding = f.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, Tokenizer.from_file(str(tokenizer)))


TEXTS = ["worker surveys by phone", "anonymous phone surveys of workers", "Dye house effluent limits",
         "Small loans and cheap insurance on the workers' phones, paid through the app.",
         "中国工厂的工人", "a", "Ünïcödé wörds ﬁne"]


def test_the_embedding_equals_wordllama_s_own_inference():
    ours = load_embedding().embed(TEXTS)
    theirs = _wordllama().embed(TEXTS, norm=True)
    assert ours.shape == theirs.shape == (len(TEXTS), 256)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=2e-6)
    assert np.linalg.norm(ours, axis=1) == pytest.approx(np.ones(len(TEXTS)), abs=1e-5)
    assert not load_embedding().embed([""]).any()  # an empty text: a zero row


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=60).filter(str.strip), min_size=1, max_size=4))
def test_the_embedding_equals_wordllama_on_any_text(texts):
    ours = load_embedding().embed(texts)
    theirs = _wordllama().embed(texts, norm=True)
    has = np.linalg.norm(ours, axis=1) > 0
    np.testing.assert_allclose(ours[has], theirs[has], rtol=0, atol=2e-6)


def test_token_sums_are_what_the_embedding_normalises():
    emb = load_embedding()
    texts = ["Short films for workers.", "", "Loans on their phones."]
    sums, counts = emb.token_sums(texts)
    assert sums.shape == (3, emb.dim) and counts[1] == 0 and not sums[1].any()
    for row in (0, 2):
        np.testing.assert_allclose(sums[row] / np.linalg.norm(sums[row]), emb.embed([texts[row]])[0], atol=1e-6)


def test_a_description_is_analysed_segment_by_segment():
    """Every signal adds up over segments: a description's numbers equal those of its segments
    combined, whichever other descriptions are analysed beside it."""
    from recommender.core.engine import engine_for

    model = engine_for().text
    text = "We want anonymous surveys by phone; our buyers keep changing orders. Workers borrow from moneylenders."
    alone = model.analyse([text])
    beside = model.analyse(["Dyeing mill.", text, "Toy factory; summer care for children."])
    np.testing.assert_array_equal(alone.relevance[0], beside.relevance[1])
    np.testing.assert_array_equal(alone.offers[0], beside.offers[1])
    assert alone.matches[0] == beside.matches[1]
    bm25 = sum(model.bm25(seg) for seg in ("We want anonymous surveys by phone;", "our buyers keep changing orders.",
                                          "Workers borrow from moneylenders."))
    np.testing.assert_allclose(np.clip(bm25 / 9.0, 0, 1), np.clip(model.bm25(text) / 9.0, 0, 1))


class _NoNetwork(socket.socket):
    def connect(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError(f"network access attempted: {args}")


def test_the_model_loads_from_the_installed_wheel_without_the_network(monkeypatch):
    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket, "socket", _NoNetwork)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    import wordllama

    weights, tokenizer = model_files()
    root = wordllama.__file__.rsplit("/", 1)[0]
    assert str(weights).startswith(root) and str(tokenizer).startswith(root)
    load_embedding.cache_clear()
    try:
        emb = load_embedding()
        assert emb.embed(["offline"]).shape == (1, 256)
        model = TextModel().fit(CAT.initiatives, {k: (e.label, e.description, e.keywords)
                                                  for k, e in CAT.taxonomy.offers.items()})
        assert model.analyse(["Workers want anonymous surveys on their phones."]).relevance.shape == (1, len(CAT))
    finally:
        load_embedding.cache_clear()


# --- offers recognised in descriptions -------------------------------------------------------


@pytest.fixture(scope="module")
def phrase_model(tmp_path_factory):
    from .conftest import write_catalogue

    cat = write_catalogue(tmp_path_factory.mktemp("text"), [initiative("one"), initiative("two")])
    offers = {
        "films": ("Film training", "Films and quizzes.", ["short films", "quiz", "tablets", "videos"]),
        "loans": ("Phone loans", "Loans on phones.", ["small loans", "cheap insurance", "our own practices"]),
    }
    return TextModel().fit(cat.initiatives, offers)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We want short films for the line.", {"films": (1.0, "short films")}),
        ("short-film lessons", {"films": (1.0, "short-film")}),  # stems, hyphens as breaks; the client's words
        ("films short", {}),  # the words of a phrase in order
        ("a quiz at the end", {"films": (0.5, "quiz")}),  # one hinting word
        ("a quiz on tablets", {"films": (0.75, "quiz \u2026 tablets")}),
        ("a quiz on tablets with videos", {"films": (0.875, "quiz \u2026 tablets \u2026 videos")}),
        ("quiz quiz quiz", {"films": (0.5, "quiz")}),  # the same word hints once
        ("short films, then a quiz", {"films": (1.0, "short films")}),
        ("small loans and cheap insurance", {"loans": (1.0, "small loans")}),
        ("our practices", {}),  # a phrase that stop words reduce to one word does not count
        ("Film training for all", {"films": (1.0, "Film training")}),  # the label is a phrase too
        ("", {}),
    ],
)
def test_offer_phrases(phrase_model, text, expected):
    keys = phrase_model.offer_keys_
    got = {keys[pos]: match for pos, match in phrase_model.phrase_matches(text).items()}
    assert got == expected


def test_analyse_keeps_the_words_behind_every_offer(phrase_model):
    texts = ["We want short films for the line.", "Nothing here asks for anything at all, truly."]
    out = phrase_model.analyse(texts)
    assert out.offers.shape == (2, 2) and out.relevance.shape == (2, 2)
    (first,) = [m for m in out.matches[0] if m.offer == "films"]
    assert first.by_phrase and first.confidence == 1.0 and first.words == "short films"
    assert out.offers[0, 0] == 1.0
    for u, text in enumerate(texts):
        for m in out.matches[u]:
            assert 0 < m.confidence <= 1 and out.offers[u, phrase_model.offer_keys_.index(m.offer)] == m.confidence
            if not m.by_phrase:
                assert m.words in text  # a sentence of the description


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_words_quoted_from_a_description_are_the_client_s_own(path):
    """"From your description, “…”" quotes the description, never a catalogue phrase it did not use."""
    r = recommend(path)
    said = _plain(r.profile.description)
    for rec in (*r.shortlist, *r.close_fits):
        for words in rec.matched:
            assert _plain(words) in said, f"{rec.id}: quoted {words!r}, not in the description"


# --- how much a description counts -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("", 0.0),
        ("wages hours safety", 0.0),  # three content words
        ("the wages of the hours and the safety", 0.0),  # stop words do not count
        ("wages hours safety fire", 1 / 9),
        ("a b c d e f g h", 0.0),  # one-letter tokens are not words
        (" ".join(["word"] * FULL_WORDS), 1.0),
        (" ".join(["word"] * 40), 1.0),
        (" ".join(["word"] * 8), (8 - NO_WORDS) / (FULL_WORDS - NO_WORDS)),
    ],
)
def test_informativeness(text, weight):
    assert informativeness(text) == pytest.approx(weight)


def test_three_words_do_not_move_a_ranking_and_a_sentence_naming_a_mechanism_does(make_catalogue):
    cat = make_catalogue([initiative("plain"), initiative("surveys", offers={"worker_survey_mobile": 3})],
                         weights=HAND_WEIGHTS)
    base = recommend(profile(), catalogue=cat)
    assert [x.id for x in base.shortlist] == ["plain", "surveys"]  # a tie, broken by id
    short = recommend(profile(description="blue lamp table"), catalogue=cat)
    assert [(x.id, x.score) for x in short.shortlist] == [(x.id, x.score) for x in base.shortlist]
    said = recommend(profile(description="We want to hear directly from workers through anonymous surveys on "
                                         "their own phones between audits."), catalogue=cat)
    assert said.top.id == "surveys"
    assert said.top.offers == {"worker_survey_mobile": 3}


def test_a_description_s_token_ids_are_kept_between_runs(tmp_path, monkeypatch):
    """A new process scoring a description it has seen before reads its token ids from the
    user cache without loading the tokenizer, and gets the same numbers."""
    from recommender.core.embedding import StaticEmbedding, load_embedding

    monkeypatch.setenv("MATCH_CACHE_DIR", str(tmp_path))
    packaged = load_embedding()
    texts = ["Knit exporter; sick leave is high.", "Workers want anonymous phone surveys"]
    first = StaticEmbedding(packaged.weights, packaged._tokenizer_path)
    sums, counts = first.token_sums(texts)
    assert "tokenizer" in first.__dict__ and list(tmp_path.glob("tokens/*.pickle"))
    again = StaticEmbedding(packaged.weights, packaged._tokenizer_path)
    sums2, counts2 = again.token_sums(texts)
    assert "tokenizer" not in again.__dict__
    assert np.array_equal(sums, sums2) and np.array_equal(counts, counts2)
    # Once the tokenizer is loaded, nothing more is written.
    before = set(tmp_path.glob("tokens/*"))
    first.token_sums(["another text entirely"])
    assert set(tmp_path.glob("tokens/*")) == before
