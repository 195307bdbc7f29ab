"""Colour science used by the palette tests, checked against published reference values."""

from __future__ import annotations

import pytest

from modelrace import colorvision as cv

# Sharma, Wu & Dalal (2005), Table 1: CIELAB pairs and their CIEDE2000 difference.
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.5, 0.0), (50.0, 0.0, -2.5), 4.3065),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA)
def test_ciede2000_matches_sharma_reference_pairs(lab1, lab2, expected):
    assert cv.ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert cv.ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_lab_of_white_and_black():
    assert cv.lab(cv.rgb("white")) == pytest.approx([100, 0, 0], abs=0.05)
    assert cv.lab(cv.rgb("black")) == pytest.approx([0, 0, 0], abs=0.05)


def test_simulation_confuses_what_dichromats_confuse_and_keeps_greys():
    # matplotlib's default orange and green are a known protan/deutan confusion pair
    assert cv.delta_e("#ff7f0e", "#2ca02c") > 30
    assert cv.delta_e("#ff7f0e", "#2ca02c", "protanopia") < 5
    assert cv.delta_e("#ff7f0e", "#2ca02c", "deuteranopia") < cv.delta_e("#ff7f0e", "#2ca02c") / 2
    # blue and orange stay apart for every vision
    assert min(cv.delta_e("#1f5fa8", "#ffbf20", v) for v in cv.VISIONS) > 40
    for grey in ("#808080", "#ffffff", "#000000"):  # the matrices keep neutrals neutral
        assert cv.simulate(grey, "deuteranopia") == pytest.approx(cv.rgb(grey), abs=0.01)
    with pytest.raises(ValueError):
        cv.simulate("red", "tetrachromacy")


def test_wcag_contrast_reference_values():
    assert cv.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert cv.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-failing grey
    assert cv.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_alpha_is_composited_over_white():
    assert cv.rgb((1, 0, 0, 0.5)) == pytest.approx([1, 0.5, 0.5])
