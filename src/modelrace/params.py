"""Notebook parameters: declared once in each notebook's ``parameters`` cell, checked strictly.

Why: papermill guesses the types of ``-p`` values (``-p vintage 2026`` is an int) and only logs
"Passed unknown parameter" for a misspelt name, then runs the defaults and exits 0: a result that
looks right and is not. Here the *declaration* is the parameters cell itself (annotated literals,
read with :func:`papermill.inspect_notebook`), and every run is checked against it:

- **names**: an unknown name is an error with "did you mean ..." for near misses;
- **types**: from the annotation (``str``, ``int``, ``bool``), never guessed; a ``-p`` string is
  converted by the annotation, a YAML or injected value must already have that type;
- **allowed values**: :func:`rule` (choices, integer ranges, ISO dates), one table for every
  notebook, so ``modelrace run --list`` shows them and the notebooks enforce the same ones;
- **windows**: ``end`` before ``start`` and, against the data, "start is after the data's last
  day (...)" or "no complete week between ... and ..." (:func:`check_data`).

Two callers, one code path: :mod:`modelrace.cli` (``modelrace run``, ``make variants``) checks
before any kernel starts; the cell right after each notebook's parameters cell calls
:func:`check` so plain papermill, nbval and JupyterLab runs are held to the same rules (there,
unknown names are found in papermill's injected ``# Parameters`` cell, read from IPython's history).

Outputs (decided here): only the canonical build (:func:`modelrace.runner.run_all`, which sets
``MODELRACE_CANONICAL=1`` for its kernels) writes into ``figures/``, ``data/processed/`` and
``notebooks/``. Any other run with an empty ``output_root`` writes under
``build/runs/<notebook>/<short parameter hash>/`` (:func:`default_output_root`).
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from . import paths

CANONICAL_ENV = "MODELRACE_CANONICAL"
TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool, "float": float}


class ParameterError(ValueError):
    """A parameter is unknown, of the wrong type, outside its allowed values, or impossible for the data."""


@dataclass(frozen=True)
class Rule:
    """What a parameter accepts beyond its type."""

    choices: tuple | None = None
    min: int | None = None
    max: int | None = None
    date: bool = False  # an ISO date YYYY-MM-DD
    empty_ok: bool = True  # for str: "" allowed
    note: str = ""

    def describe(self) -> str:
        parts = []
        if self.choices is not None:
            parts.append("one of " + ", ".join(repr(c) for c in self.choices))
        if self.min is not None or self.max is not None:
            parts.append(f"an integer from {self.min} to {self.max}")
        if self.date:
            parts.append("an ISO date YYYY-MM-DD" + (" or '' (none)" if self.empty_ok else ""))
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


def _rules() -> dict[tuple[str, str], Rule]:
    from .load import ORG_WEEKS_VINTAGES
    from .plotting import LANGS
    from .shares import DEFINITIONS, FREQUENCIES

    snapshot = Rule(empty_ok=False, note="'pinned', 'latest' or a snapshot name or path")
    return {
        ("*", "lang"): Rule(choices=LANGS),
        ("*", "frequency"): Rule(choices=FREQUENCIES),
        ("*", "definition"): Rule(choices=DEFINITIONS),
        ("*", "view"): Rule(choices=("uploader", "lineage", "both")),
        ("*", "vintage"): Rule(choices=tuple(sorted(ORG_WEEKS_VINTAGES))),
        ("*", "top_n"): Rule(min=1, max=100),
        ("*", "top_labs"): Rule(min=1, max=24),
        ("*", "window"): Rule(min=1, max=26),
        ("*", "coverage_year"): Rule(min=2015, max=2100, note="within the vintage's span"),
        ("*", "start"): Rule(date=True, empty_ok=False),
        ("*", "end"): Rule(date=True),
        ("*", "top_window_start"): Rule(date=True, empty_ok=False),
        ("*", "top_window_end"): Rule(date=True, empty_ok=False),
        ("*", "since"): Rule(date=True, empty_ok=False),
        ("*", "snapshot"): snapshot,
        ("04-hub-growth", "snapshot"): Rule(note="'' (none), 'latest' or a Hub snapshot name or path"),
        ("*", "hub_snapshot"): Rule(note="'' (none), 'latest' or a Hub snapshot name or path"),
        ("*", "output_root"): Rule(note="'' (default: build/runs/<notebook>/<hash>/) or a directory"),
        ("00-sources", "refresh"): Rule(choices=("none", "openrouter", "hub", "all")),
        ("*", "calibration_weeks"): Rule(min=1, max=26),
        ("*", "backtest_gap_weeks"): Rule(min=1, max=12),
        ("*", "december_start"): Rule(date=True, empty_ok=False),
        ("*", "december_end"): Rule(date=True, empty_ok=False),
    }


def rule(notebook: str, name: str) -> Rule:
    rules = _rules()
    return rules.get((notebook, name)) or rules.get(("*", name)) or Rule()


@dataclass(frozen=True)
class Param:
    name: str
    type: type
    default: Any
    help: str

    @property
    def type_name(self) -> str:
        return self.type.__name__


# --------------------------------------------------------------------------- notebooks


def notebook_path(which: str) -> Path:
    """``01``, ``01-openrouter-china-share`` or a path -> the notebook under ``notebooks/``."""
    from .runner import notebooks

    nbs = notebooks()
    p = Path(which)
    if p.suffix == ".ipynb" and p.is_file():
        return p.resolve()
    found = [nb for nb in nbs if nb.stem == which or nb.name == which or nb.name.split("-", 1)[0] == which]
    if len(found) != 1:
        names = ", ".join(nb.stem for nb in nbs)
        hint = difflib.get_close_matches(which, [nb.stem for nb in nbs], n=1)
        raise ParameterError(f"no notebook {which!r}; have: {names}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    return found[0]


def declared(nb: Path | str) -> dict[str, Param]:
    """The parameters a notebook declares, read from its ``parameters`` cell by papermill."""
    nb = Path(nb) if str(nb).endswith(".ipynb") else notebook_path(str(nb))
    return dict(_declared(str(nb), nb.stat().st_mtime_ns))


@lru_cache(maxsize=32)
def _declared(nb_path: str, _mtime: int) -> tuple[tuple[str, Param], ...]:
    import logging

    import papermill as pm

    logging.getLogger("papermill").setLevel(logging.WARNING)  # its "Input Notebook: <absolute path>" line
    nb = Path(nb_path)
    out: dict[str, Param] = {}
    for name, info in pm.inspect_notebook(str(nb)).items():
        tname = info.get("inferred_type_name")
        if tname not in TYPES:
            raise ParameterError(
                f"{nb.name}: parameter {name!r} is annotated {tname!r}; annotate it with one of {sorted(TYPES)}")
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            raise ParameterError(f"{nb.name}: parameter {name!r} must default to a literal, not {info['default']}") from None
        out[name] = Param(name, TYPES[tname], default, info.get("help") or "")
    return tuple(out.items())


# --------------------------------------------------------------------------- checks


def _fmt(value: Any) -> str:
    return repr(value)


def did_you_mean(name: str, known: list[str]) -> str:
    hint = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


def unknown(nb_name: str, names: list[str], known: list[str]) -> None:
    for name in names:
        if name not in known:
            raise ParameterError(
                f"{nb_name}: unknown parameter {name!r}{did_you_mean(name, known)}; "
                f"this notebook takes: {', '.join(known)}")


def convert(nb_name: str, param: Param, text: str) -> Any:
    """A ``-p NAME VALUE`` string converted by the declared type (never guessed)."""
    t = param.type
    if t is str:
        return text
    if t is bool:
        low = text.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
    else:
        try:
            return t(text)
        except ValueError:
            pass
    raise ParameterError(f"{nb_name}: {param.name}={text!r} is not {_a(param.type_name)}; accepted: {_accepted(nb_name, param)}")


def _a(type_name: str) -> str:
    return ("an " if type_name[0] in "aeiou" else "a ") + type_name


def _accepted(nb_name: str, param: Param) -> str:
    desc = rule(nb_name, param.name).describe()
    return _a(param.type_name) + (f", {desc}" if desc else "")


def check_value(nb_name: str, param: Param, value: Any) -> Any:
    """Type (exact: a bool is not an int) and allowed values of one parameter."""
    r = rule(nb_name, param.name)
    ok_type = type(value) is param.type or (param.type is float and type(value) is int)
    if not ok_type:
        hint = ""
        if param.type is str and isinstance(value, (int, float)):
            hint = (f" (papermill's -p guesses types: quote it in YAML, {param.name}: \"{value}\", "
                    f"or use `modelrace run`)")
        raise ParameterError(
            f"{nb_name}: {param.name}={value!r} is of type {type(value).__name__}, not {param.type_name}{hint}; "
            f"accepted: {_accepted(nb_name, param)}")
    if r.choices is not None and value not in r.choices:
        raise ParameterError(
            f"{nb_name}: {param.name}={value!r} is not accepted{did_you_mean(str(value), [str(c) for c in r.choices])}; "
            f"accepted: {_accepted(nb_name, param)}")
    if (r.min is not None and value < r.min) or (r.max is not None and value > r.max):
        raise ParameterError(f"{nb_name}: {param.name}={value!r} is out of range; accepted: {_accepted(nb_name, param)}")
    if param.type is str:
        if value != value.strip():
            raise ParameterError(f"{nb_name}: {param.name}={value!r} has surrounding spaces; remove them")
        if not value and not r.empty_ok:
            raise ParameterError(f"{nb_name}: {param.name} must not be empty; accepted: {_accepted(nb_name, param)}")
        if r.date and value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise ParameterError(
                    f"{nb_name}: {param.name}={value!r} is not an ISO date; accepted: {_accepted(nb_name, param)}") from None
    return value


def validate(nb_name: str, decl: Mapping[str, Param], values: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults completed by ``values``, every value checked; returns the full parameter set."""
    unknown(nb_name, list(values), list(decl))
    full = {name: p.default for name, p in decl.items()}
    full.update(values)
    for name, p in decl.items():
        check_value(nb_name, p, full[name])
    _check_windows(nb_name, full)
    return full


