"""A verdict on each checkable statement of the article (claims C1–C13), computed from the data.

Why: readers come for the verdict. Each claim has one ``check_cN`` function that computes the
project's own number from the data of this run (never a typed-in result), through the
project's modules (:mod:`modelrace.shares`, :mod:`modelrace.hubstats`, :mod:`modelrace.growth`,
:mod:`modelrace.attribution`), and turns it into one of :data:`VERDICTS` by an explicit rule
(the ``verdict_*`` functions; thresholds are in their docstrings and module constants, so a
reader can dispute a threshold without reading the aggregation).

The article's statements, who it credits and where it says them are in
``data/reference/claims.csv`` (:func:`load_reference`); the product is
``data/processed/claims.csv`` with exactly :data:`PRODUCT_COLUMNS` (:func:`product`).
``our_value`` and ``evidence`` are written in French and English (the notebook picks one);
the verdict keeps the four English labels everywhere, so the site can key on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import attribution, estimate, fmt, growth, hubcounts, hubstats, load, paths, plotting, shares
from .validate import InputError, read_exact_csv

SUPPORTED = "supported"
PARTLY = "partly supported"
CONTRADICTED = "contradicted"
NOT_CHECKABLE = "not checkable with the pinned data"
VERDICTS = (SUPPORTED, PARTLY, CONTRADICTED, NOT_CHECKABLE)

CLAIM_IDS = tuple(f"C{i}" for i in range(1, 14))
REFERENCE = paths.REFERENCE / "claims.csv"
REFERENCE_COLUMNS = (
    "claim_id", "claim_fr", "claim_en", "where", "credited_to", "article_value", "source_url", "check_method", "figure",
)
PRODUCT_COLUMNS = ("claim_id", "claim", "article_value", "our_value", "verdict", "evidence")
LANGS = ("fr", "en")

# --- thresholds (each one used by exactly one rule below) ------------------------------------
C2_THRESHOLD = 0.30  # "more than 30 %"
C2_TOLERANCE = 0.10  # relative: within 10 % of the threshold (>= 27 %) counts as "partly"
C2_WINDOW = ("2025-07-21", "2025-08-11")  # first days of the weeks read as "start of August"
C3_LEAD_POINTS = 0.10  # "clearly dominate": ahead of the runner-up by >= 10 percentage points
C5_TOP_N = 10  # "the most downloaded models": the 10 most downloaded of aiWorld's top 100
C6_MAJORITY = 0.50  # "most": more than half of the downloads
C7_DECLINE_POINTS = 0.05  # "increasingly shared": DeepSeek's Q4 share >= 5 points below its 2025 peak
C8_MIN_SHARE = 0.01  # "emerging": >= 1 % of all tokens in Q4 2025 ...
C8_GROWTH = 2.0  # ... and more than twice its Q1 2025 share
C4_LEVEL = growth.ARTICLE_HUB_MODELS  # "passed 2 million" (the article's figure, see growth)
C4_NEARLY_DOUBLE = 1.8  # "nearly doubled": a 12-month ratio of the cumulative count >= 1.8
C1_CLAIMED = 0.01  # "barely 1 %"
C1_MONTH = ("2024-12-01", "2024-12-31")  # the chart weeks lying wholly in December 2024
C1_CONFIRM_FACTOR = 2.0  # the band confirms "about 1 %" only if its high end is at most 2 × 1 %
ARTICLE_DATE = "2026-01-02"  # C4: "passed 2 million" by the article's publication
C12_SUPPORTED = 0.80  # "almost every week": >= 80 % of the observed weeks ...
C12_PARTLY = 0.50  # ... at least half of them for "partly"
EPS = 1e-12  # float slack for ">= threshold" comparisons of differences (0.5 - 0.4 < 0.1 in binary)
US_CLOSED_LABS = ("OpenAI", "Google", "Anthropic")  # C13, as the article names them


class ClaimsError(InputError):
    """The claims reference table or a check's input is malformed; the message says how to fix it."""


# ------------------------------------------------------------------------------- formatting


def pct(x: float, lang: str, digits: int = 1) -> str:
    """A share as "30,5 %" (fr, narrow no-break space) or "30.5%" (en): :func:`modelrace.fmt.pct`."""
    return fmt.pct(x, lang, digits)


def band(low: float, high: float, lang: str) -> str:
    return fmt.pct_range(low, high, lang)


def _both(fn) -> dict[str, str]:
    """{lang: fn(lang)}: one formatter called once per language so the two texts cannot drift."""
    return {lang: fn(lang) for lang in LANGS}


def quarter_label(q: str, lang: str) -> str:
    """"2025Q4" as "T4 2025" (fr) or "Q4 2025" (en)."""
    return fmt.quarter(q, lang)


def day(ts, lang: str) -> str:
    return fmt.day(ts, lang)


# ------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Check:
    """One claim's result: ``our_value`` and ``evidence`` per language, the verdict, the numbers."""

    claim_id: str
    verdict: str
    our_value: dict[str, str]
    evidence: dict[str, str]
    numbers: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"{self.claim_id}: verdict {self.verdict!r} is not one of {VERDICTS}")
        for name in ("our_value", "evidence"):
            text = getattr(self, name)
            if set(text) != set(LANGS) or not all(text.values()):
                raise ValueError(f"{self.claim_id}: {name} needs non-empty 'fr' and 'en' texts")


# ------------------------------------------------------------------------------- verdict rules
# Pure functions of a few numbers, so every verdict and threshold edge is testable on its own.


def verdict_period_absent(claimed_end: str, first_day: str) -> str | None:
    """C1: a period that ends before the data's first day cannot be checked by it.

    Returns :data:`NOT_CHECKABLE` then, else ``None`` (the period is in the data). A nearer
    month is not a stand-in: between Dec 2024 and Jan 2025 DeepSeek released V3 (26 Dec) and
    R1 (20 Jan), so January says nothing firm about December.
    """
    return NOT_CHECKABLE if pd.Timestamp(claimed_end) < pd.Timestamp(first_day) else None


def verdict_threshold(highs: dict[str, float], threshold: float, tolerance: float) -> str:
    """C2: "more than ``threshold``", read on the high end of the share band per definition.

    supported: every definition's peak (high end) exceeds ``threshold``; partly supported: at
    least one does, or the best one is within ``tolerance`` (relative) below it; contradicted:
    none comes within the tolerance.
    """
    if not highs:
        return NOT_CHECKABLE
    above = [v > threshold for v in highs.values()]
    if all(above):
        return SUPPORTED
    if any(above) or max(highs.values()) >= threshold * (1 - tolerance):
        return PARTLY
    return CONTRADICTED


def verdict_leader(shares_by_view: dict[str, dict[str, float]], target: str, lead: float) -> str:
    """C3: "``target`` clearly dominates": its share is the largest in a view, by ``lead`` points.

    supported: largest with the lead in every view; partly supported: largest in at least one
    view (or largest everywhere without the lead); contradicted: largest in no view.
    """
    largest, clear = [], []
    for groups in shares_by_view.values():
        mine = groups.get(target, 0.0)
        rest = max((v for g, v in groups.items() if g != target), default=0.0)
        largest.append(mine > rest)
        clear.append(mine - rest >= lead - EPS)
    if not largest:
        return NOT_CHECKABLE
    if all(clear):
        return SUPPORTED
    return PARTLY if any(largest) else CONTRADICTED


