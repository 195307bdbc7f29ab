"""Token shares of OpenRouter traffic by country group, lab and openness, per week or month.

Why: the article's headline ("Chinese models went from ~1 % of OpenRouter tokens in Dec 2024 to
more than 30 % in early Aug 2025") is a ratio whose value depends on two choices this module makes
explicit instead of hiding:

- **Denominator (the band).** OpenRouter's daily ``other`` row (every model outside the day's top
  50) cannot be attributed. Counted in the denominator it gives the *low* end of a share
  (``china / total``); left out it gives the *high* end (``china / (total - other)``).
  ``Unattributed`` top-50 tokens stay in both denominators.
- **Numerator (the definition).** ``china_tokens`` counts everything Chinese labs serve (closed
  Qwen-Max traffic too); ``china_open_tokens`` counts Chinese *open-weight* models only, the
  definition of the OpenRouter/a16z report. Attributed rows whose openness is unknown are not
  open-weight tokens (they are their own category in :func:`open_closed_split`).

Periods. Weeks start on Monday. The pinned pull misses two source days (2025-06-15 and
2025-07-15) and starts/ends mid-week, so a week with fewer than 7 days present is
**incomplete and excluded** from weekly series (a missing Sunday or Tuesday is 1/7 of the period
and changes the weekday/weekend mix). A calendar month is kept when the pull covers it from its
first to its last day even if a source day is missing (1/30 of the period; dropping June and
July 2025 would hide the run-up to the article's August figure); ``days_present`` and
``days_in_period`` flag it. Months the pull only partly covers (its last month) are excluded.

Every token goes to exactly one category: each attributed lab, ``Unattributed`` and the
``other`` row; :func:`check_conservation` proves, day by day, that they add up to the
publisher's daily total. Functions are pure, vectorised and return deterministically sorted
frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .validate import InputError

CHINA = "China"
ATTRIBUTED, UNATTRIBUTED, OTHER = "attributed", "unattributed", "other"
STATUSES = (ATTRIBUTED, UNATTRIBUTED, OTHER)
FREQUENCIES = ("week", "month")
DEFINITIONS = ("all-models", "open-weights-only")
# The Chinese labs the article names; chart 3 names them and every Chinese lab that reaches
# OWN_COLOUR_SHARE of all tokens in some period shown (chinese_labs_to_name); the rest is pooled.
NAMED_CHINESE_LABS = ("DeepSeek", "Qwen", "Moonshot AI", "Z.ai", "MiniMax")
OTHER_CHINESE_LABS = "Other Chinese labs"
OWN_COLOUR_SHARE = 0.02
# Openness categories (chart 4): every token lands in exactly one.
OPENNESS = ("open", "closed", "weights_unknown", "unattributed", "other")

REQUIRED_COLUMNS = ("date", "model_permaslug", "total_tokens", "lab", "group", "open_weights", "status")
TOKEN_COLUMNS = (
    "china_tokens", "china_open_tokens", "attributed_tokens", "unattributed_tokens", "other_tokens", "total_tokens",
)
WEEKLY_PRODUCT_COLUMNS = (
    "week_start", "china_tokens", "china_open_tokens", "attributed_tokens", "other_tokens", "total_tokens",
    "china_share_low", "china_share_high",
)


class ConservationError(ValueError):
    """Tokens by category do not add up to the publisher's daily total: a row was lost or doubled."""


# --- Published figures (typed once, with their citation) -----------------------------------

@dataclass(frozen=True)
class PublishedPoint:
    """A number someone published, to draw beside ours, never to compute with."""

    who: str  # "article" | "report"
    label_key: str  # translation key of its label
    value: float  # a share, 0..1
    date: str | None  # where it sits on the time axis (ISO); None = not tied to a date
    date_end: str | None  # for a level that holds over a span (drawn as a segment)
    source: str
    digits: int = 1  # decimals the publisher gave ("1 %" vs "1.2 %"), for the label


