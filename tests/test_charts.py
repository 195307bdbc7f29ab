"""Every chart drawn by modelrace.charts from the committed CSVs, checked the way a reader meets it:
structure (axis labels, legend entries, series), every word in the chart's language, colours that
stay apart under simulated deuteranopia and protanopia, text on bars at WCAG AA contrast."""

from __future__ import annotations

import re
from itertools import combinations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from chart_frames import build, estimate_frame
from modelrace import attribution, charts, colorvision, fmt, palette, plotting, shares
from modelrace.plotting import t

LANGS = ("fr", "en")
EN_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
FR_MONTHS = re.compile(r"(janv\.|févr\.|avr\.|juil\.|sept\.|déc\.|\baoût\b|\bmars\b|\bjuin\b)")


@pytest.fixture(scope="module", params=LANGS)
def built(request):
    figs = build(request.param)
    yield request.param, figs
    for fig in figs.values():
        plt.close(fig)


def texts(fig) -> list[str]:
    """Every string a reader sees on the figure."""
    fig.canvas.draw()
    out = [x.get_text() for x in fig.texts]
    for leg in fig.legends:
        out += [x.get_text() for x in leg.get_texts()]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out += [ax.get_title(loc) for loc in ("left", "center", "right")]
        out += [ax.get_xlabel(), ax.get_ylabel()]
        out += [x.get_text() for x in ax.texts]
        out += [x.get_text() for x in ax.get_xticklabels() + ax.get_yticklabels()]
        if ax.get_legend():
            out += [x.get_text() for x in ax.get_legend().get_texts()]
            out.append(ax.get_legend().get_title().get_text())
    return [s for s in out if s and s.strip()]


def legend_entries(fig) -> list:
    """(label, colour) of every legend entry, figure and axes legends."""
    entries = []
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    for leg in legends:
        for handle, text in zip(leg.legend_handles, leg.get_texts()):
            entries.append((text.get_text(), handle_colour(handle)))
    return entries


def handle_colour(handle):
    if isinstance(handle, Line2D):
        return handle.get_markerfacecolor() if handle.get_marker() not in (None, "None", "") else handle.get_color()
    face = handle.get_facecolor()
    face = face[0] if hasattr(face, "ndim") and face.ndim == 2 else face
    if to_rgba(face)[3] == 0 or to_hex(face) == "#ffffff":  # a hatched patch: its colour is the hatch
        edge = handle.get_edgecolor()
        return edge[0] if hasattr(edge, "ndim") and edge.ndim == 2 else edge
    return face


def drawn_colours(fig) -> list:
    """The categories' colours: the legend's when there is one, else the filled bars'."""
    entries = legend_entries(fig)
    if entries:
        return [c for _, c in entries]
    colours = []
    for ax in fig.axes:
        for p in ax.patches:
            if isinstance(p, Rectangle) and p.get_visible() and to_rgba(p.get_facecolor())[3] > 0:
                colours.append(to_hex(p.get_facecolor(), keep_alpha=True))
    return list(dict.fromkeys(colours))


def other_language_strings(lang: str) -> list[str]:
    """Translation-table strings of the other language that differ from ``lang``'s (long enough to
    be words, not a shared name)."""
    other = "en" if lang == "fr" else "fr"
    table = plotting._table()
    out = []
    for row in table.values():
        if row[other] != row[lang] and len(row[other]) >= 6 and "{" not in row[other]:
            out.append(row[other])
    return out


# --- structure -------------------------------------------------------------------------------------

