"""Both live fetchers against local fake servers, one fault at a time, under one outcome contract.

Contract: each scenario ends either *retried and complete* (a new snapshot whose rows are exactly
what the fake served) or with a *clear error* (message naming what failed) while every file of
the previous snapshot stays byte-identical and no reader-visible partial snapshot appears. A
SIGKILL in the middle of a fetch (child process) leaves only committed, verifiable snapshots or
hidden staging directories, and a rerun completes. The per-fetcher details (backoff values,
exact messages, resumption bookkeeping) are unit-tested next to each fetcher, not here.
"""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from modelrace import snapshots

from .support import HARNESSES, OPENROUTER_KEY, FakeTime, Harness, check_snapshot_tree, fingerprint

FETCHERS = ("openrouter", "hub")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    """No real credential or endpoint may leak into these runs; the fake key arms the secret guard."""
    monkeypatch.setenv("OPENROUTER_API_KEY", OPENROUTER_KEY)
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_ENDPOINT", "OPENROUTER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def harness(request, tmp_path) -> Harness:
    root = tmp_path / "snapshots"
    root.mkdir()
    return HARNESSES[request.param](root, FakeTime())


# --------------------------------------------------------------------------- scenarios


def _cross_window_duplicate(server) -> Callable:
    """OpenRouter windows cannot overlap by date, so a row repeated across windows is window 1's
    last row served again inside window 2."""
    last_of_first = server.served_rows("2025-01-01", "2025-01-31")[-1]

    def repeat(ex):
        ex.rows().append(copy.deepcopy(last_of_first))

    return repeat


@dataclass(frozen=True)
class Scenario:
    rank: int
    name: str
    faults: Callable[[str, Any], list]  # (fetcher, server) -> the fault queue
    outcome: str  # "complete" or "error"
    pattern: dict[str, str] | None = None  # fetcher -> regex the error message must match
    extra_requests: int = 0  # requests beyond a clean fetch when retried
    min_sleep: float = 0.0  # a sleep at least this long must have been asked for (Retry-After)
    duplicates: int = 0  # duplicates the manifest must count
    heal: bool = False  # after the error, the server recovers and a rerun must complete


SCENARIOS = [
    Scenario(1, "429 with Retry-After: 7", lambda f, s: [None, ("429", {"retry_after": "7"})], "complete",
             extra_requests=1, min_sleep=7),
    Scenario(2, "burst of 500, 502, 503", lambda f, s: [None, "500", "502", "503"], "complete", extra_requests=3),
    Scenario(3, "read timeout (server stalls 1.5 s, client timeout 0.5 s)", lambda f, s: [None, "timeout"], "complete",
             extra_requests=1),
    Scenario(4, "connection reset (TCP RST)", lambda f, s: [None, "reset"], "complete", extra_requests=1),
    Scenario(5, "truncated JSON body", lambda f, s: [None, "truncated"], "complete", extra_requests=1),
    Scenario(6, "well-formed page with a malformed row",
             lambda f, s: [None, ("malformed_row", {"value": "12x", "index": 2}) if f == "openrouter"
                           else ("malformed_row", {"index": 2})],
             "error", {"openrouter": r"window 2025-02-01\.\.2025-03-03, row 2 .*field 'total_tokens' '12x'",
                       "hub": r"page .* item 2: field 'id' = 'no-slash-id'"}),
    Scenario(7, "date window / pagination link fails half-way (server down)",
             lambda f, s: [None] + ["503"] * 4 if f == "openrouter" else [None, ("fail_after_page", {"page": 1, "status": 503})],
             "error", {"openrouter": r"window 2025-02-01\.\.2025-03-03: giving up after 4 attempts .*HTTP 503",
                       "hub": r"gave up on .*cursor.* after 4 attempts \(last: HTTP 503\)"}, heal=True),
    Scenario(8, "duplicate rows across pages / windows",
             lambda f, s: [None, _cross_window_duplicate(s)] if f == "openrouter" else [None, "duplicate"],
             "openrouter:error,hub:complete",
             {"openrouter": r"window 2025-02-01\.\.2025-03-03, row \d+: field 'date' = '2025-01-31' is outside the requested window"},
             duplicates=1),
    Scenario(9, "empty result", lambda f, s: ["empty"], "error",
             {"openrouter": r"no rows for window 2025-01-01\.\.2025-01-31",
              "hub": r"the Hub returned no model"}),
]


def _expected_outcome(scenario: Scenario, fetcher: str) -> str:
    if ":" not in scenario.outcome:
        return scenario.outcome
    return dict(part.split(":") for part in scenario.outcome.split(","))[fetcher]


def _kept(tree: dict, *, new_snapshot: bool) -> str:
    if new_snapshot:
        return "previous snapshot byte-identical; new snapshot committed, manifest verified"
    left = "hidden staging dir kept (resumable)" if tree["staging"] else "no file written"
    return f"previous snapshot byte-identical; no new snapshot; {left}"


