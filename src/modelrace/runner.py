"""Run the numbered notebooks with papermill, and strip what changes from run to run.

Why: the committed notebooks are the default-parameter runs that readers see on the code host,
and an unchanged rerun must leave ``git status`` clean. So every run goes through here:
kernel ``modelrace`` (registered by ``make env`` into ``.venv``, IPC transport), working
directory ``notebooks/``, no injected parameters for the default run, then
:func:`strip_volatile` removes papermill's timings, absolute paths and execution stamps.

Only the canonical build (:func:`run_all`, ``make figures``) writes into ``notebooks/``,
``figures/`` and ``data/processed/``; it sets ``MODELRACE_CANONICAL=1`` for its kernels (see
:mod:`modelrace.params`). It reruns a notebook whose inputs changed *or* whose products (listed
with their sha256 in ``build/stamps/<notebook>.json``) are missing or altered, runs independent
notebooks concurrently (``--jobs``, default: the available cores), and checks every raw file's
sha256 before any notebook runs. Variants (``params/variants/*.yaml``, flat papermill keys) run
into ``build/variants/<name>/``, checked by :mod:`modelrace.params` before any kernel starts.

CLI: ``python -m modelrace.runner [--only 01 02] [--variants] [--force] [--jobs N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import paths

log = logging.getLogger("modelrace.runner")
KERNEL = "modelrace"
KERNEL_DISPLAY_NAME = "Python 3 (modelrace)"
_PAPERMILL_VOLATILE = ("start_time", "end_time", "duration", "input_path", "output_path", "environment_variables", "version")
STAMPS = paths.BUILD / "stamps"


def _kernel_manager_class():
    """A kernel manager on IPC sockets: no TCP port, no "running over TCP without encryption" warning."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            # jupyter_client's default, "kernel-ipc" in the cwd, collides between concurrent kernels
            # (they pick socket names by checking which exist): one private directory per kernel
            self._ipc_dir = tempfile.mkdtemp(prefix="modelrace-kernel-")
            return os.path.join(self._ipc_dir, "kernel-ipc")

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart and getattr(self, "_ipc_dir", None):
                shutil.rmtree(self._ipc_dir, ignore_errors=True)

        async def _async_interrupt_kernel(self):
            # jupyter_client interrupts before every shutdown; after the last cell that SIGINT can
            # only make the kernel log "KeyboardInterrupt caught in kernel" on a successful run
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return IPCKernelManager


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
    nb.metadata["kernelspec"] = {"display_name": KERNEL_DISPLAY_NAME, "language": "python", "name": KERNEL}
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
    """Execute ``src`` with papermill into ``output`` (default: in place), then strip it.

    In place (``output`` omitted or equal to ``src``) is the canonical run: it takes no
    parameters (the committed notebook has no injected cell) and its kernel writes the committed
    products. Any other output is a non-canonical run (its products go where ``output_root`` says,
    by default ``build/runs/...``, see :mod:`modelrace.params`).
    """
    import papermill as pm

    from .params import CANONICAL_ENV

    src = Path(src)
    output = Path(output or src)
    canonical = output.resolve() == src.resolve()
    if canonical and parameters:
        raise ValueError(f"{src.name}: a run with parameters cannot write over the committed notebook; pass an output path")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.stem}.running.ipynb")
    log.info("running %s%s", src.name, f" with {parameters}" if parameters else "")
    previous = os.environ.pop(CANONICAL_ENV, None)
    if canonical:
        os.environ[CANONICAL_ENV] = "1"  # the kernel inherits the environment at launch
    root = paths.ROOT if canonical else _explicit_root(parameters)
    aside = _set_products_aside(root, src.stem) if root is not None else None
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
            kernel_manager_class=_kernel_manager_class(),
        )
    except Exception:
        if aside is not None:
            _restore_products(root, src.stem, aside)
        if tmp.exists():
            failed = paths.BUILD / "failed" / output.name
            failed.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(failed)
            log.error("%s failed; the executed notebook with the error is at %s", src.name, _rel(failed))
        raise
    finally:
        os.environ.pop(CANONICAL_ENV, None)
        if previous is not None:
            os.environ[CANONICAL_ENV] = previous
    if aside is not None:
        _drop_stale_products(root, src.stem, aside)
    strip_volatile(tmp)
    if output.is_file() and output.read_bytes() == tmp.read_bytes():
        tmp.unlink()  # unchanged: keep the old file and its mtime
    else:
        tmp.replace(output)
    return output


