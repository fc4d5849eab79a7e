"""The `match` command through click's CliRunner: outputs, formats, listing, help (reports aside)."""

from __future__ import annotations

import json
import re

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from recommender import load_catalogue, recommend, score_frame
from recommender.cli import main

from .conftest import EXAMPLES, ROOT

PROFILE = ROOT / "profiles" / "cn-dye-mill.yaml"
SUPPLIERS = ROOT / "profiles" / "suppliers-template.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_default_writes_stem_html_in_cwd_and_prints_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(PROFILE)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "cn-dye-mill.html"
    assert result.stdout.strip() == str(out)
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_json_to_stdout_is_the_library_s_to_dict_with_stability():
    result = run(PROFILE, "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.stderr
    expected = recommend(PROFILE, analyses=("stability",)).to_dict()
    assert json.loads(result.stdout) == json.loads(json.dumps(expected))


def test_what_if_adds_the_analysis_to_the_json():
    data = json.loads(run(PROFILE, "-o", "-", "--what-if").stdout)
    assert data["what_if"] == recommend(PROFILE, analyses=("what_if",)).to_dict()["what_if"]
    assert "what_if" not in json.loads(run(PROFILE, "-o", "-").stdout)


def test_dash_o_defaults_to_json_and_suffix_picks_format(tmp_path):
    assert json.loads(run(PROFILE, "-o", "-").stdout)["shortlist"]
    target = tmp_path / "r.json"
    assert run(PROFILE, "-o", target).exit_code == 0
    assert json.loads(target.read_text())["profile"]["country"] == "CN"
    md = tmp_path / "r.md"
    assert run(PROFILE, "-o", md).exit_code == 0
    first = recommend(PROFILE).top.name
    assert first in md.read_text()


def test_top_option():
    data = json.loads(run(PROFILE, "-o", "-", "--top", "2").stdout)
    assert len(data["shortlist"]) == 2
    assert [x["id"] for x in data["shortlist"]] == [x.id for x in recommend(PROFILE, top=2).shortlist]
    assert run(PROFILE, "--top", "0").exit_code == 2


def test_weights_option_changes_the_scores(tmp_path):
    w = tmp_path / "w.yaml"
    w.write_text("weights: {issues: 1.0, approaches: 0, offers: 0, workforce: 0, text: 0}\n")
    data = json.loads(run(PROFILE, "-o", "-", "--weights", w).stdout)
    assert data["weights"] == {"issues": 1.0, "approaches": 0.0, "offers": 0.0, "workforce": 0.0, "text": 0.0}


def test_custom_catalogue(catalogue_copy):
    (catalogue_copy / "better-mill-initiative.yaml").unlink()
    result = run(PROFILE, "-o", "-", "--catalogue", catalogue_copy)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["catalogue"]["size"] == 14
    assert "better-mill-initiative" not in [r["id"] for r in data["shortlist"]]


def test_refuses_to_overwrite_its_input(tmp_path):
    src = tmp_path / "p.yaml"
    src.write_text(PROFILE.read_text())
    result = run(src, "-o", src, "--format", "html")
    assert result.exit_code == 2
    assert "overwrite the input" in result.stderr
    assert src.read_text() == PROFILE.read_text()


def test_batch_formats_are_refused_for_one_profile():
    result = run(PROFILE, "--format", "csv")
    assert result.exit_code == 2
    assert "supplier lists" in result.stderr


def test_a_supplier_list_writes_score_frame_s_lines(tmp_path):
    out = tmp_path / "out.csv"
    result = run(SUPPLIERS, "-o", out, "--top", "3")
    assert result.exit_code in (0, 3), result.stderr
    written = pd.read_csv(out, dtype={"supplier_id": str})
    rows = pd.read_csv(SUPPLIERS, dtype=str, keep_default_na=False)
    expected = score_frame(rows, top=3, errors="skip")
    assert written["initiative_id"].fillna("").tolist() == expected["initiative_id"].fillna("").tolist()
    assert written["score"].round(4).fillna(-1).tolist() == expected["score"].round(4).fillna(-1).tolist()


def test_list_shows_status_sectors_and_countries():
    listing = run("list")
    assert listing.exit_code == 0
    cat = load_catalogue()
    for init in cat:
        assert init.id in listing.stdout
    assert "status: merged" in listing.stdout
    data = json.loads(run("list", "--format", "json").stdout)
    assert len(data["initiatives"]) == len(cat)
    for row in data["initiatives"]:
        init = cat[row["id"]]
        assert row["status"]["state"] == init.status.state and row["status"]["as_of"] == init.status.as_of.isoformat()
        assert row["sectors"] == list(init.sectors) and row["countries"] == list(init.countries)
        assert row["offers"] == dict(init.offers)
    tax = run("taxonomy")
    assert "womens_health" in tax.stdout and "garment" in tax.stdout


def test_list_flags_stale_facts_from_the_date_given():
    old = json.loads(run("list", "--format", "json", "--date", "2100-01-01").stdout)
    assert all(r["stale"] for r in old["initiatives"])
    now = json.loads(run("list", "--format", "json", "--date", "2027-01-01", "--stale-after", "50").stdout)
    assert not any(r["stale"] for r in now["initiatives"])
    assert run("list", "--date", "01/02/2027").exit_code == 2


def test_help_explains_everything():
    text = run("--help").stdout
    assert "profile.yaml" in text and "Exit codes" in text
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        assert run(name, "--help").exit_code == 0
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} --{param.name} has no help"


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name in main.commands:
        if name != "run":
            assert f"match {name}" in readme, f"`match {name}` is not in the README"
    for param in main.commands["run"].params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt not in ("--help",):
                assert opt in readme, f"{opt} is not in the README"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_writes_json_that_matches_the_library(tmp_path, path):
    out = tmp_path / "r.json"
    result = run(path, "-o", out)
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert [x["id"] for x in data["shortlist"]] == [x.id for x in recommend(path).shortlist]


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and re.search(r"\d+\.\d+", result.stdout)
