"""Strict parameters: names, types from the annotations, accepted values, windows against the data."""

from __future__ import annotations

import json

import pytest

from modelrace import params, runner, snapshots
from modelrace.params import ParameterError

NB01 = "01-openrouter-china-share"


@pytest.fixture(scope="module")
def decl01():
    return params.declared(params.notebook_path("01"))


def test_every_notebook_parameter_has_a_supported_annotation_and_literal_default():
    for nb in runner.notebooks():
        decl = params.declared(nb)
        assert decl, nb.name
        for p in decl.values():
            assert p.type in params.TYPES.values()
            assert type(p.default) is p.type, (nb.name, p.name)
            params.check_value(nb.stem, p, p.default)  # every default is itself accepted


def test_unknown_name_suggests_the_near_miss(decl01):
    with pytest.raises(ParameterError) as err:
        params.validate(NB01, decl01, {"frequncy": "month"})
    msg = str(err.value)
    assert "'frequncy'" in msg and "did you mean 'frequency'" in msg and "\n" not in msg


def test_cli_values_take_the_declared_type_never_a_guess():
    decl03 = params.declared(params.notebook_path("03"))
    assert params.convert("03", decl03["vintage"], "2026") == "2026"  # papermill would make it an int
    decl02 = params.declared(params.notebook_path("02"))
    assert params.convert("02", decl02["top_n"], "5") == 5
    assert params.convert("02", decl02["allow_incomplete"], "true") is True
    with pytest.raises(ParameterError, match="top_n='five' is not an int"):
        params.convert("02", decl02["top_n"], "five")


def test_a_guessed_int_for_a_str_parameter_is_refused_with_the_fix():
    decl03 = params.declared(params.notebook_path("03"))
    with pytest.raises(ParameterError, match=r"vintage=2026 is of type int, not str .*quote it"):
        params.validate("03-hub-labs-over-time", decl03, {"vintage": 2026})


