"""Claims C1–C13: the verdict rules on synthetic inputs (every verdict reachable, threshold edges),
the reference table, the product's shape, and one claim recomputed from raw rows another way."""

from __future__ import annotations

import pandas as pd
import pytest

from modelrace import attribution, claims as C, load, paths
from modelrace.claims import CONTRADICTED, NOT_CHECKABLE, PARTLY, SUPPORTED


# --------------------------------------------------------------------------- verdict rules


def test_period_absent():
    assert C.verdict_period_absent("2024-12-31", "2025-01-01") == NOT_CHECKABLE
    assert C.verdict_period_absent("2025-01-01", "2025-01-01") is None


@pytest.mark.parametrize(
    "highs, expected",
    [
        ({"all": 0.31, "open": 0.301}, SUPPORTED),
        ({"all": 0.31, "open": 0.29}, PARTLY),  # only one definition
        ({"all": 0.30, "open": 0.30}, PARTLY),  # "more than": 30 % itself is not above, but within tolerance
        ({"all": 0.27, "open": 0.10}, PARTLY),  # exactly at the tolerance edge (30 % * 0.9)
        ({"all": 0.2699, "open": 0.10}, CONTRADICTED),
        ({}, NOT_CHECKABLE),
    ],
)
def test_threshold(highs, expected):
    assert C.verdict_threshold(highs, 0.30, 0.10) == expected


def test_leader_edges():
    clear = {"a": {"China": 0.5, "US": 0.4}, "b": {"China": 0.6, "US": 0.3}}
    assert C.verdict_leader(clear, "China", 0.10) == SUPPORTED  # 10 points exactly (float slack)
    narrow = {"a": {"China": 0.45, "US": 0.40}, "b": {"China": 0.6, "US": 0.3}}
    assert C.verdict_leader(narrow, "China", 0.10) == PARTLY
    second_somewhere = {"a": {"China": 0.3, "US": 0.5}, "b": {"China": 0.6, "US": 0.3}}
    assert C.verdict_leader(second_somewhere, "China", 0.10) == PARTLY
    nowhere = {"a": {"China": 0.3, "US": 0.5}, "b": {"China": 0.3, "US": 0.3}}  # a tie is not "largest"
    assert C.verdict_leader(nowhere, "China", 0.10) == CONTRADICTED
    assert C.verdict_leader({}, "China", 0.10) == NOT_CHECKABLE


def test_majority_edges():
    assert C.verdict_majority({"a": {"China": 0.51}, "b": {"China": 0.6}}, "China", 0.5) == SUPPORTED
    assert C.verdict_majority({"a": {"China": 0.50, "US": 0.4}, "b": {"China": 0.45, "US": 0.3}}, "China", 0.5) == PARTLY
    assert C.verdict_majority({"a": {"China": 0.55, "US": 0.4}, "b": {"China": 0.2, "US": 0.7}}, "China", 0.5) == PARTLY
    assert C.verdict_majority({"a": {"China": 0.3, "US": 0.4}, "b": {"China": 0.45, "US": 0.3}}, "China", 0.5) == CONTRADICTED


def test_all_top():
    assert C.verdict_all_top({"a": {"China": 10}, "b": {"China": 10}}, "China", 10) == SUPPORTED
    assert C.verdict_all_top({"a": {"China": 10}, "b": {"China": 3, "US": 7}}, "China", 10) == PARTLY
    assert C.verdict_all_top({"a": {"China": 5, "US": 2, "X": 3}, "b": {"China": 7, "US": 3}}, "China", 10) == PARTLY
    assert C.verdict_all_top({"a": {"China": 5, "US": 5}, "b": {"China": 7, "US": 3}}, "China", 10) == CONTRADICTED


@pytest.mark.parametrize(
    "first_or, shared, first_hub, expected",
    [
        (True, True, True, SUPPORTED),
        (True, True, False, PARTLY),
        (True, False, True, PARTLY),
        (False, True, True, PARTLY),
        (False, True, False, CONTRADICTED),
        (False, False, False, CONTRADICTED),
    ],
)
def test_dominant_but_shared(first_or, shared, first_hub, expected):
    assert C.verdict_dominant_but_shared(first_or, shared, first_hub) == expected


def test_all_conditions():
    assert C.verdict_all_conditions({"a": True, "b": True, "c": True}, required_for_any=("a", "b")) == SUPPORTED
    assert C.verdict_all_conditions({"a": True, "b": False, "c": True}, required_for_any=("a", "b")) == PARTLY
    assert C.verdict_all_conditions({"a": False, "b": False, "c": True}, required_for_any=("a", "b")) == CONTRADICTED
    assert C.verdict_all_conditions({}) == NOT_CHECKABLE


