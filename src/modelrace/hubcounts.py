"""Dated counts of all public models on the Hugging Face Hub, and claim C4 computed from them.

Why: no public time series of the Hub's size exists, and a count by creation date in one listing
undercounts the past (deleted and private models are gone). So C4 ("nearly doubled in one year
and passed 2 million") is checked on dated points from named public sources, one row each in
``data/reference/hub_counts.csv`` (:func:`load_counts`), each confirmed from a stored copy of a
public page and cited in its ``note``.

Rules (pure functions of the table):
- :func:`passed_level`: the first dated count at or above the level, and the last one below it
  before that: the level was passed between those two dates.
- :func:`growth_about_a_year`: among all pairs of counts, the pair whose distance is closest to
  365 days (within :data:`YEAR_TOLERANCE_DAYS`); its ratio, and the ratio scaled to exactly one
  year assuming steady exponential growth in between (``ratio ** (365 / days)``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import paths
from .validate import InputError, read_exact_csv

COUNTS = paths.REFERENCE / "hub_counts.csv"
COLUMNS = ("date", "models", "kind", "source_url", "note")
KINDS = ("announcement", "paper", "dataset", "listing")
YEAR_TOLERANCE_DAYS = 92  # "about a year apart": 365 ± one quarter


def load_counts(path: Path | None = None) -> pd.DataFrame:
    """``date`` (datetime64), ``models`` (int64), ``kind``, ``source_url``, ``note``; sorted by date.

    Every field filled, ``kind`` in :data:`KINDS`, https sources, dates unique; an error names the
    file, the data row (and line) and the field.
    """
    path = Path(path) if path is not None else COUNTS
    df = read_exact_csv(path, COLUMNS)
    if df.empty:
        raise InputError(f"{path}: no data rows; add the dated counts")

    def fail(i, field, problem):
        raise InputError(f"{path}: data row {i + 1} (line {i + 2}), field {field!r}: {problem}")

    for i, row in df.iterrows():
        for col in COLUMNS:
            if not row[col].strip():
                fail(i, col, "empty; fill it")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]) or pd.isna(pd.to_datetime(row["date"], errors="coerce")):
            fail(i, "date", f"{row['date']!r} is not a YYYY-MM-DD date")
        if not re.fullmatch(r"\d+", row["models"]) or int(row["models"]) <= 0:
            fail(i, "models", f"{row['models']!r} is not a positive whole number (no separators)")
        if row["kind"] not in KINDS:
            fail(i, "kind", f"{row['kind']!r} is not one of {KINDS}")
        if not row["source_url"].startswith("https://"):
            fail(i, "source_url", "not an https URL")
    out = df.assign(date=pd.to_datetime(df["date"]), models=df["models"].astype("int64"))
    dup = out["date"].duplicated(keep=False)
    if dup.any():
        fail(int(out.index[dup][0]), "date", "the same date appears twice; keep one count per date")
    return out.sort_values("date", kind="mergesort").reset_index(drop=True)


def passed_level(counts: pd.DataFrame, level: int) -> dict | None:
    """``{"first_at_or_above": row, "last_below": row or None}``, or None if no count reaches ``level``."""
    above = counts.loc[counts["models"] >= level]
    if above.empty:
        return None
    first = above.iloc[0]
    below = counts.loc[(counts["date"] < first["date"]) & (counts["models"] < level)]
    return {"first_at_or_above": first, "last_below": below.iloc[-1] if len(below) else None}


def growth_about_a_year(counts: pd.DataFrame, *, tolerance_days: int = YEAR_TOLERANCE_DAYS) -> dict | None:
    """The pair of counts closest to 365 days apart (ties: the later pair): start, end, days,
    ratio and ``ratio_one_year``; None when no pair lies within ``tolerance_days`` of a year."""
    best = None
    rows = counts.reset_index(drop=True)
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            days = int((rows.at[j, "date"] - rows.at[i, "date"]).days)
            off = abs(days - 365)
            if off <= tolerance_days and (best is None or (off, -j) < best[0]):
                best = ((off, -j), i, j, days)
    if best is None:
        return None
    _, i, j, days = best
    ratio = rows.at[j, "models"] / rows.at[i, "models"]
    return {"start": rows.iloc[i], "end": rows.iloc[j], "days": days, "ratio": float(ratio),
            "ratio_one_year": float(ratio ** (365 / days))}


def product(counts: pd.DataFrame) -> pd.DataFrame:
    """``data/processed/hub_counts.csv``: the counts notebook 04 draws, as the CSV beside its chart."""
    missing = [c for c in COLUMNS if c not in counts.columns]
    if missing:
        raise ValueError(f"hub counts product: missing column(s) {missing}; pass load_counts()")
    return counts[list(COLUMNS)]


__all__ = ["COLUMNS", "KINDS", "YEAR_TOLERANCE_DAYS", "load_counts", "passed_level", "growth_about_a_year", "product"]
