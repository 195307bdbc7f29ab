"""Stacked shares over time: tokens by Chinese lab, tokens by openness, new Hub models by task.

Every stacked category has its own colour from :mod:`modelrace.palette`; pooled or
unattributable categories are grey and drawn last (on top of the stack), so the named ones sit on
the axis where they can be compared.
"""

from __future__ import annotations

import pandas as pd

from .. import fmt, palette, shares
from ..plotting import t
from . import common


def _stack(ax, wide: pd.DataFrame, colors: dict, labels: dict, step) -> list:
    drawn = wide.copy()
    drawn.loc[drawn.index[-1] + step] = drawn.iloc[-1]
    polys = ax.stackplot(drawn.index, drawn.T.to_numpy(), colors=[colors[c] for c in wide.columns], step="post",
                         lw=0.4, edgecolor="white", labels=[labels[c] for c in wide.columns])
    ax.set_xlim(wide.index.min(), drawn.index.max())
    return polys


def chinese_labs(labs: pd.DataFrame, lang: str, *, credit: str, frequency: str = "week"):
    """Each Chinese lab's share of ALL tokens per period (``period_start, lab, share``; the lab
    order of :func:`modelrace.shares.lab_split`, the pool last)."""
    common.require_columns(labs, ("period_start", "lab", "share"), "chinese_labs")
    order = list(dict.fromkeys(labs["lab"]))
    wide = labs.pivot(index="period_start", columns="lab", values="share")[order].sort_index()
    colors = palette.categorical(order, grey=(shares.OTHER_CHINESE_LABS,))
    names = {lab: t("nb01_lab_other_chinese", lang) if lab == shares.OTHER_CHINESE_LABS else lab for lab in order}
    fig, ax = common.figure(12, 6.4)
    _stack(ax, wide, colors, names, common.step_of(frequency))
    ax.set_ylim(0, float(wide.sum(axis=1).max()) * 1.08)
    common.share_axis(ax, lang)
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb01_ylabel_share", lang), fontsize=common.TEXT_SIZE + 1)
    common.title(ax, t("nb01_title_labs", lang, freq=t(f"nb01_freq_{frequency}", lang)),
                 t("nb01_subtitle_labs", lang, share=fmt.pct(shares.OWN_COLOUR_SHARE, lang, 0)))
    handles, _ = ax.get_legend_handles_labels()
    common.legend_strip(fig, handles, ncol=min(len(handles), 6))
    common.credit_line(fig, credit)
    return fig


def openness(split: pd.DataFrame, lang: str, *, credit: str, frequency: str = "week"):
    """All tokens per period by openness (``period_start, openness, share``; ``shares.OPENNESS``)."""
    common.require_columns(split, ("period_start", "openness", "share"), "openness")
    order = [c for c in shares.OPENNESS if c in set(split["openness"])]
    wide = split.pivot(index="period_start", columns="openness", values="share")[order].sort_index()
    fig, ax = common.figure(12, 6.2)
    _stack(ax, wide, palette.OPENNESS, {c: t(f"nb01_open_{c}", lang) for c in order}, common.step_of(frequency))
    ax.set_ylim(0, 1)
    common.share_axis(ax, lang)
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb01_ylabel_share", lang), fontsize=common.TEXT_SIZE + 1)
    common.title(ax, t("nb01_title_openness", lang, freq=t(f"nb01_freq_{frequency}", lang)))
    handles, _ = ax.get_legend_handles_labels()
    common.legend_strip(fig, handles, ncol=3)
    common.credit_line(fig, credit)
    return fig


def new_models_by_task(by_task: pd.DataFrame, lang: str, *, credit: str):
    """New Hub models per month by task (``month, task, new_models``), largest task at the bottom."""
    common.require_columns(by_task, ("month", "task", "new_models"), "new_models_by_task")
    order = by_task.groupby("task")["new_models"].sum().sort_values(ascending=False, kind="mergesort").index.tolist()
    wide = by_task.pivot(index="month", columns="task", values="new_models").fillna(0)[order].sort_index()
    others = tuple(task for task in order if task.lower() == "other")
    colors = palette.categorical(order, grey=others)
    fig, ax = common.figure(11, 6)
    bottom = None
    for task in order:
        ax.bar(wide.index, wide[task], width=25, bottom=bottom, color=colors[task], align="edge",
               label=t("nb04_task_" + task.lower().replace(" ", "_"), lang))
        bottom = wide[task] if bottom is None else bottom + wide[task]
    ax.yaxis.set_major_formatter(fmt.num_formatter(lang))
    ax.set_xlim(wide.index.min() - pd.Timedelta(days=10), wide.index.max() + pd.Timedelta(days=40))
    fmt.date_axis(ax, lang)
    ax.set_ylabel(t("nb04_ylabel_new", lang), fontsize=common.TEXT_SIZE + 1)
    ax.grid(axis="x", visible=False)
    common.title(ax, t("nb04_title_new", lang))
    handles, _ = ax.get_legend_handles_labels()
    common.legend_strip(fig, handles, ncol=4)
    common.credit_line(fig, credit)
    return fig
