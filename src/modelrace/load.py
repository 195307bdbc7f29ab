"""One loader per upstream format, each returning a tidy, typed, validated DataFrame.

Why: notebooks must not parse files themselves. Each loader reads only its declared pinned
file (materialized and checksum-verified by :mod:`modelrace.sources`) or, when given a
``snapshot``, a live fetch committed by :mod:`modelrace.openrouter` / :mod:`modelrace.hub`.
Column names are this project's (snake_case); upstream names are mapped in one place.
Malformed input raises :class:`modelrace.validate.InputError` naming file, row and field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import sources
from .validate import Column, InputError, conform

# The OpenRouter Data API starts on this date; nothing earlier can be genuine.
OPENROUTER_FIRST_DAY = "2025-01-01"
OTHER_SLUG = "other"


def _path(source_id: str, path: Path | None) -> Path:
    return Path(path) if path is not None else sources.raw_path(source_id)


def _read_csv(path: Path, **kw) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kw)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty; restore it (run `make data`)") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path}: not a well-formed CSV ({exc}); restore it (run `make data`)") from None


def _read_json_records(path: Path) -> pd.DataFrame:
    try:
        doc = json.loads(Path(path).read_text())
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}; restore it (run `make data`)") from None
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise InputError(f"{path}: expected a JSON array of objects; restore it (run `make data`)")
    return pd.DataFrame(doc)


# --- OpenRouter ---------------------------------------------------------------------------

RANKINGS_COLUMNS = [
    Column("date", "date", date_min=OPENROUTER_FIRST_DAY, date_max="2100-01-01"),
    Column("model_permaslug", "str"),
    Column("total_tokens", "int", min_value=0),
]


def openrouter_rankings(snapshot: str = "pinned", *, path: Path | None = None, today: str | None = None,
                        allow_incomplete: bool = False) -> pd.DataFrame:
    """Daily tokens per model: ``date, model_permaslug, total_tokens`` (int64, exact).

    ``snapshot="pinned"`` reads the pinned vintage; "latest" or a snapshot name/path reads a
    live fetch from ``data/snapshots/openrouter/``. Dates before the API's first day or after
    ``today`` (default: now) are errors, as are duplicate (date, model) rows.
    """
    if path is None and snapshot != "pinned":
        from .openrouter import CSV_NAME
        from .snapshots import resolve_snapshot

        path = resolve_snapshot("openrouter", snapshot, allow_incomplete=allow_incomplete) / CSV_NAME
    path = _path("openrouter_rankings_daily", path)
    cols = list(RANKINGS_COLUMNS)
    cols[0] = Column("date", "date", date_min=OPENROUTER_FIRST_DAY, date_max=today or pd.Timestamp.now().strftime("%Y-%m-%d"))
    raw = _read_csv(path, dtype={"total_tokens": "string"}, keep_default_na=False, na_values=[""])
    return conform(raw, cols, file=path, unique=("date", "model_permaslug"))


def openrouter_share_daily(*, path: Path | None = None) -> pd.DataFrame:
    """The publisher's daily totals: frontier/open/unknown/other tokens and the open-share band."""
    path = _path("openrouter_share_daily", path)
    cols = [Column("date", "date", date_min=OPENROUTER_FIRST_DAY)] + [
        Column(c, "int", min_value=0) for c in ("frontier_tokens", "open_tokens", "unknown_tokens", "other_tokens")
    ] + [Column("open_share_low", "float", min_value=0), Column("open_share_high", "float", min_value=0)]
    df = conform(_read_csv(path), cols, file=path, unique=("date",))
    df["total_tokens"] = df[["frontier_tokens", "open_tokens", "unknown_tokens", "other_tokens"]].sum(axis=1)
    return df


def openrouter_share_monthly(*, path: Path | None = None) -> pd.DataFrame:
    path = _path("openrouter_share_monthly", path)
    cols = [Column("month", "str", source_name="date")] + [
        Column(c, "int", min_value=0) for c in ("frontier_tokens", "open_tokens", "unknown_tokens", "other_tokens")
    ] + [Column("open_share_low", "float", min_value=0), Column("open_share_high", "float", min_value=0)]
    return conform(_read_csv(path), cols, file=path, unique=("month",))


