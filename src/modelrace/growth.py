"""How fast the Hugging Face Hub grows: new models per month, cumulative count, year-on-year.

Why: claim C4 ("the number of models nearly doubled in one year and passed 2 million") can only
be checked on a count of models by creation month. Two inputs give one: aiWorld's partial
monthly series by task (:func:`modelrace.load.aiworld_model_types`) and, when fetched, a full live
Hub listing (:func:`modelrace.load.hub_listing`, ``created_at``). Both go through the same
monthly totals so the growth figures are computed one way.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

ARTICLE_HUB_MODELS = 2_000_000
"""Claim C4, the article's (quoting Clément Delangue, Hugging Face): the Hub "passed 2 million
models" (Les Echos, January 2026; /work/shared/reference/article.md). Secondary, not a result."""


def month_start(value, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{what}={value!r} is not a date; use 'YYYY-MM-DD' (e.g. '2022-03-01')") from None
    if ts is pd.NaT:
        raise ValueError(f"{what}={value!r} is not a date; use 'YYYY-MM-DD' (e.g. '2022-03-01')")
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_period("M").to_timestamp()


def monthly_by_task(model_types: pd.DataFrame, since: str = "2022-03-01") -> pd.DataFrame:
    """New models per (month, task) from ``since`` on: ``month, task, new_models``, sorted.

    ``model_types`` is :func:`modelrace.load.aiworld_model_types` (``task, month, count``).
    """
    missing = {"task", "month", "count"} - set(model_types.columns)
    if missing:
        raise ValueError(f"model_types lacks column(s) {sorted(missing)}; pass load.aiworld_model_types()")
    start = month_start(since, "since")
    df = model_types.loc[model_types["month"] >= start, ["month", "task", "count"]].rename(columns={"count": "new_models"})
    if df.empty:
        raise ValueError(f"no month on or after since={since!r}; the series ends {model_types['month'].max():%Y-%m}")
    df = df.astype({"new_models": "int64", "task": str})
    return df.sort_values(["month", "task"], kind="mergesort").reset_index(drop=True)


def monthly_totals(by_month: pd.DataFrame, *, base: int = 0) -> pd.DataFrame:
    """Sum ``new_models`` per month and add ``cumulative`` (= ``base`` + running sum).

    ``base`` is the number of models created before the first month (0 for a series that starts
    with the Hub's first dated month). A gap in the months is an error: a missing month would
    silently flatten the cumulative curve.
    """
    totals = by_month.groupby("month", sort=True)["new_models"].sum().astype("int64")
    months = pd.date_range(totals.index.min(), totals.index.max(), freq="MS")
    gaps = months.difference(totals.index)
    if len(gaps):
        raise ValueError(f"month(s) {[f'{m:%Y-%m}' for m in gaps[:3]]} missing from the series; a count of 0 must be explicit")
    out = totals.rename_axis("month").reset_index()
    out["cumulative"] = int(base) + out["new_models"].cumsum()
    return out


@dataclass(frozen=True)
class ListingCounts:
    """A listing's models by creation month; every model is in exactly one of the three parts."""

    monthly: pd.DataFrame  # month, new_models, cumulative (cumulative includes ``before_since``)
    before_since: int  # created before the first month shown
    undated: int  # no ``created_at``: counted here, never dropped silently
    total: int


def listing_monthly(listing: pd.DataFrame, since: str = "2022-03-01") -> ListingCounts:
    """Count a Hub listing's models by creation month (UTC) from ``since`` on."""
    if "created_at" not in listing.columns:
        raise ValueError("the listing has no 'created_at' column; refetch it with `make fetch-hub` (modelrace.hub)")
    start = month_start(since, "since")
    created = pd.to_datetime(listing["created_at"], utc=True).dt.tz_localize(None)
    undated = int(created.isna().sum())
    dated = created.dropna()
    month = dated.dt.to_period("M").dt.to_timestamp()
    before = int((month < start).sum())
    shown = month[month >= start]
    if shown.empty:
        raise ValueError(f"no model of the listing was created on or after since={since!r}")
    counts = shown.value_counts().rename("new_models")
    full = pd.date_range(start, shown.max(), freq="MS")
    by_month = counts.reindex(full, fill_value=0).rename_axis("month").reset_index()
    monthly = monthly_totals(by_month, base=before)
    return ListingCounts(monthly=monthly, before_since=before, undated=undated, total=len(listing))


def growth_over(totals: pd.DataFrame, end_month: str, months: int = 12) -> dict[str, float | int | str]:
    """Growth over the ``months`` months ending with ``end_month`` (inclusive).

    Returns the cumulative count at ``end_month`` and ``months`` earlier with their ratio, and the
    models created in that window and in the window before it with their ratio. Windows that
    are not wholly inside the series are an error, not a partial sum.
    """
    end = month_start(end_month, "end_month")
    series = totals.set_index("month")
    start = end - pd.DateOffset(months=months)
    prev_start = start - pd.DateOffset(months=months)
    first = series.index.min()
    if end not in series.index or start not in series.index or prev_start + pd.DateOffset(months=1) < first:
        raise ValueError(
            f"growth over {months} months to {end:%Y-%m} needs months {prev_start + pd.DateOffset(months=1):%Y-%m}..{end:%Y-%m}; "
            f"the series covers {first:%Y-%m}..{series.index.max():%Y-%m}"
        )
    cum_end = int(series.at[end, "cumulative"])
    cum_start = int(series.at[start, "cumulative"])
    new = series["new_models"]
    new_window = int(new[(new.index > start) & (new.index <= end)].sum())
    new_prev = int(new[(new.index > prev_start) & (new.index <= start)].sum())
    return {
        "end_month": f"{end:%Y-%m}",
        "start_month": f"{start:%Y-%m}",
        "cumulative_end": cum_end,
        "cumulative_start": cum_start,
        "cumulative_ratio": cum_end / cum_start,
        "new_window": new_window,
        "new_previous_window": new_prev,
        "new_ratio": new_window / new_prev,
    }


def last_full_year(totals: pd.DataFrame) -> int:
    """The latest calendar year whose twelve months are all in the series."""
    months = totals["month"]
    per_year = months.dt.year.value_counts()
    full = sorted(y for y, n in per_year.items() if n == 12)
    if not full:
        raise ValueError("no calendar year is complete in the series")
    return int(full[-1])