def verdict_majority(shares_by_view: dict[str, dict[str, float]], target: str, majority: float) -> str:
    """C6: "most are ``target``": its share exceeds ``majority`` (one half).

    supported: above it in every view; partly supported: above it in some view, or the largest
    group in every view; contradicted: neither.
    """
    if not shares_by_view:
        return NOT_CHECKABLE
    above = [g.get(target, 0.0) > majority for g in shares_by_view.values()]
    largest = [g.get(target, 0.0) > max((v for k, v in g.items() if k != target), default=0.0) for g in shares_by_view.values()]
    if all(above):
        return SUPPORTED
    return PARTLY if any(above) or all(largest) else CONTRADICTED


def verdict_all_top(counts_by_view: dict[str, dict[str, int]], target: str, n: int) -> str:
    """C5: "the most downloaded are all ``target``", on the ``n`` most downloaded models.

    supported: all ``n`` are ``target`` in every view; partly supported: all ``n`` in some
    view, or ``target`` is the most numerous group of the ``n`` in every view; contradicted:
    otherwise.
    """
    if not counts_by_view:
        return NOT_CHECKABLE
    full = [c.get(target, 0) == n for c in counts_by_view.values()]
    most = [c.get(target, 0) > max((v for k, v in c.items() if k != target), default=0) for c in counts_by_view.values()]
    if all(full):
        return SUPPORTED
    return PARTLY if any(full) or all(most) else CONTRADICTED


def verdict_dominant_but_shared(first_on_openrouter: bool, shared: bool, first_on_hub: bool) -> str:
    """C7: "DeepSeek remains the dominant open-source provider, but the market is increasingly shared".

    supported: first on OpenRouter's open-weight tokens at the end of 2025, its share falling
    with Qwen's rising (``shared``), and first on Hub downloads too; contradicted: first in
    neither source; partly supported: anything between.
    """
    if first_on_openrouter and shared and first_on_hub:
        return SUPPORTED
    if not first_on_openrouter and not first_on_hub:
        return CONTRADICTED
    return PARTLY


def verdict_all_conditions(conditions: dict[str, bool], *, required_for_any: tuple[str, ...] = ()) -> str:
    """C8: supported when every condition holds; contradicted when none of ``required_for_any``
    (default: all conditions) holds; partly supported otherwise."""
    if not conditions:
        return NOT_CHECKABLE
    if all(conditions.values()):
        return SUPPORTED
    core = required_for_any or tuple(conditions)
    return CONTRADICTED if not any(conditions[k] for k in core) else PARTLY


@dataclass(frozen=True)
class EventSpec:
    """An event a claim states: found in ``events.csv`` by ``label_short``; ``date`` at ``precision``."""

    label_short: str
    date: str
    precision: str = "day"  # "day" or "month"


def verdict_events(events: pd.DataFrame, specs: tuple[EventSpec, ...]) -> tuple[str, list[dict[str, str]]]:
    """C8 (listings), C9, C10, C11: check stated events against ``events.csv`` rows.

    Per event: no row → not checkable; a row without an https source → not checkable; a row
    whose date differs from the claim's (at the claim's precision) → contradicted; a row the
    table marks ``confirmed = false`` (no primary source) → partly supported; else supported.
    The claim takes the weakest of its events (contradicted < not checkable < partly < supported).
    Returns the verdict and one problem note ({fr, en}) per event that is not plainly supported.
    """
    rank = {CONTRADICTED: 0, NOT_CHECKABLE: 1, PARTLY: 2, SUPPORTED: 3}
    worst, notes = SUPPORTED, []
    for spec in specs:
        rows = events.loc[events["label_short"] == spec.label_short]
        if len(rows) != 1:
            v, note = NOT_CHECKABLE, {"fr": f"{len(rows)} ligne(s) dans events.csv", "en": f"{len(rows)} rows in events.csv"}
        else:
            row = rows.iloc[0]
            fmt = "%Y-%m-%d" if spec.precision == "day" else "%Y-%m"
            claimed = pd.Timestamp(spec.date)
            if not str(row["source_url"]).startswith("https://"):
                v, note = NOT_CHECKABLE, {"fr": "pas d'URL de source", "en": "no source URL"}
            elif pd.Timestamp(row["date"]).strftime(fmt) != claimed.strftime(fmt):
                found = f"{pd.Timestamp(row['date']):%Y-%m-%d}"
                v, note = CONTRADICTED, {"fr": f"{found} dans events.csv", "en": f"{found} in events.csv"}
            elif not bool(row["confirmed"]):
                v, note = PARTLY, {"fr": "date non confirmée par une source primaire", "en": "not confirmed from a primary source"}
            else:
                v, note = SUPPORTED, None
        if note:
            notes.append({L: f"{spec.label_short} : {t}" if L == "fr" else f"{spec.label_short}: {t}" for L, t in note.items()})
        if rank[v] < rank[worst]:
            worst = v
    return worst, notes


def verdict_week_coverage(share: float, supported_at: float, partly_at: float) -> str:
    """C12: "almost every week": supported at >= ``supported_at`` of the observed weeks,
    partly supported at >= ``partly_at``, contradicted below."""
    if share >= supported_at:
        return SUPPORTED
    return PARTLY if share >= partly_at else CONTRADICTED


def verdict_hub_growth(level: int | None, ratio: float | None, *, level_needed: int, nearly_double: float) -> str:
    """C4: "nearly doubled in one year and passed 2 million".

    Without a full Hub listing (``level`` None) the claim is not checkable: the pinned monthly
    series counts only task-tagged models (about 0.9 M in all), so neither its level nor its
    growth is the Hub's. With a listing: supported when the level at the end of 2025 reaches
    ``level_needed`` and the 12-month ratio reaches ``nearly_double``; partly supported when one
    does; contradicted when neither.
    """
    if level is None or ratio is None:
        return NOT_CHECKABLE
    ok = [level >= level_needed, ratio >= nearly_double]
    return SUPPORTED if all(ok) else PARTLY if any(ok) else CONTRADICTED


def verdict_estimate_band(claimed: float, low: float, high: float, miss: float, *, confirm_factor: float) -> str:
    """C1: a claimed share against an *estimated* band whose backtest missed by up to ``miss``.

    contradicted: ``claimed`` lies outside the band widened by ``miss`` on each side; supported:
    inside the band and the band is narrow enough to confirm it (high end at most
    ``confirm_factor`` × ``claimed``); partly supported: consistent with the band, which is too
    wide to confirm it.
    """
    if claimed < low - miss - EPS or claimed > high + miss + EPS:
        return CONTRADICTED
    if low - EPS <= claimed <= high + EPS and high <= confirm_factor * claimed + EPS:
        return SUPPORTED
    return PARTLY


def verdict_usage_consistent(open_investors: dict[str, bool], us_closed_share: float, china_share: float) -> str:
    """C13: the frontier lead is about capability, which no pinned data measures, so usage can
    at most make the claim *partly supported*: when Meta and NVIDIA serve open-weight tokens and
    the US closed labs' token share exceeds China's. Contradicted when the US closed labs' share
    does not exceed China's or neither company serves open weights."""
    if us_closed_share <= china_share or not any(open_investors.values()):
        return CONTRADICTED
    return PARTLY