def openrouter_by_lab(*, path: Path | None = None) -> pd.DataFrame:
    """The publisher's own lab aggregation (a cross-check, not an input to attribution)."""
    path = _path("openrouter_by_lab", path)
    cols = [Column("date", "date", date_min=OPENROUTER_FIRST_DAY), Column("lab", "str"), Column("tokens", "int", min_value=0)]
    return conform(_read_csv(path, keep_default_na=False, na_values=[""]), cols, file=path, unique=("date", "lab"))


# --- aiWorld (Hugging Face downloads) -----------------------------------------------------

TOP100_VINTAGES = {"2025-12": "aiworld_top100_2025", "2025-earlier": "aiworld_top100_2025_countries"}


def aiworld_top100(vintage: str = "2025-12", *, path: Path | None = None) -> pd.DataFrame:
    """aiWorld's 100 most downloaded models of 2025.

    Columns: ``rank`` (1 = most downloaded), ``model_id``, ``downloads`` (aiWorld's metric,
    "as published by aiWorld"), ``pct_of_total``, ``uploader_org``, ``derived_author`` (lab of
    the base model), ``modality``, and ``country_group`` (2025-12 vintage) or ``country``
    (earlier vintage's ``parent2``).
    """
    if vintage not in TOP100_VINTAGES:
        raise ValueError(f"vintage must be one of {sorted(TOP100_VINTAGES)}, not {vintage!r}")
    path = _path(TOP100_VINTAGES[vintage], path)
    cols = [
        Column("model_id", "str", source_name="Name"),
        Column("downloads", "int", source_name="Total Value", min_value=0),
        Column("pct_of_total", "float", source_name="% of total", min_value=0),
        Column("uploader_org", "str", source_name="parent1"),
        Column("derived_author", "str"),
        Column("modality", "str", source_name="merged_modality"),
    ]
    if vintage == "2025-12":
        cols.append(Column("country_group", "str"))
    else:
        cols.append(Column("country", "str", source_name="parent2"))
    df = conform(_read_csv(path), cols, file=path, unique=("model_id",))
    bad = ~df["model_id"].str.contains("/", regex=False)
    if bad.any():
        raise InputError(f"{path}: model id(s) {df.loc[bad, 'model_id'].head(3).tolist()} are not 'org/name' (field 'Name')")
    df = df.sort_values(["downloads", "model_id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


ORG_WEEKS_VINTAGES = {"2025": ("aiworld_org_weeks_2025", "aiworld_orgs_2025"), "2026": ("aiworld_org_weeks_2026", "aiworld_orgs_2026")}
_WEEK_INTS = ("repos_week", "repos_total", "models_week", "models_total", "downloads_week", "downloads_total", "likes_week", "likes_total")


def aiworld_org_weeks(vintage: str = "2025", *, path: Path | None = None) -> pd.DataFrame:
    """aiWorld's weekly records per lab: ``lab, week_date`` + repos/models/downloads/likes.

    ``downloads_week`` is a creation-cohort measure (downloads, measured at build time, of the
    repositories created that week), not downloads that happened that week.
    """
    if vintage not in ORG_WEEKS_VINTAGES:
        raise ValueError(f"vintage must be one of {sorted(ORG_WEEKS_VINTAGES)}, not {vintage!r}")
    path = _path(ORG_WEEKS_VINTAGES[vintage][0], path)
    cols = [Column("lab", "str", source_name="id"), Column("week_date", "date", date_min="2015-01-01")] + [
        Column(c, "int", min_value=0) for c in _WEEK_INTS
    ]
    df = conform(_read_json_records(path), cols, file=path, unique=("lab", "week_date"), json_records=True)
    return df.sort_values(["lab", "week_date"], kind="mergesort").reset_index(drop=True)


def aiworld_orgs(vintage: str = "2025", *, path: Path | None = None) -> pd.DataFrame:
    """aiWorld's lab table: ``lab, region, company``."""
    if vintage not in ORG_WEEKS_VINTAGES:
        raise ValueError(f"vintage must be one of {sorted(ORG_WEEKS_VINTAGES)}, not {vintage!r}")
    path = _path(ORG_WEEKS_VINTAGES[vintage][1], path)
    cols = [Column("lab", "str", source_name="id"), Column("region", "str"), Column("company", "bool", nullable=True)]
    return conform(_read_json_records(path), cols, file=path, unique=("lab",), json_records=True)


def aiworld_model_types(*, path: Path | None = None) -> pd.DataFrame:
    """New Hub models per month by task: ``task, month`` (first day), ``count`` + filtered counts."""
    path = _path("aiworld_model_types", path)
    cols = [Column("task", "str"), Column("year", "int", min_value=2000), Column("month_num", "int", source_name="month", min_value=1)] + [
        Column(c, "int", min_value=0) for c in ("count", "count_filter_likes", "count_filter_downloads")
    ]
    df = conform(_read_csv(path), cols, file=path, unique=("task", "year", "month_num"))
    if (df["month_num"] > 12).any():
        raise InputError(f"{path}: month outside 1..12 in field 'month'")
    df.insert(1, "month", pd.to_datetime(dict(year=df["year"], month=df["month_num"], day=1)))
    return df.drop(columns=["year", "month_num"]).sort_values(["month", "task"], kind="mergesort").reset_index(drop=True)


def aiworld_top_likes_h1_2025(*, path: Path | None = None) -> pd.DataFrame:
    """Top 100 models created in H1 2025 by likes, with all-time and 30-day downloads."""
    path = _path("aiworld_top_likes_h1_2025", path)
    cols = [
        Column("name", "str"), Column("author", "str", source_name="parent2"), Column("task", "str", source_name="parent"),
        Column("downloads_all_time", "int", min_value=0), Column("downloads_30d", "int", source_name="downloads", min_value=0),
        Column("likes", "int", min_value=0), Column("created_at", "date", date_min="2015-01-01"),
    ]
    df = conform(_read_json_records(path), cols, file=path, unique=("author", "name"), json_records=True)
    df.insert(0, "model_id", df["author"] + "/" + df["name"])
    return df


# --- Other reference data ------------------------------------------------------------------

def hub_seven_labs(*, path: Path | None = None) -> pd.DataFrame:
    """October 2025 listing of seven labs' models with 30-day downloads."""
    path = _path("hub_seven_labs_2025_10", path)
    cols = [
        Column("owner", "str"), Column("model_id", "str", source_name="repo_id"), Column("pipeline_tag", "str", nullable=True),
        Column("license", "str", nullable=True), Column("created_at", "datetime"), Column("downloads_30d", "int", source_name="downloads", min_value=0),
    ]
    return conform(_read_csv(path), cols, file=path, unique=("model_id",))


def epoch_notable_models(*, path: Path | None = None) -> pd.DataFrame:
    """Epoch AI's notable models: ``model, organization, country, publication_date, accessibility, open_weights``."""
    path = _path("epoch_notable_models", path)
    cols = [
        Column("model", "str", source_name="Model"), Column("organization", "str", source_name="Organization", nullable=True),
        Column("country", "str", source_name="Country (of organization)", nullable=True),
        Column("publication_date", "date", source_name="Publication date", date_min="1940-01-01"),
        Column("accessibility", "str", source_name="Model accessibility", nullable=True),
    ]
    df = conform(_read_csv(path), cols, file=path)
    df["model"] = df["model"].str.replace(r"\s+", " ", regex=True).str.strip()
    df["open_weights"] = df["accessibility"].str.startswith("Open weights").astype("boolean")
    return df


def hub_listing(snapshot: str = "latest", *, allow_incomplete: bool = False) -> pd.DataFrame:
    """A live Hub listing committed by :mod:`modelrace.hub` (the ``list_models`` schema)."""
    from . import hub
    from .snapshots import resolve_snapshot

    return hub.load_listing(resolve_snapshot("hub", snapshot, allow_incomplete=allow_incomplete),
                            allow_incomplete=allow_incomplete)


# --- OpenRouter rankings page (before and beside the Data API) -----------------------------
# Nested JSON (weeks holding lists of models), so validated here field by field: every error
# names the file, the week record (and its date), the model position and the field.

CHART_FIRST_WEEK = "2023-01-01"  # the chart's trailing ~52 weeks cannot start before this


def _read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}; restore it (run `make data`)") from None


def _field(path: Path, where: str, obj: dict, name: str, kind: str, *, min_value: int | None = 0):
    """One typed field of a JSON object, or an InputError naming file, record and field."""
    if not isinstance(obj, dict) or name not in obj:
        raise InputError(f"{path}: {where}: missing field {name!r}; the upstream format changed: fix the file or the loader")
    value = obj[name]
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{path}: {where}: field {name!r} is {value!r}, expected an integer token count; "
                             "fix the record upstream or restore the file (`make data`)")
        if min_value is not None and value < min_value:
            raise InputError(f"{path}: {where}: field {name!r} is {value}, below {min_value}; counts cannot be negative: fix the record upstream")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{path}: {where}: field {name!r} is {value!r}, expected a non-empty string; fix the record upstream")
        return value.strip()
    if kind == "date":
        ts = pd.to_datetime(value, errors="coerce", format="%Y-%m-%d") if isinstance(value, str) else pd.NaT
        if ts is pd.NaT or pd.isna(ts):
            raise InputError(f"{path}: {where}: field {name!r} is {value!r}, not a date; use ISO 8601 (YYYY-MM-DD)")
        return ts
    raise ValueError(f"unknown field kind {kind!r}")