def _events(*rows):
    return pd.DataFrame(
        [{"date": pd.Timestamp(d), "label_short": lab, "source_url": url, "confirmed": conf} for d, lab, url, conf in rows]
    )


def test_events_every_verdict():
    ev = _events(
        ("2025-01-20", "R1", "https://example.org/r1", True),
        ("2025-10-01", "Airbnb", "https://example.org/a", False),
        ("2025-12-30", "paper", "https://example.org/p", True),
        ("2025-12-31", "nosrc", "", True),
    )
    assert C.verdict_events(ev, (C.EventSpec("R1", "2025-01-20"),))[0] == SUPPORTED
    assert C.verdict_events(ev, (C.EventSpec("R1", "2025-01", "month"),))[0] == SUPPORTED
    verdict, notes = C.verdict_events(ev, (C.EventSpec("Airbnb", "2025-10", "month"),))
    assert verdict == PARTLY and "primary" in notes[0]["en"]
    assert C.verdict_events(ev, (C.EventSpec("paper", "2025-12-31"),))[0] == CONTRADICTED  # one day off
    assert C.verdict_events(ev, (C.EventSpec("paper", "2025-12", "month"),))[0] == SUPPORTED
    assert C.verdict_events(ev, (C.EventSpec("missing", "2025-12-31"),))[0] == NOT_CHECKABLE
    assert C.verdict_events(ev, (C.EventSpec("nosrc", "2025-12-31"),))[0] == NOT_CHECKABLE
    # the weakest event decides
    both = (C.EventSpec("R1", "2025-01-20"), C.EventSpec("Airbnb", "2025-10", "month"))
    assert C.verdict_events(ev, both)[0] == PARTLY


@pytest.mark.parametrize("share, expected", [(0.8, SUPPORTED), (0.7999, PARTLY), (0.5, PARTLY), (0.4999, CONTRADICTED)])
def test_week_coverage_edges(share, expected):
    assert C.verdict_week_coverage(share, 0.8, 0.5) == expected


def test_hub_growth():
    kw = dict(level_needed=2_000_000, nearly_double=1.8)
    assert C.verdict_hub_growth(None, None, **kw) == NOT_CHECKABLE
    assert C.verdict_hub_growth(2_000_000, 1.8, **kw) == SUPPORTED
    assert C.verdict_hub_growth(1_999_999, 1.8, **kw) == PARTLY
    assert C.verdict_hub_growth(2_100_000, 1.79, **kw) == PARTLY
    assert C.verdict_hub_growth(1_000_000, 1.2, **kw) == CONTRADICTED


def test_usage_consistent_never_supported():
    assert C.verdict_usage_consistent({"Meta": True, "NVIDIA": True}, 0.4, 0.2) == PARTLY
    assert C.verdict_usage_consistent({"Meta": True, "NVIDIA": False}, 0.4, 0.2) == PARTLY
    assert C.verdict_usage_consistent({"Meta": True, "NVIDIA": True}, 0.2, 0.2) == CONTRADICTED
    assert C.verdict_usage_consistent({"Meta": False, "NVIDIA": False}, 0.4, 0.2) == CONTRADICTED


def test_check_rejects_unknown_verdict_and_missing_language():
    with pytest.raises(ValueError, match="verdict"):
        C.Check("C1", "true", {"fr": "x", "en": "x"}, {"fr": "x", "en": "x"})
    with pytest.raises(ValueError, match="our_value"):
        C.Check("C1", SUPPORTED, {"fr": "x"}, {"fr": "x", "en": "x"})


# --------------------------------------------------------------------------- checks on synthetic inputs


def _daily(china_share_by_week: dict[str, float], other: float = 0.0) -> pd.DataFrame:
    """7 days per week, 1,000 tokens a day: China (open weights) takes the given share of the
    non-`other` tokens; `other` the given share of all."""
    rows = []
    for week, share in china_share_by_week.items():
        for d in pd.date_range(week, periods=7):
            oth = int(1000 * other)
            cn = int(round((1000 - oth) * share))
            rows += [
                (d, "attributed", "China", "DeepSeek", "open", cn),
                (d, "attributed", "United States", "OpenAI", "closed", 1000 - oth - cn),
                (d, "other", "Other (outside top 50)", "Other (outside top 50)", "other", oth),
            ]
    return pd.DataFrame(rows, columns=["date", "status", "group", "lab", "openness", "tokens"])


def _inputs(**kw):
    empty = pd.DataFrame()
    base = dict(openrouter_daily=empty, top100=empty, org_weeks=empty, hub_monthly=empty, events=empty)
    return C.Inputs(**(base | kw))


