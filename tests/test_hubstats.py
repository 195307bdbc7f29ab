"""hubstats on small synthetic frames whose expected values are worked out by hand in comments,
plus one cross-check on aiWorld's pinned top 100 through a different code path (its own
``% of total`` column)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from modelrace import hubstats
from modelrace.validate import InputError


def _top(rows):
    return pd.DataFrame(rows, columns=["model_id", "downloads", "uploader_group", "lineage_group", "aiworld_group"])


TOP = _top(
    [
        ("qwen/a", 60, "China", "China", "China"),
        ("us-startup/qwen-ft", 30, "United States", "China", "United States"),
        ("alice/b", 10, "Individual", "Unattributed", "Europe"),
        ("org/zero", 0, "Unattributed", "Unattributed", "Unattributed"),
    ]
)


# --- top models ----------------------------------------------------------------------------


def test_share_by_group_sums_each_group_and_shares_sum_to_one():
    out = hubstats.share_by_group(TOP, "uploader_group")
    # 60 China, 30 US, 10 Individual, 0 Unattributed out of 100, in the canonical group order
    assert out["group"].tolist() == ["China", "United States", "Individual", "Unattributed"]
    assert out["downloads"].tolist() == [60, 30, 10, 0]
    assert out["share"].tolist() == pytest.approx([0.6, 0.3, 0.1, 0.0])
    assert out["share"].sum() == pytest.approx(1.0)


def test_share_by_group_refuses_a_row_without_group_or_count():
    no_group = TOP.assign(uploader_group=["China", None, "Individual", "Unattributed"])
    with pytest.raises(InputError, match="us-startup/qwen-ft"):
        hubstats.share_by_group(no_group, "uploader_group")
    no_count = TOP.assign(downloads=pd.array([60, None, 10, 0], dtype="Int64"))
    with pytest.raises(InputError, match="downloads"):
        hubstats.share_by_group(no_count, "uploader_group")


def test_shares_by_view_lines_up_groups_and_conserves_each_view():
    out = hubstats.shares_by_view(TOP, {"uploader": "uploader_group", "lineage": "lineage_group", "aiworld": "aiworld_group"})
    # union of groups over the views, canonical order; absent groups are 0 rows
    groups = ["China", "United States", "Europe", "Individual", "Unattributed"]
    for view in ("uploader", "lineage", "aiworld"):
        part = out[out["view"] == view]
        assert part["group"].tolist() == groups
        assert part["share"].sum() == pytest.approx(1.0)
        assert part["downloads"].sum() == 100
    lineage = out[out["view"] == "lineage"].set_index("group")["downloads"].to_dict()
    # lineage: the US fine-tune of Qwen counts as China (60 + 30), the individual's model unattributed
    assert lineage == {"China": 90, "United States": 0, "Europe": 0, "Individual": 0, "Unattributed": 10}
    assert list(out.columns) == ["view", "group", "downloads", "share"]


def test_aiworld_group_maps_labels_and_rejects_unknown_ones():
    s = pd.Series(["China", "United States of America", "user", "Europe", "Rest of the world"])
    assert hubstats.aiworld_group(s).tolist() == ["China", "United States", "Individual", "Europe", "Rest of the world"]
    with pytest.raises(InputError, match="Oceania"):
        hubstats.aiworld_group(pd.Series(["China", "Oceania"]))


def test_agreement_rate_and_disagreements():
    rate, diff = hubstats.agreement(TOP, "uploader_group", "aiworld_group")
    # rows 1, 2 and 4 agree; alice/b is Individual for us, Europe for them
    assert rate == pytest.approx(0.75)
    assert diff.to_dict("records") == [{"model_id": "alice/b", "uploader_group": "Individual", "aiworld_group": "Europe"}]


def test_top_models_ranks_by_downloads_then_id_and_refuses_uncounted_models_in_the_top():
    listing = pd.DataFrame(
        {"model_id": ["b/x", "a/y", "c/z", "d/w"], "downloads": pd.array([5, 5, 9, None], dtype="Int64")}
    )
    top = hubstats.top_models(listing, 3)
    assert top["model_id"].tolist() == ["c/z", "a/y", "b/x"]
    assert top["rank"].tolist() == [1, 2, 3]
    with pytest.raises(InputError, match="d/w"):
        hubstats.top_models(listing, 4)


def test_group_counts_in_top():
    counts = hubstats.group_counts_in_top(TOP, 2, "uploader_group")
    assert counts.to_dict() == {"China": 1, "United States": 1}


# --- weekly records ------------------------------------------------------------------------


def _weeks(rows):
    df = pd.DataFrame(rows, columns=["lab", "week_date", "region", "models_week", "downloads_week"])
    df["week_date"] = pd.to_datetime(df["week_date"])
    return df


# Wednesdays, like aiWorld's labels. 2025-01-01 is a Wednesday.
WEEKS = _weeks(
    [
        ("cn1", "2024-12-25", "China", 2, 1000),  # previous year: outside 2025's coverage
        ("cn1", "2025-01-01", "China", 1, 100),
        ("cn2", "2025-01-15", "China", 3, 0),
        ("cn1", "2025-01-22", "China", 0, 7),  # a dataset-only week: no new model
        ("us1", "2025-01-08", "North America", 1, 300),
        ("us2", "2025-01-08", "North America", 2, 0),
        ("eu1", "2025-04-02", "Europe", 1, 50),
        ("us1", "2025-04-09", "North America", 1, 50),
    ]
)


def test_creation_quarter_uses_the_week_label_date():
    s = pd.to_datetime(pd.Series(["2024-12-25", "2025-03-26", "2025-04-02", "2025-12-31"]))
    assert hubstats.creation_quarter(s).tolist() == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q4"]


def test_cohort_shares_by_quarter_sum_to_one_per_quarter():
    out = hubstats.cohort_shares(WEEKS, "region")
    got = {(r.period, r.group): (r.downloads_week, round(r.share, 6)) for r in out.itertuples()}
    # 2024-Q4: China 1000 only. 2025-Q1: China 100 + 0 + 7 = 107, NA 300 → 107/407, 300/407.
    # 2025-Q2: Europe 50, NA 50.
    assert got[("2024-Q4", "China")] == (1000, 1.0)
    assert got[("2025-Q1", "China")] == (107, round(107 / 407, 6))
    assert got[("2025-Q1", "North America")] == (300, round(300 / 407, 6))
    assert got[("2025-Q2", "Europe")] == (50, 0.5)
    assert out.groupby("period")["share"].sum().tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert out["downloads_week"].sum() == WEEKS["downloads_week"].sum()
    assert out["period"].is_monotonic_increasing


def test_cohort_shares_start_and_year_period():
    out = hubstats.cohort_shares(WEEKS, "region", period="year", start="2025-01-01")
    assert sorted(out["period"].unique()) == ["2025"]
    assert out.set_index("group")["downloads_week"].to_dict() == {"China": 107, "Europe": 50, "North America": 350}


def test_week_coverage_counts_weeks_with_a_new_model_over_the_observed_weeks():
    cov = hubstats.week_coverage(WEEKS, "region", 2025).set_index("group")
    # 2025 weeks observed: 2025-01-01 … 2025-04-09, the file's last week = 15 Wednesdays.
    assert (cov["weeks_observed"] == 15).all()
    assert cov.loc["China", "first_week"] == pd.Timestamp("2025-01-01")
    assert cov.loc["China", "last_week"] == pd.Timestamp("2025-04-09")
    # China: Jan 1 and Jan 15 (Jan 22 has 0 models; Dec 25 is 2024) → 2 of 15.
    assert cov.loc["China", "weeks_with_new_model"] == 2
    assert cov.loc["China", "share"] == pytest.approx(2 / 15)
    # North America: Jan 8 (two labs, one week) and Apr 9 → 2; Europe: Apr 2 → 1.
    assert cov.loc["North America", "weeks_with_new_model"] == 2
    assert cov.loc["Europe", "weeks_with_new_model"] == 1


def test_week_coverage_of_a_year_after_the_data_is_an_error():
    with pytest.raises(ValueError, match="before 2026"):
        hubstats.week_coverage(WEEKS, "region", 2026)


def test_mixed_weekdays_are_an_error():
    bad = pd.concat([WEEKS, _weeks([("cn1", "2025-01-02", "China", 1, 1)])])
    with pytest.raises(InputError, match="several weekdays"):
        hubstats.week_grid(bad)


def test_weekly_counts_fill_inactive_weeks_and_roll():
    out = hubstats.weekly_counts(WEEKS, "region", start="2025-01-01", end="2025-01-29", window=2)
    china = out[out["group"] == "China"]
    # Jan 1, 8, 15, 22, 29 → 1, 0, 3, 0, 0; trailing 2-week mean: NaN, 0.5, 1.5, 1.5, 0
    assert china["models_week"].tolist() == [1, 0, 3, 0, 0]
    roll = china["rolling"].tolist()
    assert math.isnan(roll[0]) and roll[1:] == pytest.approx([0.5, 1.5, 1.5, 0.0])
    na = out[out["group"] == "North America"]
    assert na["models_week"].tolist() == [0, 3, 0, 0, 0]
    assert len(out) == 5 * 3  # every week x every group, Europe included with zeros


def test_lab_cohort_downloads_keeps_top_labs_and_sums_the_rest():
    out = hubstats.lab_cohort_downloads(WEEKS, top=2)
    # totals: cn1 1107, us1 350, eu1 50, cn2 0 → keep cn1, us1; the rest = "Other tracked labs"
    y2025 = out[out["year"] == 2025].set_index("lab")
    assert y2025["downloads_week"].to_dict() == {"cn1": 107, "us1": 350, "Other tracked labs": 50}
    assert y2025["share"].sum() == pytest.approx(1.0)
    assert out["downloads_week"].sum() == WEEKS["downloads_week"].sum()
    assert out[out["year"] == 2024].set_index("lab")["downloads_week"].to_dict() == {"cn1": 1000, "us1": 0, "Other tracked labs": 0}


def test_lab_regions_flags_disagreements_and_missing_mappings():
    orgs = pd.DataFrame({"lab": ["cn1", "us1", "ca1"], "region": ["China", "North America", "North America"]})
    ai_labs = pd.DataFrame({"aiworld_id": ["cn1", "us1", "ca1"], "lab": ["CN One", "US One", "CA One"]})
    labs = pd.DataFrame({"lab": ["CN One", "US One", "CA One"], "country": ["China", "United States", "Canada"], "group": ["China", "United States", "Rest of the world"]})
    weeks = _weeks([(lab, "2025-01-01", "x", 1, 1) for lab in ("cn1", "us1", "ca1")])
    out = hubstats.lab_regions(orgs, ai_labs, labs, weeks).set_index("lab")
    assert out["agrees"].to_dict() == {"ca1": False, "cn1": True, "us1": True}
    assert out.loc["ca1", "region_as_group"] == "United States"
    with pytest.raises(InputError, match="aiworld_labs.csv.*us1"):
        hubstats.lab_regions(orgs, ai_labs[ai_labs["aiworld_id"] != "us1"], labs, weeks)
    with pytest.raises(InputError, match="no region.*ca1"):
        hubstats.lab_regions(orgs[orgs["lab"] != "ca1"], ai_labs, labs, weeks)


# --- pinned data cross-check ----------------------------------------------------------------


def test_aiworld_shares_match_its_own_percent_column():
    """aiWorld's ``% of total`` (rounded to 0.01 %, of a larger total) summed per group and
    renormalized must give the shares we compute from the download counts."""
    from modelrace import load, sources

    try:
        sources.raw_path("aiworld_top100_2025", materialize_missing=False)
    except Exception:
        pytest.skip("pinned aiWorld top 100 not materialized (run `make data`)")
    top = load.aiworld_top100("2025-12")
    top["aiworld_group"] = hubstats.aiworld_group(top["country_group"])
    ours = hubstats.share_by_group(top, "aiworld_group").set_index("group")["share"]
    theirs = top.groupby("aiworld_group")["pct_of_total"].sum()
    theirs = theirs / theirs.sum()
    for group in theirs.index:
        assert ours[group] == pytest.approx(theirs[group], abs=0.002), group


def test_top_models_reranks_a_frame_that_already_has_ranks():
    listing = pd.DataFrame({"rank": [1, 2], "model_id": ["a/x", "b/y"], "downloads": [1, 2]})
    assert hubstats.top_models(listing, 2)[["rank", "model_id"]].values.tolist() == [[1, "b/y"], [2, "a/x"]]
