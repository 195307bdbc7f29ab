"""The Chinese share of OpenRouter tokens before the Data API (2024), estimated with an honest band.

Why: the Data API starts on 2025-01-01, so the article's "about 1 % in December 2024" (claim C1)
rests on the only per-model token counts that survive for 2024: the rankings page's Top Models
chart (:func:`modelrace.load.openrouter_chart_history`), which names the **top 9 models of each
week and nothing else** (no weekly total, no "Others" bucket). Two things are unknown and this
module decides how to handle each, once, for every use (estimate, backtest, claim C1):

(a) **The week's total.** Coverage ``c`` = top-9 tokens ÷ the Data API's weekly total is
    *calibrated* on weeks where both exist (complete API weeks of 2025 whose chart lists 9 models).
    A target week takes the ``k`` calibration weeks nearest in time that start at least
    ``min_gap_weeks`` after it (:func:`calibrate`); its total lies in
    ``[top9 / c_max, top9 / c_min]``.
(b) **Chinese tokens outside the top 9 are invisible.** They are **bounded**, not guessed: the low
    end assumes none (a hard bound), the high end assumes the tail is as Chinese as the most
    Chinese tail among the calibration weeks (``tail_max``, measured with the `other` row counted
    as Chinese as the top 50, the high end of the measured band).

With ``q`` = Chinese top-9 tokens ÷ top-9 tokens and ``r`` the Chinese share of the tail, the share
is ``q·c + r·(1 − c)``; it is linear in ``c`` and in ``r``, so the band is taken at the corners:
low = ``min(q·c) for c in [c_min, c_max]`` with ``r = 0``, high = ``max(q·c + tail_max·(1 − c))``.

**Backtest.** :func:`backtest` runs the same :func:`calibrate` + :func:`band` on each 2025
calibration week as if the Data API were unknown: its own API numbers are never used, and the
calibration weeks start at least ``min_gap_weeks`` later (forward only, like December 2024, whose
nearest API weeks lie 2 to 5 weeks ahead). A week counts as *inside* when the measured band
(``shares`` low–high, the `other` row in or out of the denominator) lies entirely within the
estimated band; a miss is the distance, in share points, by which it sticks out.

Deliberately not done: no trend is extrapolated (coverage and tail are read off nearby weeks, not
modelled), and nothing from the article or the report enters the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import attribution, shares
from .validate import InputError

TOP_N = 9  # the chart names the top 9 models of a week
CALIBRATION_WEEKS = 8  # k: two months of calibration weeks per estimate
MIN_GAP_WEEKS = 3  # backtest: calibration weeks start >= 3 weeks after the target (December 2024: 2 to 5)

ESTIMATE_COLUMNS = (
    "week_start", "top9_tokens", "china_top9_tokens", "est_total_low", "est_total_high",
    "china_share_est_low", "china_share_est_high",
)
BACKTEST_COLUMNS = ("week_start", "true_share_low", "true_share_high", "est_low", "est_high", "inside")


class EstimateError(InputError):
    """The inputs cannot support an estimate (too few calibration weeks, malformed frames)."""


# --------------------------------------------------------------------------- inputs


def chart_weekly(chart: pd.DataFrame, *, labs: pd.DataFrame | None = None, models: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per chart week: ``week_start, models, top9_tokens, china_top9_tokens, unattributed_top9_tokens``.

    ``chart`` is :func:`modelrace.load.openrouter_chart_history`; each slug is attributed with
    the same tables as the Data API (:func:`attribution.attribute_openrouter`).
    """
    missing = {"week_start", "model_permaslug", "tokens"} - set(chart.columns)
    if missing:
        raise EstimateError(f"chart frame lacks column(s) {sorted(missing)}; pass load.openrouter_chart_history()")
    rows = pd.DataFrame({"date": chart["week_start"], "model_permaslug": chart["model_permaslug"].astype(str),
                         "total_tokens": chart["tokens"].astype("int64")})
    att = attribution.attribute_openrouter(rows, models=models, labs=labs)
    china = att["group"].astype(str).eq(shares.CHINA) & att["status"].astype(str).eq(shares.ATTRIBUTED)
    unatt = att["status"].astype(str).eq(shares.UNATTRIBUTED)
    frame = pd.DataFrame({
        "week_start": pd.to_datetime(att["date"]),
        "top9_tokens": att["total_tokens"],
        "china_top9_tokens": att["total_tokens"].where(china, 0),
        "unattributed_top9_tokens": att["total_tokens"].where(unatt, 0),
    })
    out = frame.groupby("week_start", sort=True).agg(
        models=("top9_tokens", "size"), top9_tokens=("top9_tokens", "sum"),
        china_top9_tokens=("china_top9_tokens", "sum"), unattributed_top9_tokens=("unattributed_top9_tokens", "sum"),
    ).reset_index()
    return out.astype({c: "int64" for c in ("models", "top9_tokens", "china_top9_tokens", "unattributed_top9_tokens")})