ARTICLE_SOURCE = "Les Echos, J. Boone, 2 Jan 2026 (crediting OpenRouter and a16z 'State of AI', Dec 2025)"
REPORT_SOURCE = (
    "M. Aubakirova, A. Atallah, C. Clark, J. Summerville, A. Midha, 'State of AI: An Empirical 100 Trillion "
    "Token Study with OpenRouter', OpenRouter / a16z, Dec 2025, arXiv 2601.10088"
)
# The article's two points (claims C1, C2). December 2024 predates the Data API (2025-01-01).
ARTICLE_POINTS = (
    PublishedPoint("article", "nb01_article_dec2024", 0.01, "2024-12-15", None, ARTICLE_SOURCE, digits=0),
    PublishedPoint("article", "nb01_article_aug2025", 0.30, "2025-08-04", None, ARTICLE_SOURCE, digits=0),
)
# The report's figures as press coverage quotes them; its definition is Chinese OPEN-WEIGHT
# tokens / all tokens, weekly. The peak's week is not given, so it is drawn as a level.
REPORT_POINTS = (
    PublishedPoint("report", "nb01_report_late2024", 0.012, "2024-12-05", None, REPORT_SOURCE),
    PublishedPoint("report", "nb01_report_peak", 0.30, "2025-01-01", "2025-12-31", REPORT_SOURCE, digits=0),
    PublishedPoint("report", "nb01_report_avg2025", 0.130, "2025-01-01", "2025-12-31", REPORT_SOURCE),
)


# --- Validation and the daily categories ---------------------------------------------------

def _check_attributed(df: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"attributed rows lack column(s) {missing}; pass the output of attribution.attribute_openrouter()")
    for col in ("date", "model_permaslug", "total_tokens", "lab", "group", "status"):
        bad = df.index[df[col].isna()]
        if len(bad):
            raise InputError(f"attributed rows: empty {col!r} at row(s) {list(bad[:5])}; fix the attribution tables")
    bad_status = ~df["status"].isin(STATUSES)
    if bad_status.any():
        raise InputError(
            f"attributed rows: status {sorted(df.loc[bad_status, 'status'].astype(str).unique())[:5]} "
            f"at row(s) {list(df.index[bad_status][:5])}; expected one of {STATUSES}"
        )
    if (df["total_tokens"] < 0).any():
        raise InputError(f"attributed rows: negative total_tokens at row(s) {list(df.index[df['total_tokens'] < 0][:5])}")
    dup = df.duplicated(["date", "model_permaslug"], keep=False)
    if dup.any():
        raise InputError(f"attributed rows: duplicate (date, model_permaslug) at row(s) {list(df.index[dup][:5])}; "
                         "a join in attribution doubled rows")


def _openness(df: pd.DataFrame) -> pd.Series:
    ow = df["open_weights"].astype("boolean")
    out = pd.Series("weights_unknown", index=df.index, dtype="object")
    out[ow.fillna(False).astype(bool)] = "open"
    out[(~ow).fillna(False).astype(bool)] = "closed"
    out[df["status"] == UNATTRIBUTED] = "unattributed"
    out[df["status"] == OTHER] = "other"
    return out


def daily_by_category(attributed: pd.DataFrame) -> pd.DataFrame:
    """Tokens per day and category ``(status, group, lab, openness)``: the one table every share derives from.

    ``openness`` is "open", "closed", "weights_unknown" (attributed, openness not known),
    "unattributed" or "other". Rows sorted by date, status, group, lab, openness.
    """
    _check_attributed(attributed)
    df = pd.DataFrame(
        {
            "date": pd.to_datetime(attributed["date"]),
            "status": attributed["status"].astype(str),
            "group": attributed["group"].astype(str),
            "lab": attributed["lab"].astype(str),
            "openness": _openness(attributed),
            "tokens": attributed["total_tokens"].astype("int64"),
        }
    )
    keys = ["date", "status", "group", "lab", "openness"]
    out = df.groupby(keys, sort=True, observed=True)["tokens"].sum().reset_index()
    return out.sort_values(keys, kind="mergesort").reset_index(drop=True)


