"""Aggregations of Hugging Face download and release data for notebooks 02 and 03.

Why: the notebooks must only call tested functions. Everything here is pure (frames in, frames
out), vectorized and deterministic (explicit sort orders), and conserves what it aggregates:
every download or model counted lands in exactly one group, and the functions check it.

Two inputs:

- a *top-models frame* (aiWorld's top 100 or a live Hub listing) after
  :func:`modelrace.attribution.attribute_hub`: one row per model, ``downloads`` and group columns;
- aiWorld's *weekly lab records* (:func:`modelrace.load.aiworld_org_weeks`): one row per lab and
  week with activity, labelled by ``week_date`` (aiWorld's week label, a Wednesday). Its
  ``downloads_week`` is a **creation-cohort** measure: the downloads, counted when the file was
  built, of the repositories created that week, not the downloads that happened that week.
"""

from __future__ import annotations

import pandas as pd

from .validate import InputError

# The project's country groups, in the order charts and tables list them.
GROUPS = ("China", "United States", "Europe", "Rest of the world", "Individual", "Unattributed")

# aiWorld's ``country_group`` labels (top-100 file, 2025-12 vintage) → the project's groups.
# aiWorld calls individual uploaders "user".
AIWORLD_COUNTRY_GROUPS = {
    "China": "China",
    "United States of America": "United States",
    "Europe": "Europe",
    "Rest of the world": "Rest of the world",
    "user": "Individual",
}

# aiWorld's lab regions (orgs.json) and the project group each one corresponds to when compared.
AIWORLD_REGIONS = ("China", "North America", "Europe")
REGION_AS_GROUP = {"China": "China", "North America": "United States", "Europe": "Europe"}


def _order(values, preferred=GROUPS) -> list:
    """Known groups in their canonical order, then any other value alphabetically."""
    present = list(dict.fromkeys(values))
    return [g for g in preferred if g in present] + sorted(v for v in present if v not in preferred)


