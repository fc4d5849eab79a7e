"""The README's Quickstart stays true: CI runs its test command verbatim."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


def _quickstart_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def test_quickstart_has_exactly_two_commands():
    commands = _quickstart_commands()
    assert len(commands) == 2, commands
    install_run, install_test = commands
    assert "pip install" in install_run and re.search(r"match profiles/\S+\.yaml", install_run)
    assert '".[test]"' in install_test and "pytest" in install_test


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _quickstart_commands()[1] in ci.splitlines()


def test_quickstart_example_profile_exists():
    path = re.search(r"match (profiles/\S+\.yaml)", _quickstart_commands()[0]).group(1)
    assert (ROOT / path).is_file()


def _block_after(heading: str) -> list[str]:
    """The commands of the first indented block under ``heading`` (comments dropped)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    lines, started = [], False
    for line in section.splitlines():
        if line.startswith("    match "):
            started = True
            lines.append(line.split("  #", 1)[0].strip())
        elif started and line.strip():
            break
    return lines


@pytest.mark.parametrize("heading", ["## Using it", "## Evaluation, robustness and learning"])
def test_the_readme_commands_run(tmp_path, heading):
    """Every command the README shows under these headings runs and exits 0, with its
    placeholders (profile.yaml, suppliers.csv, my-catalogue/, feedback.csv) filled by the
    bundled examples, in a fresh folder."""
    shutil.copy(ROOT / "profiles" / "bd-knitwear-factory.yaml", tmp_path / "profile.yaml")
    shutil.copy(ROOT / "profiles" / "suppliers-template.csv", tmp_path / "suppliers.csv")
    shutil.copy(ROOT / "profiles" / "feedback-example.csv", tmp_path / "feedback.csv")
    shutil.copytree(ROOT / "catalogue", tmp_path / "my-catalogue")
    (tmp_path / "profiles").symlink_to(ROOT / "profiles")
    (tmp_path / "tests").symlink_to(ROOT / "tests")
    commands = _block_after(heading)
    assert commands
    for command in commands:
        args = shlex.split(command)[1:]
        if any(a.endswith(".pdf") for a in args) and not shutil.which("chromium"):
            continue  # the PDF needs Debian's chromium, as the README says
        res = subprocess.run([sys.executable, "-m", "recommender.cli", *args], cwd=tmp_path,
                             capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, f"{command}: exit {res.returncode}\n{res.stderr[-2000:]}"
    if heading == "## Using it":
        assert (tmp_path / "profile.html").is_file() and (tmp_path / "shortlists.csv").is_file()
        assert (tmp_path / "portfolio.html").is_file() and (tmp_path / "weights.yaml").is_file()


def test_adding_an_initiative_as_the_readme_says(tmp_path):
    """The README's steps: copy an initiative file under a new id, then `match list --catalogue`
    sees it (the installed copy is not what it reads)."""
    folder = tmp_path / "catalogue"
    shutil.copytree(ROOT / "catalogue", folder)
    text = (folder / "quizrr.yaml").read_text(encoding="utf-8")
    (folder / "quizrr-two.yaml").write_text(text.replace("id: quizrr", "id: quizrr-two", 1), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "recommender.cli", "list", "--catalogue", str(folder)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "quizrr-two" in res.stdout
    readme = (ROOT / "README.md").read_text()
    assert "match list --catalogue catalogue/" in readme
