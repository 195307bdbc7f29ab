"""English runs of every notebook, for the English edition of the reader's site.

Why: the committed notebooks, figures and CSVs are the French default run. The English edition
needs every chart, caption card and claims table drawn in English, so ``make site`` runs each
numbered notebook once more with ``lang="en"`` into ``build/site-runs/en/`` (notebooks/,
figures/, data/processed/ under it, never over the committed products). A run is skipped when
its input digest (the notebook, ``src/``, reference tables, source registry, as for
``make figures``, plus these parameters) is the one recorded beside it, so a second ``make site``
with nothing changed runs nothing. This deliberately does not read ``params/variants/``: the
editions are a fixed pair (French default, English), variants are a researcher's tool.

CLI: ``python -m modelrace.site_runs [--force]`` (``python -m modelrace.site`` calls it first).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
from pathlib import Path

from . import paths, runner

log = logging.getLogger("modelrace.site_runs")

#: languages the site is published in; the first is the default edition (the committed run)
LANGS = ("fr", "en")
DEFAULT_LANG = LANGS[0]


def runs_root(lang: str) -> Path:
    """Where the notebooks run for edition ``lang`` write their products (not for the default)."""
    if lang == DEFAULT_LANG:
        raise ValueError(f"the {DEFAULT_LANG!r} edition is the committed run; it has no build/site-runs/ directory")
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return paths.BUILD / "site-runs" / lang


def run_parameters(lang: str) -> dict:
    """The papermill parameters of an edition run (output_root absolute: notebooks run in notebooks/)."""
    return {"lang": lang, "output_root": str(runs_root(lang))}


def _digest(nb: Path, params: dict) -> str:
    h = hashlib.sha256(runner._inputs_digest(nb).encode())
    h.update(json.dumps({k: v for k, v in params.items() if k != "output_root"}, sort_keys=True).encode())
    return h.hexdigest()


def run_edition(lang: str, *, force: bool = False, only: list[str] | None = None) -> list[Path]:
    """Run every numbered notebook with ``lang`` into ``build/site-runs/<lang>/``; return those that ran.

    A failed notebook stops the run (its executed copy is parked in ``build/failed/`` by the
    runner) and its stamp is removed, so the next ``make site`` runs it again.
    """
    root = runs_root(lang)
    stamps = root / ".stamps"
    stamps.mkdir(parents=True, exist_ok=True)
    params = run_parameters(lang)
    ran = []
    for nb in runner.select(only):
        stamp = stamps / f"{nb.stem}.sha256"
        output = root / "notebooks" / nb.name
        digest = _digest(nb, params)
        if not force and output.is_file() and stamp.is_file() and stamp.read_text().strip() == digest:
            log.info("%s (%s): inputs unchanged, skipped", nb.stem, lang)
            continue
        stamp.unlink(missing_ok=True)
        log.info("%s: running with lang=%s into %s", nb.stem, lang, root.relative_to(paths.ROOT))
        runner.run_notebook(nb, output, params)
        stamp.write_text(digest + "\n")
        ran.append(nb)
    # a notebook that was removed from the collection must not linger in the edition
    keep = {nb.name for nb in runner.notebooks()}
    for stale in sorted((root / "notebooks").glob("*.ipynb")):
        if stale.name not in keep:
            log.info("%s: no longer in notebooks/, removed from %s", stale.name, root.relative_to(paths.ROOT))
            stale.unlink()
            (stamps / f"{stale.stem}.sha256").unlink(missing_ok=True)
            for products in (root / "figures" / stale.stem,):
                if products.is_dir():
                    for f in sorted(products.iterdir()):
                        f.unlink()
                    products.rmdir()
    return ran


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m modelrace.site_runs", description=__doc__.split("\n\n")[0])
    ap.add_argument("--force", action="store_true", help="rerun even when inputs are unchanged")
    ap.add_argument("--only", nargs="*", help="notebook numbers or stems (default: all)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for lang in LANGS[1:]:
        ran = run_edition(lang, force=args.force, only=args.only)
        log.info("%s edition: ran %d notebook(s)", lang, len(ran))
    return 0


if __name__ == "__main__":
    sys.exit(main())
