"""Numbers from requests, read one way everywhere: ASCII digits only, a bounded length, a range,
and finite floats. Anything else is a ValidationError naming the field (a 400, never a 500).

Python's own parsers are too generous for input: `str.isdigit()` takes "²" and "①", which int()
then refuses; int() takes "٣" (Arabic-Indic), "１２" (fullwidth), "1_000" and padding, and raises
ValueError on 4,300 digits; float() takes "nan", "inf" and "1e999"; JSON gives ints of any size,
on which math.isfinite raises OverflowError. Query strings, form fields and JSON bodies all come
through `parse_int` and `parse_float`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from swingvision.db.errors import ValidationError

# Enough for any count, frame, page or epoch millisecond (and below 2**63, every column's range).
MAX_INT_DIGITS = 18
# A decimal number as a person or a form writes it; the exponent keeps it within a float's range.
MAX_FLOAT_LENGTH = 64
_INT = re.compile(rf"[+-]?[0-9]{{1,{MAX_INT_DIGITS}}}", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)
_SPACE = " \t"


def parse_int(
    field: str, raw: Any, *, lo: int, hi: int, message: str = "must be a whole number"
) -> int:
    """A whole number within lo..hi from a string of ASCII digits (an optional sign) or a JSON
    number with no fraction."""
    if isinstance(raw, bool):
        raise ValidationError(field, message)
    if isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            raise ValidationError(field, message)
        if not lo <= raw <= hi:
            raise ValidationError(field, f"must be between {lo} and {hi}")
        raw = int(raw)
    elif isinstance(raw, str):
        text = raw.strip(_SPACE)
        if not _INT.fullmatch(text):
            raise ValidationError(field, message)
        raw = int(text)
    elif not isinstance(raw, int):
        raise ValidationError(field, message)
    if not lo <= raw <= hi:
        raise ValidationError(field, f"must be between {lo} and {hi}")
    return raw


def parse_float(field: str, raw: Any, *, lo: float, hi: float, strings: bool = True) -> float:
    """A finite number within lo..hi from a decimal string of ASCII digits (with an optional
    fraction and exponent) or a JSON number. `strings=False` takes JSON numbers only."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError(field, "must be a number")
    if isinstance(raw, str):
        if not strings:
            raise ValidationError(field, "must be a number")
        text = raw.strip(_SPACE)
        if _NOT_FINITE.fullmatch(text):
            raise ValidationError(field, "must be a finite number")
        if len(text) > MAX_FLOAT_LENGTH or not _FLOAT.fullmatch(text):
            raise ValidationError(field, "must be a number written with the digits 0-9")
        raw = float(text)
    # Compared before float(): an int of 400 digits would overflow it.
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValidationError(field, "must be a finite number")
    if not lo <= raw <= hi:
        raise ValidationError(field, f"must be between {lo:g} and {hi:g}")
    return float(raw)
