"""A rerun leaves no product of a previous run behind (a figure moved to another notebook, a CSV no
card names any more), and a failed run leaves the previous products as they were."""

from __future__ import annotations

import json

from modelrace import runner


def _previous_run(root, stem):
    fig = root / "figures" / stem
    fig.mkdir(parents=True)
    for name, csv in (("kept", "kept_csv"), ("moved", "moved_csv")):
        (fig / f"{name}.svg").write_text("<svg/>")
        (fig / f"{name}.json").write_text(json.dumps({"csv": f"data/processed/{csv}.csv"}))
        (root / "data" / "processed").mkdir(parents=True, exist_ok=True)
        (root / "data" / "processed" / f"{csv}.csv").write_text("a\n1\n")
    return fig


def test_products_this_run_no_longer_writes_are_removed(tmp_path):
    fig = _previous_run(tmp_path, "07-x")
    aside = runner._set_products_aside(tmp_path, "07-x")
    assert not fig.exists() and aside.is_dir()
    fig.mkdir()  # the new run writes only "kept"
    (fig / "kept.svg").write_text("<svg/>")
    (fig / "kept.json").write_text(json.dumps({"csv": "data/processed/kept_csv.csv"}))
    runner._drop_stale_products(tmp_path, "07-x", aside)
    assert sorted(p.name for p in fig.iterdir()) == ["kept.json", "kept.svg"]
    assert (tmp_path / "data" / "processed" / "kept_csv.csv").is_file()
    assert not (tmp_path / "data" / "processed" / "moved_csv.csv").exists()
    assert not aside.exists()


def test_a_csv_another_notebook_now_names_is_kept(tmp_path):
    fig = _previous_run(tmp_path, "07-x")
    other = tmp_path / "figures" / "08-y"
    other.mkdir(parents=True)
    (other / "moved.json").write_text(json.dumps({"csv": "data/processed/kept_csv.csv", "extra_csv": ["data/processed/moved_csv.csv"]}))
    aside = runner._set_products_aside(tmp_path, "07-x")
    fig.mkdir()
    runner._drop_stale_products(tmp_path, "07-x", aside)
    assert (tmp_path / "data" / "processed" / "moved_csv.csv").is_file()


def test_a_failed_run_puts_the_previous_products_back(tmp_path):
    fig = _previous_run(tmp_path, "07-x")
    before = sorted(p.name for p in fig.iterdir())
    aside = runner._set_products_aside(tmp_path, "07-x")
    fig.mkdir()
    (fig / "half-written.svg").write_text("<sv")
    runner._restore_products(tmp_path, "07-x", aside)
    assert sorted(p.name for p in fig.iterdir()) == before and not aside.exists()


def test_only_an_explicit_output_root_is_cleaned():
    assert runner._explicit_root(None) is None and runner._explicit_root({"lang": "en"}) is None
    assert runner._explicit_root({"output_root": "build/x"}) == runner.paths.ROOT / "build" / "x"