@pytest.mark.parametrize("values, fragment", [
    ({"frequency": "months"}, "did you mean 'month'"),
    ({"definition": "open"}, "accepted: a str, one of 'all-models', 'open-weights-only'"),
    ({"start": "2025-13-01"}, "not an ISO date"),
    ({"start": "2025-06-01", "end": "2025-05-01"}, "end='2025-05-01' is before start='2025-06-01'"),
    ({"lang": "de"}, "one of 'fr', 'en'"),
])
def test_values_outside_the_accepted_set_are_refused(decl01, values, fragment):
    with pytest.raises(ParameterError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        params.validate(NB01, decl01, values)


def test_range_of_an_int_parameter():
    decl02 = params.declared(params.notebook_path("02"))
    with pytest.raises(ParameterError, match="top_n=0 is out of range; accepted: an int, an integer from 1 to 100"):
        params.validate("02-hub-downloads-by-country", decl02, {"top_n": 0})
    with pytest.raises(ParameterError, match="is of type bool"):
        params.validate("02-hub-downloads-by-country", decl02, {"top_n": True})


def test_window_after_the_data_names_the_last_day(decl01):
    full = params.validate(NB01, decl01, {"start": "2027-01-01"})
    with pytest.raises(ParameterError, match=r"start is after the data's last day \(2026-10-09\)"):
        params.check_data(NB01, full)


@pytest.mark.parametrize("start, end, frequency, word", [
    ("2025-03-04", "2025-03-06", "week", "week"),
    ("2025-06-09", "2025-06-21", "week", "week"),  # 2025-06-15 is missing, 06-22 outside
    ("2025-03-04", "2025-03-20", "month", "month"),
])
def test_no_complete_period_in_the_window(decl01, start, end, frequency, word):
    full = params.validate(NB01, decl01, {"start": start, "end": end, "frequency": frequency})
    with pytest.raises(ParameterError, match=f"no complete {word} between {start} and {end}"):
        params.check_data(NB01, full)


def test_a_window_with_one_complete_week_passes(decl01):
    full = params.validate(NB01, decl01, {"start": "2025-03-03", "end": "2025-03-09"})
    params.check_data(NB01, full)


def test_nested_parameter_file_is_refused(tmp_path):
    f = tmp_path / "v.yaml"
    f.write_text("notebook: 01-openrouter-china-share\nparameters:\n  frequency: month\n")
    with pytest.raises(ParameterError, match="flat"):
        params.read_file(f)


def test_variant_files_are_flat_described_and_valid():
    variants = runner.load_variants()
    assert variants
    for v in variants:
        assert v["description"], v["name"]
        plan = runner.prepare(v["notebook"], v["parameters"], output_root=f"build/variants/{v['name']}")
        assert plan["output_root"] == f"build/variants/{v['name']}"


def test_param_hash_is_stable_and_ignores_output_root():
    a = params.param_hash({"top_n": 5, "lang": "fr", "output_root": "x"})
    assert a == params.param_hash({"lang": "fr", "top_n": 5})
    assert a != params.param_hash({"lang": "fr", "top_n": 6})
    assert params.default_output_root("02-x", {"top_n": 5}).startswith("build/runs/02-x/")


def _hub_snapshot(root, complete: bool):
    d = root / "hub" / "2026-01-05"
    d.mkdir(parents=True)
    (d / "models.parquet").write_bytes(b"x")
    manifest = {"complete": complete, "rows": 7,
                "files": {"models.parquet": {"sha256": snapshots.sha256_file(d / "models.parquet"), "bytes": 1}}}
    (d / "manifest.json").write_text(json.dumps(manifest))
    return d


def test_incomplete_snapshot_is_refused_unless_allowed(tmp_path):
    snap = _hub_snapshot(tmp_path, complete=False)
    with pytest.raises(snapshots.SnapshotError, match="incomplete .*allow_incomplete: true"):
        snapshots.resolve_snapshot("hub", "latest", tmp_path)
    assert snapshots.resolve_snapshot("hub", "latest", tmp_path, allow_incomplete=True) == snap
    assert snapshots.label(snap, "en") == "2026-01-05, incomplete snapshot"
    assert snapshots.label(snap, "fr") == "2026-01-05, instantané incomplet"


def test_complete_snapshot_label_is_its_name(tmp_path):
    snap = _hub_snapshot(tmp_path, complete=True)
    assert snapshots.label(snap, "en") == "2026-01-05"


def test_check_data_refuses_an_incomplete_hub_snapshot(tmp_path, monkeypatch):
    snap = _hub_snapshot(tmp_path, complete=False)
    decl02 = params.declared(params.notebook_path("02"))
    full = params.validate("02-hub-downloads-by-country", decl02, {"snapshot": str(snap)})
    with pytest.raises(ParameterError, match="snapshot=.*incomplete"):
        params.check_data("02-hub-downloads-by-country", full)
    full = params.validate("02-hub-downloads-by-country", decl02, {"snapshot": str(snap), "allow_incomplete": True})
    params.check_data("02-hub-downloads-by-country", full)


def test_in_notebook_check_finds_names_papermill_injected(monkeypatch):
    monkeypatch.delenv(params.CANONICAL_ENV, raising=False)
    ns = {"__annotations__": {"lang": str, "output_root": str}, "lang": "fr", "output_root": "",
          "In": ["", "lang: str = 'fr'", "# Parameters\nlnag = \"en\"\n"]}
    with pytest.raises(ParameterError, match="unknown parameter 'lnag' \\(did you mean 'lang'\\?\\)"):
        params.check("00-sources", ns)


def test_in_notebook_output_root(monkeypatch, capsys):
    ns = {"__annotations__": {"lang": str, "output_root": str}, "lang": "fr", "output_root": ""}
    monkeypatch.setenv(params.CANONICAL_ENV, "1")
    assert params.check("00-sources", ns) is None  # the canonical build: the repository
    monkeypatch.delenv(params.CANONICAL_ENV)
    root = params.check("00-sources", ns)
    assert root.endswith(params.default_output_root("00-sources", {"lang": "fr"}))
    assert capsys.readouterr().out == ""  # nbval / JupyterLab: the committed outputs stay comparable
    ns["In"] = ["", "# Parameters\nlang = \"fr\"\n"]
    params.check("00-sources", ns)
    assert "outputs of this run: build/runs/00-sources/" in capsys.readouterr().out
    ns["output_root"] = "build/elsewhere"
    assert params.check("00-sources", ns) == str(params.absolute_root("build/elsewhere"))
