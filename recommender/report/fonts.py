"""Build ``reports/font.css``: the report's typeface, subset and embedded as data: URLs.

The reports name one font and carry it, so that a page looks the same on every machine and
in every PDF, without a network request. The font is Noto Sans (SIL Open Font License 1.1,
no Reserved Font Name) from Debian's ``fonts-noto-core`` package, cut down with fontTools
to the Latin letters, punctuation and figures a report uses and compressed as WOFF2. The
stylesheet it writes is package data like the other templates; reports only include it.

Regenerate it (a developer task; the tools are not dependencies of match)::

    apt-get install fonts-noto-core
    pip install fonttools brotli
    python -m recommender.report.fonts            # writes reports/font.css
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
from pathlib import Path

__all__ = ["FAMILY", "UNICODES", "FACES", "subset", "font_css", "main"]

#: The family name the report's CSS uses for the embedded subset.
FAMILY = "Noto Sans Subset"

#: What the subset keeps: Basic Latin, Latin-1 and Latin Extended-A (Western and Central
#: European, Turkish), Vietnamese (its letters and combining marks), general punctuation, and
#: the currency and letterlike symbols reports print: about 20 KB a face. Other characters
#: fall back, glyph by glyph, to the system fonts named after it in the CSS.
UNICODES = (
    "U+0020-007E, U+00A0-017F, U+01A0-01A1, U+01AF-01B0, U+0300-0301, U+0303, U+0309, U+0323, "
    "U+1EA0-1EF9, U+2000-206F, U+20A0-20C0, U+2116, U+2122"
)

#: (weight, file in fonts-noto-core). Other weights map to the nearest of these.
FACES = ((400, "NotoSans-Regular.ttf"), (700, "NotoSans-Bold.ttf"))
_DEBIAN = Path("/usr/share/fonts/truetype/noto")
_FEATURES = ("kern", "liga", "calt", "ccmp", "locl", "mark", "mkmk", "tnum", "lnum", "pnum")
_LICENCE = """\
/* The report typeface: Noto Sans, subset by recommender/report/fonts.py (do not edit by hand).
   Copyright 2015 Google LLC. All Rights Reserved.
   This Font Software is licensed under the SIL Open Font License, Version 1.1, available
   with a FAQ at https://openfontlicense.org. No Reserved Font Name is declared; the subset
   is a Modified Version under the licence, embedded here as permitted by its section 2. */
"""


def _ranges(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip().removeprefix("U+")
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo, 16), int(hi or lo, 16) + 1))
    return out


def subset(path: Path) -> bytes:
    """The WOFF2 bytes of the font at ``path``, cut to `UNICODES`, unhinted."""
    from fontTools import subset as ft

    options = ft.Options()
    options.flavor = "woff2"
    options.layout_features = list(_FEATURES)
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and licence names
    options.notdef_outline = True
    font = ft.load_font(str(path), options)
    font.recalcTimestamp = False  # the same input gives the same bytes
    sub = ft.Subsetter(options)
    sub.populate(unicodes=_ranges(UNICODES))
    sub.subset(font)
    buffer = io.BytesIO()
    ft.save_font(font, buffer, options)
    return buffer.getvalue()


def font_css(folder: Path = _DEBIAN) -> str:
    """``font.css``: one ``@font-face`` per `FACES` entry with its subset as a data: URL."""
    rules = [_LICENCE]
    for weight, name in FACES:
        data = base64.b64encode(subset(folder / name)).decode("ascii")
        rules.append(
            "@font-face {\n"
            f'  font-family: "{FAMILY}";\n'
            "  font-style: normal;\n"
            f"  font-weight: {weight};\n"
            "  font-display: block;\n"
            f"  unicode-range: {UNICODES};\n"
            f'  src: url("data:font/woff2;base64,{data}") format("woff2");\n'
            "}\n"
        )
    return "".join(rules)


def main(argv: list[str] | None = None) -> int:
    """Write ``reports/font.css`` (or ``--output``) from the Debian font files."""
    from ..catalogue import _package_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fonts", type=Path, default=_DEBIAN, help="folder holding the Noto Sans TTF files")
    parser.add_argument("--output", type=Path, default=_package_dir("reports") / "font.css", help="CSS to write")
    args = parser.parse_args(argv)
    missing = [name for _, name in FACES if not (args.fonts / name).is_file()]
    if missing:
        print(f"fonts: {', '.join(missing)} not found in {args.fonts}: apt-get install fonts-noto-core",
              file=sys.stderr)
        return 1
    css = font_css(args.fonts)
    args.output.write_text(css, encoding="ascii")
    print(f"{args.output} ({len(css) // 1024} KiB)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
