"""Hub-scale aggregation: exact results on hand-made listings, conservation, streaming, errors.

Expected tables are written by hand from the reference tables' rules (Qwen -> China, meta-llama
-> Meta/United States, THUDM is an alias of zai-org -> Z.ai, bartowski -> Individual, unknown
namespaces -> Unattributed), or computed with the per-row implementation of
``modelrace.bench.naive_aggregate`` (plain Python per row, a different code path).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modelrace import hubscale, synth
from modelrace.bench import naive_aggregate
from modelrace.hub import LISTING_SCHEMA
from modelrace.validate import InputError

UTC = dt.timezone.utc


def _listing(rows: list[tuple]) -> pa.Table:
    """(model_id, base_models, created_at, downloads) rows -> a table in LISTING_SCHEMA."""
    cols = {f.name: [None] * len(rows) for f in LISTING_SCHEMA}
    cols["model_id"] = [r[0] for r in rows]
    cols["author"] = [r[0].split("/")[0] for r in rows]
    cols["base_models"] = [r[1] for r in rows]
    cols["created_at"] = [r[2] for r in rows]
    cols["downloads"] = [r[3] for r in rows]
    return pa.table(cols, schema=LISTING_SCHEMA)


TINY = [
    ("Qwen/Q1", None, dt.datetime(2025, 1, 15, tzinfo=UTC), 100),
    ("somebody/Q1-GGUF", ["Qwen/Q1"], dt.datetime(2025, 2, 3, tzinfo=UTC), 10),
    ("bartowski/Q1-GGUF-2", ["somebody/Q1-GGUF"], dt.datetime(2025, 2, 20, tzinfo=UTC), 5),
    ("somebody/L-ft", ["meta-llama/Llama-X"], dt.datetime(2025, 1, 31, 23, 59, tzinfo=UTC), None),
    ("THUDM/glm-x", None, None, 7),
    ("merger/m", ["meta-llama/Llama-X", "Qwen/Q1"], dt.datetime(2025, 3, 1, tzinfo=UTC), 2),
]
M = lambda s: pd.Timestamp(s)  # noqa: E731
EXPECTED = {  # (view, month, lab) -> (group, country, models, downloads, models_without_downloads)
    ("uploader", M("2025-01-01"), "Qwen"): ("China", "China", 1, 100, 0),
    ("uploader", M("2025-01-01"), "Unattributed"): ("Unattributed", "Unattributed", 1, 0, 1),
    ("uploader", M("2025-02-01"), "Unattributed"): ("Unattributed", "Unattributed", 1, 10, 0),
    ("uploader", M("2025-02-01"), "Individual"): ("Individual", "Individual", 1, 5, 0),
    ("uploader", M("2025-03-01"), "Unattributed"): ("Unattributed", "Unattributed", 1, 2, 0),
    ("uploader", pd.NaT, "Z.ai"): ("China", "China", 1, 7, 0),
    ("lineage", M("2025-01-01"), "Qwen"): ("China", "China", 1, 100, 0),
    ("lineage", M("2025-01-01"), "Meta"): ("United States", "United States", 1, 0, 1),
    ("lineage", M("2025-02-01"), "Qwen"): ("China", "China", 2, 15, 0),
    ("lineage", M("2025-03-01"), "Meta"): ("United States", "United States", 1, 2, 0),  # a merge follows its first base
    ("lineage", pd.NaT, "Z.ai"): ("China", "China", 1, 7, 0),
}


def _as_dict(agg: pd.DataFrame) -> dict:
    return {(r.view, r.month, r.lab): (r.group, r.country, r.models, r.downloads, r.models_without_downloads)
            for r in agg.itertuples()}


def test_tiny_listing_exact(tmp_path):
    path = tmp_path / "tiny.parquet"
    pq.write_table(_listing(TINY), path)
    agg = hubscale.aggregate_listing(path)
    assert list(agg.columns) == list(hubscale.OUTPUT_COLUMNS)
    assert set(agg["snapshot"]) == {"tiny"}
    got = _as_dict(agg)
    nat = {k for k in got if pd.isna(k[1])}
    assert {(v, lab) for v, _, lab in nat} == {("uploader", "Z.ai"), ("lineage", "Z.ai")}
    assert {k: v for k, v in got.items() if not pd.isna(k[1])} == {k: v for k, v in EXPECTED.items() if not pd.isna(k[1])}
    assert [got[k] for k in sorted(nat)] == [EXPECTED[(k[0], pd.NaT, k[2])] for k in sorted(nat)]


def test_frame_input_equals_file_input(tmp_path):
    path = tmp_path / "tiny.parquet"
    pq.write_table(_listing(TINY), path)
    from_frame = hubscale.aggregate_listing(_listing(TINY).to_pandas(types_mapper=pd.ArrowDtype))
    from_file = hubscale.aggregate_listing(path).assign(snapshot="")
    pd.testing.assert_frame_equal(from_frame, from_file)


def test_lineage_is_resolved_within_each_snapshot(tmp_path):
    week_a = [("Qwen/Q1", None, dt.datetime(2025, 1, 2, tzinfo=UTC), 1),
              ("anon/mid", ["Qwen/Q1"], dt.datetime(2025, 1, 3, tzinfo=UTC), 1),
              ("anon2/leaf", ["anon/mid"], dt.datetime(2025, 1, 4, tzinfo=UTC), 40)]
    week_b = [week_a[0], week_a[2]]  # anon/mid is gone: the walk stops at its (unknown) namespace
    (tmp_path / "snaps").mkdir()
    pq.write_table(_listing(week_a), tmp_path / "snaps" / "week-00.parquet")
    pq.write_table(_listing(week_b), tmp_path / "snaps" / "week-01.parquet")
    agg = hubscale.aggregate_listing(tmp_path / "snaps")
    lin = agg[agg["view"] == "lineage"].set_index(["snapshot", "lab"])["downloads"]
    assert lin[("week-00", "Qwen")] == 42
    assert lin[("week-01", "Qwen")] == 1 and lin[("week-01", "Unattributed")] == 40
    per_file = pd.concat([hubscale.aggregate_listing(tmp_path / "snaps" / f"week-0{k}.parquet") for k in (0, 1)], ignore_index=True)
    pd.testing.assert_frame_equal(agg, per_file)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("hs") / "listing.parquet"
    synth.generate(4_000, 21, path)
    return path


def test_matches_the_per_row_implementation(synthetic):
    ours = hubscale.aggregate_listing(synthetic)
    naive = naive_aggregate(hubscale.read_snapshot(synthetic), snapshot=synthetic.stem)
    pd.testing.assert_frame_equal(ours, naive, check_dtype=False)


def test_conservation_against_the_raw_file(synthetic):
    agg = hubscale.aggregate_listing(synthetic)
    raw = pq.read_table(synthetic, columns=["downloads"]).column("downloads").to_pylist()
    for view in ("uploader", "lineage"):
        part = agg[agg["view"] == view]
        assert part["models"].sum() == len(raw)
        assert part["downloads"].sum() == sum(d or 0 for d in raw)
    s = hubscale.shares(agg)
    sums = s.groupby(["snapshot", "view", "month"], dropna=False)[["models_share", "downloads_share"]].sum()
    assert np.allclose(sums["models_share"], 1.0)
    t = hubscale.totals_by(agg, by=("lab",))
    assert np.allclose(t.groupby("view")["downloads_share"].sum(), 1.0)


def test_shares_leave_zero_download_months_undefined():
    agg = pd.DataFrame({"snapshot": "", "view": "uploader", "month": [M("2025-01-01")] * 2 + [M("2025-02-01")],
                        "group": ["China", "Europe", "China"], "models": [1, 3, 2], "downloads": [0, 0, 10]})
    s = hubscale.shares(agg).set_index(["month", "group"])
    assert s.loc[(M("2025-01-01"), "Europe"), "models_share"] == 0.75
    assert np.isnan(s.loc[(M("2025-01-01"), "China"), "downloads_share"])
    assert s.loc[(M("2025-02-01"), "China"), "downloads_share"] == 1.0


def test_reads_only_the_needed_columns(synthetic):
    assert list(hubscale.read_snapshot(synthetic).columns) == list(hubscale.COLUMNS)


def test_errors_name_the_file_and_the_fix(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no \\*.parquet file"):
        hubscale.aggregate_listing(empty)
    with pytest.raises(InputError, match="no such file"):
        hubscale.aggregate_listing(tmp_path / "missing.parquet")
    partial = tmp_path / "partial.parquet"
    pq.write_table(_listing(TINY).drop(["base_models"]), partial)
    with pytest.raises(InputError, match=r"partial\.parquet.*base_models"):
        hubscale.aggregate_listing(partial)
    negative = tmp_path / "negative.parquet"
    pq.write_table(_listing([("Qwen/Q1", None, dt.datetime(2025, 1, 1, tzinfo=UTC), -3)]), negative)
    with pytest.raises(InputError, match=r"negative\.parquet.*negative 'downloads' at row\(s\) \[0\]"):
        hubscale.aggregate_listing(negative)
    not_parquet = tmp_path / "x.parquet"
    not_parquet.write_text("model_id\n")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        hubscale.aggregate_listing(not_parquet)
