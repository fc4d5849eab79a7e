"""The engine's stages before scoring: keys, the batch, the initiative matrix, features,
availability, the undocumented factor and relevance; and fitted engines kept per catalogue."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, load_profile
from recommender.core.batch import KINDS, ProfileBatch
from recommender.core.eligibility import UNDOCUMENTED
from recommender.core.engine import OFFER_MIN, Engine, engine_for
from recommender.core.text import informativeness
from recommender.countries import country_codes
from recommender.models import COMPONENTS, InferredIssue, Profile, Weights

from .conftest import HAND_WEIGHTS, initiative, profile

CAT = load_catalogue()
ENG = engine_for(CAT)
KEYS = ENG.keys
ISSUES, APPROACHES, OFFERS = list(CAT.taxonomy.issues), list(CAT.taxonomy.approaches), list(CAT.taxonomy.offers)
SEEDED = settings(max_examples=40, deadline=None, derandomize=True, database=None)


def _features(**fields):
    p = load_profile(profile(**fields), catalogue=CAT)
    batch = ProfileBatch.from_profiles([p], KEYS)
    s = ENG.run(batch)
    return p, batch, s


def _named(row: np.ndarray, keys) -> dict[str, float]:
    return {k: float(v) for k, v in zip(keys, row) if v}


# --- keys and the batch -----------------------------------------------------------------------


def test_keys_are_positions_in_taxonomy_id_and_country_order():
    assert KEYS.issues == tuple(ISSUES) and KEYS.approaches == tuple(APPROACHES) and KEYS.offers == tuple(OFFERS)
    assert KEYS.sectors == tuple(CAT.taxonomy.sectors) and KEYS.ids == CAT.ids
    assert KEYS.countries == country_codes()
    for section in ("issues", "approaches", "offers", "sectors", "ids", "countries"):
        for n, key in enumerate(getattr(KEYS, section)):
            assert KEYS.pos(section, key) == n


def test_a_batch_holds_each_field_as_columns():
    raw = [
        profile(issues={"wages": 3, "childcare": 1}, sector=["garment", "textiles"], prefers=["training"],
                wants=["film_quiz_training"], workforce={"size": 800, "women_share": 0.6},
                memberships=["eti"], description="Overtime in peak season."),
        profile(kind="brand", country="NL", sourcing_countries=["BD", "VN"], issues=["wages"],
                description="Overtime in peak season."),
        profile(issues=["wages"]),
    ]
    profiles = [load_profile(r, catalogue=CAT) for r in raw]
    b = ProfileBatch.from_profiles(profiles, KEYS)
    assert len(b) == 3 and b.profiles == tuple(profiles)
    assert b.kind.tolist() == [KINDS.index("factory"), KINDS.index("brand"), KINDS.index("factory")]
    assert [KEYS.countries[c] for c in b.country] == ["CN", "NL", "CN"]
    assert _named(b.sourcing[1], KEYS.countries) == {"BD": 1.0, "VN": 1.0} and not b.sourcing[0].any()
    assert _named(b.sectors[0], KEYS.sectors) == {"garment": 1.0, "textiles": 1.0}
    assert _named(b.stated[0], KEYS.issues) == {"wages": 3, "childcare": 1}
    assert _named(b.inferred[0], KEYS.issues) == {"working_hours": 1}  # from the description
    assert _named(b.weights[0], KEYS.issues) == {"wages": 3, "childcare": 1, "working_hours": 1}
    assert _named(b.prefers[0], KEYS.approaches) == {"training": 1.0}
    assert _named(b.wants[0], KEYS.offers) == {"film_quiz_training": 1.0}
    assert b.size[0] == 800 and np.isnan(b.size[1])
    assert b.shares[0, 0] == 0.6 and np.isnan(b.shares[0, 1]) and np.isnan(b.shares[2]).all()
    assert _named(b.members[0], KEYS.ids) == {"eti": 1.0}
    # the same description is kept once
    assert b.descriptions == ("Overtime in peak season.",) and b.text.tolist() == [0, 0, -1]


@pytest.mark.parametrize("init", CAT.initiatives, ids=CAT.ids)
def test_the_initiative_matrix_holds_strength_thirds_approach_ones_and_focus_thirds(init):
    col = CAT.ids.index(init.id)
    m = ENG.matrix
    assert _named(m.issues[col], KEYS.issues) == pytest.approx({k: s / 3 for k, s in init.issues.items()})
    assert _named(m.approaches[col], KEYS.approaches) == {k: 1.0 for k in init.approaches}
    assert _named(m.offers[col], KEYS.offers) == pytest.approx({k: s / 3 for k, s in init.offers.items()})
    assert m.workforce[col].tolist() == pytest.approx([init.workforce.women / 3, init.workforce.migrants / 3])


# --- features ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issues", "description", "expected"),
    [
        (["wages"], "", {"wages": 1.0}),
        ({"wages": 3, "childcare": 1}, "", {"wages": 0.75, "childcare": 0.25}),
        ({"wages": 2, "water": 2, "energy": 1}, "", {"wages": 0.4, "water": 0.4, "energy": 0.2}),
        # issues inferred from the description count with weight 1
        ({"wages": 3, "childcare": 1}, "harassment by supervisors and overtime",
         {"wages": 0.5, "childcare": 1 / 6, "harassment": 1 / 6, "working_hours": 1 / 6}),
        # a stated issue the description also mentions keeps its stated weight
        ({"wages": 3}, "low pay and overtime", {"wages": 0.75, "working_hours": 0.25}),
    ],
)
def test_the_issue_block_is_weight_over_total(issues, description, expected):
    _, _, s = _features(issues=issues, description=description)
    assert _named(s.features.issues[0], KEYS.issues) == pytest.approx(expected)
    assert s.features.availability[0, COMPONENTS.index("issues")] == 1.0


def test_issues_from_risk_data_count_at_their_weight_when_none_are_listed():
    p = Profile(name="R", kind="factory", country="TR", sector="textiles",
                risk_issues=(InferredIssue(key="child_labour", weight=3, basis="b"),
                             InferredIssue(key="forced_labour", weight=1, basis="b")))
    s = ENG.run(ProfileBatch.from_profiles([p], KEYS))
    assert _named(s.features.issues[0], KEYS.issues) == pytest.approx({"child_labour": 0.75, "forced_labour": 0.25})


@pytest.mark.parametrize(
    ("prefers", "expected"),
    [([], {}), (["training"], {"training": 1.0}), (["training", "finance"], {"training": 0.5, "finance": 0.5}),
     (["training", "finance", "mobile_app"], {"training": 1 / 3, "finance": 1 / 3, "mobile_app": 1 / 3})],
)
def test_the_approach_block_is_one_over_preferences(prefers, expected):
    _, _, s = _features(prefers=prefers)
    assert _named(s.features.approaches[0], KEYS.approaches) == pytest.approx(expected)
    assert s.features.availability[0, COMPONENTS.index("approaches")] == float(bool(prefers))


@pytest.mark.parametrize(
    ("workforce", "expected", "applies"),
    [
        ({}, [0, 0], False),
        ({"size": 800}, [0, 0], False),
        ({"women_share": 0.6}, [0.6, 0], True),
        ({"migrant_share": 0.4}, [0, 0.4], True),
        ({"women_share": 0.6, "migrant_share": 0.2}, [0.3, 0.1], True),
        ({"women_share": 0.8, "migrant_share": 0.0}, [0.4, 0.0], True),  # a share of 0 is given: it halves
        ({"women_share": 0.0}, [0, 0], True),
    ],
)
def test_the_workforce_block_divides_by_the_shares_given(workforce, expected, applies):
    _, _, s = _features(workforce=workforce)
    assert s.features.workforce[0].tolist() == pytest.approx(expected)
    assert s.features.availability[0, COMPONENTS.index("workforce")] == float(applies)


def test_the_offer_block_holds_what_was_named_and_what_the_description_asks_for():
    _, _, s = _features(wants=["film_quiz_training", "worker_survey_mobile"])
    assert _named(s.features.offers[0], KEYS.offers) == {"film_quiz_training": 0.5, "worker_survey_mobile": 0.5}
    assert s.features.availability[0, COMPONENTS.index("offers")] == 1.0
    _, _, none = _features()
    assert not none.features.offers.any() and none.features.availability[0, COMPONENTS.index("offers")] == 0.0
    # A sure phrase in the description infers the offer at confidence 1.
    _, batch, said = _features(description="We want anonymous surveys by phone for our workers.")
    conf = said.text.offers[batch.text[0]]
    assert conf[KEYS.pos("offers", "worker_survey_mobile")] == 1.0
    wanted = np.where(conf >= OFFER_MIN, conf, 0.0)
    assert said.features.offers[0] == pytest.approx(wanted / wanted.sum())
    assert said.features.availability[0, COMPONENTS.index("offers")] == wanted.max()


@pytest.mark.parametrize(
    "description",
    ["", "xyzzy plugh", "the and of with", "wastewater", "Our dyeing mill has wastewater problems",
     "Our dyeing mill has wastewater problems, chemical spills, and the buyers want energy and water savings "
     "across the wet processing lines this year."],
)
def test_the_text_weight_follows_how_much_the_description_says(description):
    _, batch, s = _features(description=description)
    avail = s.features.availability[0, COMPONENTS.index("text")]
    assert avail == pytest.approx(informativeness(description) if description else 0.0)
    if not description:
        assert batch.text[0] == -1 and not s.features.relevance.any()
    assert ((s.features.relevance >= 0) & (s.features.relevance <= 1)).all()


def test_the_factor_is_the_discount_per_undocumented_rule():
    _, _, s = _features(sector="electronics", country="MX", kind="brand", sourcing_countries=["MX"])
    k = (s.states[0] == UNDOCUMENTED).sum(axis=1)
    assert k.max() >= 1, "some rule is undocumented for an electronics brand sourcing from Mexico"
    assert s.features.factor[0] == pytest.approx((1 - ENG.weights.undocumented) ** k)


def test_relevance_is_an_issue_addressed_or_a_wanted_offer_at_strength_two_or_more():
    _, _, s = _features(issues=["childcare"], wants=["film_quiz_training"])
    child = CAT.ids.index("child-friendly-spaces")
    expected = (ENG.matrix.issues[:, KEYS.pos("issues", "childcare")] > 0) | (
        ENG.matrix.offers[:, KEYS.pos("offers", "film_quiz_training")] >= 2 / 3)
    assert s.relevant[0].tolist() == expected.tolist()
    assert s.relevant[0, child]


# --- rows are independent; engines are kept per catalogue ---------------------------------------

profile_dicts = st.fixed_dictionaries(
    {
        "name": st.just("P"),
        "kind": st.sampled_from(["factory", "brand"]),
        "country": st.sampled_from(["BD", "CN", "VN", "NI", "MX", "GB"]),
        "sector": st.sampled_from(list(CAT.taxonomy.sectors)),
        "issues": st.dictionaries(st.sampled_from(ISSUES), st.integers(1, 3), min_size=1, max_size=5),
    },
    optional={
        "sourcing_countries": st.lists(st.sampled_from(["BD", "CN", "VN", "MX"]), max_size=3, unique=True),
        "prefers": st.lists(st.sampled_from(APPROACHES), max_size=3, unique=True),
        "wants": st.lists(st.sampled_from(OFFERS), max_size=2, unique=True),
        "workforce": st.fixed_dictionaries({}, optional={"women_share": st.floats(0, 1),
                                                          "migrant_share": st.floats(0, 1)}),
        "description": st.sampled_from(["", "overtime and harassment", "wastewater from the dye house",
                                        "We want short films and quizzes on tablets for workers' rights.", "xyzzy"]),
    },
)


@SEEDED
@given(st.lists(profile_dicts, min_size=2, max_size=5))
def test_a_row_scores_the_same_alone_as_in_a_batch_to_the_last_bit(dicts):
    profiles = [load_profile(d, catalogue=CAT) for d in dicts]
    many = ENG.run(ProfileBatch.from_profiles(profiles, KEYS))
    for row, p in enumerate(profiles):
        one = ENG.run(ProfileBatch.from_profiles([p], KEYS))
        for name in ("issues", "approaches", "offers", "workforce", "relevance", "availability", "factor"):
            assert np.array_equal(getattr(one.features, name)[0], getattr(many.features, name)[row]), name
        assert np.array_equal(one.scores[0], many.scores[row])
        assert np.array_equal(one.states[0], many.states[row])
        assert np.array_equal(one.selection.shortlist[0], many.selection.shortlist[row])
    backwards = ENG.run(ProfileBatch.from_profiles(profiles[::-1], KEYS))
    assert np.array_equal(backwards.scores[::-1], many.scores)


def test_engine_for_fits_once_per_catalogue_and_weights(make_catalogue):
    assert engine_for(CAT) is engine_for(CAT) is engine_for(None)
    other = Weights(issues=0.6, approaches=0.1, offers=0.1, workforce=0.1, text=0.1)
    assert engine_for(CAT, other) is not engine_for(CAT) and engine_for(CAT, other).weights == other
    small = make_catalogue([initiative("one")], weights=HAND_WEIGHTS)
    eng = engine_for(small)
    assert eng.ids == ("one",) and eng.catalogue is small
    assert eng.weights.as_dict() == HAND_WEIGHTS.as_dict()
    assert (eng.weights.min_score, eng.weights.undocumented) == (HAND_WEIGHTS.min_score, HAND_WEIGHTS.undocumented)
    assert engine_for(small.path) is eng  # the same catalogue read from its folder


def test_an_engine_from_the_user_cache_scores_as_a_fresh_one(tmp_path, monkeypatch, make_catalogue):
    import recommender.core.engine as engine_module

    monkeypatch.setenv("MATCH_CACHE_DIR", str(tmp_path / "cache"))
    cat = make_catalogue([initiative("one", issues={"wages": 3, "childcare": 1}), initiative("two")])
    monkeypatch.setattr(engine_module, "_ENGINES", {})
    monkeypatch.setattr(engine_module, "_BY_OBJECT", {})
    first = engine_for(cat)
    assert list((tmp_path / "cache" / "engines").glob("*.pickle"))
    monkeypatch.setattr(engine_module, "_ENGINES", {})
    monkeypatch.setattr(engine_module, "_BY_OBJECT", {})  # as a new process would start
    again = engine_for(cat)
    assert again is not first
    fresh = Engine(cat)
    p = load_profile(profile(issues=["wages", "childcare"], description="Children left behind in the village."),
                     catalogue=cat)
    runs = [e.run(ProfileBatch.from_profiles([p], e.keys)) for e in (first, again, fresh)]
    assert np.array_equal(runs[0].scores, runs[1].scores) and np.array_equal(runs[0].scores, runs[2].scores)