def _models(path: Path, where: str, week: dict) -> list[tuple[str, int]]:
    models = week.get("models") if isinstance(week, dict) else None
    if not isinstance(models, list) or not models:
        raise InputError(f"{path}: {where}: field 'models' must be a non-empty list of {{model, tokens}}; fix the record upstream")
    out, seen = [], set()
    for j, m in enumerate(models):
        at = f"{where}, models[{j}]"
        slug = _field(path, at, m, "model", "str")
        if slug in seen:
            raise InputError(f"{path}: {at}: model {slug!r} appears twice in the week; each model once: fix the record upstream")
        seen.add(slug)
        out.append((slug, _field(path, at, m, "tokens", "int")))
    return out


def openrouter_chart_history(*, path: Path | None = None) -> pd.DataFrame:
    """The rankings page's Top Models chart: ``week_start, rank, model_permaslug, tokens``.

    One row per model and week (the top 9 of a week; no weekly total, no "Others" bucket).
    ``rank`` is 1 for the week's largest model. Weeks start on Mondays, each at most once;
    anything else is an error naming the record.
    """
    path = _path("openrouter_chart_history", path)
    doc = _read_json(path)
    if not isinstance(doc, list) or not doc:
        raise InputError(f"{path}: expected a non-empty JSON array of weeks {{date, models}}; restore it (run `make data`)")
    rows, weeks = [], set()
    for i, week in enumerate(doc):
        where = f"record {i}"
        start = _field(path, where, week, "date", "date")
        where = f"record {i} (week {start:%Y-%m-%d})"
        if start < pd.Timestamp(CHART_FIRST_WEEK) or start > pd.Timestamp.now():
            raise InputError(f"{path}: {where}: field 'date' is outside {CHART_FIRST_WEEK} → today; check the file's vintage")
        if start.day_of_week != 0:
            raise InputError(f"{path}: {where}: field 'date' is a {start:%A}; the chart's weeks start on Mondays: fix the record upstream")
        if start in weeks:
            raise InputError(f"{path}: {where}: week {start:%Y-%m-%d} appears twice; each week once: remove the repeated record upstream")
        weeks.add(start)
        ranked = sorted(_models(path, where, week), key=lambda mt: (-mt[1], mt[0]))
        rows += [(start, r, slug, tok) for r, (slug, tok) in enumerate(ranked, start=1)]
    df = pd.DataFrame(rows, columns=["week_start", "rank", "model_permaslug", "tokens"])
    df = df.astype({"rank": "int64", "tokens": "int64", "model_permaslug": "string"})
    return df.sort_values(["week_start", "rank"], kind="mergesort").reset_index(drop=True)


