"""Shared fixtures and helpers: the packaged catalogue, small hand-made catalogues, profiles.

Hand-checked values are computed on small catalogues written to a temporary folder by
`write_catalogue` (the packaged taxonomy, a few initiatives built by `initiative`), so
that they do not move when the packaged catalogue's facts or fitted weights change.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from recommender import load_catalogue
from recommender.catalogue import Catalogue, default_catalogue_dir
from recommender.models import Weights

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
EXAMPLES = sorted(p for p in PROFILES.glob("*.yaml") if p.name != "template.yaml")

#: Weights for hand-checked values: stated here, not the catalogue's fitted ones.
HAND_WEIGHTS = Weights(issues=0.5, approaches=0.08, offers=0.17, workforce=0.05, text=0.2,
                       min_score=0.1, undocumented=0.15)
#: Every field a test source may back (the loader requires a source for each fact field present).
_SUPPORTS = ["established", "summary", "involves", "url", "participants", "roles", "sectors", "countries",
             "issues", "approaches", "offers", "workforce", "caveats", "status", "eligibility"]


def initiative(ident: str, **fields: Any) -> dict[str, Any]:
    """An initiative file's content: open to factories and brands in garments, worldwide,
    wages at strength 3 through training, backed by one source ``src``; ``fields`` override."""
    data: dict[str, Any] = {
        "id": ident,
        "name": ident.replace("-", " ").title(),
        "summary": f"The {ident} test programme.",
        "url": f"https://example.org/{ident}",
        "status": {"state": "active", "as_of": "2026-01-01", "sources": ["src"]},
        "participants": ["factory", "brand"],
        "sectors": ["garment"],
        "countries": ["global"],
        "issues": {"wages": 3},
        "approaches": ["training"],
        "sources": [{"title": f"{ident} source", "url": f"https://example.org/{ident}/about", "ref": "src",
                     "as_of": "2026-01-01", "note": "Consultant note.", "supports": list(_SUPPORTS)}],
    }
    data.update(fields)
    return data


def write_catalogue(folder: Path, initiatives: Iterable[Mapping[str, Any]], *,
                    weights: Weights | None = None) -> Catalogue:
    """A catalogue folder with the packaged taxonomy and ``initiatives``, loaded and validated."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(default_catalogue_dir() / "taxonomy.yaml", folder / "taxonomy.yaml")
    (folder / "catalogue.yaml").write_text("name: Test catalogue\nversion: '1'\n", encoding="utf-8")
    initiatives = list(initiatives)
    for init in initiatives:
        (folder / f"{init['id']}.yaml").write_text(yaml.safe_dump(dict(init), sort_keys=False), encoding="utf-8")
    _copy_osh_mapping(folder, {init["id"] for init in initiatives})
    if weights is not None:
        comps = {c: getattr(weights, c) for c in ("issues", "approaches", "offers", "workforce", "text")}
        (folder / "weights.yaml").write_text(yaml.safe_dump(
            {"weights": comps, "min_score": weights.min_score, "undocumented": weights.undocumented}),
            encoding="utf-8")
    return load_catalogue(folder)


def _copy_osh_mapping(folder: Path, ids: set[str]) -> None:
    """The packaged Open Supply Hub mapping, its affiliations to initiatives not in ``ids`` set to
    null (no initiative), as the mapping's format allows: the small catalogue's own copy."""
    packaged = default_catalogue_dir() / "open-supply-hub.yaml"
    if not packaged.is_file():
        return
    data = yaml.safe_load(packaged.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("affiliations"), dict):
        data["affiliations"] = {k: (v if v in ids else None) for k, v in data["affiliations"].items()}
    (folder / "open-supply-hub.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                                                 encoding="utf-8")


def profile(**fields: Any) -> dict[str, Any]:
    """A raw factory profile (Chinese garment factory, wages) with ``fields`` overriding."""
    return {"name": "T", "kind": "factory", "country": "CN", "sector": "garment", "issues": ["wages"], **fields}


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


@pytest.fixture
def make_catalogue(tmp_path):
    """``make_catalogue([initiative(...), ...], weights=...)``: a small catalogue in tmp_path."""
    count = iter(range(1_000))

    def make(initiatives: Iterable[Mapping[str, Any]], *, weights: Weights | None = None) -> Catalogue:
        return write_catalogue(tmp_path / f"catalogue-{next(count)}", initiatives, weights=weights)

    return make


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
