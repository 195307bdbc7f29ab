"""Every chart of the collection drawn from the committed CSVs (the tidy frames the notebooks
computed), in a given language: what the chart tests check. Not a test module."""

from __future__ import annotations

import pandas as pd

from modelrace import attribution, charts, crosscheck, hubcounts, hubstats, load, paths

CREDIT = {"fr": "Source : essai", "en": "Source: test"}


def _csv(name: str, dates=()) -> pd.DataFrame:
    return pd.read_csv(paths.ROOT / "data" / "processed" / f"{name}.csv", parse_dates=list(dates))


def _weekly(name: str) -> pd.DataFrame:
    return _csv(name, ["week_start"]).rename(columns={"week_start": "period_start"})


def estimate_frame() -> pd.DataFrame:
    """A small synthetic pre-2025 estimate in the shape issue 11 hands over."""
    weeks = pd.date_range("2024-07-01", "2024-12-23", freq="7D")
    low = pd.Series(range(len(weeks)), dtype=float) * 0.001 + 0.004
    return pd.DataFrame({"week_start": weeks, "china_share_est_low": low, "china_share_est_high": low + 0.01})


def lab_groups() -> dict[str, str]:
    regions = hubstats.lab_regions(load.aiworld_orgs("2025"), attribution.load_aiworld_labs(), attribution.load_labs(),
                                   load.aiworld_org_weeks("2025"))
    return dict(zip(regions["lab"], regions["group"]))


def build(lang: str, *, with_estimate: bool = False) -> dict:
    """{figure name: matplotlib figure} for every committed figure (same names as figures/)."""
    cr = CREDIT[lang]
    out = {}
    out["china_share_weekly"] = charts.china_share(_weekly("openrouter_china_share_weekly"), lang, credit=cr,
                                                   events=attribution.load_events(),
                                                   estimate=estimate_frame() if with_estimate else None)
    out["china_share_definitions_weekly"] = charts.share_definitions(_weekly("openrouter_china_share_definitions_weekly"), lang, credit=cr)
    out["china_labs_weekly"] = charts.chinese_labs(_weekly("openrouter_china_labs_weekly"), lang, credit=cr)
    out["open_closed_weekly"] = charts.openness(_weekly("openrouter_open_closed_weekly"), lang, credit=cr)
    out["top15_models"] = charts.openrouter_top_models(_csv("openrouter_top15_models"), lang, credit=cr,
                                                       start="2025-01-01", end="2025-12-31")
    out["download_share_by_group"] = charts.download_share_by_group(_csv("hub_download_share_by_group"), lang, credit=cr,
                                                                    subtitle="-")
    out["top_models"] = charts.hub_top_models(_csv("hub_top100_2025"), lang, credit=cr, n=20)
    cohort = _csv("hub_cohort_downloads_by_quarter")
    out["cohort_downloads_by_region"] = charts.cohort_downloads_by_group(cohort[cohort["scheme"] == "our_group"], lang,
                                                                         credit=cr, built="2025-12", partial_last=True)
    out["weekly_new_models"] = charts.weekly_new_models(_csv("hub_weekly_new_models", ["week_date"]), lang, credit=cr, window=4)
    cov = _csv("hub_week_coverage", ["first_week", "last_week"])
    out["week_coverage"] = charts.week_coverage(cov[cov["scheme"] == "our_group"], lang, credit=cr, year=2025)
    out["lab_cohort_downloads"] = charts.lab_cohort_downloads(_csv("hub_lab_cohort_downloads"), lang, credit=cr,
                                                              group_of=lab_groups(), other_label="Other tracked labs",
                                                              built="2025-12", top=8, partial_last=True)
    out["hub_new_models_by_task"] = charts.new_models_by_task(_csv("hub_growth_new_by_task", ["month"]), lang, credit=cr)
    out["hub_cumulative"] = charts.hub_cumulative(_csv("hub_growth_cumulative", ["month"]), lang, credit=cr,
                                                  article_level=2_000_000, counts=hubcounts.load_counts())
    inv = _csv("sources_inventory")
    out["sources_rows"] = charts.sources_rows(inv[inv["rows"].notna()], lang, credit=cr)
    out["claims_verdicts"] = charts.claims_verdicts(_csv("claims"), lang, credit=cr)
    out["china_share_estimate_weekly"] = charts.china_share_estimate(_csv("openrouter_china_share_weekly", ["week_start"]),
                                                                     _csv("openrouter_china_share_estimate_weekly", ["week_start"]),
                                                                     lang, credit=cr)
    out["estimate_backtest"] = charts.estimate_backtest(_csv("openrouter_estimate_backtest", ["week_start"]), lang, credit=cr)
    out["crosscheck_rankings_page"] = charts.crosscheck_totals(_csv("openrouter_crosscheck_rankings_page", ["week_start"]), lang,
                                                               credit=cr, tolerance=crosscheck.TOLERANCE)
    return out


