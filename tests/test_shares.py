"""Shares of OpenRouter tokens: band definitions, periods, splits, conservation.

Expected values are worked out by hand from small synthetic frames (comments show the
arithmetic); the pinned-data test checks conservation against the publisher's own totals.
"""

from __future__ import annotations

import pandas as pd
import pytest

from modelrace import shares
from modelrace.validate import InputError

# One synthetic day: (slug, tokens, lab, group, open_weights, status)
DAY = [
    ("deepseek/deepseek-r1", 10, "DeepSeek", "China", True, "attributed"),
    ("qwen/qwen-max", 5, "Qwen", "China", False, "attributed"),
    ("anthropic/claude", 60, "Anthropic", "United States", False, "attributed"),
    ("stealth/x", 5, "Unattributed", "Unattributed", pd.NA, "unattributed"),
    ("other", 20, "Other (outside top 50)", "Other (outside top 50)", pd.NA, "other"),
]  # total 100: China 15 (open 10), other 20


def frame(days, rows=DAY, scale=None) -> pd.DataFrame:
    """Rows for each day; ``scale`` maps a day to a factor applied to every row of that day."""
    recs = []
    for d in days:
        f = (scale or {}).get(d, 1)
        for slug, tok, lab, group, ow, status in rows:
            recs.append({"date": pd.Timestamp(d), "model_permaslug": slug, "total_tokens": tok * f, "lab": lab,
                         "group": group, "open_weights": ow, "status": status})
    df = pd.DataFrame(recs)
    df["open_weights"] = df["open_weights"].astype("boolean")
    df["total_tokens"] = df["total_tokens"].astype("int64")
    return df


def days(start, end, skip=()):
    return [d.strftime("%Y-%m-%d") for d in pd.date_range(start, end) if d.strftime("%Y-%m-%d") not in skip]


def totals_of(df):
    return shares.daily_totals(shares.daily_by_category(df))


# --- the band -------------------------------------------------------------------------------

def test_band_low_counts_other_in_the_denominator_high_leaves_it_out():
    df = frame(days("2025-01-06", "2025-01-12"))  # one Monday-to-Sunday week
    weeks = shares.period_shares(totals_of(df), "week")
    assert len(weeks) == 1
    w = weeks.iloc[0]
    assert w["period_start"] == pd.Timestamp("2025-01-06")
    assert w["china_tokens"] == 7 * 15 and w["total_tokens"] == 7 * 100 and w["other_tokens"] == 7 * 20
    assert w["china_share_low"] == pytest.approx(105 / 700)  # 0.15
    assert w["china_share_high"] == pytest.approx(105 / 560)  # 0.1875: unattributed stays in
    assert w["china_open_share_low"] == pytest.approx(70 / 700)
    assert w["china_open_share_high"] == pytest.approx(70 / 560)


def test_open_weights_only_definition_swaps_the_numerator():
    df = frame(days("2025-01-06", "2025-01-12"))
    w = shares.period_shares(totals_of(df), "week", definition="open-weights-only").iloc[0]
    assert w["china_share_low"] == pytest.approx(0.10) and w["china_share_high"] == pytest.approx(0.125)
    with pytest.raises(ValueError, match="definition"):
        shares.period_shares(totals_of(df), "week", definition="closed")


def test_weighted_share_is_tokens_over_tokens_not_a_mean_of_shares():
    # day 1: China 15 / 100; day 2 scaled x3: China 45 / 300 plus an extra Chinese row of 100
    rows2 = DAY + [("z-ai/glm", 100, "Z.ai", "China", True, "attributed")]
    df = pd.concat([frame(["2025-01-06"]), frame(["2025-01-07"], rows=rows2)], ignore_index=True)
    got = shares.weighted_share(totals_of(df), "2025-01-01", "2025-12-31")
    # (15 + 115) / (100 + 200) = 130/300; a mean of daily shares would be (0.15 + 0.575)/2
    assert got["low"] == pytest.approx(130 / 300)
    assert got["high"] == pytest.approx(130 / 260)
    assert got["days"] == 2


