"""Charts of notebook 06 (OpenRouter before 2025, the cross-check, the Hub's dated counts).

Why here: notebooks hold no function definitions; these drawing functions take the frames
computed by :mod:`modelrace.estimate`, :mod:`modelrace.crosscheck` and :mod:`modelrace.hubcounts`
and return a figure for :func:`modelrace.plotting.export`. (To be moved into the
``modelrace.charts`` package at integration.) An estimate is never drawn like a measurement:
hatched, no solid fill, a dashed outline, its own legend label.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import pandas as pd

from . import fmt, plotting
from .plotting import t

CHINA = plotting.GROUP_COLORS["China"]
ESTIMATE_EDGE = "#7a1f1f"
MEASURED_ALPHA = 0.55


def _pct_axis(ax, lang: str, digits: int = 0) -> None:
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: fmt.pct(v, lang, digits)))


def _date_axis(ax, lang: str) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 3, 5, 7, 9, 11)))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: fmt.month(mdates.num2date(v).replace(tzinfo=None), lang)))


def _estimate_band(ax, weeks: pd.Series, low: pd.Series, high: pd.Series, label: str) -> None:
    """Hatched, unfilled, dashed: an estimate, visibly not a measurement."""
    ax.fill_between(weeks, low, high, step="post", facecolor="none", edgecolor=ESTIMATE_EDGE, hatch="///", lw=0.0, label=label)
    for y in (low, high):
        ax.step(weeks, y, where="post", color=ESTIMATE_EDGE, ls="--", lw=1.0)


def _with_end(frame: pd.DataFrame, col: str = "week_start") -> pd.DataFrame:
    """Repeat the last week one week later so a 'post' step covers the whole last week."""
    last = frame.iloc[[-1]].copy()
    last[col] = last[col] + pd.Timedelta(days=7)
    return pd.concat([frame, last], ignore_index=True)


def estimate_chart(measured: pd.DataFrame, estimate: pd.DataFrame, *, lang: str, until: str = "2025-08-31",
                   article_point: tuple[str, float] | None = ("2024-12-15", 0.01)):
    """The Chinese share from September 2024: the estimate (top 9 of the rankings chart) then the
    Data API's measured band (``week_start, china_share_low, china_share_high``), the article's 1 %."""
    fig, ax = plt.subplots(figsize=(11, 5.6))
    est = _with_end(estimate.sort_values("week_start"))
    _estimate_band(ax, est["week_start"], est["china_share_est_low"], est["china_share_est_high"], t("nb06_label_estimate", lang))
    m = measured.loc[measured["week_start"] <= pd.Timestamp(until)].sort_values("week_start")
    m = _with_end(m)
    ax.fill_between(m["week_start"], m["china_share_low"], m["china_share_high"], step="post", color=CHINA,
                    alpha=MEASURED_ALPHA, lw=0, label=t("nb06_label_measured", lang))
    ax.step(m["week_start"], m["china_share_low"], where="post", color=CHINA, lw=1.2)
    if article_point:
        when, value = article_point
        ax.plot([pd.Timestamp(when)], [value], marker="o", ms=8, color=plotting.ARTICLE_COLOR, ls="none",
                label=t("nb06_label_article", lang))
    ax.axvline(pd.Timestamp("2025-01-01"), color="#555555", lw=0.8, ls=":")
    ax.text(pd.Timestamp("2025-01-04"), 0.80, t("nb06_note_api_start", lang), transform=ax.get_xaxis_transform(),
            va="top", ha="left", fontsize=8.5, color="#333333")
    ax.set_ylim(0, max(0.35, float(m["china_share_high"].max()) * 1.1))
    _pct_axis(ax, lang)
    _date_axis(ax, lang)
    ax.set_ylabel(t("nb06_ylabel_share", lang))
    ax.set_title(t("nb06_title_estimate", lang))
    ax.legend(loc="upper left", fontsize=9)
    return fig


def backtest_chart(bt: pd.DataFrame, *, lang: str):
    """Backtest: per 2025 week, the estimated band (hatched) and the measured band (solid); misses marked."""
    fig, ax = plt.subplots(figsize=(11, 5.6))
    b = bt.sort_values("week_start").reset_index(drop=True)
    width = pd.Timedelta(days=5)
    for _, r in b.iterrows():
        ax.bar(r["week_start"], r["est_high"] - r["est_low"], bottom=r["est_low"], width=width, facecolor="none",
               edgecolor=ESTIMATE_EDGE, hatch="///", lw=0.8, align="center")
        ax.bar(r["week_start"], max(r["true_share_high"] - r["true_share_low"], 0.0015), bottom=r["true_share_low"],
               width=width * 0.6, color=CHINA if r["inside"] else "#000000", align="center")
    ax.bar([], [], facecolor="none", edgecolor=ESTIMATE_EDGE, hatch="///", label=t("nb06_label_backtest_band", lang))
    ax.bar([], [], color=CHINA, label=t("nb06_label_backtest_inside", lang))
    ax.bar([], [], color="#000000", label=t("nb06_label_backtest_miss", lang))
    _pct_axis(ax, lang)
    _date_axis(ax, lang)
    ax.set_ylim(0, None)
    ax.set_ylabel(t("nb06_ylabel_share", lang))
    ax.set_title(t("nb06_title_backtest", lang))
    ax.legend(loc="upper left", fontsize=9)
    return fig


def crosscheck_chart(table: pd.DataFrame, *, lang: str, tolerance: float = 0.01):
    """Page total ÷ Data-API total per captured week, with the ±1 % agreement band."""
    fig, ax = plt.subplots(figsize=(11, 5.0))
    x = range(len(table))
    ok = (table["ratio"] - 1).abs() <= tolerance
    ax.axhspan(1 - tolerance, 1 + tolerance, color="#cfe8cf", lw=0, label=t("nb06_label_tolerance", lang))
    ax.scatter([i for i, o in zip(x, ok) if o], table.loc[ok, "ratio"], color="#2ca02c", zorder=3, label=t("nb06_label_agree", lang))
    ax.scatter([i for i, o in zip(x, ok) if not o], table.loc[~ok, "ratio"], color="#000000", marker="x", zorder=3,
               label=t("nb06_label_disagree", lang))
    ax.set_xticks(list(x), [fmt.month(f"{m}-01", lang) for m in table["month"]], rotation=60, ha="right", fontsize=8)
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: fmt.num(v, lang, 2)))
    ax.set_ylabel(t("nb06_ylabel_ratio", lang))
    ax.set_title(t("nb06_title_crosscheck", lang))
    ax.legend(loc="upper left", fontsize=9)
    return fig


def hub_counts_chart(counts: pd.DataFrame, *, lang: str, level: int = 2_000_000):
    """Dated counts of all public Hub models, each labelled with its kind of source; the 2 M level."""
    fig, ax = plt.subplots(figsize=(11, 5.6))
    markers = {"announcement": "s", "paper": "D", "dataset": "o", "listing": "^"}
    ax.plot(counts["date"], counts["models"], color="#999999", lw=1.0, ls=":", zorder=1)
    for kind, part in counts.groupby("kind", sort=True):
        ax.scatter(part["date"], part["models"], marker=markers.get(kind, "o"), s=60, color=plotting.GROUP_COLORS["United States"],
                   zorder=3, label=t(f"nb06_kind_{kind}", lang))
    for _, r in counts.iterrows():
        ax.annotate(f"{fmt.big(r['models'], lang, 2)}\n{fmt.day(r['date'], lang)}", (r["date"], r["models"]),
                    xytext=(6, -4), textcoords="offset points", fontsize=8.5, va="top")
    ax.axhline(level, color=plotting.ARTICLE_COLOR, ls="--", lw=1.2, label=t("nb06_label_article_level", lang))
    ax.set_ylim(0, max(level, int(counts["models"].max())) * 1.15)
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: fmt.big(v, lang, 1)))
    _date_axis(ax, lang)
    ax.set_ylabel(t("nb06_ylabel_models", lang))
    ax.set_title(t("nb06_title_hub_counts", lang))
    ax.legend(loc="upper left", fontsize=9)
    return fig


__all__ = ["estimate_chart", "backtest_chart", "crosscheck_chart", "hub_counts_chart"]