# --- products of a previous run that this run no longer writes --------------------------------
# A run writes figures/<notebook>/* and the CSVs its caption cards name under its output root.
# Whatever a previous run wrote there and this run does not (a figure renamed, moved to another
# notebook, or drawn only for some parameters) must not linger beside the fresh products: the
# figure folder is set aside before the run, dropped after a successful one (with the CSVs only
# its old cards named) and put back after a failed one.


def _explicit_root(parameters: dict | None) -> Path | None:
    value = (parameters or {}).get("output_root")
    if not value:
        return None  # the kernel picks build/runs/<notebook>/<hash>/, a folder of its own per parameter set
    p = Path(value)
    return p if p.is_absolute() else paths.ROOT / p


def _card_csvs(fig_dir: Path, root: Path) -> set[Path]:
    out: set[Path] = set()
    for card in sorted(fig_dir.glob("*.json")) if fig_dir.is_dir() else []:
        try:
            data = json.loads(card.read_text(encoding="utf-8"))
        except ValueError:
            continue
        out |= {root / c for c in [data.get("csv")] + list(data.get("extra_csv", [])) if c}
    return out


def _set_products_aside(root: Path, stem: str) -> Path | None:
    fig_dir = root / "figures" / stem
    if not fig_dir.is_dir():
        return None
    aside = fig_dir.with_name(f".{stem}.previous")
    if aside.exists():
        shutil.rmtree(aside)
    fig_dir.rename(aside)
    return aside


def _restore_products(root: Path, stem: str, aside: Path) -> None:
    fig_dir = root / "figures" / stem
    if fig_dir.exists():
        shutil.rmtree(fig_dir)
    aside.rename(fig_dir)


def _drop_stale_products(root: Path, stem: str, aside: Path) -> None:
    fig_dir = root / "figures" / stem
    fresh = {p.name for p in fig_dir.iterdir()} if fig_dir.is_dir() else set()
    stale = [aside / n for n in sorted(p.name for p in aside.iterdir()) if n not in fresh]
    others = set()  # a CSV another notebook's cards name now (a figure moved there) stays
    for other in sorted((root / "figures").iterdir()):
        if other.is_dir() and other.name not in (stem, aside.name):
            others |= _card_csvs(other, root)
    stale_csvs = sorted(_card_csvs(aside, root) - _card_csvs(fig_dir, root) - others)
    for f in stale + [c for c in stale_csvs if c.is_file()]:
        log.info("%s: removed %s (a previous run wrote it; this run does not)", stem, _rel(f).replace(f".{stem}.previous", stem))
    for c in stale_csvs:
        c.unlink(missing_ok=True)
    shutil.rmtree(aside)


def _rel(p: Path) -> str:
    try:
        return Path(p).resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(p)


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


def products(nb: Path) -> list[Path]:
    """The committed products of a notebook: itself, ``figures/<notebook>/*`` and the CSVs its cards name
    (``csv`` and ``extra_csv``)."""
    out = {nb}
    fig_dir = paths.FIGURES / nb.stem
    for f in sorted(fig_dir.glob("*")) if fig_dir.is_dir() else []:
        if f.is_file():
            out.add(f)
        if f.suffix == ".json":
            card = json.loads(f.read_text(encoding="utf-8"))
            for csv in [card.get("csv")] + list(card.get("extra_csv", [])):
                if csv:
                    out.add(paths.ROOT / csv)
    return sorted(out)


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _stamp_path(nb: Path) -> Path:
    return STAMPS / f"{nb.stem}.json"


