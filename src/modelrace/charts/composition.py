"""100 % stacked bars: how a total splits between groups or labs (downloads by country group and
attribution view; downloads of each creation cohort by group; by lab).

Every group is named the same in every notebook (:func:`modelrace.charts.common.group_label`):
the cohort chart draws this project's groups, so aiWorld's "North America" (the United States
plus Canada's Cohere) never appears beside "United States" as a second name; the notebook prints
aiWorld's regions beside ours. Shares written on the bars take the ink that contrasts most with
the bar (WCAG AA, tested).
"""

from __future__ import annotations

import pandas as pd

from .. import fmt, palette
from ..plotting import t
from . import common

LABEL_MIN_SHARE = 0.04  # a share written on its bar only when the bar is wide enough to hold it


def download_share_by_group(shares_by_view: pd.DataFrame, lang: str, *, credit: str, subtitle: str):
    """``view, group, share`` (one row per view and group, views in drawing order)."""
    common.require_columns(shares_by_view, ("view", "group", "share"), "download_share_by_group")
    views = list(dict.fromkeys(shares_by_view["view"]))
    groups = [g for g in palette.GROUPS if g in set(shares_by_view["group"])]
    wide = shares_by_view.pivot(index="view", columns="group", values="share").reindex(index=views, columns=groups).fillna(0)
    fig, ax = common.figure(11, 1.15 * len(views) + 2.4)
    left = pd.Series(0.0, index=views)
    for g in groups:
        color = palette.group(g)
        ax.barh(range(len(views)), wide[g], left=left, color=color, edgecolor="white", height=0.7,
                label=common.group_label(g, lang))
        for y, (val, x0) in enumerate(zip(wide[g], left)):
            if val >= LABEL_MIN_SHARE:
                common.bar_label(ax, x0 + val / 2, y, fmt.pct(val, lang, 0), color)
        left += wide[g]
    ax.set_yticks(range(len(views)), [t(f"nb02_view_{v}", lang) for v in views], fontsize=common.TEXT_SIZE)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    common.share_axis(ax, lang, axis="x")
    ax.set_xlabel(t("nb02_xlabel_share", lang), fontsize=common.TEXT_SIZE)
    ax.grid(axis="y", visible=False)
    common.title(ax, t("nb02_title_share", lang), subtitle)
    handles, _ = ax.get_legend_handles_labels()
    common.legend_strip(fig, handles, ncol=len(handles))
    common.credit_line(fig, credit)
    return fig


def cohort_downloads_by_group(cohort: pd.DataFrame, lang: str, *, credit: str, built: str, partial_last: bool):
    """Each creation quarter's downloads by group (``period`` "2024-Q3", ``group``, ``share``; one scheme)."""
    common.require_columns(cohort, ("period", "group", "share"), "cohort_downloads_by_group")
    groups = [g for g in palette.GROUPS if g in set(cohort["group"])]
    wide = cohort.pivot(index="period", columns="group", values="share")[groups].fillna(0).sort_index()
    fig, ax = common.figure(12, 6.2)
    x = range(len(wide))
    bottom = pd.Series(0.0, index=wide.index)
    for g in groups:
        ax.bar(x, wide[g], bottom=bottom, width=0.8, color=palette.group(g), edgecolor="white", linewidth=0.5,
               label=common.group_label(g, lang))
        bottom += wide[g]
    labels = [fmt.quarter(p, lang).replace(" ", "\n") for p in wide.index]
    if partial_last:
        labels[-1] += f"\n({t('nb03_partial', lang)})"
    ax.set_xticks(list(x), labels, fontsize=common.SMALL_SIZE)
    ax.set_xlim(-0.6, len(wide) - 0.4)
    ax.set_ylim(0, 1)
    common.share_axis(ax, lang)
    ax.set_ylabel(t("nb03_ylabel_cohort", lang), fontsize=common.TEXT_SIZE + 1)
    ax.grid(axis="x", visible=False)
    common.title(ax, t("nb03_title_cohort", lang), t("nb03_subtitle_cohort", lang, built=fmt.month(built, lang)))
    handles, _ = ax.get_legend_handles_labels()
    common.legend_strip(fig, handles, ncol=len(handles))
    common.credit_line(fig, credit)
    return fig


def lab_cohort_downloads(labs_by_year: pd.DataFrame, lang: str, *, credit: str, group_of: dict, other_label: str,
                         built: str, top: int, partial_last: bool):
    """Each lab's share of each creation year's downloads (``year, lab, share``). Labs are ordered by
    group then size, coloured one by one (the group is in the label), the pooled labs grey."""
    common.require_columns(labs_by_year, ("year", "lab", "share"), "lab_cohort_downloads")
    labs = list(dict.fromkeys(labs_by_year["lab"]))
    group_rank = {g: i for i, g in enumerate(palette.GROUPS)}
    ordered = sorted(labs, key=lambda lab: (lab == other_label, group_rank.get(group_of.get(lab), 99), labs.index(lab)))
    colors = palette.categorical(ordered, grey=(other_label,))
    wide = labs_by_year.pivot(index="year", columns="lab", values="share")[ordered].fillna(0).sort_index()
    years = [str(y) for y in wide.index]
    if partial_last:
        years[-1] += f"\n({t('nb03_partial', lang)})"
    fig, ax = common.figure(12, 6.6)
    bottom = pd.Series(0.0, index=wide.index)
    for lab in ordered:
        if lab == other_label:
            label = t("nb03_other_labs", lang)
        else:
            label = f"{lab.rstrip('_')} ({common.group_label(group_of[lab], lang)})" if lab in group_of else lab.rstrip("_")
        ax.bar(range(len(years)), wide[lab], bottom=bottom, color=colors[lab], edgecolor="white", linewidth=0.6,
               label=label, width=0.68)
        for xi, (val, b) in enumerate(zip(wide[lab], bottom)):
            if val >= 0.06:
                common.bar_label(ax, xi, b + val / 2, fmt.pct(val, lang, 0), colors[lab], fontsize=common.SMALL_SIZE + 0.5)
        bottom += wide[lab]
    ax.set_xticks(range(len(years)), years, fontsize=common.TEXT_SIZE)
    ax.set_ylim(0, 1)
    common.share_axis(ax, lang)
    ax.set_ylabel(t("nb03_ylabel_labs", lang), fontsize=common.TEXT_SIZE + 1)
    ax.grid(axis="x", visible=False)
    common.title(ax, t("nb03_title_labs", lang), t("nb03_subtitle_labs", lang, built=fmt.month(built, lang), top=top))
    handles, names_ = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names_[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=common.TEXT_SIZE)
    common.credit_line(fig, credit)
    return fig