@pytest.mark.parametrize("harness", FETCHERS, indirect=True)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"s{s.rank}")
def test_fault_contract(harness: Harness, scenario: Scenario, outcome):
    outcome.declare("fetch", scenario.rank, scenario.name, harness.label)
    root, clock = harness.root, harness.time
    with harness.serve() as server:
        previous = harness.fetch(server)
        clean_requests = len(server.requests)
        before = fingerprint(root)
        server.requests.clear()
        clock.sleeps.clear()
        server.faults.extend(scenario.faults(harness.name, server))
        expected = harness.expected(server)

        if _expected_outcome(scenario, harness.name) == "complete":
            snap = harness.fetch(server)
            tree = check_snapshot_tree(root, harness.source, before)
            rows = harness.rows(snap)
            assert len(rows) == len(set(rows)), "a row was written twice"
            assert set(rows) == expected
            assert snapshots.list_snapshots(harness.source, root) == [previous, snap]
            assert tree["new_committed"] == [f"{harness.source}/{snap.name}"] and not tree["staging"]
            retries = len(server.requests) - clean_requests
            assert harness.duplicates_counted(snap) == scenario.duplicates
            if scenario.duplicates:
                happened = (f"complete: {scenario.duplicates} repeated row dropped and counted in the manifest "
                            f"({len(rows)} distinct rows, as served)")
            else:
                assert retries == scenario.extra_requests, server.requests
                assert not scenario.min_sleep or max(clock.sleeps) >= scenario.min_sleep, clock.sleeps
                waited = f", waited {max(clock.sleeps):g} s" if scenario.min_sleep else ""
                happened = f"retried and complete ({retries} extra request(s){waited}; {len(rows)} rows, as served)"
            outcome.result(happened, _kept(tree, new_snapshot=True))
            return

        with pytest.raises(harness.error, match=scenario.pattern[harness.name]) as err:
            harness.fetch(server)
        tree = check_snapshot_tree(root, harness.source, before)
        assert snapshots.list_snapshots(harness.source, root) == [previous]
        assert not tree["new_committed"]
        happened = outcome.error(err.value)
        kept = _kept(tree, new_snapshot=False)
        if scenario.heal:
            if hasattr(server, "heal"):
                server.heal()
            server.faults.clear()
            snap = harness.fetch(server)
            assert set(harness.rows(snap)) == expected
            check_snapshot_tree(root, harness.source, before)
            kept += "; after the outage a rerun completed"
        outcome.result(happened, kept)


# --------------------------------------------------------------------------- kill -9 mid-fetch


def _slow_down(harness: Harness, server, seconds: float) -> None:
    if harness.name == "hub":
        server.delay = seconds
    else:
        server.faults.extend([lambda ex: setattr(ex, "delay", seconds)] * 200)


def _speed_up(harness: Harness, server) -> None:
    if harness.name == "hub":
        server.delay = 0.0
    else:
        server.faults.clear()


@pytest.mark.parametrize("harness", FETCHERS, indirect=True)
def test_sigkill_mid_fetch_leaves_no_partial_snapshot(harness: Harness, outcome, tmp_path):
    outcome.declare("kill", 1, "SIGKILL of the fetching process mid-way, then rerun", harness.label)
    root = harness.root
    with harness.serve() as server:
        previous = harness.fetch(server)
        before = fingerprint(root)
        server.requests.clear()
        _slow_down(harness, server, 0.15)
        env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
        log = (tmp_path / "child.log").open("wb")
        proc = subprocess.Popen(harness.child_args(server), env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while len(server.requests) < 4 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert proc.poll() is None, f"the child ended before it could be killed: {(tmp_path / 'child.log').read_text()}"
            assert len(server.requests) >= 4, "the child never got going"
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
        killed_after = len(server.requests)
        tree = check_snapshot_tree(root, harness.source, before)
        assert snapshots.list_snapshots(harness.source, root) == [previous]
        assert not tree["new_committed"]
        left = "hidden staging dir left (resumable)" if tree["staging"] else "nothing left behind"

        _speed_up(harness, server)
        server.requests.clear()
        # the Hub reruns the child's exact query (same staging key: it may resume); OpenRouter never resumes
        snap = harness.fetch(server, page_size=3) if harness.name == "hub" else harness.fetch(server)
        tree = check_snapshot_tree(root, harness.source, before)
        assert set(harness.rows(snap)) == harness.expected(server)
        assert not tree["staging"], "the completed rerun must not leave a staging dir"
    assert killed_after >= 4
    outcome.result(
        f"killed after ≥4 requests: only the previous committed snapshot (manifest verified) and {left}",
        "previous snapshot byte-identical; the rerun completed and its snapshot verified; no staging left",
    )
