"""Every bad profile gets one clear line on stderr, exit code 2, no traceback, no output."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from recommender.cli import main

GOOD = """\
name: Test Knit Ltd
kind: factory
country: BD
sector: garment
workforce: {size: 1200, women_share: 0.7}
issues: [womens_health, wages]
"""


def _with(line: str, replace: str | None = None) -> str:
    """GOOD with one line replaced (by its key) or appended."""
    if replace is None:
        return GOOD + line + "\n"
    out = []
    for old in GOOD.splitlines():
        out.append(line if old.startswith(replace + ":") else old)
    return "\n".join(out) + "\n"


# (case id, file content (str or bytes; None = do not create), substrings the message must hold)
CASES = [
    ("missing-file", None, ["no such profile"]),
    ("empty-file", "", ["is empty", "template"]),
    ("whitespace-only", "   \n\n", ["is empty"]),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary"]),
    ("latin-1", "name: Caf\xe9 Ltd\nkind: factory\n".encode("latin-1"), ["not UTF-8", ":1", "UTF-8"]),
    ("yaml-syntax", "name: [unclosed\nkind: factory\n", ["YAML syntax error", ":"]),
    ("yaml-tab-indent", "name: x\n\tkind: factory\n", ["YAML syntax error"]),
    ("top-level-list", "- name: x\n- kind: factory\n", ["top level must be a mapping", "not a list"]),
    ("top-level-scalar", "just some text\n", ["top level must be a mapping", "single value"]),
    ("unknown-field-typo", _with("sectr: garment"), ["sectr", "unknown field", "did you mean 'sector'"]),
    ("duplicate-key", _with("country: VN"), ["duplicate key 'country'", "first given on line 3", ":7"]),
    ("wrong-type-issues", _with("issues: 42", "issues"), ["issues", "must be a list"]),
    ("wrong-type-workforce", _with("workforce: lots", "workforce"), ["workforce", "must be a mapping"]),
    ("wrong-type-size", _with("workforce: {size: many}", "workforce"), ["workforce.size", "whole number"]),
    ("share-above-one", _with("workforce: {women_share: 80}", "workforce"),
        ["women_share", "between 0 and 1", "write 0.8"]),
    ("share-negative", _with("workforce: {migrant_share: -0.2}", "workforce"), ["migrant_share", "between 0 and 1"]),
    ("size-negative", _with("workforce: {size: -5}", "workforce"), ["workforce.size", "at least 1"]),
    ("size-absurd", _with("workforce: {size: 900000000}", "workforce"), ["workforce.size", "not a plausible"]),
    ("issues-empty", _with("issues: []", "issues"), ["issues", "at least one issue"]),
    ("issues-missing", "name: x\nkind: factory\ncountry: BD\nsector: garment\n", ["issues", "required"]),
    ("unknown-country-name", _with("country: Bangladsh", "country"),
        ["country", "Bangladsh", "did you mean", "Bangladesh (BD)"]),
    ("unknown-country-code", _with("country: XX", "country"), ["country", "unknown country 'XX'"]),
    ("unknown-issue", _with("issues: [womens_helth, wages]", "issues"),
        ["issues.0", "womens_helth", "did you mean 'womens_health'"]),
    ("unknown-sector", _with("sector: garmnt", "sector"), ["sector", "garmnt", "did you mean 'garment'"]),
    ("unknown-approach", _with("prefers: [trainng]"), ["prefers.0", "did you mean 'training'"]),
    ("unknown-membership", _with("memberships: [amfori-bcsi]"),
        ["memberships.0", "amfori-bcsi", "did you mean 'amfori-bsci'"]),
    ("weight-out-of-range", _with("issues: {wages: 5}", "issues"), ["issues.wages", "1, 2 or 3"]),
    ("weight-zero", _with("issues: {wages: 0}", "issues"), ["issues.wages", "1, 2 or 3"]),
    ("unknown-kind", _with("kind: warehouse", "kind"), ["kind", "factory", "brand"]),
    ("python-tag", "!!python/object/apply:os.system ['echo pwned']\n", ["tag", "not allowed"]),
    ("python-tag-nested", _with("description: !!python/name:os.system"), ["tag", "not allowed"]),
    ("alias", "a: &x [1, 2]\nname: *x\n", ["aliases", "not allowed"]),
    ("too-deep", "name: " + "[" * 200 + "]" * 200 + "\n", ["nested more than"]),
    ("too-large", "name: x\n" + "# padding\n" * 120_000, ["larger than 1,024 KiB"]),
    ("norway-unquoted-bool", _with("country: NO", "country") .replace("country: NO", "country: true"),
        ["country", "true/false"]),
    ("name-empty", _with("name: ''", "name"), ["name", "must not be empty"]),
    ("issue-listed-twice", _with("issues: [wages, living_wage]", "issues"), ["listed twice"]),
]


@pytest.mark.parametrize("case_id,content,needles", CASES, ids=[c[0] for c in CASES])
def test_bad_profile(tmp_path: Path, monkeypatch, case_id, content, needles):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "client.yaml"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    result = CliRunner().invoke(main, [str(path)])
    message = result.stderr
    assert result.exit_code == 2, (result.exit_code, message, result.stdout)
    assert "Traceback" not in message + result.stdout
    assert message.startswith("match: error: "), message
    assert message.count("\n") == 1, "one line only"
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert not (tmp_path / "client.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "client.yaml"] == []


def test_directory_instead_of_file(tmp_path):
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_debug_shows_traceback(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(_with("sectr: garment"))
    result = CliRunner().invoke(main, [str(path), "--debug"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr


@pytest.mark.parametrize(
    "content,check",
    [
        ("\ufeff" + GOOD, lambda d: d["profile"]["country"] == "BD"),
        (_with('country: "NO"', "country"), lambda d: d["profile"]["country"] == "NO"),
        (_with("country: NO", "country"), lambda d: d["profile"]["country"] == "NO"),
        (_with("country: Viet Nam", "country"), lambda d: d["profile"]["country"] == "VN"),
        (_with("country: UK", "country"), lambda d: d["profile"]["country"] == "GB"),
        (_with("country: BGD", "country"), lambda d: d["profile"]["country"] == "BD"),
        (_with("sector: Apparel", "sector"), lambda d: d["profile"]["sector"] == "garment"),
        (_with("issues: wages; Women's Health", "issues"),
            lambda d: list(d["profile"]["issues"]) == ["wages", "womens_health"]),
        (_with("issues: [wages:3, chemicals]", "issues"),
            lambda d: d["profile"]["issues"] == {"wages": 3, "chemicals": 1}),
        (_with("description: on yes off", None), lambda d: d["profile"]["description"] == "on yes off"),
        (_with("workforce: {women_share: 80%}", "workforce"),
            lambda d: d["profile"]["workforce"]["women_share"] == 0.8),
    ],
    ids=["utf8-bom", "norway-quoted", "norway-unquoted", "viet-nam", "uk", "alpha3", "alias-sector",
         "issues-string", "issues-weights-in-list", "yaml11-words-stay-text", "percent-share"],
)
def test_accepted_spellings(tmp_path, content, check):
    import json

    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, [str(path), "-o", "-", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert check(json.loads(result.stdout))


def test_alias_bomb_rejected_quickly(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    result = CliRunner().invoke(main, [str(path)])
    assert result.exit_code == 2
    assert "aliases" in result.stderr
    assert time.perf_counter() - start < 10  # a generous bound: it must not expand the bomb


def test_catalogue_error_names_file(catalogue_copy, tmp_path):
    bad = catalogue_copy / "quizrr.yaml"
    bad.write_text(bad.read_text().replace("issues:", "issuez:", 1))
    prof = tmp_path / "p.yaml"
    prof.write_text(GOOD)
    result = CliRunner().invoke(main, [str(prof), "--catalogue", str(catalogue_copy)])
    assert result.exit_code == 2
    assert "quizrr.yaml" in result.stderr
    assert "issuez" in result.stderr
    assert "Traceback" not in result.stderr
