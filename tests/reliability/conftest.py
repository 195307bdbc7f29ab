"""Records every reliability scenario's outcome; renders ``docs/reliability.md`` after a full run.

Why: the report must be what the tests observed, not prose. Each test declares its row
(:meth:`Recorder.declare`) and fills it (:meth:`Recorder.result`); a test that passes without
filling its row fails, so no scenario can go unreported. At session end the rows are merged
into ``build/reliability/results.json``; when the whole suite ran and passed, the Markdown is
regenerated (deterministically: same results, same bytes).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from modelrace import paths, reliability

HERE = Path(__file__).resolve().parent
_ROWS: dict[str, dict] = {}  # nodeid -> declared/filled fields
_STATUS: dict[str, str] = {}  # nodeid -> passed/failed/skipped
_DESELECTED: list[str] = []


class Recorder:
    """The row one test contributes to the report."""

    def __init__(self, nodeid: str, replacements: dict[str, str]) -> None:
        self.nodeid = nodeid
        self.replacements = replacements

    def declare(self, section: str, rank: int, scenario: str, subject: str) -> None:
        _ROWS[self.nodeid] = {"section": section, "rank": rank, "scenario": scenario, "subject": subject,
                              "happened": "", "kept": "", "test": self.nodeid}

    def result(self, happened: str, kept: str) -> None:
        assert self.nodeid in _ROWS, "declare() the scenario before recording its result"
        _ROWS[self.nodeid].update(happened=reliability.normalize(happened, self.replacements),
                                  kept=reliability.normalize(kept, self.replacements))

    def error(self, exc: BaseException) -> str:
        """'clear error (Type): first line' with temporary paths and ports normalised."""
        return reliability.first_line(exc, self.replacements)

    def substitute(self, old: str, new: str) -> None:
        self.replacements[old] = new


_LOOPBACK = (None, "", "127.0.0.1", "localhost", "::1")


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    """Every connection goes to 127.0.0.1, and a test fails if anything tries another host.

    huggingface_hub >= 2.x fetches an "agent harness" registry from huggingface.co inside
    ``build_hf_headers`` unless telemetry is disabled; that is switched off here (and in child
    processes through the environment), and the guard catches anything else.
    """
    import huggingface_hub.constants as hf_constants

    monkeypatch.setattr(hf_constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    attempts: list[str] = []
    real = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK:
            attempts.append(str(name))
            raise OSError(f"reliability suite: connection to {name!r} blocked (127.0.0.1 only)")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
    yield
    assert not attempts, f"the code under test tried to reach {sorted(set(attempts))}: tests must stay on 127.0.0.1"


@pytest.fixture
def outcome(request, tmp_path) -> Recorder:
    rec = Recorder(request.node.nodeid, {str(tmp_path): "<tmp>", str(paths.ROOT): "<repo>"})
    yield rec
    row = _ROWS.get(request.node.nodeid)
    if row is not None and not row["happened"] and request.node.stash.get(_CALL_PASSED, False):
        pytest.fail(f"{request.node.nodeid} declared a scenario but recorded no result")


_CALL_PASSED = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if not _in_suite(item.path):
        return
    if report.when == "call":
        item.stash[_CALL_PASSED] = report.passed
    if report.failed:
        _STATUS[item.nodeid] = "failed"
    elif report.skipped:
        _STATUS[item.nodeid] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        row = _ROWS.get(item.nodeid)
        if row is not None and not row["happened"] and not hasattr(report, "wasxfail"):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            row["happened"] = reliability.normalize(f"not run: {reason.removeprefix('Skipped: ')}")
            row["kept"] = "-"
    elif report.when == "call" and item.nodeid not in _STATUS:
        _STATUS[item.nodeid] = "passed"


def pytest_deselected(items):
    _DESELECTED.extend(i.nodeid for i in items if _in_suite(i.path))


def _in_suite(path) -> bool:
    try:
        Path(path).resolve().relative_to(HERE)
    except ValueError:
        return False
    return True


def pytest_sessionfinish(session, exitstatus):
    items = [i for i in getattr(session, "items", []) if _in_suite(i.path)]
    if not items or os.environ.get("MODELRACE_RELIABILITY_NO_REPORT"):
        return
    results = reliability.RESULTS
    merged: dict[str, reliability.Outcome] = {}
    whole = _whole_suite(session, items)
    if results.is_file() and not whole:  # a partial run updates its own rows only
        merged = {o.test: o for o in reliability.load_results(results)}
    for item in items:
        row = _ROWS.get(item.nodeid)
        if row is None:
            continue
        merged[item.nodeid] = reliability.Outcome(**row, status=_STATUS.get(item.nodeid, "failed"))
    reliability.write_results(list(merged.values()), results)
    statuses = [_STATUS.get(i.nodeid) for i in items]
    undeclared = [i.nodeid for i in items if i.nodeid not in _ROWS and _STATUS.get(i.nodeid) == "passed"]
    if undeclared:
        session.config.get_terminal_writer().line(f"reliability: tests without a report row: {undeclared}", red=True)
        return
    if whole and all(s in ("passed", "skipped", "xfailed") for s in statuses):
        changed = reliability.write_report(results, reliability.REPORT)
        session.config.get_terminal_writer().line(
            f"reliability: {reliability.REPORT.relative_to(paths.ROOT)} {'regenerated' if changed else 'up to date'}")


def _whole_suite(session, items) -> bool:
    """True when every test module of this directory was collected in full and nothing was deselected."""
    if _DESELECTED or any("::" in str(a) for a in session.config.args):
        return False
    modules = {p.resolve() for p in HERE.glob("test_*.py")}
    collected = {Path(i.path).resolve() for i in items}
    return modules <= collected and all(_STATUS.get(i.nodeid) for i in items)
