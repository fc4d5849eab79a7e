"""The `match` command through click's CliRunner: outputs, formats, help."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from recommender import recommend
from recommender.cli import main

from .conftest import EXAMPLES, ROOT

PROFILE = ROOT / "profiles" / "cn-dye-mill.yaml"


def run(*args, cwd=None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_default_writes_stem_html_in_cwd_and_prints_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(PROFILE)
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "cn-dye-mill.html"
    assert result.stdout.strip() == str(out)
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert "Better Mill Initiative" in html


def test_json_to_stdout_equals_library_to_dict():
    result = run(PROFILE, "--format", "json", "-o", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(json.dumps(recommend(PROFILE).to_dict()))


def test_dash_o_defaults_to_json_and_suffix_picks_format(tmp_path):
    assert json.loads(run(PROFILE, "-o", "-").stdout)["shortlist"]
    target = tmp_path / "r.json"
    assert run(PROFILE, "-o", target).exit_code == 0
    assert json.loads(target.read_text())["profile"]["country"] == "CN"
    md = tmp_path / "r.md"
    assert run(PROFILE, "-o", md).exit_code == 0
    assert "Better Mill Initiative" in md.read_text()


def test_top_option():
    data = json.loads(run(PROFILE, "-o", "-", "--top", "2").stdout)
    assert len(data["shortlist"]) == 2
    assert run(PROFILE, "--top", "0").exit_code == 2


def test_custom_catalogue(catalogue_copy):
    (catalogue_copy / "better-mill-initiative.yaml").unlink()
    data = json.loads(run(PROFILE, "-o", "-", "--catalogue", catalogue_copy).stdout)
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


def test_list_and_taxonomy():
    listing = run("list")
    assert listing.exit_code == 0 and "better-work" in listing.stdout
    data = json.loads(run("list", "--format", "json").stdout)
    assert len(data["initiatives"]) == 15
    tax = run("taxonomy")
    assert "womens_health" in tax.stdout and "garment" in tax.stdout


def test_help_explains_everything():
    text = run("--help").stdout
    assert "profile.yaml" in text and "Exit codes" in text
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        sub = run(name, "--help")
        assert sub.exit_code == 0
    for param in main.commands["run"].params:
        if isinstance(param, __import__("click").Option):
            assert param.help, f"--{param.name} has no help"


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
def test_every_example_renders(tmp_path, path):
    out = tmp_path / "r.html"
    result = run(path, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 1000


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and re.search(r"\d+\.\d+", result.stdout)
