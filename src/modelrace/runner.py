"""Run the numbered notebooks with papermill, and strip what changes from run to run.

Why: the committed notebooks are the default-parameter runs that readers see on the code host,
and an unchanged rerun must leave ``git status`` clean. So every run goes through here:
kernel ``python3`` (the project's environment), working directory ``notebooks/``, no injected
parameters for the default run, then :func:`strip_volatile` removes papermill's timings,
absolute paths and execution stamps. Variants (``params/variants/*.yaml``) run into
``build/variants/<name>/`` with their parameters injected, never over the committed products.

CLI: ``python -m modelrace.runner [--only 01 02] [--variants] [--force]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
from pathlib import Path

from . import paths

log = logging.getLogger("modelrace.runner")
KERNEL = "python3"
_PAPERMILL_VOLATILE = ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables", "version")
STAMPS = paths.BUILD / "stamps"


def notebooks() -> list[Path]:
    """The collection's notebooks, in their numbered order."""
    return sorted(p for p in paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb") if re.fullmatch(r"\d{2}-[a-z0-9-]+\.ipynb", p.name))


def select(only: list[str] | None) -> list[Path]:
    nbs = notebooks()
    if not only:
        return nbs
    chosen = [nb for nb in nbs if any(nb.name.startswith(o) or nb.stem == o for o in only)]
    if not chosen:
        raise SystemExit(f"no notebook matches {only}; have: {[nb.name for nb in nbs]}")
    return chosen


def strip_volatile(path: Path) -> bool:
    """Remove timings, paths and run stamps from an executed notebook; return True if it changed."""
    import nbformat  # imported here: it costs ~1.4 s, and a no-op `make figures` needs none of it

    raw = Path(path).read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    pm = nb.metadata.get("papermill", {})
    for key in _PAPERMILL_VOLATILE:
        pm.pop(key, None)
    if pm.get("exception") is None:
        pm.pop("exception", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (modelrace)", "language": "python", "name": KERNEL}
    lang = nb.metadata.get("language_info", {})
    nb.metadata["language_info"] = {k: lang[k] for k in ("name", "file_extension", "mimetype") if k in lang}
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            # a linear run numbers code cells 1..n; nbval needs counts on cells with outputs
            count += 1
            cell["execution_count"] = count
            cell["outputs"] = _merge_streams(cell.get("outputs", []))
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = count
    text = nbformat.writes(nb)
    text += "" if text.endswith("\n") else "\n"
    if text != raw:
        Path(path).write_text(text, encoding="utf-8")
        return True
    return False


def _merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name: how the kernel splits them depends on timing."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")):
            prev["text"] = prev["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def run_notebook(
    src: Path,
    output: Path | None = None,
    parameters: dict | None = None,
    *,
    progress: bool = True,
) -> Path:
    """Execute ``src`` with papermill into ``output`` (default: in place), then strip it."""
    import papermill as pm

    output = Path(output or src)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.running.ipynb")
    log.info("running %s%s", src.name, f" with {parameters}" if parameters else "")
    try:
        pm.execute_notebook(
            str(src),
            str(tmp),
            parameters=parameters or None,
            kernel_name=KERNEL,
            cwd=str(paths.NOTEBOOKS),
            progress_bar=progress and sys.stderr.isatty(),
            log_output=False,
            report_mode=False,
        )
    except Exception:
        if tmp.exists():
            failed = paths.BUILD / "failed" / output.name
            failed.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(failed)
            log.error("%s failed; the executed notebook with the error is at %s", src.name, failed)
        raise
    strip_volatile(tmp)
    if output.is_file() and output.read_bytes() == tmp.read_bytes():
        tmp.unlink()  # unchanged: keep the old file and its mtime
    else:
        tmp.replace(output)
    return output


def _inputs_digest(nb: Path) -> str:
    """A digest of everything a notebook reads: itself, src/, reference data, registry, raw files."""
    h = hashlib.sha256()
    files = [nb, paths.SOURCES_REGISTRY]
    files += sorted((paths.ROOT / "src" / "modelrace").rglob("*.py"))
    files += sorted((paths.ROOT / "src" / "modelrace").glob("*.csv"))
    files += sorted(paths.REFERENCE.glob("*.csv"))
    for f in files:
        if f.is_file():
            h.update(f.relative_to(paths.ROOT).as_posix().encode())
            h.update(f.read_bytes())
    # raw files are verified by checksum; their pinned hashes are in the registry digest above
    return h.hexdigest()


def run_all(only: list[str] | None = None, *, force: bool = False) -> list[Path]:
    """Run the default-parameter notebooks whose inputs changed since their last run."""
    from tqdm import tqdm

    STAMPS.mkdir(parents=True, exist_ok=True)
    ran = []
    selected = select(only)
    for nb in tqdm(selected, desc="notebooks", unit="nb", disable=None):
        stamp = STAMPS / f"{nb.stem}.sha256"
        digest = _inputs_digest(nb)
        if not force and stamp.is_file() and stamp.read_text().strip() == digest:
            log.info("%s: inputs unchanged, skipped", nb.name)
            continue
        run_notebook(nb)
        stamp.write_text(_inputs_digest(nb) + "\n")
        ran.append(nb)
    return ran


def load_variants() -> list[dict]:
    """Parameter sets of ``params/variants/*.yaml``: {name, notebook, description, parameters}."""
    import yaml

    out = []
    for f in sorted((paths.PARAMS / "variants").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text()) or {}
        for key in ("notebook", "parameters"):
            if key not in doc:
                raise ValueError(f"{f}: missing key {key!r} (need notebook, description, parameters)")
        doc["name"] = f.stem
        doc.setdefault("description", "")
        out.append(doc)
    return out


def run_variants(only: list[str] | None = None) -> list[Path]:
    from tqdm import tqdm

    out = []
    for v in tqdm(load_variants(), desc="variants", unit="run", disable=None):
        if only and v["name"] not in only:
            continue
        src = paths.NOTEBOOKS / f"{v['notebook']}.ipynb"
        root = paths.BUILD / "variants" / v["name"]
        params = dict(v["parameters"])
        params["output_root"] = str(root)
        dest = root / "notebooks" / src.name
        run_notebook(src, dest, params)
        (root / "variant.json").write_text(json.dumps({k: v[k] for k in ("name", "notebook", "description", "parameters")}, indent=2, sort_keys=True) + "\n")
        out.append(dest)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m modelrace.runner", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="notebook numbers or stems (default: all)")
    ap.add_argument("--force", action="store_true", help="rerun even when inputs are unchanged")
    ap.add_argument("--variants", action="store_true", help="run params/variants/*.yaml into build/variants/")
    ap.add_argument("--strip", nargs="*", type=Path, help="only strip volatile metadata from these notebooks")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.strip is not None:
        for nb in args.strip or notebooks():
            strip_volatile(nb)
        return 0
    if args.variants:
        run_variants(args.only)
    else:
        ran = run_all(args.only, force=args.force)
        log.info("ran %d notebook(s)", len(ran))
    return 0


if __name__ == "__main__":
    sys.exit(main())