# ------------------------------------------------------------------------------- inputs


@dataclass
class Inputs:
    """The frames every check reads, loaded once per run.

    ``openrouter_daily``: :func:`shares.daily_by_category`; ``top100``: aiWorld's top 100 after
    :func:`attribution.attribute_hub`, with ``aiworld_group``; ``org_weeks``: aiWorld's weekly
    lab records with our ``group``; ``hub_monthly``: :func:`growth.monthly_totals` of the partial
    monthly series; ``hub_listing``: a live listing's counts or ``None``; ``events``.
    """

    openrouter_daily: pd.DataFrame
    top100: pd.DataFrame
    org_weeks: pd.DataFrame
    hub_monthly: pd.DataFrame
    events: pd.DataFrame
    hub_listing: growth.ListingCounts | None = None
    openrouter_first_day: str = load.OPENROUTER_FIRST_DAY
    chart_weekly: pd.DataFrame | None = None  # estimate.chart_weekly: the rankings chart's top 9 (C1)
    calibration: pd.DataFrame | None = None  # estimate.calibration_table (C1)
    hub_counts: pd.DataFrame | None = None  # hubcounts.load_counts (C4)

    @property
    def openrouter_totals(self) -> pd.DataFrame:
        return shares.daily_totals(self.openrouter_daily)

    @classmethod
    def load(cls, snapshot: str = "pinned", hub_snapshot: str = "", *, allow_incomplete: bool = False) -> "Inputs":
        """Load and attribute everything; the pinned OpenRouter pull is checked for conservation.

        An incomplete snapshot (manifest ``complete: false``) is refused unless ``allow_incomplete``.
        """
        labs = attribution.load_labs()
        rankings = load.openrouter_rankings(snapshot, allow_incomplete=allow_incomplete)
        daily = shares.daily_by_category(attribution.attribute_openrouter(rankings, labs=labs))
        if snapshot == "pinned":
            shares.check_conservation(daily, load.openrouter_share_daily())
        top = attribution.attribute_hub(load.aiworld_top100(), view="uploader", labs=labs)
        top["aiworld_group"] = hubstats.aiworld_group(top["country_group"])
        chart = estimate.chart_weekly(load.openrouter_chart_history(), labs=labs)
        return cls(
            chart_weekly=chart,
            calibration=estimate.calibration_table(chart, shares.daily_totals(daily)),
            hub_counts=hubcounts.load_counts(),
            openrouter_daily=daily,
            top100=top,
            org_weeks=org_weeks_with_group(load.aiworld_org_weeks("2025"), labs),
            hub_monthly=growth.monthly_totals(growth.monthly_by_task(load.aiworld_model_types())),
            events=attribution.load_events(labs=labs),
            hub_listing=(growth.listing_monthly(load.hub_listing(hub_snapshot, allow_incomplete=allow_incomplete))
                         if hub_snapshot else None),
            openrouter_first_day=str(pd.Timestamp(rankings["date"].min()).date()),
        )


