"""What changed between the pinned data and a refresh's fresh snapshots, and what nobody attributed yet.

Why: a researcher who reruns the analysis on today's data needs to see, side by side, what the
pinned vintage said and what the fresh data say, without comparing numbers by eye; and a model
that no reference row knows must be named, with its weight, before it quietly lowers a share.
:mod:`modelrace.refresh` fetches and reruns; this module compares and writes the report into the
refresh directory ``build/refresh/<date>/``:

- ``changes.csv``: one row per compared item, columns :data:`CHANGES_COLUMNS`
  (``section, key, measure, pinned, fresh, changed``; values as text, shares as fractions with
  4 decimals, ``changed`` is ``true``/``false``). Sections: :data:`SECTIONS`.
- ``changes.md``: the same, for reading (English).
- ``unattributed_openrouter.csv`` / ``unattributed_hub.csv``: ready-to-edit stubs with the
  reference table's columns first (``openrouter_models.csv``, ``hf_namespaces.csv``), then the
  evidence columns (tokens or downloads, share, first day seen), largest first. Fill ``lab``
  (and ``base_lab``, ``open_weights`` / ``kind``), check ``source_url``, drop the evidence
  columns and paste the row into ``data/reference/``.
- ``refresh.json``: which snapshots were compared, the unattributed-token gate, the status.

Decisions (written here because nobody else will answer them):

- Claims are computed twice with :func:`modelrace.claims.run_checks` (never re-implemented):
  on the pinned inputs, and on the same inputs with the fresh OpenRouter snapshot and/or the
  fresh Hub listing swapped in. Texts are the English ones.
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
OPENROUTER_STUB_COLUMNS = attribution._SPECS["openrouter"].columns + ("tokens", "share", "first_date")
HUB_STUB_COLUMNS = attribution._SPECS["namespaces"].columns + ("downloads", "share", "lineage_downloads", "lineage_share")
ARTICLE_LEVEL = 0.30  # "more than 30 %" in early August 2025 (claims.C2_THRESHOLD; a test keeps them equal)
DEFAULT_MAX_UNATTRIBUTED = 0.02
HUB_TOP_N = 100
REPORT_FILES = ("changes.md", "changes.csv", "unattributed_openrouter.csv", "unattributed_hub.csv", "refresh.json")
# the site carries the tables (the page itself is changes.md rendered); only CSVs, like the rest of the site
SITE_FILES = ("changes.csv", "unattributed_openrouter.csv", "unattributed_hub.csv")


class ChangesError(RuntimeError):
    """The comparison cannot be made (a missing or malformed input); the message says what to do."""


def _share(x: float | None) -> str:
    return "" if x is None or pd.isna(x) else f"{x:.4f}"


def _pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None or pd.isna(x) else f"{100 * x:.{digits}f} %"


def _day(ts) -> str:
    return "" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d")


def _row(section: str, key: str, measure: str, pinned: Any, fresh: Any, changed: bool | None = None) -> dict[str, str]:
    pinned, fresh = ("" if v is None else str(v) for v in (pinned, fresh))
    if changed is None:
        changed = pinned != fresh
    return {"section": section, "key": key, "measure": measure, "pinned": pinned, "fresh": fresh,
            "changed": "true" if changed else "false"}


# ------------------------------------------------------------------------------- claims


def compare_claims(pinned: dict, fresh: dict, lang: str = "en") -> pd.DataFrame:
    """``claim_id, claim, article_value, pinned_value, pinned_verdict, fresh_value, fresh_verdict, verdict_changed``.

    ``pinned`` and ``fresh``: {claim id: :class:`modelrace.claims.Check`} from :func:`modelrace.claims.run_checks`.
    """
    from . import claims

    ref = claims.load_reference().set_index("claim_id")
    rows = []
    for cid in claims.CLAIM_IDS:
        if cid not in pinned or cid not in fresh:
            raise ChangesError(f"claim {cid} has no result on the {'pinned' if cid not in pinned else 'fresh'} data; run every check")
        p, f = pinned[cid], fresh[cid]
        rows.append({
            "claim_id": cid, "claim": ref.at[cid, f"claim_{lang}"], "article_value": ref.at[cid, "article_value"],
            "pinned_value": p.our_value[lang], "pinned_verdict": p.verdict,
            "fresh_value": f.our_value[lang], "fresh_verdict": f.verdict,
            "verdict_changed": p.verdict != f.verdict,
        })
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

    def message(self) -> str:
        added = (f"; {_pct(self.share_added, 2)} over the {self.added_days} added day(s)"
                 if self.share_added is not None else "")
        return (f"unattributed OpenRouter tokens outside the {'/ and '.join(attribution.STEALTH_AUTHORS)}/ authors: "
                f"{_pct(self.share, 2)} of the non-'other' tokens of the fresh snapshot{added} "
                f"(limit MAX_UNATTRIBUTED = {_pct(self.threshold, 2)})")


def openrouter_gaps(attributed: pd.DataFrame, *, added_after: pd.Timestamp | None,
                    threshold: float = DEFAULT_MAX_UNATTRIBUTED) -> tuple[pd.DataFrame, Gate]:
    """The stub of unattributed base slugs (largest first) and the gate numbers.

    ``attributed``: :func:`modelrace.attribution.attribute_openrouter` of the fresh snapshot;
    ``added_after``: the pinned data's last day (days after it are "added").
    """
    status = attributed["status"].astype(str)
    models = attributed.loc[status.ne("other")]
    non_other = int(models["total_tokens"].sum())
    if non_other <= 0:
        raise ChangesError("the fresh OpenRouter snapshot has no tokens outside the 'other' row; refetch it")
    un = models.loc[status.loc[models.index].eq("unattributed")].copy()
    un["base"] = attribution._base_slug(un["model_permaslug"].astype(str))
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
    notes = []
    for r in per.itertuples():
        if r.author in attribution.STEALTH_AUTHORS:
            notes.append("stealth/router pseudo-author: left unattributed on purpose until a source reveals the maker; "
                         "not counted against MAX_UNATTRIBUTED")
        elif r.author in known_prefixes:
            notes.append(f"author '{r.author}' has a prefix row but this slug is excluded by it; check the slug rows")
        else:
            notes.append(f"new: no row for this slug nor for the author '{r.author}'; a prefix row may fit every slug "
                         "of the author; fill lab, base_lab, open_weights and check source_url")
    stub = pd.DataFrame({
        "match": "slug", "pattern": per["base"], "lab": "", "base_lab": "", "open_weights": "",
        "source_url": "https://openrouter.ai/" + per["base"].str.replace(r"-\d{8}$", "", regex=True),
        "note": notes, "tokens": per["tokens"].astype("int64"), "share": per["share"].round(6),
        "first_date": per["first_date"].dt.strftime("%Y-%m-%d"),
    }, columns=list(OPENROUTER_STUB_COLUMNS))
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


# ------------------------------------------------------------------------------- the report


@dataclass
class Report:
    """Everything ``changes.md`` / ``changes.csv`` say; built by :func:`modelrace.refresh`."""

    date: str
    sources: list[str]
    snapshots: dict[str, dict[str, Any]]  # source -> {name, as_of/fetched_at, rows, first/last day...}
    claims: pd.DataFrame
    headline: Headline | None = None
    hub: HubChanges | None = None
    openrouter_stub: pd.DataFrame | None = None
    hub_stub: pd.DataFrame | None = None
    gate: Gate | None = None
    notebooks: list[str] = field(default_factory=list)
    pinned_openrouter: dict[str, str] = field(default_factory=dict)

    # -- changes.csv

    def rows(self) -> list[dict[str, str]]:
        out = []
        for r in self.claims.itertuples():
            out.append(_row("claim", r.claim_id, "verdict", r.pinned_verdict, r.fresh_verdict))
            out.append(_row("claim", r.claim_id, "our_value", r.pinned_value, r.fresh_value))
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

    # -- changes.md

    def markdown(self) -> str:
        L: list[str] = [f"# What changed since the article: refresh of {self.date}", ""]
        L.append("Pinned data (what the committed notebooks and the article check use) against the fresh snapshots "
                 "fetched by this refresh. Every number is recomputed from the data by `modelrace.claims`, "
                 "`modelrace.shares` and `modelrace.hubstats`; `changes.csv` has the same comparisons in one table.")
        L.append("")
        L.append("| source | pinned | fresh |")
        L.append("|---|---|---|")
        if "openrouter" in self.snapshots:
            s = self.snapshots["openrouter"]
            L.append(f"| OpenRouter daily rankings | {self.pinned_openrouter.get('span', '')} (pinned file) | "
                     f"snapshot `{s['name']}`: {s['first_day']} → {s['last_day']}, {s['rows']:,} rows, as of {s['as_of']} |")
        else:
            L.append("| OpenRouter daily rankings | pinned file | not refreshed (pinned data used on both sides) |")
        if "hub" in self.snapshots:
            s = self.snapshots["hub"]
            L.append(f"| Hugging Face downloads | aiWorld top 100 of 2025 (downloads over 2025) | snapshot `{s['name']}`: "
                     f"{s['mode']} listing of {s['rows']:,} models, fetched {s['fetched_at']} (downloads over the last 30 days) |")
        else:
            L.append("| Hugging Face downloads | aiWorld top 100 of 2025 | not refreshed |")
        L.append("")
        if self.gate is not None:
            verdict = "**EXCEEDED: the refresh stopped; attribute the slugs below**" if self.gate.exceeded else "within the limit"
            L += [f"**Attribution check**: {_md(self.gate.message())}: {verdict}.", ""]

        L += ["## Claims: our value and verdict, pinned data vs fresh snapshots", ""]
        changed = self.claims.loc[self.claims["verdict_changed"], "claim_id"].tolist()
        L.append(f"Verdicts changed: {', '.join(changed) if changed else 'none'}.")
        L.append("")
        L.append("| claim | article | pinned: our value | pinned verdict | fresh: our value | fresh verdict | change |")
        L.append("|---|---|---|---|---|---|---|")
        for r in self.claims.itertuples():
            change = (f"**changed**: {r.pinned_verdict} → {r.fresh_verdict}" if r.verdict_changed
                      else ("value changed" if r.pinned_value != r.fresh_value else "unchanged"))
            L.append(f"| {r.claim_id} | {_md(r.article_value)} | {_md(r.pinned_value)} | {r.pinned_verdict} | "
                     f"{_md(r.fresh_value)} | {r.fresh_verdict} | {change} |")
        L.append("")

        if self.headline is not None:
            h = self.headline
            p, f = h.latest("pinned"), h.latest("fresh")
            L += ["## Headline series: China's weekly share of OpenRouter tokens", ""]
            L.append(f"- Complete weeks: {len(h.pinned)} pinned ({_day(h.pinned['week_start'].iloc[0])} → {_day(p['week_start'])}), "
                     f"{len(h.fresh)} fresh ({_day(h.fresh['week_start'].iloc[0])} → {_day(f['week_start'])}).")
            L.append(f"- Weeks added: {len(h.weeks_added)}" + (f" (weeks of {', '.join(_day(w) for w in h.weeks_added)})." if h.weeks_added else "."))
            if h.weeks_removed:
                L.append(f"- Weeks missing from the fresh data: {len(h.weeks_removed)} ({', '.join(_day(w) for w in h.weeks_removed)}).")
            L.append(f"- Weeks restated (present in both, token counts differ): {len(h.weeks_restated)}"
                     + (f" ({', '.join(_day(w) for w in h.weeks_restated)})." if h.weeks_restated else "."))
            L.append(f"- Latest complete week, pinned: week of {_day(p['week_start'])}, {_band(p)} ({_against(p)}).")
            L.append(f"- Latest complete week, fresh: week of {_day(f['week_start'])}, {_band(f)} ({_against(f)}).")
            if h.weeks_added:
                L += ["", "| week of | China's share (low – high) |", "|---|---|"]
                for w in h.weeks_added:
                    L.append(f"| {_day(w)} | {_band(h.fresh.loc[h.fresh['week_start'] == w].iloc[0])} |")
            L += ["", "Low end: Chinese tokens / all tokens; high end: / tokens outside the 'other' row (see notebook 01).", ""]

        if self.hub is not None:
            hb = self.hub
            L += [f"## Hugging Face: the top {hb.n} then (aiWorld, 2025) and now (live listing)", ""]
            L += ["| view | group | share then | share now |", "|---|---|---|---|"]
            for r in hb.groups.itertuples():
                L.append(f"| {r.view} | {r.group} | {_pct(r.share_then)} | {_pct(r.share_now)} |")
            L.append("")
            for title, frame, rank_word in (("Entering", hb.entering, "rank now"), ("Leaving", hb.leaving, "rank then")):
                L.append(f"**{title} the top {hb.n}**: {len(frame)} model(s)" + (":" if len(frame) else "."))
                for r in frame.head(25).itertuples():
                    L.append(f"- `{r.model_id}` ({rank_word} {r.rank}, {r.uploader_group})")
                if len(frame) > 25:
                    L.append(f"- … and {len(frame) - 25} more in `changes.csv`")
                L.append("")
            L += ["aiWorld's counts are downloads over 2025, the live listing's the last 30 days: compare the groups, not the counts.", ""]

        L += ["## Attribution gaps", ""]
        if self.openrouter_stub is not None:
            stub = self.openrouter_stub
            L.append(f"OpenRouter: {len(stub)} base slug(s) no row of `data/reference/openrouter_models.csv` matches "
                     "(stub: `unattributed_openrouter.csv`, largest first; shares of the non-'other' tokens of the fresh snapshot).")
            L.append("")
            stealth = stub["pattern"].str.split("/").str[0].isin(attribution.STEALTH_AUTHORS)
            counted = stub.loc[~stealth]
            if len(counted):
                L += ["Counted against MAX_UNATTRIBUTED:", "", "| slug | share | first seen | note |", "|---|---|---|---|"]
                for r in counted.head(20).itertuples():
                    L.append(f"| `{r.pattern}` | {_pct(r.share, 2)} | {r.first_date} | {_md(r.note)} |")
                if len(counted) > 20:
                    L.append(f"| … {len(counted) - 20} more in the stub | | | |")
                L.append("")
            if stealth.any():
                L.append(f"Stealth and router pseudo-models ({'/, '.join(attribution.STEALTH_AUTHORS)}/; left unattributed "
                         f"on purpose, not counted): {int(stealth.sum())} slug(s), {_pct(stub.loc[stealth, 'share'].sum(), 2)} "
                         f"in all, the largest `{stub.loc[stealth, 'pattern'].iloc[0]}` ({_pct(stub.loc[stealth, 'share'].iloc[0], 2)}).")
                L.append("")
        if self.hub_stub is not None:
            stub = self.hub_stub
            L.append(f"Hugging Face: {len(stub)} namespace(s) no row of `data/reference/hf_namespaces.csv` matches "
                     "(stub: `unattributed_hub.csv`; shares of the fresh listing's downloads, as uploader and as lineage root).")
            L.append("")
            if len(stub):
                L += ["| namespace | share (uploader) | share (lineage) |", "|---|---|---|"]
                for r in stub.head(20).itertuples():
                    L.append(f"| `{r.namespace}` | {_pct(r.share, 2)} | {_pct(r.lineage_share, 2)} |")
                L.append("")
        if self.openrouter_stub is None and self.hub_stub is None:
            L += ["No source was refreshed.", ""]
        if self.notebooks:
            L += ["## Notebooks rerun on the fresh snapshots", ""]
            L += [f"- `notebooks/{nb}` (figures under `figures/`, CSVs under `data/processed/` of this directory)" for nb in self.notebooks]
            L.append("")
        return "\n".join(L).rstrip("\n") + "\n"

    def summary(self, status: str) -> dict[str, Any]:
        gate = None
        if self.gate is not None:
            gate = {"share": round(self.gate.share, 6), "share_added_days": None if self.gate.share_added is None
                    else round(self.gate.share_added, 6), "added_days": self.gate.added_days,
                    "threshold": self.gate.threshold, "exceeded": self.gate.exceeded,
                    "excluded_authors": list(attribution.STEALTH_AUTHORS)}
        return {"date": self.date, "sources": self.sources, "snapshots": self.snapshots, "status": status,
                "verdicts_changed": self.claims.loc[self.claims["verdict_changed"], "claim_id"].tolist(),
                "unattributed_gate": gate, "notebooks": self.notebooks}


def _band(row: pd.Series) -> str:
    return f"{_pct(row['china_share_low'])} – {_pct(row['china_share_high'])}"


def _against(row: pd.Series) -> str:
    lo, hi = float(row["china_share_low"]), float(row["china_share_high"])
    level = _pct(ARTICLE_LEVEL, 0)
    if lo > ARTICLE_LEVEL:
        return f"above the article's {level}"
    if hi > ARTICLE_LEVEL:
        return f"straddles the article's {level}"
    return f"below the article's {level}"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def write(report: Report, refresh_dir: Path, status: str) -> dict[str, Path]:
    """Write the report files into ``refresh_dir``; return them by name."""
    from . import plotting

    refresh_dir = Path(refresh_dir)
    refresh_dir.mkdir(parents=True, exist_ok=True)
    out = {
        "changes.csv": plotting.write_csv(report.frame(), refresh_dir / "changes.csv"),
        "changes.md": refresh_dir / "changes.md",
        "refresh.json": refresh_dir / "refresh.json",
    }
    out["changes.md"].write_text(report.markdown(), encoding="utf-8")
    empty_or = pd.DataFrame(columns=list(OPENROUTER_STUB_COLUMNS))
    empty_hub = pd.DataFrame(columns=list(HUB_STUB_COLUMNS))
    out["unattributed_openrouter.csv"] = plotting.write_csv(
        report.openrouter_stub if report.openrouter_stub is not None else empty_or, refresh_dir / "unattributed_openrouter.csv")
    out["unattributed_hub.csv"] = plotting.write_csv(
        report.hub_stub if report.hub_stub is not None else empty_hub, refresh_dir / "unattributed_hub.csv")
    out["refresh.json"].write_text(json.dumps(report.summary(status), indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return out


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
