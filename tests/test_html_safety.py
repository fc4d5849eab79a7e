"""Arbitrary client text reaches the HTML report escaped: found as text, never as markup."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender import recommend
from recommender.render import ReportOptions, render_html, render_markdown

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
).filter(lambda s: s.strip())


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
