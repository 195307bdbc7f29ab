"""Committed products: clean of stderr and of the building machine's paths, each owned by one notebook,
and an incremental build that notices a product missing or altered."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from modelrace import paths, runner

NOTEBOOKS = runner.notebooks()


def _committed(*where: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", "--", *where], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    return [x for x in out.stdout.splitlines() if x]


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_stores_no_stderr(nb_path):
    """A default run prints results, nothing that looks like a problem (warnings, downloads, progress bars)."""
    nb = json.loads(nb_path.read_text())
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert not (out.get("output_type") == "stream" and out.get("name") == "stderr"), (
                f"{nb_path.name}, cell {i}: stderr stored: {''.join(out.get('text', ''))[:300]!r}")


def test_committed_notebooks_name_the_project_kernel():
    for nb in NOTEBOOKS:
        spec = json.loads(nb.read_text())["metadata"]["kernelspec"]
        assert spec == {"display_name": "Python 3 (modelrace)", "language": "python", "name": "modelrace"}, nb.name


# absolute paths that betray a machine: the checkout itself, home directories, temp and work trees
_ABSOLUTE = re.compile(r"(?<![\w.:/])/(?:home|root|Users|tmp|work|opt|var/folders|private)/[\w.-]+")


def _text_files(files: list[str]):
    for rel in files:
        p = paths.ROOT / rel
        if p.suffix.lower() in {".png", ".parquet", ".ico", ".woff", ".woff2", ".pdf"} or not p.is_file():
            continue
        try:
            yield rel, p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def _offending(files) -> list[str]:
    root = str(paths.ROOT)
    bad = []
    for rel, text in files:
        if root in text:
            bad.append(f"{rel}: contains the checkout path {root}")
            continue
        m = _ABSOLUTE.search(text)
        if m:
            bad.append(f"{rel}: absolute path {m.group(0)!r}")
    return bad


def test_no_absolute_path_in_committed_products_and_docs():
    """Notebooks, figures (SVG and caption cards), processed CSVs, docs, README, bench results."""
    files = _committed("notebooks", "figures", "data/processed", "docs", "bench", "README.md", "params")
    assert files
    assert not _offending(_text_files(files))


def test_no_absolute_path_in_the_published_site_and_variants():
    """The site and the variant runs it publishes (build/site, build/variants), when they are built."""
    built = [p for d in ("site", "variants") for p in (paths.BUILD / d).rglob("*") if p.is_file()]
    if not built:
        pytest.skip("no build/site or build/variants here: `make variants site` builds them (CI does)")
    rels = [p.relative_to(paths.ROOT).as_posix() for p in built]
    assert not _offending(_text_files(rels))


def test_the_absolute_path_check_can_fail(tmp_path):
    leak = [("x.svg", f"<svg>{paths.ROOT}/figures</svg>"), ("y.json", '{"output_root": "/home/alice/run"}')]
    assert len(_offending(leak)) == 2
    assert not _offending([("ok.csv", "a,b\n1,https://example.org/x\n"), ("ok.md", "see data/raw/x and ../shared")])


def test_every_committed_product_belongs_to_exactly_one_notebook():
    owners: dict[str, str] = {}
    for nb in NOTEBOOKS:
        for p in runner.products(nb):
            rel = p.relative_to(paths.ROOT).as_posix()
            assert rel not in owners, f"{rel} claimed by {owners[rel]} and {nb.stem}"
            owners[rel] = nb.stem
    # notebooks/translations/ holds hand-written sources (the French catalogs of the site), not products
    committed = {f for f in _committed("figures", "data/processed", "notebooks") if not f.startswith("notebooks/translations/")}
    assert committed == set(owners), (
        f"not owned: {sorted(committed - set(owners))}; owned but not committed: {sorted(set(owners) - committed)}")


def test_a_missing_or_altered_product_makes_its_notebook_stale():
    nb = NOTEBOOKS[0]
    prods = {p.relative_to(paths.ROOT).as_posix(): runner._sha256(p) for p in runner.products(nb)}
    stamp = {"inputs": runner._inputs_digest(nb), "products": prods}
    assert runner.stale_reason(nb, stamp) is None
    rel = next(r for r in sorted(prods) if r.startswith("figures/"))
    altered = dict(stamp, products=dict(prods, **{rel: "0" * 64}))
    assert runner.stale_reason(nb, altered) == f"{rel} differs from what the last build wrote"
    missing = dict(stamp, products=dict(prods, **{"figures/00-sources/gone.svg": "0" * 64}))
    assert runner.stale_reason(nb, missing) == "figures/00-sources/gone.svg is missing"
    assert runner.stale_reason(nb, dict(stamp, inputs="x")) == "inputs changed"
    assert runner.stale_reason(nb, {}) == "never built here"


def test_a_parameterised_run_cannot_write_over_the_committed_notebook():
    with pytest.raises(ValueError, match="cannot write over the committed notebook"):
        runner.run_notebook(NOTEBOOKS[0], None, {"lang": "en"})
