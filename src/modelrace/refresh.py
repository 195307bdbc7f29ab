"""One command brings the collection up to date and says what changed since the article.

``make refresh`` (``modelrace refresh``, ``python -m modelrace.refresh``):

1. **fetch** each source of ``--sources`` (``SOURCES="openrouter hub"``, default both) into a
   dated snapshot under ``data/snapshots/<source>/`` (git-ignored) with the existing clients,
   which show progress, retry, rate-limit and (Hub) resume: :func:`modelrace.openrouter.fetch_rankings_daily`
   from 2025-01-01 to ``--end`` (default yesterday, UTC) and :func:`modelrace.hub.fetch_top_models`
   (``--top``, default 1,000). Endpoints and keys come from the environment only
   (``OPENROUTER_BASE_URL``, ``OPENROUTER_API_KEY``, ``HF_ENDPOINT``, ``HF_TOKEN``);
2. **report** into ``build/refresh/<date>/`` (``<date>`` = today, UTC): ``changes.md`` (English),
   ``changes.fr.md`` (French), ``changes.csv``, ``unattributed_openrouter.csv``,
   ``unattributed_hub.csv``, ``model_names_missing.csv``, ``refresh.json`` (:mod:`modelrace.changes`);
3. **gate**: when unattributed OpenRouter tokens outside the ``stealth/`` and ``openrouter/``
   authors exceed ``--max-unattributed`` (``MAX_UNATTRIBUTED``, default 2 % of the non-``other``
   tokens), stop here with exit status 3 and a message naming the largest slugs: shares must not
   drift silently. The report is already written, stubs included;
4. **rerun** every notebook that can read live data (:func:`notebook_runs`: 01 and 05 on a fresh
   OpenRouter snapshot, 02, 04 and 05 on a fresh Hub listing) with ``output_root`` and the output
   notebook under ``build/refresh/<date>/``, never over the committed products. The kernels run
   without the secret variables (they read snapshots, not APIs).

Exit status: 0 done; 1 a fetch, a notebook or an input failed (message on stderr); 2 bad
arguments; 3 stopped by the unattributed-token gate.

Decisions: a second refresh on the same day replaces that day's ``build/refresh/<date>/``
entirely (it is a build product, and a half-old directory would mix two vintages); each fetch
still makes its own snapshot (``<date>-2``...). ``--no-fetch`` reuses the latest committed
snapshots instead of fetching (e.g. after fixing a reference table). Notebook 00's ``refresh``
parameter calls :func:`fetch_for_notebook`, the same fetch functions.

Notebook 01's chart of the 15 most used models covers, in a refresh, the days the fresh data add
to the pinned vintage (:func:`top_window`): over its default window (2025) the fresh data only
restate what the pinned data already rank, so a model that appeared since would never show. When
the fresh data add no day, the notebook keeps its default window. The report lists the models of
that chart without a readable name (:func:`modelrace.changes.model_name_gaps`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Iterator

from . import paths, snapshots

log = logging.getLogger("modelrace.refresh")

SOURCES = ("openrouter", "hub")
REFRESH_CHOICES = ("none", "openrouter", "hub", "all")
HISTORY_START = "2025-01-01"
DEFAULT_TOP = 1000
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_UNATTRIBUTED = 0, 1, 2, 3
SECRET_ENV = ("OPENROUTER_API_KEY", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
REFRESH_ROOT = paths.BUILD / "refresh"


class RefreshError(RuntimeError):
    """The refresh cannot go on; the message says what failed and what to do."""


# ------------------------------------------------------------------------------- arguments


def parse_sources(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """``"openrouter hub"`` / ``["hub"]`` / ``"all"`` -> the sources in canonical order; unknown names are errors."""
    if value is None:
        return list(SOURCES)
    words = value.replace(",", " ").split() if isinstance(value, str) else [w for v in value for w in v.replace(",", " ").split()]
    if words == ["all"]:
        return list(SOURCES)
    bad = [w for w in words if w not in SOURCES]
    if bad or not words:
        raise RefreshError(f"SOURCES={' '.join(words)!r}: use one or both of {' '.join(SOURCES)} (or 'all')")
    return [s for s in SOURCES if s in words]


def parse_fraction(value: str | float) -> float:
    """``MAX_UNATTRIBUTED``: a fraction (``0.02``) or a percentage (``2%``), from 0 to 1."""
    text = str(value).strip()
    try:
        x = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise RefreshError(f"MAX_UNATTRIBUTED={value!r} is not a number: write a fraction (0.02) or a percentage (2%)") from None
    if not 0 <= x <= 1:
        raise RefreshError(f"MAX_UNATTRIBUTED={value!r} is outside 0..1 (0 %..100 %)")
    return x


def _yesterday() -> str:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).date().isoformat()


# ------------------------------------------------------------------------------- fetching


def fetch(sources: list[str], *, end: str | None = None, top: int = DEFAULT_TOP,
          snapshots_root: Path | None = None) -> dict[str, Path]:
    """Fetch each source into a new dated snapshot; return {source: snapshot directory}."""
    from . import hub, openrouter

    out: dict[str, Path] = {}
    for source in parse_sources(sources):
        if source == "openrouter":
            log.info("fetching OpenRouter daily rankings %s → %s", HISTORY_START, end or _yesterday())
            out[source] = openrouter.fetch_rankings_daily(HISTORY_START, end or _yesterday(), snapshots_root=snapshots_root)
        else:
            log.info("fetching the %d most downloaded Hugging Face models", top)
            out[source] = hub.fetch_top_models(top, snapshots_root=snapshots_root)
        log.info("  %s snapshot: %s", source, out[source].name)
    return out


def fetch_for_notebook(refresh: str, **kwargs) -> dict[str, Path]:
    """Notebook 00's ``refresh`` parameter: ``none`` (nothing), ``openrouter``, ``hub`` or ``all``."""
    if refresh not in REFRESH_CHOICES:
        raise ValueError(f"refresh must be one of {REFRESH_CHOICES}, not {refresh!r}")
    if refresh == "none":
        print("refresh='none': nothing fetched; the notebooks read the pinned data "
              "(refresh='openrouter', 'hub' or 'all' fetches live snapshots, as `make refresh` does)")
        return {}
    got = fetch(list(SOURCES) if refresh == "all" else [refresh], **kwargs)
    for source, snap in got.items():
        print(f"{source}: new snapshot {snap.name}; run a notebook with snapshot='latest' to use it")
    return got


