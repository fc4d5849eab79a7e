"""Outputs are written atomically, with safe names, never over the input."""

from __future__ import annotations

import errno
import os
import tempfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender import InputError, MatchError, OutputError
from recommender.errors import printable
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
    with pytest.raises(MatchError, match="disk full") as info:
        write_atomic(target, "new")
    assert info.value.exit_code == 1  # the machine, not the user's input
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
        ("CON", "CON_"),
        ("nul.txt", "nul_.txt"),
        ("Com1 Ltd", "Com1-Ltd"),
        ("\u202eevil\u202c \U0001F600 Ltd", "evil-Ltd"),
        ("\u200b\u200b", "report"),
        ("C:\\Windows\\x", "C-Windows-x"),
        ("-rf --no-preserve-root", "rf-no-preserve-root"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


@given(st.text(max_size=300))
def test_safe_filename_never_escapes(name):
    out = safe_filename(name, suffix=".html")
    assert "/" not in out and "\\" not in out and "\x00" not in out
    assert out not in (".html", "..html") and not out.startswith((".", "-"))
    assert len(out) <= 125
    assert out.partition(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


def test_check_not_input(tmp_path):
    src = tmp_path / "p.yaml"
    src.write_text("x")
    with pytest.raises(OutputError, match="overwrite the input"):
        check_not_input(src, [src])
    check_not_input(tmp_path / "p.html", [src])
    (tmp_path / "sub").mkdir()
    with pytest.raises(OutputError, match="overwrite the input"):
        check_not_input(tmp_path / "sub" / ".." / "p.yaml", [src])
    link = tmp_path / "link.yaml"
    link.symlink_to(src)
    with pytest.raises(OutputError, match="overwrite the input"):
        check_not_input(link, [src])


def test_check_not_input_covers_files_in_input_folders(tmp_path):
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "eti.yaml").write_text("x")
    with pytest.raises(OutputError, match="input folder"):
        check_not_input(cat / "eti.yaml", [cat])
    with pytest.raises(OutputError, match="inside the input folder"):  # a new file there too: a template,
        check_not_input(cat / "new-report.html", [cat])  # a catalogue file, read by the next run
    with pytest.raises(OutputError, match="inside the input folder"):
        check_not_input(cat / "sub" / "deeper.html", [cat])
    with pytest.raises(OutputError, match="overwrite the input folder"):
        check_not_input(cat, [cat])
    check_not_input(tmp_path / "new-report.html", [cat])  # beside the input folder is fine
    check_not_input("a\x00b", [cat])  # cannot be an input; writing it fails clearly later


@pytest.mark.parametrize(
    "make,needle",
    [
        (lambda t: (t / "folder").mkdir() or t / "folder", "is a folder"),
        (lambda t: t / "nope" / "r.html", "does not exist"),
        (lambda t: (t / "f").write_text("x") and t / "f" / "r.html", "is not a folder"),
        (lambda t: t / ("x" * 300 + ".html"), "file name is too long"),
        (lambda t: t / "a\x00b.html", "NUL"),
    ],
    ids=["target-is-a-folder", "missing-folder", "parent-is-a-file", "name-too-long", "nul-in-path"],
)
def test_write_atomic_refuses_bad_paths(tmp_path, make, needle):
    target = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(OutputError, match=needle) as info:
        write_atomic(target, "x")
    assert info.value.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "code,cls,exit_code,hint",
    [(errno.EACCES, OutputError, 2, "choose a folder you can write to"),
     (errno.EROFS, OutputError, 2, "choose a folder you can write to"),
     (errno.ENOSPC, MatchError, 1, "no earlier file was changed"),
     (errno.EIO, MatchError, 1, "no earlier file was changed")],
    ids=["permission", "read-only-fs", "disk-full", "io-error"],
)
def test_write_atomic_turns_os_errors_into_ours(tmp_path, monkeypatch, code, cls, exit_code, hint):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", fail)
    with pytest.raises(cls) as info:
        write_atomic(tmp_path / "r.html", "x")
    assert info.value.exit_code == exit_code
    assert os.strerror(code) in info.value.describe() and hint in info.value.describe()


