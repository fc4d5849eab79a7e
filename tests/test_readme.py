"""The README's Quickstart stays true: CI runs its test command verbatim."""

from __future__ import annotations

import re

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
