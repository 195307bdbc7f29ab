"""Share bands over time: the headline chart (the Chinese share of OpenRouter tokens) and the
two-definitions chart.

The headline chart is the one readers see first, so it follows rules (issue 12): at most five
legend entries; events as numbered markers on a rail under the time axis with a key under the
chart that spells every abbreviation out; the article's points (black circles) and the report's
(grey diamonds) told apart by shape and a short label; every word in the chart's language.

An optional pre-2025 **estimate** (issue 11) is drawn in its own, clearly non-measured style:
hatched band with a dashed outline, never a solid line, with its own legend entry, and the time
axis extended back to its first week.
"""

from __future__ import annotations

import pandas as pd

from .. import fmt, palette, shares
from ..plotting import t
from . import common

ESTIMATE_COLUMNS = ("week_start", "china_share_est_low", "china_share_est_high")
DATA_START = pd.Timestamp("2025-01-01")  # the OpenRouter Data API's first day
EVENT_KINDS = ("release", "market")
MAX_LEGEND = 5


def _x_range(periods: pd.DataFrame, step, estimate, points) -> tuple[pd.Timestamp, pd.Timestamp]:
    first, last = periods["period_start"].min(), periods["period_start"].max() + step
    xmin = first
    if estimate is not None:
        xmin = min(xmin, estimate["week_start"].min())
    near = [pd.Timestamp(p.date) for p in points if p.date and pd.Timestamp(p.date) >= first - pd.Timedelta(days=60)]
    if near:  # a published point just before the data (the article's December 2024) stays in view
        xmin = min(xmin, min(near) - pd.Timedelta(days=15))
    return xmin, last


def _check_estimate(estimate: pd.DataFrame) -> pd.DataFrame:
    common.require_columns(estimate, ESTIMATE_COLUMNS, "estimate")
    est = estimate[list(ESTIMATE_COLUMNS)].copy()
    est["week_start"] = pd.to_datetime(est["week_start"])
    est = est.sort_values("week_start", kind="mergesort").reset_index(drop=True)
    lo, hi = est["china_share_est_low"], est["china_share_est_high"]
    bad = est.index[lo.isna() | hi.isna() | (lo < 0) | (hi > 1) | (lo > hi)]
    if len(bad):
        row = est.loc[bad[0]]
        raise ValueError(f"estimate: row {int(bad[0])} (week {row['week_start']:%Y-%m-%d}) needs 0 <= "
                         f"china_share_est_low <= china_share_est_high <= 1 (fractions), got {row['china_share_est_low']!r}, "
                         f"{row['china_share_est_high']!r}")
    return est


