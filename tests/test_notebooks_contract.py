"""Contracts every notebook keeps: numbered, one parameters cell of literals, clean metadata,
parameter files that name only real parameters, no secrets in committed outputs."""

from __future__ import annotations

import ast
import json
import re

import nbformat
import papermill as pm
import pytest

from modelrace import paths, runner

NOTEBOOKS = runner.notebooks()


def test_there_are_numbered_notebooks():
    assert NOTEBOOKS, "no notebooks/NN-slug.ipynb found"
    for nb in NOTEBOOKS:
        assert re.fullmatch(r"\d{2}-[a-z0-9-]+\.ipynb", nb.name), nb.name


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_of_annotated_literals(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{nb_path.name}: exactly one cell must be tagged 'parameters'"
    tree = ast.parse(cells[0].source)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), f"{nb_path.name}: parameters must be annotated (name: type = literal)"
        ast.literal_eval(node.value)  # raises if not a literal
    declared = {node.target.id for node in tree.body}
    seen = set(pm.inspect_notebook(str(nb_path)))
    assert declared == seen, (
        f"{nb_path.name}: papermill sees parameters {sorted(seen)} but the cell declares {sorted(declared)}; "
        "a comment containing '=' hides a parameter from papermill"
    )
    for required in ("lang", "output_root"):
        assert required in declared, f"{nb_path.name}: every notebook takes a {required!r} parameter"
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells), \
        f"{nb_path.name}: commit the default-parameter run (no injected cell)"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_volatile_metadata(nb_path):
    text = nb_path.read_text()
    nb = json.loads(text)
    pm_meta = nb["metadata"].get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        assert key not in pm_meta, f"{nb_path.name}: papermill {key} not stripped"
    for cell in nb["cells"]:
        assert "papermill" not in cell["metadata"] and "execution" not in cell["metadata"]
    assert str(paths.ROOT) not in text, f"{nb_path.name}: contains the absolute checkout path"
    assert "Traceback" not in text and '"output_type": "error"' not in text, f"{nb_path.name}: committed with an error"


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_outputs(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{nb_path.name}: run `make figures`"


MAX_CODE_LINES = 120  # issue 12: notebooks keep the analysis; drawing and helpers live in src/


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_code_stays_thin(nb_path):
    """No function, lambda or class defined in a notebook, and at most MAX_CODE_LINES lines of code
    (blank and comment-only lines not counted): the rest belongs in a tested module."""
    nb = nbformat.read(nb_path, as_version=4)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    defined = [f"{type(node).__name__} at line {node.lineno} of code cell {i}"
               for i, src in enumerate(sources) for node in ast.walk(ast.parse(src))
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef))]
    assert not defined, f"{nb_path.name}: move these into src/modelrace: {defined}"
    lines = sum(1 for src in sources for line in src.splitlines() if line.strip() and not line.strip().startswith("#"))
    assert lines <= MAX_CODE_LINES, f"{nb_path.name}: {lines} lines of code (at most {MAX_CODE_LINES}); move helpers into src/modelrace"


def test_variant_parameter_files_name_real_parameters():
    """papermill only logs an unknown parameter; here it is an error."""
    variants = runner.load_variants()
    for v in variants:
        src = paths.NOTEBOOKS / f"{v['notebook']}.ipynb"
        assert src.is_file(), f"params/variants/{v['name']}.yaml: no notebook {src.name}"
        known = pm.inspect_notebook(str(src))
        unknown = set(v["parameters"]) - set(known)
        assert not unknown, f"params/variants/{v['name']}.yaml: unknown parameter(s) {sorted(unknown)}; known: {sorted(known)}"
        for name, value in v["parameters"].items():
            declared = known[name]["inferred_type_name"]
            pytype = {"str": str, "int": int, "float": (int, float), "bool": bool}.get(declared)
            if pytype:
                assert isinstance(value, pytype), f"params/variants/{v['name']}.yaml: {name} should be {declared}"
