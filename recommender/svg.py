"""SVG logos checked by parsing them: plain SVG elements and attributes only.

The logo is parsed with the standard library's expat parser, with no DTD at all (so no
entity can hide a script or read a file) and with namespaces resolved (so ``<svg:script>``
is a script). Every element must be on `ELEMENTS` in the SVG namespace, or metadata of a
drawing program (`METADATA_NAMESPACES`); every attribute on `ATTRIBUTES`; every link a
fragment (``#id``) or an embedded PNG/JPEG/GIF; style sheets and style attributes are read
after their CSS escapes are undone, and may not import or fetch anything.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from .errors import InputError

__all__ = ["check_svg", "ELEMENTS", "ATTRIBUTES"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
#: Namespaces that drawing programs write metadata in; inert, allowed with their attributes.
METADATA_NAMESPACES = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "http://purl.org/dc/elements/1.1/",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://ns.adobe.com/Graphs/1.0/",
    "http://ns.adobe.com/SaveForWeb/1.0/",
    "http://ns.adobe.com/Extensibility/1.0/",
    "http://www.bohemiancoding.com/sketch/ns",
    "http://www.serif.com/",
})

#: Static SVG: shapes, text, paint servers, clipping, masks and filters. No scripts, no
#: animation (``set``, ``animate``), no links (``a``), no embedded documents.
ELEMENTS = frozenset("""
svg g defs desc title metadata symbol use image switch style
path rect circle ellipse line polyline polygon text tspan textPath
clipPath mask pattern marker linearGradient radialGradient stop
filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur
feImage feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile
feTurbulence
""".split())
# Elements refused as dangerous rather than merely unknown (a clearer message).
_DANGEROUS = frozenset("""
script handler listener foreignObject a set animate animateColor animateMotion animateTransform
discard iframe embed object audio video cursor font-face-uri
""".split())

#: Attributes (without namespace) a plain SVG logo uses.
ATTRIBUTES = frozenset("""
id class style lang tabindex transform viewBox preserveAspectRatio version baseProfile x y x1 y1 x2 y2
cx cy r rx ry fx fy fr width height d points pathLength dx dy rotate textLength lengthAdjust
startOffset method spacing side offset gradientUnits gradientTransform spreadMethod patternUnits
patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits markerUnits markerWidth
markerHeight refX refY orient filterUnits primitiveUnits in in2 result stdDeviation edgeMode mode
operator k1 k2 k3 k4 values type tableValues slope intercept amplitude exponent order kernelMatrix
divisor bias targetX targetY preserveAlpha surfaceScale diffuseConstant specularConstant
specularExponent kernelUnitLength limitingConeAngle pointsAtX pointsAtY pointsAtZ azimuth elevation z
scale xChannelSelector yChannelSelector radius baseFrequency numOctaves seed stitchTiles
requiredFeatures requiredExtensions systemLanguage enable-background media title
alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
color-interpolation-filters color-profile color-rendering direction display dominant-baseline fill
fill-opacity fill-rule filter flood-color flood-opacity font font-family font-size font-size-adjust
font-stretch font-style font-variant font-weight glyph-orientation-horizontal
glyph-orientation-vertical image-rendering isolation kerning letter-spacing lighting-color
marker-end marker-mid marker-start mask mask-type mix-blend-mode opacity overflow paint-order
pointer-events shape-rendering stop-color stop-opacity stroke stroke-dasharray stroke-dashoffset
stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity stroke-width text-anchor
text-decoration text-rendering transform-origin unicode-bidi vector-effect visibility word-spacing
writing-mode xml:space href
""".split())
_DATA_ATTRIBUTE = re.compile(r"(?:data|aria)-[a-z0-9_.-]+")
_HREF_ALLOWED = re.compile(r"#[^\s]*|data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")

# CSS: escapes undone (\72 is "r", "\l" is "l"), comments dropped; then no fetching
# construct may remain. ``url(`` is allowed for a fragment or an embedded image only.
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?|\\(.)", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_FORBIDDEN = re.compile(r"@import|@namespace|image-set\(|-webkit-image-set\(|image\(|cross-fade\(|element\("
                            r"|expression\(|javascript:|vbscript:|-moz-binding|behavior\s*:|src\s*\(", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)\s*(.*?)\1?\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_URL_START = re.compile(r"url\(", re.IGNORECASE)

_UNSAFE = "SVG logo contains scripts, event handlers or links to other files"
_HINT = "export a plain SVG (in Inkscape: Save As, Plain SVG) or a PNG"


def _css_unescape(text: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(1):
            code = int(m.group(1), 16)
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        return m.group(2) if m.group(2) not in "\r\n\f" else ""
    return _CSS_ESCAPE.sub(one, text)


def css_problem(text: str) -> str | None:
    """What in a style sheet or style attribute could fetch or run something, or None."""
    plain = _CSS_COMMENT.sub(" ", _css_unescape(text))
    plain = _INVISIBLE.sub(lambda m: " " if m.group().strip() == "" else "", plain)
    bad = _CSS_FORBIDDEN.search(plain)
    if bad:
        return f"the style {bad.group().rstrip('(').strip()!r}"
    urls = list(_CSS_URL.finditer(plain))
    if len(urls) != len(_CSS_URL_START.findall(plain)):
        return "a style url( that is not closed"
    for m in urls:
        if not _HREF_ALLOWED.fullmatch(_INVISIBLE.sub("", m.group(2))):
            return f"a style url({m.group(2)[:40]!r})"
    return None


def _local(name: str) -> tuple[str, str]:
    uri, _, local = name.rpartition(" ")
    return uri, local


def check_svg(raw: bytes, *, source: str) -> None:
    """Raise `InputError` unless ``raw`` is a UTF-8 SVG document of allowed elements and attributes."""
    data = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("SVG logo is not UTF-8 text", source=source, hint="save it as UTF-8, or use a PNG") from None

    def unsafe(detail: str) -> InputError:
        return InputError(f"{_UNSAFE} ({detail})", source=source, hint=_HINT)

    def not_plain(detail: str) -> InputError:
        return InputError(f"SVG logo contains {detail}, which is not plain SVG", source=source, hint=_HINT)

    problems: list[InputError] = []
    stack: list[tuple[str, bool]] = []  # (SVG element name or "", inside metadata)
    style_text: list[str] = []
    seen_root = [False]

    def fail(err: InputError) -> None:
        problems.append(err)
        raise _Stop

    def start(name: str, attrs: dict[str, str]) -> None:
        uri, local = _local(name)
        shown = f"<{local}>" if uri in (SVG_NS, "") else f"<{local}> of {uri}"
        if not seen_root[0]:
            seen_root[0] = True
            if (uri, local) != (SVG_NS, "svg"):
                fail(InputError("SVG logo's root element is not <svg> in the SVG namespace",
                                source=source, hint=_HINT))
        if uri == SVG_NS and local in _DANGEROUS:
            fail(unsafe(shown))
        inert = bool(stack and stack[-1][1]) or uri in METADATA_NAMESPACES or (uri, local) == (SVG_NS, "metadata")
        if not inert and (uri != SVG_NS or local not in ELEMENTS):
            fail(not_plain(f"the element {shown}"))
        for key, value in attrs.items():
            a_uri, a_local = _local(key)
            flat = _INVISIBLE.sub("", value).lower()
            if a_local.lower().startswith("on"):
                fail(unsafe(f"the event handler {a_local}= on {shown}"))
            if a_local in ("href", "src"):
                if not _HREF_ALLOWED.fullmatch(_INVISIBLE.sub("", value)):
                    fail(unsafe(f"a link to {value[:60]!r} on {shown}"))
                continue
            if "javascript:" in flat or "vbscript:" in flat:
                fail(unsafe(f"a script in {a_local}= on {shown}"))
            if inert or a_uri in METADATA_NAMESPACES:
                continue
            if a_uri == XML_NS:
                if a_local not in ("space", "lang"):
                    fail(not_plain(f"the attribute xml:{a_local}"))
                continue
            if a_uri == XLINK_NS and a_local in ("title", "type", "show", "actuate", "role", "arcrole"):
                continue
            if a_uri or not (a_local in ATTRIBUTES or _DATA_ATTRIBUTE.fullmatch(a_local)):
                fail(not_plain(f"the attribute {a_local}= on {shown}"))
            problem = css_problem(value)
            if problem:
                fail(unsafe(f"{problem} in {a_local}= on {shown}"))
        stack.append((local if uri == SVG_NS else "", inert))

    def end(name: str) -> None:
        top, inert = stack.pop()
        if top == "style" and not inert:
            problem = css_problem("".join(style_text))
            style_text.clear()
            if problem:
                fail(unsafe(f"{problem} in <style>"))

    def text(data: str) -> None:
        if stack and stack[-1] == ("style", False):
            style_text.append(data)

    def doctype(*args: object) -> None:
        fail(unsafe("a DOCTYPE, whose entities can hide scripts or read files"))

    def instruction(target: str, data: str) -> None:
        fail(unsafe(f"the processing instruction <?{target}?>"))

    def declaration(version: str | None, encoding: str | None, standalone: int) -> None:
        if encoding and encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            fail(InputError(f"SVG logo declares the encoding {encoding!r}", source=source,
                            hint="save it as UTF-8, or use a PNG"))

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    parser.XmlDeclHandler = declaration
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Stop:
        raise problems[0] from None
    except expat.ExpatError as exc:
        raise InputError(f"SVG logo is not well-formed XML: {expat.ErrorString(exc.code)}", source=source,
                         line=exc.lineno, hint=_HINT) from None
    if not seen_root[0]:
        raise InputError("SVG logo holds no <svg> element", source=source, hint=_HINT)


class _Stop(Exception):
    """Ends parsing at the first problem (raised from inside an expat handler)."""
