"""Write a notebook source from a compact Python description (a developer aid, not run by make).

Usage from a script:  from nbbuild import md, code, params, write
    write("notebooks/00-sources.ipynb", [md("# Title"), params("lang: str = 'fr'"), code("x = 1")])
Cells get stable ids derived from their position so rewriting a notebook is diff-friendly.
"""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str, tags: list[str] | None = None):
    c = new_code_cell(text.strip("\n"))
    if tags:
        c.metadata["tags"] = tags
    return c


def params(text: str):
    return code(text, tags=["parameters"])


def write(path: str, cells: list) -> None:
    nb = new_notebook(cells=cells)
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i:02d}"
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (modelrace)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"}
    nbformat.write(nb, path)
