"""The compiled-template cache: used when it can be, never needed, never changes a report."""

from __future__ import annotations

import os
import stat

import pytest

from recommender import recommend
from recommender.cache import cache_dir, template_cache
from recommender.report.render import render_html

from .conftest import EXAMPLES


@pytest.fixture
def result():
    return recommend(EXAMPLES[0])


def test_reports_are_the_same_with_a_cold_cache_a_warm_one_and_none(result, report_options, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("MATCH_CACHE_DIR", str(tmp_path / "cache"))
    cold = render_html(result, report_options)
    assert list((tmp_path / "cache" / "templates").iterdir()), "compiled templates were not kept"
    warm = render_html(result, report_options)
    monkeypatch.setenv("MATCH_CACHE_DIR", "")
    none = render_html(result, report_options)
    assert cold == warm == none


def test_empty_setting_turns_the_cache_off(monkeypatch):
    monkeypatch.setenv("MATCH_CACHE_DIR", "")
    assert cache_dir("templates") is None and template_cache() is None


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("MATCH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir("templates") == tmp_path / "beyond-audit-match" / "templates"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_unwritable_folder_means_no_cache(monkeypatch, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    monkeypatch.setenv("MATCH_CACHE_DIR", str(locked / "sub"))
    try:
        assert cache_dir("templates") is None
    finally:
        locked.chmod(stat.S_IRWXU)


def test_a_broken_cache_entry_is_recompiled_not_fatal(result, report_options, tmp_path, monkeypatch):
    monkeypatch.setenv("MATCH_CACHE_DIR", str(tmp_path))
    expected = render_html(result, report_options)
    for entry in (tmp_path / "templates").iterdir():
        entry.write_bytes(b"not a cache entry")
    assert render_html(result, report_options) == expected


def test_a_cache_path_that_is_a_file_means_no_cache(result, report_options, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("MATCH_CACHE_DIR", str(blocker))
    assert cache_dir("templates") is None
    assert "<html" in render_html(result, report_options)


def test_cached_value_is_made_once_and_remade_when_its_key_changes(tmp_path, monkeypatch):
    from recommender.cache import cached

    monkeypatch.setenv("MATCH_CACHE_DIR", str(tmp_path))
    calls = []

    def make(value):
        def inner():
            calls.append(value)
            return {"value": value}
        return inner

    assert cached("things", "a", 1, make(1), dict) == {"value": 1}
    assert cached("things", "a", 1, make(99), dict) == {"value": 1}
    assert calls == [1]
    assert cached("things", "a", 2, make(2), dict) == {"value": 2}
    assert len(list((tmp_path / "things").glob("*.pickle"))) == 1  # the newer key replaced the older
    for entry in (tmp_path / "things").iterdir():
        entry.write_bytes(b"garbage")
    assert cached("things", "a", 2, make(3), dict) == {"value": 3}
    assert cached("things", "a", 2, make(4), list) == {"value": 4}  # not what was expected: remade
    assert calls == [1, 2, 3, 4]


def test_an_edited_catalogue_is_read_again_not_served_from_the_cache(catalogue_copy, tmp_path, monkeypatch):
    from recommender import load_catalogue
    from recommender.catalogue import _load_cached

    monkeypatch.setenv("MATCH_CACHE_DIR", str(tmp_path))
    first = load_catalogue(catalogue_copy)
    _load_cached.cache_clear()  # as a new process would start
    assert load_catalogue(catalogue_copy).initiatives == first.initiatives
    path = catalogue_copy / "eti.yaml"
    path.write_text(path.read_text().replace("name: Ethical Trading Initiative (ETI)", "name: ETI (edited)"))
    _load_cached.cache_clear()
    assert load_catalogue(catalogue_copy)["eti"].name == "ETI (edited)"


def test_a_fitted_engine_is_kept_and_refitted_when_the_catalogue_changes(catalogue_copy, tmp_path, monkeypatch):
    import recommender.core.engine as engine_module
    from recommender import load_catalogue
    from recommender.catalogue import _load_cached
    from recommender.core.engine import engine_for

    monkeypatch.setenv("MATCH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(engine_module, "_ENGINES", {})
    monkeypatch.setattr(engine_module, "_BY_OBJECT", {})
    first = engine_for(load_catalogue(catalogue_copy))
    assert len(list((tmp_path / "engines").glob("*.pickle"))) == 1
    path = catalogue_copy / "eti.yaml"
    path.write_text(path.read_text().replace("  wages: ", "  wages: 1 #", 1))
    _load_cached.cache_clear()
    monkeypatch.setattr(engine_module, "_ENGINES", {})
    monkeypatch.setattr(engine_module, "_BY_OBJECT", {})  # as a new process would start
    edited = engine_for(load_catalogue(catalogue_copy))
    col = edited.ids.index("eti")
    wages = edited.keys.pos("issues", "wages")
    assert edited.matrix.issues[col, wages] == 1 / 3 != first.matrix.issues[col, wages]


def test_no_cache_folder_means_nothing_is_kept_and_scores_are_the_same(monkeypatch, tmp_path):
    import recommender.core.engine as engine_module
    from recommender.core.engine import engine_for

    kept = recommend(EXAMPLES[0]).to_dict()
    monkeypatch.setenv("MATCH_CACHE_DIR", "")
    monkeypatch.setattr(engine_module, "_ENGINES", {})
    monkeypatch.setattr(engine_module, "_BY_OBJECT", {})
    engine_for()
    assert recommend(EXAMPLES[0]).to_dict() == kept
