"""Raw files are verified before any notebook runs, quietly, and loaders never materialize."""

from __future__ import annotations

import pytest

from modelrace import sources

SID = "aiworld_model_types"


def test_mirror_copy_says_copied_once_per_file_and_nothing_about_downloading(tmp_path, mirror, capfd):
    raw = tmp_path / "raw"
    sources.materialize(SID, raw_dir=raw, mirror=mirror)
    sources.materialize(SID, raw_dir=raw, mirror=mirror)  # already there: silent
    err = capfd.readouterr().err
    assert err.count("copied from mirror") == 1, err
    assert "Downloading" not in err and "https://" not in err, err


def test_a_truncated_raw_file_is_named_and_restored_before_any_notebook(tmp_path, mirror, monkeypatch, capfd):
    monkeypatch.setenv(sources.MIRROR_ENV, str(mirror))
    raw = tmp_path / "raw"
    for sid in sources.load_registry():
        sources.materialize(sid, raw_dir=raw, mirror=mirror)
    capfd.readouterr()
    p = sources.get(SID).raw_path(raw)
    p.write_bytes(p.read_bytes()[:100])
    assert sources.verify_all(restore=True, raw_dir=raw) == [SID]
    err = capfd.readouterr().err
    assert f"{p.name} failed its sha256 check; restored from the mirror" in err, err
    assert sources.raw_path(SID, raw_dir=raw) == p  # verified again


def test_verify_without_restore_stops_naming_the_file(tmp_path, mirror):
    raw = tmp_path / "raw"
    sources.materialize(SID, raw_dir=raw, mirror=mirror)
    p = sources.get(SID).raw_path(raw)
    p.write_bytes(b"truncated")
    with pytest.raises(sources.ChecksumError, match=f"{p.name} failed its sha256 check"):
        sources.verify_all(restore=False, raw_dir=raw)


def test_loaders_never_materialize(tmp_path, monkeypatch, mirror):
    """Inside a notebook a bad file is an error naming it, not a silent copy (whose stderr would be stored)."""
    monkeypatch.setenv(sources.MIRROR_ENV, str(mirror))
    raw = tmp_path / "raw"
    with pytest.raises(sources.SourceError, match="is missing: run `make data`"):
        sources.raw_path(SID, raw_dir=raw)
    assert not sources.get(SID).raw_path(raw).exists()
    sources.materialize(SID, raw_dir=raw, mirror=mirror)
    p = sources.get(SID).raw_path(raw)
    p.write_bytes(b"x")
    with pytest.raises(sources.ChecksumError, match="failed its sha256 check"):
        sources.raw_path(SID, raw_dir=raw)
    assert p.read_bytes() == b"x"  # left for the runner to report and restore