def test_write_atomic_writes_into_a_pipe_without_replacing_it(tmp_path):
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_atomic(fifo, "hello")
    reader.join(10)
    assert fifo.is_fifo() and got == [b"hello"]
    assert os.listdir(tmp_path) == ["pipe"]


@pytest.mark.parametrize(
    "value,expected",
    [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (-3.5, -3.5), (7, 7), ("", ""),
     ("-3.5", "-3.5"), ("+44", "+44"), ("-1e5", "-1e5"), ("-", "'-"), ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
     ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"), ("@", "'@"), (None, None)],
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


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<a xlink:href="javascript:alert(1)"><rect/></a>',
        '<rect onclick = "x()"/>',
        '<image href="https://evil.example/pixel.png"/>',
        "<use xlink:href='other.svg#a'/>",
        "<style>@import url(https://evil.example/a.css)</style>",
        '<rect style="fill: url( https://evil.example/x )"/>',
        "<foreignObject><div>html</div></foreignObject>",
    ],
    ids=["script", "javascript-link", "handler", "remote-image", "other-file", "css-import", "css-url", "html"],
)
def test_unsafe_svg_logos_are_refused(tmp_path, body):
    path = tmp_path / "logo.svg"
    path.write_text(SVG.format(body))
    with pytest.raises(InputError, match="scripts, event handlers or links"):
        logo_data_uri(path)


# The filter bypasses of issue 14 and their relatives: a parser sees through each.
SVG_NS = SVG.replace("<svg ", '<svg xmlns:svg="http://www.w3.org/2000/svg" ')
BYPASSES = [
    ("namespaced-script", "<svg:script>alert(1)</svg:script>", "<script>"),
    ("set-href-to-javascript", '<a><set attributeName="href" to="&#106;avascript:alert(1)"/></a>', "<a>"),
    ("set-alone", '<set attributeName="href" to="&#106;avascript:alert(1)"/>', "<set>"),
    ("animate-href", '<animate attributeName="xlink:href" values="javascript:alert(1)"/>', "<animate>"),
    ("css-escape-in-url", '<rect style="fill: u\\72l(https://evil.example/x)"/>', "url("),
    ("css-escape-in-import", '<style>@\\69mport "https://evil.example/a.css";</style>', "@import"),
    ("css-comment-before-url", '<style>rect { fill:/**/url(https://evil.example/x) }</style>', "url("),
    ("css-image-set", '<rect style="fill: image-set(\'https://evil.example/x.png\' 1x)"/>', "image-set"),
    ("css-in-cdata", "<style><![CDATA[ rect { fill: url(https://evil.example/x) } ]]></style>", "url("),
    ("presentation-attribute-url", '<rect fill="url(https://evil.example/x)"/>', "url("),
    ("svg-tiny-handler", '<handler type="application/ecmascript">alert(1)</handler>', "<handler>"),
    ("entity-in-doctype", None, "DOCTYPE"),
    ("stylesheet-instruction", None, "processing instruction"),
    ("javascript-with-tab", '<image href="java\tscript:alert(1)"/>', "a link to"),
    ("zero-width-in-url", '<rect style="fill: ur\u200bl(https://evil.example/x)"/>', "url("),
    ("href-other-namespace", '<use xmlns:l="http://www.w3.org/1999/xlink" l:href="https://evil.example/a#b"/>',
     "a link to"),
    ("nested-svg-data-uri", '<image href="data:image/svg+xml;base64,PHN2Zy8+"/>', "a link to"),
    ("iframe", '<iframe src="https://evil.example/"/>', "<iframe>"),
]


@pytest.mark.parametrize("body,needle", [(b, n) for _, b, n in BYPASSES], ids=[c[0] for c in BYPASSES])
def test_svg_filter_bypasses_are_refused(tmp_path, body, needle):
    path = tmp_path / "logo.svg"
    if body is None:
        prolog = ('<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">]>'
                  if needle == "DOCTYPE" else '<?xml-stylesheet href="https://evil.example/a.css"?>')
        path.write_text('<?xml version="1.0"?>' + prolog + SVG_NS.format("<text>x</text>"))
    else:
        path.write_text(SVG_NS.format(body), encoding="utf-8")
    with pytest.raises(InputError, match="scripts, event handlers or links to other files") as info:
        logo_data_uri(path)
    assert needle in info.value.describe()