def _read_stamp(nb: Path) -> dict:
    try:
        return json.loads(_stamp_path(nb).read_text())
    except (OSError, ValueError):
        return {}


def stale_reason(nb: Path, stamp: dict | None = None) -> str | None:
    """Why ``nb`` must rerun ("inputs changed", "figures/... is missing"...), or None if up to date."""
    stamp = _read_stamp(nb) if stamp is None else stamp
    if not stamp:
        return "never built here"
    if stamp.get("inputs") != _inputs_digest(nb):
        return "inputs changed"
    for rel, sha in sorted(stamp.get("products", {}).items()):
        p = paths.ROOT / rel
        if not p.is_file():
            return f"{rel} is missing"
        if _sha256(p) != sha:
            return f"{rel} differs from what the last build wrote"
    return None


def _write_stamp(nb: Path, seconds: float) -> None:
    STAMPS.mkdir(parents=True, exist_ok=True)
    prods = {_rel(p): _sha256(p) for p in products(nb) if p.is_file()}
    stamp = {"inputs": _inputs_digest(nb), "products": prods, "seconds": round(seconds, 1)}
    _stamp_path(nb).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")


def _run_canonical(nb_path: str) -> tuple[str, float]:
    """Worker: one canonical run (in its own process; its kernel is a process of its own too)."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    t0 = time.perf_counter()
    run_notebook(Path(nb_path), progress=False)
    return nb_path, time.perf_counter() - t0


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_all(only: list[str] | None = None, *, force: bool = False, jobs: int | None = None) -> list[Path]:
    """Run the default-parameter notebooks whose inputs changed or whose products are missing or altered.

    Notebooks are independent (each reads only pinned data and reference tables), so up to
    ``jobs`` (default: the available cores) run at once; the longest known runs start first.
    Products are per-notebook files, so their bytes and order do not depend on scheduling.
    """
    import concurrent.futures as cf
    import multiprocessing

    from . import sources

    selected = select(only)
    todo = []
    for nb in selected:
        reason = "forced" if force else stale_reason(nb)
        if reason is None:
            log.info("%s: inputs and products unchanged, skipped", nb.name)
        else:
            log.info("%s: %s, will run", nb.name, reason)
            todo.append(nb)
    if not todo:
        return []
    restored = sources.verify_all(restore=True)  # before any kernel: notebooks never materialize
    if restored:
        log.info("restored %d raw file(s) before running", len(restored))
    known = {nb: _read_stamp(nb).get("seconds", 0.0) for nb in todo}
    order = sorted(todo, key=lambda nb: -known[nb])
    jobs = max(1, min(jobs or available_cores(), len(todo)))
    done: dict[Path, float] = {}
    t0 = time.perf_counter()
    if jobs == 1:
        for nb in order:
            _, seconds = _run_canonical(str(nb))
            _write_stamp(nb, seconds)
            done[nb] = seconds
            log.info("%s: ran in %.1f s", nb.name, seconds)
    else:
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = {pool.submit(_run_canonical, str(nb)): nb for nb in order}
            for fut in cf.as_completed(futures):
                nb = futures[fut]
                try:
                    _, seconds = fut.result()
                except Exception:
                    for other in futures:
                        other.cancel()
                    log.error("%s failed; see build/failed/%s", nb.name, nb.name)
                    raise
                _write_stamp(nb, seconds)
                done[nb] = seconds
                log.info("%s: ran in %.1f s", nb.name, seconds)
    log.info("%d notebook(s) in %.1f s on %d worker(s)", len(done), time.perf_counter() - t0, jobs)
    return [nb for nb in selected if nb in done]


# --------------------------------------------------------------------------- variants


def _leading_comment(text: str) -> str:
    """The comment block at the top of a variant file, joined into one paragraph (its description)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#"):
            lines.append(line[1:].strip())
        elif line.strip():
            break
    return " ".join(x for x in lines if x)


