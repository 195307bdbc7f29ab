"""`make refresh` end to end on the local fake servers, and the pieces it is made of.

The fake OpenRouter serves the pinned rows, with early August 2025 restated (Chinese labs'
tokens halved: the kind of revision a publisher makes) and new days after the pinned vintage
that include a Chinese model slug no reference table knows; the fake Hub serves a synthetic
listing with a namespace no table knows. The new slug weighs enough to enter notebook 01's chart
of the 15 most used models over the added days, where it has no readable name either. Expectations
are computed here from what the fakes serve (never copied from the refresh's output).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fakes.hub_server import FakeHub, make_population, sorted_listing
from fakes.openrouter_server import FakeOpenRouter, rows_from_csv
from modelrace import attribution, changes, fmt, paths, refresh, sources
from modelrace.plotting import t

KEY = "sk-or-v1-refresh-test-9c1e4b7d2a6f"
NEW_SLUG = "tianqiong/tq-2-chat-20261012"  # a made-up Chinese lab: no table knows it
NEW_SLUG_SHARE = 0.02  # of each new day's non-other tokens: in the top 15 of the added days, under MAX_UNATTRIBUTED
NEW_NAMESPACE = "TianQiong-AI"
RESTATED = ("2025-07-21", "2025-08-17")  # the weeks claim C2 reads, Chinese tokens halved
TOP = 200
PRODUCT_DIRS = ("figures", "data/processed", "notebooks")


# --------------------------------------------------------------------------- what the fakes serve


def _pinned_rows() -> list[dict]:
    return rows_from_csv(sources.get("openrouter_rankings_daily").raw_path())


def _end_day() -> dt.date:
    """Five full weeks after the pinned vintage, never in the future (loaders refuse future days)."""
    return min(dt.date(2026, 11, 15), dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1))


def served_openrouter_rows() -> list[dict]:
    rows = _pinned_rows()
    frame = pd.DataFrame(rows)
    frame["total_tokens"] = frame["total_tokens"].astype("int64")
    frame["date"] = pd.to_datetime(frame["date"])
    chinese = attribution.attribute_openrouter(frame)["group"].astype(str).eq("China").to_numpy()
    lo, hi = RESTATED
    out = []
    for r, is_cn in zip(rows, chinese):
        r = dict(r)
        if is_cn and lo <= r["date"] <= hi:
            r["total_tokens"] = str(int(r["total_tokens"]) // 2)
        out.append(r)
    last = max(r["date"] for r in rows)
    template_days = sorted({r["date"] for r in rows})[-7:]
    by_day = {d: [r for r in rows if r["date"] == d] for d in template_days}
    day = dt.date.fromisoformat(last) + dt.timedelta(days=1)
    i = 0
    while day <= _end_day():
        template = by_day[template_days[i % 7]]
        named = [r for r in template if r["model_permaslug"] != "other"]
        other = next(int(r["total_tokens"]) for r in template if r["model_permaslug"] == "other")
        new_tokens = int(sum(int(r["total_tokens"]) for r in named) * NEW_SLUG_SHARE)
        # like the real API: the top 50 named models plus 'other'; the newcomer pushes the smallest into 'other'
        smallest = min(named, key=lambda r: (int(r["total_tokens"]), r["model_permaslug"]))
        kept = [r for r in named if r is not smallest]
        day_rows = [{"date": day.isoformat(), "model_permaslug": r["model_permaslug"], "total_tokens": r["total_tokens"]}
                    for r in kept]
        day_rows.insert(3, {"date": day.isoformat(), "model_permaslug": NEW_SLUG, "total_tokens": str(new_tokens)})
        day_rows.append({"date": day.isoformat(), "model_permaslug": "other",
                         "total_tokens": str(other + int(smallest["total_tokens"]))})
        assert len(day_rows) == 51
        out += day_rows
        day += dt.timedelta(days=1)
        i += 1
    return out


def hub_population() -> list[dict]:
    models = make_population(300, seed=13)
    for k, downloads in enumerate((3_500_000, 900_000, 25_000)):
        models.append({"_id": f"{k:024x}", "id": f"{NEW_NAMESPACE}/TQ-2-{k}B-Instruct", "author": NEW_NAMESPACE,
                       "createdAt": "2026-10-20T08:00:00.000Z", "downloads": downloads, "downloadsAllTime": downloads,
                       "likes": 10, "pipeline_tag": "text-generation", "library_name": "transformers",
                       "tags": ["transformers", "safetensors"], "private": False})
    return models


# --------------------------------------------------------------------------- products fingerprint


def _fingerprint() -> dict[str, str]:
    out = {}
    for d in PRODUCT_DIRS:
        for p in sorted((paths.ROOT / d).rglob("*")):
            if p.is_file():
                out[p.relative_to(paths.ROOT).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=paths.ROOT,
                          capture_output=True, text=True, check=True).stdout


def _make_env(tmp: Path, fake_or: FakeOpenRouter, fake_hub: FakeHub, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for k in ("SOURCES", "MAX_UNATTRIBUTED", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        env.pop(k, None)
    env.update({
        "OPENROUTER_BASE_URL": fake_or.url, "OPENROUTER_API_KEY": KEY, "HF_ENDPOINT": fake_hub.url,
        "MODELRACE_SNAPSHOTS": str(tmp / "snapshots"), "REFRESH_OUT": str(tmp / "refresh"),
        "END": _end_day().isoformat(), "TOP": str(TOP), "HF_HUB_DISABLE_TELEMETRY": "1",
    })
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory, mirror):
    """One `make refresh` against both fakes; products fingerprinted before and after."""
    tmp = tmp_path_factory.mktemp("refresh")
    served = served_openrouter_rows()
    population = hub_population()
    before, status_before = _fingerprint(), _git_status()
    with FakeOpenRouter(api_key=KEY, rows=served) as fake_or, FakeHub(population) as fake_hub:
        proc = subprocess.run(["make", "--no-print-directory", "refresh"], cwd=paths.ROOT, capture_output=True, text=True,
                              env=_make_env(tmp, fake_or, fake_hub), timeout=1500)
        or_requests = list(fake_or.requests)
    after, status_after = _fingerprint(), _git_status()
    dirs = sorted((tmp / "refresh").glob("*")) if (tmp / "refresh").is_dir() else []
    return {"proc": proc, "dir": dirs[-1] if dirs else None, "served": served, "population": population,
            "before": before, "after": after, "status_before": status_before, "status_after": status_after,
            "tmp": tmp, "or_requests": or_requests}


def _changes(refresh_dir: Path) -> pd.DataFrame:
    return pd.read_csv(refresh_dir / "changes.csv", dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------- the end-to-end test


def test_make_refresh_exits_0_and_writes_everything(refreshed):
    proc = refreshed["proc"]
    assert proc.returncode == 0, f"make refresh failed:\nSTDOUT\n{proc.stdout[-3000:]}\nSTDERR\n{proc.stderr[-5000:]}"
    d = refreshed["dir"]
    assert d is not None and d.name == dt.datetime.now(dt.timezone.utc).date().isoformat()
    for name in changes.REPORT_FILES:
        assert (d / name).is_file(), name
    assert set(changes.REPORT_FILES) >= {"changes.md", "changes.fr.md", "changes.csv", "unattributed_openrouter.csv",
                                         "unattributed_hub.csv", "model_names_missing.csv", "refresh.json"}
    for nb in ("01-openrouter-china-share", "02-hub-downloads-by-country", "04-hub-growth", "05-claims"):
        assert (d / "notebooks" / f"{nb}.ipynb").is_file(), nb
    assert list((d / "figures" / "01-openrouter-china-share").glob("*.svg"))
    assert (d / "data" / "processed" / "claims.csv").is_file()
    assert json.loads((d / "refresh.json").read_text())["status"] == "complete"
    # progress on stderr, the key nowhere
    assert "[4/4]" in proc.stderr
    assert KEY not in proc.stdout + proc.stderr
    for f in d.rglob("*"):
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f
    for f in (refreshed["tmp"] / "snapshots").rglob("*"):
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f


def test_fake_openrouter_was_asked_like_the_real_api(refreshed):
    reqs = refreshed["or_requests"]
    assert reqs and all(r.bearer_ok for r in reqs)
    first = min(r.query["start_date"] for r in reqs)
    last = max(r.query["end_date"] for r in reqs)
    assert first == "2025-01-01" and last == _end_day().isoformat()
    for r in reqs:
        span = dt.date.fromisoformat(r.query["end_date"]) - dt.date.fromisoformat(r.query["start_date"])
        assert span.days + 1 <= 366


def test_committed_products_untouched(refreshed):
    assert refreshed["before"] == refreshed["after"], "make refresh changed committed products"
    assert refreshed["status_before"] == refreshed["status_after"], (
        f"git status changed:\n{refreshed['status_before']}\n---\n{refreshed['status_after']}")


def test_new_slug_in_stub_with_its_share(refreshed):
    served = refreshed["served"]
    non_other = sum(int(r["total_tokens"]) for r in served if r["model_permaslug"] != "other")
    mine = sum(int(r["total_tokens"]) for r in served if r["model_permaslug"] == NEW_SLUG)
    stub = pd.read_csv(refreshed["dir"] / "unattributed_openrouter.csv", dtype={"pattern": str})
    assert list(stub.columns[:7]) == list(attribution.REFERENCE_SPECS["openrouter"].columns)
    assert stub["tokens"].is_monotonic_decreasing
    row = stub.loc[stub["pattern"] == NEW_SLUG]
    assert len(row) == 1, stub["pattern"].tolist()
    assert int(row["tokens"].iloc[0]) == mine
    assert row["share"].iloc[0] == pytest.approx(mine / non_other, abs=1e-6)
    assert row["lab"].isna().all() and row["match"].iloc[0] == "slug"
    assert "note_fr" not in stub.columns  # the French note is for changes.fr.md, not the CSV
    for name, lang in (("changes.md", "en"), ("changes.fr.md", "fr")):
        line = next(x for x in (refreshed["dir"] / name).read_text().splitlines() if x.startswith(f"| `{NEW_SLUG}` | "))
        assert line.startswith(f"| `{NEW_SLUG}` | {fmt.pct(mine / non_other, lang, 2)} | "), (name, line)
    fr_line = next(x for x in (refreshed["dir"] / "changes.fr.md").read_text().splitlines() if x.startswith(f"| `{NEW_SLUG}` | "))
    assert "nouveau : aucune ligne" in fr_line and "tianqiong" in fr_line


def test_hub_namespace_in_stub_with_its_share(refreshed):
    top = sorted_listing(refreshed["population"], sort="downloads")[:TOP]
    total = sum(m["downloads"] for m in top)
    mine = sum(m["downloads"] for m in top if m["id"].startswith(NEW_NAMESPACE + "/"))
    stub = pd.read_csv(refreshed["dir"] / "unattributed_hub.csv")
    assert list(stub.columns[:6]) == list(attribution.REFERENCE_SPECS["namespaces"].columns)
    row = stub.loc[stub["namespace"] == NEW_NAMESPACE]
    assert len(row) == 1
    assert row["share"].iloc[0] == pytest.approx(mine / total, abs=1e-6)
    assert stub["downloads"].is_monotonic_decreasing


def _complete_weeks(days: set[dt.date]) -> set[dt.date]:
    mondays = {d - dt.timedelta(days=d.weekday()) for d in days}
    return {m for m in mondays if all(m + dt.timedelta(days=k) in days for k in range(7))}


def test_added_weeks_reported(refreshed):
    pinned_days = {dt.date.fromisoformat(r["date"]) for r in _pinned_rows()}
    fresh_days = {dt.date.fromisoformat(r["date"]) for r in refreshed["served"]}
    added = sorted(_complete_weeks(fresh_days) - _complete_weeks(pinned_days))
    assert len(added) >= 4
    ch = _changes(refreshed["dir"])
    head = ch.loc[ch["section"] == "headline"]
    assert head.loc[head["measure"] == "weeks_added", "fresh"].tolist() == [str(len(added))]
    listed = head.loc[head["measure"] == "week_added_share_low_high", "key"].tolist()
    assert listed == [w.isoformat() for w in added]
    md = (refreshed["dir"] / "changes.md").read_text()
    assert f"Weeks added: {len(added)} (weeks of {fmt.day(added[0], 'en')}, " in md
    last = head.loc[head["measure"] == "last_week"].iloc[0]
    assert last["fresh"] == added[-1].isoformat()
    assert f"the article's {fmt.pct(changes.ARTICLE_LEVEL, 'en', 0)}" in md and "30%" in md
    fr = (refreshed["dir"] / "changes.fr.md").read_text()
    assert f"Semaines ajoutées : {len(added)} (semaines du {fmt.day(added[0], 'fr')}, " in fr
    assert f"des {fmt.pct(changes.ARTICLE_LEVEL, 'fr', 0)} de l'article" in fr and "30\u202f%" in fr


def test_changed_verdict_shown_as_changed(refreshed):
    ch = _changes(refreshed["dir"])
    verdicts = ch.loc[(ch["section"] == "claim") & (ch["measure"] == "verdict")].set_index("key")
    assert list(verdicts.index) == [f"C{i}" for i in range(1, 14)]
    # every flag agrees with the values it compares
    assert (verdicts["changed"] == (verdicts["pinned"] != verdicts["fresh"]).map({True: "true", False: "false"})).all()
    committed = {r["claim_id"]: r["verdict"] for r in csv.DictReader(open(paths.PROCESSED / "claims.csv", encoding="utf-8"))}
    assert verdicts.at["C2", "pinned"] == committed["C2"]
    assert verdicts.at["C2", "changed"] == "true", verdicts.loc["C2"].to_dict()
    md = (refreshed["dir"] / "changes.md").read_text()
    c2 = next(line for line in md.splitlines() if line.startswith("| C2 |"))
    assert f"**changed**: {verdicts.at['C2', 'pinned']} → {verdicts.at['C2', 'fresh']}" in c2
    assert "Verdicts changed: " in md and "C2" in md.split("Verdicts changed: ")[1].splitlines()[0]
    fr = (refreshed["dir"] / "changes.fr.md").read_text()
    c2 = next(line for line in fr.splitlines() if line.startswith("| C2 |"))
    verdict_fr = {v: t(k, "fr") for v, k in (("supported", "nb05_verdict_supported"), ("partly supported", "nb05_verdict_partly"),
                                             ("contradicted", "nb05_verdict_contradicted"))}
    assert f"**modifié** : {verdict_fr[verdicts.at['C2', 'pinned']]} → {verdict_fr[verdicts.at['C2', 'fresh']]}" in c2
    assert "C2" in fr.split("Verdicts modifiés : ")[1].splitlines()[0]
    restated = ch.loc[ch["measure"] == "week_restated_share_low_high", "key"].tolist()
    assert restated == ["2025-07-21", "2025-07-28", "2025-08-04", "2025-08-11"]


def test_hub_top_n_entering_leaving_and_groups(refreshed):
    ch = _changes(refreshed["dir"])
    entering = set(ch.loc[(ch["section"] == "hub_top") & (ch["measure"] == "entering"), "key"])
    top100 = {m["id"] for m in sorted_listing(refreshed["population"], sort="downloads")[:100]}
    assert f"{NEW_NAMESPACE}/TQ-2-0B-Instruct" in entering and entering <= top100
    groups = ch.loc[ch["section"] == "hub_groups"]
    for view in ("uploader", "lineage"):
        part = groups.loc[groups["key"].str.startswith(view + ":")]
        assert sum(float(x) for x in part["pinned"]) == pytest.approx(1, abs=1e-3)
        assert sum(float(x) for x in part["fresh"]) == pytest.approx(1, abs=1e-3)


def test_each_report_is_in_its_language(refreshed):
    """changes.md is English, changes.fr.md French: headings, words, number and date typography."""
    d = refreshed["dir"]
    en, fr = (d / "changes.md").read_text(encoding="utf-8"), (d / "changes.fr.md").read_text(encoding="utf-8")
    assert en.startswith("# What changed since the article: refresh of ")
    assert fr.startswith("# Ce qui a changé depuis l'article : actualisation du ")
    for heading in ("## Affirmations : ", "## Série principale : ", "## Hugging Face : ", "## Lacunes d'attribution",
                    "## Noms lisibles des modèles", "## Carnets réexécutés"):
        assert heading in fr, heading
    for english in ("## Claims", "Weeks added", "unchanged", "rank now", "Entering the top", "Low end:"):
        assert english not in fr, english
    for french in ("Semaines", "inchangé", "aujourd'hui", "Entrent dans le top", "données épinglées"):
        assert french not in en, french
    # group names in each language (plotting.t), shares with each language's typography (modelrace.fmt)
    groups = _changes(d).query("section == 'hub_groups'")
    china = groups.loc[groups["key"] == "uploader:China"].iloc[0]
    assert f"| {t('group_China', 'fr')} | {fmt.pct(float(china['pinned']), 'fr')} | {fmt.pct(float(china['fresh']), 'fr')} |" in fr
    assert f"| China | {fmt.pct(float(china['pinned']), 'en')} | {fmt.pct(float(china['fresh']), 'en')} |" in en
    assert "\u202f%" in fr and "\u202f" not in en
    assert "," in fmt.pct(float(china["fresh"]), "fr")  # a decimal comma, checked in the page above
    rows = json.loads((d / "refresh.json").read_text())["snapshots"]["openrouter"]["rows"]
    assert fmt.num(rows, "fr") in fr and fmt.num(rows, "en") in en


def test_new_slug_without_a_readable_name_is_listed_and_notebook_01_ran(refreshed):
    """A live refresh draws a new slug as its id, says so in notebook 01, the reports and a names stub."""
    d = refreshed["dir"]
    stub = pd.read_csv(d / "model_names_missing.csv", dtype=str, keep_default_na=False)
    assert tuple(stub.columns[:5]) == attribution.REFERENCE_SPECS["model_names"].columns
    assert tuple(stub.columns) == changes.NAMES_STUB_COLUMNS
    assert NEW_SLUG in stub["model_id"].tolist()
    have = set(attribution.load_model_names().query("platform == 'openrouter'")["model_id"])
    assert not set(stub["model_id"]) & have
    assert (stub["platform"] == "openrouter").all() and (stub["display_name"] == "").all()
    assert stub["rank"].astype(int).is_monotonic_increasing and stub["rank"].astype(int).le(15).all()
    # the notebook ran on the added days' window and drew exactly these slugs as their ids
    pinned_last = max(r["date"] for r in _pinned_rows())
    top = pd.read_csv(d / "data" / "processed" / "openrouter_top15_models.csv", dtype=str, keep_default_na=False)
    assert len(top) == 15 and NEW_SLUG in top["model_permaslug"].tolist()
    base = top["model_permaslug"].str.partition(":")[0]
    unnamed = sorted(set(base[~base.isin(have)]))
    assert sorted(stub["model_id"]) == unnamed
    assert top.loc[top["model_permaslug"] == NEW_SLUG, "display_name"].tolist() == [NEW_SLUG]
    nb = json.loads((d / "notebooks" / "01-openrouter-china-share.ipynb").read_text())
    params = next(c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    window_start = (dt.date.fromisoformat(pinned_last) + dt.timedelta(days=1)).isoformat()
    assert f'top_window_start = "{window_start}"' in "".join(params["source"])
    printed = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    line = next(x for x in printed.splitlines() if x.startswith("no readable name for"))
    assert NEW_SLUG in line and "data/reference/model_names.csv" in line
    assert list((d / "figures" / "01-openrouter-china-share").glob("top15_models.svg"))
    # the reports list them, each in its language
    for name, heading in (("changes.md", "## Readable model names"), ("changes.fr.md", "## Noms lisibles des modèles")):
        section = (d / name).read_text().split(heading)[1]
        assert f"| `{NEW_SLUG}` | " in section and "model_names_missing.csv" in section
    assert NEW_SLUG in json.loads((d / "refresh.json").read_text())["model_names_missing"]


def test_gate_stops_after_writing_the_report(tmp_path, mirror):
    """A MAX_UNATTRIBUTED below the new slug's weight stops the refresh (status 3) with the report written."""
    with FakeOpenRouter(api_key=KEY, rows=served_openrouter_rows()) as fake_or, FakeHub(hub_population()) as fake_hub:
        env = _make_env(tmp_path, fake_or, fake_hub, MAX_UNATTRIBUTED="0.5%")
        proc = subprocess.run([sys.executable, "-m", "modelrace.refresh", "--sources", "openrouter"], cwd=paths.ROOT,
                              capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == refresh.EXIT_UNATTRIBUTED, proc.stderr[-3000:]
    assert "refresh stopped" in proc.stderr and NEW_SLUG in proc.stderr and "MAX_UNATTRIBUTED" in proc.stderr
    d = next((tmp_path / "refresh").iterdir())
    summary = json.loads((d / "refresh.json").read_text())
    assert summary["status"].startswith("stopped") and summary["unattributed_gate"]["exceeded"]
    assert (d / "changes.md").is_file() and NEW_SLUG in (d / "unattributed_openrouter.csv").read_text()
    assert not (d / "notebooks").exists()
    assert "EXCEEDED" in (d / "changes.md").read_text()
    assert "LIMITE DÉPASSÉE" in (d / "changes.fr.md").read_text()


# --------------------------------------------------------------------------- pieces


def test_parse_sources():
    assert refresh.parse_sources("openrouter hub") == ["openrouter", "hub"]
    assert refresh.parse_sources(["hub", "openrouter"]) == ["openrouter", "hub"]
    assert refresh.parse_sources("all") == ["openrouter", "hub"]
    assert refresh.parse_sources(None) == ["openrouter", "hub"]
    for bad in ("openruter", "", "hub github"):
        with pytest.raises(refresh.RefreshError, match="SOURCES"):
            refresh.parse_sources(bad)


def test_parse_fraction():
    assert refresh.parse_fraction("2%") == pytest.approx(0.02)
    assert refresh.parse_fraction("0.02") == pytest.approx(0.02)
    for bad in ("two", "150%", "-0.1"):
        with pytest.raises(refresh.RefreshError, match="MAX_UNATTRIBUTED"):
            refresh.parse_fraction(bad)


def test_main_rejects_bad_arguments(capsys):
    assert refresh.main(["--sources", "github"]) == refresh.EXIT_USAGE
    assert "SOURCES" in capsys.readouterr().err
    assert refresh.main(["--max-unattributed", "lots"]) == refresh.EXIT_USAGE


def test_notebook_runs_follow_the_sources():
    o, h = Path("/s/openrouter/x"), Path("/s/hub/y")
    assert [nb for nb, _ in refresh.notebook_runs({"openrouter": o})] == ["01-openrouter-china-share", "05-claims"]
    runs = dict(refresh.notebook_runs({"hub": h}))
    assert runs["05-claims"] == {"snapshot": "pinned", "hub_snapshot": str(h)}
    assert set(runs) == {"02-hub-downloads-by-country", "04-hub-growth", "05-claims"}
    assert refresh.notebook_runs({}) == []
    window = dict(refresh.notebook_runs({"openrouter": o}, top_models_window=("2026-10-10", "2026-11-15")))
    assert window["01-openrouter-china-share"] == {"snapshot": str(o), "top_window_start": "2026-10-10",
                                                  "top_window_end": "2026-11-15"}


def test_top_window_is_the_added_days():
    assert refresh.top_window("2026-10-09", "2026-11-15") == ("2026-10-10", "2026-11-15")
    assert refresh.top_window(pd.Timestamp("2026-10-09"), pd.Timestamp("2026-10-10")) == ("2026-10-10", "2026-10-10")
    assert refresh.top_window("2026-10-09", "2026-10-09") is None
    assert refresh._notebook_default("01-openrouter-china-share", "top_window_start") == "2025-01-01"


def test_every_live_notebook_is_rerun():
    """Each notebook whose parameters take a snapshot is in the refresh, with parameters it declares."""
    import papermill as pm

    both = dict(refresh.notebook_runs({"openrouter": Path("/o"), "hub": Path("/h")}))
    for nb in sorted(paths.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        declared = pm.inspect_notebook(str(nb))
        if any("snapshot" in name for name in declared):
            assert nb.stem in both, f"{nb.name} takes a snapshot but the refresh does not rerun it"
        if nb.stem in both:
            unknown = set(both[nb.stem]) - set(declared)
            assert not unknown, f"{nb.name}: the refresh passes undeclared parameters {unknown}"
            assert "output_root" in declared


def test_fetch_for_notebook_none_fetches_nothing(capsys):
    assert refresh.fetch_for_notebook("none") == {}
    assert "nothing fetched" in capsys.readouterr().out
    with pytest.raises(ValueError, match="refresh must be one of"):
        refresh.fetch_for_notebook("everything")


def test_notebook_00_refresh_parameter():
    import papermill as pm

    params = pm.inspect_notebook(str(paths.NOTEBOOKS / "00-sources.ipynb"))
    assert params["refresh"]["default"] == '"none"'


def test_fetch_for_notebook_fetches_from_the_fake(tmp_path, monkeypatch):
    rows = [{"date": "2025-01-0%d" % d, "model_permaslug": "deepseek/deepseek-chat", "total_tokens": "5"} for d in (1, 2)]
    with FakeOpenRouter(api_key=KEY, rows=rows) as fake:
        monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
        monkeypatch.setenv("OPENROUTER_BASE_URL", fake.url)
        got = refresh.fetch_for_notebook("openrouter", end="2025-01-02", snapshots_root=tmp_path)
    assert set(got) == {"openrouter"} and (got["openrouter"] / "rankings-daily.csv").is_file()


def test_latest_refresh(tmp_path):
    d = tmp_path / "build" / "refresh" / "2026-12-01"
    d.mkdir(parents=True)
    (d / "changes.md").write_text("# What changed\n\n| a | b |\n|---|---|\n| <x> | 1 |\n")
    (d / "changes.csv").write_text("section,key,measure,pinned,fresh,changed\n")
    later = tmp_path / "build" / "refresh" / "2026-12-01-2"
    later.mkdir()
    assert changes.latest_refresh(tmp_path) == d  # no changes.md yet
    (later / "changes.md").write_text("# later\n")
    assert changes.latest_refresh(tmp_path) == later
    assert changes.latest_refresh(tmp_path / "nowhere") is None


def test_fake_openrouter_clamps_early_dates_like_the_api():
    import requests

    rows = [{"date": d, "model_permaslug": "deepseek/deepseek-chat", "total_tokens": "7"} for d in ("2025-01-01", "2025-01-02")]
    with FakeOpenRouter(api_key=KEY, rows=rows) as fake:
        got = requests.get(fake.url + "/api/v1/datasets/rankings-daily", params={"start_date": "2024-11-01", "end_date": "2025-01-02"},
                           headers={"Authorization": f"Bearer {KEY}"}, timeout=10).json()
        default = requests.get(fake.url + "/api/v1/datasets/rankings-daily", params={"end_date": "2025-01-10"},
                               headers={"Authorization": f"Bearer {KEY}"}, timeout=10).json()
    assert got["meta"]["start_date"] == "2025-01-01" and [r["date"] for r in got["data"]] == ["2025-01-01", "2025-01-02"]
    assert all(isinstance(r["total_tokens"], str) for r in got["data"])
    assert default["meta"]["start_date"] == "2025-01-01"  # 30 days before 2025-01-10, clamped forward


def _attributed(rows):
    frame = pd.DataFrame(rows, columns=["date", "model_permaslug", "total_tokens"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["total_tokens"] = frame["total_tokens"].astype("int64")
    return attribution.attribute_openrouter(frame)


def test_gate_counts_named_authors_only_and_reports_added_days():
    att = _attributed([
        ("2026-01-01", "deepseek/deepseek-chat", 900), ("2026-01-01", "stealth/ox-alpha", 50),
        ("2026-01-01", "nowhere-lab/m1:free", 50), ("2026-01-01", "other", 10_000),
        ("2026-01-02", "deepseek/deepseek-chat", 700), ("2026-01-02", "nowhere-lab/m1", 300),
    ])
    stub, gate = changes.openrouter_gaps(att, added_after=pd.Timestamp("2026-01-01"), threshold=0.1)
    assert gate.share == pytest.approx(350 / 2000) and gate.exceeded
    assert gate.share_added == pytest.approx(300 / 1000) and gate.added_days == 1
    assert stub["pattern"].tolist() == ["nowhere-lab/m1", "stealth/ox-alpha"]  # ':free' joins its base slug
    assert stub["tokens"].tolist() == [350, 50] and stub["share"].tolist() == [0.175, 0.025]
    assert stub["first_date"].tolist() == ["2026-01-01", "2026-01-01"]
    assert "not counted" in stub["note"].iloc[1]
    _, ok = changes.openrouter_gaps(att, added_after=None, threshold=0.2)
    assert not ok.exceeded and ok.share_added is None


def test_refresh_dir_is_replaced_only_when_a_refresh_made_it(tmp_path):
    d = tmp_path / "2026-12-04"
    d.mkdir()
    (d / "notes.txt").write_text("mine")
    with pytest.raises(refresh.RefreshError, match="not made by a refresh"):
        refresh._prepare_dir(d)
    (d / "refresh.json").write_text("{}")
    refresh._prepare_dir(d)
    assert d.is_dir() and not any(d.iterdir())


def test_article_level_is_the_claims_threshold():
    from modelrace import claims

    assert changes.ARTICLE_LEVEL == claims.C2_THRESHOLD


def test_site_build_does_not_import_matplotlib():
    code = "import sys, modelrace.site, modelrace.changes; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT).returncode == 0


def test_missing_key_fails_clearly_before_writing_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    rc = refresh.main(["--sources", "openrouter", "--out", str(tmp_path / "refresh")])
    assert rc == refresh.EXIT_ERROR
    err = capsys.readouterr().err
    assert "OPENROUTER_API_KEY is not set" in err and "refresh failed" in err
    assert not (tmp_path / "refresh").exists()
