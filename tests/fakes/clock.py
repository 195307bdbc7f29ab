"""Test doubles shared by the fetcher suites: a clock that moves only when slept, a tree fingerprint.

Why: retry/backoff tests must cost no wall time, and "a failed fetch left earlier snapshots
untouched" needs a byte-level picture of a directory; ``tests/test_openrouter_fetch.py`` and
``tests/reliability`` both need exactly these, so they live once here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


class FakeClock:
    """Monotonic clock that only moves when the fetcher sleeps, so nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def tree_fingerprint(root: Path) -> dict[str, str]:
    """Every path under ``root`` (hidden ones too) -> sha256 of its bytes, or '<dir>': equal means untouched."""
    out = {}
    for p in sorted(Path(root).rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out
