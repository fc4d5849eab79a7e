"""Numbers read with explicit limits on digits and range, checked before any conversion.

Python's ``int("9" * 5000)`` raises ValueError past 4,300 digits and ``float(10 ** 309)``
raises OverflowError: a cell or a YAML value that long must be a clear error for its own
row or field, never a crash. Every count or share the tool reads is far shorter than
`MAX_DIGITS`.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

__all__ = ["MAX_DIGITS", "NumberError", "number_problem", "parse_number"]

#: The most digits a number may have (workforce sizes and shares need under ten).
MAX_DIGITS = 30

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_LOG10_2 = math.log10(2)
_SEPARATORS = re.compile(r"(?<=\d)[, _](?=\d)")


class NumberError(ValueError):
    """Raised by `parse_number` for a number that has too many digits or is out of range."""


def number_problem(value: Any, *, max_digits: int = MAX_DIGITS) -> str | None:
    """Why ``value`` cannot be read as a count or a share, or None when it can (or is no number).

    Text is judged by its digits once thousands separators and a ``%`` are set aside
    (``"1,200"`` has four), integers by their size, floats by being finite; anything else
    (None, words, lists) gives None: its checks come later.

    >>> number_problem(1200) is None, number_problem("9" * 400)
    (True, 'is a number with 400 digits (at most 30)')
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = _SEPARATORS.sub("", value.strip().removesuffix("%"))
        try:
            parse_number(text, max_digits=max_digits)
        except NumberError as exc:
            return str(exc)
        return None
    if isinstance(value, numbers.Integral):
        digits = int(int(value).bit_length() * _LOG10_2) + 1
        return f"is a number with about {digits:,} digits (at most {max_digits})" if digits > max_digits else None
    if isinstance(value, numbers.Real):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            return "is too large to be a number"
        return "is too large to be a number (infinite)" if math.isinf(number) else None
    return None


def parse_number(text: str, *, max_digits: int = MAX_DIGITS) -> int | float | None:
    """A plain number written as text (``"4200"``, ``"-0.5"``, ``"1e3"``), or None when ``text``
    is not one. Raises `NumberError` when it has more than ``max_digits`` digits or its
    value is beyond a float's range.

    >>> parse_number("4200"), parse_number("0.8"), parse_number("80%")
    (4200, 0.8, None)
    """
    value = text.strip()
    if not _NUMBER.fullmatch(value):
        return None
    mantissa, _, exponent = value.lower().partition("e")
    digits = sum(c.isdigit() for c in mantissa)
    if digits > max_digits:
        raise NumberError(f"is a number with {digits:,} digits (at most {max_digits})")
    if not exponent and "." not in mantissa:
        return int(mantissa)
    number = float(value) if len(exponent) <= 6 else math.inf
    if math.isinf(number):
        raise NumberError("is too large to be a number")
    return number