def calibration_table(weekly: pd.DataFrame, api_totals: pd.DataFrame) -> pd.DataFrame:
    """Weeks where the chart and a complete Data-API week both exist, with what they measure.

    ``weekly``: :func:`chart_weekly`; ``api_totals``: :func:`shares.daily_totals`. Only chart weeks
    listing :data:`TOP_N` models and API weeks with all 7 days count. Columns: the chart's, the
    API's ``total_tokens, other_tokens, china_tokens``, ``coverage`` (top 9 / total),
    ``tail_share_low`` and ``tail_share_high`` (the Chinese share of the tokens outside the top 9,
    low and high end of the measured band) and ``true_share_low/high`` (the measured band).
    """
    periods = shares.add_band(shares.complete_weeks(shares.period_totals(api_totals, "week")), "china_tokens", "true_share")
    api = periods.rename(columns={"period_start": "week_start"})[
        ["week_start", "total_tokens", "other_tokens", "china_tokens", "true_share_low", "true_share_high"]]
    both = weekly.loc[weekly["models"].eq(TOP_N)].merge(api, on="week_start", how="inner")
    if both.empty:
        raise EstimateError("no week has both a 9-model chart week and a complete Data-API week; check the two inputs' dates")
    tail = both["total_tokens"] - both["top9_tokens"]
    if (tail <= 0).any():
        bad = both.loc[tail <= 0, "week_start"].iloc[0]
        raise EstimateError(f"week {bad:%Y-%m-%d}: the chart's top 9 hold at least the Data API's whole week; "
                            "the two sources disagree there: check both files for that week")
    high_num = both["true_share_high"] * both["total_tokens"]  # Chinese tokens if `other` is as Chinese as the top 50
    both["coverage"] = both["top9_tokens"] / both["total_tokens"]
    both["tail_share_low"] = ((both["china_tokens"] - both["china_top9_tokens"]) / tail).clip(lower=0.0)
    both["tail_share_high"] = ((high_num - both["china_top9_tokens"]) / tail).clip(lower=0.0)
    return both.sort_values("week_start", kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------- the estimator


@dataclass(frozen=True)
class Calibration:
    """What a target week borrows from its calibration weeks."""

    weeks: tuple[pd.Timestamp, ...]
    coverage_min: float
    coverage_max: float
    tail_max: float


def calibrate(table: pd.DataFrame, target: pd.Timestamp, *, k: int = CALIBRATION_WEEKS,
              min_gap_weeks: int = 0) -> Calibration:
    """The ``k`` calibration weeks nearest to ``target`` among those starting at least
    ``min_gap_weeks`` weeks after it (ties: the earlier week); never the target week itself."""
    target = pd.Timestamp(target)
    gap = (table["week_start"] - target).dt.days
    pool = table.assign(_gap=gap).loc[gap >= max(7 * min_gap_weeks, 7)]
    if len(pool) < k:
        raise EstimateError(f"week {target:%Y-%m-%d}: only {len(pool)} calibration week(s) start {min_gap_weeks}+ weeks "
                            f"later, {k} needed; lower k or min_gap_weeks, or add calibration weeks")
    chosen = pool.sort_values(["_gap", "week_start"], kind="mergesort").head(k)
    return Calibration(
        weeks=tuple(chosen["week_start"].sort_values()),
        coverage_min=float(chosen["coverage"].min()),
        coverage_max=float(chosen["coverage"].max()),
        tail_max=float(chosen["tail_share_high"].max()),
    )


def band(top9_tokens: float, china_top9_tokens: float, cal: Calibration) -> dict[str, float]:
    """The estimate for one week (or pooled weeks): total low/high and Chinese share low/high."""
    if top9_tokens <= 0:
        raise EstimateError("top-9 tokens must be positive to estimate a week")
    q = china_top9_tokens / top9_tokens
    corners = (cal.coverage_min, cal.coverage_max)
    return {
        "est_total_low": top9_tokens / cal.coverage_max,
        "est_total_high": top9_tokens / cal.coverage_min,
        "share_low": min(q * c for c in corners),
        "share_high": max(q * c + cal.tail_max * (1.0 - c) for c in corners),
    }


def estimate_weeks(weekly: pd.DataFrame, table: pd.DataFrame, *, before: pd.Timestamp | None = None,
                   k: int = CALIBRATION_WEEKS) -> pd.DataFrame:
    """``data/processed/openrouter_china_share_estimate_weekly.csv``: every chart week that starts
    before the first calibration week (default), i.e. the weeks the Data API does not measure."""
    before = pd.Timestamp(before) if before is not None else table["week_start"].min()
    rows = []
    for _, w in weekly.loc[weekly["week_start"] < before].iterrows():
        b = band(w["top9_tokens"], w["china_top9_tokens"], calibrate(table, w["week_start"], k=k))
        rows.append({"week_start": w["week_start"], "top9_tokens": int(w["top9_tokens"]),
                     "china_top9_tokens": int(w["china_top9_tokens"]),
                     "est_total_low": round(b["est_total_low"]), "est_total_high": round(b["est_total_high"]),
                     "china_share_est_low": b["share_low"], "china_share_est_high": b["share_high"]})
    if not rows:
        raise EstimateError(f"no chart week before {before:%Y-%m-%d}")
    out = pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))
    return out.astype({c: "int64" for c in ("top9_tokens", "china_top9_tokens", "est_total_low", "est_total_high")})


