"""The registry of pinned upstream files, and their materialization into ``data/raw/``.

Why: every number in the collection must trace back to exact upstream bytes. The registry
(``data/sources.yaml``) records, per file, the URL pinned to a commit, its sha256, licence,
citation and caveats. :func:`materialize` copies the file from an offline mirror (the
directory named by ``$MODELRACE_MIRROR``, laid out ``github/<owner>/<repo>/<commit>/<path>``)
or downloads it over HTTP with a progress bar, and lets :mod:`pooch` verify the sha256 before
the file is moved into place: a mismatching file is deleted and the run stops.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import paths

MIRROR_ENV = "MODELRACE_MIRROR"


class ChecksumError(RuntimeError):
    """A materialized file does not have the sha256 the registry pins."""


class SourceError(RuntimeError):
    """A registry entry is missing or malformed, or a file cannot be obtained."""


@dataclass(frozen=True)
class Source:
    id: str
    owner: str
    repo: str
    commit: str
    path: str
    url: str
    sha256: str
    publisher: str
    description: str
    licence: str
    citation: str
    credit_fr: str
    credit_en: str
    snapshot_date: str | None = None
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return Path(self.path).name

    @property
    def mirror_relpath(self) -> Path:
        return Path("github") / self.owner / self.repo / self.commit / self.path

    def raw_path(self, raw_dir: Path | None = None) -> Path:
        return Path(raw_dir or paths.RAW) / self.id / self.filename

    def credit(self, lang: str = "fr") -> str:
        return self.credit_fr if lang == "fr" else self.credit_en


_REQUIRED = ("id", "owner", "repo", "commit", "path", "url", "sha256", "licence", "citation")


def load_registry(registry: Path | None = None) -> dict[str, Source]:
    """Read ``data/sources.yaml`` into {id: Source}, refusing incomplete entries."""
    registry = Path(registry or paths.SOURCES_REGISTRY)
    doc = yaml.safe_load(registry.read_text())
    out: dict[str, Source] = {}
    for i, entry in enumerate(doc.get("sources", [])):
        missing = [k for k in _REQUIRED if not entry.get(k)]
        if missing:
            raise SourceError(f"{registry}: entry #{i + 1} ({entry.get('id', '?')}) lacks {missing}; add them")
        expected_url = (
            f"https://raw.githubusercontent.com/{entry['owner']}/{entry['repo']}/{entry['commit']}/{entry['path']}"
        )
        if entry["url"] != expected_url:
            raise SourceError(f"{registry}: {entry['id']}: url must be pinned to the commit: {expected_url}")
        if entry["id"] in out:
            raise SourceError(f"{registry}: duplicate id {entry['id']!r}")
        fields = {k: entry.get(k) for k in Source.__dataclass_fields__ if k in entry}
        fields["caveats"] = tuple(entry.get("caveats") or ())
        fields.setdefault("description", "")
        fields.setdefault("publisher", "")
        fields.setdefault("credit_fr", entry["citation"])
        fields.setdefault("credit_en", entry["citation"])
        out[entry["id"]] = Source(**fields)
    return out


def get(source_id: str, registry: Path | None = None) -> Source:
    reg = load_registry(registry)
    if source_id not in reg:
        raise SourceError(f"unknown source {source_id!r}; known: {', '.join(sorted(reg))}")
    return reg[source_id]


def _mirror_downloader(mirror: Path, source: Source):
    """A pooch downloader that copies from a local mirror instead of the network."""

    def download(url, output_file, pooch_obj, check_only=False):  # noqa: ARG001 - pooch's signature
        src = mirror / source.mirror_relpath
        if check_only:
            return src.is_file()
        if not src.is_file():
            raise SourceError(
                f"{source.id}: not in the mirror: {src} is missing. Check ${MIRROR_ENV} "
                f"(it must be laid out github/<owner>/<repo>/<commit>/<path>) or unset it to download"
            )
        if hasattr(output_file, "write"):
            with open(src, "rb") as f:
                shutil.copyfileobj(f, output_file)
        else:
            shutil.copyfile(src, output_file)

    return download


def materialize(
    source: Source | str,
    *,
    raw_dir: Path | None = None,
    mirror: str | Path | None = None,
    progressbar: bool | None = None,
) -> Path:
    """Make the pinned file present and verified in ``data/raw/<id>/``; return its path.

    A file already there with the right sha256 is kept as is. The mirror (argument, else
    ``$MODELRACE_MIRROR``) wins over the network. On a checksum mismatch nothing is kept and
    :class:`ChecksumError` says which file, expected and got, and what to do.
    """
    import logging

    import pooch  # imported here: its tqdm.auto import warns inside notebooks

    # pooch logs through pooch.get_logger() (not logging.getLogger("pooch")): its "Downloading data
    # from <url>" line is wrong for a mirror copy, which says "copied from mirror" below instead
    pooch.get_logger().setLevel(logging.WARNING)

    if isinstance(source, str):
        source = get(source)
    dest = source.raw_path(raw_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    mirror = mirror if mirror is not None else os.environ.get(MIRROR_ENV) or None
    if progressbar is None:
        progressbar = sys.stderr.isatty()
    if mirror:
        downloader = _mirror_downloader(Path(mirror).expanduser().resolve(), source)
        origin = f"mirror {Path(mirror) / source.mirror_relpath}"
    else:
        downloader = pooch.HTTPDownloader(progressbar=progressbar, timeout=60)
        origin = source.url
    present = dest.is_file()
    try:
        fetched = pooch.retrieve(
            url=source.url,
            known_hash=f"sha256:{source.sha256}",
            fname=dest.name,
            path=dest.parent,
            downloader=downloader,
            progressbar=progressbar,
        )
    except ValueError as exc:
        if "hash" not in str(exc).lower():
            raise
        got = _hash_in_message(str(exc))
        raise ChecksumError(
            f"checksum mismatch for {source.id} ({source.path}) from {origin}: "
            f"expected sha256 {source.sha256}, got {got}. Nothing was kept. "
            "Restore the original file in the mirror (or unset the mirror to download it), "
            "or, if upstream really changed, pin the new commit and sha256 in data/sources.yaml."
        ) from None
    if not present and mirror:
        print(f"{_rel(dest)}: copied from mirror", file=sys.stderr)
    return Path(fetched)


def _rel(p: Path) -> str:
    """A path as the user should read it: relative to the repository when inside it."""
    try:
        return Path(p).resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(p)


def verify_all(*, restore: bool = True, raw_dir: Path | None = None) -> list[str]:
    """Check every materialized raw file's sha256 before any notebook runs; return the restored ids.

    Why: a notebook must never materialize (its stderr would land in a committed product). A file
    that is missing or fails its check is reported by name and, with ``restore``, materialized
    again (from the mirror when set), else :class:`ChecksumError` stops the run.
    """
    from .snapshots import sha256_file

    restored = []
    for sid, src in sorted(load_registry().items()):
        p = src.raw_path(raw_dir)
        if p.is_file() and sha256_file(p) == src.sha256:
            continue
        what = "is missing" if not p.is_file() else "failed its sha256 check"
        if not restore:
            raise ChecksumError(f"{_rel(p)} {what}: run `make data` to restore it")
        if p.is_file():
            p.unlink()
        mirror = os.environ.get(MIRROR_ENV)
        materialize(src, raw_dir=raw_dir)
        print(f"{_rel(p)} {what}; restored from {'the mirror' if mirror else 'the network'}", file=sys.stderr)
        restored.append(sid)
    return restored


def _hash_in_message(msg: str) -> str:
    import re

    found = re.search(r"but got ([0-9a-f]{64})", msg)
    return found.group(1) if found else "(unknown)"


def materialize_all(*, raw_dir: Path | None = None, mirror: str | Path | None = None) -> dict[str, Path]:
    """Materialize every registered file; stop at the first failure."""
    from tqdm import tqdm

    reg = load_registry()
    out = {}
    for sid, src in tqdm(sorted(reg.items()), desc="pinned files", unit="file", disable=None):
        out[sid] = materialize(src, raw_dir=raw_dir, mirror=mirror)
    return out


def raw_path(source_id: str, *, raw_dir: Path | None = None, materialize_missing: bool = False) -> Path:
    """Path of a verified raw file (loaders call this).

    A missing or altered file is an error naming it, never fixed here: loaders run inside
    notebooks, and materialization belongs before any notebook runs (``make data``,
    :func:`verify_all` in the runner). ``materialize_missing=True`` is for scripts and tests.
    """
    src = get(source_id)
    p = src.raw_path(raw_dir)
    if p.is_file():
        from .snapshots import sha256_file

        got = sha256_file(p)
        if got == src.sha256:
            return p
        if not materialize_missing:
            raise ChecksumError(
                f"{_rel(p)} failed its sha256 check (got {got}, pinned {src.sha256}): run `make data` to restore it")
        p.unlink()
    elif not materialize_missing:
        raise SourceError(f"{_rel(p)} is missing: run `make data` (with ${MIRROR_ENV} set on offline machines)")
    return materialize(src, raw_dir=raw_dir)


def main(argv: list[str] | None = None) -> int:
    """``python -m modelrace.sources materialize|list``: the ``make data`` entry point."""
    import argparse
    import logging

    ap = argparse.ArgumentParser(prog="python -m modelrace.sources")
    ap.add_argument("command", choices=["materialize", "list"])
    args = ap.parse_args(argv)
    if args.command == "list":
        for sid, src in sorted(load_registry().items()):
            print(f"{sid}\t{src.sha256[:12]}\t{src.url}")
        return 0
    mirror = os.environ.get(MIRROR_ENV)
    print(f"materializing {len(load_registry())} pinned files into {_rel(paths.RAW)}/ from "
          f"{'the mirror' if mirror else 'the network'}", file=sys.stderr)
    try:
        done = materialize_all()
    except (ChecksumError, SourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"ok: {len(done)} files verified (sha256)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
