"""Numbers, percentages, large counts and dates in French or English: the collection's one formatter.

Why: a French chart that says "11.5%" beside "13,0 %" reads as careless, and a number formatted by
hand in one place drifts from the same number formatted elsewhere. Every tick, label, annotation,
caption and printed number goes through these functions (and the tick formatters built on them).

Decisions (French typography after the *Lexique des règles typographiques en usage à l'Imprimerie
nationale*; English after common newspaper style):

- French separates the thousands and puts the unit (``%``, ``k``, ``M``, ``Md``) after a **narrow
  no-break space** (U+202F), and writes the decimal comma: ``13,0 %``, ``35 000``, ``2,0 M``.
  English writes ``13.0%``, ``35,000``, ``2.0M``.
- Negative numbers take the minus sign U+2212 in both languages (as matplotlib's own ticks do).
- :func:`big` abbreviates thousands, millions and billions: ``k``/``M``/``Md`` (milliard) in
  French, ``k``/``M``/``B`` in English; below 1,000 it is :func:`num`.
- Months: French abbreviations of the *Lexique* (``janv.``, ``févr.``, ``mars``, ``avr.``,
  ``mai``, ``juin``, ``juil.``, ``août``, ``sept.``, ``oct.``, ``nov.``, ``déc.``), the first of
  the month written ``1er``; English three-letter months without a full stop (``4 Aug 2025``).
"""

from __future__ import annotations

import math

import pandas as pd

LANGS = ("fr", "en")
NNBSP = "\u202f"  # narrow no-break space: French thousands and units
MINUS = "\u2212"