def test_headline_chart_structure(built):
    lang, figs = built
    fig = figs["china_share_weekly"]
    ax = fig.axes[0]
    assert ax.get_ylabel() == t("nb01_ylabel_share", lang)
    assert ax.get_title(loc="left") == t("nb01_title_share", lang, freq=t("nb01_freq_week", lang))
    labels = [label for label, _ in legend_entries(fig)]
    assert len(labels) <= 5
    assert labels == [t("legend_band_all", lang), t("legend_article", lang), t("legend_report", lang)]
    # events: one numbered marker per release/market event in view, each explained in the key
    events = attribution.load_events()
    xmin, xmax = (pd.Timestamp(x, unit="D") for x in ax.get_xlim())
    expected = events.loc[events["kind"].isin(("release", "market")) & events["date"].between(xmin, xmax)]
    rail = fig.axes[1]
    numbers = [x.get_text() for x in rail.texts]
    assert numbers == [str(i) for i in range(1, len(expected) + 1)]
    key_text = " ".join(x.get_text() for x in fig.texts)
    column = "event_fr" if lang == "fr" else "event_en"
    for text in expected[column]:
        assert text.split()[0] in key_text
    # every number on the y axis is a percentage in the chart's language
    ticks = [x.get_text() for x in ax.get_yticklabels() if x.get_text()]
    assert all(s.endswith("\u202f%") for s in ticks) if lang == "fr" else all(s.endswith("%") and "\u202f" not in s for s in ticks)


def test_headline_chart_with_an_estimate(built):
    lang, _ = built
    est = estimate_frame()
    periods = pd.DataFrame({"period_start": pd.date_range("2025-01-06", periods=10, freq="7D"),
                            "china_share_low": 0.05, "china_share_high": 0.06})
    fig = charts.china_share(periods, lang, credit="Source: x", events=attribution.load_events(), estimate=est)
    ax = fig.axes[0]
    labels = [label for label, _ in legend_entries(fig)]
    assert t("legend_estimate", lang) in labels and len(labels) <= 5
    assert pd.Timestamp(ax.get_xlim()[0], unit="D") <= est["week_start"].min()
    est_lines = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == palette.ESTIMATE]
    assert est_lines and all(ln.get_linestyle() != "-" for ln in est_lines), "the estimate is never a solid line"
    hatched = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_hatch()]
    assert hatched, "the estimate is drawn hatched"
    d, pair, vision = colorvision.min_delta_e(drawn_colours(fig))
    assert d >= palette.MIN_DELTA_E, f"estimate chart: {pair} only ΔE00 {d:.1f} apart under {vision}"
    plt.close(fig)


def test_bad_estimate_is_refused():
    est = estimate_frame().drop(columns="china_share_est_high")
    periods = pd.DataFrame({"period_start": pd.date_range("2025-01-06", periods=3, freq="7D"),
                            "china_share_low": 0.05, "china_share_high": 0.06})
    with pytest.raises(ValueError, match="china_share_est_high"):
        charts.china_share(periods, "fr", credit="x", estimate=est)
    est = estimate_frame()
    est.loc[2, "china_share_est_low"] = 5.0  # a percentage where a fraction belongs
    with pytest.raises(ValueError, match="fractions"):
        charts.china_share(periods, "fr", credit="x", estimate=est)


def test_series_and_legends_match_the_data(built):
    lang, figs = built
    import chart_frames as cf

    labs = cf._weekly("openrouter_china_labs_weekly")
    assert len(legend_entries(figs["china_labs_weekly"])) == labs["lab"].nunique()
    assert len(legend_entries(figs["open_closed_weekly"])) == len(shares.OPENNESS)
    top = cf._csv("openrouter_top15_models")
    ax = figs["top15_models"].axes[0]
    assert len(ax.patches) == len(top) and len(ax.get_yticklabels()) == len(top)
    assert ax.get_xlabel() == t("nb01_xlabel_top", lang)
    assert not any("/" in x.get_text() for x in ax.get_yticklabels()), "OpenRouter ids are not readable names"
    assert len(figs["weekly_new_models"].axes[0].get_lines()) == cf._csv("hub_weekly_new_models")["group"].nunique()
    assert figs["top_models"].axes[0].get_xlabel() == t("nb02_xlabel_pinned", lang)
    hub = [x.get_text() for x in figs["top_models"].axes[0].get_yticklabels()]
    assert "unslothai/1" not in hub and len(hub) == 20


