"""Hub growth aggregations on small frames whose answers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from modelrace import growth


def _types(rows):
    """rows: (task, 'YYYY-MM', count) → the shape of load.aiworld_model_types()."""
    return pd.DataFrame(
        {
            "task": [r[0] for r in rows],
            "month": pd.to_datetime([r[1] + "-01" for r in rows]),
            "count": [r[2] for r in rows],
        }
    )


def _months(start: str, counts: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"month": pd.date_range(start, periods=len(counts), freq="MS"), "new_models": counts})


def test_monthly_by_task_clips_and_sorts():
    df = _types([("NLP", "2022-04", 5), ("Audio", "2022-04", 2), ("NLP", "2022-03", 7), ("Audio", "2022-05", 1)])
    out = growth.monthly_by_task(df, since="2022-04-01")
    assert out.columns.tolist() == ["month", "task", "new_models"]
    assert [(f"{m:%Y-%m}", t, n) for m, t, n in out.itertuples(index=False)] == [
        ("2022-04", "Audio", 2), ("2022-04", "NLP", 5), ("2022-05", "Audio", 1)]


def test_monthly_by_task_rejects_bad_since():
    df = _types([("NLP", "2022-03", 1)])
    with pytest.raises(ValueError, match="since='yesterday' is not a date"):
        growth.monthly_by_task(df, since="yesterday")
    with pytest.raises(ValueError, match="no month on or after"):
        growth.monthly_by_task(df, since="2030-01-01")


def test_monthly_totals_cumulative_with_base():
    by_task = _types([("A", "2022-03", 3), ("B", "2022-03", 4), ("A", "2022-04", 10), ("B", "2022-05", 1)])
    out = growth.monthly_totals(growth.monthly_by_task(by_task), base=100)
    # by hand: 7, 10, 1 → 107, 117, 118
    assert out["new_models"].tolist() == [7, 10, 1]
    assert out["cumulative"].tolist() == [107, 117, 118]


def test_monthly_totals_refuses_a_gap():
    by_task = _types([("A", "2022-03", 3), ("A", "2022-05", 1)])
    with pytest.raises(ValueError, match=r"2022-04.*missing"):
        growth.monthly_totals(growth.monthly_by_task(by_task))


def test_growth_over_twelve_months():
    # 2023-01..2025-12: 10 a month in 2023, 20 in 2024, 30 in 2025
    totals = growth.monthly_totals(_months("2023-01-01", [10] * 12 + [20] * 12 + [30] * 12), base=50)
    g = growth.growth_over(totals, "2025-12", 12)
    # cumulative at 2025-12 = 50 + 120 + 240 + 360 = 770; at 2024-12 = 50 + 120 + 240 = 410
    assert (g["cumulative_end"], g["cumulative_start"]) == (770, 410)
    assert g["cumulative_ratio"] == pytest.approx(770 / 410)
    assert (g["new_window"], g["new_previous_window"]) == (360, 240)
    assert g["new_ratio"] == pytest.approx(1.5)
    assert (g["start_month"], g["end_month"]) == ("2024-12", "2025-12")


def test_growth_over_refuses_a_window_outside_the_series():
    totals = growth.monthly_totals(_months("2024-03-01", [1] * 22))  # 2024-03..2025-12
    with pytest.raises(ValueError, match="needs months 2024-01..2025-12"):
        growth.growth_over(totals, "2025-12", 12)


def test_last_full_year():
    totals = growth.monthly_totals(_months("2022-03-01", [1] * 34))  # 2022-03..2024-12
    assert growth.last_full_year(totals) == 2024
    with pytest.raises(ValueError, match="no calendar year"):
        growth.last_full_year(growth.monthly_totals(_months("2022-03-01", [1] * 5)))


def test_listing_monthly_puts_every_model_in_one_part():
    created = pd.to_datetime(
        ["2021-06-01T00:00Z", "2022-03-02T23:29Z", "2022-03-31T23:59Z", "2022-05-01T00:00Z", None, "2022-05-20T12:00Z"],
        utc=True,
    )
    listing = pd.DataFrame({"model_id": [f"o/m{i}" for i in range(6)], "created_at": created})
    counts = growth.listing_monthly(listing, since="2022-03-01")
    assert (counts.before_since, counts.undated, counts.total) == (1, 1, 6)
    # 2022-03: 2, 2022-04: 0 (explicit), 2022-05: 2; cumulative from the 1 model before
    assert counts.monthly["new_models"].tolist() == [2, 0, 2]
    assert counts.monthly["cumulative"].tolist() == [3, 3, 5]
    assert counts.before_since + counts.undated + int(counts.monthly["new_models"].sum()) == counts.total


def test_listing_monthly_needs_created_at():
    with pytest.raises(ValueError, match="no 'created_at' column"):
        growth.listing_monthly(pd.DataFrame({"model_id": ["a/b"]}))

