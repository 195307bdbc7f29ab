"""The OpenRouter Data-API fetcher against a local fake server (127.0.0.1 only).

Expectations come from what the fake was told to serve (generated rows or the pinned CSV),
never from the fetcher's own output.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
from pathlib import Path

import pytest
import requests

from modelrace import openrouter, snapshots, sources
from modelrace.openrouter import OpenRouterError, fetch_rankings_daily, load_snapshot
from fakes.clock import FakeClock, tree_fingerprint
from fakes.openrouter_server import FakeOpenRouter, generate_rows, rows_from_csv

KEY = "sk-or-v1-test-5e3f9a0c7b1d4e2f8a6c"


def expected_csv_rows(served: list[dict]) -> list[list[str]]:
    """The order the pinned file uses, built here by grouping days (not the fetcher's sort key)."""
    by_day: dict[str, list[dict]] = {}
    for r in served:
        by_day.setdefault(r["date"], []).append(r)
    out = []
    for day in sorted(by_day):
        named = sorted((r for r in by_day[day] if r["model_permaslug"] != "other"),
                       key=lambda r: r["model_permaslug"])
        other = [r for r in by_day[day] if r["model_permaslug"] == "other"]
        out += [[r["date"], r["model_permaslug"], str(r["total_tokens"])] for r in named + other]
    return out


def read_csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["date", "model_permaslug", "total_tokens"]
    return rows[1:]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)  # also arms snapshots.assert_no_secrets
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)


def fetch(server, tmp_path, clock, start="2025-01-01", end="2025-03-31", **kw):
    kw.setdefault("sleep", clock.sleep)
    kw.setdefault("clock", clock)
    return fetch_rankings_daily(start, end, base_url=server.url, snapshots_root=tmp_path, **kw)


def snapshot_dirs(root: Path) -> list[Path]:
    return snapshots.list_snapshots("openrouter", root)


# --------------------------------------------------------------------------- success paths


def test_multi_window_fetch_rows_windows_and_manifest(tmp_path, clock):
    rows = generate_rows("2025-01-01", "2026-02-10", models_per_day=3)
    with FakeOpenRouter(api_key=KEY, rows=rows, as_of="2026-02-11T00:27:00Z") as server:
        snap = fetch(server, tmp_path, clock, start="2025-01-01", end="2026-02-10")
        sent = list(server.requests)
        served = server.served_rows("2025-01-01", "2026-02-10")

    # 406 days -> 366 + 40, consecutive, no overlap, no gap
    assert [(r.query["start_date"], r.query["end_date"]) for r in sent] == [
        ("2025-01-01", "2026-01-01"), ("2026-01-02", "2026-02-10")]
    assert all(r.path == "/api/v1/datasets/rankings-daily" and r.bearer_ok for r in sent)
    assert all(r.headers.get("Authorization") == "<redacted>" for r in sent)
    assert clock.sleeps == []

    assert read_csv_rows(snap / "rankings-daily.csv") == expected_csv_rows(served)
    raw = (snap / "rankings-daily.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")

    frame = load_snapshot(snap)
    assert str(frame["date"].dtype) == "datetime64[ns]"
    assert str(frame["model_permaslug"].dtype) == "string"
    assert str(frame["total_tokens"].dtype) == "int64"
    # exact integers beyond 2**53 (a float round trip would change them)
    big = {(r["date"], r["model_permaslug"]): int(r["total_tokens"]) for r in rows
           if int(r["total_tokens"]) > 2**53}
    assert len(big) == 406
    got = {(d.strftime("%Y-%m-%d"), s): int(t) for d, s, t in frame.itertuples(index=False)
           if (d.strftime("%Y-%m-%d"), s) in big}
    assert got == big
    assert int(frame["total_tokens"].sum()) == sum(int(r["total_tokens"]) for r in rows)  # < 2**63 here

    manifest = snapshots.verify_snapshot(snap)
    assert manifest["as_of"] == "2026-02-11T00:27:00Z"
    assert manifest["attribution"] == "Source: OpenRouter (openrouter.ai/rankings), as of 2026-02-11T00:27:00Z."
    assert manifest["rows"] == len(rows) == 406 * 4
    assert manifest["query"]["start"] == "2025-01-01" and manifest["query"]["end"] == "2026-02-10"
    assert [(w["start_date"], w["end_date"]) for w in manifest["query"]["windows"]] == [
        ("2025-01-01", "2026-01-01"), ("2026-01-02", "2026-02-10")]
    assert manifest["base_url"] == server.url
    assert manifest["endpoint"] == server.url + "/api/v1/datasets/rankings-daily"
    fetched = dt.datetime.fromisoformat(manifest["fetched_at"])
    assert fetched.utcoffset() == dt.timedelta(0)
    assert manifest["duplicates_dropped"] == 0


