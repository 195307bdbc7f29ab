"""What changed between the pinned data and a refresh's fresh snapshots, and what nobody attributed yet.

Why: a researcher who reruns the analysis on today's data needs to see, side by side, what the
pinned vintage said and what the fresh data say, without comparing numbers by eye; and a model
that no reference row knows must be named, with its weight, before it quietly lowers a share.
:mod:`modelrace.refresh` fetches and reruns; this module compares and writes the report into the
refresh directory ``build/refresh/<date>/``:

- ``changes.csv``: one row per compared item, columns :data:`CHANGES_COLUMNS`
  (``section, key, measure, pinned, fresh, changed``; values as text, shares as fractions with
  4 decimals, ``changed`` is ``true``/``false``). Sections: :data:`SECTIONS`.
- ``changes.md`` (English) and ``changes.fr.md`` (French): the same, for reading, written by one
  writer (:meth:`Report.markdown`) from the same computed data; numbers, shares and dates in each
  language's typography (:mod:`modelrace.fmt`), group names and verdicts from
  :func:`modelrace.plotting.t`. The site shows each edition its own file.
- ``unattributed_openrouter.csv`` / ``unattributed_hub.csv``: ready-to-edit stubs with the
  reference table's columns first (``openrouter_models.csv``, ``hf_namespaces.csv``), then the
  evidence columns (tokens or downloads, share, first day seen), largest first. Fill ``lab``
  (and ``base_lab``, ``open_weights`` / ``kind``), check ``source_url``, drop the evidence
  columns and paste the row into ``data/reference/``.
- ``model_names_missing.csv``: a ready-to-edit stub with ``model_names.csv``'s columns for the
  OpenRouter slugs notebook 01 draws on its top-15 chart without a readable name (shown there as
  their id, see :mod:`modelrace.names`), then the evidence columns (rank, tokens, share).
- ``refresh.json``: which snapshots were compared, the unattributed-token gate, the slugs without
  a readable name, the status.

Decisions (written here because nobody else will answer them):

- Claims are computed twice with :func:`modelrace.claims.run_checks` (never re-implemented):
  on the pinned inputs, and on the same inputs with the fresh OpenRouter snapshot and/or the
  fresh Hub listing swapped in. Both languages' texts are kept; ``changes.csv`` holds the English.
- Headline series: the complete weeks of China's share of OpenRouter tokens
  (:func:`modelrace.shares.weekly_product`). "Weeks added" are complete weeks of the fresh data
  that the pinned data do not have; "restated weeks" are weeks both have whose token counts
  differ (the publisher revised its history). The latest level is the last complete week's band
  against the article's 30 % (:data:`modelrace.claims.C2_THRESHOLD`).
- Hub: "then" is aiWorld's top 100 of 2025 (the pinned file), "now" the fresh listing's top N
  (N = 100 by default); both attributed by uploader and by lineage with our tables. aiWorld
  counts downloads over 2025, the live listing the last 30 days: the groups compare, the counts
  do not.
- The unattributed-token gate measures OpenRouter tokens whose slug no row matches, outside the
  ``stealth/`` and ``openrouter/`` pseudo-authors (:data:`modelrace.attribution.STEALTH_AUTHORS`),
  as a share of all non-``other`` tokens of the fresh snapshot: the same measure as the coverage
  of the pinned data (above 99 %, a test keeps it). The share over the added days alone is
  reported beside it, because a new model weighs most there.
- Hub gaps: namespaces of the fresh listing that no ``hf_namespaces.csv`` row matches, by
  uploader (their models' downloads) and as the end of a lineage walk (the downloads of the models
  that derive from them), shares of the whole listing's downloads.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import attribution, hubstats, load, paths, shares

# claims and plotting import matplotlib: they are imported where used, so that building the site
# (which only renders changes.md) stays free of matplotlib and its font cache

CHANGES_COLUMNS = ("section", "key", "measure", "pinned", "fresh", "changed")
SECTIONS = ("claim", "headline", "hub_groups", "hub_top", "unattributed_openrouter", "unattributed_hub")
OPENROUTER_STUB_COLUMNS = attribution.REFERENCE_SPECS["openrouter"].columns + ("tokens", "share", "first_date")
HUB_STUB_COLUMNS = attribution.REFERENCE_SPECS["namespaces"].columns + ("downloads", "share", "lineage_downloads", "lineage_share")
ARTICLE_LEVEL = 0.30  # "more than 30 %" in early August 2025 (claims.C2_THRESHOLD; a test keeps them equal)
DEFAULT_MAX_UNATTRIBUTED = 0.02
HUB_TOP_N = 100
NAMES_STUB_COLUMNS = attribution.REFERENCE_SPECS["model_names"].columns + ("rank", "tokens", "share")
TOP_MODELS_N = 15  # notebook 01's chart of the most used models (shares.top_models(..., n=15) there)
REPORT_MD = {"en": "changes.md", "fr": "changes.fr.md"}  # the report for reading, one file per language
REPORT_FILES = ("changes.md", "changes.fr.md", "changes.csv", "unattributed_openrouter.csv", "unattributed_hub.csv",
                "model_names_missing.csv", "refresh.json")
# the site carries the tables (the page itself is changes.md rendered); only CSVs, like the rest of the site
SITE_FILES = ("changes.csv", "unattributed_openrouter.csv", "unattributed_hub.csv", "model_names_missing.csv")


class ChangesError(RuntimeError):
    """The comparison cannot be made (a missing or malformed input); the message says what to do."""


def _share(x: float | None) -> str:
    return "" if x is None or pd.isna(x) else f"{x:.4f}"


def _pct(x: float | None, digits: int = 1) -> str:
    """A share as ``changes.csv`` has always written it (the CSV is data; the reports use modelrace.fmt)."""
    return "n/a" if x is None or pd.isna(x) else f"{100 * x:.{digits}f} %"


def _against(row: pd.Series) -> str:
    """``changes.csv``'s ``latest_vs_article_30pct``: "above / straddles / below the article's 30 %"."""
    return f"{_against_key(row)} the article's {_pct(ARTICLE_LEVEL, 0)}"