@pytest.mark.parametrize("body,needle", [
    ('<rect foo="1"/>', "the attribute foo="),
    ('<x:thing xmlns:x="urn:x"/>', "the element <thing> of urn:x"),
    ("<video/>", "<video>"),
], ids=["unknown-attribute", "foreign-element", "media-element"])
def test_svg_outside_the_allow_list_is_refused(tmp_path, body, needle):
    path = tmp_path / "logo.svg"
    path.write_text(SVG.format(body))
    with pytest.raises(InputError) as info:
        logo_data_uri(path)
    assert needle in info.value.describe()


@pytest.mark.parametrize("raw,needle", [
    (b"<svg", "not well-formed XML"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>', "undefined entity"),
    (b"<html><body/></html>", "root element is not <svg>"),
    (b'<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>', "ISO-8859-1"),
], ids=["truncated", "html-entity", "not-svg", "declared-latin-1"])
def test_svg_that_is_not_a_plain_svg_document(tmp_path, raw, needle):
    path = tmp_path / "logo.svg"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=needle):
        logo_data_uri(path)


def test_an_inkscape_svg_with_metadata_is_fine(tmp_path):
    path = tmp_path / "logo.svg"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- Created with Inkscape -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" width="210mm" height="297mm" viewBox="0 0 210 297" '
        'version="1.1" id="svg8" inkscape:version="1.2" sodipodi:docname="logo.svg">'
        '<sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:zoom="0.35"/>'
        '<metadata id="metadata5"><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format>'
        '<dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/></cc:Work></rdf:RDF></metadata>'
        '<g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">'
        '<path style="fill:#1a5e63;stroke-width:0.26" d="M 10,10 H 100 V 100 Z" id="rect1"/>'
        '<text xml:space="preserve" style="font-size:10.58px;font-family:sans-serif" x="20" y="50" '
        'data-name="caption"><tspan sodipodi:role="line" x="20" y="50">Acme</tspan></text></g></svg>')
    assert logo_data_uri(path).startswith("data:image/svg+xml;base64,")


def test_svg_logo_checks_cannot_be_dodged(tmp_path):
    doctype = tmp_path / "entity.svg"
    doctype.write_text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       + SVG.format("<text>&x;</text>"))
    with pytest.raises(InputError, match="DOCTYPE"):
        logo_data_uri(doctype)
    utf16 = tmp_path / "utf16.svg"
    utf16.write_bytes(SVG.format("<script>alert(1)</script>").encode("utf-16"))
    with pytest.raises(InputError, match="not UTF-8"):
        logo_data_uri(utf16)


def test_plain_svg_logo_with_internal_references_is_fine(tmp_path):
    path = tmp_path / "logo.svg"
    path.write_text(SVG.format('<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use xlink:href="#g"/>'
                               '<image href="data:image/png;base64,iVBORw0KGgo="/>'))
    assert logo_data_uri(path).startswith("data:image/svg+xml;base64,")


@pytest.mark.parametrize("make,needle", [
    (lambda t: t, "is a folder"),
    (lambda t: t / "nope.png", "no such logo file"),
    (lambda t: (t / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(600 * 1024)) and t / "big.png", "larger than"),
], ids=["folder", "missing", "huge"])
def test_bad_logo_files(tmp_path, make, needle):
    with pytest.raises(InputError, match=needle):
        logo_data_uri(make(tmp_path))


def test_error_messages_are_one_printable_line():
    err = MatchError("unknown field", source="p.yaml", line=3, field="\x1b]0;owned\x07\nx\u202e", hint="fix")
    text = err.describe()
    assert "\x1b" not in text and "\n" not in text and "\u202e" not in text
    assert text == "p.yaml:3: \\x1b]0;owned\\x07\\nx\\u202e: unknown field (fix)"
    assert printable("café 😀 مصنع") == "café 😀 مصنع"
