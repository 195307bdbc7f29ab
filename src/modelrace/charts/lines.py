"""Lines over time: new Hub models per week by group, and the Hub's cumulative model count against
the article's 2 million, with the dated counts of all public models drawn over it."""

from __future__ import annotations

import matplotlib.ticker as mticker
import pandas as pd
from matplotlib.lines import Line2D

from .. import fmt, palette
from ..plotting import t
from . import common


def weekly_new_models(weekly: pd.DataFrame, lang: str, *, credit: str, window: int):
    """Rolling mean of new repositories per week by group (``week_date, group, rolling``)."""
    common.require_columns(weekly, ("week_date", "group", "rolling"), "weekly_new_models")
    fig, ax = common.figure(11, 5.8)
    for group, part in weekly.groupby("group", sort=False):
        ax.plot(part["week_date"], part["rolling"], color=palette.group(group), linewidth=2.2,
                label=common.group_label(group, lang))
    ax.set_ylim(bottom=0)
    ax.set_xlim(weekly["week_date"].min(), weekly["week_date"].max())
    ax.yaxis.set_major_formatter(fmt.num_formatter(lang))
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb03_ylabel_weekly", lang), fontsize=common.TEXT_SIZE + 1)
    common.title(ax, t("nb03_title_weekly", lang), t("nb03_subtitle_weekly", lang, window=window))
    handles, _ = ax.get_legend_handles_labels()
    common.legend_strip(fig, handles, ncol=len(handles))
    common.credit_line(fig, credit)
    return fig


def _dated_counts(ax, counts: pd.DataFrame, lang: str) -> list:
    """The dated counts of all public Hub models: orange markers, one shape per kind of source,
    each labelled with its count and date; returns one legend handle per kind drawn."""
    common.require_columns(counts, ("date", "models", "kind"), "hub_cumulative counts")
    unknown = sorted(set(counts["kind"]) - set(palette.HUB_COUNT_MARKERS))
    if unknown:
        raise ValueError(f"hub_cumulative counts: kind(s) {unknown}; expected one of {list(palette.HUB_COUNT_MARKERS)}")
    c = counts.assign(date=pd.to_datetime(counts["date"])).sort_values("date", kind="mergesort")
    ax.plot(c["date"], c["models"], color=palette.HUB_COUNTS, lw=1.1, ls=":", zorder=3)
    handles = []
    for kind, marker in palette.HUB_COUNT_MARKERS.items():
        part = c.loc[c["kind"] == kind]
        if part.empty:
            continue
        ax.plot(part["date"], part["models"], ls="none", marker=marker, ms=9, color=palette.HUB_COUNTS,
                markeredgecolor=palette.DARK_INK, markeredgewidth=0.8, zorder=5)
        handles.append(Line2D([], [], ls="none", marker=marker, ms=9, color=palette.HUB_COUNTS, markeredgecolor=palette.DARK_INK,
                              markeredgewidth=0.8, label=t(f"nb04_kind_{kind}", lang)))
    for r in c.itertuples():
        ax.annotate(f"{fmt.big(r.models, lang, 2, unit='M')}\n{fmt.day(r.date, lang)}", (r.date, r.models), xytext=(-9, 0),
                    textcoords="offset points", ha="right", va="center", fontsize=common.SMALL_SIZE, color=palette.DARK_INK,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
    return handles


def hub_cumulative(totals: pd.DataFrame, lang: str, *, credit: str, article_level: int,
                   listing: pd.DataFrame | None = None, snapshot: str | None = None,
                   counts: pd.DataFrame | None = None):
    """The partial series' cumulative count (``month, cumulative``) against the article's level;
    with ``listing`` (``month, cumulative`` of a full Hub listing) drawn beside it; with ``counts``
    (``date, models, kind``: :func:`modelrace.hubcounts.load_counts`) the dated counts of all public
    models drawn over them as markers, the partial series then labelled as the undercount it is."""
    common.require_columns(totals, ("month", "cumulative"), "hub_cumulative")
    fig, ax = common.figure(11, 6.4 if counts is not None else 6)
    partial_key = "nb04_label_partial_under" if counts is not None else "nb04_label_partial"
    ax.plot(totals["month"], totals["cumulative"], color=palette.HUB_PARTIAL, lw=2.4, label=t(partial_key, lang))
    ax.axhline(article_level, color=palette.ARTICLE, ls="--", lw=1.3,
               label=t("nb04_label_article", lang, value=fmt.big(article_level, lang, 0)))
    top = max(article_level, int(totals["cumulative"].max()))
    if listing is not None:
        common.require_columns(listing, ("month", "cumulative"), "hub_cumulative listing")
        ax.plot(listing["month"], listing["cumulative"], color=palette.GROUPS["China"], lw=2.4,
                label=t("nb04_label_listing", lang, snapshot=snapshot or ""))
        top = max(top, int(listing["cumulative"].max()))
    elif counts is None:
        ax.text(0.01, article_level * 0.965, t("nb04_note_cannot", lang), transform=ax.get_yaxis_transform(),
                va="top", ha="left", fontsize=common.SMALL_SIZE + 0.5, color="#333333")
    if listing is None:
        end = totals.iloc[-1]
        ax.annotate(f"{fmt.big(end['cumulative'], lang, 2, unit='M')} ({fmt.month(end['month'], lang)})", (end["month"], end["cumulative"]),
                    xytext=(-6, 10), textcoords="offset points", ha="right", fontsize=common.TEXT_SIZE,
                    color=palette.HUB_PARTIAL)
    handles, _ = ax.get_legend_handles_labels()
    if counts is not None:
        handles += _dated_counts(ax, counts, lang)
        top = max(top, int(counts["models"].max()))
    ax.set_ylim(0, top * 1.12)
    ax.yaxis.set_major_locator(mticker.MultipleLocator(250_000 if top <= 3_000_000 else 1_000_000))
    ax.yaxis.set_major_formatter(fmt.big_formatter(lang, 2, unit="M"))
    ax.set_xlim(totals["month"].min(), totals["month"].max() + pd.Timedelta(days=20))
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb04_ylabel_cum", lang), fontsize=common.TEXT_SIZE + 1)
    if listing is not None:
        title_key = "nb04_title_listing"
    else:
        title_key = "nb04_title_counts" if counts is not None else "nb04_title_cum"
    common.title(ax, t(title_key, lang), t("nb04_subtitle_counts", lang) if counts is not None else None)
    if counts is not None:  # column-major: the two lines, then the kinds of source two by two
        ncol = 1 + -(-(len(handles) - 2) // 2)
    else:
        ncol = len(handles) if len(handles) < 3 else 2
    common.legend_strip(fig, handles, ncol=ncol)
    common.credit_line(fig, credit)
    return fig
