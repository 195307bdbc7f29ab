"""The pieces every chart shares: figure and titles, share axes, the band, the published points,
the numbered events rail and its key, the legend strip, the credit line, labels on bars.

Why in one place: the headline chart and the definitions chart draw the same band and the same
published points; every chart ends with a legend strip and a credit line under it. Written once,
they look the same everywhere and a fix lands everywhere.

Layout: figures use matplotlib's constrained layout for the axes and ``fig.legend(loc="outside
lower center")`` for the legend strip; blocks drawn under it (the events key, the credit line) are
placed after measuring the drawn figure (:func:`place_below`), so nothing overlaps whatever the
label lengths. :func:`modelrace.plotting.export` saves with ``bbox_inches="tight"``.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import fmt, palette, plotting
from ..plotting import t

TITLE_SIZE = 13
SUBTITLE_SIZE = 10
TEXT_SIZE = 9.5
SMALL_SIZE = 8.5
CREDIT_SIZE = 8


def figure(width: float, height: float, *, nrows: int = 1, height_ratios=None, sharex: bool = False):
    """A figure in the collection's theme with constrained layout; returns (fig, ax or axes)."""
    plotting.set_theme()
    fig, axes = plt.subplots(nrows, 1, figsize=(width, height), layout="constrained", sharex=sharex,
                             gridspec_kw={"height_ratios": height_ratios} if height_ratios else None)
    fig.get_layout_engine().set(h_pad=0.06, w_pad=0.06)
    return fig, axes


def title(ax, text: str, subtitle: str | None = None) -> None:
    """Title on the left; an optional grey subtitle under it (inside the title's room)."""
    if subtitle:
        ax.set_title(f"{text}\n", fontsize=TITLE_SIZE, fontweight="bold", loc="left")
        ax.text(0, 1.015, subtitle, transform=ax.transAxes, fontsize=SUBTITLE_SIZE, color=palette.TEXT_GREY,
                ha="left", va="bottom")
    else:
        ax.set_title(text, fontsize=TITLE_SIZE, fontweight="bold", loc="left")


