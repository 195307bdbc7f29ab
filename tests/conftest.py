"""Shared fixtures. Tests never reach the network: pinned files come from data/raw/ (make data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modelrace import paths

SHARED_MIRROR = paths.ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline mirror: $MODELRACE_MIRROR, else ../shared/data beside the checkout."""
    m = Path(os.environ.get("MODELRACE_MIRROR") or SHARED_MIRROR)
    if not m.is_dir():
        pytest.skip(f"no mirror at {m}: set MODELRACE_MIRROR")
    return m


@pytest.fixture(autouse=True)
def _no_hub_telemetry(monkeypatch):
    """huggingface_hub probes huggingface.co from build_hf_headers unless telemetry is off."""
    import huggingface_hub.constants as hf_constants

    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setattr(hf_constants, "HF_HUB_DISABLE_TELEMETRY", True)