def pooled(weekly: pd.DataFrame, table: pd.DataFrame, start: str, end: str, *, k: int = CALIBRATION_WEEKS) -> dict:
    """The same estimator on several weeks pooled (token-weighted): the weeks lying wholly in
    ``[start, end]`` summed, calibrated on the union of their calibration weeks (so the band is
    at least as wide as any of theirs)."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    sel = weekly.loc[weekly["week_start"].ge(s) & (weekly["week_start"] + pd.Timedelta(days=6)).le(e)]
    if sel.empty:
        raise EstimateError(f"no chart week lies wholly between {start} and {end}")
    cals = [calibrate(table, w, k=k) for w in sel["week_start"]]
    union = sorted({w for c in cals for w in c.weeks})
    cal = Calibration(tuple(union), min(c.coverage_min for c in cals), max(c.coverage_max for c in cals),
                      max(c.tail_max for c in cals))
    b = band(float(sel["top9_tokens"].sum()), float(sel["china_top9_tokens"].sum()), cal)
    return b | {"weeks": tuple(sel["week_start"]), "calibration": cal,
                "top9_tokens": int(sel["top9_tokens"].sum()), "china_top9_tokens": int(sel["china_top9_tokens"].sum())}


# --------------------------------------------------------------------------- backtest


def backtest(table: pd.DataFrame, *, k: int = CALIBRATION_WEEKS, min_gap_weeks: int = MIN_GAP_WEEKS) -> pd.DataFrame:
    """The estimator on each calibration week as if the Data API were unknown there.

    Uses only the week's chart numbers and calibration weeks ``min_gap_weeks``+ weeks later;
    weeks without ``k`` such weeks are left out (too close to the chart's end). Columns
    :data:`BACKTEST_COLUMNS` plus ``miss`` (share points outside the band, 0 when inside).
    """
    rows = []
    for _, w in table.iterrows():
        try:
            cal = calibrate(table, w["week_start"], k=k, min_gap_weeks=min_gap_weeks)
        except EstimateError:
            continue
        b = band(w["top9_tokens"], w["china_top9_tokens"], cal)
        lo, hi = w["true_share_low"], w["true_share_high"]
        miss = max(b["share_low"] - lo, hi - b["share_high"], 0.0)
        rows.append({"week_start": w["week_start"], "true_share_low": lo, "true_share_high": hi,
                     "est_low": b["share_low"], "est_high": b["share_high"], "inside": bool(miss == 0.0), "miss": miss})
    if not rows:
        raise EstimateError(f"no week has {k} calibration weeks {min_gap_weeks}+ weeks later: nothing to backtest")
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS) + ["miss"])


def backtest_summary(bt: pd.DataFrame) -> dict[str, float]:
    """Weeks, share inside, misses and their sizes (share points), median band width."""
    misses = bt.loc[~bt["inside"], "miss"]
    return {
        "weeks": float(len(bt)),
        "inside_share": float(bt["inside"].mean()),
        "misses": float(len(misses)),
        "max_miss": float(misses.max()) if len(misses) else 0.0,
        "median_miss": float(misses.median()) if len(misses) else 0.0,
        "median_width": float((bt["est_high"] - bt["est_low"]).median()),
        "first_week": bt["week_start"].min(),
        "last_week": bt["week_start"].max(),
    }


def sensitivity(table: pd.DataFrame, ks=(4, 8, 12), gaps=(1, 3, 5)) -> pd.DataFrame:
    """Backtest coverage for other choices of ``k`` and ``min_gap_weeks``, so a reader sees how
    much the chosen ones (:data:`CALIBRATION_WEEKS`, :data:`MIN_GAP_WEEKS`) matter."""
    rows = []
    for k in ks:
        for g in gaps:
            s = backtest_summary(backtest(table, k=k, min_gap_weeks=g))
            rows.append({"k": k, "min_gap_weeks": g, "weeks": int(s["weeks"]), "inside_share": s["inside_share"],
                         "max_miss": s["max_miss"], "median_width": s["median_width"]})
    return pd.DataFrame(rows)


def product_backtest(bt: pd.DataFrame) -> pd.DataFrame:
    """``data/processed/openrouter_estimate_backtest.csv``: :data:`BACKTEST_COLUMNS` only."""
    return bt[list(BACKTEST_COLUMNS)].reset_index(drop=True)


def inputs(*, labs: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(chart weekly, calibration table) from the pinned files: what every caller needs."""
    from . import load

    labs = attribution.load_labs() if labs is None else labs
    weekly = chart_weekly(load.openrouter_chart_history(), labs=labs)
    daily = shares.daily_by_category(attribution.attribute_openrouter(load.openrouter_rankings(), labs=labs))
    return weekly, calibration_table(weekly, shares.daily_totals(daily))


def for_headline(totals: pd.DataFrame, start, *, frequency: str, definition: str,
                 labs: pd.DataFrame | None = None, k: int = CALIBRATION_WEEKS) -> tuple[pd.DataFrame | None, str]:
    """The estimate notebook 01 draws before the Data API, and why it is or is not drawn.

    ``totals``: :func:`modelrace.shares.daily_totals` of the run's Data-API pull (the calibration
    weeks come from it, so a live snapshot recalibrates). Drawn only where it means the same thing
    as the measured band: weekly periods, the all-models numerator (the chart's top 9 says nothing
    about openness), and a ``start`` before the API's first day. Returns (frame with
    :data:`ESTIMATE_COLUMNS` for the weeks from ``start``, or None; a one-line reason).
    """
    from . import load

    start = pd.Timestamp(start)
    first_api_day = pd.Timestamp(load.OPENROUTER_FIRST_DAY)
    if start >= first_api_day:
        return None, f"start {start:%Y-%m-%d} is on or after the Data API's first day: no estimate needed"
    if frequency != "week" or definition != "all-models":
        return None, (f"the pre-2025 estimate is weekly and counts all Chinese models: not drawn for "
                      f"frequency={frequency!r}, definition={definition!r} (notebook 06 shows it)")
    labs = attribution.load_labs() if labs is None else labs
    weekly = chart_weekly(load.openrouter_chart_history(), labs=labs)
    est = estimate_weeks(weekly, calibration_table(weekly, totals), k=k)
    est = est.loc[est["week_start"] >= start].reset_index(drop=True)
    if est.empty:
        return None, f"no chart week between {start:%Y-%m-%d} and the first calibration week"
    return est, (f"estimate (rankings top 9) for {len(est)} weeks, {est['week_start'].min():%Y-%m-%d} → "
                 f"{est['week_start'].max():%Y-%m-%d}, method and backtest in notebook 06")


__all__ = [
    "TOP_N", "CALIBRATION_WEEKS", "MIN_GAP_WEEKS", "ESTIMATE_COLUMNS", "BACKTEST_COLUMNS", "EstimateError", "Calibration",
    "chart_weekly", "calibration_table", "calibrate", "band", "estimate_weeks", "pooled", "backtest", "backtest_summary",
    "sensitivity", "product_backtest", "inputs", "for_headline",
]