def _check_windows(nb_name: str, v: Mapping[str, Any]) -> None:
    for a, b in (("start", "end"), ("top_window_start", "top_window_end"), ("december_start", "december_end")):
        if v.get(a) and v.get(b) and v[b] < v[a]:
            raise ParameterError(f"{nb_name}: {b}={v[b]!r} is before {a}={v[a]!r}; choose {b} on or after {a}")


def _parse_yaml_params(path: Path) -> dict[str, Any]:
    import yaml

    doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise ParameterError(f"{path}: expected a mapping of parameter names to values (flat keys, as papermill -f reads)")
    nested = [k for k, v in doc.items() if isinstance(v, dict)]
    if nested:
        raise ParameterError(
            f"{path}: key {nested[0]!r} holds a mapping; parameter files are flat (name: value), "
            "as `papermill -f` injects every top-level key as a parameter")
    return doc


def read_file(path: Path | str) -> dict[str, Any]:
    """A flat YAML parameter file (``-f``); refuses nested mappings, which papermill would inject as-is."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"parameter file {path} not found")
    return _parse_yaml_params(p)


# --------------------------------------------------------------------------- data-dependent checks


def check_data(nb_name: str, v: Mapping[str, Any]) -> None:
    """Checks that need the data: windows against the data's days, snapshots complete."""
    from . import snapshots

    allow = bool(v.get("allow_incomplete", False))
    for key in ("snapshot", "hub_snapshot"):
        val = v.get(key)
        if not val or val == "pinned":
            continue
        source = "openrouter" if key == "snapshot" and nb_name.startswith(("01-", "05-")) else "hub"
        try:
            snapshots.resolve_snapshot(source, val, allow_incomplete=allow)
        except snapshots.SnapshotError as exc:
            raise ParameterError(f"{nb_name}: {key}={val!r}: {exc}") from None
    if nb_name.startswith("01-"):
        _check_openrouter_window(v)
    if nb_name.startswith("04-") and v.get("since"):
        from . import load

        last = load.aiworld_model_types()["month"].max()
        if dt.date.fromisoformat(v["since"]) > last.date():
            raise ParameterError(f"{nb_name}: since={v['since']!r}: since is after the data's last month ({last:%Y-%m})")