def latest_snapshots(sources: list[str]) -> dict[str, Path]:
    """``--no-fetch``: the newest committed snapshot of each source (verified)."""
    return {s: snapshots.resolve_snapshot(s, "latest") for s in sources}


# ------------------------------------------------------------------------------- notebooks


def top_window(pinned_last, fresh_last) -> tuple[str, str] | None:
    """Notebook 01's top-models window in a refresh: the days after ``pinned_last`` up to ``fresh_last``
    (ISO dates), or None when the fresh data add no day (the notebook's default window then)."""
    import pandas as pd

    first, last = pd.Timestamp(pinned_last) + pd.Timedelta(days=1), pd.Timestamp(fresh_last)
    return None if last < first else (f"{first:%Y-%m-%d}", f"{last:%Y-%m-%d}")


def notebook_runs(snaps: dict[str, Path], *, top_models_window: tuple[str, str] | None = None) -> list[tuple[str, dict]]:
    """(notebook stem, parameters) of every notebook that can read the given fresh snapshots."""
    o, h = snaps.get("openrouter"), snaps.get("hub")
    runs: list[tuple[str, dict]] = []
    if o:
        window = {} if top_models_window is None else dict(zip(("top_window_start", "top_window_end"), top_models_window))
        runs.append(("01-openrouter-china-share", {"snapshot": str(o), **window}))
    if h:
        runs.append(("02-hub-downloads-by-country", {"snapshot": str(h)}))
        runs.append(("04-hub-growth", {"snapshot": str(h)}))
    if o or h:
        runs.append(("05-claims", {"snapshot": str(o) if o else "pinned", "hub_snapshot": str(h) if h else ""}))
    return runs


