"""Number typography of every committed figure, read from the SVG itself.

With ``svg.fonttype = "path"`` matplotlib draws glyphs as paths but writes each string it draws
into the file as an XML comment (``<!-- 13,0 % -->``), so the text a reader sees can be checked
without rendering. French figures must not carry English number formatting (``11.5%``, ``35,000``,
``2.0M``) and English figures not French (``13,0 %``, narrow no-break spaces). The committed
figures are French (the default run); the English ones are drawn here from the same CSVs.
"""

from __future__ import annotations

import html
import io
import json
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from chart_frames import build
from modelrace import attribution, paths, plotting

N = "\u202f"
# a number's digits: not part of a name or version ("Qwen2.5", "GPT-4.1", "Kokoro-82M", "FLUX.1")
NUM = r"(?<![\w.\-/])\d+"
RULES = {
    "fr": {
        "decimal point": re.compile(NUM + r"\.\d+(?![\w.])"),
        "comma thousands": re.compile(NUM + r",\d{3}(?!\d)"),
        "percent without a narrow no-break space": re.compile(NUM + r"(?:,\d+)?(?:%| %|\u00a0%)"),
        "unit without a narrow no-break space": re.compile(NUM + r"(?:,\d+)?(?: ?)(?:k|M|Md|pt)(?![\w])"),
        "plain-space thousands": re.compile(NUM + r" \d{3}(?!\d)"),
    },
    "en": {
        "narrow no-break space": re.compile(N),
        "decimal comma": re.compile(NUM + r",\d{1,2}(?!\d)"),
        "space before percent": re.compile(r"\d[ \u00a0]%"),
        "space-separated thousands": re.compile(NUM + r"[ \u00a0]\d{3}(?!\d)"),
    },
}


def svg_strings(svg: str) -> list[str]:
    return [html.unescape(s) for s in re.findall(r"<!-- (.*?) -->", svg, flags=re.S)]


def _names() -> list[str]:
    """Model display names and event texts: proper names whose versions ("Gemini 2.5") are not numbers."""
    names = list(attribution.load_model_names()["display_name"])
    return sorted(names, key=len, reverse=True)


def violations(strings: list[str], lang: str) -> list[str]:
    names = _names()
    found = []
    for s in strings:
        text = s
        for name in names:
            text = text.replace(name, " ")
        for rule, pattern in RULES[lang].items():
            if pattern.search(text):
                found.append(f"{rule}: {s!r}")
    return found


def committed_svgs():
    return sorted((paths.ROOT / "figures").glob("*/*.svg"))


def test_the_checker_catches_both_directions():
    assert violations(["11.5%", "0.89 M"], "fr") and violations(["70%"], "fr") and violations(["35,000"], "fr")
    assert violations([f"13,0{N}%"], "en") and violations(["35 000"], "en") and violations(["0,64 pt"], "fr")
    assert not violations([f"13,0{N}%", f"35{N}000", f"2,0{N}M", f"0,64{N}pt", "Qwen2.5-VL-3B", "GPT-4.1 mini", "Gemini 2.5 Flash"], "fr")
    assert not violations(["13.0%", "35,000", "2.0M", "Kokoro-82M", "DeepSeek V3 0324"], "en")


def test_svgs_carry_their_text_as_comments():
    svgs = committed_svgs()
    assert len(svgs) >= 15
    for svg in svgs:
        strings = svg_strings(svg.read_text(encoding="utf-8"))
        assert strings, f"{svg}: no text comments (is svg.fonttype still 'path'?)"


@pytest.mark.parametrize("svg", committed_svgs(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_committed_figure_typography(svg):
    lang = json.loads(svg.with_suffix(".json").read_text(encoding="utf-8"))["lang"]
    bad = violations(svg_strings(svg.read_text(encoding="utf-8")), lang)
    assert not bad, f"{svg.relative_to(paths.ROOT)} ({lang}):\n" + "\n".join(bad)


def test_english_figures_typography():
    figs = build("en")
    try:
        for name, fig in figs.items():
            plotting.set_theme()
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight")
            bad = violations(svg_strings(buf.getvalue()), "en")
            assert not bad, f"{name} (en):\n" + "\n".join(bad)
    finally:
        for fig in figs.values():
            plt.close(fig)


def test_committed_csv_ids_are_kept():
    top = pd.read_csv(paths.ROOT / "data/processed/openrouter_top15_models.csv")
    assert top["model_permaslug"].str.contains("/").all() and "display_name" in top.columns