def _leaderboard_doc(path: Path) -> list[dict]:
    doc = _read_json(path)
    months = doc.get("months") if isinstance(doc, dict) else None
    if not isinstance(months, list) or not months:
        raise InputError(f"{path}: expected an object with a non-empty 'months' list; restore it (run `make data`)")
    return months


def openrouter_leaderboard_weeks(*, path: Path | None = None) -> pd.DataFrame:
    """The weekly leaderboard's one week a month: ``month, week_end, week_total, models_counted,
    source, straddles, early_week`` (``week_total`` over every model of the capture)."""
    path = _path("openrouter_leaderboard_monthly", path)
    return _leaderboard_weeks(path, _leaderboard_doc(path))


def _leaderboard_weeks(path: Path, months: list[dict]) -> pd.DataFrame:
    rows, seen = [], set()
    for i, rec in enumerate(months):
        where = f"months[{i}]"
        month = _field(path, where, rec, "month", "str")
        if not pd.Series([month]).str.fullmatch(r"\d{4}-\d{2}").iloc[0]:
            raise InputError(f"{path}: {where}: field 'month' is {month!r}, expected YYYY-MM")
        where = f"months[{i}] ({month})"
        if month in seen:
            raise InputError(f"{path}: {where}: month {month} appears twice; each month once: remove the repeated record upstream")
        seen.add(month)
        end = _field(path, where, rec, "weekEnding", "date")
        if end < pd.Timestamp(OPENROUTER_FIRST_DAY):
            raise InputError(f"{path}: {where}: field 'weekEnding' {end:%Y-%m-%d} is before {OPENROUTER_FIRST_DAY}; check the file's vintage")
        total = _field(path, where, rec, "weekTotal", "int", min_value=1)
        counted = _field(path, where, rec, "modelsCounted", "int", min_value=1)
        models = _models(path, where, rec)
        if len(models) > counted:
            raise InputError(f"{path}: {where}: {len(models)} models listed but field 'modelsCounted' is {counted}; fix the record upstream")
        if sum(t for _, t in models) > total:
            raise InputError(f"{path}: {where}: the listed models add up to more than field 'weekTotal' ({total:,}); "
                             "a total cannot be smaller than its parts: fix the record upstream")
        for j, m in enumerate(rec["models"]):
            if "date" in m and _field(path, f"{where}, models[{j}]", m, "date", "date") != end:
                raise InputError(f"{path}: {where}, models[{j}]: field 'date' {m['date']!r} differs from the week's "
                                 f"'weekEnding' {end:%Y-%m-%d}; fix the record upstream")
        rows.append({
            "month": month, "week_end": end, "week_total": total, "models_counted": counted,
            "source": _field(path, where, rec, "source", "str"),
            "straddles": bool(rec.get("straddles", False)), "early_week": bool(rec.get("earlyWeek", False)),
        })
    df = pd.DataFrame(rows).astype({"week_total": "int64", "models_counted": "int64", "month": "string", "source": "string"})
    return df.sort_values("month", kind="mergesort").reset_index(drop=True)


