"""Seeded synthetic Hub listings at Hub scale (millions of rows), in ``hub.LISTING_SCHEMA``.

Why: the attribution and aggregation code must be measured on listings as large as the Hub's
(about 2-3 million models, ten weekly snapshots = 30 million rows) without fetching them. The
generator draws from the distributions of the pinned files, so the cost profile (how many
distinct namespaces, how deep the base-model chains go, how skewed downloads are) looks like
the real thing; every parameter is declared in :class:`Declared` and tested against the output.

Where each distribution comes from (:func:`declared_from_pinned`):

- **Named namespaces** (uploaders that the pinned files name): ``hub_seven_labs`` owners weighted
  by their model count; labs of ``aiworld_org_weeks`` (mapped to namespaces through
  ``aiworld_labs.csv`` and ``hf_namespaces.csv``) weighted by the models they published
  (``models_week`` summed); uploaders of ``aiworld_top100`` weighted by their appearances times
  the models-per-appearance ratio of the owners present in both files. The rest of the Hub is a
  **long tail** of synthetic individual namespaces (``tail-<k>``), Zipf-distributed.
- **Downloads** (30-day): zero-inflated lognormal fitted to ``hub_seven_labs.downloads_30d``
  (share of zeros; mean and standard deviation of log downloads of the others). Nonzero draws
  are truncated to [1, largest count of the pinned files] (redrawn outside), so zeros come only
  from the zero share; the truncation lifts the mean of log downloads a little (about +0.27).
- **Creation dates** of originals: the weekly profile of ``aiworld_org_weeks.models_week``
  (all labs); a derivative is created after its base (exponential delay, declared mean).
- **Pipeline tags**: frequencies of ``hub_seven_labs.pipeline_tag`` (null included).
- **Lineage**: each model has a depth 0-4 (declared probabilities). A depth-d model's first base
  is a depth d-1 model of the same listing, chosen with probability proportional to its
  downloads (times a declared boost for named uploaders: people fine-tune and quantize the
  labs' models); a declared share of depth-1 models names a base outside the listing; a declared
  share of derivatives are merges with a second base. Quantized copies (GGUF) are uploaded by
  individuals or community quantizers like everything derived.

Reproducibility: one ``numpy.random.Generator(PCG64(seed))`` draws everything in a fixed order;
rows are sorted like a committed top-N snapshot (downloads descending, then ``model_id``); the
Parquet file is written without pandas metadata, so the same seed and row count give the same
bytes (with the same pyarrow version).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import paths
from .hub import LISTING_SCHEMA

GENERATOR_VERSION = 2  # bump when the output for a given seed changes (invalidates caches)
TAIL_PREFIX = "tail-"
RELATIONS = ("quantized", "finetune", "adapter")  # merges are drawn separately
SUFFIX = {"quantized": "GGUF", "finetune": "sft", "adapter": "lora", "merge": "merge"}
ROW_GROUP_SIZE = 256 * 1024
ROOT_STEMS = (
    "Instruct", "Base", "Chat", "Coder", "VL", "Embedding", "Reranker", "TTS", "ASR", "Diffusion",
    "Vision", "Math", "Reasoning", "Distill", "MoE", "Tiny", "Small", "Large", "XL", "Preview",
)
SIZES = ("0.5B", "1B", "1.5B", "3B", "4B", "7B", "8B", "14B", "32B", "70B", "235B")
LIBRARIES = ("transformers", "diffusers", "sentence-transformers", "peft", "timm", "mlx", "onnx")
LIBRARY_P = (0.62, 0.08, 0.08, 0.1, 0.04, 0.05, 0.03)


@dataclass(frozen=True)
class Declared:
    """Every parameter of the generator: what the tests check the output against."""

    named_namespaces: tuple[str, ...]
    named_weights: tuple[float, ...]  # relative frequency of each named namespace as uploader
    downloads_zero_share: float
    downloads_log_mean: float
    downloads_log_sd: float
    downloads_max: int  # truncation: the largest download count in the pinned files
    week_starts: tuple[str, ...]  # ISO dates (UTC midnight) of the creation profile's weeks
    week_weights: tuple[float, ...]
    pipeline_tags: tuple[str | None, ...]
    pipeline_weights: tuple[float, ...]
    depth_probs: tuple[float, ...] = (0.52, 0.30, 0.12, 0.045, 0.015)  # 0..4 hops of first bases
    named_share_originals: float = 0.10  # originals (depth 0) uploaded by a named namespace
    named_share_derivatives: float = 0.03  # derivatives uploaded by a named namespace
    named_parent_boost: float = 50.0  # a named uploader's model is this much likelier as a base
    outside_base_share: float = 0.02  # depth-1 models whose base is not in the listing
    merge_share: float = 0.03  # derivatives with a second base (relation "merge")
    relation_probs: tuple[float, ...] = (0.35, 0.48, 0.17)  # of RELATIONS, for non-merges
    derivative_delay_days: float = 45.0  # mean delay between a base's creation and a derivative's
    tail_namespaces_per_row: float = 0.2  # distinct long-tail namespaces = this x population
    tail_zipf_exponent: float = 1.1
    weekly_download_sd: float = 0.2  # log-sd of a model's downloads between weekly snapshots
    weekly_churn: float = 0.01  # share of the population absent from each weekly snapshot

    def to_json(self) -> dict:
        return asdict(self)


def declared_from_pinned() -> Declared:
    """Fit the generator's distributions to the pinned files (see the module docstring)."""
    from . import attribution, load

    seven = load.hub_seven_labs()
    top = load.aiworld_top100()
    weeks = load.aiworld_org_weeks()
    namespaces = attribution.load_namespaces()
    aiworld_labs = attribution.load_aiworld_labs()

    weights: dict[str, float] = {}
    seven_counts = seven["owner"].astype(str).value_counts()
    for ns, count in seven_counts.items():
        weights[ns] = float(count)
    lab_models = weeks.groupby("lab")["models_week"].sum()
    lab_models.index = lab_models.index.map(dict(zip(aiworld_labs["aiworld_id"], aiworld_labs["lab"])))
    own = namespaces[namespaces["kind"] == "lab"]
    for lab, models in lab_models.groupby(level=0).sum().items():
        lab_ns = sorted(own.loc[own["lab"] == lab, "namespace"])
        for ns in lab_ns:
            if ns not in weights and models > 0:
                weights[ns] = float(models) / len(lab_ns)
    top_counts = top["uploader_org"].astype(str).value_counts()
    both = [ns for ns in top_counts.index if ns in seven_counts.index]
    per_appearance = float(seven_counts[both].sum() / top_counts[both].sum()) if both else 1.0
    for ns, count in top_counts.items():
        if ns not in weights:
            weights[ns] = float(count) * per_appearance
    names = tuple(sorted(weights))

    d = seven["downloads_30d"].to_numpy(dtype=np.int64)
    positive = np.log(d[d > 0])

    profile = weeks.groupby("week_date")["models_week"].sum().sort_index()
    profile = profile[profile > 0]

    tags = seven["pipeline_tag"].astype(object).where(seven["pipeline_tag"].notna(), None)
    tag_counts = pd.Series(tags.map(lambda t: t if t is not None else "\0")).value_counts()
    tag_names = tuple(None if t == "\0" else t for t in tag_counts.index)
    return Declared(
        named_namespaces=names,
        named_weights=tuple(weights[n] for n in names),
        downloads_zero_share=float((d == 0).mean()),
        downloads_log_mean=float(positive.mean()),
        downloads_log_sd=float(positive.std()),
        downloads_max=int(max(d.max(), top["downloads"].max())),
        week_starts=tuple(pd.Timestamp(w).strftime("%Y-%m-%d") for w in profile.index),
        week_weights=tuple(float(v) for v in profile.to_numpy()),
        pipeline_tags=tag_names,
        pipeline_weights=tuple(float(v) for v in tag_counts.to_numpy()),
    )