def _day(ts) -> str:
    return "" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def _row(section: str, key: str, measure: str, pinned: Any, fresh: Any, changed: bool | None = None) -> dict[str, str]:
    pinned, fresh = ("" if v is None else str(v) for v in (pinned, fresh))
    if changed is None:
        changed = pinned != fresh
    return {"section": section, "key": key, "measure": measure, "pinned": pinned, "fresh": fresh,
            "changed": "true" if changed else "false"}


# ------------------------------------------------------------------------------- claims


def compare_claims(pinned: dict, fresh: dict) -> pd.DataFrame:
    """``claim_id, article_value, pinned_verdict, fresh_verdict, verdict_changed``, and per language
    (``fr``, ``en``) ``claim_<lang>, pinned_value_<lang>, fresh_value_<lang>``: one computation, both reports.

    ``pinned`` and ``fresh``: {claim id: :class:`modelrace.claims.Check`} from :func:`modelrace.claims.run_checks`.
    """
    from . import claims

    ref = claims.load_reference().set_index("claim_id")
    rows = []
    for cid in claims.CLAIM_IDS:
        if cid not in pinned or cid not in fresh:
            raise ChangesError(f"claim {cid} has no result on the {'pinned' if cid not in pinned else 'fresh'} data; run every check")
        p, f = pinned[cid], fresh[cid]
        row = {"claim_id": cid, "article_value": ref.at[cid, "article_value"], "pinned_verdict": p.verdict,
               "fresh_verdict": f.verdict, "verdict_changed": p.verdict != f.verdict}
        for lang in claims.LANGS:
            row.update({f"claim_{lang}": ref.at[cid, f"claim_{lang}"], f"pinned_value_{lang}": p.our_value[lang],
                        f"fresh_value_{lang}": f.our_value[lang]})
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------- headline series


@dataclass
class Headline:
    pinned: pd.DataFrame  # weekly product of the pinned data
    fresh: pd.DataFrame
    weeks_added: list[pd.Timestamp]
    weeks_removed: list[pd.Timestamp]
    weeks_restated: list[pd.Timestamp]

    def latest(self, which: str) -> pd.Series:
        frame = self.pinned if which == "pinned" else self.fresh
        return frame.iloc[-1]


def headline(pinned_daily: pd.DataFrame, fresh_daily: pd.DataFrame) -> Headline:
    """Compare the weekly China-share series of two ``shares.daily_by_category`` frames."""
    p = shares.weekly_product(shares.daily_totals(pinned_daily))
    f = shares.weekly_product(shares.daily_totals(fresh_daily))
    if p.empty or f.empty:
        raise ChangesError(f"no complete week in the {'pinned' if p.empty else 'fresh'} OpenRouter data; "
                           "a refresh needs at least one Monday-to-Sunday week")
    pw, fw = set(p["week_start"]), set(f["week_start"])
    both = p.merge(f, on="week_start", suffixes=("_p", "_f"))
    token_cols = ["china_tokens", "china_open_tokens", "attributed_tokens", "other_tokens", "total_tokens"]
    differs = pd.Series(False, index=both.index)
    for col in token_cols:
        differs |= both[f"{col}_p"].ne(both[f"{col}_f"])
    return Headline(p, f, sorted(fw - pw), sorted(pw - fw), sorted(both.loc[differs, "week_start"]))


# ------------------------------------------------------------------------------- Hub


@dataclass
class HubChanges:
    n: int
    groups: pd.DataFrame  # view, group, share_then, share_now
    entering: pd.DataFrame  # model_id, rank_now, uploader_group, downloads
    leaving: pd.DataFrame  # model_id, rank_then, uploader_group
    listing_models: int


def _hub_pinned_top(labs: pd.DataFrame) -> pd.DataFrame:
    top = attribution.attribute_hub(load.aiworld_top100(), view="uploader", labs=labs)
    return top


def hub_changes(listing: pd.DataFrame, n: int = HUB_TOP_N, *, labs: pd.DataFrame | None = None) -> HubChanges:
    """aiWorld's 2025 top 100 ("then") against the fresh listing's top ``n`` ("now")."""
    if not 1 <= n <= 100:
        raise ChangesError(f"hub top N must be from 1 to 100 (the pinned top list has 100 models), not {n}")
    labs = attribution.load_labs() if labs is None else labs
    then = hubstats.top_models(_hub_pinned_top(labs), n)
    now_all = attribution.attribute_hub(listing, view="uploader", labs=labs)
    if len(now_all) < n:
        raise ChangesError(f"the fresh Hub listing has {len(now_all)} models, fewer than the top {n} to compare; "
                           "fetch a larger listing (make refresh TOP=1000)")
    now = hubstats.top_models(now_all, n)
    views = {"uploader": "uploader_group", "lineage": "lineage_group"}
    s_then = hubstats.shares_by_view(then, views).rename(columns={"share": "share_then", "downloads": "downloads_then"})
    s_now = hubstats.shares_by_view(now, views).rename(columns={"share": "share_now", "downloads": "downloads_now"})
    groups = s_then.merge(s_now, on=["view", "group"], how="outer")
    for col in ("share_then", "share_now"):
        groups[col] = groups[col].fillna(0.0)
    order = {g: i for i, g in enumerate(hubstats.GROUPS)}
    groups = groups.assign(_v=groups["view"].map({"uploader": 0, "lineage": 1}), _g=groups["group"].map(order).fillna(len(order)))
    groups = groups.sort_values(["_v", "_g", "group"], kind="mergesort")[["view", "group", "share_then", "share_now"]]
    then_ids, now_ids = set(then["model_id"]), set(now["model_id"])
    entering = now.loc[~now["model_id"].isin(then_ids), ["model_id", "rank", "uploader_group", "downloads"]]
    leaving = then.loc[~then["model_id"].isin(now_ids), ["model_id", "rank", "uploader_group", "downloads"]]
    return HubChanges(n, groups.reset_index(drop=True), entering.reset_index(drop=True), leaving.reset_index(drop=True), len(listing))


# ------------------------------------------------------------------------------- attribution gaps


