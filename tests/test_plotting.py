"""One theme, translations, and byte-identical figure export with the CSV behind it."""

from __future__ import annotations

import csv

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from modelrace import plotting


def _figure():
    plotting.set_theme()
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [0.1, 0.4, 0.2], label="a")
    ax.set_title("Titre")
    ax.legend()
    return fig


def _export(fig, root, lang="fr"):
    data = pd.DataFrame({"x": [1, 2, 3], "y": [0.1, 0.4, 0.2]})
    return plotting.export(
        fig, "demo", notebook="99-test", data=data, csv_name="demo", caption_fr="Légende", caption_en="Caption",
        credit="Source: test", lang=lang, output_root=root,
    )


def test_export_is_byte_identical_on_rerun(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    _export(_figure(), a)
    _export(_figure(), b)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert [str(p) for p in files_a] == [
        "data/processed/demo.csv", "figures/99-test/demo.json", "figures/99-test/demo.png", "figures/99-test/demo.svg",
    ]
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_export_strips_metadata_and_puts_credit_on_figure(tmp_path):
    _export(_figure(), tmp_path)
    svg = (tmp_path / "figures/99-test/demo.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    png = (tmp_path / "figures/99-test/demo.png").read_bytes()
    assert b"Software" not in png
    # the credit text is drawn as paths (svg.fonttype=path); its presence shows in the figure texts
    fig = _figure()
    _export(fig, tmp_path / "c")
    assert any(t.get_text() == "Source: test" for t in fig.texts)


def test_export_writes_the_csv_behind_the_figure(tmp_path):
    _export(_figure(), tmp_path)
    rows = list(csv.DictReader(open(tmp_path / "data/processed/demo.csv")))
    assert rows == [{"x": "1", "y": "0.1"}, {"x": "2", "y": "0.4"}, {"x": "3", "y": "0.2"}]


def test_unchanged_export_keeps_mtime(tmp_path):
    _export(_figure(), tmp_path)
    svg = tmp_path / "figures/99-test/demo.svg"
    before = svg.stat().st_mtime_ns
    _export(_figure(), tmp_path)
    assert svg.stat().st_mtime_ns == before


def test_export_requires_a_credit(tmp_path):
    with pytest.raises(ValueError, match="credit"):
        plotting.export(_figure(), "x", notebook="n", data=pd.DataFrame(), csv_name="x", caption_fr="a",
                        caption_en="b", credit="", output_root=tmp_path)


def test_translation_table_is_complete_and_lookup_fails_loudly():
    assert plotting.t("sources_xlabel", "fr") != plotting.t("sources_xlabel", "en")
    with pytest.raises(plotting.TranslationError):
        plotting.t("no-such-key")
    with pytest.raises(ValueError):
        plotting.t("sources_xlabel", "de")


def test_cards_number_figures_in_first_export_order(tmp_path):
    """The site orders a notebook's figures by the card's ``order``; a re-export keeps its number."""
    import json

    data = pd.DataFrame({"x": [1]})
    kw = dict(notebook="98-order", data=data, csv_name="o", caption_fr="a", caption_en="b", credit="Source: t",
              output_root=tmp_path)
    for name in ("zeta", "alpha", "zeta"):
        plotting.export(_figure(), name, **kw)
    order = {n: json.loads((tmp_path / f"figures/98-order/{n}.json").read_text())["order"] for n in ("zeta", "alpha")}
    assert order == {"zeta": 1, "alpha": 2}


def test_extra_tables_drawn_on_a_figure_are_written_and_named_in_its_card(tmp_path):
    import json

    import matplotlib.pyplot as plt
    import pandas as pd

    from modelrace import plotting

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    out = plotting.export(fig, "f", notebook="99-x", data=pd.DataFrame({"a": [1]}), csv_name="main", caption_fr="c",
                          caption_en="c", credit="Source : test", output_root=tmp_path,
                          extra_data={"points": pd.DataFrame({"b": [2]})})
    card = json.loads((tmp_path / out["card"]).read_text())
    assert card["extra_csv"] == ["data/processed/points.csv"]
    assert (tmp_path / "data" / "processed" / "points.csv").read_text() == "b\n2\n"
