"""Attribution and aggregation of full Hub listings (millions of rows), snapshot by snapshot.

Why: a full Hub listing is ~3 million models, and a series of weekly listings is tens of
millions of rows: more than a notebook should hold at once. This module reads a listing's
Parquet file(s) one snapshot at a time, only the columns it needs, attributes each snapshot
with :func:`modelrace.attribution.attribute_hub` (lineage is resolved *within* the snapshot:
a base model is looked up among the models listed that week), reduces it to a small table
and frees it before the next. The benchmark (:mod:`modelrace.bench`) measures this code path
itself, so its numbers hold for notebooks pointed at a full listing.

Output of :func:`aggregate_listing` (one row per snapshot, view, month and lab)::

    snapshot, view, month, group, lab, country, models, downloads, models_without_downloads

- ``view``: "uploader" (the namespace that uploaded the model) or "lineage" (the lab of the
  model its first-base chain ends at); both come from one ``attribute_hub`` call.
- ``month``: first day of the UTC month of ``created_at`` (NaT when the listing lacks it: such
  models keep their own row, never dropped).
- ``downloads``: the sum of ``downloads`` (a missing count adds 0 and is counted in
  ``models_without_downloads``, so nothing is invented or lost).
- ``country``: the lab's country from ``labs.csv``; "Individual" and "Unattributed" for those
  pseudo-labs. Every model lands in exactly one row per view: the totals are checked.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import attribution
from .validate import InputError

COLUMNS = ("model_id", "base_models", "created_at", "downloads")  # all that attribution and aggregation read
VIEWS = {"uploader": ("uploader_lab", "uploader_group"), "lineage": ("base_lab", "lineage_group")}
OUTPUT_COLUMNS = ("snapshot", "view", "month", "group", "lab", "country", "models", "downloads", "models_without_downloads")


# ------------------------------------------------------------------------------------ reading


def snapshot_files(source) -> list[Path]:
    """The Parquet files of ``source``: one file, every ``*.parquet`` of a directory (sorted), or a list."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if path.is_dir():
            files = sorted(p for p in path.glob("*.parquet") if not p.name.startswith("."))
            if not files:
                raise InputError(f"{path}: no *.parquet file in this directory; point at a listing file or a folder of snapshots")
            return files
        if not path.is_file():
            raise InputError(f"{path}: no such file; generate it (modelrace.synth) or fetch a listing (make fetch-hub)")
        return [path]
    files = [Path(p) for p in source]
    if not files:
        raise InputError("no listing given: pass a Parquet file, a folder of snapshots or a frame")
    return files


def read_snapshot(path: str | Path, columns: Iterable[str] = COLUMNS) -> pd.DataFrame:
    """One snapshot's needed columns as an Arrow-backed frame (no copy into Python objects)."""
    path = Path(path)
    columns = list(columns)
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc}); regenerate or refetch it") from None
    missing = [c for c in columns if c not in schema.names]
    if missing:
        raise InputError(f"{path}: column(s) {missing} missing; a listing needs {list(COLUMNS)} (modelrace.hub.LISTING_SCHEMA)")
    table = pq.read_table(path, columns=columns)
    bad = [c for c, t in (("created_at", pa.types.is_timestamp), ("downloads", pa.types.is_integer),
                          ("base_models", pa.types.is_list)) if c in columns and not t(table.schema.field(c).type)]
    if bad:
        raise InputError(f"{path}: column(s) {bad} have the wrong type ({[str(table.schema.field(c).type) for c in bad]}); "
                         "expected modelrace.hub.LISTING_SCHEMA")
    return table.to_pandas(types_mapper=pd.ArrowDtype)


# -------------------------------------------------------------------------------- aggregation


def _arrow(col: pd.Series) -> pa.Array:
    if isinstance(col.dtype, pd.ArrowDtype):
        arr = col.array.__arrow_array__()
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    return pa.array(col, from_pandas=True)


def _month_index(created: pd.Series) -> np.ndarray:
    """Months since 1970-01 of each timestamp (UTC); -1 where it is missing."""
    arr = _arrow(created)
    if not pa.types.is_timestamp(arr.type):
        arr = pa.array(pd.to_datetime(created, utc=True))
    if arr.type.tz not in (None, "UTC", "+00:00"):
        arr = pc.cast(arr, pa.timestamp(arr.type.unit, "UTC"))
    ts = pc.cast(pc.fill_null(pc.cast(arr, pa.int64()), 0), pa.int64()).to_numpy()
    months = ts.astype(f"datetime64[{arr.type.unit}]").astype("datetime64[M]").astype(np.int64)
    return np.where(arr.is_valid().to_numpy(zero_copy_only=False), months, -1)


