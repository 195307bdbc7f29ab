"""The installed ``modelrace`` command, run as a user runs it (subprocess, the console script)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from modelrace import paths

BIN = Path(sys.executable).parent


def modelrace(*args, timeout=300, env=None):
    return subprocess.run([str(BIN / "modelrace"), *args], cwd=paths.ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


def _status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", "figures", "data/processed",
                           "notebooks", "params"], cwd=paths.ROOT, capture_output=True, text=True).stdout


def test_misspelt_parameter_stops_fast_naming_it_and_the_fix():
    t0 = time.monotonic()
    r = modelrace("run", "01", "-p", "frequncy", "month", timeout=60)
    took = time.monotonic() - t0
    assert r.returncode != 0
    assert "frequncy" in r.stderr and "did you mean 'frequency'" in r.stderr, r.stderr
    assert took < 10, f"took {took:.1f} s: the check must come before any kernel starts"


@pytest.mark.parametrize("args, fragment", [
    (["run", "03", "-p", "vintage", "2027"], "vintage='2027' is not accepted (did you mean '2026'?)"),
    (["run", "01", "-p", "start", "2025-03-04", "-p", "end", "2025-03-06"], "no complete week between 2025-03-04 and 2025-03-06"),
    (["run", "01", "-p", "start", "2027-01-01"], "start is after the data's last day (2026-10-09)"),
    (["run", "02", "-p", "top_n", "many"], "top_n='many' is not an int"),
    (["run", "7"], "no notebook '7'"),
])
def test_impossible_runs_stop_with_one_line(args, fragment):
    r = modelrace(*args, timeout=60)
    assert r.returncode == 2, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and fragment in lines[0], r.stderr


def test_list_shows_types_defaults_and_accepted_values():
    r = modelrace("run", "--list", timeout=60)
    assert r.returncode == 0, r.stderr
    assert "frequency: str = 'week'  [one of 'week', 'month']" in r.stdout
    assert "top_n: int = 20  [an integer from 1 to 100]" in r.stdout
    assert "allow_incomplete: bool = False" in r.stdout
    assert modelrace("--list", timeout=60).stdout == r.stdout


def test_refresh_without_its_module_says_so(tmp_path):
    import importlib.util

    r = modelrace("refresh", "--help", timeout=60)
    if importlib.util.find_spec("modelrace.refresh") is None:
        assert r.returncode == 2 and "modelrace.refresh" in r.stderr
    else:
        assert r.returncode == 0, r.stderr


def test_a_run_with_parameters_leaves_the_committed_products_alone():
    before = _status()
    r = modelrace("run", "02", "-p", "top_n", "5")
    assert r.returncode == 0, r.stderr[-3000:]
    assert _status() == before, "a non-canonical run wrote into figures/, data/processed/ or notebooks/"
    line = [x for x in r.stdout.splitlines() if x.startswith("outputs: ")]
    assert line, r.stdout
    root = paths.ROOT / line[0].split()[1].rstrip("/")
    assert root.relative_to(paths.ROOT).parts[:3] == ("build", "runs", "02-hub-downloads-by-country")
    assert (root / "figures" / "02-hub-downloads-by-country" / "top_models.svg").is_file()
    assert (root / "notebooks" / "02-hub-downloads-by-country.ipynb").is_file()
    assert str(paths.ROOT) not in (root / "notebooks" / "02-hub-downloads-by-country.ipynb").read_text()
    assert "TCP" not in r.stderr and "Downloading" not in r.stderr, r.stderr
