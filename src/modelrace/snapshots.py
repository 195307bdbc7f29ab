"""Dated, immutable snapshots of live fetches, committed atomically.

Why: a rerun must never lose a good snapshot nor leave a half-written one where a loader
could read it. A fetcher writes into a hidden *staging* directory (``.staging-<key>``, reused
to resume an interrupted fetch), then :func:`commit_snapshot` writes ``manifest.json`` (with
the sha256 of every file) and renames the whole directory into place in one ``os.rename``.
Snapshot directories are never overwritten: a second fetch on the same day gets ``-2``,
``-3``... so the previous snapshot always stays byte-identical. Loaders only accept
directories whose manifest checksums match (:func:`verify_snapshot`).

Layout::

    data/snapshots/<source>/<YYYY-MM-DD>[-N]/<files> + manifest.json
    data/snapshots/<source>/.staging-<key>/          (in progress; ignored by readers)

Secrets never go into a manifest: callers pass the query (parameters), never headers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from . import paths

MANIFEST = "manifest.json"
_SNAPSHOT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(-\d+)?$")
_SECRET_ENV = ("OPENROUTER_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")


class SnapshotError(RuntimeError):
    """A snapshot is missing, incomplete or does not match its manifest."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def source_dir(source: str, root: Path | None = None) -> Path:
    return Path(root or paths.SNAPSHOTS) / source


def staging_dir(source: str, key: str, root: Path | None = None) -> Path:
    """The staging directory for one fetch (same ``key`` = same query = resumable)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)[:120]
    d = source_dir(source, root) / f".staging-{safe}"
    d.mkdir(parents=True, exist_ok=True)
    return d


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def _fsync_dir(d: Path) -> None:
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def assert_no_secrets(text: str) -> None:
    """Refuse to persist text that contains the value of a secret environment variable."""
    for name in _SECRET_ENV:
        value = os.environ.get(name)
        if value and len(value) >= 6 and value in text:
            raise SnapshotError(f"refusing to write: the value of ${name} appears in the output")


def commit_snapshot(
    staging: Path,
    source: str,
    manifest: dict[str, Any],
    *,
    fetch_date: dt.date | None = None,
    root: Path | None = None,
) -> Path:
    """Seal a staging directory: checksum its files, write the manifest, rename into place.

    ``manifest`` holds what produced the files (query, ``as_of``, fetch time, row counts...);
    this adds ``files`` {name: {sha256, bytes}}. Hidden files (``.``-prefixed: resume state,
    temporary parts) are removed first. Returns the final snapshot directory.
    """
    staging = Path(staging)
    for p in list(staging.iterdir()):
        if p.name.startswith("."):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    files = sorted(p for p in staging.iterdir() if p.is_file() and p.name != MANIFEST)
    if not files:
        raise SnapshotError(f"nothing to commit in {staging}")
    for p in files:  # data files reach the disk before the manifest that vouches for them
        with open(p, "rb") as f:
            os.fsync(f.fileno())
    full = dict(manifest)
    full["files"] = {p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size} for p in files}
    text = json.dumps(full, indent=2, sort_keys=True, default=str) + "\n"
    assert_no_secrets(text)
    atomic_write_text(staging / MANIFEST, text)

    day = (fetch_date or dt.datetime.now(dt.timezone.utc).date()).isoformat()
    parent = source_dir(source, root)
    parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        final = parent / (day if n == 1 else f"{day}-{n}")
        try:
            os.rename(staging, final)  # atomic; fails if final exists and is not empty
            break
        except OSError:
            if not final.exists():
                raise
            n += 1
    _fsync_dir(parent)
    return final


def read_manifest(snapshot: Path) -> dict[str, Any]:
    mpath = Path(snapshot) / MANIFEST
    if not mpath.is_file():
        raise SnapshotError(f"{snapshot} has no {MANIFEST}: it is not a committed snapshot")
    return json.loads(mpath.read_text())


def verify_snapshot(snapshot: Path) -> dict[str, Any]:
    """Check every file against the manifest; return the manifest or raise SnapshotError."""
    snapshot = Path(snapshot)
    manifest = read_manifest(snapshot)
    for name, meta in manifest.get("files", {}).items():
        p = snapshot / name
        if not p.is_file():
            raise SnapshotError(f"{p} is listed in the manifest but missing; refetch the snapshot")
        got = sha256_file(p)
        if got != meta["sha256"]:
            raise SnapshotError(
                f"{p}: sha256 {got} does not match the manifest ({meta['sha256']}); "
                "the snapshot was altered: refetch it or restore the file"
            )
    return manifest


def list_snapshots(source: str, root: Path | None = None) -> list[Path]:
    """Committed snapshots of ``source``, oldest first (staging directories excluded)."""
    d = source_dir(source, root)
    if not d.is_dir():
        return []

    def key(p: Path) -> tuple[str, int]:
        day, n = p.name[:10], p.name[11:]
        return (day, int(n) if n else 1)

    found = [p for p in d.iterdir() if p.is_dir() and _SNAPSHOT_NAME.match(p.name)]
    return sorted((p for p in found if (p / MANIFEST).is_file()), key=key)


def is_complete(snapshot: Path) -> bool:
    """False when the manifest says ``"complete": false`` (e.g. a Hub top-N listing that ended short)."""
    return read_manifest(snapshot).get("complete", True) is not False


def label(snapshot: Path, lang: str = "fr") -> str:
    """The snapshot's name for captions and printed coverage, marked when it is incomplete."""
    snapshot = Path(snapshot)
    if is_complete(snapshot):
        return snapshot.name
    from .plotting import t

    return f"{snapshot.name}, {t('snapshot_incomplete', lang)}"


def resolve_snapshot(source: str, name: str, root: Path | None = None, *, allow_incomplete: bool = False) -> Path:
    """Turn a notebook's ``snapshot`` parameter ("latest", a dated name or a path) into a verified dir.

    A snapshot whose manifest says ``"complete": false`` is refused unless ``allow_incomplete``:
    reading it silently would present a partial listing as the whole.
    """
    if name == "latest":
        snaps = list_snapshots(source, root)
        if not snaps:
            raise SnapshotError(
                f"no committed snapshot of {source!r} under {source_dir(source, root)}; "
                f"run `make fetch-{source}` first or use snapshot='pinned'"
            )
        snap = snaps[-1]
    else:
        cand = Path(name)
        snap = cand if cand.is_dir() else source_dir(source, root) / name
        if not snap.is_dir():
            raise SnapshotError(f"snapshot {name!r} of {source!r} not found (looked at {snap})")
    manifest = verify_snapshot(snap)
    if manifest.get("complete", True) is False and not allow_incomplete:
        got = manifest.get("rows")
        raise SnapshotError(
            f"snapshot {snap.name} of {source!r} is incomplete (its manifest says complete: false"
            + (f", {got:,} rows" if isinstance(got, int) else "") + "); refetch it, or pass allow_incomplete: true "
            "to use it anyway (its captions then say so)")
    return snap
