"""OpenRouter before the Data API (notebook 06): the estimate then the measurement, the estimator's
backtest, and the cross-check of the Data-API pull against the rankings page.

An estimate is never drawn like a measurement: hatched in the estimate's brown with a dashed
outline (:func:`modelrace.charts.common.hatched_band`), never a solid line or a solid fill, with its
own legend entry. In the backtest, a week whose measured share falls outside the estimated band
is told apart by shape (a cross, not a dot) *and* colour, and says by how much it misses.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import fmt, palette, shares
from ..plotting import t
from . import common

DATA_START = pd.Timestamp("2025-01-01")  # the OpenRouter Data API's first day
WEEK = pd.Timedelta(days=7)
MEASURED_COLUMNS = ("week_start", "china_share_low", "china_share_high")
ESTIMATE_COLUMNS = ("week_start", "china_share_est_low", "china_share_est_high")
BACKTEST_COLUMNS = ("week_start", "true_share_low", "true_share_high", "est_low", "est_high", "inside")
CROSSCHECK_COLUMNS = ("week_start", "ratio")


def _sorted(frame: pd.DataFrame, columns, what: str, x: str = "week_start") -> pd.DataFrame:
    common.require_columns(frame, columns, what)
    out = frame.copy()
    out[x] = pd.to_datetime(out[x])
    return out.sort_values(x, kind="mergesort").reset_index(drop=True)


def _api_start_line(ax, lang: str) -> None:
    """A dotted rule where the Data API begins, with a note: left of it, only the estimate."""
    ax.axvline(DATA_START, color=palette.EVENT, lw=0.9, ls=":", zorder=1)
    ax.text(DATA_START + pd.Timedelta(days=4), 0.97, t("nb06_note_api_start", lang), transform=ax.get_xaxis_transform(),
            va="top", ha="left", fontsize=common.SMALL_SIZE, color=palette.TEXT_GREY)


def china_share_estimate(measured: pd.DataFrame, estimate: pd.DataFrame, lang: str, *, credit: str,
                         until: str = "2025-08-31", article_points=shares.ARTICLE_POINTS):
    """The Chinese share of OpenRouter tokens from the estimate's first week: the estimate (``week_start,
    china_share_est_low, china_share_est_high``), then the Data API's measured band (``week_start,
    china_share_low, china_share_high``) up to ``until``, with the article's figures in view."""
    est = _sorted(estimate, ESTIMATE_COLUMNS, "china_share_estimate estimate")
    m = _sorted(measured, MEASURED_COLUMNS, "china_share_estimate measured")
    m = m.loc[m["week_start"] <= pd.Timestamp(until)].reset_index(drop=True)
    if m.empty:
        raise ValueError(f"china_share_estimate: no measured week up to {until}")
    fig, ax = common.figure(11, 6.2)
    d = common.closed_steps(m, "week_start", WEEK)
    h_measured = common.band(ax, d["week_start"], d["china_share_low"], d["china_share_high"], color=palette.GROUPS["China"])
    h_measured.set_label(t("nb06_label_measured", lang))
    e = common.closed_steps(est, "week_start", WEEK)
    h_est = common.hatched_band(ax, e["week_start"], e["china_share_est_low"], e["china_share_est_high"], color=palette.ESTIMATE)
    h_est.set_label(t("nb06_label_estimate", lang))
    xmin, xmax = e["week_start"].min(), d["week_start"].max()
    handles = [h_est, h_measured] + common.published_points(ax, article_points, lang, xmin, xmax)
    _api_start_line(ax, lang)
    ax.set_xlim(xmin, xmax)
    top = max(float(m["china_share_high"].max()), float(est["china_share_est_high"].max()))
    ax.set_ylim(0, max(0.35, top * 1.15))
    common.share_axis(ax, lang)
    fmt.date_axis(ax, lang, months=1)
    ax.set_ylabel(t("nb06_ylabel_share", lang), fontsize=common.TEXT_SIZE + 1)
    common.title(ax, t("nb06_title_estimate", lang))
    common.legend_strip(fig, handles, ncol=2)
    common.credit_line(fig, credit)
    return fig