def test_pinned_file_round_trips_byte_identical(tmp_path, clock):
    """Served the pinned rows (in reverse order), the fetcher writes the pinned file's exact bytes."""
    pinned = sources.raw_path("openrouter_rankings_daily")
    rows = rows_from_csv(pinned)[::-1]
    with FakeOpenRouter(api_key=KEY, rows=rows) as server:
        snap = fetch(server, tmp_path, clock, start="2025-01-01", end="2026-10-09")
        assert len(server.requests) == 2
    assert (snap / "rankings-daily.csv").read_bytes() == pinned.read_bytes()


def test_windows_split_and_start_clamped_to_history(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        snap = fetch(server, tmp_path, clock, start="2024-12-20", end="2025-02-04", max_window_days=10)
        windows = [(r.query["start_date"], r.query["end_date"]) for r in server.requests]
        served = server.served_rows("2025-01-01", "2025-02-04")
    assert windows == [("2025-01-01", "2025-01-10"), ("2025-01-11", "2025-01-20"),
                       ("2025-01-21", "2025-01-30"), ("2025-01-31", "2025-02-04")]
    assert read_csv_rows(snap / "rankings-daily.csv") == expected_csv_rows(served)
    manifest = snapshots.read_manifest(snap)
    assert manifest["query"]["requested_start"] == "2024-12-20"
    assert manifest["query"]["start"] == "2025-01-01"


def test_window_limits_client_and_server(tmp_path, clock):
    with pytest.raises(OpenRouterError, match="max_window_days"):
        openrouter.split_windows(dt.date(2025, 1, 1), dt.date(2026, 6, 1), 367)
    with FakeOpenRouter(api_key=KEY) as server:
        r = requests.get(server.url + "/api/v1/datasets/rankings-daily",
                         params={"start_date": "2025-01-01", "end_date": "2026-01-02"},
                         headers={"Authorization": f"Bearer {KEY}"}, timeout=5)
        assert r.status_code == 400  # the fake enforces the 366-day rule too
        with pytest.raises(OpenRouterError, match="before start"):
            fetch(server, tmp_path, clock, start="2025-03-01", end="2025-02-01")
        assert len(server.requests) == 1


def test_as_of_is_the_latest_instant_across_windows(tmp_path, clock):
    # the +02:00 value sorts last as a string but is the earlier instant
    as_ofs = {"2025-01-01": "2026-10-11T01:00:00+02:00", "2025-02-01": "2026-10-10T23:30:00Z"}
    with FakeOpenRouter(api_key=KEY, as_of=lambda q: as_ofs[q["start_date"]]) as server:
        snap = fetch(server, tmp_path, clock, start="2025-01-01", end="2025-02-20", max_window_days=31)
    manifest = snapshots.read_manifest(snap)
    assert manifest["as_of"] == "2026-10-10T23:30:00Z"
    assert manifest["attribution"].endswith("as of 2026-10-10T23:30:00Z.")


def test_base_url_from_environment(tmp_path, clock, monkeypatch):
    with FakeOpenRouter(api_key=KEY) as server:
        monkeypatch.setenv("OPENROUTER_BASE_URL", server.url)
        snap = fetch_rankings_daily("2025-01-01", "2025-01-05", snapshots_root=tmp_path,
                                    sleep=clock.sleep, clock=clock)
        assert len(server.requests) == 1
    assert snapshots.read_manifest(snap)["base_url"] == server.url


# --------------------------------------------------------------------------- rate limiting


def test_rate_limiter_spaces_requests_over_a_sliding_minute(tmp_path, clock):
    sent_at: list[float] = []
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.extend([lambda ex: sent_at.append(clock.now)] * 40)
        fetch(server, tmp_path, clock, start="2025-01-01", end="2025-02-09", max_window_days=1)
        assert len(server.requests) == 40
    assert len(sent_at) == 40
    for i, t in enumerate(sent_at):  # never more than 30 requests within any 60 s
        assert sum(1 for u in sent_at if t <= u < t + 60) <= 30, i
    assert sent_at[30] - sent_at[0] >= 60
    assert sum(clock.sleeps) >= 60


def test_rate_limiter_unit():
    clock = FakeClock()
    limiter = openrouter.RateLimiter(3, 60, margin=2, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        assert limiter.acquire() == 0
    clock.now = 10.0
    assert limiter.acquire() == pytest.approx(52.0)  # until the first stamp leaves the 60 + 2 s window
    assert clock.now == pytest.approx(62.0)


def test_rate_limiter_counts_a_slot_from_the_end_of_its_request():
    """A slow request is counted from when it finished: the server may have stamped it that late."""
    clock = FakeClock()
    limiter = openrouter.RateLimiter(2, 60, margin=0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now = 5.0  # the first request took 5 s
    limiter.done()
    limiter.acquire()
    limiter.done()
    assert limiter.acquire() == pytest.approx(60.0)  # 5 + 60, not 0 + 60
    assert clock.now == pytest.approx(65.0)


def _fetch_against_wallclock_minutes(tmp_path, *, limit, minute_s, client_limit, margin, n):
    with FakeOpenRouter(api_key=KEY, rows=generate_rows("2025-01-01", "2025-03-31", 1),
                        per_minute=(limit, minute_s)) as server:
        try:
            fetch_rankings_daily("2025-01-01", (dt.date(2025, 1, 1) + dt.timedelta(days=n - 1)).isoformat(),
                                 api_key=KEY, base_url=server.url, snapshots_root=tmp_path, max_window_days=1,
                                 max_per_minute=client_limit, rate_period=minute_s, rate_margin=margin,
                                 max_attempts=1)
        except openrouter.OpenRouterError:
            pass
        return server


def test_rate_limit_holds_as_a_wallclock_minute_server_counts_it(tmp_path):
    """The server counts per wall-clock "minute" and answers 429 past the limit (the 31st of 30).

    Real time, short minutes: 0.4 s minutes, 5 a minute, 17 requests; the client's window is the
    same 0.4 s with a 0.1 s margin, in the ratio of the real 60 s + 2 s. Any 429 fails the fetch
    (max_attempts=1), so a limiter that lets 6 through in one of the server's minutes fails here.
    """
    server = _fetch_against_wallclock_minutes(tmp_path / "ok", limit=5, minute_s=0.4, client_limit=5, margin=0.1, n=17)
    assert server.over_limit == 0, server.minute_counts
    assert sum(server.minute_counts.values()) == 17
    assert max(server.minute_counts.values()) <= 5
    assert len(snapshots.list_snapshots("openrouter", tmp_path / "ok")) == 1


def test_wallclock_minute_server_does_refuse_the_request_past_the_limit(tmp_path):
    """The counting server is not lenient: a client allowed one more than the limit is refused."""
    server = _fetch_against_wallclock_minutes(tmp_path, limit=5, minute_s=0.4, client_limit=6, margin=0.1, n=18)
    assert server.over_limit >= 1, server.minute_counts


# --------------------------------------------------------------------------- retries


def test_429_retry_after_seconds_is_honoured(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.append(("429", {"retry_after": "7"}))
        fetch(server, tmp_path, clock)
        assert [r.fault for r in server.requests] == ["429", None]
    assert clock.sleeps and clock.sleeps[0] >= 7


def test_429_retry_after_http_date_is_honoured(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.append(("429_date", {"seconds": 6}))
        fetch(server, tmp_path, clock)
        assert len(server.requests) == 2
    assert clock.sleeps[0] >= 4  # an HTTP date has 1 s resolution; backoff alone would be 1 s


def test_5xx_burst_is_retried_with_exponential_backoff(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.extend(["500", "502", "503"])
        snap = fetch(server, tmp_path, clock)
        assert [r.fault for r in server.requests] == ["500", "502", "503", None]
        served = server.served_rows("2025-01-01", "2025-03-31")
    assert clock.sleeps == [1.0, 2.0, 4.0]
    assert read_csv_rows(snap / "rankings-daily.csv") == expected_csv_rows(served)


def test_exhausted_retries_leave_previous_snapshot_untouched(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        first = fetch(server, tmp_path, clock)
        before = tree_fingerprint(tmp_path)
        server.faults.extend(["503"] * 4)
        with pytest.raises(OpenRouterError) as err:
            fetch(server, tmp_path, clock, max_attempts=4)
        assert len(server.requests) == 1 + 4
    msg = str(err.value)
    assert "4 attempts" in msg and "HTTP 503" in msg and "2025-01-01..2025-03-31" in msg
    assert tree_fingerprint(tmp_path) == before
    assert snapshot_dirs(tmp_path) == [first]


@pytest.mark.parametrize("fault", ["timeout", "reset", "truncated", "cut_short"])
def test_transport_faults_are_retried(tmp_path, clock, fault, caplog):
    caplog.set_level(logging.WARNING, logger="modelrace.openrouter")
    with FakeOpenRouter(api_key=KEY, stall_seconds=1.5) as server:
        server.faults.append(fault)
        snap = fetch(server, tmp_path, clock, timeout=0.5)
        assert [r.fault for r in server.requests] == [fault, None]
        served = server.served_rows("2025-01-01", "2025-03-31")
    assert read_csv_rows(snap / "rankings-daily.csv") == expected_csv_rows(served)
    expected_words = {"timeout": "timed out", "reset": "connection failed",
                      "truncated": "JSON", "cut_short": "connection failed"}[fault]
    assert expected_words in caplog.text


def test_truncated_json_every_time_is_a_clear_error(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.extend(["truncated"] * 3)
        with pytest.raises(OpenRouterError, match=r"3 attempts.*truncated JSON"):
            fetch(server, tmp_path, clock, max_attempts=3)
    assert snapshot_dirs(tmp_path) == []


# --------------------------------------------------------------------------- bad data


@pytest.mark.parametrize(
    "fault, pattern",
    [
        (("malformed_row", {"value": "12x", "index": 2}), r"row 2 .*'total_tokens' '12x'"),
        (("malformed_row", {"value": "-5", "index": 3}), r"row 3 .*'total_tokens' '-5'"),
        (("malformed_row", {"value": 1.5e3, "index": 0}), r"row 0 .*'total_tokens' 1500.0"),
        (("malformed_row", {"value": str(2**63), "index": 1}), r"row 1 .*exceeds int64"),
        (("missing_field", {"field": "total_tokens", "index": 4}), r"row 4 .*'total_tokens' missing"),
        (("missing_field", {"field": "model_permaslug", "index": 1}), r"row 1: field 'model_permaslug'"),
        (("missing_field", {"field": "date", "index": 0}), r"row 0: field 'date' = None"),
    ],
)
def test_malformed_row_names_window_row_and_field(tmp_path, clock, fault, pattern):
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.append(fault)
        with pytest.raises(OpenRouterError, match=pattern) as err:
            fetch(server, tmp_path, clock)
        assert len(server.requests) == 1  # data errors are not retried
    assert "window 2025-01-01..2025-03-31" in str(err.value)
    assert not (tmp_path / "openrouter").exists() or snapshot_dirs(tmp_path) == []


def test_row_dated_outside_its_window_is_rejected(tmp_path, clock):
    def shift(ex):
        ex.rows()[5]["date"] = "2025-04-01"

    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.append(shift)
        with pytest.raises(OpenRouterError, match=r"row 5: field 'date' = '2025-04-01' is outside"):
            fetch(server, tmp_path, clock)


def test_identical_duplicate_is_kept_once_and_logged(tmp_path, clock, caplog):
    caplog.set_level(logging.WARNING, logger="modelrace.openrouter")
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.append(("duplicate", {"index": 7}))
        snap = fetch(server, tmp_path, clock)
        served = server.served_rows("2025-01-01", "2025-03-31")
        dup = served[7]
    assert read_csv_rows(snap / "rankings-daily.csv") == expected_csv_rows(served)
    assert snapshots.read_manifest(snap)["duplicates_dropped"] == 1
    assert "duplicate" in caplog.text and dup["model_permaslug"] in caplog.text


def test_conflicting_duplicate_is_an_error(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.append(("duplicate_conflict", {"index": 0}))
        first = server.served_rows("2025-01-01", "2025-03-31")[0]
        with pytest.raises(OpenRouterError, match="duplicate .*different total_tokens") as err:
            fetch(server, tmp_path, clock)
    assert f"({first['date']}, {first['model_permaslug']})" in str(err.value)
    assert snapshot_dirs(tmp_path) == []


def test_empty_result_is_an_error_and_writes_nothing(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.append("empty")
        with pytest.raises(OpenRouterError, match=r"no rows for window 2025-01-01\.\.2025-03-31"):
            fetch(server, tmp_path, clock)
    assert tree_fingerprint(tmp_path) in ({}, {"openrouter": "<dir>"})  # no snapshot, no staging left


@pytest.mark.parametrize("failure", ["bad_row", "server_down"])
def test_second_window_failing_leaves_nothing_new(tmp_path, clock, failure):
    with FakeOpenRouter(api_key=KEY) as server:
        previous = fetch(server, tmp_path, clock, start="2025-01-01", end="2025-01-10")
        before = tree_fingerprint(tmp_path)
        server.requests.clear()
        if failure == "bad_row":
            server.faults.extend([None, ("malformed_row", {"value": "-1", "index": 0})])
        else:
            server.faults.extend([None] + ["500"] * 3)
        with pytest.raises(OpenRouterError, match="window 2025-02-01..2025-03-03"):
            fetch(server, tmp_path, clock, start="2025-01-01", end="2025-03-31",
                  max_window_days=31, max_attempts=3)
        assert server.requests[0].query["start_date"] == "2025-01-01"
        assert {r.query["start_date"] for r in server.requests[1:]} == {"2025-02-01"}
    assert tree_fingerprint(tmp_path) == before
    assert snapshot_dirs(tmp_path) == [previous]


# --------------------------------------------------------------------------- secrets


def test_missing_key_is_a_clear_error(tmp_path, clock, monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY")
    with FakeOpenRouter(api_key=KEY) as server:
        with pytest.raises(OpenRouterError, match=r"OPENROUTER_API_KEY is not set"):
            fetch(server, tmp_path, clock)
        assert server.requests == []


def test_wrong_key_fails_at_once_without_echoing_it(tmp_path, clock):
    wrong = "sk-or-v1-wrong-key-7c1e0d9b3a"
    with FakeOpenRouter(api_key=KEY) as server:
        with pytest.raises(OpenRouterError, match=r"HTTP 401.*OPENROUTER_API_KEY") as err:
            fetch(server, tmp_path, clock, api_key=wrong)
        assert len(server.requests) == 1 and not server.requests[0].bearer_ok
    assert wrong not in str(err.value) and wrong not in repr(err.value)


def test_key_never_written_logged_or_raised(tmp_path, clock, caplog):
    caplog.set_level(logging.DEBUG)  # urllib3 and requests debug logs included

    def echo_authorization(ex):  # a hostile server quoting the header back in its error
        ex.error(403, f"forbidden for {ex.handler.headers.get('Authorization')}")

    with FakeOpenRouter(api_key=KEY) as server:
        server.faults.extend(["429", "reset", ("duplicate", {"index": 0})])
        snap = fetch(server, tmp_path, clock, timeout=5)
        server.faults.extend(["503", echo_authorization])
        with pytest.raises(OpenRouterError) as err:
            fetch(server, tmp_path, clock)
        assert all(r.bearer_ok for r in server.requests)
    assert "HTTP 403" in str(err.value) and "<redacted>" in str(err.value)
    for text in (str(err.value), repr(err.value), caplog.text, repr(openrouter._BearerAuth(KEY))):
        assert KEY not in text
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert snap / "manifest.json" in files and snap / "rankings-daily.csv" in files
    for p in files:
        assert KEY.encode() not in p.read_bytes(), p


# --------------------------------------------------------------------------- loader and CLI


def test_load_snapshot_refuses_an_altered_file(tmp_path, clock):
    with FakeOpenRouter(api_key=KEY) as server:
        snap = fetch(server, tmp_path, clock, end="2025-01-03")
    csv_path = snap / "rankings-daily.csv"
    csv_path.write_text(csv_path.read_text().replace("1000000000", "1000000001"))
    with pytest.raises(snapshots.SnapshotError, match="does not match the manifest"):
        load_snapshot(snap)


def test_cli_writes_a_snapshot_and_reports_errors(tmp_path, monkeypatch, capsys):
    with FakeOpenRouter(api_key=KEY) as server:
        code = openrouter.main(["--start", "2025-01-01", "--end", "2025-01-20", "--base-url", server.url,
                                "--snapshots-root", str(tmp_path)])
        out = capsys.readouterr().out.strip()
        assert code == 0
        frame = load_snapshot(Path(out))
        assert len(frame) == len(server.served_rows("2025-01-01", "2025-01-20"))
        monkeypatch.delenv("OPENROUTER_API_KEY")
        code = openrouter.main(["--end", "2025-01-20", "--base-url", server.url,
                                "--snapshots-root", str(tmp_path)])
        assert code == 1
        assert "OPENROUTER_API_KEY" in capsys.readouterr().err
    assert len(snapshot_dirs(tmp_path)) == 1
    assert os.environ.get("OPENROUTER_API_KEY") is None
