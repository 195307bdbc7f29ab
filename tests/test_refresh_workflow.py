"""The scheduled refresh workflow cannot run here: parse it and check what it would do."""

from __future__ import annotations

import re

import pytest
import yaml

from modelrace import paths

WORKFLOW = paths.ROOT / ".github" / "workflows" / "refresh.yml"
SECRETS = ("OPENROUTER_API_KEY", "HF_TOKEN")
# a command that can print the environment or a variable, in command position
PRINTING = re.compile(r"(^|[;&|(`]|\$\()\s*(sudo\s+)?(echo|printf|print|cat|tee|printenv|env|declare|export\s+-p|set\s+-[a-z]*x)\b")


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def test_triggers_weekly_and_by_hand(workflow):
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "workflow_dispatch" in on
    crons = [entry["cron"] for entry in on["schedule"]]
    assert len(crons) == 1
    minute, hour, dom, month, dow = crons[0].split()
    assert dom == "*" and month == "*" and re.fullmatch(r"[0-6]", dow), "the schedule must be weekly"


def test_calls_the_same_make_target(workflow):
    runs = [s["run"] for s in _steps(workflow) if "run" in s]
    assert any(re.search(r"(^|\s)make refresh(\s|$)", r) for r in runs)
    makefile = (paths.ROOT / "Makefile").read_text()
    recipe = re.search(r"^refresh:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "-m modelrace.refresh" in recipe.group(1)


def test_key_from_secrets_never_printed(workflow):
    steps = _steps(workflow)
    refresh_step = next(s for s in steps if "make refresh" in s.get("run", ""))
    assert refresh_step["env"]["OPENROUTER_API_KEY"] == "${{ secrets.OPENROUTER_API_KEY }}"
    for step in steps:
        run = step.get("run", "")
        for name in SECRETS:
            assert name not in run, f"step {step.get('name')!r} mentions ${name} in its script"
        assert "secrets." not in run, f"step {step.get('name')!r} expands a secret in its script"
        for line in run.splitlines():
            assert not PRINTING.search(line), f"step {step.get('name')!r} runs a printing command: {line!r}"
        for key, value in (step.get("env") or {}).items():
            if "secrets." in str(value):
                assert key in SECRETS and str(value) == f"${{{{ secrets.{key} }}}}"
        assert "secrets." not in str(step.get("with", {}))
    text = WORKFLOW.read_text()
    assert "ACTIONS_STEP_DEBUG" not in text and "ACTIONS_RUNNER_DEBUG" not in text
    assert workflow.get("permissions") == {"contents": "read"}


def test_keeps_build_refresh_as_an_artifact(workflow):
    uploads = [s for s in _steps(workflow) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert len(uploads) == 1
    assert uploads[0]["with"]["path"].rstrip("/") == "build/refresh"
    assert uploads[0].get("if") == "always()"


def test_printing_pattern_catches_leaks():
    for bad in ('echo "$OPENROUTER_API_KEY"', "set -x", "printenv", "env | sort", "cat ~/.netrc", "make x && echo $HF_TOKEN"):
        assert PRINTING.search(bad), bad
    for ok in ("make refresh", "make env data", "make refresh SOURCES=hub"):
        assert not PRINTING.search(ok), ok