@pytest.mark.parametrize("peak, expected", [(0.40, SUPPORTED), (0.28, PARTLY), (0.20, CONTRADICTED)])
def test_check_c2_on_synthetic_weeks(peak, expected):
    weeks = {"2025-07-14": 0.10, "2025-07-21": 0.15, "2025-07-28": peak, "2025-08-04": 0.12, "2025-08-11": 0.11, "2025-08-18": 0.9}
    out = C.check_c2(_inputs(openrouter_daily=_daily(weeks, other=0.1)))
    assert out.verdict == expected  # the 90 % week of 18 Aug is outside the window
    # high end = China / (total - other) = the generated share; low end = share * 0.9
    assert out.numbers["all_high"] == pytest.approx(peak, abs=1e-3)
    assert out.numbers["all_low"] == pytest.approx(peak * 0.9, abs=1e-3)


def _top(rows):
    df = pd.DataFrame(rows, columns=["model_id", "downloads", "aiworld_group", "uploader_group", "lineage_group", "base_lab"])
    df = df.sort_values("downloads", ascending=False).reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def test_checks_c3_c5_c6_on_synthetic_top():
    rows = [(f"cn/m{i}", 100 - i, "China", "China", "China", "Qwen") for i in range(10)]
    rows += [(f"us/m{i}", 10, "United States", "United States", "China", "Qwen") for i in range(5)]
    top = _top(rows)
    inp = _inputs(top100=top)
    china_dl = sum(100 - i for i in range(10))
    c3, c6, c5 = C.check_c3(inp), C.check_c6(inp), C.check_c5(inp)
    assert c3.numbers["china_aiworld"] == pytest.approx(china_dl / (china_dl + 50))
    assert c3.numbers["china_lineage"] == pytest.approx(1.0)
    assert c3.verdict == SUPPORTED and c6.verdict == SUPPORTED and c5.verdict == SUPPORTED
    # one US model into the top 10 under the uploader views only: C5 becomes partly supported
    rows[0] = ("us/big", 1000, "United States", "United States", "China", "Meta")
    c5 = C.check_c5(_inputs(top100=_top(rows)))
    assert c5.verdict == PARTLY and c5.numbers["china_top_aiworld"] == 9 and c5.numbers["leading_run_aiworld"] == 0


def test_check_c12_on_synthetic_weeks():
    weeks = pd.date_range("2025-01-01", periods=10, freq="7D")
    active = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]  # 8 of 10 weeks
    df = pd.DataFrame({"lab": "cn-lab", "week_date": weeks, "models_week": active, "group": "China"})
    us = pd.DataFrame({"lab": "us-lab", "week_date": weeks, "models_week": 1, "group": "United States"})
    out = C.check_c12(_inputs(org_weeks=pd.concat([df, us], ignore_index=True)))
    assert out.numbers["share"] == pytest.approx(0.8) and out.verdict == SUPPORTED


# --------------------------------------------------------------------------- reference and product


def test_reference_has_every_claim_with_sources():
    ref = C.load_reference()
    assert ref["claim_id"].tolist() == [f"C{i}" for i in range(1, 14)]
    assert ref["source_url"].str.startswith("https://").all()
    for col in ("claim_fr", "claim_en", "where", "credited_to", "article_value", "check_method"):
        assert ref[col].str.strip().ne("").all(), col
    # every check method names its function, and that function exists
    for cid, method in zip(ref["claim_id"], ref["check_method"]):
        assert method.startswith(f"claims.check_{cid.lower()}:"), cid
        assert C.CHECKS[cid].__name__ == f"check_{cid.lower()}"


def test_reference_figures_exist():
    ref = C.load_reference()
    missing = [f for f in ref["figure"] if not (paths.ROOT / f).is_file()]
    assert not missing, f"figures named in data/reference/claims.csv do not exist: {missing}; run their notebooks"


def test_bad_reference_names_row_and_field(tmp_path):
    ref = pd.read_csv(C.REFERENCE, dtype=str, keep_default_na=False)
    bad = ref.copy()
    bad.loc[2, "source_url"] = ""
    path = tmp_path / "claims.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(C.ClaimsError, match=r"data row 3 \(C3\), field 'source_url'"):
        C.load_reference(path)
    ref.drop(index=12).to_csv(path, index=False)
    with pytest.raises(C.ClaimsError, match="exactly"):
        C.load_reference(path)


def _fake_checks():
    return {cid: C.Check(cid, C.VERDICTS[i % 4], {"fr": f"v{i}", "en": f"e{i}"}, {"fr": "p", "en": "q"}) for i, cid in enumerate(C.CLAIM_IDS)}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_product_shape_and_bytes(tmp_path, lang):
    ref = C.load_reference()
    table = C.product(_fake_checks(), ref, lang)
    assert tuple(table.columns) == C.PRODUCT_COLUMNS
    assert table["claim_id"].tolist() == list(C.CLAIM_IDS)
    assert table["claim"].tolist() == ref[f"claim_{lang}"].tolist()
    assert table["evidence"].str.contains("figures/", regex=False).all()
    path = C.write_product(table, tmp_path)
    first = path.read_bytes()
    assert b"\r\n" not in first and first.endswith(b"\n")
    C.write_product(table, tmp_path)
    assert path.read_bytes() == first
    with pytest.raises(C.ClaimsError, match="columns"):
        C.write_product(table.drop(columns="evidence"), tmp_path)