def check_conservation(daily: pd.DataFrame, publisher_daily: pd.DataFrame) -> None:
    """Raise :class:`ConservationError` naming the first bad days unless categories add up per day.

    ``daily`` is :func:`daily_by_category`'s output; ``publisher_daily`` has ``date, total_tokens``
    (``load.openrouter_share_daily()``: frontier + open + unknown + other). A day present in one
    and not the other is an error too.
    """
    ours = daily.groupby("date")["tokens"].sum()
    theirs = publisher_daily.set_index(pd.to_datetime(publisher_daily["date"]))["total_tokens"].astype("int64")
    only_ours = ours.index.difference(theirs.index)
    only_theirs = theirs.index.difference(ours.index)
    if len(only_ours) or len(only_theirs):
        def fmt(idx):
            return [d.strftime("%Y-%m-%d") for d in idx[:5]]
        raise ConservationError(
            f"days differ: in the rankings but not the publisher's share file {fmt(only_ours)}, "
            f"in the share file but not the rankings {fmt(only_theirs)}; use the same vintage of both files"
        )
    diff = ours - theirs.reindex(ours.index)
    bad = diff[diff != 0]
    if len(bad):
        d = bad.index[0]
        raise ConservationError(
            f"tokens by category on {d:%Y-%m-%d} add up to {int(ours[d]):,}, the publisher's total is "
            f"{int(theirs[d]):,} (difference {int(bad.iloc[0]):+,}); {len(bad)} day(s) differ in all: "
            f"{[x.strftime('%Y-%m-%d') for x in bad.index[:5]]}. A row was dropped or doubled in attribution."
        )


def daily_totals(daily: pd.DataFrame) -> pd.DataFrame:
    """One row per day: the token columns every share needs (``TOKEN_COLUMNS``)."""
    china = daily["group"].eq(CHINA) & daily["status"].eq(ATTRIBUTED)
    parts = {
        "china_tokens": daily["tokens"].where(china, 0),
        "china_open_tokens": daily["tokens"].where(china & daily["openness"].eq("open"), 0),
        "attributed_tokens": daily["tokens"].where(daily["status"].eq(ATTRIBUTED), 0),
        "unattributed_tokens": daily["tokens"].where(daily["status"].eq(UNATTRIBUTED), 0),
        "other_tokens": daily["tokens"].where(daily["status"].eq(OTHER), 0),
        "total_tokens": daily["tokens"],
    }
    frame = pd.DataFrame(parts).assign(date=daily["date"])
    return frame.groupby("date", sort=True)[list(TOKEN_COLUMNS)].sum().astype("int64").reset_index()


# --- Periods --------------------------------------------------------------------------------

def check_frequency(frequency: str) -> str:
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {FREQUENCIES}, not {frequency!r}")
    return frequency


def period_start(dates: pd.Series, frequency: str) -> pd.Series:
    """Monday of the week, or first day of the month, of each date."""
    check_frequency(frequency)
    d = pd.to_datetime(dates).dt.normalize()
    if frequency == "week":
        return d - pd.to_timedelta(d.dt.day_of_week, unit="D")
    return d.dt.to_period("M").dt.start_time


def _days_in_period(starts: pd.Series, frequency: str) -> pd.Series:
    if frequency == "week":
        return pd.Series(7, index=starts.index, dtype="int64")
    return starts.dt.days_in_month.astype("int64")


