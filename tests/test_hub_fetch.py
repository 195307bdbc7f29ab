"""modelrace.hub against a local fake Hub (tests/fakes/hub_server.py): paging, faults, resumption.

Expectations are computed from the generated population with plain Python (sorting and field
mapping written here), never from the fetcher's output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from modelrace import hub, snapshots

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakes.hub_server import FakeHub, make_population  # noqa: E402

EXPAND = ["downloads", "downloadsAllTime", "author", "createdAt", "likes", "pipeline_tag", "library_name",
          "tags", "baseModels"]
CANARY = "hf_CANARYtoken0123456789abcdef"


@pytest.fixture(scope="module")
def population() -> list[dict]:
    return make_population(300, seed=7)


@pytest.fixture()
def fake(population):
    with FakeHub(population, page_size=1000, retry_after="7", stall_seconds=1.0) as server:
        yield server


@pytest.fixture(autouse=True)
def _no_real_hub(monkeypatch):
    """Never let a test fall back to huggingface.co, nor use a developer's token."""
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


def expected_row(rec: dict) -> dict:
    """The snapshot row a Hub record should become, mapped by hand from the Hub's names."""
    if "baseModels" in rec:
        bases = [m["id"] for m in rec["baseModels"]["models"]]
        relation = rec["baseModels"]["relation"]
    else:
        bases = [t.split(":")[-1] for t in rec["tags"] if t.startswith("base_model:") and t.count(":") == 1]
        relations = [t.split(":")[1] for t in rec["tags"] if t.startswith("base_model:") and t.count(":") == 2]
        relation = relations[0] if relations else None
    created = dt.datetime.strptime(rec["createdAt"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=dt.timezone.utc)
    return {
        "model_id": rec["id"], "author": rec["id"].split("/")[0], "created_at": created,
        "downloads": rec["downloads"], "downloads_all_time": rec.get("downloadsAllTime"), "likes": rec["likes"],
        "pipeline_tag": rec.get("pipeline_tag"), "library_name": rec.get("library_name"), "tags": rec["tags"],
        "base_models": bases or None, "base_relation": relation,
    }


def top_expected(population: list[dict], n: int) -> list[dict]:
    ranked = sorted(population, key=lambda r: (-r["downloads"], r["id"]))[:n]
    return [expected_row(r) for r in ranked]


def rows_of(snap: Path) -> list[dict]:
    return pq.read_table(snap / "models.parquet").to_pylist()


def manifest_of(snap: Path) -> dict:
    return json.loads((snap / "manifest.json").read_text())


def committed(root: Path) -> list[Path]:
    return sorted(p for p in (root / "hub").iterdir() if not p.name.startswith(".")) if (root / "hub").exists() else []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- paging and content


def test_top_n_one_request_per_page_with_exact_rows(fake, population, tmp_path):
    sleeps: list[float] = []
    snap = hub.fetch_top_models(45, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, sleep=sleeps.append)

    assert rows_of(snap) == top_expected(population, 45)
    reqs = fake.requests
    assert len(reqs) == math.ceil(45 / 10) == 5
    assert all(r.path == "/api/models" for r in reqs)  # no per-model /api/models/<id> call
    assert [r.page for r in reqs] == [1, 2, 3, 4, 5]
    for r in reqs:
        assert r.params["expand"] == EXPAND
        assert r.params["sort"] == ["downloads"] and r.params["limit"] == ["10"]
        assert "author" not in r.params and "direction" not in r.params
        ua = {k.lower(): v for k, v in r.headers.items()}["user-agent"]
        assert ua.startswith("modelrace/") and "hf_hub/" in ua
    m = manifest_of(snap)
    assert (m["mode"], m["pages"], m["requests"], m["rows"], m["complete"]) == ("top", 5, 5, 45, True)
    assert m["query"]["n"] == 45 and m["query"]["expand"] == EXPAND and m["endpoint"] == fake.url
    assert m["duplicates"]["count"] == 0 and m["huggingface_hub_version"]
    assert sleeps == []
    assert snap.parent == tmp_path / "hub" and [p.name for p in (tmp_path / "hub").iterdir()] == [snap.name]


def test_whole_population_fields_nulls_and_lineage(fake, population, tmp_path):
    # the population must exercise the cases checked below, or this test would prove nothing
    assert any("downloadsAllTime" not in r for r in population)
    assert any("baseModels" not in r and any(t.startswith("base_model:") for t in r["tags"]) for r in population)
    assert any(r.get("baseModels", {}).get("relation") == "quantized" and r["id"].startswith("user") for r in population)

    snap = hub.fetch_top_models(len(population), endpoint=fake.url, snapshots_root=tmp_path, page_size=50)
    assert rows_of(snap) == top_expected(population, len(population))
    assert len(fake.requests) == 6

    df = hub.load_listing(snap, snapshots_root=tmp_path)
    missing = {r["id"] for r in population if "downloadsAllTime" not in r}
    assert df.loc[df.model_id.isin(missing), "downloads_all_time"].isna().all()  # null, not 0
    assert str(df.downloads.dtype) == "Int64" and str(df.created_at.dtype) == "datetime64[us, UTC]"
    assert pq.read_schema(snap / "models.parquet").equals(hub.LISTING_SCHEMA, check_metadata=False)


def test_page_size_capped_by_server_like_the_hub(population, tmp_path):
    with FakeHub(population, page_size=20) as server:  # the Hub caps a page at 1,000; here at 20
        snap = hub.fetch_top_models(70, endpoint=server.url, snapshots_root=tmp_path)
        assert [r.params["limit"] for r in server.requests] == [["70"]] * 4  # min(n, page_size=1000)
    assert rows_of(snap) == top_expected(population, 70)


def test_fewer_models_than_asked_is_committed_as_incomplete(fake, population, tmp_path, caplog):
    snap = hub.fetch_top_models(350, endpoint=fake.url, snapshots_root=tmp_path, page_size=100)
    m = manifest_of(snap)
    assert (m["rows"], m["complete"], m["pages"]) == (300, False, 3)
    assert "fewer than the 350" in caplog.text


def test_org_mode_one_listing_per_author(fake, population, tmp_path):
    orgs = ["Qwen", "deepseek-ai", "user3"]
    snap = hub.fetch_org_models(orgs, endpoint=fake.url, snapshots_root=tmp_path, page_size=7)

    mine = [r for r in population if r["id"].split("/")[0] in orgs]
    expected = [expected_row(r) for r in sorted(mine, key=lambda r: (r["id"].split("/")[0], r["id"]))]
    assert rows_of(snap) == expected
    counts = {o: sum(r["id"].startswith(o + "/") for r in population) for o in orgs}
    assert all(counts.values())
    assert len(fake.requests) == sum(math.ceil(c / 7) for c in counts.values())
    assert [r.params["author"][0] for r in fake.requests] == [o for o in orgs for _ in range(math.ceil(counts[o] / 7))]
    assert all(r.params["expand"] == EXPAND and r.params["limit"] == ["7"] and "sort" not in r.params
               for r in fake.requests)
    m = manifest_of(snap)
    assert m["mode"] == "orgs" and m["query"]["authors"] == orgs
    assert {o: v["rows"] for o, v in m["by_author"].items()} == counts


def test_hf_endpoint_env_is_used(fake, population, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    snap = hub.fetch_top_models(5, snapshots_root=tmp_path, page_size=5)
    assert len(fake.requests) == 1 and manifest_of(snap)["endpoint"] == fake.url


# --------------------------------------------------------------------------- retries


@pytest.mark.parametrize(
    "fault, waits",
    [
        ("429", [7.0]),                       # Retry-After honoured (fake says 7 s)
        ("500", [1.0]), ("502", [1.0]), ("503", [1.0]), ("504", [1.0]),
        ("timeout", [1.0]), ("reset", [1.0]), ("cut_short", [1.0]), ("truncated", [1.0]),
    ],
)
def test_transient_faults_are_retried(fake, population, tmp_path, fault, waits):
    fake.faults.extend([None, fault])  # page 2's first attempt fails
    sleeps: list[float] = []
    snap = hub.fetch_top_models(30, endpoint=fake.url, snapshots_root=tmp_path, page_size=10,
                                sleep=sleeps.append, timeout=0.3)
    assert rows_of(snap) == top_expected(population, 30)
    assert sleeps == waits
    assert [r.page for r in fake.requests] == [1, 2, 2, 3]
    assert manifest_of(snap)["requests"] == 4 and manifest_of(snap)["pages"] == 3


def test_backoff_grows_and_429_date_is_honoured(fake, population, tmp_path):
    fake.faults.extend(["503", "500", ("429_date", {"seconds": 30}), "502"])
    sleeps: list[float] = []
    snap = hub.fetch_top_models(10, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, sleep=sleeps.append)
    assert rows_of(snap) == top_expected(population, 10)
    assert sleeps[:2] == [1.0, 2.0] and 20 < sleeps[2] <= 30 and sleeps[3] == 8.0
    assert len(fake.requests) == 5


def test_persistent_truncated_json_gives_clear_error(fake, tmp_path):
    fake.faults.extend(["truncated"] * 3)
    with pytest.raises(hub.HubFetchError, match=r"after 3 attempts.*invalid JSON.*rerun the same command") as err:
        hub.fetch_top_models(10, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, max_attempts=3,
                             sleep=lambda s: None)
    assert fake.url + "/api/models?sort=downloads" in str(err.value)
    assert committed(tmp_path) == [] and len(fake.requests) == 3


def test_client_error_is_not_retried(fake, tmp_path):
    fake.faults.append("401")
    with pytest.raises(hub.HubFetchError, match="HTTP 401; retrying cannot help"):
        hub.fetch_top_models(10, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, sleep=lambda s: None)
    assert len(fake.requests) == 1 and committed(tmp_path) == []


# --------------------------------------------------------------------------- bad data


def test_malformed_row_names_page_item_and_field(fake, tmp_path):
    fake.faults.extend([None, ("malformed_row", {"index": 3})])
    with pytest.raises(hub.HubDataError) as err:
        hub.fetch_top_models(30, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, sleep=lambda s: None)
    msg = str(err.value)
    assert "item 3" in msg and "'id'" in msg and "no-slash-id" in msg and "owner/name" in msg
    assert "cursor=" in msg and fake.url in msg  # the page URL of page 2
    assert len(fake.requests) == 2  # data errors are not retried
    assert committed(tmp_path) == []


def test_negative_count_is_an_error(fake, tmp_path):
    fake.faults.append(("negative_count", {"index": 1, "field": "downloadsAllTime"}))
    with pytest.raises(hub.HubDataError, match=r"item 1 \(.+/.+\): field 'downloadsAllTime' = -5 is negative"):
        hub.fetch_top_models(10, endpoint=fake.url, snapshots_root=tmp_path, page_size=10)
    assert committed(tmp_path) == []


def test_foreign_model_in_org_listing_is_an_error(fake, tmp_path):
    fake.faults.append(("malformed_row", {"index": 0, "value": "someone-else/model"}))
    with pytest.raises(hub.HubDataError, match="not in the namespace 'Qwen'"):
        hub.fetch_org_models(["Qwen"], endpoint=fake.url, snapshots_root=tmp_path, page_size=10)


def test_duplicates_across_pages_keep_first_and_are_counted(fake, population, tmp_path, caplog):
    fake.faults.extend([None, "duplicate"])  # page 2 repeats page 1's last model first
    snap = hub.fetch_top_models(30, endpoint=fake.url, snapshots_root=tmp_path, page_size=10)
    expected = top_expected(population, 30)
    assert rows_of(snap) == expected
    m = manifest_of(snap)
    assert m["duplicates"]["count"] == 1 and m["duplicates"]["model_ids"] == [expected[9]["model_id"]]
    assert "already listed" in caplog.text
    assert m["requests"] == 3  # 10 + (11 - 1 repeat) + 10 distinct


def test_duplicate_within_a_page_is_counted(fake, population, tmp_path):
    fake.faults.append("duplicate")  # on page 1: item 0 served twice
    snap = hub.fetch_org_models(["Qwen"], endpoint=fake.url, snapshots_root=tmp_path, page_size=1000)
    n_qwen = sum(r["id"].startswith("Qwen/") for r in population)
    assert len(rows_of(snap)) == n_qwen and manifest_of(snap)["duplicates"]["count"] == 1


def test_empty_result_is_an_error_and_commits_nothing(fake, tmp_path):
    fake.faults.append("empty")
    with pytest.raises(hub.HubEmptyResult, match="no model"):
        hub.fetch_top_models(10, endpoint=fake.url, snapshots_root=tmp_path, page_size=10)
    assert list((tmp_path / "hub").iterdir()) == []  # staging removed too


def test_unknown_org_is_an_error(fake, tmp_path):
    with pytest.raises(hub.HubEmptyResult, match="author 'nobody-here'"):
        hub.fetch_org_models(["Qwen", "nobody-here"], endpoint=fake.url, snapshots_root=tmp_path, page_size=50)
    assert committed(tmp_path) == []


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="page_size"):
        hub.fetch_top_models(10, page_size=1001)
    with pytest.raises(ValueError, match="positive"):
        hub.fetch_top_models(0)
    with pytest.raises(ValueError, match="more than once"):
        hub.fetch_org_models(["Qwen", "qwen"])
    with pytest.raises(ValueError, match="non-empty list"):
        hub.fetch_org_models("Qwen")


# --------------------------------------------------------------------------- resumption and atomicity


def test_resume_after_retries_exhausted(fake, population, tmp_path):
    clean_root = tmp_path / "clean"
    clean = hub.fetch_top_models(100, endpoint=fake.url, snapshots_root=clean_root, page_size=10)
    fake.requests.clear()

    root = tmp_path / "run"
    fake.faults.append(("fail_after_page", {"page": 2, "status": 503}))  # the Hub goes down after page 2
    sleeps: list[float] = []
    with pytest.raises(hub.HubFetchError, match="after 3 attempts.*HTTP 503.*resume"):
        hub.fetch_top_models(100, endpoint=fake.url, snapshots_root=root, page_size=10, max_attempts=3,
                             sleep=sleeps.append)
    assert [r.page for r in fake.requests] == [1, 2, 3, 3, 3] and sleeps == [1.0, 2.0]
    assert committed(root) == []
    (staging,) = [p for p in (root / "hub").iterdir() if p.name.startswith(".staging-")]
    assert json.loads((staging / ".state.json").read_text())["pages_done"] == 2

    fake.heal()
    fake.requests.clear()
    snap = hub.fetch_top_models(100, endpoint=fake.url, snapshots_root=root, page_size=10)
    assert [r.page for r in fake.requests] == list(range(3, 11))  # resumed at page 3
    assert sha(snap / "models.parquet") == sha(clean / "models.parquet")
    assert rows_of(snap) == top_expected(population, 100)
    m = manifest_of(snap)
    assert (m["pages"], m["requests"], m["runs"]) == (10, 5 + 8, 2)
    assert not staging.exists() and sorted(p.name for p in snap.iterdir()) == ["manifest.json", "models.parquet"]


def test_fresh_discards_an_interrupted_fetch(fake, tmp_path):
    fake.faults.append("fail_after_page:1")
    with pytest.raises(hub.HubFetchError):
        hub.fetch_top_models(30, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, max_attempts=1)
    fake.heal()
    fake.requests.clear()
    hub.fetch_top_models(30, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, fresh=True)
    assert [r.page for r in fake.requests] == [1, 2, 3]


def test_previous_snapshot_untouched_by_a_failed_fetch(fake, tmp_path):
    first = hub.fetch_top_models(20, endpoint=fake.url, snapshots_root=tmp_path, page_size=10)
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    fake.faults.append(("malformed_row", {"index": 0}))
    with pytest.raises(hub.HubDataError):
        hub.fetch_top_models(20, endpoint=fake.url, snapshots_root=tmp_path, page_size=10)
    assert committed(tmp_path) == [first]
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    second = hub.fetch_top_models(20, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, fresh=True)
    assert second != first and second.name.endswith("-2")
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    assert sha(second / "models.parquet") == sha(first / "models.parquet")


def test_load_listing_refuses_an_altered_snapshot(fake, tmp_path):
    snap = hub.fetch_top_models(10, endpoint=fake.url, snapshots_root=tmp_path, page_size=10)
    assert len(hub.load_listing("latest", snapshots_root=tmp_path)) == 10
    with open(snap / "models.parquet", "ab") as f:
        f.write(b"x")
    with pytest.raises(snapshots.SnapshotError, match="does not match the manifest"):
        hub.load_listing(snap)


def test_kill_9_mid_fetch_leaves_only_staging_and_rerun_completes(population, tmp_path):
    clean_root, root = tmp_path / "clean", tmp_path / "killed"
    with FakeHub(population, delay=0.1) as server:
        clean = hub.fetch_top_models(60, endpoint=server.url, snapshots_root=clean_root, page_size=5)
        server.requests.clear()
        env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HF_ENDPOINT")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "modelrace.hub", "top", "--n", "60", "--page-size", "5",
             "--endpoint", server.url, "--snapshots-root", str(root)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            state_files: list[Path] = []
            while time.monotonic() < deadline:
                state_files = list((root / "hub").glob(".staging-*/.state.json")) if (root / "hub").exists() else []
                if state_files and json.loads(state_files[0].read_text())["pages_done"] >= 3:
                    break
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.02)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        assert committed(root) == []  # nothing half-written where a reader looks
        pages_done = json.loads(state_files[0].read_text())["pages_done"]
        assert 3 <= pages_done < 12

        server.requests.clear()
        snap = hub.fetch_top_models(60, endpoint=server.url, snapshots_root=root, page_size=5)
        assert [r.page for r in server.requests] == list(range(pages_done + 1, 13))
    assert sha(snap / "models.parquet") == sha(clean / "models.parquet")
    assert committed(root) == [snap] and manifest_of(snap)["runs"] == 2