def test_one_name_per_group_across_charts(built):
    """Each group is named the same in every chart (no "North America" beside "United States")."""
    lang, figs = built
    names = {label for fig in figs.values() for label, _ in legend_entries(fig)}
    names |= {x for fig in figs.values() for ax in fig.axes for x in (y.get_text() for y in ax.get_yticklabels())}
    assert "Amérique du Nord" not in names and "North America" not in names
    for group in palette.GROUPS:
        label = t(f"group_{group}", lang)
        variants = {n for n in names if n == label or n.startswith(label + " ")}
        assert variants <= {label} | {n for n in names if n.startswith(label + " (")}


def test_every_string_in_the_charts_language(built):
    lang, figs = built
    foreign = other_language_strings(lang)
    months = EN_MONTHS if lang == "fr" else FR_MONTHS
    for name, fig in figs.items():
        for s in texts(fig):
            for phrase in foreign:  # whole words only: "monthly" inside an identifier is not prose
                found = re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", s)
                assert not found, f"{name} ({lang}): {phrase!r} from the other language in {s!r}"
            if name != "china_share_weekly" or lang == "en":  # event texts may name a model like 'Kimi K2'
                assert not months.search(s), f"{name} ({lang}): month of the other language in {s!r}"
    assert not any("Market drop" in s for s in texts(figs["china_share_weekly"])) or lang == "en"


# --- colour ----------------------------------------------------------------------------------------

def test_categories_drawn_together_stay_apart_for_dichromats(built):
    lang, figs = built
    report = {}
    for name, fig in figs.items():
        colours = drawn_colours(fig)
        if len(set(map(to_hex, colours))) < 2:
            continue
        d, pair, vision = colorvision.min_delta_e(colours)
        report[name] = round(d, 1)
        assert d >= palette.MIN_DELTA_E, f"{name}: {pair} only ΔE00 {d:.1f} apart under {vision}"
    assert len(report) >= 12


def test_text_on_bars_meets_wcag_aa(built):
    lang, figs = built
    checked = 0
    for name, fig in figs.items():
        fig.canvas.draw()
        for ax in fig.axes:
            bars = [p for p in ax.patches if isinstance(p, Rectangle) and to_rgba(p.get_facecolor())[3] > 0]
            for text in ax.texts:
                if not text.get_text():
                    continue
                box = text.get_window_extent()
                x, y = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
                under = [p for p in bars if p.contains_point((x, y))]
                if text.get_bbox_patch() is not None:
                    under = [text.get_bbox_patch()]
                if not under:
                    continue
                ratio = colorvision.contrast(text.get_color(), under[-1].get_facecolor())
                checked += 1
                assert ratio >= palette.MIN_CONTRAST, f"{name}: {text.get_text()!r} at {ratio:.2f}:1"
    assert checked > 40  # verdict boxes, shares on stacked bars, event numbers


def test_chinese_labs_above_the_threshold_get_their_own_colour():
    import chart_frames as cf

    labs = cf._weekly("openrouter_china_labs_weekly")
    pooled = labs.loc[labs["lab"] == shares.OTHER_CHINESE_LABS]
    assert not pooled.empty
    named = [lab for lab in labs["lab"].unique() if lab != shares.OTHER_CHINESE_LABS]
    assert set(shares.NAMED_CHINESE_LABS) <= set(named)
    extra = [lab for lab in named if lab not in shares.NAMED_CHINESE_LABS]
    for lab in extra:  # every extra lab is there because it crossed the threshold in some week
        assert labs.loc[labs["lab"] == lab, "share"].max() > shares.OWN_COLOUR_SHARE
    colours = palette.categorical(list(labs["lab"].unique()), grey=(shares.OTHER_CHINESE_LABS,))
    assert len(set(colours[lab] for lab in named)) == len(named)


# --- OpenRouter before 2025 (notebook 06) and the Hub's dated counts (notebook 04) ------------------

def _marker_lines(ax, marker: str) -> list[Line2D]:
    return [ln for ln in ax.get_lines() if ln.get_marker() == marker and ln.get_linestyle() in ("None", "none", "")]