def _downloads(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(downloads with missing as 0, missing mask); negative counts are an input error."""
    arr = _arrow(col)
    if not pa.types.is_integer(arr.type):
        raise InputError(f"'downloads' must be integers, not {arr.type}; pass a listing in modelrace.hub.LISTING_SCHEMA")
    missing = arr.is_null().to_numpy(zero_copy_only=False)
    values = pc.fill_null(pc.cast(arr, pa.int64()), 0).to_numpy()
    if (values < 0).any():
        rows = np.flatnonzero(values < 0)[:5].tolist()
        raise InputError(f"negative 'downloads' at row(s) {rows}; a count cannot be negative: fix the listing")
    return values, missing


def _lab_facts(labs: pd.DataFrame) -> dict[str, str]:
    return {lab: country for lab, country in zip(labs["lab"], labs["country"]) if country}


def _categorical(col: pd.Series, name: str) -> pd.Series:
    if not isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object).astype("category")
    if (col.cat.codes.to_numpy() < 0).any():
        rows = np.flatnonzero(col.cat.codes.to_numpy() < 0)[:5].tolist()
        raise InputError(f"attribute_hub left {name!r} empty at row(s) {rows}; attribution must give every model "
                         "a lab and group (or 'Unattributed')")
    return col


def aggregate_attributed(attributed: pd.DataFrame, *, labs: pd.DataFrame | None = None, snapshot: str = "") -> pd.DataFrame:
    """Reduce an ``attribute_hub`` output to models and downloads per view, month and lab.

    Vectorized: one integer key per row (lab code x month slot) and ``numpy.bincount`` sums
    (exact: float64 sums of integers are exact below 2**53, else pandas' int64 groupby is
    used). Checks that every model and every download lands in exactly one row per view.
    """
    labs = attribution.load_labs() if labs is None else labs
    country_of = _lab_facts(labs)
    months = _month_index(attributed["created_at"])
    downloads, missing = _downloads(attributed["downloads"])
    exact = int(downloads.sum()) < 2**53  # float64 bin sums are exact integers below 2**53
    present = months[months >= 0]
    first_month = int(present.min()) if present.size else 0
    slot = np.where(months >= 0, months - first_month + 1, 0)  # 0: no created_at
    n_slots = int(slot.max()) + 1 if len(slot) else 1
    parts = []
    for view, (lab_col, group_col) in VIEWS.items():
        lab, group = (_categorical(attributed[c], c) for c in (lab_col, group_col))
        lab_codes = lab.cat.codes.to_numpy().astype(np.int64)
        key = lab_codes * n_slots + slot
        size = len(lab.cat.categories) * n_slots
        models = np.bincount(key, minlength=size)
        used = np.flatnonzero(models)
        if exact:
            dl = np.rint(np.bincount(key, weights=downloads, minlength=size)).astype(np.int64)
        else:  # beyond float64's exact range: exact integer sums the slow way
            dl = pd.Series(downloads).groupby(key).sum().reindex(range(size), fill_value=0).to_numpy(np.int64)
        without = np.bincount(key, weights=missing, minlength=size).astype(np.int64)
        # each lab's group, read from the first row carrying that lab (integer codes only)
        first_row = np.full(len(lab.cat.categories), -1, dtype=np.int64)
        first_row[lab_codes[::-1]] = np.arange(len(lab_codes) - 1, -1, -1)
        lab_idx, slot_idx = used // n_slots, used % n_slots
        group_codes = group.cat.codes.to_numpy()[first_row[lab_idx]]
        month_numbers = slot_idx - 1 + first_month
        part = pd.DataFrame({
            "snapshot": snapshot,
            "view": view,
            "month": pd.Series(month_numbers.astype("datetime64[M]").astype("datetime64[s]")).where(slot_idx > 0),
            "group": np.asarray(group.cat.categories, dtype=object)[group_codes],
            "lab": np.asarray(lab.cat.categories, dtype=object)[lab_idx],
            "models": models[used].astype(np.int64),
            "downloads": dl[used],
            "models_without_downloads": without[used],
        })
        part.insert(5, "country", [country_of.get(lab_name, grp) for lab_name, grp in zip(part["lab"], part["group"])])
        if part["models"].sum() != len(attributed) or part["downloads"].sum() != downloads.sum():
            raise AssertionError(f"{view} view: aggregation lost or double-counted models or downloads (a bug)")
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["month"] = out["month"].astype("datetime64[s]")
    return out.sort_values(["snapshot", "view", "month", "group", "lab"], kind="mergesort", na_position="last").reset_index(drop=True)


def aggregate_frame(df: pd.DataFrame, *, snapshot: str = "", max_hops: int = 8,
                    labs: pd.DataFrame | None = None, namespaces: pd.DataFrame | None = None) -> pd.DataFrame:
    """Attribute one snapshot (``attribute_hub``, both views at once) and aggregate it."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"listing frame lacks column(s) {missing}; a listing needs {list(COLUMNS)} (modelrace.hub.LISTING_SCHEMA)")
    labs = attribution.load_labs() if labs is None else labs
    namespaces = attribution.load_namespaces(labs=labs) if namespaces is None else namespaces
    attributed = attribution.attribute_hub(df, view="uploader", max_hops=max_hops, namespaces=namespaces, labs=labs)
    return aggregate_attributed(attributed, labs=labs, snapshot=snapshot)


def iter_snapshot_aggregates(source, *, max_hops: int = 8, labs: pd.DataFrame | None = None,
                             namespaces: pd.DataFrame | None = None) -> Iterator[pd.DataFrame]:
    """Yield each snapshot's aggregate in turn; at most one snapshot is in memory at a time."""
    labs = attribution.load_labs() if labs is None else labs
    namespaces = attribution.load_namespaces(labs=labs) if namespaces is None else namespaces
    if isinstance(source, pd.DataFrame):
        yield aggregate_frame(source, max_hops=max_hops, labs=labs, namespaces=namespaces)
        return
    for path in snapshot_files(source):
        frame = read_snapshot(path)
        try:
            yield aggregate_frame(frame, snapshot=path.stem, max_hops=max_hops, labs=labs, namespaces=namespaces)
        except InputError as exc:
            raise InputError(f"{path}: {exc}") from None
        del frame
        gc.collect()


def aggregate_listing(source, *, max_hops: int = 8, labs: pd.DataFrame | None = None,
                      namespaces: pd.DataFrame | None = None) -> pd.DataFrame:
    """Models and downloads per snapshot, view, month and lab, from Parquet file(s) or a frame.

    ``source``: a listing frame (``modelrace.hub.LISTING_SCHEMA`` columns), a Parquet file, a
    folder of snapshot files (each one a snapshot, named by its file stem) or a list of files.
    """
    parts = list(iter_snapshot_aggregates(source, max_hops=max_hops, labs=labs, namespaces=namespaces))
    return pd.concat(parts, ignore_index=True)


def shares(aggregate: pd.DataFrame, by: tuple[str, ...] = ("group",)) -> pd.DataFrame:
    """Downloads and model shares of each ``by`` value within its snapshot, view and month.

    Months with no downloads at all get a NaN download share (0/0 is not a share).
    """
    missing = [c for c in ("snapshot", "view", "month", *by, "models", "downloads") if c not in aggregate.columns]
    if missing:
        raise InputError(f"shares: aggregate lacks column(s) {missing}; pass aggregate_listing()'s output")
    keys = ["snapshot", "view", "month"]
    out = aggregate.groupby(keys + list(by), dropna=False, sort=True, observed=True)[["models", "downloads"]].sum().reset_index()
    totals = out.groupby(keys, dropna=False, observed=True)[["models", "downloads"]].transform("sum")
    out["models_share"] = out["models"] / totals["models"]
    out["downloads_share"] = (out["downloads"] / totals["downloads"].where(totals["downloads"] > 0)).astype(float)
    return out


def totals_by(aggregate: pd.DataFrame, by: tuple[str, ...] = ("group",)) -> pd.DataFrame:
    """Models and downloads per snapshot, view and ``by`` over all months, with shares."""
    keys = ["snapshot", "view"]
    out = aggregate.groupby(keys + list(by), dropna=False, sort=True, observed=True)[["models", "downloads"]].sum().reset_index()
    totals = out.groupby(keys, observed=True)[["models", "downloads"]].transform("sum")
    out["models_share"] = out["models"] / totals["models"]
    out["downloads_share"] = out["downloads"] / totals["downloads"].where(totals["downloads"] > 0)
    return out