@dataclass
class Gate:
    """The unattributed-token check that stops a refresh (see the module docstring)."""

    share: float  # outside stealth/router authors, of non-other tokens, whole fresh snapshot
    share_added: float | None  # the same over the days the pinned data do not have
    threshold: float
    added_days: int

    @property
    def exceeded(self) -> bool:
        return self.share > self.threshold

    def message(self, lang: str = "en") -> str:
        """The check in one sentence, in ``lang`` (English on the console, both in the report)."""
        from . import fmt

        added = (_TEXT["gate_added"][lang].format(share=fmt.pct(self.share_added, lang, 2), n=self.added_days)
                 if self.share_added is not None else "")
        authors = f"/ {_TEXT['and'][lang]} ".join(attribution.STEALTH_AUTHORS) + "/"
        return _TEXT["gate_message"][lang].format(authors=authors, share=fmt.pct(self.share, lang, 2), added=added,
                                                  limit=fmt.pct(self.threshold, lang, 2))


def openrouter_gaps(attributed: pd.DataFrame, *, added_after: pd.Timestamp | None,
                    threshold: float = DEFAULT_MAX_UNATTRIBUTED) -> tuple[pd.DataFrame, Gate]:
    """The stub of unattributed base slugs (largest first) and the gate numbers.

    The stub carries ``note_fr`` (the note in French, for ``changes.fr.md``) after
    :data:`OPENROUTER_STUB_COLUMNS`; :func:`write` leaves it out of the CSV.

    ``attributed``: :func:`modelrace.attribution.attribute_openrouter` of the fresh snapshot;
    ``added_after``: the pinned data's last day (days after it are "added").
    """
    status = attributed["status"].astype(str)
    models = attributed.loc[status.ne("other")]
    non_other = int(models["total_tokens"].sum())
    if non_other <= 0:
        raise ChangesError("the fresh OpenRouter snapshot has no tokens outside the 'other' row; refetch it")
    un = models.loc[status.loc[models.index].eq("unattributed")].copy()
    un["base"] = attribution.base_slug(un["model_permaslug"].astype(str))
    un["author"] = un["author"].astype(str)
    counted = ~un["author"].isin(attribution.STEALTH_AUTHORS)
    gate_share = int(un.loc[counted, "total_tokens"].sum()) / non_other
    share_added, added_days = None, 0
    if added_after is not None:
        new_days = models["date"] > added_after
        added_days = int(models.loc[new_days, "date"].nunique())
        if added_days:
            denom = int(models.loc[new_days, "total_tokens"].sum())
            share_added = int(un.loc[counted & (un["date"] > added_after), "total_tokens"].sum()) / denom
    per = un.groupby("base", sort=False).agg(tokens=("total_tokens", "sum"), first_date=("date", "min"),
                                             author=("author", "first")).reset_index()
    per["share"] = per["tokens"] / non_other
    per = per.sort_values(["tokens", "base"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    known_prefixes = set(attribution.load_openrouter_models().query("match == 'prefix'")["pattern"])
    kinds = ["note_stealth" if a in attribution.STEALTH_AUTHORS else "note_prefix" if a in known_prefixes else "note_new"
             for a in per["author"]]
    notes = {lang: [_TEXT[k][lang].format(author=a) for k, a in zip(kinds, per["author"])] for lang in ("en", "fr")}
    stub = pd.DataFrame({
        "match": "slug", "pattern": per["base"], "lab": "", "base_lab": "", "open_weights": "",
        "source_url": "https://openrouter.ai/" + per["base"].str.replace(r"-\d{8}$", "", regex=True),
        "note": notes["en"], "tokens": per["tokens"].astype("int64"), "share": per["share"].round(6),
        "first_date": per["first_date"].dt.strftime("%Y-%m-%d"), "note_fr": notes["fr"],
    }, columns=[*OPENROUTER_STUB_COLUMNS, "note_fr"])
    return stub, Gate(gate_share, share_added, threshold, added_days)


def hub_gaps(listing: pd.DataFrame, *, labs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The stub of Hub namespaces no ``hf_namespaces.csv`` row matches (largest first)."""
    att = attribution.attribute_hub(listing, view="uploader", labs=labs)
    downloads = att["downloads"].fillna(0).astype("int64")
    total = int(downloads.sum())
    if total <= 0:
        raise ChangesError("the fresh Hub listing has no downloads at all; refetch it")
    up = att["uploader_lab"].astype(str).eq(attribution.UNATTRIBUTED)
    base = att["base_lab"].astype(str).eq(attribution.UNATTRIBUTED)
    by_up = downloads[up].groupby(att.loc[up, "uploader_org"].astype(str)).sum()
    by_base = downloads[base].groupby(att.loc[base, "base_org"].astype(str)).sum()
    names = sorted(set(by_up.index) | set(by_base.index))
    frame = pd.DataFrame({"namespace": names})
    frame["downloads"] = frame["namespace"].map(by_up).fillna(0).astype("int64")
    frame["lineage_downloads"] = frame["namespace"].map(by_base).fillna(0).astype("int64")
    frame = frame.sort_values(["downloads", "lineage_downloads", "namespace"], ascending=[False, False, True],
                              kind="mergesort").reset_index(drop=True)
    return pd.DataFrame({
        "namespace": frame["namespace"], "lab": "", "kind": "", "alias_of": "",
        "source_url": "https://huggingface.co/" + frame["namespace"],
        "note": "new: no row for this namespace; fill lab and kind (lab, alias, community, individual)",
        "downloads": frame["downloads"], "share": (frame["downloads"] / total).round(6),
        "lineage_downloads": frame["lineage_downloads"], "lineage_share": (frame["lineage_downloads"] / total).round(6),
    }, columns=list(HUB_STUB_COLUMNS))


def model_name_gaps(attributed: pd.DataFrame, start: str, end: str, *, date: str, n: int = TOP_MODELS_N) -> pd.DataFrame:
    """The stub of slugs notebook 01's top-``n`` chart draws over ``[start, end]`` without a readable name.

    Columns :data:`NAMES_STUB_COLUMNS`: the ``model_names.csv`` columns, then the evidence (best
    rank, tokens and share of all tokens in the window, variants of a slug summed), rank order.
    ``attributed``: the fresh snapshot's :func:`modelrace.attribution.attribute_openrouter`; the
    ranking is :func:`modelrace.shares.top_models`, the one the notebook draws.
    """
    from . import names

    top = shares.top_models(attributed, start, end, n=n)
    base = top["model_permaslug"].astype(str).str.partition(":")[0]
    missing = set(names.missing_openrouter(top["model_permaslug"]))
    top = top.assign(base=base).loc[base.isin(missing)]
    per = (top.groupby("base", sort=False).agg(rank=("rank", "min"), tokens=("tokens", "sum"), share=("share", "sum"))
           .reset_index().sort_values(["rank", "base"], kind="mergesort"))
    return pd.DataFrame({
        "platform": "openrouter", "model_id": per["base"], "display_name": "",
        "source_url": "https://openrouter.ai/" + per["base"].str.replace(r"-\d{8}$", "", regex=True),
        "note": f"drawn by the refresh of {date} as its id; fill display_name (at most 40 characters) from the model page",
        "rank": per["rank"].astype("int64"), "tokens": per["tokens"].astype("int64"), "share": per["share"].round(6),
    }, columns=list(NAMES_STUB_COLUMNS)).reset_index(drop=True)


# ------------------------------------------------------------------------------- the report


@dataclass
class Report:
    """Everything ``changes.md``, ``changes.fr.md`` and ``changes.csv`` say; built by :func:`modelrace.refresh`."""

    date: str
    sources: list[str]
    snapshots: dict[str, dict[str, Any]]  # source -> {name, as_of/fetched_at, rows, first/last day...}
    claims: pd.DataFrame
    headline: Headline | None = None
    hub: HubChanges | None = None
    openrouter_stub: pd.DataFrame | None = None
    hub_stub: pd.DataFrame | None = None
    gate: Gate | None = None
    names_stub: pd.DataFrame | None = None  # model_name_gaps(): slugs drawn without a readable name
    names_window: tuple[str, str] | None = None  # notebook 01's top-models window in this refresh
    notebooks: list[str] = field(default_factory=list)
    pinned_openrouter: dict[str, str] = field(default_factory=dict)  # first_day, last_day of the pinned file

    # -- changes.csv

    def rows(self) -> list[dict[str, str]]:
        out = []
        for r in self.claims.itertuples():
            out.append(_row("claim", r.claim_id, "verdict", r.pinned_verdict, r.fresh_verdict))
            out.append(_row("claim", r.claim_id, "our_value", r.pinned_value_en, r.fresh_value_en))
        if self.headline is not None:
            h = self.headline
            p, f = h.latest("pinned"), h.latest("fresh")
            out += [
                _row("headline", "china_share_weekly", "complete_weeks", len(h.pinned), len(h.fresh)),
                _row("headline", "china_share_weekly", "first_week", _day(h.pinned["week_start"].iloc[0]), _day(h.fresh["week_start"].iloc[0])),
                _row("headline", "china_share_weekly", "last_week", _day(p["week_start"]), _day(f["week_start"])),
                _row("headline", "china_share_weekly", "weeks_added", "", len(h.weeks_added), bool(h.weeks_added)),
                _row("headline", "china_share_weekly", "weeks_removed", "", len(h.weeks_removed), bool(h.weeks_removed)),
                _row("headline", "china_share_weekly", "weeks_restated", "", len(h.weeks_restated), bool(h.weeks_restated)),
                _row("headline", "china_share_weekly", "latest_share_low", _share(p["china_share_low"]), _share(f["china_share_low"])),
                _row("headline", "china_share_weekly", "latest_share_high", _share(p["china_share_high"]), _share(f["china_share_high"])),
                _row("headline", "china_share_weekly", "latest_vs_article_30pct", _against(p), _against(f)),
            ]
            for w in h.weeks_added:
                row = h.fresh.loc[h.fresh["week_start"] == w].iloc[0]
                out.append(_row("headline", _day(w), "week_added_share_low_high", "",
                                f"{_share(row['china_share_low'])}-{_share(row['china_share_high'])}", True))
            for w in h.weeks_restated:
                a = h.pinned.loc[h.pinned["week_start"] == w].iloc[0]
                b = h.fresh.loc[h.fresh["week_start"] == w].iloc[0]
                out.append(_row("headline", _day(w), "week_restated_share_low_high",
                                f"{_share(a['china_share_low'])}-{_share(a['china_share_high'])}",
                                f"{_share(b['china_share_low'])}-{_share(b['china_share_high'])}", True))
        if self.hub is not None:
            for r in self.hub.groups.itertuples():
                out.append(_row("hub_groups", f"{r.view}:{r.group}", f"share_of_top{self.hub.n}",
                                _share(r.share_then), _share(r.share_now), abs(r.share_then - r.share_now) >= 5e-5))
            for r in self.hub.entering.itertuples():
                out.append(_row("hub_top", r.model_id, "entering", "", f"rank {r.rank}", True))
            for r in self.hub.leaving.itertuples():
                out.append(_row("hub_top", r.model_id, "leaving", f"rank {r.rank}", "", True))
        if self.openrouter_stub is not None:
            for r in self.openrouter_stub.itertuples():
                out.append(_row("unattributed_openrouter", r.pattern, "share_of_non_other_tokens", "", _share(r.share), True))
        if self.hub_stub is not None:
            for r in self.hub_stub.itertuples():
                out.append(_row("unattributed_hub", r.namespace, "share_of_listing_downloads", "", _share(r.share), True))
        return out

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows(), columns=list(CHANGES_COLUMNS))

    # -- changes.md / changes.fr.md: one writer, the language a parameter

    def markdown(self, lang: str = "en") -> str:
        """The report for reading, in ``lang`` (:data:`REPORT_MD`): the same data as :meth:`rows`."""
        from . import fmt
        from .charts.verdicts import VERDICT_KEYS
        from .plotting import check_lang, t

        check_lang(lang)

        def tr(key: str, **kw) -> str:
            return _TEXT[key][lang].format(**kw)

        def pct(x, digits: int = 1) -> str:
            return tr("n_a") if x is None or pd.isna(x) else fmt.pct(x, lang, digits)

        def day(x) -> str:
            return fmt.day(x, lang)

        def verdict(v: str) -> str:
            return t(VERDICT_KEYS[v], lang)

        def group(g: str) -> str:
            return t(f"group_{g}", lang) if has_group_label(g) else g

        def band(row) -> str:
            return fmt.pct_range(row["china_share_low"], row["china_share_high"], lang)

        def against(row) -> str:
            return tr(f"against_{_against_key(row)}", level=fmt.pct(ARTICLE_LEVEL, lang, 0))

        L: list[str] = [tr("title", date=day(self.date)), "", tr("intro"), ""]
        L += [tr("sources_head"), "|---|---|---|"]
        if "openrouter" in self.snapshots:
            s = self.snapshots["openrouter"]
            p = self.pinned_openrouter
            L.append(tr("or_row", span=f"{day(p['first_day'])} → {day(p['last_day'])}", name=s["name"],
                        first=day(s["first_day"]), last=day(s["last_day"]), rows=fmt.num(s["rows"], lang), as_of=s["as_of"]))
        else:
            L.append(tr("or_row_none"))
        if "hub" in self.snapshots:
            s = self.snapshots["hub"]
            L.append(tr("hub_row", name=s["name"], mode=s["mode"], rows=fmt.num(s["rows"], lang), fetched_at=s["fetched_at"]))
        else:
            L.append(tr("hub_row_none"))
        L.append("")
        if self.gate is not None:
            L += [tr("gate", message=_md(self.gate.message(lang)),
                     verdict=tr("gate_exceeded" if self.gate.exceeded else "gate_ok")), ""]

        L += [tr("claims_head"), ""]
        changed = self.claims.loc[self.claims["verdict_changed"], "claim_id"].tolist()
        L += [tr("verdicts_changed", ids=", ".join(changed) if changed else tr("none")), ""]
        L += [tr("claims_table"), "|---|---|---|---|---|---|---|"]
        for r in self.claims.to_dict("records"):
            pv, fv = r[f"pinned_value_{lang}"], r[f"fresh_value_{lang}"]
            if r["verdict_changed"]:
                change = tr("changed", was=verdict(r["pinned_verdict"]), now=verdict(r["fresh_verdict"]))
            else:
                change = tr("value_changed" if r["pinned_value_en"] != r["fresh_value_en"] else "unchanged")
            L.append(f"| {r['claim_id']} | {_md(r['article_value'])} | {_md(pv)} | {verdict(r['pinned_verdict'])} | "
                     f"{_md(fv)} | {verdict(r['fresh_verdict'])} | {change} |")
        L.append("")

        if self.headline is not None:
            h = self.headline
            p, f = h.latest("pinned"), h.latest("fresh")
            days = lambda weeks: ", ".join(day(w) for w in weeks)  # noqa: E731
            L += [tr("headline_head"), ""]
            L.append(tr("complete_weeks", np=len(h.pinned), a=day(h.pinned["week_start"].iloc[0]), b=day(p["week_start"]),
                        nf=len(h.fresh), c=day(h.fresh["week_start"].iloc[0]), d=day(f["week_start"])))
            L.append(tr("weeks_added", n=len(h.weeks_added)) + (tr("weeks_of", weeks=days(h.weeks_added)) if h.weeks_added else "."))
            if h.weeks_removed:
                L.append(tr("weeks_removed", n=len(h.weeks_removed), weeks=days(h.weeks_removed)))
            L.append(tr("weeks_restated", n=len(h.weeks_restated))
                     + (f" ({days(h.weeks_restated)})." if h.weeks_restated else "."))
            L.append(tr("latest_pinned", week=day(p["week_start"]), band=band(p), against=against(p)))
            L.append(tr("latest_fresh", week=day(f["week_start"]), band=band(f), against=against(f)))
            if h.weeks_added:
                L += ["", tr("added_table"), "|---|---|"]
                for w in h.weeks_added:
                    L.append(f"| {day(w)} | {band(h.fresh.loc[h.fresh['week_start'] == w].iloc[0])} |")
            L += ["", tr("band_note"), ""]

        if self.hub is not None:
            hb = self.hub
            L += [tr("hub_head", n=hb.n), "", tr("hub_table"), "|---|---|---|---|"]
            for r in hb.groups.itertuples():
                L.append(f"| {tr('view_' + r.view)} | {group(r.group)} | {pct(r.share_then)} | {pct(r.share_now)} |")
            L.append("")
            for which, frame in (("entering", hb.entering), ("leaving", hb.leaving)):
                L.append(tr(which, n=hb.n, k=len(frame)) + (tr("colon_end") if len(frame) else "."))
                for r in frame.head(25).itertuples():
                    L.append(tr(f"{which}_item", model=r.model_id, rank=r.rank, group=group(r.uploader_group)))
                if len(frame) > 25:
                    L.append(tr("more_in_csv", k=len(frame) - 25))
                L.append("")
            L += [tr("hub_caveat"), ""]

        L += [tr("gaps_head"), ""]
        if self.openrouter_stub is not None:
            stub = self.openrouter_stub
            L += [tr("or_gaps", k=len(stub)), ""]
            stealth = stub["pattern"].str.split("/").str[0].isin(attribution.STEALTH_AUTHORS)
            counted = stub.loc[~stealth]
            if len(counted):
                L += [tr("counted"), "", tr("or_gaps_table"), "|---|---|---|---|"]
                for r in counted.head(20).to_dict("records"):
                    L.append(f"| `{r['pattern']}` | {pct(r['share'], 2)} | {day(r['first_date'])} | {_md(r[_note_column(lang)])} |")
                if len(counted) > 20:
                    L.append(tr("more_in_stub", k=len(counted) - 20))
                L.append("")
            if stealth.any():
                L += [tr("stealth", authors="/, ".join(attribution.STEALTH_AUTHORS), k=int(stealth.sum()),
                         share=pct(stub.loc[stealth, "share"].sum(), 2), largest=stub.loc[stealth, "pattern"].iloc[0],
                         largest_share=pct(stub.loc[stealth, "share"].iloc[0], 2)), ""]
        if self.hub_stub is not None:
            stub = self.hub_stub
            L += [tr("hub_gaps", k=len(stub)), ""]
            if len(stub):
                L += [tr("hub_gaps_table"), "|---|---|---|"]
                for r in stub.head(20).itertuples():
                    L.append(f"| `{r.namespace}` | {pct(r.share, 2)} | {pct(r.lineage_share, 2)} |")
                L.append("")
        if self.openrouter_stub is None and self.hub_stub is None:
            L += [tr("nothing_refreshed"), ""]

        if self.names_stub is not None:
            start, end = self.names_window
            L += [tr("names_head"), ""]
            window = dict(n=TOP_MODELS_N, start=day(start), end=day(end))
            if len(self.names_stub):
                L += [tr("names_missing", k=len(self.names_stub), **window), "", tr("names_table"), "|---|---|---|"]
                for r in self.names_stub.itertuples():
                    L.append(f"| `{r.model_id}` | {r.rank} | {pct(r.share)} |")
            else:
                L.append(tr("names_complete", **window))
            L.append("")

        if self.notebooks:
            L += [tr("notebooks_head"), ""]
            L += [tr("notebook_item", nb=nb) for nb in self.notebooks]
            L.append("")
        return "\n".join(L).rstrip("\n") + "\n"

    def summary(self, status: str) -> dict[str, Any]:
        gate = None
        if self.gate is not None:
            gate = {"share": round(self.gate.share, 6), "share_added_days": None if self.gate.share_added is None
                    else round(self.gate.share_added, 6), "added_days": self.gate.added_days,
                    "threshold": self.gate.threshold, "exceeded": self.gate.exceeded,
                    "excluded_authors": list(attribution.STEALTH_AUTHORS)}
        missing = None if self.names_stub is None else self.names_stub["model_id"].tolist()
        return {"date": self.date, "sources": self.sources, "snapshots": self.snapshots, "status": status,
                "verdicts_changed": self.claims.loc[self.claims["verdict_changed"], "claim_id"].tolist(),
                "unattributed_gate": gate, "model_names_missing": missing, "notebooks": self.notebooks}


def has_group_label(group: str) -> bool:
    from .plotting import has_key

    return has_key(f"group_{group}")


def _note_column(lang: str) -> str:
    return "note" if lang == "en" else f"note_{lang}"


def _against_key(row: pd.Series) -> str:
    lo, hi = float(row["china_share_low"]), float(row["china_share_high"])
    if lo > ARTICLE_LEVEL:
        return "above"
    if hi > ARTICLE_LEVEL:
        return "straddles"
    return "below"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def write(report: Report, refresh_dir: Path, status: str) -> dict[str, Path]:
    """Write the report files into ``refresh_dir``; return them by name."""
    from . import plotting

    refresh_dir = Path(refresh_dir)
    refresh_dir.mkdir(parents=True, exist_ok=True)
    out = {"changes.csv": plotting.write_csv(report.frame(), refresh_dir / "changes.csv")}
    for lang, name in REPORT_MD.items():
        out[name] = refresh_dir / name
        out[name].write_text(report.markdown(lang), encoding="utf-8")
    stubs = (("unattributed_openrouter.csv", report.openrouter_stub, OPENROUTER_STUB_COLUMNS),
             ("unattributed_hub.csv", report.hub_stub, HUB_STUB_COLUMNS),
             ("model_names_missing.csv", report.names_stub, NAMES_STUB_COLUMNS))
    for name, stub, columns in stubs:
        frame = stub[list(columns)] if stub is not None else pd.DataFrame(columns=list(columns))
        out[name] = plotting.write_csv(frame, refresh_dir / name)
    out["refresh.json"] = refresh_dir / "refresh.json"
    out["refresh.json"].write_text(json.dumps(report.summary(status), indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return out


# ------------------------------------------------------------------------------- the report's words
# {key: {"en": ..., "fr": ...}}: the sentences of changes.md / changes.fr.md. Numbers, shares and
# dates come in already formatted by modelrace.fmt; group names and verdicts from plotting.t.

_TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "# What changed since the article: refresh of {date}",
              "fr": "# Ce qui a changé depuis l'article : actualisation du {date}"},
    "intro": {"en": "Pinned data (what the committed notebooks and the article check use) against the fresh snapshots "
                    "fetched by this refresh. Every number is recomputed from the data by `modelrace.claims`, "
                    "`modelrace.shares` and `modelrace.hubstats`; `changes.csv` has the same comparisons in one table.",
              "fr": "Les données épinglées (celles des carnets publiés et de la vérification de l'article) face aux "
                    "instantanés frais téléchargés par cette actualisation. Chaque nombre est recalculé à partir des "
                    "données par `modelrace.claims`, `modelrace.shares` et `modelrace.hubstats` ; `changes.csv` réunit "
                    "les mêmes comparaisons en un seul tableau."},
    "sources_head": {"en": "| source | pinned | fresh |", "fr": "| source | données épinglées | instantané frais |"},
    "or_row": {"en": "| OpenRouter daily rankings | {span} (pinned file) | snapshot `{name}`: {first} → {last}, "
                     "{rows} rows, as of {as_of} |",
               "fr": "| Classements quotidiens d'OpenRouter | {span} (fichier épinglé) | instantané `{name}` : "
                     "{first} → {last}, {rows} lignes, état au {as_of} |"},
    "or_row_none": {"en": "| OpenRouter daily rankings | pinned file | not refreshed (pinned data used on both sides) |",
                    "fr": "| Classements quotidiens d'OpenRouter | fichier épinglé | non actualisé (données épinglées "
                          "des deux côtés) |"},
    "hub_row": {"en": "| Hugging Face downloads | aiWorld top 100 of 2025 (downloads over 2025) | snapshot `{name}`: "
                      "{mode} listing of {rows} models, fetched {fetched_at} (downloads over the last 30 days) |",
                "fr": "| Téléchargements Hugging Face | top 100 de 2025 d'aiWorld (téléchargements de 2025) | instantané "
                      "`{name}` : liste « {mode} » de {rows} modèles, obtenue le {fetched_at} (téléchargements des "
                      "30 derniers jours) |"},
    "hub_row_none": {"en": "| Hugging Face downloads | aiWorld top 100 of 2025 | not refreshed |",
                     "fr": "| Téléchargements Hugging Face | top 100 de 2025 d'aiWorld | non actualisé |"},
    "gate": {"en": "**Attribution check**: {message}: {verdict}.", "fr": "**Contrôle d'attribution** : {message} : {verdict}."},
    "gate_exceeded": {"en": "**EXCEEDED: the refresh stopped; attribute the slugs below**",
                      "fr": "**LIMITE DÉPASSÉE : l'actualisation s'est arrêtée ; attribuez les modèles ci-dessous**"},
    "gate_ok": {"en": "within the limit", "fr": "dans la limite"},
    "gate_message": {"en": "unattributed OpenRouter tokens outside the {authors} authors: {share} of the non-'other' "
                           "tokens of the fresh snapshot{added} (limit MAX_UNATTRIBUTED = {limit})",
                     "fr": "jetons OpenRouter non attribués, hors des auteurs {authors} : {share} des jetons hors "
                           "ligne « other » de l'instantané frais{added} (limite MAX_UNATTRIBUTED = {limit})"},
    "gate_added": {"en": "; {share} over the {n} added day(s)", "fr": " ; {share} sur les {n} jour(s) ajouté(s)"},
    "and": {"en": "and", "fr": "et"},
    "claims_head": {"en": "## Claims: our value and verdict, pinned data vs fresh snapshots",
                    "fr": "## Affirmations : notre valeur et notre verdict, données épinglées et instantanés frais"},
    "verdicts_changed": {"en": "Verdicts changed: {ids}.", "fr": "Verdicts modifiés : {ids}."},
    "none": {"en": "none", "fr": "aucun"},
    "n_a": {"en": "n/a", "fr": "n. d."},
    "claims_table": {"en": "| claim | article | pinned: our value | pinned verdict | fresh: our value | fresh verdict | change |",
                     "fr": "| affirmation | article | épinglé : notre valeur | verdict épinglé | frais : notre valeur | "
                           "verdict frais | changement |"},
    "changed": {"en": "**changed**: {was} → {now}", "fr": "**modifié** : {was} → {now}"},
    "value_changed": {"en": "value changed", "fr": "valeur modifiée"},
    "unchanged": {"en": "unchanged", "fr": "inchangé"},
    "headline_head": {"en": "## Headline series: China's weekly share of OpenRouter tokens",
                      "fr": "## Série principale : part hebdomadaire de la Chine dans les jetons d'OpenRouter"},
    "complete_weeks": {"en": "- Complete weeks: {np} pinned ({a} → {b}), {nf} fresh ({c} → {d}).",
                       "fr": "- Semaines complètes : {np} épinglées ({a} → {b}), {nf} fraîches ({c} → {d})."},
    "weeks_added": {"en": "- Weeks added: {n}", "fr": "- Semaines ajoutées : {n}"},
    "weeks_of": {"en": " (weeks of {weeks}).", "fr": " (semaines du {weeks})."},
    "weeks_removed": {"en": "- Weeks missing from the fresh data: {n} ({weeks}).",
                      "fr": "- Semaines absentes des données fraîches : {n} ({weeks})."},
    "weeks_restated": {"en": "- Weeks restated (present in both, token counts differ): {n}",
                       "fr": "- Semaines révisées (présentes des deux côtés, avec d'autres nombres de jetons) : {n}"},
    "latest_pinned": {"en": "- Latest complete week, pinned: week of {week}, {band} ({against}).",
                      "fr": "- Dernière semaine complète, données épinglées : semaine du {week}, {band} ({against})."},
    "latest_fresh": {"en": "- Latest complete week, fresh: week of {week}, {band} ({against}).",
                     "fr": "- Dernière semaine complète, données fraîches : semaine du {week}, {band} ({against})."},
    "against_above": {"en": "above the article's {level}", "fr": "au-dessus des {level} de l'article"},
    "against_straddles": {"en": "straddles the article's {level}", "fr": "de part et d'autre des {level} de l'article"},
    "against_below": {"en": "below the article's {level}", "fr": "sous les {level} de l'article"},
    "added_table": {"en": "| week of | China's share (low – high) |", "fr": "| semaine du | part de la Chine (bas – haut) |"},
    "band_note": {"en": "Low end: Chinese tokens / all tokens; high end: / tokens outside the 'other' row (see notebook 01).",
                  "fr": "Bas de la fourchette : jetons chinois / tous les jetons ; haut : / jetons hors de la ligne "
                        "« other » (voir le carnet 01)."},
    "hub_head": {"en": "## Hugging Face: the top {n} then (aiWorld, 2025) and now (live listing)",
                 "fr": "## Hugging Face : le top {n} d'hier (aiWorld, 2025) et d'aujourd'hui (liste en direct)"},
    "hub_table": {"en": "| view | group | share then | share now |",
                  "fr": "| attribution | groupe | part hier | part aujourd'hui |"},
    "view_uploader": {"en": "uploader", "fr": "auteur du dépôt"},
    "view_lineage": {"en": "lineage", "fr": "lignée"},
    "entering": {"en": "**Entering the top {n}**: {k} model(s)", "fr": "**Entrent dans le top {n}** : {k} modèle(s)"},
    "leaving": {"en": "**Leaving the top {n}**: {k} model(s)", "fr": "**Sortent du top {n}** : {k} modèle(s)"},
    "colon_end": {"en": ":", "fr": " :"},
    "entering_item": {"en": "- `{model}` (rank now {rank}, {group})", "fr": "- `{model}` (rang aujourd'hui : {rank}, {group})"},
    "leaving_item": {"en": "- `{model}` (rank then {rank}, {group})", "fr": "- `{model}` (rang hier : {rank}, {group})"},
    "more_in_csv": {"en": "- … and {k} more in `changes.csv`", "fr": "- … et {k} autres dans `changes.csv`"},
    "hub_caveat": {"en": "aiWorld's counts are downloads over 2025, the live listing's the last 30 days: compare the "
                         "groups, not the counts.",
                   "fr": "aiWorld compte les téléchargements de 2025, la liste en direct ceux des 30 derniers jours : "
                         "comparez les groupes, pas les nombres."},
    "gaps_head": {"en": "## Attribution gaps", "fr": "## Lacunes d'attribution"},
    "or_gaps": {"en": "OpenRouter: {k} base slug(s) no row of `data/reference/openrouter_models.csv` matches (stub: "
                      "`unattributed_openrouter.csv`, largest first; shares of the non-'other' tokens of the fresh snapshot).",
                "fr": "OpenRouter : {k} identifiant(s) de modèle qu'aucune ligne de `data/reference/openrouter_models.csv` "
                      "ne reconnaît (ébauche : `unattributed_openrouter.csv`, les plus gros d'abord ; parts des jetons "
                      "hors ligne « other » de l'instantané frais)."},
    "counted": {"en": "Counted against MAX_UNATTRIBUTED:", "fr": "Comptés dans MAX_UNATTRIBUTED :"},
    "or_gaps_table": {"en": "| slug | share | first seen | note |", "fr": "| identifiant | part | vu le | note |"},
    "more_in_stub": {"en": "| … {k} more in the stub | | | |", "fr": "| … et {k} autres dans l'ébauche | | | |"},
    "stealth": {"en": "Stealth and router pseudo-models ({authors}/; left unattributed on purpose, not counted): {k} "
                      "slug(s), {share} in all, the largest `{largest}` ({largest_share}).",
                "fr": "Pseudo-modèles furtifs et de routage ({authors}/ ; laissés non attribués à dessein, non comptés) : "
                      "{k} identifiant(s), {share} en tout, le plus gros `{largest}` ({largest_share})."},
    "hub_gaps": {"en": "Hugging Face: {k} namespace(s) no row of `data/reference/hf_namespaces.csv` matches (stub: "
                       "`unattributed_hub.csv`; shares of the fresh listing's downloads, as uploader and as lineage root).",
                 "fr": "Hugging Face : {k} espace(s) de noms qu'aucune ligne de `data/reference/hf_namespaces.csv` ne "
                       "reconnaît (ébauche : `unattributed_hub.csv` ; parts des téléchargements de la liste fraîche, "
                       "comme auteur du dépôt et comme racine de lignée)."},
    "hub_gaps_table": {"en": "| namespace | share (uploader) | share (lineage) |",
                       "fr": "| espace de noms | part (auteur du dépôt) | part (lignée) |"},
    "nothing_refreshed": {"en": "No source was refreshed.", "fr": "Aucune source n'a été actualisée."},
    "names_head": {"en": "## Readable model names", "fr": "## Noms lisibles des modèles"},
    "names_missing": {"en": "{k} OpenRouter model(s) on notebook 01's chart of the {n} most used models ({start} → {end}) "
                            "have no row in `data/reference/model_names.csv`: the chart shows their id, never a guessed "
                            "name. Stub: `model_names_missing.csv` (fill `display_name`, check `source_url`, drop the "
                            "evidence columns and paste the rows into the table).",
                      "fr": "{k} modèle(s) OpenRouter du graphique des {n} modèles les plus utilisés (carnet 01, {start} → "
                            "{end}) n'ont pas de ligne dans `data/reference/model_names.csv` : le graphique montre leur "
                            "identifiant, jamais un nom deviné. Ébauche : `model_names_missing.csv` (remplir "
                            "`display_name`, vérifier `source_url`, retirer les colonnes de justification et coller les "
                            "lignes dans la table)."},
    "names_table": {"en": "| slug | rank | share of all tokens |", "fr": "| identifiant | rang | part de tous les jetons |"},
    "names_complete": {"en": "Every OpenRouter model on notebook 01's chart of the {n} most used models ({start} → {end}) "
                             "has a readable name.",
                       "fr": "Chaque modèle OpenRouter du graphique des {n} modèles les plus utilisés (carnet 01, {start} "
                             "→ {end}) a un nom lisible."},
    "notebooks_head": {"en": "## Notebooks rerun on the fresh snapshots", "fr": "## Carnets réexécutés sur les instantanés frais"},
    "notebook_item": {"en": "- `notebooks/{nb}` (figures under `figures/`, CSVs under `data/processed/` of this directory)",
                      "fr": "- `notebooks/{nb}` (figures dans `figures/`, CSV dans `data/processed/` de ce répertoire)"},
    "note_stealth": {"en": "stealth/router pseudo-author: left unattributed on purpose until a source reveals the maker; "
                           "not counted against MAX_UNATTRIBUTED",
                     "fr": "pseudo-auteur furtif ou de routage : laissé non attribué à dessein tant qu'aucune source ne "
                           "révèle le fabricant ; non compté dans MAX_UNATTRIBUTED"},
    "note_prefix": {"en": "author '{author}' has a prefix row but this slug is excluded by it; check the slug rows",
                    "fr": "l'auteur « {author} » a une ligne de préfixe mais elle exclut cet identifiant ; vérifier les "
                          "lignes par identifiant"},
    "note_new": {"en": "new: no row for this slug nor for the author '{author}'; a prefix row may fit every slug of the "
                       "author; fill lab, base_lab, open_weights and check source_url",
                 "fr": "nouveau : aucune ligne pour cet identifiant ni pour l'auteur « {author} » ; une ligne de préfixe "
                       "peut couvrir tous les modèles de l'auteur ; remplir lab, base_lab, open_weights et vérifier "
                       "source_url"},
}


# ------------------------------------------------------------------------------- the site's page


def latest_refresh(root: Path | None = None) -> Path | None:
    """The newest ``build/refresh/<date>[-N]/`` holding a ``changes.md``, or None."""
    base = Path(root or paths.ROOT) / "build" / "refresh"
    if not base.is_dir():
        return None
    found = [p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "changes.md").is_file()]
    return max(found, key=lambda p: (p.name[:10], int(p.name[11:] or 1))) if found else None


def today() -> str:
    return dt.datetime.now(dt.timezone.utc).date().isoformat()
