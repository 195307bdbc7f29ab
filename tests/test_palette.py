"""The one palette: every fixed set is colour-blind-safe and every fill carries readable text."""

from __future__ import annotations

import pytest

from modelrace import colorvision, palette

SETS = {
    "groups": list(palette.GROUPS.values()),
    "openness": list(palette.OPENNESS.values()),
    "verdicts": list(palette.VERDICTS.values()),
    "categorical + greys": list(palette.CATEGORICAL) + [palette.UNATTRIBUTED_GREY],
    # notebook 06: the backtest (estimate hatch, measured dot, miss cross) and the cross-check
    "backtest": [palette.ESTIMATE, palette.CHECK["measured"], palette.CHECK["miss"]],
    "cross-check": [palette.CHECK["agree"], palette.CHECK["miss"], palette.CHECK["tolerance"]],
    # notebook 04: the partial series, the article's level, the dated counts
    "hub counts": [palette.HUB_PARTIAL, palette.ARTICLE, palette.HUB_COUNTS],
}


@pytest.mark.parametrize("name", SETS)
def test_every_set_is_distinguishable_under_deuteranopia_and_protanopia(name):
    d, pair, vision = colorvision.min_delta_e(SETS[name])
    assert d >= palette.MIN_DELTA_E, f"{name}: {pair} only ΔE00 {d:.1f} apart under {vision}"


def test_the_threshold_accepts_okabe_ito_and_rejects_tab10():
    okabe_ito = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
    tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    assert colorvision.min_delta_e(okabe_ito)[0] >= palette.MIN_DELTA_E
    assert colorvision.min_delta_e(tab10)[0] < palette.MIN_DELTA_E


@pytest.mark.parametrize("fill", sorted({c for s in SETS.values() for c in s} | {palette.EVENT}))
def test_ink_on_every_fill_meets_wcag_aa(fill):
    assert colorvision.contrast(palette.ink(fill), fill) >= palette.MIN_CONTRAST


def test_categorical_refuses_more_categories_than_colours():
    keys = [f"lab{i}" for i in range(len(palette.CATEGORICAL) + 1)]
    with pytest.raises(ValueError, match="pool"):
        palette.categorical(keys)
    colours = palette.categorical(keys[:-1] + ["other"], grey=("other",))
    assert colours["other"] == palette.UNATTRIBUTED_GREY and len(set(colours.values())) == len(colours)
