"""Every command in the README's fenced ``bash`` blocks is executed by a test, so the README cannot drift.

:data:`HOW` lists each command and how it is run: ``"here"`` (this file runs it, against local fake
servers where it talks to an API), ``"ci"`` (``.ci/run`` runs it on every CI build; too long or
recursive for a unit test; the test checks .ci/run really contains it), ``"test"`` (another test
file runs it end to end against the fake servers; the check below makes sure that file names the
command), ``"lab"``
(``tests/test_lab.py``) or ``"conda"`` (run when conda or mamba is installed, skipped otherwise).
A README command missing from :data:`HOW`, or an entry of :data:`HOW` no longer in the README, fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from modelrace import paths

from fakes.hub_server import FakeHub
from fakes.openrouter_server import FakeOpenRouter, generate_rows

README = paths.ROOT / "README.md"
KEY = "sk-or-v1-readme-test-4f2a9c1e"


def readme_commands() -> list[str]:
    """The commands of every ```bash block: continuation lines joined, trailing comments removed."""
    text = README.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"^\s*```bash\n(.*?)^\s*```", text, flags=re.S | re.M):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            cmd = re.sub(r"\s+#\s.*$", "", line).strip()
            if cmd and not cmd.startswith("#"):
                out.append(re.sub(r"\s+", " ", cmd))
    return out


HOW = {
    "make figures": ("ci", "make figures"),
    "make test": ("ci", "make test"),
    "export MODELRACE_MIRROR=../shared/data": ("ci", "MODELRACE_MIRROR="),
    "make figures && make test": ("ci", "make test"),
    ".venv/bin/modelrace run --list": ("here", None),
    ".venv/bin/modelrace run 01 -p frequency month": ("here", None),
    ".venv/bin/modelrace run 02 -p top_n 5 -p lang en": ("here", None),
    ".venv/bin/modelrace run 01 -f params/variants/01-monthly.yaml -o build/my-monthly": ("here", None),
    "make variants": ("ci", "make variants"),
    "make refresh": ("test", "tests/test_refresh.py"),
    ".venv/bin/papermill -k modelrace --cwd notebooks notebooks/01-openrouter-china-share.ipynb build/my-run.ipynb "
    "-f params/variants/01-monthly.yaml": ("here", None),
    'make lab ARGS="--no-browser --port 8899"': ("lab", None),
    "export OPENROUTER_API_KEY=...": ("here", None),
    "make fetch-openrouter": ("here", None),
    "make fetch-hub TOP=10000": ("here", None),
    'make fetch-hub ORGS="Qwen deepseek-ai meta-llama"': ("here", None),
    '.venv/bin/python -m modelrace.openrouter --start 2025-01-01 --end 2025-01-31 --base-url "$OPENROUTER_BASE_URL"':
        ("here", None),
    "mamba env create -f environment.yml": ("conda", None),
    "conda activate modelrace": ("conda", None),
    "pip install --no-deps --no-build-isolation -e .": ("conda", None),
    'python -m ipykernel install --sys-prefix --name modelrace --display-name "Python 3 (modelrace)"': ("conda", None),
}


def test_every_readme_command_has_a_test_and_no_entry_is_stale():
    cmds = readme_commands()
    assert len(cmds) >= 10
    missing = [c for c in cmds if c not in HOW]
    assert not missing, f"README commands with no test: {missing}: add them to HOW in {Path(__file__).name}"
    stale = [c for c in HOW if c not in cmds]
    assert not stale, f"HOW lists commands the README no longer shows: {stale}"


def test_the_ci_script_runs_the_ci_commands():
    ci = (paths.ROOT / ".ci" / "run").read_text()
    for cmd, (how, proof) in HOW.items():
        if how == "ci":
            assert proof in ci, f"{cmd!r} is said to run in CI but .ci/run has no {proof!r}"


def test_commands_run_by_another_test_are_in_that_test():
    for cmd, (how, proof) in HOW.items():
        if how == "test":
            text = (paths.ROOT / proof).read_text()
            words = cmd.split()
            assert all(repr(w) in text or f'"{w}"' in text for w in words), f"{proof} does not run {cmd!r}"


def test_the_readme_keeps_its_two_setup_commands():
    assert readme_commands()[:2] == ["make figures", "make test"]


def _run(cmd: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    full = dict(os.environ, **(env or {}))
    return subprocess.run(["bash", "-c", cmd], cwd=paths.ROOT, env=full, capture_output=True, text=True,
                          timeout=timeout)


def _ok(r: subprocess.CompletedProcess) -> None:
    assert r.returncode == 0, (r.stdout[-2000:], r.stderr[-3000:])


@pytest.mark.parametrize("cmd", [c for c, (how, _) in HOW.items() if how == "here" and ("modelrace run" in c
                                                                                     or "papermill" in c)])
def test_readme_run_commands(cmd):
    r = _run(cmd)
    _ok(r)
    if "--list" in cmd:
        assert "frequency: str = 'week'" in r.stdout
    elif "papermill" in cmd:
        nb = (paths.ROOT / "build" / "my-run.ipynb").read_text()
        assert "frequency = \\\"month\\\"" in nb or 'frequency = "month"' in nb
        assert "49 weeks" not in nb and "monthly" in nb  # the variant ran, not the defaults
    else:
        assert "outputs: " in r.stdout
        if "-o build/my-monthly" in cmd:
            assert (paths.ROOT / "build/my-monthly/data/processed/openrouter_china_share_monthly.csv").is_file()


def test_readme_live_data_commands_against_fake_servers(tmp_path):
    rows = generate_rows("2025-01-01", "2025-02-10", models_per_day=3)
    with FakeOpenRouter(api_key=KEY, rows=rows) as orouter, FakeHub() as hub:
        env = {"MODELRACE_SNAPSHOTS": str(tmp_path / "snapshots"), "OPENROUTER_BASE_URL": orouter.url,
               "HF_ENDPOINT": hub.url, "START": "2025-01-01", "END": "2025-02-10"}
        # the README's placeholder key is replaced by the fake's; the line itself is executed
        r = _run("export OPENROUTER_API_KEY=... && test \"$OPENROUTER_API_KEY\" = ...", env)
        _ok(r)
        env["OPENROUTER_API_KEY"] = KEY
        _ok(_run("make fetch-openrouter", env))
        _ok(_run('.venv/bin/python -m modelrace.openrouter --start 2025-01-01 --end 2025-01-31 '
                 '--base-url "$OPENROUTER_BASE_URL"', env))
        _ok(_run("make fetch-hub TOP=10000", env))
        _ok(_run('make fetch-hub ORGS="Qwen deepseek-ai meta-llama"', env))
        assert orouter.requests and hub.requests
    assert len(list((tmp_path / "snapshots" / "openrouter").glob("*/manifest.json"))) == 2
    assert len(list((tmp_path / "snapshots" / "hub").glob("*/manifest.json"))) == 2


def test_readme_conda_commands(tmp_path):
    tool = shutil.which("mamba") or shutil.which("conda")
    if tool is None:
        pytest.skip("neither conda nor mamba is installed here; environment.yml's pins are checked by test_environment.py")
    prefix = tmp_path / "env"
    _ok(_run(f"{tool} env create -p {prefix} -f environment.yml", timeout=3000))
    py = prefix / "bin" / "python"
    _ok(_run(f"{py} -m pip install --no-deps --no-build-isolation -e ."))
    _ok(_run(f'{py} -m ipykernel install --sys-prefix --name modelrace --display-name "Python 3 (modelrace)"'))