def _check_columns(df: pd.DataFrame, cols, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(f"{what}: missing column(s) {missing}; have {list(df.columns)}")


def _check_counts(df: pd.DataFrame, value_col: str, id_col: str | None, what: str) -> None:
    values = df[value_col]
    bad = values.isna() | (values < 0)
    if bad.any():
        who = df.loc[bad, id_col].head(5).tolist() if id_col and id_col in df.columns else df.index[bad][:5].tolist()
        raise InputError(f"{what}: {int(bad.sum())} row(s) with a missing or negative {value_col!r} (e.g. {who}); fix the input")


def _check_groups(df: pd.DataFrame, group_col: str, id_col: str | None, what: str) -> None:
    bad = df[group_col].isna() | (df[group_col].astype("string").str.strip() == "")
    if bad.any():
        who = df.loc[bad, id_col].head(5).tolist() if id_col and id_col in df.columns else df.index[bad][:5].tolist()
        raise InputError(
            f"{what}: {int(bad.sum())} row(s) without a {group_col!r} (e.g. {who}); "
            "every row needs a group ('Unattributed' is one)"
        )


# --- the top models ------------------------------------------------------------------------


def aiworld_group(country_group: pd.Series) -> pd.Series:
    """aiWorld's ``country_group`` labels as the project's groups; an unknown label is an error."""
    mapped = country_group.map(AIWORLD_COUNTRY_GROUPS)
    unknown = mapped.isna()
    if unknown.any():
        raise InputError(
            f"aiWorld country_group: unknown label(s) {sorted(country_group[unknown].astype(str).unique())} "
            f"at row(s) {country_group.index[unknown][:5].tolist()}; add them to hubstats.AIWORLD_COUNTRY_GROUPS"
        )
    return mapped.astype("string")


def top_models(listing: pd.DataFrame, n: int, measure: str = "downloads") -> pd.DataFrame:
    """The ``n`` models with the most ``measure``, ties broken by ``model_id``, with ``rank``.

    A model without a count cannot be ranked: if one would fall inside the top ``n`` (fewer than
    ``n`` counted models), that is an error rather than a silent gap.
    """
    _check_columns(listing, ["model_id", measure], "top_models")
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    ordered = listing.drop(columns=["rank"], errors="ignore").sort_values([measure, "model_id"], ascending=[False, True], na_position="last", kind="mergesort")
    top = ordered.head(n).reset_index(drop=True)
    _check_counts(top, measure, "model_id", "top_models")
    top.insert(0, "rank", range(1, len(top) + 1))
    return top


def share_by_group(df: pd.DataFrame, group_col: str, value_col: str = "downloads", *, id_col: str = "model_id") -> pd.DataFrame:
    """``group, <value_col>, share``: each row's value summed into its one group; shares sum to 1."""
    _check_columns(df, [group_col, value_col], "share_by_group")
    _check_groups(df, group_col, id_col, "share_by_group")
    _check_counts(df, value_col, id_col, "share_by_group")
    sums = df.groupby(df[group_col].astype(str), sort=False)[value_col].sum()
    total = df[value_col].sum()
    if int(sums.sum()) != int(total):
        raise AssertionError(f"share_by_group: groups hold {sums.sum()} of {total} {value_col}")
    if total <= 0:
        raise InputError(f"share_by_group: the {value_col!r} total is {total}; nothing to share")
    out = sums.reindex(_order(sums.index)).rename(value_col).rename_axis("group").reset_index()
    out[value_col] = out[value_col].astype("int64")
    out["share"] = out[value_col] / float(total)
    return out


def shares_by_view(df: pd.DataFrame, views: dict[str, str], value_col: str = "downloads") -> pd.DataFrame:
    """``view, group, <value_col>, share`` for several group columns of one frame.

    ``views`` maps a view name (e.g. "aiworld", "uploader", "lineage") to its group column. Every
    view lists the same groups (absent ones with 0) so charts and CSVs line up.
    """
    parts = {view: share_by_group(df, col, value_col) for view, col in views.items()}
    groups = _order([g for p in parts.values() for g in p["group"]])
    rows = []
    for view, part in parts.items():
        full = part.set_index("group").reindex(groups)
        full[value_col] = full[value_col].fillna(0).astype("int64")
        full["share"] = full["share"].fillna(0.0)
        rows.append(full.reset_index().assign(view=view))
    out = pd.concat(rows, ignore_index=True)[["view", "group", value_col, "share"]]
    return out


def agreement(df: pd.DataFrame, ours: str, theirs: str, id_col: str = "model_id") -> tuple[float, pd.DataFrame]:
    """Share of rows where the two group columns agree, and the disagreeing rows (``id, ours, theirs``)."""
    _check_columns(df, [id_col, ours, theirs], "agreement")
    if df.empty:
        raise InputError("agreement: no rows to compare")
    for col in (ours, theirs):
        _check_groups(df, col, id_col, "agreement")
    same = df[ours].astype(str).to_numpy() == df[theirs].astype(str).to_numpy()
    diff = df.loc[~same, [id_col, ours, theirs]].sort_values([ours, theirs, id_col], kind="mergesort").reset_index(drop=True)
    return float(same.mean()), diff


def group_counts_in_top(df: pd.DataFrame, n: int, group_col: str, measure: str = "downloads") -> pd.Series:
    """How many of the ``n`` most downloaded models fall in each group (canonical order)."""
    top = top_models(df, n, measure)
    _check_groups(top, group_col, "model_id", "group_counts_in_top")
    counts = top[group_col].astype(str).value_counts()
    return counts.reindex(_order(counts.index)).astype("int64")


# --- aiWorld's weekly lab records ----------------------------------------------------------


def week_weekday(weeks: pd.DataFrame) -> int:
    """The one weekday (0 = Monday) aiWorld labels its weeks with; mixed labels are an error."""
    _check_columns(weeks, ["week_date"], "weekly records")
    days = weeks["week_date"].dt.day_of_week.unique()
    if len(days) != 1:
        raise InputError(f"weekly records: week_date falls on several weekdays {sorted(int(d) for d in days)}; expected one label day per week")
    return int(days[0])


def week_grid(weeks: pd.DataFrame, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None) -> pd.DatetimeIndex:
    """Every week label between ``start`` and ``end`` (default: the data's span), gaps included.

    aiWorld only writes a row for a lab's active weeks, so inactive weeks must be added back
    before counting weeks or rolling over them.
    """
    weekday = week_weekday(weeks)
    first = weeks["week_date"].min() if start is None else pd.Timestamp(start)
    last = weeks["week_date"].max() if end is None else pd.Timestamp(end)
    first = first + pd.Timedelta(days=(weekday - first.day_of_week) % 7)  # first label day on or after start
    return pd.date_range(first, last, freq="7D", name="week_date")


def creation_quarter(week_date: pd.Series) -> pd.Series:
    """The calendar quarter of a creation week, as "2025-Q1", by the week's label date."""
    q = week_date.dt.to_period("Q")
    return (q.dt.year.astype(str) + "-Q" + q.dt.quarter.astype(str)).astype("string")


def cohort_shares(
    weeks: pd.DataFrame,
    group_col: str,
    *,
    period: str = "quarter",
    value_col: str = "downloads_week",
    start: str | None = None,
) -> pd.DataFrame:
    """``period, group, <value_col>, share`` by period of repository creation (shares sum to 1 per period).

    With ``downloads_week`` this is the downloads of each creation cohort, not the downloads that
    happened in the period. Periods whose total is 0 are dropped (no share is defined), and
    ``start`` (a date) drops earlier weeks; both are visible in the returned periods.
    """
    _check_columns(weeks, ["lab", "week_date", group_col, value_col], "cohort_shares")
    _check_groups(weeks, group_col, "lab", "cohort_shares")
    _check_counts(weeks, value_col, "lab", "cohort_shares")
    w = weeks if start is None else weeks[weeks["week_date"] >= pd.Timestamp(start)]
    if period == "quarter":
        label = creation_quarter(w["week_date"])
    elif period == "year":
        label = w["week_date"].dt.year.astype(str).astype("string")
    else:
        raise ValueError(f"period must be 'quarter' or 'year', not {period!r}")
    sums = w.groupby([label.rename("period"), w[group_col].astype(str).rename("group")])[value_col].sum()
    table = sums.unstack("group", fill_value=0)
    table = table[_order(table.columns)]
    totals = table.sum(axis=1)
    if int(totals.sum()) != int(w[value_col].sum()):
        raise AssertionError("cohort_shares: periods do not hold every count")
    table = table[totals > 0]
    long = table.stack().rename(value_col).reset_index()
    long[value_col] = long[value_col].astype("int64")
    long["share"] = long[value_col] / long.groupby("period")[value_col].transform("sum")
    group_rank = {g: i for i, g in enumerate(table.columns)}
    long = long.sort_values(["period", "group"], key=lambda s: s.map(group_rank) if s.name == "group" else s, kind="mergesort")
    return long.reset_index(drop=True)[["period", "group", value_col, "share"]]


def weekly_counts(
    weeks: pd.DataFrame,
    group_col: str,
    *,
    value_col: str = "models_week",
    start: str | None = None,
    end: str | None = None,
    window: int = 4,
) -> pd.DataFrame:
    """``week_date, group, <value_col>, rolling``: every week × group, inactive weeks as 0.

    ``rolling`` is the trailing ``window``-week mean (NaN until ``window`` weeks are in view).
    """
    _check_columns(weeks, ["lab", "week_date", group_col, value_col], "weekly_counts")
    _check_groups(weeks, group_col, "lab", "weekly_counts")
    _check_counts(weeks, value_col, "lab", "weekly_counts")
    grid = week_grid(weeks, start, end)
    inside = weeks[weeks["week_date"].isin(grid)]
    groups = _order(weeks[group_col].astype(str).unique())
    table = (
        inside.groupby(["week_date", inside[group_col].astype(str).rename("group")])[value_col].sum()
        .unstack("group", fill_value=0)
        .reindex(index=grid, columns=groups, fill_value=0)
    )
    rolling = table.rolling(window, min_periods=window).mean()
    long = table.stack().rename(value_col).to_frame()
    long["rolling"] = rolling.stack()  # pandas >= 3 keeps NaN when stacking
    long = long.reset_index()
    long[value_col] = long[value_col].astype("int64")
    rank = {g: i for i, g in enumerate(groups)}
    long = long.sort_values(["week_date", "group"], key=lambda s: s.map(rank) if s.name == "group" else s, kind="mergesort")
    return long.reset_index(drop=True)[["week_date", "group", value_col, "rolling"]]


def week_coverage(weeks: pd.DataFrame, group_col: str, year: int, *, value_col: str = "models_week") -> pd.DataFrame:
    """For each group, the share of ``year``'s observed weeks with at least one new model.

    Observed weeks: every week label in ``year`` up to the file's last week (a file built in
    December covers part of the year only). A week counts for a group when any of its labs has
    ``value_col`` > 0 that week. Columns: ``group, weeks_with_new_model, weeks_observed, share,
    first_week, last_week``.
    """
    _check_columns(weeks, ["lab", "week_date", group_col, value_col], "week_coverage")
    _check_groups(weeks, group_col, "lab", "week_coverage")
    _check_counts(weeks, value_col, "lab", "week_coverage")
    start = pd.Timestamp(year=year, month=1, day=1)
    end = min(pd.Timestamp(year=year, month=12, day=31), weeks["week_date"].max())
    if end < start:
        raise ValueError(f"week_coverage: the data end on {weeks['week_date'].max():%Y-%m-%d}, before {year}")
    grid = week_grid(weeks, start, end)
    active = weeks[(weeks[value_col] > 0) & weeks["week_date"].isin(grid)]
    per_group = active.groupby(active[group_col].astype(str))["week_date"].nunique()
    groups = _order(weeks[group_col].astype(str).unique())
    out = pd.DataFrame({"group": groups})
    out["weeks_with_new_model"] = out["group"].map(per_group).fillna(0).astype("int64")
    out["weeks_observed"] = len(grid)
    out["share"] = out["weeks_with_new_model"] / len(grid)
    out["first_week"] = grid[0]
    out["last_week"] = grid[-1]
    return out


def lab_cohort_downloads(weeks: pd.DataFrame, *, top: int, value_col: str = "downloads_week", other_label: str = "Other tracked labs") -> pd.DataFrame:
    """Downloads of each creation year's repositories by lab: ``year, lab, <value_col>, share``.

    The ``top`` labs by total ``value_col`` keep their name, the rest are summed into
    ``other_label`` (so every download stays in exactly one row per year). Sorted by year then
    the labs' overall rank.
    """
    _check_columns(weeks, ["lab", "week_date", value_col], "lab_cohort_downloads")
    _check_counts(weeks, value_col, "lab", "lab_cohort_downloads")
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    totals = weeks.groupby(weeks["lab"].astype(str))[value_col].sum()
    ranked = totals.reset_index().sort_values([value_col, "lab"], ascending=[False, True], kind="mergesort")["lab"].tolist()
    keep = ranked[:top]
    label = weeks["lab"].astype(str).where(weeks["lab"].astype(str).isin(keep), other_label)
    order = keep + ([other_label] if len(ranked) > top else [])
    sums = weeks.groupby([weeks["week_date"].dt.year.rename("year"), label.rename("lab")])[value_col].sum()
    table = sums.unstack("lab", fill_value=0).reindex(columns=order, fill_value=0)
    if int(table.to_numpy().sum()) != int(weeks[value_col].sum()):
        raise AssertionError("lab_cohort_downloads: labs do not hold every download")
    long = table.stack().rename(value_col).reset_index()
    long[value_col] = long[value_col].astype("int64")
    long["share"] = long[value_col] / long.groupby("year")[value_col].transform("sum")
    rank = {lab: i for i, lab in enumerate(order)}
    long = long.sort_values(["year", "lab"], key=lambda s: s.map(rank) if s.name == "lab" else s, kind="mergesort")
    return long.reset_index(drop=True)[["year", "lab", value_col, "share"]]


def lab_regions(orgs: pd.DataFrame, aiworld_labs: pd.DataFrame, labs: pd.DataFrame, weeks: pd.DataFrame) -> pd.DataFrame:
    """One row per lab of the weekly file: ``lab`` (aiWorld's id), ``region`` (aiWorld's),
    ``our_lab``, ``country``, ``group`` (the project's), ``region_as_group`` and ``agrees``.

    A lab of the weekly file missing from aiWorld's region table or from our mapping is an error
    naming it and the table to extend.
    """
    _check_columns(orgs, ["lab", "region"], "aiWorld orgs")
    _check_columns(aiworld_labs, ["aiworld_id", "lab"], "aiworld_labs.csv")
    _check_columns(labs, ["lab", "country", "group"], "labs.csv")
    ids = pd.DataFrame({"lab": sorted(weeks["lab"].astype(str).unique())})
    out = ids.merge(orgs[["lab", "region"]].astype({"lab": str}), on="lab", how="left", validate="one_to_one")
    if out["region"].isna().any():
        raise InputError(f"aiWorld orgs: no region for lab(s) {out.loc[out['region'].isna(), 'lab'].tolist()} of the weekly file; use the orgs file of the same vintage")
    unknown_region = ~out["region"].isin(AIWORLD_REGIONS)
    if unknown_region.any():
        raise InputError(f"aiWorld orgs: unknown region(s) {sorted(out.loc[unknown_region, 'region'].unique())}; add them to hubstats.AIWORLD_REGIONS/REGION_AS_GROUP")
    ours = aiworld_labs[["aiworld_id", "lab"]].astype(str).rename(columns={"aiworld_id": "lab", "lab": "our_lab"})
    out = out.merge(ours, on="lab", how="left", validate="one_to_one")
    if out["our_lab"].isna().any():
        raise InputError(f"data/reference/aiworld_labs.csv: no row for aiWorld lab id(s) {out.loc[out['our_lab'].isna(), 'lab'].tolist()}; add them")
    lab_table = labs[["lab", "country", "group"]].astype(str).rename(columns={"lab": "our_lab"})
    out = out.merge(lab_table, on="our_lab", how="left", validate="many_to_one")
    if out["group"].isna().any():
        raise InputError(f"data/reference/labs.csv: no row for lab(s) {out.loc[out['group'].isna(), 'our_lab'].tolist()}; add them")
    out["region_as_group"] = out["region"].map(REGION_AS_GROUP)
    out["agrees"] = out["region_as_group"] == out["group"]
    return out.astype({"region": "string", "country": "string", "group": "string", "region_as_group": "string"})