# --- periods --------------------------------------------------------------------------------

def test_incomplete_weeks_are_excluded_from_the_weekly_product():
    # Wed 1 Jan .. Sun 19 Jan 2025 without Tue 14 Jan: weeks of 30 Dec (5 days), 6 Jan (7), 13 Jan (6)
    df = frame(days("2025-01-01", "2025-01-19", skip={"2025-01-14"}))
    allp = shares.period_totals(totals_of(df), "week")
    assert allp["period_start"].dt.strftime("%Y-%m-%d").tolist() == ["2024-12-30", "2025-01-06", "2025-01-13"]
    assert allp["days_present"].tolist() == [5, 7, 6]
    assert allp["complete"].tolist() == [False, True, False]
    product = shares.weekly_product(totals_of(df))
    assert list(product.columns) == list(shares.WEEKLY_PRODUCT_COLUMNS)
    assert product["week_start"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-06"]
    assert product["total_tokens"].tolist() == [700]
    assert product["attributed_tokens"].tolist() == [7 * 75]


def test_month_frequency_keeps_a_covered_month_with_a_missing_day_and_drops_a_partial_one():
    # January without the 15th (30 days), then only 1..10 February: the pull ends mid-month
    jan = days("2025-01-01", "2025-01-31", skip={"2025-01-15"})
    feb = days("2025-02-01", "2025-02-10")
    scale = {d: 2 for d in jan[10:]}  # 11 Jan onward (20 days) doubled
    df = frame(jan + feb, scale=scale)
    allp = shares.period_totals(totals_of(df), "month")
    assert allp["days_present"].tolist() == [30, 10]
    assert allp["days_in_period"].tolist() == [31, 28]
    assert allp["covered"].tolist() == [True, False]
    months = shares.period_shares(totals_of(df), "month")
    assert months["period_start"].tolist() == [pd.Timestamp("2025-01-01")]
    m = months.iloc[0]
    # China: 10 days x 15 + 20 days x 30 = 750; total 10 x 100 + 20 x 200 = 5000; other 10x20+20x40 = 1000
    assert m["china_tokens"] == 750 and m["total_tokens"] == 5000
    assert m["china_share_low"] == pytest.approx(750 / 5000)
    assert m["china_share_high"] == pytest.approx(750 / 4000)
    with pytest.raises(ValueError, match="frequency"):
        shares.period_shares(totals_of(df), "day")


def test_period_start_is_monday_or_first_of_month():
    d = pd.Series(pd.to_datetime(["2025-06-15", "2025-07-15", "2025-01-01"]))  # Sun, Tue, Wed
    assert shares.period_start(d, "week").dt.strftime("%Y-%m-%d").tolist() == ["2025-06-09", "2025-07-14", "2024-12-30"]
    assert shares.period_start(d, "month").dt.strftime("%Y-%m-%d").tolist() == ["2025-06-01", "2025-07-01", "2025-01-01"]


def test_peak_takes_the_earliest_of_ties():
    p = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-13", "2025-01-06", "2025-01-20"]), "x": [0.3, 0.3, 0.1]})
    when, value = shares.peak(p, "x")
    assert when == pd.Timestamp("2025-01-06") and value == pytest.approx(0.3)


# --- conservation ---------------------------------------------------------------------------

def test_conservation_passes_when_every_category_adds_up():
    df = frame(days("2025-01-06", "2025-01-08"))
    pub = pd.DataFrame({"date": pd.to_datetime(days("2025-01-06", "2025-01-08")), "total_tokens": [100, 100, 100]})
    shares.check_conservation(shares.daily_by_category(df), pub)


def test_conservation_failure_names_the_day():
    df = frame(days("2025-01-06", "2025-01-08"))
    df = df.drop(index=df.index[(df["date"] == "2025-01-07") & (df["model_permaslug"] == "stealth/x")])
    pub = pd.DataFrame({"date": pd.to_datetime(days("2025-01-06", "2025-01-08")), "total_tokens": [100, 100, 100]})
    with pytest.raises(shares.ConservationError, match=r"2025-01-07.*95.*100.*-5"):
        shares.check_conservation(shares.daily_by_category(df), pub)


def test_conservation_failure_on_a_missing_day():
    df = frame(days("2025-01-06", "2025-01-07"))
    pub = pd.DataFrame({"date": pd.to_datetime(days("2025-01-06", "2025-01-08")), "total_tokens": [100, 100, 100]})
    with pytest.raises(shares.ConservationError, match="2025-01-08"):
        shares.check_conservation(shares.daily_by_category(df), pub)


# --- splits ---------------------------------------------------------------------------------

def test_lab_split_pools_unnamed_chinese_labs_and_stacks_to_the_low_end():
    rows = DAY + [("tencent/hunyuan", 4, "Tencent", "China", True, "attributed"),
                  ("moonshotai/kimi", 6, "Moonshot AI", "China", pd.NA, "attributed")]  # total 110
    df = frame(days("2025-01-06", "2025-01-12"), rows=rows)
    split = shares.lab_split(shares.daily_by_category(df), "week")
    assert split["lab"].tolist() == ["DeepSeek", "Qwen", "Moonshot AI", "Z.ai", "MiniMax", "Other Chinese labs"]
    assert split["tokens"].tolist() == [70, 35, 42, 0, 0, 28]
    assert split["share"].tolist() == pytest.approx([10 / 110, 5 / 110, 6 / 110, 0, 0, 4 / 110])
    low = shares.period_shares(totals_of(df), "week")["china_share_low"].iloc[0]
    assert split["share"].sum() == pytest.approx(low)


def test_open_closed_split_puts_every_token_in_one_category():
    rows = DAY + [("moonshotai/kimi", 6, "Moonshot AI", "China", pd.NA, "attributed")]  # total 106
    df = frame(days("2025-01-06", "2025-01-12"), rows=rows)
    split = shares.open_closed_split(shares.daily_by_category(df), "week")
    got = dict(zip(split["openness"], split["tokens"]))
    # open: deepseek 10; closed: qwen-max 5 + claude 60; unknown: kimi 6; unattributed 5; other 20
    assert got == {"open": 70, "closed": 455, "weights_unknown": 42, "unattributed": 35, "other": 140}
    assert split["share"].sum() == pytest.approx(1.0)
    assert split["share"].iloc[0] == pytest.approx(10 / 106)


def test_quarterly_share_of_chinese_open_tokens():
    # Q1: DeepSeek 10 open Chinese tokens/day only; Q2: add an open Qwen model of 30/day
    q2_rows = DAY + [("qwen/qwen3", 30, "Qwen", "China", True, "attributed")]
    df = pd.concat([frame(["2025-03-30", "2025-03-31"]), frame(["2025-04-01"], rows=q2_rows)], ignore_index=True)
    q = shares.quarterly_lab_share_of_chinese_open(shares.daily_by_category(df))
    assert q["quarter"].tolist() == ["2025Q1", "2025Q2"]
    assert q["days_present"].tolist() == [2, 1]
    assert q["chinese_open_tokens"].tolist() == [20, 40]  # qwen-max is closed: not counted
    assert q["deepseek_share"].tolist() == pytest.approx([1.0, 0.25])
    assert q["qwen_share"].tolist() == pytest.approx([0.0, 0.75])


def test_top_models_excludes_the_other_row_and_ranks_by_tokens():
    df = frame(days("2025-01-06", "2025-01-07"), scale={"2025-01-07": 3})  # 4x each row over the window
    top = shares.top_models(df, "2025-01-01", "2025-01-31", n=3)
    assert top["model_permaslug"].tolist() == ["anthropic/claude", "deepseek/deepseek-r1", "qwen/qwen-max"]
    assert top["tokens"].tolist() == [240, 40, 20]
    assert top["share"].tolist() == pytest.approx([240 / 400, 40 / 400, 20 / 400])
    assert top["rank"].tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="no OpenRouter rows"):
        shares.top_models(df, "2026-01-01", "2026-01-31")