MONTHS = {
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_BIG_UNITS = {"fr": ((1e9, "Md"), (1e6, "M"), (1e3, "k")), "en": ((1e9, "B"), (1e6, "M"), (1e3, "k"))}


def _check(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return lang


def _finite(value, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"fmt.{what}: {value!r} is not a number") from None
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"fmt.{what}: {value!r} is not a finite number; drop or explain the missing value first")
    return x


def _digits(x: float, lang: str, digits: int) -> str:
    """``x`` with ``digits`` decimals and the language's separators; sign as U+2212."""
    text = f"{abs(x):,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    negative = x < 0 and float(f"{abs(x):.{digits}f}") != 0  # "-0.0" is written "0.0"
    return (MINUS if negative else "") + text


def num(value, lang: str, digits: int = 0) -> str:
    """35000 → "35 000" (fr, U+202F) or "35,000" (en); ``digits`` decimals."""
    _check(lang)
    return _digits(_finite(value, "num"), lang, digits)


def pct(value, lang: str, digits: int = 1) -> str:
    """A fraction as a percentage: 0.13 → "13,0 %" (fr, U+202F before %) or "13.0%" (en)."""
    _check(lang)
    text = _digits(100 * _finite(value, "pct"), lang, digits)
    return f"{text}{NNBSP}%" if lang == "fr" else f"{text}%"


def points(value, lang: str, digits: int = 1) -> str:
    """A difference of two shares in percentage points: 0.0064 → "0,64 pt" (fr, U+202F) / "0.64 pp" (en)."""
    _check(lang)
    text = _digits(100 * _finite(value, "points"), lang, digits)
    return f"{text}{NNBSP}pt" if lang == "fr" else f"{text} pp"


def pct_range(low, high, lang: str, digits: int = 1) -> str:
    """A band "6,3 %–6,5 %" / "6.3%–6.5%" (en dash, no spaces)."""
    return f"{pct(low, lang, digits)}–{pct(high, lang, digits)}"


def big(value, lang: str, digits: int = 1, *, unit: str | None = None) -> str:
    """A large count abbreviated: 2e6 → "2,0 M" (fr) / "2.0M" (en); 3.5e9 → "3,5 Md" / "3.5B".

    ``unit`` ("k", "M" or "B") forces one unit, so the ticks of one axis share it (0,25 M … 2,00 M).
    """
    _check(lang)
    x = _finite(value, "big")
    if unit is not None:
        sizes = {"k": 1e3, "M": 1e6, "B": 1e9}
        if unit not in sizes:
            raise ValueError(f"fmt.big: unit must be one of {sorted(sizes)}, not {unit!r}")
        name = dict((s, u) for s, u in _BIG_UNITS[lang])[sizes[unit]]
        text = _digits(x / sizes[unit], lang, digits)
        return f"{text}{NNBSP}{name}" if lang == "fr" else f"{text}{name}"
    for size, unit in _BIG_UNITS[lang]:
        if abs(x) >= size:
            text = _digits(x / size, lang, digits)
            return f"{text}{NNBSP}{unit}" if lang == "fr" else f"{text}{unit}"
    return _digits(x, lang, 0)


def ratio(value, lang: str, digits: int = 2) -> str:
    """A multiplier: 1.66 → "×1,66" (fr) / "×1.66" (en)."""
    return "×" + num(value, lang, digits)


def signed_pct(value, lang: str, digits: int = 0) -> str:
    """A change as a percentage with its sign: 0.66 → "+66 %" / "+66%"; −0.05 → "−5 %"."""
    x = _finite(value, "signed_pct")
    text = pct(x, lang, digits)
    return text if text.startswith(MINUS) or float(f"{100 * abs(x):.{digits}f}") == 0 else "+" + text


def _ts(date, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(date)
    except (TypeError, ValueError):
        raise ValueError(f"fmt.{what}: {date!r} is not a date") from None
    if pd.isna(ts):
        raise ValueError(f"fmt.{what}: a missing date cannot be written")
    return ts


def month_name(month: int, lang: str) -> str:
    """The month's name as written in a date ("août", "Aug"); 1 = January."""
    return MONTHS[_check(lang)][month - 1]


def day(date, lang: str) -> str:
    """"4 août 2025" / "1er août 2025" (fr), "4 Aug 2025" (en)."""
    _check(lang)
    ts = _ts(date, "day")
    d = "1er" if lang == "fr" and ts.day == 1 else str(ts.day)
    return f"{d} {month_name(ts.month, lang)} {ts.year}"


def month(date, lang: str) -> str:
    """"août 2025" (fr), "Aug 2025" (en)."""
    _check(lang)
    ts = _ts(date, "month")
    return f"{month_name(ts.month, lang)} {ts.year}"


def quarter(label: str, lang: str) -> str:
    """"2025Q4" or "2025-Q4" as "T4 2025" (fr, trimestre) or "Q4 2025" (en)."""
    _check(lang)
    year, n = str(label).replace("-", "").split("Q")
    return f"{'T' if lang == 'fr' else 'Q'}{n} {year}"


# --- matplotlib tick formatters ---------------------------------------------------------------

def pct_formatter(lang: str, digits: int = 0):
    """Tick labels for an axis of fractions (0.3 → "30 %" / "30%")."""
    from matplotlib.ticker import FuncFormatter

    _check(lang)
    return FuncFormatter(lambda v, _pos: pct(v, lang, digits))


def num_formatter(lang: str, digits: int = 0):
    from matplotlib.ticker import FuncFormatter

    _check(lang)
    return FuncFormatter(lambda v, _pos: num(v, lang, digits))


def big_formatter(lang: str, digits: int = 1, *, unit: str | None = None):
    from matplotlib.ticker import FuncFormatter

    _check(lang)
    return FuncFormatter(lambda v, _pos: big(v, lang, digits, unit=unit) if v else "0")


def month_formatter(lang: str):
    """Date-axis ticks: the month, with the year under it on January and on the first tick."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    _check(lang)

    def _format(v, pos):
        ts = pd.Timestamp(mdates.num2date(v)).tz_localize(None)
        name = month_name(ts.month, lang)
        return f"{name}\n{ts.year}" if ts.month == 1 or pos == 0 else name

    return FuncFormatter(_format)


def date_axis(ax, lang: str, *, axis: str = "x", months: int | None = None) -> None:
    """Month ticks on a time axis (every ``months`` months; chosen from the span if None)."""
    import matplotlib.dates as mdates

    target = ax.xaxis if axis == "x" else ax.yaxis
    if months is None:
        lo, hi = (ax.get_xlim() if axis == "x" else ax.get_ylim())
        span_months = (hi - lo) / 30.4
        months = next(m for m in (1, 2, 3, 4, 6, 12, 24) if span_months / m <= 14)
    target.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, months) if 12 % months == 0 else None, interval=1 if 12 % months == 0 else months))
    target.set_major_formatter(month_formatter(lang))


def pct_frame(frame, lang: str, digits: int = 1):
    """A table of fractions as a table of percentage strings, for printing."""
    return frame.apply(lambda col: col.map(lambda v: pct(v, lang, digits)))
