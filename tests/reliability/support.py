"""The two live fetchers behind one interface, so every fault scenario runs against both the same way.

Why: the per-fetcher unit tests (``tests/test_openrouter_fetch.py``, ``tests/test_hub_fetch.py``)
check each client's details; this suite checks one contract for both: a fault ends either
retried and complete, or with a clear error and the snapshots already on disk byte-identical,
and never leaves a half-written snapshot where a reader could see it. Expectations come from
what the fake servers were told to serve, read back with csv/pyarrow (not the fetchers' code).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pyarrow.parquet as pq

from modelrace import hub, openrouter, snapshots
from fakes.clock import FakeClock as FakeTime
from fakes.clock import tree_fingerprint as fingerprint
from fakes.hub_server import FakeHub, make_population, sorted_listing
from fakes.openrouter_server import FakeOpenRouter, generate_rows

OPENROUTER_KEY = "sk-or-v1-reliability-5b1e0c7a9d3f"  # a test key the fake accepts, never a real one
CHILD = Path(__file__).resolve().parent / "fetch_child.py"


def is_hidden_staging(rel: str) -> bool:
    """``<source>/.staging-<key>[/...]``: in-progress work that readers ignore."""
    parts = rel.split("/")
    return len(parts) >= 2 and parts[1].startswith(".staging-")


def check_snapshot_tree(root: Path, source: str, before: dict[str, str]) -> dict[str, Any]:
    """The invariant after any fetch, failed or killed: what is on disk, and is it allowed?

    Every file that existed before is byte-identical; every directory under ``<root>/<source>``
    is either a committed snapshot whose manifest verifies or a hidden staging directory; a
    directory without a verified manifest under a reader-visible name is a failure.
    """
    after = fingerprint(root)
    changed = {p for p, h in before.items() if after.get(p) != h}
    assert not changed, f"files of earlier snapshots changed or vanished: {sorted(changed)}"
    committed = snapshots.list_snapshots(source, root)
    visible = sorted(p for p in (root / source).iterdir() if not p.name.startswith(".")) if (root / source).is_dir() else []
    assert visible == committed, f"reader-visible entries without a manifest: {sorted(set(visible) - set(committed))}"
    for snap in committed:
        snapshots.verify_snapshot(snap)
    new = sorted(set(after) - set(before))
    staging = sorted({"/".join(p.split("/")[:2]) for p in new if is_hidden_staging(p)})
    new_committed = sorted({"/".join(p.split("/")[:2]) for p in new if not is_hidden_staging(p) and p.count("/") >= 1})
    return {"new": new, "staging": staging, "new_committed": new_committed, "committed": committed}


@dataclass
class Harness:
    """One fetcher, its fake server and how to read its snapshots back independently."""

    name: str
    label: str
    source: str
    error: type[Exception]
    root: Path
    time: FakeTime
    fetch_kwargs: dict[str, Any] = field(default_factory=dict)

    # set by subclasses
    def serve(self, **kw):  # pragma: no cover - abstract
        raise NotImplementedError

    def fetch(self, server, **kw) -> Path:  # pragma: no cover - abstract
        raise NotImplementedError

    def expected(self, server) -> set[tuple]:  # pragma: no cover - abstract
        raise NotImplementedError

    def rows(self, snap: Path) -> list[tuple]:  # pragma: no cover - abstract
        raise NotImplementedError

    def duplicates_counted(self, snap: Path) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def child_args(self, server, **kw) -> list[str]:  # pragma: no cover - abstract
        raise NotImplementedError


class OpenRouterHarness(Harness):
    """``fetch_rankings_daily`` over 2025-01-01..2025-03-31 in three 31-day windows."""

    START, END, WINDOW = "2025-01-01", "2025-03-31", 31
    WINDOWS = (("2025-01-01", "2025-01-31"), ("2025-02-01", "2025-03-03"), ("2025-03-04", "2025-03-31"))

    def __init__(self, root: Path, time: FakeTime) -> None:
        super().__init__("openrouter", "OpenRouter rankings-daily (modelrace.openrouter)", "openrouter",
                         openrouter.OpenRouterError, root, time)

    def serve(self, **kw) -> FakeOpenRouter:
        kw.setdefault("api_key", OPENROUTER_KEY)
        kw.setdefault("rows", generate_rows("2025-01-01", "2025-03-31", models_per_day=3))
        kw.setdefault("stall_seconds", 1.5)
        return FakeOpenRouter(**kw)

    def fetch(self, server, **kw) -> Path:
        args = dict(api_key=OPENROUTER_KEY, base_url=server.url, snapshots_root=self.root,
                    max_window_days=self.WINDOW, max_attempts=4, timeout=0.5,
                    sleep=self.time.sleep, clock=self.time)
        args.update(kw)
        return openrouter.fetch_rankings_daily(self.START, self.END, **args)

    def expected(self, server) -> set[tuple]:
        return {(r["date"], r["model_permaslug"], int(r["total_tokens"])) for r in server.served_rows(self.START, self.END)}

    def rows(self, snap: Path) -> list[tuple]:
        with open(snap / openrouter.CSV_NAME, newline="") as f:
            reader = csv.reader(f)
            assert next(reader) == ["date", "model_permaslug", "total_tokens"]
            return [(d, s, int(t)) for d, s, t in reader]

    def duplicates_counted(self, snap: Path) -> int:
        return snapshots.read_manifest(snap)["duplicates_dropped"]

    def child_args(self, server, *, end: str = "2025-01-30", window: int = 1) -> list[str]:
        return [sys.executable, str(CHILD), "openrouter", "--url", server.url, "--root", str(self.root),
                "--start", self.START, "--end", end, "--window", str(window)]


class HubHarness(Harness):
    """``fetch_top_models(25)`` in pages of 10 from a 60-model synthetic Hub."""

    N, PAGE = 25, 10

    def __init__(self, root: Path, time: FakeTime) -> None:
        super().__init__("hub", "Hugging Face Hub top-N listing (modelrace.hub)", "hub", hub.HubFetchError, root, time)
        self.models = make_population(60, seed=7)

    def serve(self, **kw) -> FakeHub:
        kw.setdefault("stall_seconds", 1.5)
        return FakeHub(models=self.models, **kw)

    def fetch(self, server, **kw) -> Path:
        args = dict(endpoint=server.url, snapshots_root=self.root, page_size=self.PAGE, max_attempts=4,
                    sleep=self.time.sleep, timeout=0.5)
        args.update(kw)
        return hub.fetch_top_models(self.N, **args)

    def expected(self, server) -> set[tuple]:
        return {(m["id"], m["downloads"]) for m in sorted_listing(self.models, sort="downloads")[: self.N]}

    def rows(self, snap: Path) -> list[tuple]:
        table = pq.read_table(snap / hub.LISTING_FILE, columns=["model_id", "downloads"])
        return list(zip(table.column("model_id").to_pylist(), table.column("downloads").to_pylist()))

    def duplicates_counted(self, snap: Path) -> int:
        return snapshots.read_manifest(snap)["duplicates"]["count"]

    def child_args(self, server, *, page: int = 3) -> list[str]:
        return [sys.executable, str(CHILD), "hub", "--url", server.url, "--root", str(self.root),
                "--n", str(self.N), "--page-size", str(page)]


HARNESSES: dict[str, Callable[[Path, FakeTime], Harness]] = {"openrouter": OpenRouterHarness, "hub": HubHarness}