def share_axis(ax, lang: str, axis: str = "y", digits: int = 0) -> None:
    """Tick labels of fractions as percentages in ``lang`` ("30 %" / "30%")."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt.pct_formatter(lang, digits))


def group_label(group: str, lang: str) -> str:
    """The one name of a country group (or category) in ``lang``, the same in every notebook."""
    return t(f"group_{group}", lang)


def step_of(frequency: str):
    if frequency == "week":
        return pd.Timedelta(days=7)
    if frequency == "month":
        return pd.DateOffset(months=1)
    raise ValueError(f"frequency must be 'week' or 'month', not {frequency!r}")


def closed_steps(frame: pd.DataFrame, x: str, step) -> pd.DataFrame:
    """Repeat the last row one step later, so a ``where='post'`` step draws the last period in full."""
    if frame.empty:
        return frame
    last = frame.iloc[[-1]].assign(**{x: frame[x].iloc[-1] + step})
    return pd.concat([frame, last], ignore_index=True)


def require_columns(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; have {list(frame.columns)}")
    if frame.empty:
        raise ValueError(f"{what}: no rows to draw")


# --- bands and published points -------------------------------------------------------------

def band(ax, x, low, high, *, color, alpha: float = 0.28, outline: bool = True) -> Patch:
    """A share band drawn as steps: filled between ``low`` and ``high``, high end solid, low end dashed."""
    ax.fill_between(x, low, high, step="post", color=color, alpha=alpha, linewidth=0)
    if outline:
        ax.step(x, high, where="post", color=color, lw=1.7)
        ax.step(x, low, where="post", color=color, lw=0.9, ls="--")
    return Patch(facecolor=color, alpha=alpha, edgecolor=color)


def hatched_band(ax, x, low, high, *, color, hatch: str = "////") -> Patch:
    """A band that is not a measurement: hatched, dashed outline, never a solid line."""
    ax.fill_between(x, low, high, step="post", facecolor="none", edgecolor=color, hatch=hatch, linewidth=0)
    ax.step(x, high, where="post", color=color, lw=1.0, ls=(0, (4, 2)))
    ax.step(x, low, where="post", color=color, lw=1.0, ls=(0, (4, 2)))
    return Patch(facecolor="white", edgecolor=color, hatch=hatch, ls=(0, (4, 2)))


def published_points(ax, points, lang: str, xmin, xmax) -> list:
    """The article's (circles, black) and the report's (diamonds, grey) figures with short labels.

    A point with ``date_end`` is a level over a span, drawn as a segment. Returns one legend
    handle per publisher drawn (at most 2).
    """
    who_style = {"article": ("o", palette.ARTICLE, "legend_article"), "report": ("D", palette.REPORT, "legend_report")}
    drawn = []
    for p in points:
        start = pd.Timestamp(p.date) if p.date else None
        if start is None:
            continue
        if p.date_end:  # a level: drawn on the part of its span in view
            if pd.Timestamp(p.date_end) < xmin or start > xmax:
                continue
            start = max(start, xmin)
        elif not (xmin <= start <= xmax):
            continue
        marker, color, _ = who_style[p.who]
        label = t(p.label_key, lang, value=fmt.pct(p.value, lang, p.digits))
        if p.date_end:
            end = min(pd.Timestamp(p.date_end), xmax)
            ls = ":" if "peak" in p.label_key else "--"
            ax.plot([start, end], [p.value, p.value], color=color, lw=1.3, ls=ls, zorder=3)
            ax.plot([start, end], [p.value, p.value], marker=marker, color=color, ms=5, ls="none", zorder=4)
            above = "peak" in p.label_key
            ax.annotate(label, (start if above else end, p.value), xytext=(4 if above else -4, 3 if above else -4),
                        textcoords="offset points", ha="left" if above else "right", va="bottom" if above else "top",
                        fontsize=SMALL_SIZE, color=color)
        else:
            ax.plot([start], [p.value], marker=marker, color=color, ms=8, ls="none", zorder=5,
                    markeredgecolor="white", markeredgewidth=0.8)
            if p.value < 0.05:  # near the floor: label to the right, the report's one line higher
                dy = 6 if p.who == "report" else -3
                ax.annotate(label, (start, p.value), xytext=(9, dy), textcoords="offset points", ha="left",
                            va="bottom" if p.who == "report" else "center", fontsize=SMALL_SIZE, color=color,
                            fontweight="bold" if p.who == "article" else "normal", zorder=6,
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})  # over a hatched estimate
            else:  # high up: label above-left with a leader, clear of the band
                ax.annotate(label, (start, p.value), xytext=(-12, 38), textcoords="offset points", ha="right",
                            va="bottom", fontsize=SMALL_SIZE, color=color, fontweight="bold" if p.who == "article" else "normal",
                            arrowprops={"arrowstyle": "-", "color": color, "lw": 0.8, "shrinkA": 0, "shrinkB": 4})
        if p.who not in [w for w, _ in drawn]:
            drawn.append((p.who, Line2D([], [], marker=marker, color=color, ms=8, ls="none", label=t(who_style[p.who][2], lang))))
    return [h for _, h in drawn]


def data_start_span(ax, xmin, data_start, lang: str, note_key: str) -> None:
    """Grey the time before the data begin, with a note saying so."""
    data_start = pd.Timestamp(data_start)
    if xmin >= data_start:
        return
    ax.axvspan(xmin, data_start, color="#f0f0f0", zorder=0, lw=0)
    ax.text(xmin + (data_start - xmin) * 0.15, 0.55, t(note_key, lang), transform=ax.get_xaxis_transform(),
            fontsize=SMALL_SIZE, color=palette.TEXT_GREY, va="center", ha="left", rotation=90)


# --- events: numbered markers on a rail under the time axis, and their key ------------------

def number_events(events: pd.DataFrame, *, start, end) -> pd.DataFrame:
    """The events inside ``[start, end]`` numbered 1.. in date order (columns ``n, date, ...``)."""
    sel = events.loc[events["date"].between(pd.Timestamp(start), pd.Timestamp(end))]
    sel = sel.sort_values(["date", "event_en"], kind="mergesort").reset_index(drop=True)
    return sel.assign(n=range(1, len(sel) + 1))


def events_rail(rail, events: pd.DataFrame, *, min_gap_days: float, lines_on=None) -> None:
    """Numbered circles on ``rail`` (an axes under the chart, sharing its x): close events take the
    next row, so no two markers overlap; faint guides in ``lines_on`` (the chart's axes)."""
    rows_last: list[pd.Timestamp] = []
    placed = []
    for ev in events.itertuples():
        row = next((i for i, last in enumerate(rows_last) if (ev.date - last).days >= min_gap_days), len(rows_last))
        if row == len(rows_last):
            rows_last.append(ev.date)
        rows_last[row] = ev.date
        placed.append((ev, row))
    nrows = max(len(rows_last), 1)
    for ev, row in placed:
        y = 1 - (row + 0.5) / nrows
        rail.plot([ev.date, ev.date], [y, 1.0], color="#9a9a9a", lw=0.7, zorder=1)
        rail.text(ev.date, y, str(ev.n), ha="center", va="center", fontsize=8, color=palette.LIGHT_INK, fontweight="bold",
                  zorder=3, bbox={"boxstyle": "circle,pad=0.25", "facecolor": palette.EVENT, "edgecolor": "none"})
        if lines_on is not None:
            lines_on.axvline(ev.date, color="#c4c4c4", lw=0.6, ls=":", zorder=0)
    rail.set_ylim(0, 1)
    rail.set_yticks([])
    rail.grid(False)
    for side in ("left", "right", "top"):
        rail.spines[side].set_visible(False)


def events_key_entries(events: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """[(number, "date · what happened")] in ``lang``: the key says what each marker is, so the
    short labels (o1, M1, V3) never have to stand alone."""
    text_col = "event_fr" if lang == "fr" else "event_en"
    return [(str(ev.n), f"{fmt.day(ev.date, lang)} · {getattr(ev, text_col)}") for ev in events.itertuples()]


# --- under the chart: legend strip, blocks, credit ------------------------------------------

def legend_strip(fig, handles, ncol: int, fontsize: float = TEXT_SIZE):
    """The legend in a strip under the axes (constrained layout makes room for it)."""
    return fig.legend(handles=handles, loc="outside lower center", ncol=ncol, fontsize=fontsize, handlelength=2.2,
                      columnspacing=1.6, frameon=False)


def _bottom_left(fig) -> tuple[float, float]:
    """Left and bottom of everything drawn so far, in figure fractions."""
    fig.canvas.draw()
    box = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    width, height = fig.get_size_inches()
    return box.x0 / width, box.y0 / height


def place_below(fig, gap_pt: float = 6) -> tuple[float, float]:
    # the figure legend must not move when the figure grows: pin it first
    if isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        freeze(fig)
    """(x, y) in figure fractions just under everything drawn so far, for the next block."""
    left, bottom = _bottom_left(fig)
    return max(left, 0.005), bottom - gap_pt / 72 / fig.get_size_inches()[1]


def key_block(fig, title_text: str, entries: list[tuple[str, str]], *, ncol: int = 2, wrap: int = 78,
              fontsize: float = SMALL_SIZE) -> None:
    """A numbered key in ``ncol`` columns under the figure (column-major, long entries wrapped)."""
    x0, y0 = place_below(fig, gap_pt=8)
    width_in, height_in = fig.get_size_inches()
    line = fontsize * 1.45 / 72 / height_in
    fig.text(x0, y0, title_text, ha="left", va="top", fontsize=fontsize, fontweight="bold", color="#222222")
    wrapped = [(n, textwrap.wrap(text, wrap)) for n, text in entries]
    total = sum(len(lines) for _, lines in wrapped)
    per_col = -(-total // ncol)
    col, used = 0, 0
    col_width = (1 - 2 * x0) / ncol
    y = y0 - line * 1.2
    for n, lines in wrapped:
        if used and used + len(lines) > per_col and col < ncol - 1:
            col, used, y = col + 1, 0, y0 - line * 1.2
        x = x0 + col * col_width
        fig.text(x, y, n, ha="left", va="top", fontsize=fontsize, fontweight="bold", color=palette.EVENT)
        for i, part in enumerate(lines):
            fig.text(x + 0.022, y - i * line, part, ha="left", va="top", fontsize=fontsize, color="#222222")
        y -= line * len(lines)
        used += len(lines)


def credit_line(fig, credit: str) -> None:
    """The source credit, last line under everything else (it travels with the image)."""
    if not credit:
        raise ValueError("every figure needs a source credit")
    x, y = place_below(fig, gap_pt=6)
    fig.text(x, y, credit, ha="left", va="top", fontsize=CREDIT_SIZE, color=palette.TEXT_GREY)
    freeze(fig)


def freeze(fig) -> None:
    """Fix the laid-out positions: saving with ``bbox_inches="tight"`` resizes the figure to take in
    the blocks placed under it, and a live layout engine would then move the legend strip onto them."""
    fig.canvas.draw()
    fig.set_layout_engine("none")
    for leg in fig.legends:  # a figure legend anchors to the figure's box, which the tight save changes
        box = leg.get_window_extent().transformed(fig.transFigure.inverted())
        leg.set_bbox_to_anchor((box.x0, box.y0, box.width, box.height), transform=fig.transFigure)
        leg.set_loc("center")


# --- text on bars ----------------------------------------------------------------------------

def bar_label(ax, x: float, y: float, text: str, fill, *, fontsize: float = TEXT_SIZE, **kw) -> None:
    """A label drawn on a bar, in the ink that contrasts most with the bar (WCAG AA is tested)."""
    ax.text(x, y, text, ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), fontsize=fontsize,
            color=palette.ink(fill), **kw)