def test_attribution_coverage_and_largest_unattributed():
    rows = DAY + [("stealth/y", 15, "Unattributed", "Unattributed", pd.NA, "unattributed")]  # non-other: 95
    df = frame(["2025-01-06"], rows=rows)
    covered, top = shares.attribution_coverage(df, n=10)
    assert covered == pytest.approx(75 / 95)
    assert top["model_permaslug"].tolist() == ["stealth/y", "stealth/x"]
    assert top["share"].tolist() == pytest.approx([15 / 95, 5 / 95])


# --- bad input, annotations -----------------------------------------------------------------

def test_bad_input_is_named():
    df = frame(["2025-01-06"])
    with pytest.raises(InputError, match="status"):
        shares.daily_by_category(df.drop(columns="status"))
    bad = df.copy()
    bad.loc[1, "status"] = "maybe"
    with pytest.raises(InputError, match=r"maybe.*row\(s\) \[1\]"):
        shares.daily_by_category(bad)
    dup = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="duplicate"):
        shares.daily_by_category(dup)


def test_event_labels_merge_close_events_and_filter_kinds():
    ev = pd.DataFrame({
        "date": ["2025-09-29", "2025-09-30", "2025-01-20", "2025-10-01", "2025-12-31", "2024-06-01"],
        "label_short": ["V3.2-Exp", "GLM-4.6", "R1", "Airbnb", "mHC", "old"],
        "kind": ["release", "release", "release", "business", "paper", "release"],
    })
    got = shares.event_labels(ev, kinds=("release",), start="2024-12-01", end="2026-12-31", min_gap_days=7)
    assert got["label"].tolist() == ["R1", "V3.2-Exp / GLM-4.6"]
    assert got["date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-01-20", "2025-09-29"]


