"""The pinned-data layer: registry, materialization from a mirror, checksum refusal."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from modelrace import paths, sources
from modelrace.snapshots import sha256_file


def test_registry_entries_are_complete_and_pinned():
    reg = sources.load_registry()
    assert len(reg) >= 15
    for sid, src in reg.items():
        assert len(src.sha256) == 64 and all(c in "0123456789abcdef" for c in src.sha256), sid
        assert len(src.commit) == 40, sid
        assert src.url.endswith(f"/{src.commit}/{src.path}"), sid
        assert src.licence and src.citation and src.credit_fr and src.credit_en, sid


def test_registry_matches_the_shared_reference_list():
    """Every sha256 in ../shared/reference/sources.md is registered, and vice versa."""
    ref = paths.ROOT.parent / "shared" / "reference" / "sources.md"
    if not ref.is_file():
        pytest.skip("no shared reference list beside the checkout")
    import re

    listed = set(re.findall(r"\b[0-9a-f]{64}\b", ref.read_text()))
    registered = {s.sha256 for s in sources.load_registry().values()}
    assert listed == registered


def _one_source_registry(tmp_path: Path, src: sources.Source) -> Path:
    doc = yaml.safe_load(paths.SOURCES_REGISTRY.read_text())
    doc["sources"] = [e for e in doc["sources"] if e["id"] == src.id]
    reg = tmp_path / "sources.yaml"
    reg.write_text(yaml.safe_dump(doc))
    return reg


def test_materialize_copies_from_mirror_and_verifies(tmp_path, mirror):
    src = sources.get("openrouter_share_monthly")
    out = sources.materialize(src, raw_dir=tmp_path / "raw", mirror=mirror, progressbar=False)
    assert out == src.raw_path(tmp_path / "raw")
    assert sha256_file(out) == src.sha256
    # a second call keeps the verified file (no copy needed)
    mtime = out.stat().st_mtime_ns
    sources.materialize(src, raw_dir=tmp_path / "raw", mirror=mirror, progressbar=False)
    assert out.stat().st_mtime_ns == mtime


def test_corrupted_mirror_file_stops_with_clear_error_and_keeps_nothing(tmp_path, mirror):
    src = sources.get("aiworld_orgs_2025")
    bad_mirror = tmp_path / "mirror"
    target = bad_mirror / src.mirror_relpath
    target.parent.mkdir(parents=True)
    shutil.copyfile(mirror / src.mirror_relpath, target)
    with open(target, "ab") as f:
        f.write(b" ")  # one byte more
    raw = tmp_path / "raw"
    with pytest.raises(sources.ChecksumError) as err:
        sources.materialize(src, raw_dir=raw, mirror=bad_mirror, progressbar=False)
    msg = str(err.value)
    assert src.id in msg and src.sha256 in msg and sha256_file(target) in msg
    assert "Nothing was kept" in msg
    assert not src.raw_path(raw).exists()
    assert not any(p.is_file() for p in raw.rglob("*"))


def test_make_data_cli_exits_nonzero_on_corrupted_mirror(tmp_path, mirror):
    """`make data` runs `python -m modelrace.sources materialize`; a bad mirror must stop it."""
    bad_mirror = tmp_path / "mirror"
    shutil.copytree(mirror, bad_mirror)
    src = sources.get("openrouter_rankings_daily")
    victim = bad_mirror / src.mirror_relpath
    victim.chmod(0o644)
    victim.write_bytes(victim.read_bytes().replace(b"2025-01-01,", b"2025-01-02,", 1))
    env = {"MODELRACE_MIRROR": str(bad_mirror), "PATH": "/usr/bin:/bin", "MODELRACE_ROOT": str(tmp_path / "root")}
    root = tmp_path / "root"
    (root / "data").mkdir(parents=True)
    shutil.copyfile(paths.SOURCES_REGISTRY, root / "data" / "sources.yaml")
    proc = subprocess.run([sys.executable, "-m", "modelrace.sources", "materialize"], env=env, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "checksum mismatch for openrouter_rankings_daily" in proc.stderr
    assert not (root / "data" / "raw" / src.id / src.filename).exists()


def test_mirror_missing_file_error_names_the_path(tmp_path):
    src = sources.get("aiworld_orgs_2025")
    with pytest.raises(sources.SourceError, match="not in the mirror"):
        sources.materialize(src, raw_dir=tmp_path / "raw", mirror=tmp_path / "empty", progressbar=False)


def test_registry_refuses_unpinned_url(tmp_path):
    doc = yaml.safe_load(paths.SOURCES_REGISTRY.read_text())
    doc["sources"][0]["url"] = doc["sources"][0]["url"].replace(doc["sources"][0]["commit"], "main")
    reg = tmp_path / "sources.yaml"
    reg.write_text(yaml.safe_dump(doc))
    with pytest.raises(sources.SourceError, match="pinned to the commit"):
        sources.load_registry(reg)


def test_no_raw_third_party_file_is_tracked_by_git():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=paths.ROOT, capture_output=True, text=True).stdout.split("\0")
    pinned = {s.sha256 for s in sources.load_registry().values()}
    for rel in filter(None, tracked):
        p = paths.ROOT / rel
        if p.is_file() and p.stat().st_size > 0:
            assert sha256_file(p) not in pinned, f"{rel} is a committed copy of a pinned upstream file"