def _check_openrouter_window(v: Mapping[str, Any]) -> None:
    import pandas as pd

    from . import load

    days = pd.DatetimeIndex(load.openrouter_rankings(v.get("snapshot", "pinned"))["date"].unique()).sort_values()
    first, last = days[0], days[-1]
    start = pd.Timestamp(v["start"])
    end = pd.Timestamp(v["end"]) if v.get("end") else last
    if start > last:
        raise ParameterError(f"start={v['start']!r}: start is after the data's last day ({last:%Y-%m-%d})")
    if end < first:
        raise ParameterError(f"end={v['end']!r}: end is before the data's first day ({first:%Y-%m-%d})")
    lo, hi = max(start, first), min(end, last)
    present = set(days[(days >= lo) & (days <= hi)])
    frequency = v.get("frequency", "week")
    if frequency == "week":
        monday = lo - pd.Timedelta(days=lo.weekday())
        found = False
        while monday <= hi and not found:
            week = pd.date_range(monday, periods=7)
            found = all(d in present for d in week)
            monday += pd.Timedelta(days=7)
        if not found:
            raise ParameterError(
                f"no complete week between {lo:%Y-%m-%d} and {hi:%Y-%m-%d} (weeks run Monday to Sunday and need all "
                "7 days in the data); widen start/end")
    else:
        month = lo.to_period("M")
        covered = [m for m in pd.period_range(month, hi.to_period("M"), freq="M")
                   if m.start_time >= lo and m.end_time.normalize() <= hi]
        if not covered:
            raise ParameterError(
                f"no complete month between {lo:%Y-%m-%d} and {hi:%Y-%m-%d} (a month needs the window to span it "
                "end to end); widen start/end")