# --------------------------------------------------------------------------- secrets and CLI


def test_hf_token_is_sent_but_never_written(fake, tmp_path, monkeypatch, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HF_TOKEN", CANARY)
    fake.faults.extend(["503", None, ("malformed_row", {"index": 2})])
    with pytest.raises(hub.HubDataError) as err:  # a retry, then a data error: both logged
        hub.fetch_top_models(20, endpoint=fake.url, snapshots_root=tmp_path, page_size=10, sleep=lambda s: None)
    messages = [repr(err.value), str(err.value)]
    assert hub.main(["top", "--n", "20", "--page-size", "10", "--endpoint", fake.url, "--fresh",
                     "--snapshots-root", str(tmp_path)]) == 0
    assert fake.requests and all(r.token_sha == hashlib.sha256(CANARY.encode()).hexdigest() for r in fake.requests)
    out = capsys.readouterr()
    texts = [caplog.text, out.out, out.err, *messages]
    texts += [p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "manifest.json" for p in tmp_path.rglob("*"))
    assert all(CANARY not in t for t in texts)


def test_no_token_without_hf_token(fake, tmp_path):
    hub.fetch_top_models(5, endpoint=fake.url, snapshots_root=tmp_path, page_size=5)
    assert [r.bearer for r in fake.requests] == [False]


def test_cli_orgs_and_error_exit(fake, population, tmp_path, capsys):
    assert hub.main(["orgs", "Qwen", "meta-llama", "--page-size", "50", "--endpoint", fake.url,
                     "--snapshots-root", str(tmp_path)]) == 0
    snap = Path(capsys.readouterr().out.strip())
    df = hub.load_listing(snap)
    assert set(df.author) == {"Qwen", "meta-llama"}
    assert len(df) == sum(r["id"].split("/")[0] in ("Qwen", "meta-llama") for r in population)
    fake.faults.append("empty")
    assert hub.main(["top", "--n", "3", "--endpoint", fake.url, "--snapshots-root", str(tmp_path)]) == 1
    assert "no model" in capsys.readouterr().err