def period_totals(totals: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Sum the daily token columns per period, with coverage flags.

    Columns: ``period_start``, the token columns, ``days_present``, ``days_in_period``,
    ``complete`` (every day present) and ``covered`` (the pull spans the whole period, even if a
    source day inside it is missing).
    """
    check_frequency(frequency)
    df = totals.assign(period_start=period_start(totals["date"], frequency))
    cols = [c for c in TOKEN_COLUMNS if c in df.columns]
    out = df.groupby("period_start", sort=True).agg(**{c: (c, "sum") for c in cols}, days_present=("date", "nunique")).reset_index()
    out["days_in_period"] = _days_in_period(out["period_start"], frequency)
    out["complete"] = out["days_present"].eq(out["days_in_period"])
    first, last = pd.to_datetime(totals["date"]).min(), pd.to_datetime(totals["date"]).max()
    period_end = out["period_start"] + pd.to_timedelta(out["days_in_period"] - 1, unit="D")
    out["covered"] = out["period_start"].ge(first) & period_end.le(last)
    return out


def add_band(periods: pd.DataFrame, numerator: str = "china_tokens", prefix: str = "china_share") -> pd.DataFrame:
    """Add ``<prefix>_low`` = numerator / total and ``<prefix>_high`` = numerator / (total - other)."""
    if numerator not in periods.columns:
        raise ValueError(f"numerator {numerator!r} is not a column; have {list(periods.columns)}")
    low_den = periods["total_tokens"]
    high_den = periods["total_tokens"] - periods["other_tokens"]
    empty = low_den.le(0) | high_den.le(0)
    if empty.any():
        where = periods.loc[empty].iloc[0]
        raise InputError(f"no tokens outside the 'other' row in the period starting {where.get('period_start', '?')}; "
                         "the share is undefined there: check the input file for that period")
    out = periods.copy()
    out[f"{prefix}_low"] = periods[numerator] / low_den
    out[f"{prefix}_high"] = periods[numerator] / high_den
    return out


def complete_weeks(periods: pd.DataFrame) -> pd.DataFrame:
    """The weeks with all 7 days present (see the module docstring for why)."""
    return periods.loc[periods["complete"]].reset_index(drop=True)


def chart_periods(periods: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """The periods a series shows: complete weeks, or months the pull covers end to end."""
    check_frequency(frequency)
    keep = periods["complete"] if frequency == "week" else periods["covered"]
    return periods.loc[keep].reset_index(drop=True)


def period_shares(totals: pd.DataFrame, frequency: str, *, definition: str = "all-models", all_periods: bool = False) -> pd.DataFrame:
    """The Chinese share band per period.

    ``china_share_low/high`` use the numerator of ``definition`` ("all-models": everything
    Chinese labs serve; "open-weights-only": Chinese open-weight models); ``china_open_share_*``
    always use the open-weight numerator. Only :func:`chart_periods` unless ``all_periods``.
    """
    if definition not in DEFINITIONS:
        raise ValueError(f"definition must be one of {DEFINITIONS}, not {definition!r}")
    periods = period_totals(totals, frequency)
    numerator = "china_tokens" if definition == "all-models" else "china_open_tokens"
    periods = add_band(periods, numerator, "china_share")
    periods = add_band(periods, "china_open_tokens", "china_open_share")
    return periods if all_periods else chart_periods(periods, frequency)


def weekly_product(totals: pd.DataFrame) -> pd.DataFrame:
    """``data/processed/openrouter_china_share_weekly.csv``: complete weeks, all-models band."""
    weeks = period_shares(totals, "week", definition="all-models")
    return weeks.rename(columns={"period_start": "week_start"})[list(WEEKLY_PRODUCT_COLUMNS)]


def weighted_share(totals: pd.DataFrame, start: str, end: str, numerator: str = "china_tokens") -> dict[str, float]:
    """Token-weighted share over ``[start, end]``: sum(numerator) / sum(total), low and high end."""
    d = pd.to_datetime(totals["date"])
    sel = totals.loc[d.between(pd.Timestamp(start), pd.Timestamp(end))]
    if sel.empty:
        raise ValueError(f"no data between {start} and {end}")
    num, tot, oth = (int(sel[c].sum()) for c in (numerator, "total_tokens", "other_tokens"))
    return {"low": num / tot, "high": num / (tot - oth), "days": int(sel["date"].nunique())}


def peak(periods: pd.DataFrame, column: str) -> tuple[pd.Timestamp, float]:
    """The period with the highest ``column`` (earliest on ties) and its value."""
    ordered = periods.sort_values([column, "period_start"], ascending=[False, True], kind="mergesort")
    row = ordered.iloc[0]
    return row["period_start"], float(row[column])


# --- Splits ---------------------------------------------------------------------------------

def _with_period_totals(frame: pd.DataFrame, totals: pd.DataFrame, frequency: str, key: str) -> pd.DataFrame:
    periods = chart_periods(period_totals(totals, frequency), frequency)[["period_start", "total_tokens"]]
    frame = frame.assign(period_start=period_start(frame["date"], frequency))
    summed = frame.groupby(["period_start", key], sort=True)["tokens"].sum().reset_index()
    return summed.merge(periods, on="period_start", how="inner")


def chinese_lab_category(lab: pd.Series, named: tuple[str, ...] = NAMED_CHINESE_LABS) -> pd.Series:
    """The ``named`` Chinese labs by name, every other Chinese lab pooled."""
    return lab.where(lab.isin(named), OTHER_CHINESE_LABS)


def chinese_labs_to_name(daily: pd.DataFrame, frequency: str, totals: pd.DataFrame | None = None,
                         threshold: float = OWN_COLOUR_SHARE) -> tuple[str, ...]:
    """The article's five labs, then every other Chinese lab above ``threshold`` of all tokens in
    some period shown (largest total first): the labs chart 3 draws by name, from the data.

    Why: a lab that serves 20 % of all tokens in a week must not hide in "other Chinese labs".
    """
    totals = daily_totals(daily) if totals is None else totals
    china = daily.loc[daily["group"].eq(CHINA) & daily["status"].eq(ATTRIBUTED)]
    per = _with_period_totals(china, totals, frequency, "lab")
    per = per.assign(share=per["tokens"] / per["total_tokens"])
    above = per.loc[(per["share"] > threshold) & ~per["lab"].isin(NAMED_CHINESE_LABS)]
    size = per.groupby("lab")["tokens"].sum()
    extra = sorted(set(above["lab"]), key=lambda lab: (-int(size[lab]), lab))
    return tuple(NAMED_CHINESE_LABS) + tuple(extra)


def lab_split(daily: pd.DataFrame, frequency: str, totals: pd.DataFrame | None = None,
              named: tuple[str, ...] = NAMED_CHINESE_LABS) -> pd.DataFrame:
    """Chinese tokens per period and lab category, as shares of ALL tokens (low-end denominator).

    Columns: ``period_start, lab, tokens, total_tokens, share``; every lab category appears in
    every period (0 when absent), in the order of ``named`` then the pool, so the stack adds up
    to the low end of the Chinese band. Pass :func:`chinese_labs_to_name` as ``named`` to name
    every lab large enough to be seen.
    """
    totals = daily_totals(daily) if totals is None else totals
    china = daily.loc[daily["group"].eq(CHINA) & daily["status"].eq(ATTRIBUTED)]
    china = china.assign(lab=chinese_lab_category(china["lab"], named))
    out = _with_period_totals(china, totals, frequency, "lab")
    order = list(named) + [OTHER_CHINESE_LABS]
    periods = chart_periods(period_totals(totals, frequency), frequency)[["period_start", "total_tokens"]]
    grid = periods.merge(pd.DataFrame({"lab": order}), how="cross")
    out = grid.merge(out.drop(columns="total_tokens"), on=["period_start", "lab"], how="left")
    out["tokens"] = out["tokens"].fillna(0).astype("int64")
    out["share"] = out["tokens"] / out["total_tokens"]
    out["lab"] = pd.Categorical(out["lab"], categories=order, ordered=True)
    out = out.sort_values(["period_start", "lab"], kind="mergesort").reset_index(drop=True)
    out["lab"] = out["lab"].astype(str)
    return out[["period_start", "lab", "tokens", "total_tokens", "share"]]


def open_closed_split(daily: pd.DataFrame, frequency: str, totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """All tokens per period by openness (``OPENNESS``), as shares summing to 1 in each period."""
    totals = daily_totals(daily) if totals is None else totals
    out = _with_period_totals(daily, totals, frequency, "openness")
    periods = chart_periods(period_totals(totals, frequency), frequency)[["period_start", "total_tokens"]]
    grid = periods.merge(pd.DataFrame({"openness": list(OPENNESS)}), how="cross")
    out = grid.merge(out.drop(columns="total_tokens"), on=["period_start", "openness"], how="left")
    out["tokens"] = out["tokens"].fillna(0).astype("int64")
    out["share"] = out["tokens"] / out["total_tokens"]
    out["openness"] = pd.Categorical(out["openness"], categories=list(OPENNESS), ordered=True)
    out = out.sort_values(["period_start", "openness"], kind="mergesort").reset_index(drop=True)
    out["openness"] = out["openness"].astype(str)
    return out[["period_start", "openness", "tokens", "total_tokens", "share"]]


def quarterly_lab_share_of_chinese_open(daily: pd.DataFrame, labs: tuple[str, ...] = ("DeepSeek", "Qwen")) -> pd.DataFrame:
    """Each lab's share of Chinese open-weight tokens per calendar quarter (claim C7).

    Columns: ``quarter`` ("2025Q1"), ``days_present``, ``chinese_open_tokens``, then per lab
    ``<lab>_tokens`` and ``<lab>_share``. A quarter the pull only partly covers is kept, with
    its ``days_present``.
    """
    d = daily.assign(quarter=pd.to_datetime(daily["date"]).dt.to_period("Q").astype(str))
    days = d.groupby("quarter")["date"].nunique().rename("days_present")
    co = d.loc[d["group"].eq(CHINA) & d["status"].eq(ATTRIBUTED) & d["openness"].eq("open")]
    out = pd.DataFrame(days).join(co.groupby("quarter")["tokens"].sum().rename("chinese_open_tokens")).fillna(0)
    for lab in labs:
        key = lab.lower().replace(" ", "_").replace(".", "")
        tok = co.loc[co["lab"].eq(lab)].groupby("quarter")["tokens"].sum()
        out[f"{key}_tokens"] = tok.reindex(out.index).fillna(0).astype("int64")
        out[f"{key}_share"] = out[f"{key}_tokens"] / out["chinese_open_tokens"].where(out["chinese_open_tokens"] > 0)
    out["chinese_open_tokens"] = out["chinese_open_tokens"].astype("int64")
    out["days_present"] = out["days_present"].astype("int64")
    return out.reset_index().sort_values("quarter", kind="mergesort").reset_index(drop=True)


def top_models(attributed: pd.DataFrame, start: str, end: str, n: int = 15) -> pd.DataFrame:
    """The ``n`` models with most tokens in ``[start, end]`` (the ``other`` row is not a model).

    ``share`` is of all tokens in the window, ``other`` row included. Ties broken by slug.
    """
    _check_attributed(attributed)
    d = pd.to_datetime(attributed["date"])
    win = attributed.loc[d.between(pd.Timestamp(start), pd.Timestamp(end))]
    if win.empty:
        raise ValueError(f"no OpenRouter rows between {start} and {end}; choose a window inside the data")
    total = int(win["total_tokens"].sum())
    models = win.loc[win["status"].ne(OTHER)]
    keys = ["model_permaslug", "lab", "group", "status"]
    models = pd.DataFrame({k: models[k].astype(str) for k in keys}).assign(
        open_weights=models["open_weights"].astype("boolean"), total_tokens=models["total_tokens"], date=models["date"])
    per = models.groupby(keys, sort=True, dropna=False).agg(
        tokens=("total_tokens", "sum"), open_weights=("open_weights", "first"), days=("date", "nunique")).reset_index()
    if per["model_permaslug"].duplicated().any():
        slug = per.loc[per["model_permaslug"].duplicated(), "model_permaslug"].iloc[0]
        raise InputError(f"slug {slug!r} is attributed to more than one lab in the window; attribution must be per slug")
    per["share"] = per["tokens"] / total
    per = per.sort_values(["tokens", "model_permaslug"], ascending=[False, True], kind="mergesort").head(n)
    per.insert(0, "rank", range(1, len(per) + 1))
    return per.reset_index(drop=True)[["rank", "model_permaslug", "lab", "group", "open_weights", "status", "days", "tokens", "share"]]


def attribution_coverage(attributed: pd.DataFrame, n: int = 10) -> tuple[float, pd.DataFrame]:
    """Share of non-``other`` tokens attributed to a lab, and the ``n`` largest unattributed slugs.

    The slug shares are of all non-``other`` tokens over the whole data.
    """
    _check_attributed(attributed)
    models = attributed.loc[attributed["status"].ne(OTHER), ["model_permaslug", "status", "total_tokens"]].astype(
        {"model_permaslug": str, "status": str})
    non_other = int(models["total_tokens"].sum())
    covered = int(models.loc[models["status"].eq(ATTRIBUTED), "total_tokens"].sum()) / non_other
    un = models.loc[models["status"].eq(UNATTRIBUTED)].groupby("model_permaslug")["total_tokens"].sum().reset_index()
    un = un.rename(columns={"total_tokens": "tokens"})
    un["share"] = un["tokens"] / non_other
    un = un.sort_values(["tokens", "model_permaslug"], ascending=[False, True], kind="mergesort").head(n)
    return covered, un.reset_index(drop=True)


# --- Annotations ----------------------------------------------------------------------------

def event_labels(events: pd.DataFrame, *, kinds: tuple[str, ...], start: str, end: str, min_gap_days: int = 7) -> pd.DataFrame:
    """Events to annotate: of ``kinds``, inside ``[start, end]``, those closer than ``min_gap_days``
    merged into one label ("V3.2-Exp / GLM-4.6") so vertical labels do not overprint.

    Columns: ``date`` (of the first event of a merged run), ``label``.
    """
    d = pd.to_datetime(events["date"])
    sel = events.loc[events["kind"].isin(kinds) & d.between(pd.Timestamp(start), pd.Timestamp(end))].copy()
    sel["date"] = pd.to_datetime(sel["date"])
    sel = sel.sort_values(["date", "label_short"], kind="mergesort").reset_index(drop=True)
    if sel.empty:
        return pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "label": pd.Series(dtype="object")})
    new_run = sel["date"].diff().dt.days.fillna(min_gap_days).ge(min_gap_days)
    run = new_run.cumsum()
    out = sel.groupby(run, sort=True).agg(date=("date", "first"), label=("label_short", " / ".join))
    return out.reset_index(drop=True)


# --- Tables the notebook prints ---------------------------------------------------------------

def period_coverage(periods_all: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """The periods left out of a series (incomplete) and those kept although a source day is
    missing: ``period_start, days_present, days_in_period, status`` ("left out" | "kept")."""
    left = periods_all.loc[~periods_all["period_start"].isin(shown["period_start"])].assign(status="left out")
    gaps = shown.loc[shown["days_present"] < shown["days_in_period"]].assign(status="kept")
    out = pd.concat([left, gaps], ignore_index=True)[["period_start", "days_present", "days_in_period", "status"]]
    return out.sort_values("period_start", kind="mergesort").reset_index(drop=True)


def share_product(periods: pd.DataFrame, frequency: str, definition: str) -> tuple[pd.DataFrame, str]:
    """The CSV behind the headline chart and its name: ``<frequency>_start``, the token columns and
    the band of ``definition`` (``openrouter_china_share_weekly.csv`` for the default run)."""
    suffix = {"week": "weekly", "month": "monthly"}[check_frequency(frequency)]
    cols = ["china_share_low", "china_share_high"] if definition == "all-models" else ["china_open_share_low", "china_open_share_high"]
    frame = periods.rename(columns={"period_start": f"{frequency}_start"})
    frame = frame[[f"{frequency}_start", "china_tokens", "china_open_tokens", "attributed_tokens", "other_tokens", "total_tokens"] + cols]
    if frequency == "week" and definition == "all-models" and list(frame.columns) != list(WEEKLY_PRODUCT_COLUMNS):
        raise AssertionError(f"the weekly product's columns changed: {list(frame.columns)}")
    name = f"openrouter_china_share_{suffix}" if definition == "all-models" else f"openrouter_china_open_share_{suffix}"
    return frame, name


def pooled_chinese_labs(daily: pd.DataFrame, named: tuple[str, ...]) -> pd.Series:
    """The labs inside "other Chinese labs": each one's share of all tokens in ``daily``, largest first."""
    pooled = daily.loc[daily["group"].eq(CHINA) & daily["status"].eq(ATTRIBUTED) & ~daily["lab"].isin(named)]
    tokens = pooled.groupby("lab")["tokens"].sum() / daily["tokens"].sum()
    return tokens.sort_values(ascending=False, kind="mergesort")


def publisher_crosscheck(daily: pd.DataFrame, totals: pd.DataFrame, publisher_monthly: pd.DataFrame, year: str) -> pd.DataFrame:
    """Our open-weight and unknown shares of all tokens per month of ``year`` beside the publisher's
    own classification (``load.openrouter_share_monthly()``): ``month, open_ours, open_publisher,
    unknown_ours`` (unattributed + openness unknown), ``unknown_publisher``."""
    pub = publisher_monthly.loc[publisher_monthly["month"].str.startswith(year)]
    ours = open_closed_split(daily, "month", totals)
    ours = ours.assign(month=ours["period_start"].dt.strftime("%Y-%m")).pivot(index="month", columns="openness", values="share")
    pub_total = pub["frontier_tokens"] + pub["open_tokens"] + pub["unknown_tokens"] + pub["other_tokens"]
    o = ours.reindex(pub["month"])
    return pd.DataFrame({
        "month": pub["month"].to_numpy(),
        "open_ours": o["open"].to_numpy(),
        "open_publisher": pub["open_share_low"].to_numpy(),
        "unknown_ours": (o["unattributed"] + o["weights_unknown"]).to_numpy(),
        "unknown_publisher": (pub["unknown_tokens"] / pub_total).to_numpy(),
    })


def definitions_product(periods: pd.DataFrame) -> pd.DataFrame:
    """The CSV behind the two-definitions chart: tokens, the all-models band and the open-weight band."""
    out = periods[["period_start", "china_tokens", "china_open_tokens", "other_tokens", "total_tokens"]].copy()
    out = out.join(add_band(periods, "china_tokens", "all_models_share")[["all_models_share_low", "all_models_share_high"]])
    return out.join(periods[["china_open_share_low", "china_open_share_high"]])