# ------------------------------------------------------------------------------- population


def _p(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def _str(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def _join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _zipf_ranks(rng: np.random.Generator, size: int, pool: int, exponent: float) -> np.ndarray:
    """Ranks 0..pool-1 with P(k) proportional to (k+1)^-exponent (a truncated Zipf law)."""
    cdf = np.cumsum(np.arange(1, pool + 1, dtype=np.float64) ** -exponent)
    return np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right").clip(0, pool - 1)


@dataclass
class _Population:
    """Column arrays of a generated population (unsorted)."""

    columns: dict[str, pa.Array] = field(default_factory=dict)
    depth: np.ndarray | None = None  # for the generator's own checks and tests


def _population(n: int, seed: int, spec: Declared) -> _Population:
    rng = np.random.default_rng(np.random.PCG64(seed))
    depth = np.sort(rng.choice(len(spec.depth_probs), size=n, p=_p(spec.depth_probs)))
    counts = np.bincount(depth, minlength=len(spec.depth_probs))
    starts = np.concatenate([[0], np.cumsum(counts)])
    is_root = depth == 0

    # uploader namespaces: named (from the pinned files) or long tail
    named_share = np.where(is_root, spec.named_share_originals, spec.named_share_derivatives)
    named = rng.random(n) < named_share
    named_code = rng.choice(len(spec.named_namespaces), size=n, p=_p(spec.named_weights))
    pool = max(1, int(n * spec.tail_namespaces_per_row))
    tail_rank = _zipf_ranks(rng, n, pool, spec.tail_zipf_exponent)
    tail_names = _join(TAIL_PREFIX, _str(np.arange(pool)))
    named_arr = pa.array(spec.named_namespaces, pa.string())
    namespace = pc.if_else(pa.array(named), named_arr.take(pa.array(named_code)), tail_names.take(pa.array(tail_rank)))

    # downloads: zero-inflated lognormal; the nonzero part truncated to [1, downloads_max] (redrawn outside)
    zero = rng.random(n) < spec.downloads_zero_share
    log_d = rng.normal(spec.downloads_log_mean, spec.downloads_log_sd, n)
    lo, hi = 0.0, math.log(spec.downloads_max)
    out = np.flatnonzero((log_d < lo) | (log_d > hi))
    while out.size:
        log_d[out] = rng.normal(spec.downloads_log_mean, spec.downloads_log_sd, out.size)
        out = out[(log_d[out] < lo) | (log_d[out] > hi)]
    downloads = np.where(zero, 0, np.rint(np.exp(log_d))).astype(np.int64)

    # creation time of originals: weekly profile, uniform within the week (microseconds)
    week0 = pd.DatetimeIndex(pd.to_datetime(list(spec.week_starts), utc=True)).as_unit("us").asi8
    week_us = 7 * 86400 * 1_000_000
    end_us = int(week0.max()) + week_us - 1
    created = week0[rng.choice(len(week0), size=n, p=_p(spec.week_weights))] + (rng.random(n) * week_us).astype(np.int64)

    # lineage, level by level (level d picks its first base among level d-1)
    first_base = np.full(n, -1, dtype=np.int64)
    second_base = np.full(n, -1, dtype=np.int64)
    boost = np.where(named, spec.named_parent_boost, 1.0)
    for d in range(1, len(counts)):
        lo, hi = starts[d], starts[d + 1]
        plo, phi = starts[d - 1], starts[d]
        if hi == lo:
            continue
        if phi == plo:
            raise ValueError(f"depth {d} has models but depth {d - 1} has none: raise n_rows")
        w = (downloads[plo:phi] + 1.0) * boost[plo:phi]
        first_base[lo:hi] = plo + rng.choice(phi - plo, size=hi - lo, p=w / w.sum())
        second_base[lo:hi] = plo + rng.choice(phi - plo, size=hi - lo, p=w / w.sum())
    derived = ~is_root
    merge = derived & (rng.random(n) < spec.merge_share) & (second_base != first_base)
    second_base[~merge] = -1
    outside = (depth == 1) & (rng.random(n) < spec.outside_base_share)
    relation_code = rng.choice(len(RELATIONS), size=n, p=_p(spec.relation_probs))
    delay = (rng.exponential(spec.derivative_delay_days, n) * 86400e6).astype(np.int64)
    for d in range(1, len(counts)):  # in level order, so a base's date is final before use
        sel = np.arange(starts[d], starts[d + 1])
        created[sel] = np.minimum(created[first_base[sel]] + delay[sel], end_us)
    tag_code = rng.choice(len(spec.pipeline_tags), size=n, p=_p(spec.pipeline_weights))
    library_code = rng.choice(len(LIBRARIES), size=n, p=_p(LIBRARY_P))
    stem_code = rng.integers(0, len(ROOT_STEMS), n)
    size_code = rng.integers(0, len(SIZES), n)
    months = np.maximum(1, (end_us - created) // (30 * 86400 * 1_000_000))
    all_time = downloads * months + np.rint(np.exp(rng.normal(2.0, 2.0, n))).astype(np.int64)
    likes = np.rint(np.sqrt(downloads) * np.exp(rng.normal(-3.0, 1.0, n))).astype(np.int64)

    # names: originals "<Stem>-<size>-<row>", derivatives "<base name>-<suffix>-<row>"
    row = _str(np.arange(n))
    relation_names = np.array(RELATIONS + ("merge",), dtype=object)
    rel = np.where(merge, len(RELATIONS), relation_code)
    names = _join(pa.array(np.array(ROOT_STEMS, dtype=object)[stem_code], pa.string()),
                  pa.array(np.array(SIZES, dtype=object)[size_code], pa.string()), row, sep="-")
    suffix_arr = pa.array(np.array([SUFFIX[r] for r in relation_names], dtype=object)[rel], pa.string())
    for d in range(1, len(counts)):
        lo, hi = int(starts[d]), int(starts[d + 1])
        if hi == lo:
            continue
        base_names = names.take(pa.array(first_base[lo:hi]))
        level = _join(base_names, suffix_arr[lo:hi], row[lo:hi], sep="-")
        names = pa.concat_arrays([names[:lo], level, names[hi:]])
    model_id = _join(namespace, names, sep="/")

    # bases as ids; an outside base is a plausible id that the listing does not contain
    outside_ids = _join(named_arr.take(pa.array(named_code)), _join("unlisted", row, sep="-"), sep="/")
    first_ids = pc.if_else(pa.array(outside), outside_ids, model_id.take(pa.array(np.maximum(first_base, 0))))
    n_bases = np.where(derived, 1, 0) + merge.astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(n_bases)]).astype(np.int32)
    value_rows = np.repeat(np.arange(n), n_bases)
    value_is_second = np.zeros(len(value_rows), dtype=bool)
    value_is_second[offsets[1:][merge] - 1] = True
    second_ids = model_id.take(pa.array(np.maximum(second_base, 0)))
    values = pc.if_else(pa.array(value_is_second), second_ids.take(pa.array(value_rows)), first_ids.take(pa.array(value_rows)))
    base_models = pa.ListArray.from_arrays(pa.array(offsets), values, mask=pa.array(~derived))
    relation = pa.array(np.where(derived, relation_names[rel], None), pa.string())

    library = pc.if_else(pa.array(derived & (rel == 0)), "gguf", pa.array(np.array(LIBRARIES, dtype=object)[library_code], pa.string()))
    base_tag = _join("base_model", relation, first_ids, sep=":")
    tag_offsets = np.concatenate([[0], np.cumsum(1 + derived.astype(np.int64))]).astype(np.int32)
    tag_rows = np.repeat(np.arange(n), 1 + derived.astype(np.int64))
    tag_is_base = np.ones(len(tag_rows), dtype=bool)
    tag_is_base[tag_offsets[:-1]] = False
    tags = pa.ListArray.from_arrays(
        pa.array(tag_offsets),
        pc.if_else(pa.array(tag_is_base), base_tag.take(pa.array(tag_rows)), library.take(pa.array(tag_rows))),
    )
    pipeline = pa.array(np.array(spec.pipeline_tags, dtype=object)[tag_code], pa.string())

    cols = {
        "model_id": model_id,
        "author": namespace,
        "created_at": pa.array(created, pa.timestamp("us", tz="UTC")),
        "downloads": pa.array(downloads, pa.int64()),
        "downloads_all_time": pa.array(all_time, pa.int64()),
        "likes": pa.array(likes, pa.int64()),
        "pipeline_tag": pipeline,
        "library_name": library,
        "tags": tags,
        "base_models": base_models,
        "base_relation": relation,
    }
    return _Population(cols, depth)


def _table(columns: dict[str, pa.Array]) -> pa.Table:
    """A listing table with the schema and the row order of a committed top-N snapshot."""
    table = pa.Table.from_arrays([columns[f.name] for f in LISTING_SCHEMA], schema=LISTING_SCHEMA)
    return table.sort_by([("downloads", "descending"), ("model_id", "ascending")])


def _write(table: pa.Table, path: Path) -> None:
    """Write atomically (temporary file, then rename), without pandas metadata: same bytes per seed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table.replace_schema_metadata(None), tmp, row_group_size=ROW_GROUP_SIZE, compression="snappy")
    os.replace(tmp, path)


def _spec(spec: Declared | None) -> Declared:
    return declared_from_pinned() if spec is None else spec


def _check(n_rows: int, seed: int) -> None:
    if not isinstance(n_rows, (int, np.integer)) or isinstance(n_rows, bool) or n_rows < 100:
        raise ValueError(f"n_rows must be an integer >= 100, got {n_rows!r}")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")


def generate(n_rows: int, seed: int, path: str | Path, *, spec: Declared | None = None) -> Path:
    """Write a synthetic listing of ``n_rows`` models (``hub.LISTING_SCHEMA``) to ``path``."""
    _check(n_rows, seed)
    spec = _spec(spec)
    _write(_table(_population(int(n_rows), int(seed), spec).columns), Path(path))
    return Path(path)


def snapshot_names(weeks: int) -> list[str]:
    return [f"week-{k:02d}.parquet" for k in range(weeks)]


def generate_weekly(n_rows: int, weeks: int, seed: int, directory: str | Path, *, spec: Declared | None = None) -> list[Path]:
    """Write ``weeks`` weekly snapshots of exactly ``n_rows`` models each into ``directory``.

    One population (slightly larger than ``n_rows``) is drawn; each week keeps ``n_rows`` of its
    models (``weekly_churn`` are absent: deleted, private or not yet listed, so a base can be
    missing from one week's snapshot) and rescales each model's downloads by a lognormal factor.
    Snapshot k is drawn with seed ``(seed, k)``: weeks are independent given the population.
    """
    _check(n_rows, seed)
    if not isinstance(weeks, int) or weeks < 1:
        raise ValueError(f"weeks must be a positive integer, got {weeks!r}")
    spec = _spec(spec)
    n_pop = int(n_rows) + math.ceil(n_rows * spec.weekly_churn / (1 - spec.weekly_churn))
    pop = _population(n_pop, int(seed), spec).columns
    base_downloads = pop["downloads"].to_numpy()
    out = []
    for k, name in enumerate(snapshot_names(weeks)):
        rng = np.random.default_rng([int(seed), k])
        keep = np.sort(rng.choice(n_pop, size=int(n_rows), replace=False))
        factor = np.exp(rng.normal(0.0, spec.weekly_download_sd, n_pop))
        week = {c: a.take(pa.array(keep)) for c, a in pop.items()}
        week["downloads"] = pa.array(np.rint(base_downloads * factor)[keep].astype(np.int64))
        _write(_table(week), Path(directory) / name)
        out.append(Path(directory) / name)
    return out


# ------------------------------------------------------------------------------------ cache

CACHE = paths.ROOT / "bench" / "work"


def _key(*parts) -> str:
    return "-".join(str(p) for p in parts) + f"-g{GENERATOR_VERSION}"


def _spec_digest(spec: Declared) -> str:
    return hashlib.sha256(json.dumps(spec.to_json(), sort_keys=True).encode()).hexdigest()[:12]


def cached_listing(n_rows: int, seed: int, *, cache: Path | None = None, spec: Declared | None = None) -> Path:
    """``generate`` once per (rows, seed, generator version, declared spec); reuse the file after."""
    spec = _spec(spec)
    path = Path(cache or CACHE) / f"listing-{_key(n_rows, seed, _spec_digest(spec))}.parquet"
    if not path.is_file():
        generate(n_rows, seed, path, spec=spec)
    return path


def cached_weekly(n_rows: int, weeks: int, seed: int, *, cache: Path | None = None, spec: Declared | None = None) -> list[Path]:
    """``generate_weekly`` once per key; a ``.complete`` marker says all weeks were written."""
    spec = _spec(spec)
    directory = Path(cache or CACHE) / f"weekly-{_key(n_rows, weeks, seed, _spec_digest(spec))}"
    marker = directory / ".complete"
    if not marker.is_file():
        generate_weekly(n_rows, weeks, seed, directory, spec=spec)
        marker.write_text("ok\n")
    return [directory / name for name in snapshot_names(weeks)]