def org_weeks_with_group(weeks: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """aiWorld's weekly records with our ``group`` (via ``aiworld_labs.csv`` and ``labs.csv``).

    Written here (not in hubstats) because only C12 needs it; an unmapped lab is an error.
    """
    lab_map = attribution.aiworld_lab_map(labs=labs)
    ours = weeks["lab"].astype(str).map(lab_map)
    if ours.isna().any():
        missing = sorted(weeks.loc[ours.isna(), "lab"].astype(str).unique())
        raise ClaimsError(f"data/reference/aiworld_labs.csv: no row for aiWorld lab id(s) {missing}; add them")
    group = ours.map(dict(zip(labs["lab"], labs["group"])))
    return weeks.assign(our_lab=ours, group=group)


# ------------------------------------------------------------------------------- helpers


def _view_shares(top: pd.DataFrame) -> dict[str, dict[str, float]]:
    """{view: {group: share of downloads}} for aiWorld's uploader groups, ours, and lineage."""
    views = {"aiworld": "aiworld_group", "uploader": "uploader_group", "lineage": "lineage_group"}
    table = hubstats.shares_by_view(top, views)
    return {v: dict(zip(part["group"], part["share"])) for v, part in table.groupby("view", sort=False)}


def _view_top_counts(top: pd.DataFrame, n: int) -> dict[str, dict[str, int]]:
    frame = top.drop(columns=[c for c in ("rank",) if c in top.columns])
    cols = {"aiworld": "aiworld_group", "uploader": "uploader_group", "lineage": "lineage_group"}
    return {v: {k: int(x) for k, x in hubstats.group_counts_in_top(frame, n, c).items()} for v, c in cols.items()}


def quarter_of(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.to_period("Q").astype(str)


def open_weight_lab_shares(daily: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each lab's share of ALL open-weight OpenRouter tokens per quarter of ``year`` (C7).

    ``quarter, lab, tokens, share``, sorted by quarter then tokens (descending) then lab.
    Written here because :func:`shares.quarterly_lab_share_of_chinese_open` divides by
    *Chinese* open-weight tokens only, and "dominant open-source provider worldwide" needs all.
    """
    d = daily.loc[daily["openness"].eq("open") & pd.to_datetime(daily["date"]).dt.year.eq(year)]
    if d.empty:
        raise ClaimsError(f"no open-weight OpenRouter tokens in {year}; check the attribution tables")
    out = d.groupby([quarter_of(d["date"]).rename("quarter"), d["lab"].rename("lab")])["tokens"].sum().reset_index()
    out["share"] = out["tokens"] / out.groupby("quarter")["tokens"].transform("sum")
    return out.sort_values(["quarter", "tokens", "lab"], ascending=[True, False, True], kind="mergesort").reset_index(drop=True)


def lab_share_of_all(daily: pd.DataFrame, lab_mask: pd.Series, quarter: str) -> float:
    """Tokens of the rows in ``lab_mask`` / all tokens (the ``other`` row included) in ``quarter``."""
    q = quarter_of(daily["date"]).eq(quarter)
    total = int(daily.loc[q, "tokens"].sum())
    if total == 0:
        raise ClaimsError(f"no OpenRouter tokens in {quarter}")
    return int(daily.loc[q & lab_mask, "tokens"].sum()) / total


# ------------------------------------------------------------------------------- checks


def check_c1(inp: Inputs) -> Check:
    """≈1 % in Dec 2024: the estimate from the rankings chart's top 9 (:mod:`modelrace.estimate`),
    token-weighted over the chart weeks lying wholly in December, judged with the backtest's
    largest miss (:func:`verdict_estimate_band`). Without the chart: not checkable."""
    if inp.chart_weekly is None or inp.calibration is None:
        return _check_c1_without_chart(inp)
    dec = estimate.pooled(inp.chart_weekly, inp.calibration, *C1_MONTH)
    bt = estimate.backtest_summary(estimate.backtest(inp.calibration))
    low, high = dec["share_low"], dec["share_high"]
    verdict = verdict_estimate_band(C1_CLAIMED, low, high, bt["max_miss"], confirm_factor=C1_CONFIRM_FACTOR)
    weeks, cal = dec["weeks"], dec["calibration"]
    visible = dec["china_top9_tokens"] / dec["top9_tokens"]
    nums = {"dec_low": low, "dec_high": high, "visible_top9": visible, "weeks": float(len(weeks)),
            "coverage_min": cal.coverage_min, "coverage_max": cal.coverage_max, "tail_max": cal.tail_max,
            "backtest_weeks": bt["weeks"], "backtest_inside": bt["inside_share"], "backtest_max_miss": bt["max_miss"]}
    first, last = weeks[0], weeks[-1] + pd.Timedelta(days=6)
    cal_first, cal_last = cal.weeks[0], cal.weeks[-1] + pd.Timedelta(days=6)
    return Check(
        "C1", verdict,
        _both(lambda L: (
            f"{band(low, high, L)} (estimation, semaines du {day(first, L)} au {day(last, L)}, tous labos chinois) ; "
            f"{pct(visible, L)} du top 9 visible est chinois"
            if L == "fr" else
            f"{band(low, high, L)} (estimate, weeks {day(first, L)}–{day(last, L)}, all Chinese labs); "
            f"{pct(visible, L)} of the visible top 9 is Chinese"
        )),
        _both(lambda L: (
            f"Top 9 du graphique « Top Models » de la page de classement OpenRouter ; part du top 9 dans le total calibrée sur "
            f"{len(cal.weeks)} semaines de l'API ({day(cal_first, L)}–{day(cal_last, L)} : {pct(cal.coverage_min, L)}–{pct(cal.coverage_max, L)}) ; "
            f"jetons chinois hors top 9 bornés entre 0 et {pct(cal.tail_max, L)} de la traîne (maximum de la calibration, après V3 et R1) ; "
            f"rétro-test sur {int(bt['weeks'])} semaines de 2025 : fourchette tenue {pct(bt['inside_share'], L, 0)} des semaines, "
            f"plus grand écart {fmt.points(bt['max_miss'], L)} ; « environ {pct(C1_CLAIMED, L, 0)} » confirmé seulement si le haut ≤ {pct(C1_CONFIRM_FACTOR * C1_CLAIMED, L, 0)}"
            if L == "fr" else
            f"Top 9 of the OpenRouter rankings page's Top Models chart; the top 9's share of the total calibrated on {len(cal.weeks)} "
            f"API weeks ({day(cal_first, L)}–{day(cal_last, L)}: {pct(cal.coverage_min, L)}–{pct(cal.coverage_max, L)}); Chinese tokens "
            f"outside the top 9 bounded between 0 and {pct(cal.tail_max, L)} of the tail (calibration maximum, after V3 and R1); "
            f"backtest on {int(bt['weeks'])} weeks of 2025: band held on {pct(bt['inside_share'], L, 0)} of weeks, largest miss "
            f"{fmt.points(bt['max_miss'], L)}; 'about {pct(C1_CLAIMED, L, 0)}' confirmed only if the high end is at most {pct(C1_CONFIRM_FACTOR * C1_CLAIMED, L, 0)}"
        )),
        nums,
    )


def _check_c1_without_chart(inp: Inputs) -> Check:
    """C1 without the rankings chart: December 2024 is not in the Data API; January 2025 for context."""
    months = shares.period_shares(inp.openrouter_totals, "month")
    jan = months.loc[months["period_start"] == pd.Timestamp("2025-01-01")]
    weeks = shares.period_shares(inp.openrouter_totals, "week")
    first_week = weeks.iloc[0]
    if jan.empty:
        raise ClaimsError("C1: January 2025 is not a covered month of the OpenRouter data")
    jan = jan.iloc[0]
    verdict = verdict_period_absent("2024-12-31", inp.openrouter_first_day) or SUPPORTED
    if verdict != NOT_CHECKABLE:  # a future pull reaching back to December 2024 needs its own rule
        raise ClaimsError("C1: the OpenRouter data now reach December 2024; write the rule for it in claims.check_c1")
    nums = {
        "jan_low": jan["china_share_low"], "jan_high": jan["china_share_high"],
        "jan_open_low": jan["china_open_share_low"], "jan_open_high": jan["china_open_share_high"],
        "week1_low": first_week["china_share_low"], "week1_high": first_week["china_share_high"],
    }
    w1 = first_week["period_start"]
    return Check(
        "C1", verdict,
        _both(lambda L: (
            f"{band(nums['jan_low'], nums['jan_high'], L)} "
            + (f"(janv. 2025, tous labos chinois, bas–haut) ; {band(nums['jan_open_low'], nums['jan_open_high'], L)} modèles ouverts seuls"
               if L == "fr" else
               f"(Jan 2025, all Chinese labs, low–high); {band(nums['jan_open_low'], nums['jan_open_high'], L)} open-weight only")
        )),
        _both(lambda L: (
            f"Les données OpenRouter commencent le {day(inp.openrouter_first_day, L)} : décembre 2024 n'y est pas ; "
            f"la première semaine complète (du {day(w1, L)}, avant R1) est déjà à {band(nums['week1_low'], nums['week1_high'], L)}"
            if L == "fr" else
            f"OpenRouter data start on {day(inp.openrouter_first_day, L)}: December 2024 is not in them; "
            f"the first complete week (of {day(w1, L)}, before R1) is already at {band(nums['week1_low'], nums['week1_high'], L)}"
        )),
        nums,
    )


def check_c2(inp: Inputs) -> Check:
    """> 30 % at the start of August 2025: weekly band in :data:`C2_WINDOW`, both definitions."""
    weeks = shares.period_shares(inp.openrouter_totals, "week")
    win = weeks.loc[weeks["period_start"].between(*map(pd.Timestamp, C2_WINDOW))]
    if win.empty:
        raise ClaimsError(f"C2: no complete week starting in {C2_WINDOW}")
    peaks = {}
    for key, prefix in (("all", "china_share"), ("open", "china_open_share")):
        when, high = shares.peak(win, f"{prefix}_high")
        low = float(win.loc[win["period_start"] == when, f"{prefix}_low"].iloc[0])
        peaks[key] = (when, low, high)
    verdict = verdict_threshold({k: v[2] for k, v in peaks.items()}, C2_THRESHOLD, C2_TOLERANCE)
    w, lo, hi = peaks["all"]
    _, olo, ohi = peaks["open"]
    nums = {"all_low": lo, "all_high": hi, "open_low": olo, "open_high": ohi, "weeks": float(len(win))}
    return Check(
        "C2", verdict,
        _both(lambda L: (
            f"{band(lo, hi, L)} (semaine du {day(w, L)}, tous labos chinois, bas–haut) ; {band(olo, ohi, L)} modèles ouverts seuls"
            if L == "fr" else
            f"{band(lo, hi, L)} (week of {day(w, L)}, all Chinese labs, low–high); {band(olo, ohi, L)} open-weight only"
        )),
        _both(lambda L: (
            f"Pic hebdomadaire (haut de la fourchette) des {len(win)} semaines complètes du {day(C2_WINDOW[0], L)} au "
            f"{day(pd.Timestamp(C2_WINDOW[1]) + pd.Timedelta(days=6), L)} comparé à {pct(C2_THRESHOLD, L, 0)}, pour les deux définitions"
            if L == "fr" else
            f"Weekly peak (high end of the band) of the {len(win)} complete weeks {day(C2_WINDOW[0], L)}–"
            f"{day(pd.Timestamp(C2_WINDOW[1]) + pd.Timedelta(days=6), L)} against {pct(C2_THRESHOLD, L, 0)}, under both definitions"
        )),
        nums,
    )


def _view_text(values: dict[str, float], L: str, fmt) -> str:
    names = {"fr": {"aiworld": "déposant selon aiWorld", "uploader": "déposant selon ce projet", "lineage": "labo du modèle de base"},
             "en": {"aiworld": "uploader per aiWorld", "uploader": "uploader per this project", "lineage": "base-model lab"}}[L]
    return ", ".join(f"{fmt(v)} ({names[k]})" for k, v in values.items())


def check_c3(inp: Inputs) -> Check:
    """Chinese players clearly dominate downloads: China's download share of aiWorld's top 100."""
    views = _view_shares(inp.top100)
    verdict = verdict_leader(views, "China", C3_LEAD_POINTS)
    china = {v: g.get("China", 0.0) for v, g in views.items()}
    second = {v: max(x for k, x in g.items() if k != "China") for v, g in views.items()}
    nums = {f"china_{v}": x for v, x in china.items()} | {f"runner_up_{v}": x for v, x in second.items()}
    return Check(
        "C3", verdict,
        _both(lambda L: ("Chine " if L == "fr" else "China ") + _view_text(china, L, lambda x: pct(x, L))),
        _both(lambda L: (
            f"Part des téléchargements du top 100 aiWorld 2025 ; le groupe suivant est à {_view_text(second, L, lambda x: pct(x, L))} ; "
            f"« nettement » = premier avec {C3_LEAD_POINTS * 100:.0f} points d'avance dans chaque vue"
            if L == "fr" else
            f"Share of the downloads of aiWorld's 2025 top 100; the runner-up group has {_view_text(second, L, lambda x: pct(x, L))}; "
            f"'clearly' = first by {C3_LEAD_POINTS * 100:.0f} points in every view"
        )),
        nums,
    )


def check_c4(inp: Inputs) -> Check:
    """Nearly doubled in a year, past 2 million: from the dated counts of ``hub_counts.csv``
    (:mod:`modelrace.hubcounts`): the level by the article's date, the ratio between the two counts
    closest to a year apart (scaled to 365 days). Without the table: the partial series only."""
    if inp.hub_counts is None:
        return _check_c4_without_counts(inp)
    counts = inp.hub_counts
    passed = hubcounts.passed_level(counts, C4_LEVEL)
    year = hubcounts.growth_about_a_year(counts)
    before = counts.loc[counts["date"] <= pd.Timestamp(ARTICLE_DATE)]
    level = int(before["models"].max()) if len(before) else None
    ratio = year["ratio_one_year"] if year else None
    verdict = verdict_hub_growth(level, ratio, level_needed=C4_LEVEL, nearly_double=C4_NEARLY_DOUBLE)
    partial = growth.growth_over(inp.hub_monthly, "2025-12")
    nums = {"partial_ratio": partial["cumulative_ratio"], "counts": float(len(counts))}
    if level is not None:
        nums["level_by_article"] = float(level)
    if year:
        nums |= {"ratio": year["ratio"], "ratio_one_year": year["ratio_one_year"], "days": float(year["days"])}

    sep, x = fmt.num, fmt.ratio

    def value(L):
        parts = []
        if passed is not None:
            first, below = passed["first_at_or_above"], passed["last_below"]
            if L == "fr":
                parts.append(f"2 millions dépassés entre le {day(below['date'], L)} ({sep(below['models'], L)}) et le "
                             f"{day(first['date'], L)} ({sep(first['models'], L)})" if below is not None else
                             f"{sep(first['models'], L)} le {day(first['date'], L)}")
            else:
                parts.append(f"2 million passed between {day(below['date'], L)} ({sep(below['models'], L)}) and "
                             f"{day(first['date'], L)} ({sep(first['models'], L)})" if below is not None else
                             f"{sep(first['models'], L)} on {day(first['date'], L)}")
        else:
            parts.append("aucun comptage daté n'atteint 2 millions" if L == "fr" else "no dated count reaches 2 million")
        if year:
            s_, e_ = year["start"], year["end"]
            parts.append(f"{x(year['ratio'], L)} du {day(s_['date'], L)} au {day(e_['date'], L)} ({year['days']} jours ; "
                         f"{x(year['ratio_one_year'], L)} ramené à un an)" if L == "fr" else
                         f"{x(year['ratio'], L)} from {day(s_['date'], L)} to {day(e_['date'], L)} ({year['days']} days; "
                         f"{x(year['ratio_one_year'], L)} scaled to one year)")
        else:
            parts.append("pas deux comptages à environ un an d'écart" if L == "fr" else "no two counts about a year apart")
        return (" ; " if L == "fr" else "; ").join(parts)

    def listing_note(L):  # a Hub snapshot passed in is said, never silently ignored
        if inp.hub_listing is None:
            return ""
        n = fmt.num(inp.hub_listing.total, L)
        return (f" ; le listing du Hub fourni ({n} modèles) est une sélection (top N ou labos), pas un comptage de tous les "
                "modèles publics : il n'entre pas dans ce verdict" if L == "fr" else
                f"; the Hub listing supplied ({n} models) is a selection (top N or labs), not a count of all public models: "
                "it does not enter this verdict")

    def kinds(L):  # the kinds of source in the text's language, lower case as in a sentence
        names = [plotting.t(f"nb04_kind_{k}", L) for k in sorted(set(counts["kind"]))]
        return ", ".join(n[0].lower() + n[1:] for n in names)

    return Check(
        "C4", verdict, _both(value),
        _both(lambda L: (
            f"{len(counts)} comptages datés de tous les modèles publics du Hub (data/reference/hub_counts.csv : {kinds(L)}), chacun "
            f"vérifié sur une copie archivée d'une page publique ; niveau au {day(ARTICLE_DATE, L)} comparé à 2 millions, rapport "
            f"ramené à un an comparé à {fmt.ratio(C4_NEARLY_DOUBLE, L, 1)}" + " ; la série partielle d'aiWorld (modèles avec "
            f"tâche) donne {x(partial['cumulative_ratio'], L)} de déc. 2024 à déc. 2025"
            if L == "fr" else
            f"{len(counts)} dated counts of all public Hub models (data/reference/hub_counts.csv: {kinds(L)}), each confirmed from a "
            f"stored copy of a public page; level by {day(ARTICLE_DATE, L)} against 2 million, ratio scaled to one year against "
            f"{fmt.ratio(C4_NEARLY_DOUBLE, L, 1)}; aiWorld's partial series (task-tagged models) gives {x(partial['cumulative_ratio'], L)} Dec 2024 to Dec 2025"
        ) + listing_note(L)),
        nums,
    )


def _check_c4_without_counts(inp: Inputs) -> Check:
    """Nearly doubled in a year, past 2 million: needs a full listing; the partial series for context."""
    partial = growth.growth_over(inp.hub_monthly, "2025-12")
    level = ratio = None
    if inp.hub_listing is not None:
        full = growth.growth_over(inp.hub_listing.monthly, "2025-12")
        level, ratio = full["cumulative_end"], full["cumulative_ratio"]
    verdict = verdict_hub_growth(level, ratio, level_needed=C4_LEVEL, nearly_double=C4_NEARLY_DOUBLE)
    p_ratio, p_level = partial["cumulative_ratio"], partial["cumulative_end"]
    nums = {"partial_ratio": p_ratio, "partial_level": float(p_level)}
    if level is not None:
        nums |= {"listing_level": float(level), "listing_ratio": ratio}

    def value(L):
        sep = lambda n: fmt.num(n, L)  # noqa: E731
        x = lambda r: fmt.ratio(r, L)  # noqa: E731
        if level is not None:
            head = (f"{sep(level)} modèles fin 2025, {x(ratio)} en 12 mois (listing du Hub) ; " if L == "fr"
                    else f"{sep(level)} models at end 2025, {x(ratio)} in 12 months (Hub listing); ")
        else:
            head = ""
        return head + (f"série partielle (modèles avec tâche, depuis mars 2022) : {x(p_ratio)} de déc. 2024 à déc. 2025, {sep(p_level)} modèles"
                       if L == "fr" else
                       f"partial series (task-tagged models since Mar 2022): {x(p_ratio)} Dec 2024 to Dec 2025, {sep(p_level)} models")

    def evidence(L):
        if level is None:
            return ("Le niveau de 2 millions demande un listing complet du Hub (make fetch-hub) ; la série épinglée ne compte que les modèles "
                    "avec une tâche et démarre en mars 2022, sa croissance n'est pas celle du Hub" if L == "fr" else
                    "The 2-million level needs a full Hub listing (make fetch-hub); the pinned series counts only task-tagged models "
                    "from March 2022, so its growth is not the Hub's")
        return (f"Listing du Hub : niveau fin 2025 comparé à 2 millions et rapport sur 12 mois comparé à ×{C4_NEARLY_DOUBLE}".replace(".", ",")
                if L == "fr" else
                f"Hub listing: end-2025 level against 2 million and 12-month ratio against ×{C4_NEARLY_DOUBLE}")

    return Check("C4", verdict, _both(value), _both(evidence), nums)


def check_c5(inp: Inputs) -> Check:
    """The most downloaded models are all Chinese: Chinese models among the top :data:`C5_TOP_N`."""
    counts = _view_top_counts(inp.top100, C5_TOP_N)
    verdict = verdict_all_top(counts, "China", C5_TOP_N)
    ranked = inp.top100.sort_values("rank")
    run = {}
    for view, col in (("aiworld", "aiworld_group"), ("lineage", "lineage_group")):
        not_china = (ranked[col].astype(str) != "China").to_numpy()
        run[view] = int(not_china.argmax()) if not_china.any() else len(ranked)
    china = {v: c.get("China", 0) for v, c in counts.items()}
    nums = {f"china_top_{v}": float(x) for v, x in china.items()} | {f"leading_run_{v}": float(x) for v, x in run.items()}
    return Check(
        "C5", verdict,
        _both(lambda L: (
            _view_text(china, L, lambda x: f"{x}/{C5_TOP_N}") + (" chinois" if L == "fr" else " Chinese")
        )),
        _both(lambda L: (
            f"Les {C5_TOP_N} modèles les plus téléchargés du top 100 aiWorld 2025 ; les {run['aiworld']} premiers sont chinois "
            f"selon aiWorld ({run['lineage']} par labo du modèle de base)"
            if L == "fr" else
            f"The {C5_TOP_N} most downloaded models of aiWorld's 2025 top 100; the first {run['aiworld']} are Chinese "
            f"per aiWorld ({run['lineage']} by base-model lab)"
        )),
        nums,
    )


def check_c6(inp: Inputs) -> Check:
    """Most open models in use are Chinese: China's download share (a proxy for use) > 50 %."""
    views = _view_shares(inp.top100)
    verdict = verdict_majority(views, "China", C6_MAJORITY)
    china = {v: g.get("China", 0.0) for v, g in views.items()}
    return Check(
        "C6", verdict,
        _both(lambda L: ("Chine " if L == "fr" else "China ") + _view_text(china, L, lambda x: pct(x, L))),
        _both(lambda L: (
            f"Téléchargements du top 100 aiWorld 2025 comme mesure de l'usage ; « la plupart » = plus de {pct(C6_MAJORITY, L, 0)}"
            if L == "fr" else
            f"Downloads of aiWorld's 2025 top 100 as a proxy for use; 'most' = more than {pct(C6_MAJORITY, L, 0)}"
        )),
        {f"china_{v}": x for v, x in china.items()},
    )


def check_c7(inp: Inputs) -> Check:
    """DeepSeek first but increasingly shared with Qwen: open-weight OpenRouter tokens by quarter
    of 2025, and Hub downloads of aiWorld's top 100 by base-model lab."""
    q = open_weight_lab_shares(inp.openrouter_daily, 2025)
    share = q.pivot(index="quarter", columns="lab", values="share").fillna(0.0)
    last, first = share.index.max(), share.index.min()
    leader = q.loc[q["quarter"] == last].iloc[0]["lab"]
    ds = share.get("DeepSeek", pd.Series(0.0, index=share.index))
    qw = share.get("Qwen", pd.Series(0.0, index=share.index))
    shared = bool(ds.max() - ds[last] >= C7_DECLINE_POINTS and qw[last] > qw[first])
    hub = inp.top100.groupby(inp.top100["base_lab"].astype(str))["downloads"].sum()
    hub = hub.sort_values(ascending=False, kind="mergesort")
    hub_share = hub / hub.sum()
    hub_leader = hub.index[0]
    verdict = verdict_dominant_but_shared(leader == "DeepSeek", shared, hub_leader == "DeepSeek")
    peak_q = ds.idxmax()
    nums = {"deepseek_last": ds[last], "deepseek_peak": ds.max(), "qwen_first": qw[first], "qwen_last": qw[last],
            "hub_deepseek": hub_share.get("DeepSeek", 0.0), "hub_qwen": hub_share.get("Qwen", 0.0)}
    return Check(
        "C7", verdict,
        _both(lambda L: (
            f"OpenRouter, jetons ouverts {quarter_label(last, L)} : 1er {leader}, DeepSeek {pct(ds[last], L)} (pic {pct(ds.max(), L)} au {quarter_label(peak_q, L)}), "
            f"Qwen {pct(qw[first], L)} → {pct(qw[last], L)} ; Hub : 1er {hub_leader} {pct(hub_share.iloc[0], L)}, "
            f"DeepSeek {pct(nums['hub_deepseek'], L)}"
            if L == "fr" else
            f"OpenRouter open-weight tokens {quarter_label(last, L)}: first {leader}, DeepSeek {pct(ds[last], L)} (peak {pct(ds.max(), L)} in {quarter_label(peak_q, L)}), "
            f"Qwen {pct(qw[first], L)} → {pct(qw[last], L)}; Hub: first {hub_leader} {pct(hub_share.iloc[0], L)}, "
            f"DeepSeek {pct(nums['hub_deepseek'], L)}"
        )),
        _both(lambda L: (
            f"Part de chaque labo dans tous les jetons de modèles ouverts d'OpenRouter par trimestre 2025, et dans les téléchargements "
            f"du top 100 aiWorld par labo du modèle de base ; « partagé » = DeepSeek {C7_DECLINE_POINTS * 100:.0f} points sous son pic "
            f"et Qwen en hausse"
            if L == "fr" else
            f"Each lab's share of all open-weight OpenRouter tokens per quarter of 2025, and of aiWorld's top-100 downloads by "
            f"base-model lab; 'shared' = DeepSeek {C7_DECLINE_POINTS * 100:.0f} points below its peak and Qwen rising"
        )),
        nums,
    )


C8_LISTINGS = (EventSpec("Zhipu IPO", "2026-01-08"), EventSpec("MiniMax IPO", "2026-01-09"))


def check_c8(inp: Inputs) -> Check:
    """Z.ai and MiniMax emerge and list in Hong Kong: token shares Q1 vs Q4 2025 + listing events."""
    d = inp.openrouter_daily
    growth_ok, vals = {}, {}
    for lab in ("Z.ai", "MiniMax"):
        mask = d["lab"].eq(lab)
        q1, q4 = lab_share_of_all(d, mask, "2025Q1"), lab_share_of_all(d, mask, "2025Q4")
        vals[lab] = (q1, q4)
        growth_ok[lab] = q4 >= C8_MIN_SHARE and q4 > C8_GROWTH * q1
    ev_verdict, notes = verdict_events(inp.events, C8_LISTINGS)
    conditions = {"Z.ai": growth_ok["Z.ai"], "MiniMax": growth_ok["MiniMax"], "listings": ev_verdict == SUPPORTED}
    verdict = verdict_all_conditions(conditions, required_for_any=("Z.ai", "MiniMax"))
    nums = {f"{lab}_{q}": v for lab, (a, b) in vals.items() for q, v in (("q1", a), ("q4", b))}
    listing_dates = {"fr": "cotations le 8 et le 9 janv. 2026", "en": "listings on 8 and 9 Jan 2026"}
    return Check(
        "C8", verdict,
        _both(lambda L: (" ; " if L == "fr" else "; ").join(f"{lab} {pct(a, L, 2)} → {pct(b, L, 2)}" for lab, (a, b) in vals.items())
              + (" des jetons (T1 → T4 2025) ; " if L == "fr" else " of tokens (Q1 → Q4 2025); ") + listing_dates[L]),
        _both(lambda L: (
            f"Part de tous les jetons OpenRouter ; « émerge » = au moins {pct(C8_MIN_SHARE, L, 0)} au T4 2025 et plus du double du T1 ; "
            f"cotations : lignes de events.csv avec source" + (f" ({' ; '.join(n[L] for n in notes)})" if notes else "")
            if L == "fr" else
            f"Share of all OpenRouter tokens; 'emerging' = at least {pct(C8_MIN_SHARE, L, 0)} in Q4 2025 and more than twice Q1; "
            f"listings: events.csv rows with a source" + (f" ({'; '.join(n[L] for n in notes)})" if notes else "")
        )),
        nums,
    )


def _event_check(claim_id: str, inp: Inputs, specs: tuple[EventSpec, ...], value: dict[str, str], caveat: dict[str, str]) -> Check:
    verdict, notes = verdict_events(inp.events, specs)
    rows = inp.events.loc[inp.events["label_short"].isin([s.label_short for s in specs])]
    sources = "; ".join(sorted(set(rows["source_url"])))

    def evidence(L):
        head = "Lignes de data/reference/events.csv (date, source, confirmation) : " if L == "fr" else \
            "Rows of data/reference/events.csv (date, source, confirmation): "
        tail = "".join((" ; " if L == "fr" else "; ") + n[L] for n in notes)
        return head + sources + tail + (" ; " if L == "fr" else "; ") + caveat[L]

    return Check(claim_id, verdict, value, _both(evidence), {"events_found": float(len(rows))})


def check_c9(inp: Inputs) -> Check:
    """R1 (Jan 2025) then the 27 Jan 2025 market drop: event rows; the drop's size is not data."""
    specs = (EventSpec("R1", "2025-01", "month"), EventSpec("Market drop", "2025-01-27"))
    r1 = inp.events.loc[inp.events["label_short"] == "R1", "date"]
    value = _both(lambda L: (
        (f"R1 le {day(r1.iloc[0], L)} ; baisse le 27 janv. 2025" if L == "fr" else f"R1 on {day(r1.iloc[0], L)}; drop on 27 Jan 2025")
        if len(r1) else ("R1 absent de events.csv" if L == "fr" else "R1 missing from events.csv")
    ))
    caveat = {"fr": "l'ampleur (> 1 000 Md$) vient de la source de l'événement, aucune donnée épinglée ne la mesure",
              "en": "the size (> 1,000 bn dollars) comes from the event's source; no pinned data measures it"}
    return _event_check("C9", inp, specs, value, caveat)


def check_c10(inp: Inputs) -> Check:
    """Airbnb relies on Qwen (October 2025): the event row (month precision)."""
    specs = (EventSpec("Airbnb/Qwen", "2025-10", "month"),)
    value = {"fr": "octobre 2025 (entretien de Brian Chesky)", "en": "October 2025 (Brian Chesky interview)"}
    caveat = {"fr": "l'ampleur de l'usage n'est pas mesurable ici", "en": "how much Airbnb uses Qwen is not measurable here"}
    return _event_check("C10", inp, specs, value, caveat)


def check_c11(inp: Inputs) -> Check:
    """DeepSeek's New Year's Eve paper (mHC, arXiv 2512.24880): the event row."""
    specs = (EventSpec("mHC", "2025-12-31"),)
    value = {"fr": "mHC, arXiv 2512.24880, 31 déc. 2025", "en": "mHC, arXiv 2512.24880, 31 Dec 2025"}
    caveat = {"fr": "le besoin moindre en calcul est une affirmation de l'article scientifique, non vérifiée ici",
              "en": "the lower compute is the paper's claim, not checked here"}
    return _event_check("C11", inp, specs, value, caveat)


def check_c12(inp: Inputs) -> Check:
    """A new Chinese model almost every week: weeks of 2025 with a new repo by a Chinese lab."""
    cov = hubstats.week_coverage(inp.org_weeks, "group", 2025)
    row = cov.loc[cov["group"] == "China"]
    if row.empty:
        raise ClaimsError("C12: no Chinese lab in aiWorld's weekly records")
    row = row.iloc[0]
    share = float(row["share"])
    verdict = verdict_week_coverage(share, C12_SUPPORTED, C12_PARTLY)
    n, of = int(row["weeks_with_new_model"]), int(row["weeks_observed"])
    labs_cn = int(inp.org_weeks.loc[inp.org_weeks["group"] == "China", "lab"].nunique())
    return Check(
        "C12", verdict,
        _both(lambda L: (f"{n} semaines sur {of} ({pct(share, L, 0)}) en 2025" if L == "fr" else f"{n} of {of} weeks ({pct(share, L, 0)}) in 2025")),
        _both(lambda L: (
            f"Semaines du {day(row['first_week'], L)} au {day(row['last_week'], L)} où au moins un des {labs_cn} labos chinois suivis par "
            f"aiWorld a créé un dépôt de modèle (copies quantifiées comprises) ; seuil {pct(C12_SUPPORTED, L, 0)}"
            if L == "fr" else
            f"Weeks {day(row['first_week'], L)}–{day(row['last_week'], L)} in which at least one of the {labs_cn} Chinese labs aiWorld "
            f"tracks created a model repository (quantized copies included); threshold {pct(C12_SUPPORTED, L, 0)}"
        )),
        {"share": share, "weeks": float(n), "weeks_observed": float(of)},
    )


def check_c13(inp: Inputs) -> Check:
    """Meta/NVIDIA open, US closed labs lead: open-weight tokens in 2025; Q4 2025 usage shares."""
    d = inp.openrouter_daily
    in_2025 = pd.to_datetime(d["date"]).dt.year.eq(2025)
    investors = {lab: bool(d.loc[in_2025 & d["lab"].eq(lab) & d["openness"].eq("open"), "tokens"].sum() > 0) for lab in ("Meta", "NVIDIA")}
    us_closed = lab_share_of_all(d, d["lab"].isin(US_CLOSED_LABS) & d["openness"].eq("closed"), "2025Q4")
    china = lab_share_of_all(d, d["group"].eq(shares.CHINA) & d["status"].eq(shares.ATTRIBUTED), "2025Q4")
    closed_all = lab_share_of_all(d, d["openness"].eq("closed"), "2025Q4")
    verdict = verdict_usage_consistent(investors, us_closed, china)
    yes = {"fr": ("oui", "non"), "en": ("yes", "no")}
    return Check(
        "C13", verdict,
        _both(lambda L: (
            f"T4 2025 : OpenAI+Google+Anthropic fermés {pct(us_closed, L)}, tous modèles fermés {pct(closed_all, L)}, labos chinois "
            f"{pct(china, L)} ; jetons ouverts en 2025 : Meta {yes[L][not investors['Meta']]}, NVIDIA {yes[L][not investors['NVIDIA']]}"
            if L == "fr" else
            f"Q4 2025: OpenAI+Google+Anthropic closed {pct(us_closed, L)}, all closed models {pct(closed_all, L)}, Chinese labs "
            f"{pct(china, L)}; open-weight tokens in 2025: Meta {yes[L][not investors['Meta']]}, NVIDIA {yes[L][not investors['NVIDIA']]}"
        )),
        _both(lambda L: (
            "Parts de tous les jetons OpenRouter (bas de fourchette) ; l'avance à la frontière porte sur les capacités, qu'aucune donnée "
            "épinglée ne mesure : l'usage peut au mieux la soutenir en partie"
            if L == "fr" else
            "Shares of all OpenRouter tokens (low end); the frontier lead is about capability, which no pinned data measures: "
            "usage can at most partly support it"
        )),
        {"us_closed": us_closed, "closed_all": closed_all, "china": china},
    )


CHECKS = {
    "C1": check_c1, "C2": check_c2, "C3": check_c3, "C4": check_c4, "C5": check_c5, "C6": check_c6, "C7": check_c7,
    "C8": check_c8, "C9": check_c9, "C10": check_c10, "C11": check_c11, "C12": check_c12, "C13": check_c13,
}


# ------------------------------------------------------------------------------- reference and product


def load_reference(path: Path | None = None) -> pd.DataFrame:
    """``data/reference/claims.csv``: exactly C1–C13, every field filled, https source URLs."""
    path = Path(path) if path is not None else REFERENCE
    df = read_exact_csv(path, REFERENCE_COLUMNS, error=ClaimsError)
    for i, row in df.iterrows():
        for col in REFERENCE_COLUMNS:
            if not row[col].strip():
                raise ClaimsError(f"{path}: data row {i + 1} ({row['claim_id'] or '?'}), field {col!r} is empty; fill it")
        if not row["source_url"].startswith("https://"):
            raise ClaimsError(f"{path}: data row {i + 1} ({row['claim_id']}), field 'source_url' is not an https URL")
        if not re.fullmatch(r"figures/[0-9]{2}-[a-z0-9-]+/[A-Za-z0-9_.-]+\.svg", row["figure"]):
            raise ClaimsError(f"{path}: data row {i + 1} ({row['claim_id']}), field 'figure' must be figures/NN-slug/name.svg")
    if tuple(df["claim_id"]) != CLAIM_IDS:
        raise ClaimsError(f"{path}: claim_id must be exactly {list(CLAIM_IDS)} in that order, found {df['claim_id'].tolist()}")
    return df


def run_checks(inp: Inputs, claim_ids: tuple[str, ...] = CLAIM_IDS) -> dict[str, Check]:
    """Every check, in claim order."""
    return {cid: CHECKS[cid](inp) for cid in claim_ids}


def product(checks: dict[str, Check], reference: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The table behind ``data/processed/claims.csv``: :data:`PRODUCT_COLUMNS`, one row per claim.

    ``claim`` and the texts are in ``lang``; ``evidence`` ends with the figure that shows it.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    ref = reference.set_index("claim_id")
    missing = [c for c in ref.index if c not in checks]
    if missing:
        raise ClaimsError(f"no check result for {missing}; run every check")
    fig_word = "figure : " if lang == "fr" else "figure: "
    rows = [
        {
            "claim_id": cid,
            "claim": ref.at[cid, f"claim_{lang}"],
            "article_value": ref.at[cid, "article_value"],
            "our_value": checks[cid].our_value[lang],
            "verdict": checks[cid].verdict,
            "evidence": f"{checks[cid].evidence[lang]} ({fig_word}{ref.at[cid, 'figure']})",
        }
        for cid in ref.index
    ]
    return pd.DataFrame(rows, columns=list(PRODUCT_COLUMNS))


def write_product(table: pd.DataFrame, output_root: str | Path | None = None) -> Path:
    """Write ``<output_root or repo>/data/processed/claims.csv`` (``\\n`` line ends, unchanged bytes kept)."""
    if tuple(table.columns) != PRODUCT_COLUMNS:
        raise ClaimsError(f"claims product has columns {list(table.columns)}; expected {list(PRODUCT_COLUMNS)}")
    root = Path(output_root) if output_root else paths.ROOT
    return plotting.write_csv(table, root / "data" / "processed" / "claims.csv")


__all__ = [
    "VERDICTS", "SUPPORTED", "PARTLY", "CONTRADICTED", "NOT_CHECKABLE", "CLAIM_IDS", "PRODUCT_COLUMNS", "REFERENCE_COLUMNS",
    "Check", "Inputs", "EventSpec", "ClaimsError", "CHECKS",
    "verdict_period_absent", "verdict_threshold", "verdict_leader", "verdict_majority", "verdict_all_top",
    "verdict_dominant_but_shared", "verdict_all_conditions", "verdict_events", "verdict_week_coverage",
    "verdict_hub_growth", "verdict_usage_consistent", "verdict_estimate_band",
    "open_weight_lab_shares", "lab_share_of_all", "org_weeks_with_group",
    "load_reference", "run_checks", "product", "write_product",
]
