"""The one formatter: French and English typography of numbers, percentages, counts and dates."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from modelrace import fmt

N = "\u202f"


@pytest.mark.parametrize("lang, value, digits, expected", [
    ("fr", 0.13, 1, f"13,0{N}%"), ("en", 0.13, 1, "13.0%"),
    ("fr", 0.3, 0, f"30{N}%"), ("en", 0.012, 1, "1.2%"),
    ("fr", 12.345, 1, f"1{N}234,5{N}%"), ("en", -0.05, 0, "\u22125%"),
    ("fr", -0.00001, 1, f"0,0{N}%"),
])
def test_pct(lang, value, digits, expected):
    assert fmt.pct(value, lang, digits) == expected


@pytest.mark.parametrize("lang, value, digits, expected", [
    ("fr", 35000, 0, f"35{N}000"), ("en", 35000, 0, "35,000"),
    ("fr", 1234567.891, 2, f"1{N}234{N}567,89"), ("en", 1234567.891, 2, "1,234,567.89"),
    ("fr", 999, 0, "999"), ("en", -1500, 0, "\u22121,500"),
])
def test_num(lang, value, digits, expected):
    assert fmt.num(value, lang, digits) == expected


@pytest.mark.parametrize("lang, value, expected", [
    ("fr", 2_000_000, f"2,0{N}M"), ("en", 2_000_000, "2.0M"),
    ("fr", 5_262_843_956, f"5,3{N}Md"), ("en", 5_262_843_956, "5.3B"),
    ("fr", 35_000, f"35,0{N}k"), ("en", 35_000, "35.0k"), ("fr", 950, "950"),
])
def test_big(lang, value, expected):
    assert fmt.big(value, lang) == expected


def test_big_with_a_forced_unit_keeps_one_unit_on_an_axis():
    assert fmt.big(893_575, "fr", 2, unit="M") == f"0,89{N}M"
    assert fmt.big(250_000, "en", 2, unit="M") == "0.25M"
    with pytest.raises(ValueError, match="unit"):
        fmt.big(1, "en", unit="G")


@pytest.mark.parametrize("lang, date, expected_day, expected_month", [
    ("fr", "2025-08-04", "4 août 2025", "août 2025"), ("en", "2025-08-04", "4 Aug 2025", "Aug 2025"),
    ("fr", "2025-01-01", "1er janv. 2025", "janv. 2025"), ("en", "2025-01-01", "1 Jan 2025", "Jan 2025"),
    ("fr", pd.Timestamp("2026-09-14"), "14 sept. 2026", "sept. 2026"),
])
def test_day_and_month(lang, date, expected_day, expected_month):
    assert fmt.day(date, lang) == expected_day
    assert fmt.month(date, lang) == expected_month


def test_quarter_ratio_and_signed():
    assert fmt.quarter("2025Q4", "fr") == "T4 2025" and fmt.quarter("2025-Q4", "en") == "Q4 2025"
    assert fmt.ratio(1.66, "fr") == "×1,66" and fmt.ratio(1.66, "en") == "×1.66"
    assert fmt.signed_pct(0.66, "fr") == f"+66{N}%" and fmt.signed_pct(-0.02, "en") == "\u22122%"
    assert fmt.pct_range(0.063, 0.065, "fr") == f"6,3{N}%–6,5{N}%"
    assert fmt.points(0.0064, "fr", 2) == f"0,64{N}pt" and fmt.points(0.0064, "en", 2) == "0.64 pp"


@pytest.mark.parametrize("bad", [math.nan, float("inf"), "abc", None])
def test_bad_numbers_are_errors_not_text(bad):
    with pytest.raises(ValueError, match="fmt"):
        fmt.pct(bad, "fr")


def test_unknown_language_and_missing_date_are_errors():
    with pytest.raises(ValueError, match="lang"):
        fmt.num(1, "de")
    with pytest.raises(ValueError, match="date"):
        fmt.day(pd.NaT, "fr")


def test_tick_formatters_use_the_formatter():
    assert fmt.pct_formatter("fr", 0)(0.3, 0) == f"30{N}%"
    assert fmt.num_formatter("en")(35000, 0) == "35,000"
    assert fmt.big_formatter("fr", 1)(2e6, 0) == f"2,0{N}M"
    import matplotlib.dates as mdates

    jan, mar = mdates.date2num(pd.Timestamp("2026-01-01")), mdates.date2num(pd.Timestamp("2026-03-01"))
    month = fmt.month_formatter("fr")
    assert month(jan, 3) == "janv.\n2026" and month(mar, 4) == "mars" and month(mar, 0) == "mars\n2026"