def test_estimate_chart_structure(built):
    lang, figs = built
    import chart_frames as cf

    fig = figs["china_share_estimate_weekly"]
    ax = fig.axes[0]
    est = cf._csv("openrouter_china_share_estimate_weekly", ["week_start"])
    assert ax.get_title(loc="left") == t("nb06_title_estimate", lang)
    assert ax.get_ylabel() == t("nb06_ylabel_share", lang)
    assert [label for label, _ in legend_entries(fig)] == [t("nb06_label_estimate", lang), t("nb06_label_measured", lang),
                                                           t("legend_article", lang)]
    assert pd.Timestamp(ax.get_xlim()[0], unit="D") == est["week_start"].min(), "the chart starts at the estimate's first week"
    est_lines = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == palette.ESTIMATE]
    assert len(est_lines) == 2 and all(ln.get_linestyle() != "-" for ln in est_lines), "the estimate is never a solid line"
    hatched = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_hatch()]
    assert len(hatched) == 1 and to_hex(hatched[0].get_edgecolor()[0]) == palette.ESTIMATE
    # the article's December 2024 point is on the chart, labelled in the chart's language
    point = shares.ARTICLE_POINTS[0]
    assert any(pd.Timestamp(ln.get_xdata()[0]) == pd.Timestamp(point.date) and ln.get_ydata()[0] == point.value
               for ln in _marker_lines(ax, "o"))
    assert t(point.label_key, lang, value=fmt.pct(point.value, lang, point.digits)) in texts(fig)
    assert t("nb06_note_api_start", lang) in texts(fig)


def test_backtest_chart_structure_and_legend_styles(built):
    lang, figs = built
    import chart_frames as cf

    fig = figs["estimate_backtest"]
    ax = fig.axes[0]
    bt = cf._csv("openrouter_estimate_backtest", ["week_start"])
    inside = bt["inside"].astype(bool)
    # one hatched, unfilled column per week
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert len(bars) == len(bt) and all(to_rgba(p.get_facecolor())[3] == 0 for p in bars)
    # the legend shows the real styles: a hatched patch, a dark dot, a magenta cross (not three rectangles)
    leg = fig.legends[0]
    labels = [x.get_text() for x in leg.get_texts()]
    assert labels == [t("nb06_label_backtest_band", lang), t("nb06_label_backtest_inside", lang), t("nb06_label_backtest_miss", lang)]
    band, dot, cross = leg.legend_handles
    assert band.get_hatch() and to_hex(band.get_edgecolor()) == palette.ESTIMATE
    assert (dot.get_marker(), cross.get_marker()) == ("o", "X")
    assert to_hex(dot.get_color()) == palette.CHECK["measured"] and to_hex(cross.get_color()) == palette.CHECK["miss"]
    # the drawn marks match the legend: a dot per week inside, a cross per week outside
    assert sum(len(ln.get_xdata()) for ln in _marker_lines(ax, "o")) == int(inside.sum())
    assert sum(len(ln.get_xdata()) for ln in _marker_lines(ax, "X")) == int((~inside).sum())
    # each miss says by how much, computed here from the CSV's band edges
    miss = pd.concat([bt["est_low"] - bt["true_share_low"], bt["true_share_high"] - bt["est_high"]], axis=1).max(axis=1)
    labels_on_chart = [x.get_text() for x in ax.texts if to_hex(x.get_color()) == palette.CHECK["miss"]]
    expected = [t("nb06_label_miss_by", lang, value=fmt.points(m, lang, 2)) for m in miss[~inside]]
    assert sorted(labels_on_chart) == sorted(expected)
    assert (miss[inside] <= 1e-12).all() and (miss[~inside] > 0).all(), "the CSV's 'inside' agrees with its band edges"
    subtitle = t("nb06_subtitle_backtest", lang, inside=fmt.num(int(inside.sum()), lang), weeks=fmt.num(len(bt), lang),
                 share=fmt.pct(inside.mean(), lang, 0))
    assert subtitle in texts(fig)


