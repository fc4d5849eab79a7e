"""Every bad profile gets one clear line on stderr, exit code 2, no traceback, no output."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from recommender import InputError
from recommender.catalogue import default_catalogue_dir
from recommender.cli import main
from recommender.loading import MAX_NODES, parse_yaml

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
    # --- reading the file
    ("utf-16-without-bom", GOOD.encode("utf-16-le"), ["UTF-16", "save the profile as UTF-8"]),
    ("cp1252-smart-quotes", (GOOD + "description: \u201cbest\u201d\n").encode("cp1252"), ["not UTF-8", ":7", "0x93"]),
    ("control-character", _with("description: a\x07b"), ["control character", "0x07"]),
    ("empty-document", "---\n", ["holds no fields", "template"]),
    ("null-document", "null\n", ["holds no fields"]),
    ("two-documents", GOOD + "---\n" + GOOD, ["more than one YAML document", ":7", "---"]),
    # --- YAML slips people make, with a fix in the message
    ("yaml-tab-indent-nested", _with("workforce:\n\tsize: 5", "workforce"), ["client.yaml:6", "tab", "spaces"]),
    ("unquoted-at-sign", _with("name: @home Knit", "name"), ["cannot start with '@'", "quotes"]),
    ("unquoted-colon", _with("name: Acme: Knit Ltd", "name"), [":1", "must be in quotes"]),
    ("unclosed-quote", _with("name: 'Acme Knit", "name"), ["quote opened on line 1 is never closed"]),
    ("bad-escape-in-double-quotes", _with('name: "Acme\\q Knit"', "name"),
        [":1", "the escape \\q is not one YAML knows", "single quotes"]),
    ("bad-hex-escape", _with('description: "C:\\xfiles"'), [":7", "the escape \\x"]),
    ("unclosed-list", _with("issues: [wages, chemicals", "issues"), ["'[' opened on line 6 is not closed"]),
    ("bad-indentation", _with("workforce:\n    size: 5\n  women_share: 0.5", "workforce"), ["indentation"]),
    ("invalid-date", _with("name: 2019-13-45", "name"), [":1", "'2019-13-45' is not a valid date", "quotes"]),
    ("huge-number", _with("description: " + "9" * 5000), ["5,000 digits", "too long", "quotes"]),
    ("share-of-310-digits", _with("workforce: {women_share: 1" + "0" * 309 + "}", "workforce"),
        ["workforce.women_share", "310 digits"]),
    ("size-of-4000-digits-in-quotes", _with('workforce: {size: "' + "9" * 4000 + '"}', "workforce"),
        ["workforce.size", "4,000 digits"]),
    ("unknown-value-of-500-KB", _with("country: " + "X" * 500_000, "country"),
        ["unknown country 'XXXX", "(500,000 characters)"]),
    # --- hostile YAML
    ("anchor-without-alias", _with("description: &d text"), ["aliases", "not allowed"]),
    ("verbatim-tag", _with("description: !<tag:evil.example,2000:x> x"), ["tag", "not allowed"]),
    ("binary-tag", _with("description: !!binary aGVsbG8="), ["binary", "not allowed"]),
    ("tag-directive", "%TAG !e! tag:yaml.org,2002:python/\n---\n" + _with("description: !e!object:os.system x"),
        ["python/object", "not allowed"]),
    ("merge-key", GOOD + "<<: {kind: brand}\n", ["<<", "unknown field"]),
    ("escape-sequence-in-key", GOOD + '"\\e]0;owned\\a\\e[31m": 1\n', ["\\x1b]0;owned\\x07", "unknown field"]),
    ("line-break-in-key", GOOD + '"na\\nme": x\n', ["na\\nme", "unknown field"]),
    ("number-key", GOOD + "12: x\n", ["client.yaml:7", "12: unknown field"]),
    ("null-key", GOOD + "~: x\n", ["client.yaml:7", "null: unknown field"]),
    # --- fields
    ("field-given-twice-in-two-spellings", GOOD + "Name: Other Ltd\n", ["'Name' repeats the field 'name'"]),
    ("field-typo-any-case", GOOD + "Sectr: garment\n", ["did you mean 'sector'"]),
    ("kind-typo", _with("kind: brnad", "kind"), ["kind", "did you mean 'brand'"]),
    ("sector-empty", _with('sector: ""', "sector"), ["sector", "must not be empty"]),
    ("name-invisible-only", _with('name: "\\u200b\\u200f"', "name"), ["name", "must not be empty"]),
    ("name-too-long", _with("name: " + "x" * 300, "name"), ["name", "at most 200 characters"]),
    ("description-too-long", _with("description: " + "word " * 5000), ["description", "at most 20000"]),
    ("country-list", _with("country: [BD, VN]", "country"), ["country", "one country", "sourcing_countries"]),
    ("country-yes-is-text", _with("country: yes", "country"), ["unknown country 'yes'"]),
    ("country-on-is-text", _with("country: on", "country"), ["unknown country 'on'"]),
    ("sourcing-country-typo", _with("sourcing_countries: [BD, Vietnm]"), ["sourcing_countries.1", "Viet Nam (VN)"]),
    ("sourcing-countries-mapping", _with("sourcing_countries: {BD: 1}"), ["must be a list of countries"]),
    ("issues-bare-string-typo", _with("issues: wagez", "issues"), ["issues.0", "did you mean 'wages'"]),
    ("issues-nested-list", _with("issues: [[wages]]", "issues"), ["issues.0", "not a list", "one level of brackets"]),
    ("issues-null-entry", _with("issues: [wages, null]", "issues"), ["issues.1", "empty entry"]),
    ("issues-number-entry", _with("issues: [42]", "issues"), ["issues.0", "unknown issue '42'"]),
    ("issues-block-mapping-typo", _with("issues:\n  - wages: 3\n    chemicalz: 2", "issues"),
        ["client.yaml:8", "issues.0.chemicalz", "did you mean 'chemicals'"]),
    ("weight-fraction", _with("issues: {wages: 2.5}", "issues"), ["issues.wages", "1, 2 or 3", "2.5"]),
    ("weight-word", _with("issues: {wages: high}", "issues"), ["issues.wages", "1, 2 or 3", "'high'"]),
    ("weight-superscript-digit", _with('issues: "wages:\u00b3"', "issues"), ["issues.0", "1, 2 or 3"]),
    ("weight-as-list", _with("issues: {wages: [3]}", "issues"), ["issues.wages", "1, 2 or 3"]),
    ("size-thousands-comma-in-braces", _with("workforce: {size: 1,200}", "workforce"),
        ["workforce.200", "comma", "size: 1200"]),
    ("share-decimal-comma", _with('workforce: {women_share: "0,7"}', "workforce"), ["women_share", "0.7"]),
    ("share-words", _with("workforce: {women_share: most}", "workforce"), ["women_share", "between 0 and 1"]),
    ("share-not-a-number", _with("workforce: {women_share: .nan}", "workforce"), ["women_share"]),
    ("workforce-field-typo", _with("workforce: {womens_share: 0.5}", "workforce"), ["did you mean 'women_share'"]),
    ("size-fraction", _with("workforce: {size: 12.5}", "workforce"), ["workforce.size", "whole number"]),
    ("size-zero", _with("workforce: {size: 0}", "workforce"), ["workforce.size", "at least 1"]),
    ("membership-word-of-id", _with("memberships: BSCI"), ["memberships.0", "did you mean 'amfori-bsci'"]),
    ("membership-name-typo", _with("memberships: [Beter Work]"), ["did you mean 'better-work'"]),
    ("membership-null", _with("memberships: [null]"), ["memberships.0", "empty entry"]),
    ("membership-mapping", _with("memberships: [{id: eti}]"), ["memberships.0", "not a mapping"]),
    ("approach-nested-list", _with("prefers: [[training]]"), ["prefers.0", "not a list"]),
    ("approach-null", _with("prefers: [null]"), ["prefers.0", "empty entry"]),
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
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e]", message), "control characters"
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert not (tmp_path / "client.html").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "client.yaml"] == []


def test_directory_instead_of_file(tmp_path):
    result = CliRunner().invoke(main, [str(tmp_path)])
    assert result.exit_code == 2
    assert "is a folder, not a profile" in result.stderr


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
            lambda d: d["profile"]["issues"] == {"wages": 3, "chemicals": 2}),
        (_with("description: on yes off", None), lambda d: d["profile"]["description"] == "on yes off"),
        (_with("workforce: {women_share: 80%}", "workforce"),
            lambda d: d["profile"]["workforce"]["women_share"] == 0.8),
        (_with("country: no", "country"), lambda d: d["profile"]["country"] == "NO"),
        (_with("issues: wages", "issues"), lambda d: d["profile"]["issues"] == {"wages": 2}),
        (_with('issues: {wages: "3", chemicals: 2.0}', "issues"),
            lambda d: d["profile"]["issues"] == {"wages": 3, "chemicals": 2}),
        (_with("issues: [{wages: 3, chemicals: 2}]", "issues"),
            lambda d: d["profile"]["issues"] == {"wages": 3, "chemicals": 2}),
        (_with("issues:\n  - wages: 3\n  - chemicals", "issues"),
            lambda d: d["profile"]["issues"] == {"wages": 3, "chemicals": 2}),
        (_with('workforce: {size: "1,200", women_share: "0.7"}', "workforce"),
            lambda d: d["profile"]["workforce"] == {"size": 1200, "women_share": 0.7}),
        ("Name: Test Knit Ltd\nKind: Factory\nCountry: BD\nSector: garment\nIssues: [wages]\n"
         "Sourcing-Countries: [VN]\nWorkforce: {Women Share: 60 %}\n",
            lambda d: d["profile"]["sourcing_countries"] == ["VN"] and d["profile"]["workforce"]["women_share"] == 0.6),
        (_with('country: "Bangladesh\\u200b"', "country"), lambda d: d["profile"]["country"] == "BD"),
        (_with('issues: ["\\u200bwages\\u200f", "\\uff43hemicals"]', "issues"),
            lambda d: list(d["profile"]["issues"]) == ["wages", "chemicals"]),
        (_with('name: "\\u200f\\u202bمصنع النسيج\\u202c \U0001F9F5 Ltd\\u200b"', "name"),
            lambda d: d["profile"]["name"] == "مصنع النسيج\u202c \U0001F9F5 Ltd"),
        (_with("name: 2024-01-01", "name"), lambda d: d["profile"]["name"] == "2024-01-01"),
        (_with("name:\tTabbed Ltd", "name"), lambda d: d["profile"]["name"] == "Tabbed Ltd"),
        (GOOD.replace("\n", "\r\n"), lambda d: d["profile"]["sector"] == "garment"),
        ("\ufeff" + GOOD.replace("\n", "\r\n"), lambda d: d["profile"]["sector"] == "garment"),
        (GOOD + "...\n", lambda d: d["profile"]["country"] == "BD"),
        (_with("memberships: [Better Work, amfori BSCI]"),
            lambda d: d["profile"]["memberships"] == ["better-work", "amfori-bsci"]),
        # issues are optional (likely ones come from public risk data) and sector may be a list
        (_with("issues: []", "issues"), lambda d: d["profile"]["issues"] == {}),
        ("name: x\nkind: factory\ncountry: BD\nsector: garment\n", lambda d: d["profile"]["issues"] == {}),
        (_with("sector: [garment]", "sector"), lambda d: d["profile"]["sector"] == "garment"),
    ],
    ids=["utf8-bom", "norway-quoted", "norway-unquoted", "viet-nam", "uk", "alpha3", "alias-sector",
         "issues-string", "issues-weights-in-list", "yaml11-words-stay-text", "percent-share",
         "norway-lower-case", "issues-bare-string", "weights-as-text-and-float", "issues-list-of-one-mapping",
         "issues-block-mapping-items", "numbers-in-quotes", "field-names-any-case", "zero-width-in-country",
         "invisible-and-full-width-in-issues", "rtl-and-emoji-name-kept", "date-like-name", "tab-after-colon",
         "windows-line-endings", "bom-and-windows-line-endings", "document-end-marker", "memberships-by-name",
         "issues-empty", "issues-missing", "sector-list"],
)
def test_accepted_spellings(tmp_path, content, check):
    path = tmp_path / "p.yaml"
    path.write_text(content, encoding="utf-8", newline="")
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


# --- paths and outputs ---------------------------------------------------------------------


def test_profile_path_with_spaces_and_non_ascii(tmp_path):
    folder = tmp_path / "client files ü"
    folder.mkdir()
    path = folder / "клиент профиль é.yaml"
    path.write_text(GOOD, encoding="utf-8")
    out = folder / "отчёт report.html"
    result = CliRunner().invoke(main, [str(path), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _outputs(tmp: Path) -> dict[str, tuple[list[str], list[str]]]:
    """-o cases: (extra arguments, substrings of the message)."""
    (tmp / "folder").mkdir()
    (tmp / "w.yaml").write_text("weights: {issues: 0.7, approaches: 0.12, workforce: 0.1, text: 0.08}\n")
    (tmp / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n0000")
    shutil.copytree(default_catalogue_dir(), tmp / "cat")
    (tmp / "link.yaml").symlink_to(tmp / "client.yaml")
    return {
        "existing-folder": (["-o", str(tmp / "folder")], ["is a folder", "give a file name"]),
        "missing-folder": (["-o", str(tmp / "nope" / "r.html")], ["nope", "does not exist", "create it"]),
        "under-a-file": (["-o", str(tmp / "client.yaml" / "r.html")], ["is not a folder"]),
        "name-too-long": (["-o", str(tmp / ("a" * 300 + ".html"))], ["file name is too long"]),
        "the-input": (["-o", str(tmp / "client.yaml"), "-f", "html"], ["overwrite the input"]),
        "the-input-by-symlink": (["-o", str(tmp / "link.yaml"), "-f", "html"], ["overwrite the input"]),
        "the-weights": (["-o", str(tmp / "w.yaml"), "-f", "json", "--weights", str(tmp / "w.yaml")],
                        ["overwrite the input"]),
        "the-logo": (["-o", str(tmp / "logo.png"), "-f", "html", "--logo", str(tmp / "logo.png")],
                     ["overwrite the input"]),
        "a-catalogue-file": (["-o", str(tmp / "cat" / "eti.yaml"), "-f", "json", "--catalogue", str(tmp / "cat")],
                             ["input folder"]),
        "batch-format": (["-f", "csv"], ["supplier lists"]),
    }


OUTPUT_CASES = ["existing-folder", "missing-folder", "under-a-file", "name-too-long", "the-input",
                "the-input-by-symlink", "the-weights", "the-logo", "a-catalogue-file", "batch-format"]


@pytest.mark.parametrize("case_id", OUTPUT_CASES)
def test_bad_output_path(tmp_path, monkeypatch, case_id):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "client.yaml").write_text(GOOD)
    args, needles = _outputs(tmp_path)[case_id]
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, [str(tmp_path / "client.yaml"), *args])
    message = result.stderr
    assert result.exit_code == 2, (result.exit_code, message)
    assert "Traceback" not in message and message.count("\n") == 1, message
    for needle in needles:
        assert needle in message, (needle, message)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before, "nothing written or changed"


def test_failed_run_keeps_the_earlier_report(tmp_path):
    good, out = tmp_path / "p.yaml", tmp_path / "r.html"
    good.write_text(GOOD)
    assert CliRunner().invoke(main, [str(good), "-o", str(out)]).exit_code == 0
    earlier = out.read_bytes()
    good.write_text(_with("sectr: garment"))
    assert CliRunner().invoke(main, [str(good), "-o", str(out)]).exit_code == 2
    assert out.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml", "r.html"]


def test_output_to_a_pipe_is_written_not_replaced(tmp_path):
    """`-o /dev/stdout` or a named pipe: written into, never replaced by a regular file."""
    (tmp_path / "p.yaml").write_text(GOOD)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = CliRunner().invoke(main, [str(tmp_path / "p.yaml"), "-o", str(fifo), "-f", "json"])
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert fifo.is_fifo()
    assert json.loads(got[0])["profile"]["name"] == "Test Knit Ltd"


def test_read_only_folder(tmp_path, monkeypatch):
    import tempfile

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    (tmp_path / "p.yaml").write_text(GOOD)
    monkeypatch.setattr(tempfile, "mkstemp", denied)  # chmod does not stop root, who runs CI
    result = CliRunner().invoke(main, [str(tmp_path / "p.yaml"), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert "cannot write: Permission denied" in result.stderr
    assert "choose a folder you can write to" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.yaml"]


def test_reader_that_leaves_early_is_not_an_error_message(tmp_path):
    """`match p.yaml -o - --format md | head -1`: no traceback, no "internal error"."""
    (tmp_path / "p.yaml").write_text(GOOD)
    proc = subprocess.Popen([sys.executable, "-m", "recommender.cli", str(tmp_path / "p.yaml"), "-o", "-", "-f", "md"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    proc.wait(60)
    assert stderr == ""
    assert proc.returncode == 1


# --- option files and catalogue folders ---------------------------------------------------------


def _option_cases(tmp: Path) -> dict[str, tuple[list[str], list[str]]]:
    cat = tmp / "cat"
    shutil.copytree(default_catalogue_dir(), cat)
    (tmp / "empty").mkdir()
    (tmp / "huge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(600 * 1024))
    (tmp / "remote.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.example/a.png"/></svg>')
    (tmp / "bad-weights.yaml").write_text("weights: {issues: 2}\n")
    return {
        "logo-missing": (["--logo", str(tmp / "nope.png")], ["nope.png", "no such logo file"]),
        "logo-folder": (["--logo", str(tmp / "empty")], ["is a folder, not a logo file"]),
        "logo-huge": (["--logo", str(tmp / "huge.png")], ["huge.png", "larger than 512 KiB", "smaller"]),
        "logo-text": (["--logo", str(tmp / "bad-weights.yaml")], ["PNG, JPEG, GIF or SVG"]),
        "logo-svg-remote": (["--logo", str(tmp / "remote.svg")], ["links to other files"]),
        "weights-missing": (["--weights", str(tmp / "nope.yaml")], ["no such weights file"]),
        "templates-missing": (["--templates", str(tmp / "no-templates")], ["no such templates folder", "--templates"]),
        "weights-invalid": (["--weights", str(tmp / "bad-weights.yaml")], ["bad-weights.yaml:1", "weights.issues"]),
        "catalogue-missing": (["--catalogue", str(tmp / "nope")], ["no such catalogue folder"]),
        "catalogue-empty-folder": (["--catalogue", str(tmp / "empty")], ["holds no initiative files"]),
        "catalogue-is-a-file": (["--catalogue", str(cat / "eti.yaml")], ["is not a folder"]),
        "catalogue-same-id-twice": (["--catalogue", _copy_file(cat, "eti.yaml", "eti.yml")],
                                    ["eti.yml:1", "already used by eti.yaml"]),
        "catalogue-copy-with-old-id": (["--catalogue", _copy_file(cat, "eti.yaml", "eti-copy.yaml", "2")],
                                       ["eti-copy.yaml", "eti.yaml already holds id 'eti'"]),
        "catalogue-empty-file": (["--catalogue", _write(cat, "zz.yaml", "", "3")],
                                 ["zz.yaml", "is empty", "catalogue/README.md"]),
        "catalogue-binary-file": (["--catalogue", _write(cat, "zz.yaml", b"\x00\x01\x02" * 100, "4")],
                                  ["zz.yaml", "binary"]),
        "catalogue-not-a-regular-file": (["--catalogue", _fifo(cat, "zz.yaml", "5")],
                                         ["zz.yaml", "not a regular file"]),
        "catalogue-python-tag": (["--catalogue", _write(cat, "zz.yaml", "!!python/object/apply:os.system [x]\n", "6")],
                                 ["zz.yaml:1", "not allowed"]),
        "taxonomy-a-list": (["--catalogue", _write(cat, "taxonomy.yaml", "- a\n", "7")],
                            ["taxonomy.yaml:1", "mapping of fields, not a list"]),
    }


def _variant(cat: Path, tag: str) -> Path:
    dest = cat.with_name(f"cat{tag}")
    shutil.copytree(cat, dest)
    return dest


def _copy_file(cat: Path, src: str, dest: str, tag: str = "1") -> str:
    folder = _variant(cat, tag)
    shutil.copy(folder / src, folder / dest)
    return str(folder)


def _write(cat: Path, name: str, content: str | bytes, tag: str) -> str:
    folder = _variant(cat, tag)
    (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(folder)


def _fifo(cat: Path, name: str, tag: str) -> str:
    folder = _variant(cat, tag)
    os.mkfifo(folder / name)
    return str(folder)


OPTION_CASES = ["logo-missing", "logo-folder", "logo-huge", "logo-text", "logo-svg-remote", "weights-missing",
                "weights-invalid", "catalogue-missing", "catalogue-empty-folder", "catalogue-is-a-file",
                "catalogue-same-id-twice", "catalogue-copy-with-old-id", "catalogue-empty-file",
                "catalogue-binary-file", "catalogue-not-a-regular-file", "catalogue-python-tag", "taxonomy-a-list",
                "templates-missing"]


@pytest.mark.parametrize("case_id", OPTION_CASES)
def test_bad_option_file(tmp_path, monkeypatch, case_id):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(GOOD)
    args, needles = _option_cases(tmp_path)[case_id]
    result = CliRunner().invoke(main, [str(tmp_path / "p.yaml"), *args])
    message = result.stderr
    assert result.exit_code == 2, (result.exit_code, message)
    assert "Traceback" not in message and message.count("\n") == 1, message
    for needle in needles:
        assert needle in message, (needle, message)
    assert not (tmp_path / "p.html").exists()


def test_catalogue_skips_hidden_files_and_reads_upper_case_suffixes(catalogue_copy):
    (catalogue_copy / "._eti.yaml").write_bytes(b"\x00\x05\x16\x07" * 50)  # macOS metadata on shared drives
    (catalogue_copy / ".#eti.yaml").symlink_to("/nonexistent/lock")  # an editor's lock file
    (catalogue_copy / "eti.yaml").rename(catalogue_copy / "eti.YAML")
    result = CliRunner().invoke(main, ["list", "--catalogue", str(catalogue_copy), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert "eti" in [i["id"] for i in json.loads(result.stdout)["initiatives"]]


# --- hostile YAML: bounded time and memory ------------------------------------------------------


def _bomb() -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text,needle",
    [
        (_bomb(), "aliases"),
        ("name: " + "[" * 100_000 + "]" * 100_000, "nested more than 32"),
        ("name: " + "{a: " * 50_000 + "1" + "}" * 50_000, "nested more than 32"),
        ("".join(" " * i + "a:\n" for i in range(500)), "nested more than 32"),
        ("name: [" + ",".join(["1"] * (MAX_NODES + 10)) + "]", "more than 100,000 values"),
    ],
    ids=["billion-laughs", "deep-flow-lists", "deep-flow-mappings", "deep-block-mappings", "wide-list"],
)
def test_hostile_yaml_is_refused_in_bounded_time_and_memory(text, needle):
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(InputError, match=needle):
            parse_yaml(text, source="hostile.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 10  # ~0.01 s for the bomb, ~1 s for the wide list under tracemalloc
    assert peak < 16 * len(text) + (4 << 20), f"peak {peak / 1e6:.1f} MB for {len(text) / 1e6:.2f} MB of text"


# --- the README's examples are real messages -------------------------------------------------

README_EXAMPLES = {
    "issues.0": _with("issues: [womens_helth, wages]", "issues"),
    "country": _with("country: Bangladsh", "country"),
    "workforce.women_share": _with("workforce: {women_share: 80}", "workforce"),
    "YAML syntax error": _with("workforce:\n\tsize: 5", "workforce"),
}


def test_readme_error_examples_are_what_match_prints(tmp_path, monkeypatch):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Errors and exit codes", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.startswith("    match: error: client.yaml")]
    assert len(lines) == len(README_EXAMPLES)
    monkeypatch.chdir(tmp_path)
    for line in lines:
        content = next(c for key, c in README_EXAMPLES.items() if f": {key}" in line)
        Path("client.yaml").write_text(content)
        result = CliRunner().invoke(main, ["client.yaml"])
        assert result.exit_code == 2
        assert result.stderr.strip() == line
