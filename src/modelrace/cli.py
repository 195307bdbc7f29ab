"""``modelrace``: the one strict way to run a notebook with parameters (and the project's other commands).

Why: plain papermill guesses the types of ``-p`` values and only logs a misspelt name, then runs
the defaults and exits 0. ``modelrace run`` reads the notebook's parameters cell (papermill's
inspection), converts every ``-p`` value by its annotation, checks names, allowed values and
windows against the data, and stops with one line before any kernel starts. Its outputs go to
``build/runs/<notebook>/<parameter hash>/`` (or ``-o DIR``), never over the committed products.

    modelrace run 01 -p frequency month
    modelrace run 02 -f params/variants/02-en.yaml -p top_n 5
    modelrace run --list                 # every notebook's parameters, types, defaults, accepted values
    modelrace variants                   # params/variants/*.yaml into build/variants/ (make variants)
    modelrace build [--force]            # the canonical build (make figures)
    modelrace refresh ...                # live data refresh (modelrace.refresh)
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

EXIT_USAGE = 2


def _run(args: argparse.Namespace) -> int:
    from . import params, runner, sources

    if args.list:
        nbs = [params.notebook_path(args.notebook)] if args.notebook else None
        print(params.listing(nbs))
        return 0
    if not args.notebook:
        print("error: name a notebook (e.g. `modelrace run 01`) or pass --list", file=sys.stderr)
        return EXIT_USAGE
    nb = params.notebook_path(args.notebook)
    decl = params.declared(nb)
    values: dict = {}
    for f in args.file or []:
        values.update(params.read_file(f))
    for name, text in args.param or []:
        if name not in decl:
            params.unknown(nb.stem, [name], list(decl))
        values[name] = params.convert(nb.stem, decl[name], text)
    output_root = args.output_root
    plan = runner.prepare(nb, values, output_root=output_root)
    sources.verify_all(restore=True)
    root = params.absolute_root(plan["output_root"])
    dest = root / "notebooks" / nb.name
    runner.run_notebook(nb, dest, plan["parameters"])
    shown = runner._rel(root)
    print(f"outputs: {shown}/ (notebook: {runner._rel(dest)})")
    return 0


def _variants(args: argparse.Namespace) -> int:
    from . import runner

    ran = runner.run_variants(args.names or None)
    print(f"ran {len(ran)} variant(s) into build/variants/")
    return 0


def _build(args: argparse.Namespace) -> int:
    from . import runner

    ran = runner.run_all(args.only or None, force=args.force, jobs=args.jobs)
    print(f"ran {len(ran)} notebook(s)")
    return 0


def _refresh(rest: list[str]) -> int:
    try:
        module = importlib.import_module("modelrace.refresh")
    except ModuleNotFoundError as exc:
        if exc.name != "modelrace.refresh":
            raise
        print("error: `modelrace refresh` needs modelrace.refresh, which this checkout does not have", file=sys.stderr)
        return EXIT_USAGE
    return int(module.main(rest) or 0)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="modelrace", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Run `modelrace run --list` for every notebook's parameters.")
    ap.add_argument("--list", action="store_true", help="same as `modelrace run --list`")
    sub = ap.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run one notebook with checked parameters into build/runs/ (or -o)",
                         description="Run one notebook with parameters checked against its parameters cell "
                                     "before any kernel starts. Outputs go to build/runs/<notebook>/<hash>/ "
                                     "unless -o names a directory.")
    run.add_argument("notebook", nargs="?", help="notebook number or name, e.g. 01 or 01-openrouter-china-share")
    run.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="a parameter; VALUE is converted by the parameter's declared type")
    run.add_argument("-f", "--file", action="append", metavar="FILE.yaml",
                     help="a flat YAML parameter file (as papermill -f reads it); -p values override it")
    run.add_argument("-o", "--output-root", metavar="DIR",
                     help="where figures/, data/processed/ and notebooks/ of this run go "
                          "(default: build/runs/<notebook>/<parameter hash>)")
    run.add_argument("--list", action="store_true", help="list the parameters (of NOTEBOOK, or of every notebook)")
    run.set_defaults(func=_run)
    var = sub.add_parser("variants", help="run params/variants/*.yaml into build/variants/ (make variants)")
    var.add_argument("names", nargs="*", help="variant names (file stems); default: all")
    var.set_defaults(func=_variants)
    build = sub.add_parser("build", help="the canonical build of every notebook's products (make figures)")
    build.add_argument("--only", nargs="*", help="notebook numbers or stems")
    build.add_argument("--force", action="store_true", help="rerun even when inputs and products are unchanged")
    build.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: the available cores)")
    build.set_defaults(func=_build)
    sub.add_parser("refresh", help="refresh live data (modelrace.refresh); options after it go to that command",
                   add_help=False)
    return ap


def main(argv: list[str] | None = None) -> int:
    from .params import ParameterError
    from .snapshots import SnapshotError
    from .sources import ChecksumError, SourceError

    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "refresh":
        return _refresh(argv[1:])
    ap = parser()
    args = ap.parse_args(argv)
    if args.list and args.command is None:
        args = ap.parse_args(["run", "--list"])
    if args.command is None:
        ap.print_help()
        return EXIT_USAGE
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        return args.func(args)
    except (ParameterError, SnapshotError, ChecksumError, SourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
