"""Every console script the package installs runs (``--help``), and the Python version guard works."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from modelrace import paths

SCRIPTS = sorted(ep.name for ep in importlib.metadata.distribution("modelrace").entry_points
                 if ep.group == "console_scripts")


def test_the_package_declares_console_scripts():
    assert "modelrace" in SCRIPTS


@pytest.mark.parametrize("name", SCRIPTS)
def test_console_script_help(name):
    exe = Path(sys.executable).parent / name
    assert exe.is_file(), f"{exe} is not installed: run `make env`"
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "usage:" in r.stdout


def _guard():
    sys.path.insert(0, str(paths.ROOT / "tools"))
    try:
        import check_python
    finally:
        sys.path.pop(0)
    return check_python


def test_python_guard_accepts_311_and_312_only():
    guard = _guard()
    assert guard.problem((3, 11)) is None and guard.problem((3, 12)) is None
    for bad in ((3, 10), (3, 13), (2, 7)):
        msg = guard.problem(bad)
        assert msg and "3.11 or 3.12" in msg and "PYTHON_BOOT=" in msg, msg


def test_python_guard_runs_under_this_interpreter():
    r = subprocess.run([sys.executable, str(paths.ROOT / "tools" / "check_python.py")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_make_env_stops_on_an_unsupported_python(tmp_path):
    """`make env` with a 3.10-looking interpreter stops before creating anything, saying what to do."""
    fake = tmp_path / "python3.10"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import runpy, sys; sys.version_info = (3, 10, 0); "
                    f"sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name=\"__main__\")' \"$@\"\n")
    fake.chmod(0o755)
    r = subprocess.run(["make", "-B", "--no-print-directory", f"VENV={tmp_path / 'venv'}", f"PYTHON_BOOT={fake}",
                        str(tmp_path / "venv" / ".installed")], cwd=paths.ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode != 0
    assert "Python 3.10" in r.stderr and "3.11 or 3.12" in r.stderr, r.stderr
    assert not (tmp_path / "venv").exists()


def test_requires_python_and_setuptools_pins_agree():
    import re
    import tomllib

    pyproject = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == ">=3.11,<3.13"
    need = re.search(r"setuptools>=(\d+)", " ".join(pyproject["build-system"]["requires"])).group(1)
    lock = (paths.ROOT / "requirements.lock").read_text()
    pinned = re.search(r"^setuptools==(\d+)\.", lock, re.M).group(1)
    assert int(pinned) >= int(need), f"the lock pins setuptools {pinned}, pyproject needs >= {need} (-e . builds without isolation)"
    assert _guard().SUPPORTED == ((3, 11), (3, 12))
