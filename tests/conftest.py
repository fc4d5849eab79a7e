"""Shared fixtures: the packaged catalogue, a minimal valid profile, example profile paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recommender import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
EXAMPLES = sorted(p for p in PROFILES.glob("*.yaml") if p.name != "template.yaml")


@pytest.fixture(scope="session", autouse=True)
def _template_cache(tmp_path_factory):
    """Compiled templates go to a folder of the test session's, not the user's cache."""
    import os

    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("MATCH_CACHE_DIR")
    os.environ["MATCH_CACHE_DIR"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("MATCH_CACHE_DIR", None)
    else:
        os.environ["MATCH_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def catalogue():
    """The packaged catalogue, loaded once."""
    return load_catalogue()


@pytest.fixture
def profile_dict():
    """A small valid factory profile (a fresh copy per test)."""
    return {
        "name": "Test Knit Ltd",
        "kind": "factory",
        "country": "BD",
        "sector": "garment",
        "workforce": {"size": 1200, "women_share": 0.7},
        "issues": {"womens_health": 3, "wages": 2},
        "prefers": ["training"],
    }


@pytest.fixture
def catalogue_copy(tmp_path):
    """A writable copy of the packaged catalogue folder."""
    dest = tmp_path / "catalogue"
    shutil.copytree(ROOT / "catalogue", dest)
    return dest


# --- report fixtures (test_render, test_report_html, test_browser) -------------------------

REPORT_DATE = "2026-11-25"


@pytest.fixture
def fits_nothing_dict():
    """A factory profile nothing in the catalogue fits: toys in Iceland, childcare only."""
    return {
        "name": "Nordic Toy Works",
        "kind": "factory",
        "country": "IS",
        "sector": "toys",
        "issues": {"childcare": 3},
    }


@pytest.fixture
def report_options():
    """`ReportOptions` with a fixed date, so rendered reports do not depend on today."""
    import datetime as dt

    from recommender.report.render import ReportOptions

    return ReportOptions(date=dt.date.fromisoformat(REPORT_DATE))