def test_product_needs_every_check():
    checks = _fake_checks()
    del checks["C7"]
    with pytest.raises(C.ClaimsError, match="C7"):
        C.product(checks, C.load_reference(), "fr")


def test_committed_product():
    path = paths.PROCESSED / "claims.csv"
    assert path.is_file(), "data/processed/claims.csv missing: run notebooks/05-claims.ipynb"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert tuple(df.columns) == C.PRODUCT_COLUMNS
    assert df["claim_id"].tolist() == list(C.CLAIM_IDS)
    assert df["verdict"].isin(C.VERDICTS).all()
    assert df.ne("").all().all()


# --------------------------------------------------------------------------- real data, another code path


@pytest.fixture(scope="module")
def real_inputs():
    return C.Inputs.load()


def test_c2_matches_a_plain_recount(real_inputs):
    """C2's numbers recomputed from the attributed rows with a plain groupby (not modelrace.shares)."""
    a = attribution.attribute_openrouter(load.openrouter_rankings())
    a = a.assign(week=a["date"] - pd.to_timedelta(a["date"].dt.day_of_week, unit="D"))
    g = a.groupby("week")
    days = g["date"].nunique()
    total = g["total_tokens"].sum()
    other = a.loc[a["status"] == "other"].groupby("week")["total_tokens"].sum().reindex(total.index, fill_value=0)
    china = a.loc[(a["group"] == "China") & (a["status"] == "attributed")].groupby("week")["total_tokens"].sum()
    high = (china.reindex(total.index, fill_value=0) / (total - other))[days == 7]
    window = high.loc["2025-07-21":"2025-08-11"]
    out = C.check_c2(real_inputs)
    assert out.numbers["all_high"] == pytest.approx(window.max(), rel=1e-12)
    assert out.verdict == C.verdict_threshold({"all": out.numbers["all_high"], "open": out.numbers["open_high"]}, 0.30, 0.10)


def test_every_real_check_runs(real_inputs):
    checks = C.run_checks(real_inputs)
    assert list(checks) == list(C.CLAIM_IDS)
    # C1 from the December 2024 estimate, C4 from the dated counts: both computed, neither "not checkable"
    assert checks["C1"].verdict != NOT_CHECKABLE and checks["C4"].verdict != NOT_CHECKABLE
    c1 = checks["C1"].numbers
    assert c1["dec_low"] <= c1["dec_high"] and c1["backtest_inside"] >= 0.8
    assert checks["C1"].verdict == C.verdict_estimate_band(C.C1_CLAIMED, c1["dec_low"], c1["dec_high"], c1["backtest_max_miss"],
                                                           confirm_factor=C.C1_CONFIRM_FACTOR)
    assert checks["C4"].verdict == C.verdict_hub_growth(int(checks["C4"].numbers["level_by_article"]), checks["C4"].numbers["ratio_one_year"],
                                                        level_needed=C.C4_LEVEL, nearly_double=C.C4_NEARLY_DOUBLE)


def test_checks_without_the_new_inputs_keep_the_old_paths(real_inputs):
    import dataclasses

    bare = dataclasses.replace(real_inputs, chart_weekly=None, calibration=None, hub_counts=None)
    assert C.check_c1(bare).verdict == NOT_CHECKABLE  # the Data API starts on 2025-01-01
    assert C.check_c4(bare).verdict == NOT_CHECKABLE  # no Hub listing in the pinned data


def test_a_hub_listing_passed_for_c4_is_said_not_silently_ignored(real_inputs):
    import dataclasses

    import pandas as pd

    from modelrace import growth

    listing = growth.ListingCounts(monthly=pd.DataFrame({"month": [pd.Timestamp("2025-12-01")], "new_models": [5], "cumulative": [1234]}),
                                   before_since=0, undated=0, total=1234)
    with_listing = C.check_c4(dataclasses.replace(real_inputs, hub_listing=listing))
    without = C.check_c4(real_inputs)
    assert with_listing.verdict == without.verdict  # a top-N listing cannot count all public models
    from modelrace import fmt

    assert fmt.num(1234, "fr") in with_listing.evidence["fr"] and "1,234" in with_listing.evidence["en"]
    assert "does not enter this verdict" in with_listing.evidence["en"] and "listing" not in without.evidence["en"].split(";")[-1]
