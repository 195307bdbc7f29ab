"""The claims overview: one row per claim, its short statement and its verdict in a coloured box."""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from .. import palette
from ..plotting import t
from . import common

VERDICT_KEYS = {
    "supported": "nb05_verdict_supported",
    "partly supported": "nb05_verdict_partly",
    "contradicted": "nb05_verdict_contradicted",
    "not checkable with the pinned data": "nb05_verdict_not_checkable",
}


def claims_verdicts(table: pd.DataFrame, lang: str, *, credit: str):
    """``table``: ``claim_id, verdict`` (verdicts as :data:`modelrace.claims.VERDICTS`), in order."""
    common.require_columns(table, ("claim_id", "verdict"), "claims_verdicts")
    unknown = sorted(set(table["verdict"]) - set(VERDICT_KEYS))
    if unknown:
        raise ValueError(f"claims_verdicts: unknown verdict(s) {unknown}; expected {list(VERDICT_KEYS)}")
    fig, ax = common.figure(11, 0.44 * len(table) + 1.0)
    ax.set_xlim(0, 1)
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.axis("off")
    for i, row in enumerate(table.itertuples()):
        fill = palette.VERDICTS[row.verdict]
        ax.text(0.0, i, row.claim_id, va="center", ha="left", fontsize=common.TEXT_SIZE + 0.5, fontweight="bold")
        ax.text(0.055, i, t(f"nb05_short_{row.claim_id}", lang), va="center", ha="left", fontsize=common.TEXT_SIZE + 0.5)
        ax.add_patch(Rectangle((0.62, i - 0.36), 0.38, 0.72, facecolor=fill, edgecolor="none"))
        common.bar_label(ax, 0.81, i, t(VERDICT_KEYS[row.verdict], lang), fill, fontsize=common.SMALL_SIZE + 0.5,
                         fontweight="bold")
    common.title(ax, t("nb05_title", lang))
    common.credit_line(fig, credit)
    return fig