def china_share(
    periods: pd.DataFrame,
    lang: str,
    *,
    credit: str,
    frequency: str = "week",
    definition: str = "all-models",
    events: pd.DataFrame | None = None,
    estimate: pd.DataFrame | None = None,
    article_points=shares.ARTICLE_POINTS,
    report_points=shares.REPORT_POINTS,
):
    """The headline chart. ``periods``: ``period_start, china_share_low, china_share_high`` (the
    band of ``definition``'s numerator, as :func:`modelrace.shares.period_shares` gives it);
    ``events``: :func:`modelrace.attribution.load_events` (release and market events are drawn);
    ``estimate``: optional ``week_start, china_share_est_low, china_share_est_high``.
    """
    common.require_columns(periods, ("period_start", "china_share_low", "china_share_high"), "china_share periods")
    step = common.step_of(frequency)
    est = _check_estimate(estimate) if estimate is not None else None
    points = list(article_points) + list(report_points)
    xmin, xmax = _x_range(periods, step, est, points)

    fig, (ax, rail) = common.figure(12, 7.4, nrows=2, height_ratios=[14, 1.3], sharex=True)
    drawn = common.closed_steps(periods.sort_values("period_start", kind="mergesort"), "period_start", step)
    band_key = "legend_band_all" if definition == "all-models" else "legend_band_open"
    handles = [common.band(ax, drawn["period_start"], drawn["china_share_low"], drawn["china_share_high"],
                           color=palette.GROUPS["China"])]
    handles[0].set_label(t(band_key, lang))
    ymax = float(periods["china_share_high"].max())
    if est is not None:
        est_drawn = common.closed_steps(est, "week_start", pd.Timedelta(days=7))
        h = common.hatched_band(ax, est_drawn["week_start"], est_drawn["china_share_est_low"],
                                est_drawn["china_share_est_high"], color=palette.ESTIMATE)
        h.set_label(t("legend_estimate", lang))
        handles.append(h)
        ymax = max(ymax, float(est["china_share_est_high"].max()))
    handles += common.published_points(ax, points, lang, xmin, xmax)
    if len(handles) > MAX_LEGEND:
        raise AssertionError(f"the headline chart's legend would hold {len(handles)} entries (at most {MAX_LEGEND})")

    # before the Data API: greyed and said; with an estimate drawn there, the note says what it is instead
    common.data_start_span(ax, xmin, DATA_START, lang, "note_data_start" if est is None else "note_estimate_before")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(0, max(0.4, ymax * 1.12))
    common.share_axis(ax, lang)
    ax.set_ylabel(t("nb01_ylabel_share", lang), fontsize=common.TEXT_SIZE + 1)
    title_key = "nb01_title_share" if definition == "all-models" else "nb01_title_share_open"
    common.title(ax, t(title_key, lang, freq=t(f"nb01_freq_{frequency}", lang)))
    ax.tick_params(axis="x", labelbottom=False)

    numbered = None
    if events is not None:
        sel = events.loc[events["kind"].isin(EVENT_KINDS)]
        numbered = common.number_events(sel, start=xmin, end=xmax)
        days_per_inch = (xmax - xmin).days / 11
        common.events_rail(rail, numbered, min_gap_days=0.3 * days_per_inch, lines_on=ax)
    else:
        rail.set_visible(False)
    rail.set_xlim(xmin, xmax)
    fmt.date_axis(rail, lang)
    rail.tick_params(axis="x", labelsize=common.TEXT_SIZE)
    common.legend_strip(fig, handles, ncol=2)
    if numbered is not None and len(numbered):
        common.key_block(fig, t("key_events", lang), common.events_key_entries(numbered, lang), ncol=2)
    common.credit_line(fig, credit)
    return fig


def share_definitions(
    periods: pd.DataFrame,
    lang: str,
    *,
    credit: str,
    frequency: str = "week",
    report_points=shares.REPORT_POINTS,
):
    """Two definitions of the Chinese share: all Chinese labs' models vs open-weight models only.

    ``periods``: ``period_start, all_models_share_low/high, china_open_share_low/high``.
    """
    cols = ("period_start", "all_models_share_low", "all_models_share_high", "china_open_share_low", "china_open_share_high")
    common.require_columns(periods, cols, "share_definitions periods")
    step = common.step_of(frequency)
    d = common.closed_steps(periods.sort_values("period_start", kind="mergesort"), "period_start", step)
    fig, ax = common.figure(12, 6.4)
    x = d["period_start"]
    h_all = common.band(ax, x, d["all_models_share_low"], d["all_models_share_high"], color=palette.GROUPS["China"])
    h_all.set_label(t("nb01_band_all", lang))
    ax.fill_between(x, d["china_open_share_high"], d["all_models_share_high"], step="post",
                    color=palette.DEFINITION_GAP, alpha=0.9, lw=0)
    h_open = common.hatched_band(ax, x, d["china_open_share_low"], d["china_open_share_high"], color=palette.DEFINITION_OPEN)
    h_open.set_label(t("nb01_band_open", lang))
    from matplotlib.patches import Patch

    h_gap = Patch(facecolor=palette.DEFINITION_GAP, alpha=0.9, label=t("nb01_gap", lang))
    xmin, xmax = d["period_start"].min(), d["period_start"].max()
    handles = [h_all, h_open, h_gap] + common.published_points(ax, report_points, lang, xmin, xmax)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(0, max(0.4, float(periods["all_models_share_high"].max()) * 1.08))
    common.share_axis(ax, lang)
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb01_ylabel_share", lang), fontsize=common.TEXT_SIZE + 1)
    common.title(ax, t("nb01_title_definitions", lang, freq=t(f"nb01_freq_{frequency}", lang)))
    common.legend_strip(fig, handles, ncol=2)
    common.credit_line(fig, credit)
    return fig
