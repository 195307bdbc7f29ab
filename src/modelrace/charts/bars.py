"""Ranked horizontal bars: the most used OpenRouter models, the most downloaded Hub models, the
pinned files by rows, the weeks with a new model per group.

Bars are labelled with readable model names (:mod:`modelrace.names`); the ids stay in the CSVs.
Values are written at the end of each bar, outside it, in dark ink on white.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Patch

from .. import fmt, names, palette
from ..plotting import t
from . import common


def _group_legend(ax, groups, lang, *, title=None, loc="lower right", **kw):
    present = [g for g in palette.GROUPS if g in set(groups)]
    handles = [Patch(color=palette.group(g), label=common.group_label(g, lang)) for g in present]
    return ax.legend(handles=handles, loc=loc, fontsize=common.TEXT_SIZE, title=title,
                     title_fontsize=common.TEXT_SIZE, frameon=True, framealpha=0.95, edgecolor="white", **kw)


def _value_labels(ax, values, texts, xmax):
    for y, (v, text) in enumerate(zip(values, texts)):
        ax.text(v + xmax * 0.006, y, text, va="center", ha="left", fontsize=common.SMALL_SIZE + 0.5, color="#222222")


def openrouter_top_models(top: pd.DataFrame, lang: str, *, credit: str, start, end, strict_names: bool = True):
    """``top``: :func:`modelrace.shares.top_models` (``model_permaslug, group, share``), rank order.

    ``strict_names=False`` (a live snapshot) labels a slug without a readable name by its id
    (:mod:`modelrace.names`).
    """
    common.require_columns(top, ("model_permaslug", "group", "share"), "openrouter_top_models")
    shown = top.iloc[::-1]
    labels = names.display_names(shown["model_permaslug"], "openrouter", lang, strict=strict_names)
    fig, ax = common.figure(11, 0.36 * len(top) + 1.9)
    ax.barh(range(len(shown)), shown["share"], color=[palette.group(g) for g in shown["group"]], height=0.72)
    ax.set_yticks(range(len(shown)), labels, fontsize=common.TEXT_SIZE)
    xmax = float(top["share"].max()) * 1.12
    _value_labels(ax, shown["share"], [fmt.pct(v, lang) for v in shown["share"]], xmax)
    ax.set_xlim(0, xmax)
    common.share_axis(ax, lang, axis="x")
    ax.set_xlabel(t("nb01_xlabel_top", lang), fontsize=common.TEXT_SIZE)
    ax.grid(axis="y", visible=False)
    common.title(ax, t("nb01_title_top", lang, n=len(top), start=fmt.day(start, lang), end=fmt.day(end, lang)))
    _group_legend(ax, top["group"], lang)
    common.credit_line(fig, credit)
    return fig


def hub_top_models(table: pd.DataFrame, lang: str, *, credit: str, n: int, live: bool = False):
    """The ``n`` most downloaded Hub models (``model_id, downloads, uploader_group``), rank order."""
    common.require_columns(table, ("model_id", "downloads", "uploader_group"), "hub_top_models")
    shown = table.head(n).iloc[::-1]
    labels = names.display_names(shown["model_id"], "hub", lang)
    fig, ax = common.figure(11, 0.34 * len(shown) + 1.9)
    ax.barh(range(len(shown)), shown["downloads"], color=[palette.group(g) for g in shown["uploader_group"]], height=0.72)
    ax.set_yticks(range(len(shown)), labels, fontsize=common.TEXT_SIZE)
    xmax = float(shown["downloads"].max()) * 1.12
    _value_labels(ax, shown["downloads"], [fmt.big(v, lang) for v in shown["downloads"]], xmax)
    ax.set_xlim(0, xmax)
    ax.xaxis.set_major_formatter(fmt.big_formatter(lang, 0))
    ax.set_xlabel(t("nb02_xlabel_live" if live else "nb02_xlabel_pinned", lang), fontsize=common.TEXT_SIZE)
    ax.grid(axis="y", visible=False)
    common.title(ax, t("nb02_title_top", lang, n=len(shown)))
    _group_legend(ax, shown["uploader_group"], lang, title=t("nb02_legend_uploader", lang))
    common.credit_line(fig, credit)
    return fig


def sources_rows(inventory: pd.DataFrame, lang: str, *, credit: str):
    """Rows per pinned file (``source_id, rows, checksum``), log scale, coloured by checksum status."""
    common.require_columns(inventory, ("source_id", "rows", "checksum"), "sources_rows")
    data = inventory.sort_values(["rows", "source_id"], ascending=[True, True], kind="mergesort")
    fig, ax = common.figure(10, 0.36 * len(data) + 1.9)
    status = ["verified" if c == "verified" else "mismatch" for c in data["checksum"]]
    ax.barh(range(len(data)), data["rows"].astype(float), color=[palette.CHECKSUM[s] for s in status], height=0.7)
    ax.set_yticks(range(len(data)), data["source_id"], fontsize=common.SMALL_SIZE + 0.5)
    ax.set_xscale("log")
    ax.set_xlim(1, float(data["rows"].max()) * 8)
    ax.xaxis.set_major_formatter(fmt.num_formatter(lang))
    for y, v in enumerate(data["rows"]):
        ax.text(float(v) * 1.15, y, fmt.num(v, lang), va="center", ha="left", fontsize=common.SMALL_SIZE, color="#222222")
    ax.set_xlabel(t("sources_xlabel", lang), fontsize=common.TEXT_SIZE)
    ax.grid(axis="y", visible=False)
    common.title(ax, t("sources_title", lang))
    keys = [("verified", "checksum_ok"), ("mismatch", "checksum_bad")]
    ax.legend(handles=[Patch(color=palette.CHECKSUM[s], label=t(k, lang)) for s, k in keys if s in status],
              loc="lower right", fontsize=common.TEXT_SIZE, frameon=True, edgecolor="white")
    common.credit_line(fig, credit)
    return fig


def week_coverage(coverage: pd.DataFrame, lang: str, *, credit: str, year: int):
    """Share of observed weeks with a new model, per group (``group, weeks_with_new_model,
    weeks_observed, share, first_week, last_week``; one scheme)."""
    common.require_columns(coverage, ("group", "weeks_with_new_model", "weeks_observed", "share", "first_week", "last_week"),
                           "week_coverage")
    fig, ax = common.figure(10, 0.6 * len(coverage) + 2.0)
    ax.barh(range(len(coverage)), coverage["share"], color=[palette.group(g) for g in coverage["group"]], height=0.65)
    ax.set_yticks(range(len(coverage)), [common.group_label(g, lang) for g in coverage["group"]], fontsize=common.TEXT_SIZE)
    for y, row in enumerate(coverage.itertuples()):
        ax.text(row.share + 0.01, y, f"{row.weeks_with_new_model}/{row.weeks_observed} ({fmt.pct(row.share, lang, 0)})",
                va="center", fontsize=common.TEXT_SIZE, color="#222222")
    ax.invert_yaxis()
    ax.set_xlim(0, 1.18)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    common.share_axis(ax, lang, axis="x")
    ax.set_xlabel(t("nb03_xlabel_coverage", lang), fontsize=common.TEXT_SIZE)
    ax.grid(axis="y", visible=False)
    first = coverage["first_week"].iloc[0]
    last = coverage["last_week"].iloc[0]
    common.title(ax, t("nb03_title_coverage", lang, year=year),
                 t("nb03_subtitle_coverage", lang, observed=int(coverage["weeks_observed"].iloc[0]),
                   first=fmt.day(first, lang), last=fmt.day(last, lang)))
    common.credit_line(fig, credit)
    return fig