def openrouter_leaderboard_models(*, path: Path | None = None) -> pd.DataFrame:
    """The top 15 models of each leaderboard week: ``month, week_end, rank, model, tokens``
    (``model`` is a slug with its serving variants merged, e.g. ``:free`` counted in)."""
    path = _path("openrouter_leaderboard_monthly", path)
    months = _leaderboard_doc(path)  # read once
    weeks = _leaderboard_weeks(path, months)  # validates every record first
    rows = []
    for (_, wk), rec in zip(weeks.iterrows(), sorted(months, key=lambda r: r["month"])):
        ranked = sorted(_models(path, f"months ({wk['month']})", rec), key=lambda mt: (-mt[1], mt[0]))
        rows += [(wk["month"], wk["week_end"], r, slug, tok) for r, (slug, tok) in enumerate(ranked, start=1)]
    df = pd.DataFrame(rows, columns=["month", "week_end", "rank", "model", "tokens"])
    return df.astype({"rank": "int64", "tokens": "int64", "month": "string", "model": "string"})


def openrouter_chart_weeks(*, path: Path | None = None) -> pd.DataFrame:
    """Captured weeks of the Top Models chart with its Others bucket: ``week_start, week_end, total,
    others, named_tokens, models`` (``total`` must equal ``named_tokens + others``)."""
    path = _path("openrouter_chart_weeks", path)
    doc = _read_json(path)
    weeks = doc.get("weeks") if isinstance(doc, dict) else None
    if not isinstance(weeks, list) or not weeks:
        raise InputError(f"{path}: expected an object with a non-empty 'weeks' list; restore it (run `make data`)")
    rows = []
    for i, rec in enumerate(weeks):
        where = f"weeks[{i}]"
        start = _field(path, where, rec, "weekStart", "date")
        where = f"weeks[{i}] ({start:%Y-%m-%d})"
        end = _field(path, where, rec, "weekEnding", "date")
        if end - start != pd.Timedelta(days=6):
            raise InputError(f"{path}: {where}: 'weekStart' to 'weekEnding' is not seven days; fix the record upstream")
        total = _field(path, where, rec, "total", "int", min_value=1)
        others = _field(path, where, rec, "others", "int")
        named = sum(t for _, t in _models(path, where, rec))
        if named + others != total:
            raise InputError(f"{path}: {where}: named models ({named:,}) + field 'others' ({others:,}) != field 'total' ({total:,}); "
                             "the chart's total is its parts: fix the record upstream")
        rows.append({"week_start": start, "week_end": end, "total": total, "others": others, "named_tokens": named,
                     "models": len(rec["models"])})
    return pd.DataFrame(rows).astype({"total": "int64", "others": "int64", "named_tokens": "int64", "models": "int64"})