# --- pinned data ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pinned():
    from modelrace import attribution, load

    raw = load.openrouter_rankings("pinned")
    return raw, attribution.attribute_openrouter(raw), load.openrouter_share_daily()


def test_conservation_on_the_pinned_data(pinned):
    raw, attributed, publisher = pinned
    daily = shares.daily_by_category(attributed)
    shares.check_conservation(daily, publisher)
    # every category, independently: per day and lab, the raw rows regrouped by attributed lab
    by_lab = attributed.assign(lab=attributed["lab"].astype(str)).groupby(["date", "lab"])["total_tokens"].sum()
    assert by_lab.groupby("date").sum().tolist() == publisher.sort_values("date")["total_tokens"].tolist()
    assert int(daily["tokens"].sum()) == int(raw["total_tokens"].sum())


def test_weekly_product_on_the_pinned_data_has_only_complete_weeks(pinned):
    raw, attributed, _ = pinned
    product = shares.weekly_product(shares.daily_totals(shares.daily_by_category(attributed)))
    dates = set(raw["date"].dt.strftime("%Y-%m-%d"))
    for week in product["week_start"]:
        assert week.weekday() == 0
        assert all((week + pd.Timedelta(days=i)).strftime("%Y-%m-%d") in dates for i in range(7))
    starts = set(product["week_start"].dt.strftime("%Y-%m-%d"))
    # the weeks holding the two missing source days are left out
    assert "2025-06-09" not in starts and "2025-07-14" not in starts and "2025-06-02" in starts
    # independent recomputation of one week's total from the raw rows
    wk = raw.loc[raw["date"].between("2025-03-03", "2025-03-09"), "total_tokens"].sum()
    assert int(product.loc[product["week_start"] == "2025-03-03", "total_tokens"].iloc[0]) == int(wk)
