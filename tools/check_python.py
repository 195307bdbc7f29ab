"""Stop `make env` early, with the fix, when the interpreter is not one the project supports.

Why: the lock's pins are tested on CPython 3.11 and 3.12 (``requires-python`` in pyproject.toml
says the same); any other version fails late, deep inside ``pip install``, with an error that
does not say "wrong Python". Standard library only: it runs before .venv exists.
"""

from __future__ import annotations

import sys

SUPPORTED = ((3, 11), (3, 12))


def problem(version: tuple[int, int]) -> str | None:
    """None when ``version`` is supported, else the one-line message `make env` prints."""
    if tuple(version[:2]) in SUPPORTED:
        return None
    have = ".".join(map(str, version[:2]))
    want = " or ".join(f"{a}.{b}" for a, b in SUPPORTED)
    return (f"error: Python {have} ({sys.executable}) is not supported: this project needs Python {want}. "
            "Install one and pick it with `make env PYTHON_BOOT=python3.12` (or the path to python3.11); "
            "if .venv was made with another Python, remove it first (rm -rf .venv)")


if __name__ == "__main__":
    msg = problem(sys.version_info[:2])
    if msg:
        print(msg, file=sys.stderr)
        sys.exit(1)
