"""Arbitrary client text reaches the HTML report escaped: found as text, never as markup."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import load_catalogue, recommend
from recommender.catalogue import Catalogue
from recommender.report.render import ReportOptions, render_html, render_markdown
from recommender.vocabulary import clean_text

OPTIONS = ReportOptions(date=dt.date(2026, 11, 25))

hostile = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '"><svg onload=alert(1)>',
        "</style><script>x()</script>",
        "<a href='javascript:alert(1)'>click</a>",
        "{{ 7*7 }} {% raw %}",
        "&lt;b&gt;entity&amp;",
        "<iframe src=//evil.example>",
        "<!-- comment -->",
    ]
)
client_text = st.one_of(
    hostile,
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60),
    st.builds(lambda a, b: a + b, hostile,
        st.text(max_size=20, alphabet=st.characters(blacklist_categories=("Cs", "Cc")))),
).filter(clean_text)


def _profile(name: str, description: str) -> dict:
    return {"name": name, "kind": "factory", "country": "BD", "sector": "garment",
            "issues": ["womens_health", "wages"], "description": description}


def _tags(html: str) -> set[str]:
    return {t.name for t in BeautifulSoup(html, "html.parser").find_all(True)}


BENIGN_TAGS = _tags(render_html(recommend(_profile("Plain Name Ltd", "Plain words.")), OPTIONS))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client_text, client_text)
def test_client_text_is_escaped_in_html(name, description):
    result = recommend(_profile(name, description))
    html = render_html(result, OPTIONS)
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find_all("script")
    assert not soup.find_all("iframe")
    assert _tags(html) <= BENIGN_TAGS, _tags(html) - BENIGN_TAGS
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (tag.name, attr)
            if attr in ("href", "src"):
                assert not str(value).strip().lower().startswith("javascript:"), value
    text = soup.get_text()
    assert result.profile.name in text
    assert result.profile.description in " ".join(text.split()) or " ".join(
        result.profile.description.split()
    ) in " ".join(text.split())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile)
def test_client_text_cannot_inject_markdown_html(name):
    md = render_markdown(recommend(_profile(name, "x")), OPTIONS)
    assert "<script" not in md and "<img" not in md and "<svg" not in md and "<iframe" not in md


# --- catalogue text, report options and links ---------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</title></style><script>x()</script>",
    "<a href='javascript:alert(1)'>click</a>",
    "<link rel=stylesheet href=https://evil.example/a.css>",
    "{{ 7*7 }} {% raw %}",
    "&lt;b&gt; &amp; &#x3C;script&#x3E;",
    "\u202eevil\u202c \u200b\U0001F600 مصنع",
]


def _hostile_catalogue(text: str, *, url: str | None = None) -> Catalogue:
    """The packaged catalogue with ``text`` in every free-text field (and ``url`` in every link)."""
    cat = load_catalogue()
    links = {"url": url} if url else {}
    inits = tuple(
        i.model_copy(update={
            "name": f"{text} {i.id}", "summary": text, "involves": text, "caveats": (text,), "organisation": text,
            "sources": tuple(s.model_copy(update={"title": text, "note": text, **links}) for s in i.sources),
            **links,
        })
        for i in cat
    )
    labelled = {
        section: {k: e.model_copy(update={"label": f"{text} {k}"}) for k, e in getattr(cat.taxonomy, section).items()}
        for section in ("sectors", "issues", "approaches")
    }
    return Catalogue(meta=cat.meta.model_copy(update={"name": text, "description": text}),
                     taxonomy=cat.taxonomy.model_copy(update=labelled), initiatives=inits, path="<hostile>")


def _assert_safe(html: str) -> BeautifulSoup:
    soup = BeautifulSoup(html, "html.parser")
    assert _tags(html) <= BENIGN_TAGS, _tags(html) - BENIGN_TAGS
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (tag.name, attr)
            if attr in ("href", "src", "xlink:href", "action", "formaction"):
                link = str(value).strip()
                assert link.startswith(("https://", "http://", "#", "data:image/")), (tag.name, attr, link)
    for style in [*soup.find_all("style"), *[t for t in soup.find_all(style=True)]]:
        css = style.string or "" if style.name == "style" else style["style"]
        assert not re.search(r"@import|url\(\s*(?!['\"]?\s*(?:data:|#))", css or ""), css[:200]
    assert not soup.find_all("link") and not soup.find_all(src=re.compile(r"^\s*(https?:)?//"))
    return soup


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_catalogue_text_is_escaped_in_html(text):
    cat = _hostile_catalogue(text)
    result = recommend(_profile("Plain Name Ltd", "Plain words."), catalogue=cat, top=5)
    assert result.shortlist, "the hostile text must reach the cards"
    soup = _assert_safe(render_html(result, OPTIONS))
    assert clean_text(text) in " ".join(soup.get_text().split()) or text in soup.get_text()


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>x</script>",
                                 "vbscript:msgbox", "//evil.example/x", "https://ok.example/\"><script>x</script>"])
def test_unsafe_links_never_reach_the_report(url):
    """Even a catalogue that skipped validation cannot put a script URL into a link."""
    cat = _hostile_catalogue("Plain", url=url)
    result = recommend(_profile("Plain Name Ltd", "Plain words."), catalogue=cat, top=5)
    html = render_html(result, OPTIONS)
    _assert_safe(html)
    assert "javascript:" not in html.lower() and "vbscript:" not in html.lower()


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_report_options_are_escaped(text):
    options = dataclasses.replace(OPTIONS, title=text, prepared_by=text)
    soup = _assert_safe(render_html(recommend(_profile("Plain Name Ltd", "x")), options))
    assert clean_text(text) in soup.get_text() or text in soup.get_text()


def test_report_is_self_contained_with_a_restrictive_csp():
    soup = _assert_safe(render_html(recommend(_profile("Plain Name Ltd", "x")), OPTIONS))
    meta = soup.find("meta", attrs={"http-equiv": re.compile("content-security-policy", re.I)})
    assert meta is not None
    policy = {d.split()[0]: d.split()[1:] for d in meta["content"].split(";") if d.strip()}
    assert policy["default-src"] == ["'none'"]
    assert "script-src" not in policy and "connect-src" not in policy
    assert all("http" not in v and "*" not in v for values in policy.values() for v in values)


@pytest.mark.parametrize("name", ["\u202eevil\u202c Ltd", "Zero\u200bWidth\u200d Ltd", "\U0001F9F5\U0001F3ED Threads",
                                  "مصنع النسيج", "שלום Textiles", "Ｆｕｌｌ ｗｉｄｔｈ"])
def test_unusual_unicode_names_round_trip(name):
    result = recommend(_profile(name, "x"))
    soup = _assert_safe(render_html(result, OPTIONS))
    assert result.profile.name in soup.get_text()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(client_text)
def test_arbitrary_catalogue_text_is_escaped(text):
    result = recommend(_profile("Plain Name Ltd", "Plain words."), catalogue=_hostile_catalogue(text), top=3)
    soup = _assert_safe(render_html(result, OPTIONS))
    assert " ".join(clean_text(text).split()) in " ".join(soup.get_text().split())


@pytest.mark.parametrize("text", HOSTILE[:5], ids=range(5))
def test_consultant_notes_are_escaped_too(text):
    cat = _hostile_catalogue(text)
    result = recommend(_profile("Plain Name Ltd", "Plain words."), catalogue=cat, top=3)
    soup = _assert_safe(render_html(result, dataclasses.replace(OPTIONS, notes=True)))
    assert soup.select_one("#notes") is not None
    assert clean_text(text) in " ".join(soup.select_one("#notes").get_text().split()) or text in soup.get_text()
