"""Every path the project uses, built from the repository root (never from the cwd)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("MODELRACE_ROOT", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
RAW = DATA / "raw"
REFERENCE = DATA / "reference"
PROCESSED = DATA / "processed"
SNAPSHOTS = Path(os.environ.get("MODELRACE_SNAPSHOTS", DATA / "snapshots"))
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
PARAMS = ROOT / "params"
BUILD = ROOT / "build"
SOURCES_REGISTRY = DATA / "sources.yaml"
