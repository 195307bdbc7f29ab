"""The synthetic Hub listing: reproducible bytes, the declared schema, the declared distributions.

Expectations come from the declared parameters and from the raw pinned CSV read here with the
csv module (not from the generator's output), and lineage depth is recomputed by walking
``base_models`` in plain Python.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections import Counter

import numpy as np
import pyarrow.parquet as pq
import pytest

from modelrace import sources, synth
from modelrace.hub import LISTING_SCHEMA

N = 60_000


@pytest.fixture(scope="module")
def spec() -> synth.Declared:
    return synth.declared_from_pinned()


@pytest.fixture(scope="module")
def listing(spec, tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "listing.parquet"
    synth.generate(N, 7, path, spec=spec)
    return pq.read_table(path).to_pydict()


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _within(observed: int, total: int, p: float, sigmas: float = 5.0) -> bool:
    """Binomial count within ``sigmas`` standard deviations of its expectation."""
    return abs(observed - total * p) <= sigmas * math.sqrt(total * p * (1 - p)) + 1


def test_same_seed_same_bytes_other_seed_other_rows(spec, tmp_path):
    a, b, c = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"
    synth.generate(5_000, 11, a, spec=spec)
    synth.generate(5_000, 11, b, spec=spec)
    synth.generate(5_000, 12, c, spec=spec)
    assert _sha(a) == _sha(b)
    assert pq.read_table(a).equals(pq.read_table(b))
    assert pq.read_table(a).column("model_id") != pq.read_table(c).column("model_id")


def test_schema_rows_and_order(listing, tmp_path, spec):
    path = tmp_path / "x.parquet"
    synth.generate(1_000, 3, path, spec=spec)
    table = pq.read_table(path)
    assert table.schema.equals(LISTING_SCHEMA, check_metadata=False)
    assert table.num_rows == 1_000
    ids = listing["model_id"]
    assert len(ids) == N and len(set(ids)) == N
    assert all(i.count("/") == 1 for i in ids)
    assert all(i.split("/")[0] == a for i, a in zip(ids, listing["author"]))
    keys = [(-d, i) for d, i in zip(listing["downloads"], ids)]
    assert keys == sorted(keys)  # a committed top-N snapshot's order


def test_fit_matches_raw_pinned_csv(spec):
    with open(sources.raw_path("hub_seven_labs_2025_10"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    downloads = [int(r["downloads"]) for r in rows]
    logs = [math.log(d) for d in downloads if d > 0]
    assert spec.downloads_zero_share == pytest.approx(sum(d == 0 for d in downloads) / len(downloads))
    assert spec.downloads_log_mean == pytest.approx(sum(logs) / len(logs))
    owners = Counter(r["owner"] for r in rows)
    weight = dict(zip(spec.named_namespaces, spec.named_weights))
    for owner, count in owners.items():
        assert weight[owner] == count
    assert {"Qwen", "deepseek-ai", "unsloth", "bartowski"} <= set(spec.named_namespaces)
    assert not any(n.startswith(synth.TAIL_PREFIX) for n in spec.named_namespaces)


def _truncated_normal(mu: float, sd: float, lo: float, hi: float) -> tuple[float, float]:
    """Mean and standard deviation of N(mu, sd) truncated to [lo, hi] (textbook formulas)."""
    a, b = (lo - mu) / sd, (hi - mu) / sd
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    z = cdf(b) - cdf(a)
    mean = mu + sd * (pdf(a) - pdf(b)) / z
    var = sd**2 * (1 + (a * pdf(a) - b * pdf(b)) / z - ((pdf(a) - pdf(b)) / z) ** 2)
    return mean, math.sqrt(var)


def _depths(listing) -> list[int]:
    """Hops of the first-base chain within the listing (a base outside it counts as one hop)."""
    bases = dict(zip(listing["model_id"], listing["base_models"]))
    out = []
    for model in listing["model_id"]:
        hops, cur = 0, model
        while bases.get(cur):
            hops += 1
            cur = bases[cur][0]
        out.append(hops)
    return out


def test_lineage_depths_merges_and_outside_bases(listing, spec):
    depths = _depths(listing)
    counts = Counter(depths)
    assert max(counts) == len(spec.depth_probs) - 1
    for d, p in enumerate(spec.depth_probs):
        assert _within(counts[d], N, p), (d, counts[d], N * p)
    ids = set(listing["model_id"])
    derived = [b for b in listing["base_models"] if b]
    merges = sum(len(b) == 2 for b in derived)
    assert _within(merges, len(derived), spec.merge_share)
    depth1 = [b for b, d in zip(listing["base_models"], depths) if d == 1]
    outside = sum(b[0] not in ids for b in depth1)
    assert _within(outside, len(depth1), spec.outside_base_share)
    rel = Counter(r for r in listing["base_relation"] if r is not None)
    non_merge = len(derived) - merges
    for name, p in zip(synth.RELATIONS, spec.relation_probs):
        assert _within(rel[name], non_merge, p, sigmas=6)
    gguf = [lib for lib, r in zip(listing["library_name"], listing["base_relation"]) if r == "quantized"]
    assert set(gguf) == {"gguf"}


def test_uploaders_and_downloads_follow_declared(listing, spec):
    depths = np.array(_depths(listing))
    named = np.isin(np.array(listing["author"], dtype=object), np.array(spec.named_namespaces, dtype=object))
    roots = depths == 0
    assert _within(int(named[roots].sum()), int(roots.sum()), spec.named_share_originals)
    assert _within(int(named[~roots].sum()), int((~roots).sum()), spec.named_share_derivatives)
    freq = Counter(a for a, k in zip(listing["author"], named) if k)
    w = np.array(spec.named_weights) / sum(spec.named_weights)
    observed = np.array([freq[n] for n in spec.named_namespaces]) / sum(freq.values())
    assert 0.5 * np.abs(observed - w).sum() < 0.06  # total variation distance
    d = np.array(listing["downloads"])
    assert _within(int((d == 0).sum()), N, spec.downloads_zero_share)
    logs = np.log(d[d > 0])
    mean, sd = _truncated_normal(spec.downloads_log_mean, spec.downloads_log_sd, 0.0, math.log(spec.downloads_max))
    assert logs.mean() == pytest.approx(mean, abs=0.06)
    assert logs.std() == pytest.approx(sd, abs=0.06)
    assert d.min() == 0 and d.max() <= spec.downloads_max


def test_dates_follow_lineage_and_profile(listing, spec):
    created = dict(zip(listing["model_id"], listing["created_at"]))
    first = min(spec.week_starts)
    last = max(spec.week_starts)
    lo = min(created.values())
    hi = max(created.values())
    assert lo.strftime("%Y-%m-%d") >= first and (hi.date() - __import__("datetime").date.fromisoformat(last)).days < 7
    for model, bases in zip(listing["model_id"], listing["base_models"]):
        if bases and bases[0] in created:
            assert created[model] >= created[bases[0]]


def test_weekly_snapshots(spec, tmp_path):
    files = synth.generate_weekly(3_000, 3, 5, tmp_path / "w", spec=spec)
    tables = [pq.read_table(f) for f in files]
    assert [f.name for f in files] == ["week-00.parquet", "week-01.parquet", "week-02.parquet"]
    assert all(t.num_rows == 3_000 and t.schema.equals(LISTING_SCHEMA, check_metadata=False) for t in tables)
    ids = [set(t.column("model_id").to_pylist()) for t in tables]
    assert ids[0] != ids[1] and len(ids[0] & ids[1]) > 2_900  # churn: mostly the same models
    d0 = dict(zip(tables[0].column("model_id").to_pylist(), tables[0].column("downloads").to_pylist()))
    d1 = dict(zip(tables[1].column("model_id").to_pylist(), tables[1].column("downloads").to_pylist()))
    assert any(d0[m] != d1[m] for m in ids[0] & ids[1])
    again = synth.generate_weekly(3_000, 3, 5, tmp_path / "v", spec=spec)
    assert [_sha(f) for f in files] == [_sha(f) for f in again]


def test_cache_reuses_the_file(spec, tmp_path):
    p = synth.cached_listing(1_000, 9, cache=tmp_path, spec=spec)
    mtime = p.stat().st_mtime_ns
    assert synth.cached_listing(1_000, 9, cache=tmp_path, spec=spec) == p and p.stat().st_mtime_ns == mtime
    assert synth.cached_listing(1_000, 10, cache=tmp_path, spec=spec) != p


@pytest.mark.parametrize("rows, seed", [(10, 1), (1_000, -1), (1.5, 1), (True, 1)])
def test_bad_arguments(rows, seed, tmp_path, spec):
    with pytest.raises(ValueError):
        synth.generate(rows, seed, tmp_path / "x.parquet", spec=spec)