def test_crosscheck_chart_structure(built):
    lang, figs = built
    import chart_frames as cf
    from modelrace import crosscheck

    fig = figs["crosscheck_rankings_page"]
    ax = fig.axes[0]
    xc = cf._csv("openrouter_crosscheck_rankings_page", ["week_start"])
    ok = (xc["ratio"] - 1).abs() <= crosscheck.TOLERANCE
    assert 0 < ok.sum() < len(xc)
    assert sum(len(ln.get_xdata()) for ln in _marker_lines(ax, "o")) == int(ok.sum())
    assert sum(len(ln.get_xdata()) for ln in _marker_lines(ax, "X")) == int((~ok).sum())
    ratios = [x.get_text() for x in ax.texts if to_hex(x.get_color()) == palette.CHECK["miss"]]
    assert sorted(ratios) == sorted(fmt.signed_pct(r - 1, lang, 1) for r in xc.loc[~ok, "ratio"])
    tol = fmt.pct(crosscheck.TOLERANCE, lang, 0)
    assert [label for label, _ in legend_entries(fig)] == [t("nb06_label_tolerance", lang, tol=tol), t("nb06_label_agree", lang, tol=tol),
                                                           t("nb06_label_disagree", lang, tol=tol)]
    assert ax.get_ylabel() == t("nb06_ylabel_ratio", lang)
    ticks = [x.get_text() for x in ax.get_yticklabels() if x.get_text()]
    assert ticks and all(("," in s) == (lang == "fr") for s in ticks)


def test_hub_counts_drawn_over_the_partial_series(built):
    lang, figs = built
    from modelrace import hubcounts

    fig = figs["hub_cumulative"]
    ax = fig.axes[0]
    counts = hubcounts.load_counts()
    labels = [label for label, _ in legend_entries(fig)]
    assert labels[0] == t("nb04_label_partial_under", lang), "the partial series is labelled as undercounting"
    assert ax.get_title(loc="left").strip() == t("nb04_title_counts", lang) and t("nb04_subtitle_counts", lang) in texts(fig)
    for kind in counts["kind"].unique():  # one legend entry and one marker shape per kind of source
        assert t(f"nb04_kind_{kind}", lang) in labels
        drawn = _marker_lines(ax, palette.HUB_COUNT_MARKERS[kind])
        assert sum(len(ln.get_xdata()) for ln in drawn) == int((counts["kind"] == kind).sum())
        assert all(to_hex(ln.get_color()) == palette.HUB_COUNTS for ln in drawn)
    assert len(set(palette.HUB_COUNT_MARKERS.values())) == len(palette.HUB_COUNT_MARKERS)
    partial = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and ln.get_marker() in ("None", "", None)]
    assert [to_hex(ln.get_color()) for ln in partial] == [palette.HUB_PARTIAL]
    on_chart = " ".join(texts(fig))
    for r in counts.itertuples():  # every count labelled with its value and date in the chart's language
        assert fmt.big(r.models, lang, 2, unit="M") in on_chart and fmt.day(r.date, lang) in on_chart
    top = ax.get_ylim()[1]
    assert top >= counts["models"].max(), "every count is inside the axes"


def test_pre2025_charts_refuse_bad_frames():
    import chart_frames as cf

    bt = cf._csv("openrouter_estimate_backtest", ["week_start"])
    with pytest.raises(ValueError, match="est_high"):
        charts.estimate_backtest(bt.drop(columns="est_high"), "fr", credit="x")
    xc = cf._csv("openrouter_crosscheck_rankings_page", ["week_start"])
    with pytest.raises(ValueError, match="tolerance"):
        charts.crosscheck_totals(xc, "fr", credit="x", tolerance=1)
    counts = pd.DataFrame({"date": pd.to_datetime(["2025-01-01"]), "models": [2_000_000], "kind": ["rumour"]})
    with pytest.raises(ValueError, match="rumour"):
        charts.hub_cumulative(cf._csv("hub_growth_cumulative", ["month"]), "fr", credit="x", article_level=2_000_000, counts=counts)
    plt.close("all")


def test_every_committed_figure_is_checked_here(built):
    """The structure, language, colour and typography checks run on every committed figure: a new
    figure that ``chart_frames.build`` does not draw fails here, not silently."""
    from modelrace import paths

    _, figs = built
    committed = {p.stem for p in (paths.ROOT / "figures").glob("*/*.svg")}
    assert committed and committed <= set(figs), f"not drawn by tests/chart_frames.py: {sorted(committed - set(figs))}"
