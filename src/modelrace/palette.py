"""The collection's one palette: every colour a chart draws comes from here.

Why: a country group must keep its colour from chart to chart, and categories drawn together
must stay apart for readers with a red-green colour-vision deficiency. Every set below was
chosen (and is tested, ``tests/test_palette.py`` and ``tests/test_charts.py``) so that, under
normal vision and simulated deuteranopia and protanopia (Machado et al. 2009, severity 1), any two
colours drawn in the same figure are at least :data:`MIN_DELTA_E` apart in CIEDE2000
(:mod:`modelrace.colorvision`).

Why 10: CIEDE2000 ≈ 1 is a just-noticeable difference between two large patches side by side;
telling categories apart across a legend and a chart, on small marks, thin lines and uncalibrated
screens needs a wide margin above that. The Okabe–Ito palette, the usual reference for
colour-blind-safe charts, scores a minimum of 11.6 in this simulation and the matplotlib default
``tab10`` 1.3 (its orange and green under protanopia); 10 accepts the former, rejects the latter.

Decisions:
- Country groups have fixed colours (:data:`GROUPS`): China red, United States blue, Europe
  green, rest of the world amber, individuals lilac; "Unattributed" and "Other (outside top 50)"
  are greys, so what cannot be attributed never looks like a group.
- Labs and tasks take colours from :data:`CATEGORICAL` in the order the chart lists them (a lab's
  group is said in its label, not by shades of one hue: six blues cannot be told apart). The
  sequence was grown greedily, each colour maximising its smallest distance to the ones before it
  and to the greys, over the three visions; more categories than it holds is an error, not a
  silent reuse of a colour.
- Text on a filled mark takes :func:`ink`, the darker or the white ink whichever contrasts more;
  every fill here gives at least 4.5:1 (WCAG AA), which the tests check on every bar label.
"""

from __future__ import annotations

from . import colorvision

MIN_DELTA_E = 10.0
MIN_CONTRAST = 4.5  # WCAG 2.x AA, normal-size text
DARK_INK = "#111111"
LIGHT_INK = "#ffffff"
TEXT_GREY = "#4d4d4d"  # secondary text (credits, notes): 8.5:1 on white

UNATTRIBUTED_GREY = "#a6a6a6"
OTHER_GREY = "#dcdcdc"

GROUPS = {
    "China": "#c0392b",
    "United States": "#1f5fa8",
    "Europe": "#2e9e6e",
    "Rest of the world": "#f2b01e",
    "Individual": "#b07cd8",
    "Unattributed": UNATTRIBUTED_GREY,
    "Other (outside top 50)": OTHER_GREY,
}
# aiWorld's regions drawn with the group they stand for ("North America" is drawn as the US).
REGIONS = {"China": GROUPS["China"], "North America": GROUPS["United States"], "Europe": GROUPS["Europe"]}

OPENNESS = {
    "open": "#2e9e6e",
    "closed": "#4040bf",
    "weights_unknown": "#f2b01e",
    "unattributed": UNATTRIBUTED_GREY,
    "other": OTHER_GREY,
}

VERDICTS = {
    "supported": "#1f7a4d",
    "partly supported": "#f2c14e",
    "contradicted": "#b2182b",
    "not checkable with the pinned data": "#c8c8c8",
}

# The two-definitions chart: open-weight band hatched in indigo inside the red band, the gap amber.
DEFINITION_OPEN = "#2b2b80"
DEFINITION_GAP = "#f2b01e"

CHECKSUM = {"verified": GROUPS["Europe"], "mismatch": GROUPS["China"]}

# Grown greedily (see the module docstring); every prefix keeps ΔE00 >= 11.9 with the greys.
CATEGORICAL = (
    "#4040bf",  # indigo
    "#ffbf20",  # amber
    "#c0392b",  # red
    "#bf80ff",  # lilac
    "#406060",  # slate
    "#ff6060",  # coral
    "#dfbfff",  # pale lilac
    "#40df9f",  # mint
    "#bf609f",  # mauve
    "#9f40ff",  # violet
)

# The published figures drawn beside ours.
ARTICLE = "#111111"
REPORT = "#6b6b6b"
ESTIMATE = "#7a4a00"  # the pre-2025 estimate's hatch and outline (issue 11): brown, not China red
EVENT = "#4d4d4d"

# Checks of an estimate or a copy against a measurement (notebook 06): agreement green, a miss
# magenta (not China red, which the estimate's brown hatch sits beside), the tolerance a pale green.
# The measured value in the backtest is dark ink: the band around it is the estimate's brown.
CHECK = {"agree": "#1f7a4d", "miss": "#c51b7d", "tolerance": "#d4ecdc", "measured": DARK_INK}

# The Hub's size (notebook 04): dated counts of all public models in orange, one marker shape per
# kind of source; the partial series (models with a task tag) stays the blue line it always was.
HUB_COUNTS = "#e69f00"
HUB_PARTIAL = GROUPS["United States"]
HUB_COUNT_MARKERS = {"announcement": "s", "paper": "D", "dataset": "o", "listing": "^"}


def categorical(keys, *, grey: tuple = ()) -> dict:
    """{key: colour} in order from :data:`CATEGORICAL`; keys listed in ``grey`` get the grey.

    More keys than the sequence holds is an error: pool the smallest ones instead.
    """
    keys = list(dict.fromkeys(keys))
    coloured = [k for k in keys if k not in grey]
    if len(coloured) > len(CATEGORICAL):
        raise ValueError(f"{len(coloured)} categories to colour, the palette holds {len(CATEGORICAL)} "
                         "distinguishable colours: pool the smallest categories into an 'other' one")
    it = iter(CATEGORICAL)
    return {k: (UNATTRIBUTED_GREY if k in grey else next(it)) for k in keys}


def group(name: str) -> str:
    if name not in GROUPS:
        raise KeyError(f"no colour for group {name!r}; groups are {list(GROUPS)}")
    return GROUPS[name]


def ink(fill) -> str:
    """The text colour for a label drawn on ``fill``: dark or white, whichever contrasts more."""
    dark, light = colorvision.contrast(DARK_INK, fill), colorvision.contrast(LIGHT_INK, fill)
    return DARK_INK if dark >= light else LIGHT_INK