def load_variants() -> list[dict]:
    """Parameter sets of ``params/variants/*.yaml``: {name, notebook, description, parameters}.

    A variant file is a flat papermill parameter file (``papermill -f`` reads it as is). Its
    notebook is the one whose number starts the file name (``01-monthly.yaml`` -> ``01-...``);
    its description is the comment block at the top of the file.
    """
    from . import params

    out = []
    for f in sorted((paths.PARAMS / "variants").glob("*.yaml")):
        rel = _rel(f)
        nb = params.notebook_path(f.stem.split("-", 1)[0])
        values = params.read_file(f)
        desc = _leading_comment(f.read_text(encoding="utf-8"))
        if not desc:
            raise params.ParameterError(f"{rel}: start the file with a '# ...' comment describing the variant")
        out.append({"name": f.stem, "notebook": nb.stem, "description": desc, "parameters": values, "file": rel})
    return out


def prepare(nb: str | Path, values: dict, *, output_root: str | None = None, data_checks: bool = True) -> dict:
    """Check ``values`` against the notebook's parameters cell (and the data) before any kernel starts.

    Returns ``{"notebook": Path, "parameters": dict to inject, "output_root": str}``; raises
    :class:`modelrace.params.ParameterError` with one line naming the problem.
    """
    from . import params

    nb_path = params.notebook_path(str(nb))
    decl = params.declared(nb_path)
    full = params.validate(nb_path.stem, decl, values)
    if data_checks:
        params.check_data(nb_path.stem, full)
    root = output_root or values.get("output_root") or params.default_output_root(nb_path.stem, full)
    injected = dict(values)
    injected["output_root"] = root
    return {"notebook": nb_path, "parameters": injected, "output_root": root}


def run_variants(only: list[str] | None = None) -> list[Path]:
    from tqdm import tqdm

    from . import sources

    chosen = [v for v in load_variants() if not only or v["name"] in only]
    plans = []
    for v in chosen:  # every variant is checked before the first kernel starts
        plan = prepare(v["notebook"], v["parameters"], output_root=f"build/variants/{v['name']}")
        plans.append((v, plan))
    sources.verify_all(restore=True)
    out = []
    for v, plan in tqdm(plans, desc="variants", unit="run", disable=None):
        root = paths.ROOT / plan["output_root"]
        dest = root / "notebooks" / plan["notebook"].name
        run_notebook(plan["notebook"], dest, plan["parameters"])
        meta = {k: v[k] for k in ("name", "notebook", "description", "parameters")}
        meta["output_root"] = plan["output_root"]
        (root / "variant.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        out.append(dest)
    return out


def main(argv: list[str] | None = None) -> int:
    from .params import ParameterError
    from .sources import ChecksumError, SourceError

    ap = argparse.ArgumentParser(prog="python -m modelrace.runner", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="notebook numbers or stems (default: all)")
    ap.add_argument("--force", action="store_true", help="rerun even when inputs and products are unchanged")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("JOBS") or 0) or None,
                    help="notebooks run at once (default: $JOBS or the available cores)")
    ap.add_argument("--variants", action="store_true", help="run params/variants/*.yaml into build/variants/")
    ap.add_argument("--strip", nargs="*", type=Path, help="only strip volatile metadata from these notebooks")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.strip is not None:
        for nb in args.strip or notebooks():
            strip_volatile(nb)
        return 0
    try:
        if args.variants:
            ran = run_variants(args.only)
            log.info("ran %d variant(s) into build/variants/", len(ran))
        else:
            ran = run_all(args.only, force=args.force, jobs=args.jobs)
            log.info("ran %d notebook(s)", len(ran))
    except (ParameterError, ChecksumError, SourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