@contextlib.contextmanager
def _without_secrets() -> Iterator[None]:
    """Kernels started inside do not inherit the API keys (they read snapshots, never an API)."""
    saved = {k: os.environ.pop(k) for k in SECRET_ENV if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def run_notebooks(runs: list[tuple[str, dict]], refresh_dir: Path) -> list[str]:
    """Execute each run into ``refresh_dir/notebooks/`` with ``output_root=refresh_dir``."""
    from . import runner

    done = []
    with _without_secrets():
        for i, (stem, params) in enumerate(runs, 1):
            src = paths.NOTEBOOKS / f"{stem}.ipynb"
            if not src.is_file():
                raise RefreshError(f"notebook {src} is missing; restore it from git")
            dest = refresh_dir / "notebooks" / src.name
            started = time.monotonic()
            log.info("[notebook %d/%d] %s → %s", i, len(runs), src.name, _shown(dest))
            runner.run_notebook(src, dest, {**params, "output_root": str(refresh_dir)})
            log.info("  done in %.0f s", time.monotonic() - started)
            done.append(src.name)
    return done


# ------------------------------------------------------------------------------- the report


def _snapshot_info(source: str, snap: Path) -> dict:
    manifest = snapshots.read_manifest(snap)
    if source == "openrouter":
        q = manifest.get("query", {})
        return {"name": snap.name, "as_of": manifest.get("as_of"), "rows": manifest.get("rows"),
                "requested": f"{q.get('start')} → {q.get('end')}", "first_day": q.get("start"), "last_day": q.get("end"),
                "fetched_at": manifest.get("fetched_at")}
    return {"name": snap.name, "mode": manifest.get("mode"), "rows": manifest.get("rows"),
            "complete": manifest.get("complete"), "fetched_at": manifest.get("fetched_at")}


def build_report(snaps: dict[str, Path], *, date: str, threshold: float, hub_top_n: int):
    """Compute every comparison of :mod:`modelrace.changes` for the fresh snapshots ``snaps``."""
    import pandas as pd

    from . import attribution, changes, claims, load

    o, h = snaps.get("openrouter"), snaps.get("hub")
    log.info("computing the claims on the pinned data")
    pinned_inputs = claims.Inputs.load(snapshot="pinned", hub_snapshot="")
    pinned_checks = claims.run_checks(pinned_inputs)
    log.info("computing the claims on the fresh snapshots")
    fresh_inputs = claims.Inputs.load(snapshot=str(o) if o else "pinned", hub_snapshot=str(h) if h else "")
    fresh_checks = claims.run_checks(fresh_inputs)
    pinned_raw = load.openrouter_rankings("pinned")
    report = changes.Report(
        date=date, sources=sorted(snaps, key=SOURCES.index),
        snapshots={s: _snapshot_info(s, p) for s, p in snaps.items()},
        claims=changes.compare_claims(pinned_checks, fresh_checks),
        pinned_openrouter={"first_day": f"{pinned_raw['date'].min():%Y-%m-%d}", "last_day": f"{pinned_raw['date'].max():%Y-%m-%d}"},
    )
    labs = attribution.load_labs()
    if o:
        log.info("comparing the headline series and listing unattributed OpenRouter slugs")
        report.headline = changes.headline(pinned_inputs.openrouter_daily, fresh_inputs.openrouter_daily)
        fresh_raw = load.openrouter_rankings(str(o))
        report.snapshots["openrouter"].update(first_day=f"{fresh_raw['date'].min():%Y-%m-%d}",
                                              last_day=f"{fresh_raw['date'].max():%Y-%m-%d}")
        fresh_attr = attribution.attribute_openrouter(fresh_raw, labs=labs)
        report.openrouter_stub, report.gate = changes.openrouter_gaps(
            fresh_attr, added_after=pd.Timestamp(pinned_raw["date"].max()), threshold=threshold)
        report.names_window = top_window(pinned_raw["date"].max(), fresh_raw["date"].max()) or (
            _notebook_default("01-openrouter-china-share", "top_window_start"),
            _notebook_default("01-openrouter-china-share", "top_window_end"))
        log.info("listing the models of notebook 01's top-%d chart (%s → %s) without a readable name",
                 changes.TOP_MODELS_N, *report.names_window)
        report.names_stub = changes.model_name_gaps(fresh_attr, *report.names_window, date=date)
    if h:
        log.info("comparing the Hub top %d and listing unattributed namespaces", hub_top_n)
        listing = load.hub_listing(str(h))
        report.hub = changes.hub_changes(listing, hub_top_n, labs=labs)
        report.hub_stub = changes.hub_gaps(listing, labs=labs)
    return report


def _notebook_default(stem: str, name: str) -> str:
    """A notebook's declared default for a string parameter (its parameters cell is the one truth)."""
    import ast

    import papermill as pm

    return ast.literal_eval(pm.inspect_notebook(str(paths.NOTEBOOKS / f"{stem}.ipynb"))[name]["default"])


def _prepare_dir(refresh_dir: Path) -> None:
    """Start from an empty ``refresh_dir``; replace only a directory a refresh made (or an empty one)."""
    if refresh_dir.exists():
        if any(refresh_dir.iterdir()) and not (refresh_dir / "refresh.json").is_file():
            raise RefreshError(f"{refresh_dir} exists and was not made by a refresh (no refresh.json); "
                               "move it away or choose another --out")
        shutil.rmtree(refresh_dir)
    refresh_dir.mkdir(parents=True)


def scan_for_secrets(directory: Path) -> None:
    """Refuse a refresh whose files contain the value of a secret variable (names the file, never the value)."""
    values = [(k, os.environ[k]) for k in SECRET_ENV if len(os.environ.get(k, "")) >= 6]
    if not values:
        return
    for f in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = f.read_bytes()
        for name, value in values:
            if value.encode() in data:
                raise RefreshError(f"{f} contains the value of ${name}; delete {directory} and report this as a bug")


def _shown(p: Path) -> str:
    try:
        return Path(p).resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return str(p)


def refresh(sources: list[str], *, out: Path = REFRESH_ROOT, end: str | None = None, top: int = DEFAULT_TOP,
            hub_top_n: int = 100, threshold: float = 0.02, fetch_live: bool = True, date: str | None = None) -> int:
    """The whole refresh (see the module docstring); returns the exit status."""
    from . import changes

    date = date or dt.datetime.now(dt.timezone.utc).date().isoformat()
    refresh_dir = Path(out) / date
    steps = 4
    log.info("[1/%d] %s: %s", steps, "fetching" if fetch_live else "reusing the latest snapshots of", " and ".join(sources))
    snaps = fetch(sources, end=end, top=top) if fetch_live else latest_snapshots(sources)
    log.info("[2/%d] writing the what-changed report into %s", steps, _shown(refresh_dir))
    _prepare_dir(refresh_dir)
    report = build_report(snaps, date=date, threshold=threshold, hub_top_n=hub_top_n)
    changes.write(report, refresh_dir, "report written; notebooks not run yet")
    gate = report.gate
    log.info("[3/%d] attribution check: %s", steps, gate.message() if gate else "OpenRouter not refreshed, nothing to check")
    if gate is not None and gate.exceeded:
        changes.write(report, refresh_dir, "stopped: unattributed OpenRouter tokens above MAX_UNATTRIBUTED")
        scan_for_secrets(refresh_dir)
        largest = report.openrouter_stub
        largest = largest.loc[~largest["pattern"].str.split("/").str[0].isin(("stealth", "openrouter"))].head(5)
        names = ", ".join(f"{r.pattern} ({100 * r.share:.2f} %)" for r in largest.itertuples())
        print(f"refresh stopped: {gate.message()}.\n  largest: {names}\n"
              f"  The report is in {_shown(refresh_dir)}/changes.md; add rows for these slugs to "
              "data/reference/openrouter_models.csv (stub: unattributed_openrouter.csv), then rerun "
              "`make refresh` (or raise MAX_UNATTRIBUTED knowingly).", file=sys.stderr)
        return EXIT_UNATTRIBUTED
    runs = notebook_runs(snaps, top_models_window=report.names_window)  # the window the report's name check used
    log.info("[4/%d] rerunning %d notebook(s) on the fresh snapshots", steps, len(runs))
    try:
        report.notebooks = run_notebooks(runs, refresh_dir)
    except BaseException as exc:
        changes.write(report, refresh_dir, f"failed while rerunning the notebooks ({type(exc).__name__}); "
                                           "the failed notebook is under build/failed/")
        raise
    changes.write(report, refresh_dir, "complete")
    scan_for_secrets(refresh_dir)
    changed = report.claims.loc[report.claims["verdict_changed"], "claim_id"].tolist()
    print(f"refresh complete: {_shown(refresh_dir)}/changes.md (verdicts changed: {', '.join(changed) or 'none'})")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """CLI; ``modelrace refresh`` passes its arguments here."""
    ap = argparse.ArgumentParser(prog="modelrace refresh", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", nargs="+", default=None,
                    help="openrouter and/or hub (default: $SOURCES, else both)")
    ap.add_argument("--end", default=None, help="last OpenRouter day, YYYY-MM-DD (default: $END, else yesterday UTC)")
    ap.add_argument("--top", type=int, default=None, help=f"Hub models to list (default: $TOP, else {DEFAULT_TOP})")
    ap.add_argument("--hub-top-n", type=int, default=100, help="top N compared with aiWorld's top 100 (1..100)")
    ap.add_argument("--max-unattributed", default=None,
                    help="stop above this share of unattributed tokens: 0.02 or 2%% (default: $MAX_UNATTRIBUTED, else 2%%)")
    ap.add_argument("--out", type=Path, default=None, help="refresh root (default: $REFRESH_OUT, else build/refresh)")
    ap.add_argument("--no-fetch", action="store_true", help="reuse the latest snapshots instead of fetching")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        sources = parse_sources(args.sources if args.sources is not None else os.environ.get("SOURCES") or None)
        threshold = parse_fraction(args.max_unattributed if args.max_unattributed is not None
                                   else os.environ.get("MAX_UNATTRIBUTED") or 0.02)
        top = args.top if args.top is not None else int(os.environ.get("TOP") or DEFAULT_TOP)
        end = args.end or os.environ.get("END") or None
        if end is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", end):
            raise RefreshError(f"END={end!r} is not a date: use YYYY-MM-DD")
        out = args.out or Path(os.environ.get("REFRESH_OUT") or REFRESH_ROOT)
    except (RefreshError, ValueError) as exc:
        print(f"refresh: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return refresh(sources, out=out, end=end, top=top, hub_top_n=args.hub_top_n, threshold=threshold,
                       fetch_live=not args.no_fetch)
    except Exception as exc:  # noqa: BLE001 - expected failures end in one clear line and status 1
        from . import changes, hub, openrouter
        from .validate import InputError

        known = (RefreshError, changes.ChangesError, snapshots.SnapshotError, InputError, ValueError, OSError,
                 openrouter.OpenRouterError, hub.HubFetchError)
        if not isinstance(exc, known) and type(exc).__name__ != "PapermillExecutionError":
            raise  # a bug: keep the traceback
        print(f"refresh failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
