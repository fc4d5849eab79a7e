"""Outputs are written atomically, with safe names, never over the input."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender import InputError, OutputError
from recommender.output import check_not_input, csv_safe, logo_data_uri, safe_filename, write_atomic


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "r.html"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two"
    assert os.listdir(tmp_path) == ["r.html"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_write_atomic_failure_keeps_old_file(tmp_path, monkeypatch):
    target = tmp_path / "r.html"
    target.write_text("earlier")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        write_atomic(target, "new")
    assert target.read_text() == "earlier"
    assert os.listdir(tmp_path) == ["r.html"]


def test_write_atomic_missing_folder(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "r.html", "x")


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Gazipur Knit Ltd", "Gazipur-Knit-Ltd"),
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path", "abs-path"),
        ("a\x00b", "a-b"),
        ("..", "report"),
        ("", "report"),
        ("Café Ünïcode", "Cafe-Unicode"),
        ("x" * 500, "x" * 120),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


@given(st.text(max_size=300))
def test_safe_filename_never_escapes(name):
    out = safe_filename(name, suffix=".html")
    assert "/" not in out and "\\" not in out and "\x00" not in out
    assert out not in (".html", "..html") and not out.startswith(".")
    assert len(out) <= 125


def test_check_not_input(tmp_path):
    src = tmp_path / "p.yaml"
    src.write_text("x")
    with pytest.raises(OutputError, match="overwrite the input"):
        check_not_input(src, [src])
    check_not_input(tmp_path / "p.html", [src])


@pytest.mark.parametrize(
    "value,expected",
    [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (-3.5, -3.5), (7, 7), ("", "")],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_logo_data_uri(tmp_path):
    png = tmp_path / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 10)
    assert logo_data_uri(png).startswith("data:image/png;base64,")
    evil = tmp_path / "evil.svg"
    evil.write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    with pytest.raises(InputError, match="scripts"):
        logo_data_uri(evil)
    txt = tmp_path / "logo.txt"
    txt.write_text("hello")
    with pytest.raises(InputError, match="PNG, JPEG"):
        logo_data_uri(txt)