# --------------------------------------------------------------------------- outputs


def param_hash(values: Mapping[str, Any]) -> str:
    """A short, stable hash of a full parameter set (``output_root`` left out)."""
    payload = json.dumps({k: values[k] for k in sorted(values) if k != "output_root"}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:10]


def default_output_root(nb_name: str, values: Mapping[str, Any]) -> str:
    """``build/runs/<notebook>/<hash>`` (repository-relative): where a non-canonical run writes."""
    return f"build/runs/{nb_name}/{param_hash(values)}"


def absolute_root(output_root: str) -> Path:
    """An ``output_root`` as given (absolute, or relative to the repository root, never to the cwd)."""
    p = Path(output_root)
    return p if p.is_absolute() else paths.ROOT / p


def is_canonical() -> bool:
    return os.environ.get(CANONICAL_ENV) == "1"


# --------------------------------------------------------------------------- inside a notebook


def _injected_names(ns: Mapping[str, Any]) -> list[str]:
    """Names papermill injected (its ``# Parameters`` cell, found in IPython's input history)."""
    names: list[str] = []
    for src in ns.get("In", []) or []:
        if isinstance(src, str) and src.lstrip().startswith("# Parameters"):
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Assign):
                    names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def check(nb_name: str, ns: Mapping[str, Any]) -> str | None:
    """The validation cell of every notebook: check the parameters in ``ns`` (the notebook's globals).

    Declared names and types come from the parameters cell's annotations (``__annotations__``).
    Returns the output root for :func:`modelrace.plotting.export` (``None``: the repository, for
    the canonical build only), and prints where a papermill run with parameters writes (nothing is
    printed without injected parameters, so nbval's re-execution matches the committed outputs).
    """
    ann = dict(ns.get("__annotations__", {}))
    decl = {name: Param(name, t, None, "") for name, t in ann.items() if isinstance(t, type) and t in TYPES.values()}
    injected = _injected_names(ns)
    unknown(nb_name, injected, list(decl))
    values = {name: ns[name] for name in decl}
    for name, p in decl.items():
        check_value(nb_name, p, values[name])
    _check_windows(nb_name, values)
    check_data(nb_name, values)
    if values.get("output_root"):
        return str(absolute_root(values["output_root"]))
    if is_canonical():
        return None
    root = default_output_root(nb_name, values)
    if injected:  # a papermill run with parameters: say where its products went (nbval runs print nothing new)
        print(f"outputs of this run: {root}/ (only `make figures` writes into figures/ and data/processed/)")
    return str(absolute_root(root))


def listing(nbs: list[Path] | None = None) -> str:
    """Every notebook's parameters: name, type, default, accepted values, help (``modelrace run --list``)."""
    from .runner import notebooks

    lines = []
    for nb in nbs or notebooks():
        lines.append(f"{nb.stem}")
        for p in declared(nb).values():
            acc = rule(nb.stem, p.name).describe()
            lines.append(f"  {p.name}: {p.type_name} = {p.default!r}" + (f"  [{acc}]" if acc else ""))
            if p.help:
                lines.append(f"      {p.help}")
    return "\n".join(lines)
