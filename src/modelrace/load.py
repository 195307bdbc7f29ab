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
