"""Lines over time: new Hub models per week by group, and the Hub's cumulative model count against
the article's 2 million."""

from __future__ import annotations

import matplotlib.ticker as mticker
import pandas as pd

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


def hub_cumulative(totals: pd.DataFrame, lang: str, *, credit: str, article_level: int,
                   listing: pd.DataFrame | None = None, snapshot: str | None = None):
    """The partial series' cumulative count (``month, cumulative``) against the article's level;
    with ``listing`` (``month, cumulative`` of a full Hub listing) drawn beside it."""
    common.require_columns(totals, ("month", "cumulative"), "hub_cumulative")
    fig, ax = common.figure(11, 6)
    ax.plot(totals["month"], totals["cumulative"], color=palette.GROUPS["United States"], lw=2.4,
            label=t("nb04_label_partial", lang))
    ax.axhline(article_level, color=palette.ARTICLE, ls="--", lw=1.3,
               label=t("nb04_label_article", lang, value=fmt.big(article_level, lang, 0)))
    top = max(article_level, int(totals["cumulative"].max()))
    if listing is not None:
        common.require_columns(listing, ("month", "cumulative"), "hub_cumulative listing")
        ax.plot(listing["month"], listing["cumulative"], color=palette.GROUPS["China"], lw=2.4,
                label=t("nb04_label_listing", lang, snapshot=snapshot or ""))
        top = max(top, int(listing["cumulative"].max()))
    else:
        ax.text(0.01, article_level * 0.965, t("nb04_note_cannot", lang), transform=ax.get_yaxis_transform(),
                va="top", ha="left", fontsize=common.SMALL_SIZE + 0.5, color="#333333")
        end = totals.iloc[-1]
        ax.annotate(f"{fmt.big(end['cumulative'], lang, 2, unit='M')} ({fmt.month(end['month'], lang)})", (end["month"], end["cumulative"]),
                    xytext=(-6, 10), textcoords="offset points", ha="right", fontsize=common.TEXT_SIZE,
                    color=palette.GROUPS["United States"])
    ax.set_ylim(0, top * 1.12)
    ax.yaxis.set_major_locator(mticker.MultipleLocator(250_000 if top <= 3_000_000 else 1_000_000))
    ax.yaxis.set_major_formatter(fmt.big_formatter(lang, 2, unit="M"))
    ax.set_xlim(totals["month"].min(), totals["month"].max() + pd.Timedelta(days=20))
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb04_ylabel_cum", lang), fontsize=common.TEXT_SIZE + 1)
    common.title(ax, t("nb04_title_listing" if listing is not None else "nb04_title_cum", lang))
    handles, _ = ax.get_legend_handles_labels()
    common.legend_strip(fig, handles, ncol=len(handles) if len(handles) < 3 else 2)
    common.credit_line(fig, credit)
    return fig
