"""Numbers and dates as a reader of each language expects them.

Why: French typography puts a narrow no-break space (U+202F) before "%" and between thousands
("13,0 %", "35 000", "2,0 M") and a decimal comma; English writes "13.0%", "35,000", "2.0M".
One module so every printed number and label agrees. (API shared with the other notebooks:
``pct``, ``num``, ``big``, ``day``, ``month``.)
"""

from __future__ import annotations

import pandas as pd

NNBSP = "\u202f"
LANGS = ("fr", "en")
_MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _check(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return lang


def num(value: float, lang: str, digits: int = 0) -> str:
    """35 000 (fr, U+202F) or 35,000 (en); ``digits`` decimals."""
    _check(lang)
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def pct(value: float, lang: str, digits: int = 1) -> str:
    """A share (0..1) as "13,0 %" (fr) or "13.0%" (en)."""
    text = num(100 * value, lang, digits)
    return f"{text}{NNBSP}%" if lang == "fr" else f"{text}%"


def big(value: float, lang: str, digits: int = 1) -> str:
    """Large counts: "2,0 M" / "2.0M", "1,3 T" / "1.3T" (millions, billions as G, trillions as T)."""
    _check(lang)
    for size, unit_fr, unit_en in ((1e12, "T", "T"), (1e9, "Md", "B"), (1e6, "M", "M"), (1e3, "k", "k")):
        if abs(value) >= size:
            text = num(value / size, lang, digits)
            return f"{text}{NNBSP}{unit_fr}" if lang == "fr" else f"{text}{unit_en}"
    return num(value, lang, 0)


def day(date, lang: str) -> str:
    """"2 déc. 2024" / "2 Dec 2024" ("1er" for the first of a month in French)."""
    _check(lang)
    ts = pd.Timestamp(date)
    d = "1er" if lang == "fr" and ts.day == 1 else str(ts.day)
    return f"{d} {_MONTHS[lang][ts.month - 1]} {ts.year}"


def month(date, lang: str) -> str:
    """"déc. 2024" / "Dec 2024"."""
    _check(lang)
    ts = pd.Timestamp(date)
    return f"{_MONTHS[lang][ts.month - 1]} {ts.year}"
