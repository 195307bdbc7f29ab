"""Keep ``environment.yml`` (conda users) in step with ``requirements.lock`` (what runs here).

Why: two descriptions of one environment drift unless one is generated from the other and a
test compares them. The lock is the truth; ``environment.yml`` carries Python 3.11 and the
same ``name==version`` pins under ``pip:`` so conda users get byte-for-byte the same packages.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

from . import paths

LOCK = paths.ROOT / "requirements.lock"
ENV_YML = paths.ROOT / "environment.yml"
PYTHON = "3.11"
_PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)$")


def read_lock(path: Path = LOCK) -> dict[str, str]:
    pins = {}
    for n, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _PIN.match(line)
        if not m:
            raise ValueError(f"{path}:{n}: {line!r} is not an exact pin 'name==version'")
        pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def read_environment(path: Path = ENV_YML) -> tuple[str | None, dict[str, str]]:
    doc = yaml.safe_load(path.read_text())
    python, pins = None, {}
    for dep in doc.get("dependencies", []):
        if isinstance(dep, str) and dep.startswith("python="):
            python = dep.split("=", 1)[1]
        elif isinstance(dep, dict) and "pip" in dep:
            for line in dep["pip"]:
                if line.strip() == "-e .":
                    continue  # the project itself
                m = _PIN.match(line.strip())
                if not m:
                    raise ValueError(f"{path}: pip entry {line!r} is not an exact pin")
                pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return python, pins


def render(pins: dict[str, str]) -> str:
    lines = [
        "# Generated from requirements.lock by `make lock`; a test fails when the two drift.",
        "name: modelrace",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={PYTHON}",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={ver}" for name, ver in sorted(pins.items())]
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


def drift(lock: Path = LOCK, env: Path = ENV_YML) -> list[str]:
    """Differences between the two files, as readable lines (empty when in step)."""
    want = read_lock(lock)
    python, have = read_environment(env)
    out = []
    if python != PYTHON:
        out.append(f"environment.yml pins python={python}, the lock is for {PYTHON}")
    for name in sorted(set(want) | set(have)):
        if want.get(name) != have.get(name):
            out.append(f"{name}: lock {want.get(name, 'absent')} vs environment.yml {have.get(name, 'absent')}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m modelrace.environment")
    ap.add_argument("--write", action="store_true", help="rewrite environment.yml from requirements.lock")
    args = ap.parse_args(argv)
    if args.write:
        ENV_YML.write_text(render(read_lock()))
    problems = drift()
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
