"""The data inventory readers can trust: per pinned source, what it is, rows, dates, checksum.

Why: before any chart, a reader should see exactly which upstream bytes the collection rests
on, under which licence, with which caveats, and that each file matched its pinned sha256.
"""

from __future__ import annotations

import pandas as pd

from . import load, sources

# source id -> (loader, date column or None). Every registered source must appear here
# (a test checks it), so a newly pinned file cannot slip into the collection undescribed.
LOADERS = {
    "aiworld_top100_2025": (lambda: load.aiworld_top100("2025-12"), None),
    "aiworld_top100_2025_countries": (lambda: load.aiworld_top100("2025-earlier"), None),
    "aiworld_org_weeks_2025": (lambda: load.aiworld_org_weeks("2025"), "week_date"),
    "aiworld_orgs_2025": (lambda: load.aiworld_orgs("2025"), None),
    "aiworld_org_weeks_2026": (lambda: load.aiworld_org_weeks("2026"), "week_date"),
    "aiworld_orgs_2026": (lambda: load.aiworld_orgs("2026"), None),
    "aiworld_model_types": (load.aiworld_model_types, "month"),
    "aiworld_top_likes_h1_2025": (load.aiworld_top_likes_h1_2025, "created_at"),
    "openrouter_rankings_daily": (load.openrouter_rankings, "date"),
    "openrouter_share_daily": (load.openrouter_share_daily, "date"),
    "openrouter_share_monthly": (load.openrouter_share_monthly, "month"),
    "openrouter_by_lab": (load.openrouter_by_lab, "date"),
    "openrouter_pull_notes": (None, None),
    "epoch_notable_models": (load.epoch_notable_models, "publication_date"),
    "hub_seven_labs_2025_10": (load.hub_seven_labs, "created_at"),
    "openrouter_chart_history": (load.openrouter_chart_history, "week_start"),
    "openrouter_chart_history_script": (None, None),
    "openrouter_leaderboard_monthly": (load.openrouter_leaderboard_weeks, "week_end"),
    "openrouter_chart_weeks": (load.openrouter_chart_weeks, "week_start"),
    "openrouter_token_data_notes": (None, None),
}


def _date_range(series: pd.Series) -> tuple[str, str]:
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.min().strftime("%Y-%m-%d"), series.max().strftime("%Y-%m-%d")
    s = series.astype(str)
    return s.min(), s.max()


def inventory() -> pd.DataFrame:
    """One row per registered source, in registry id order."""
    rows = []
    for sid, src in sorted(sources.load_registry().items()):
        if sid not in LOADERS:
            raise KeyError(f"source {sid!r} has no entry in modelrace.inventory.LOADERS: add its loader")
        sources.raw_path(sid)  # verifies the sha256 (raising on a mismatch: the runner verified it before)
        loader, date_col = LOADERS[sid]
        if loader is None:
            n_rows, first, last = None, None, None
        else:
            df = loader()
            n_rows = len(df)
            first, last = _date_range(df[date_col]) if date_col else (None, None)
        rows.append(
            {
                "source_id": sid,
                "publisher": src.publisher,
                "file": f"{src.owner}/{src.repo}@{src.commit[:7]}:{src.path}",
                "rows": n_rows,
                "first_date": first,
                "last_date": last,
                "licence": src.licence,
                "citation": src.citation,
                "sha256": src.sha256,
                "checksum": "verified",
                "caveats": " | ".join(src.caveats),
                "url": src.url,
            }
        )
    out = pd.DataFrame(rows)
    out["rows"] = out["rows"].astype("Int64")
    return out