def estimate_backtest(backtest: pd.DataFrame, lang: str, *, credit: str):
    """Per backtest week (:data:`BACKTEST_COLUMNS`): the estimated band (hatched) and the measured
    share (the middle of its narrow band): a dark dot inside the band, a magenta cross outside it,
    labelled with its miss in share points."""
    b = _sorted(backtest, BACKTEST_COLUMNS, "estimate_backtest")
    fig, ax = common.figure(11, 6.2)
    width = pd.Timedelta(days=5)
    for r in b.itertuples():
        ax.bar(r.week_start, r.est_high - r.est_low, bottom=r.est_low, width=width, facecolor="none",
               edgecolor=palette.ESTIMATE, hatch="////", lw=0.9, ls=(0, (4, 2)), align="center", zorder=2)
    middle = (b["true_share_low"] + b["true_share_high"]) / 2
    miss = pd.concat([b["est_low"] - b["true_share_low"], b["true_share_high"] - b["est_high"]], axis=1).max(axis=1).clip(lower=0)
    inside = b["inside"].astype(bool)
    ax.vlines(b["week_start"], b["true_share_low"], b["true_share_high"], color=palette.CHECK["measured"], lw=2.2, zorder=3)
    ax.plot(b.loc[inside, "week_start"], middle[inside], ls="none", marker="o", ms=6, color=palette.CHECK["measured"], zorder=4)
    ax.plot(b.loc[~inside, "week_start"], middle[~inside], ls="none", marker="X", ms=10, color=palette.CHECK["miss"],
            markeredgecolor="white", markeredgewidth=0.6, zorder=5)
    top = b[["est_high", "true_share_high"]].max(axis=1)
    misses = list(b.index[~inside])
    runs = [[i] for i in misses[:1]]
    for i in misses[1:]:  # misses in consecutive weeks form a run: their labels stack, one line each
        if i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        base = float(top[run].max())
        for k, i in enumerate(run):
            ax.annotate(t("nb06_label_miss_by", lang, value=fmt.points(miss[i], lang, 2)), (b.at[i, "week_start"], base),
                        xytext=(0, 5 + 13 * k), textcoords="offset points", ha="center", va="bottom", fontsize=common.SMALL_SIZE,
                        color=palette.CHECK["miss"], fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    handles = [
        Patch(facecolor="white", edgecolor=palette.ESTIMATE, hatch="////", ls=(0, (4, 2)), label=t("nb06_label_backtest_band", lang)),
        Line2D([], [], ls="none", marker="o", ms=6, color=palette.CHECK["measured"], label=t("nb06_label_backtest_inside", lang)),
        Line2D([], [], ls="none", marker="X", ms=10, color=palette.CHECK["miss"], markeredgecolor="white",
               markeredgewidth=0.6, label=t("nb06_label_backtest_miss", lang)),
    ]
    ax.set_xlim(b["week_start"].min() - WEEK, b["week_start"].max() + WEEK)
    ax.set_ylim(0, float(top.max()) * 1.12)
    common.share_axis(ax, lang)
    fmt.date_axis(ax, lang, months=1)
    ax.set_ylabel(t("nb06_ylabel_share", lang), fontsize=common.TEXT_SIZE + 1)
    n_in = int(inside.sum())
    common.title(ax, t("nb06_title_backtest", lang),
                 t("nb06_subtitle_backtest", lang, inside=fmt.num(n_in, lang), weeks=fmt.num(len(b), lang),
                   share=fmt.pct(n_in / len(b), lang, 0)))
    common.legend_strip(fig, handles, ncol=3)
    common.credit_line(fig, credit)
    return fig


def crosscheck_totals(table: pd.DataFrame, lang: str, *, credit: str, tolerance: float):
    """Page total ÷ Data-API total for each captured week (``week_start, ratio``), with the
    ±``tolerance`` agreement band; each week outside it labelled with its gap ("−8,7 %": the page
    counts 8.7 % less than the API)."""
    xc = _sorted(table, CROSSCHECK_COLUMNS, "crosscheck_totals")
    if not 0 < tolerance < 1:
        raise ValueError(f"crosscheck_totals: tolerance is a fraction (0.01 for 1 %), not {tolerance!r}")
    fig, ax = common.figure(11, 5.8)
    ok = (xc["ratio"] - 1).abs() <= tolerance
    ax.axhspan(1 - tolerance, 1 + tolerance, color=palette.CHECK["tolerance"], lw=0, zorder=0)
    ax.axhline(1, color=palette.CHECK["agree"], lw=0.8, zorder=1)
    ax.plot(xc.loc[ok, "week_start"], xc.loc[ok, "ratio"], ls="none", marker="o", ms=8, color=palette.CHECK["agree"], zorder=3)
    ax.plot(xc.loc[~ok, "week_start"], xc.loc[~ok, "ratio"], ls="none", marker="X", ms=10, color=palette.CHECK["miss"],
            markeredgecolor="white", markeredgewidth=0.6, zorder=3)
    for r in xc.loc[~ok].itertuples():
        ax.annotate(fmt.signed_pct(r.ratio - 1, lang, 1), (r.week_start, r.ratio), xytext=(4, 7), textcoords="offset points",
                    ha="left", va="bottom", fontsize=common.SMALL_SIZE, color=palette.CHECK["miss"])
    tol = fmt.pct(tolerance, lang, 0)
    handles = [
        Patch(facecolor=palette.CHECK["tolerance"], label=t("nb06_label_tolerance", lang, tol=tol)),
        Line2D([], [], ls="none", marker="o", ms=8, color=palette.CHECK["agree"], label=t("nb06_label_agree", lang, tol=tol)),
        Line2D([], [], ls="none", marker="X", ms=10, color=palette.CHECK["miss"], markeredgecolor="white", markeredgewidth=0.6,
               label=t("nb06_label_disagree", lang, tol=tol)),
    ]
    ax.set_xlim(xc["week_start"].min() - pd.Timedelta(days=20), xc["week_start"].max() + pd.Timedelta(days=40))
    lo, hi = float(xc["ratio"].min()), float(xc["ratio"].max())
    pad = (max(hi, 1 + tolerance) - min(lo, 1 - tolerance)) * 0.08
    ax.set_ylim(min(lo, 1 - tolerance) - pad, max(hi, 1 + tolerance) + pad)
    ax.yaxis.set_major_formatter(fmt.num_formatter(lang, 2))
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb06_ylabel_ratio", lang), fontsize=common.TEXT_SIZE + 1)
    common.title(ax, t("nb06_title_crosscheck", lang), t("nb06_subtitle_crosscheck", lang))
    common.legend_strip(fig, handles, ncol=3)
    common.credit_line(fig, credit)
    return fig


__all__ = ["china_share_estimate", "estimate_backtest", "crosscheck_totals"]
