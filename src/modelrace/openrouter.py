"""Live fetcher for OpenRouter's daily token rankings (Data API), written as a dated snapshot.

Why: the pinned ``openrouter_rankings_daily`` file stops on 2026-10-09; this refetches the same
rows from the source so the notebooks can run on fresher data (``snapshot="latest"``) and so the
pinned file can be checked against the API. The output has exactly the pinned file's schema
(``date,model_permaslug,total_tokens``, ordered by date then slug with ``other`` last in its day,
``\\n`` newlines), so one loader reads both.

Endpoint: ``GET {base}/api/v1/datasets/rankings-daily?start_date=..&end_date=..`` with
``Authorization: Bearer $OPENROUTER_API_KEY``. Behaviour, and why:

- **Windows.** One request covers at most 366 days, so a range is split into consecutive
  windows (inclusive dates); a start before 2025-01-01 (start of history) is clamped forward.
- **Rate limit.** At most ``max_per_minute`` requests (retries included) in any 60 s *as the server
  counts them* (a sliding window counted from each request's end, plus a 2 s margin:
  :class:`RateLimiter`), so a long backfill never trips the per-key limit; the clock, sleep,
  window and margin are injectable for tests.
- **Retries.** 429 (waiting at least ``Retry-After``, seconds or HTTP date), 5xx, read timeouts,
  connection resets, bodies cut short and invalid JSON are retried with exponential backoff
  (1, 2, 4... s, capped at 60 s, no jitter so runs are reproducible) up to ``max_attempts``
  per window, then a clear error. Other 4xx (bad key, bad query) fail at once: retrying cannot help.
- **Validation.** Every row must have a ``YYYY-MM-DD`` date inside its window, a non-empty
  ``model_permaslug`` and a ``total_tokens`` that is a non-negative decimal integer fitting int64
  (parsed exactly as a Python int, never through float). A bad row stops the fetch with the
  window, row index and field: data errors are not transient, so they are not retried.
- **Duplicates.** A (date, model_permaslug) seen twice with *identical* content is kept once,
  logged as a warning and counted in the manifest (``duplicates_dropped``): dropping an exact
  repeat loses nothing and cannot double-count tokens. The same key with *different* content is
  an error, because no rule can say which value is right.
- **Empty windows** are an error ("no rows for window ..."): an empty snapshot would silently
  erase a period from every chart.
- **Atomicity.** The whole range is fetched and validated in memory (a few MB), then written to a
  staging directory and committed with :func:`modelrace.snapshots.commit_snapshot`. Any failure
  leaves no new snapshot and earlier snapshots untouched.
- **Secrets.** The key is read from the environment, sent only in the header, and never appears
  in files, manifests, logs, reprs or error messages (messages quoting a server reply are
  redacted; the manifest passes :func:`modelrace.snapshots.assert_no_secrets`).

CLI: ``python -m modelrace.openrouter --start 2025-01-01 --end 2026-10-09 [--base-url URL]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import logging
import os
import re
import shutil
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import requests
from tqdm import tqdm

from .httpretry import redact, retry_after_seconds
from . import snapshots

log = logging.getLogger(__name__)

SOURCE = "openrouter"
DATASET = "rankings-daily"
CSV_NAME = "rankings-daily.csv"
COLUMNS = ("date", "model_permaslug", "total_tokens")
OTHER = "other"
ENDPOINT_PATH = "/api/v1/datasets/rankings-daily"
DEFAULT_BASE_URL = "https://openrouter.ai"
KEY_ENV = "OPENROUTER_API_KEY"
BASE_URL_ENV = "OPENROUTER_BASE_URL"
HISTORY_START = dt.date(2025, 1, 1)
MAX_WINDOW_DAYS = 366
INT64_MAX = 2**63 - 1
BACKOFF_BASE_S = 1.0
BACKOFF_CAP_S = 60.0
MAX_RETRY_AFTER_S = 900.0
ATTRIBUTION = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
LICENCE = "CC BY 4.0"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DIGITS_RE = re.compile(r"^[0-9]+$")


class OpenRouterError(RuntimeError):
    """The fetch failed (configuration, HTTP, or invalid data); no snapshot was written."""


# --------------------------------------------------------------------------- helpers


class _BearerAuth(requests.auth.AuthBase):
    """Adds the bearer header at send time; its repr never shows the key."""

    def __init__(self, key: str) -> None:
        self._key = key

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._key}"
        return r

    def __repr__(self) -> str:
        return "_BearerAuth(<redacted>)"


class RateLimiter:
    """Sliding-window limiter: at most ``max_calls`` requests in any ``period`` seconds *as the server counts*.

    Why sliding rather than fixed buckets: two bursts straddling a bucket edge could otherwise
    send twice the limit within one minute. Why count from the *end* of each request
    (:meth:`done`) and add a ``margin``: the server stamps a request when it arrives, somewhere
    between our send and our receipt of the answer, and its clock is not ours. A slot is reused
    only ``period + margin`` seconds after the previous request in it finished, so two requests
    ``max_calls`` apart always arrive more than ``period`` apart, and no window of ``period``
    seconds (a wall-clock minute included) ever sees more than ``max_calls``.
    """

    def __init__(
        self,
        max_calls: int,
        period: float = 60.0,
        *,
        margin: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        if max_calls < 1:
            raise ValueError(f"max_calls must be >= 1, got {max_calls}")
        if period <= 0 or margin < 0:
            raise ValueError(f"period must be > 0 and margin >= 0, got {period} and {margin}")
        self.max_calls = max_calls
        self.period = period
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._stamps: deque[float] = deque()

    @property
    def window(self) -> float:
        return self.period + self.margin

    def acquire(self) -> float:
        """Block until a request may be sent; return the seconds waited."""
        waited = 0.0
        while True:
            now = self._clock()
            while self._stamps and now - self._stamps[0] >= self.window:
                self._stamps.popleft()
            if len(self._stamps) < self.max_calls:
                self._stamps.append(now)
                return waited
            delay = self.window - (now - self._stamps[0])
            log.info("rate limit: %d requests in the last %.0f s, waiting %.1f s",
                     len(self._stamps), self.window, delay)
            self._sleep(delay)
            waited += delay

    def done(self) -> None:
        """The last acquired request has finished: count it from now, when the server has surely seen it."""
        if self._stamps:
            self._stamps[-1] = max(self._stamps[-1], self._clock())


def _as_date(value: dt.date | str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE_RE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise OpenRouterError(f"{name}={value!r} is not a date: use YYYY-MM-DD (e.g. 2025-01-01)")


def split_windows(start: dt.date, end: dt.date, max_days: int = MAX_WINDOW_DAYS) -> list[tuple[dt.date, dt.date]]:
    """Consecutive inclusive windows of at most ``max_days`` days covering ``start..end``."""
    if not 1 <= max_days <= MAX_WINDOW_DAYS:
        raise OpenRouterError(f"max_window_days must be within 1..{MAX_WINDOW_DAYS}, got {max_days}")
    if end < start:
        raise OpenRouterError(f"end {end} is before start {start}")
    windows = []
    cur = start
    while cur <= end:
        w_end = min(end, cur + dt.timedelta(days=max_days - 1))
        windows.append((cur, w_end))
        cur = w_end + dt.timedelta(days=1)
    return windows


def _parse_as_of(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _sort_key(row: tuple[str, str, int]) -> tuple[str, int, str]:
    date, slug, _ = row
    return (date, 1 if slug == OTHER else 0, slug)


# --------------------------------------------------------------------------- fetching


@dataclass
class _Window:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


class _Fetcher:
    def __init__(self, *, api_key: str, base_url: str, max_attempts: int, timeout: float,
                 limiter: RateLimiter, sleep: Callable[[float], Any]) -> None:
        self.key = api_key
        self.url = base_url.rstrip("/") + ENDPOINT_PATH
        self.max_attempts = max_attempts
        self.timeout = timeout
        self.limiter = limiter
        self.sleep = sleep
        self.session = requests.Session()
        self.session.auth = _BearerAuth(api_key)
        self.session.headers["Accept"] = "application/json"
        self.session.trust_env = False  # no proxy or .netrc credentials sneaking in

    def close(self) -> None:
        self.session.close()

    def get_window(self, w: _Window) -> dict[str, Any]:
        """One window's decoded JSON, after retries; raises OpenRouterError when exhausted."""
        params = {"start_date": w.start.isoformat(), "end_date": w.end.isoformat()}
        last_problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            self.limiter.acquire()
            log.info("GET %s window %s (attempt %d/%d)", self.url, w.label, attempt, self.max_attempts)
            retry_after: float | None = None
            try:
                try:
                    resp = self.session.get(self.url, params=params, timeout=self.timeout)
                    body = resp.content  # reads fully: a body cut short raises here
                finally:
                    self.limiter.done()
            except requests.exceptions.Timeout as exc:
                last_problem = f"timed out after {self.timeout} s ({type(exc).__name__})"
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                last_problem = f"connection failed ({type(exc).__name__}: {redact(str(exc), self.key)})"
            else:
                status = resp.status_code
                if status == 200:
                    try:
                        payload = json.loads(body)
                    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                        last_problem = f"invalid or truncated JSON ({len(body)} bytes: {exc})"
                    else:
                        if isinstance(payload, dict):
                            return payload
                        last_problem = f"JSON top level is {type(payload).__name__}, expected an object"
                elif status == 429 or 500 <= status <= 599:
                    last_problem = f"HTTP {status}"
                    if status == 429:
                        retry_after = retry_after_seconds(resp.headers.get("Retry-After"))
                        if retry_after is not None and retry_after > MAX_RETRY_AFTER_S:
                            raise OpenRouterError(
                                f"window {w.label}: the server asked to wait {retry_after:.0f} s "
                                f"(Retry-After); daily quota likely spent: rerun later")
                else:
                    snippet = redact(body[:300].decode("utf-8", "replace"), self.key)
                    hint = (f"check ${KEY_ENV} (the key was refused)" if status in (401, 403)
                            else "check the query parameters")
                    raise OpenRouterError(
                        f"window {w.label}: HTTP {status} from {self.url}: {snippet!r}; {hint}")
            if attempt == self.max_attempts:
                break
            delay = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
            if retry_after is not None:
                delay = max(delay, retry_after)
            log.warning("window %s: %s; retrying in %.1f s", w.label, last_problem, delay)
            self.sleep(delay)
        raise OpenRouterError(
            f"window {w.label}: giving up after {self.max_attempts} attempts to {self.url}; "
            f"last problem: {last_problem}. Rerun later (nothing was written)")


def _validate_window(w: _Window, payload: dict[str, Any]) -> tuple[list[tuple[str, str, int]], dict[str, Any]]:
    """Rows of one window as (date, slug, tokens), plus its meta; raise on any bad row."""
    data = payload.get("data")
    if not isinstance(data, list):
        raise OpenRouterError(f"window {w.label}: response has no 'data' list (got {type(data).__name__})")
    meta = payload.get("meta")
    if not isinstance(meta, dict) or not isinstance(meta.get("as_of"), str) or not meta["as_of"].strip():
        raise OpenRouterError(f"window {w.label}: response lacks meta.as_of (needed for the attribution line)")
    try:
        _parse_as_of(meta["as_of"])
    except ValueError:
        raise OpenRouterError(f"window {w.label}: meta.as_of={meta['as_of']!r} is not an ISO 8601 date/time") from None
    if not data:
        raise OpenRouterError(
            f"no rows for window {w.label} (meta: {json.dumps(meta, sort_keys=True)}); "
            "check the dates (history starts 2025-01-01; recent days may not be published yet)")
    lo, hi = w.start.isoformat(), w.end.isoformat()
    rows = []
    for i, row in enumerate(data):
        where = f"window {w.label}, row {i}"
        if not isinstance(row, dict):
            raise OpenRouterError(f"{where}: expected an object, got {type(row).__name__}")
        date = row.get("date")
        if not isinstance(date, str) or not _DATE_RE.match(date):
            raise OpenRouterError(f"{where}: field 'date' = {date!r} is not YYYY-MM-DD")
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise OpenRouterError(f"{where}: field 'date' = {date!r} is not a calendar date") from None
        if not lo <= date <= hi:
            raise OpenRouterError(f"{where}: field 'date' = {date!r} is outside the requested window")
        slug = row.get("model_permaslug")
        if not isinstance(slug, str) or not slug or slug != slug.strip():
            raise OpenRouterError(f"{where}: field 'model_permaslug' = {slug!r} must be a non-empty string "
                                  "without surrounding spaces")
        raw = row.get("total_tokens")
        if isinstance(raw, str) and _DIGITS_RE.match(raw):
            tokens = int(raw)
        elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            tokens = raw  # a JSON integer is exact too
        else:
            problem = "missing" if raw is None else f"{raw!r} is not a non-negative decimal integer"
            raise OpenRouterError(f"{where} ({slug!r}): field 'total_tokens' {problem}")
        if tokens > INT64_MAX:
            raise OpenRouterError(f"{where} ({slug!r}): field 'total_tokens' = {raw!r} exceeds int64")
        rows.append((date, slug, tokens))
    return rows, meta


def fetch_rankings_daily(
    start: dt.date | str,
    end: dt.date | str,
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    snapshots_root: Path | None = None,
    max_window_days: int = MAX_WINDOW_DAYS,
    max_per_minute: int = 30,
    rate_period: float = 60.0,
    rate_margin: float = 2.0,
    max_attempts: int = 6,
    timeout: float = 30,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Path:
    """Fetch ``start..end`` (inclusive) and commit it as a snapshot; return the snapshot dir.

    ``api_key`` defaults to ``$OPENROUTER_API_KEY``; ``base_url`` to ``$OPENROUTER_BASE_URL``
    then ``https://openrouter.ai``. Raises :class:`OpenRouterError` (nothing written) on failure.
    """
    key = api_key if api_key is not None else os.environ.get(KEY_ENV, "")
    if not key or not key.strip():
        raise OpenRouterError(
            f"${KEY_ENV} is not set: export {KEY_ENV}=<an OpenRouter API key> (any key works for "
            "the Data API) or pass api_key=")
    base = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not re.match(r"^https?://[^/\s]+", base):
        raise OpenRouterError(f"base URL {base!r} must start with http:// or https:// (set --base-url or ${BASE_URL_ENV})")
    if max_attempts < 1:
        raise OpenRouterError(f"max_attempts must be >= 1, got {max_attempts}")

    requested_start, end_d = _as_date(start, "start"), _as_date(end, "end")
    start_d = max(requested_start, HISTORY_START)
    if start_d != requested_start:
        log.info("start %s clamped to %s (history starts there)", requested_start, start_d)
    windows = [_Window(s, e) for s, e in split_windows(start_d, end_d, max_window_days)]
    log.info("fetching %s..%s from %s in %d window(s)", start_d, end_d, base, len(windows))

    fetcher = _Fetcher(api_key=key, base_url=base, max_attempts=max_attempts, timeout=timeout,
                       limiter=RateLimiter(max_per_minute, rate_period, margin=rate_margin, clock=clock, sleep=sleep),
                       sleep=sleep)
    by_key: dict[tuple[str, str], int] = {}
    window_meta: list[dict[str, Any]] = []
    duplicates = 0
    try:
        for w in tqdm(windows, desc="openrouter windows", unit="window", disable=None):
            rows, meta = _validate_window(w, fetcher.get_window(w))
            for i, (date, slug, tokens) in enumerate(rows):
                prev = by_key.get((date, slug))
                if prev is None:
                    by_key[(date, slug)] = tokens
                elif prev == tokens:
                    duplicates += 1
                    log.warning("window %s, row %d: duplicate of (%s, %s) with identical total_tokens; "
                                "kept once", w.label, i, date, slug)
                else:
                    raise OpenRouterError(
                        f"window {w.label}, row {i}: duplicate (date, model_permaslug) = ({date}, {slug}) "
                        f"with a different total_tokens ({tokens} vs {prev}); the API is inconsistent: rerun later")
            days = {d for d, _, _ in rows}
            window_meta.append({
                "start_date": w.start.isoformat(), "end_date": w.end.isoformat(),
                "rows": len(rows), "days": len(days), "as_of": meta["as_of"],
                "meta_start_date": meta.get("start_date"), "meta_end_date": meta.get("end_date"),
                "version": meta.get("version"),
            })
    finally:
        fetcher.close()

    as_of = max((m["as_of"] for m in window_meta), key=_parse_as_of)
    table = sorted(((d, s, t) for (d, s), t in by_key.items()), key=_sort_key)
    n_days = len({d for d, _, _ in table})
    expected_days = (end_d - start_d).days + 1
    if n_days < expected_days:
        log.warning("%d of %d days in %s..%s have no rows (missing upstream or not yet published)",
                    expected_days - n_days, expected_days, start_d, end_d)

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(table)
    text = buf.getvalue()
    snapshots.assert_no_secrets(text)
    if len(key) >= 4 and key in text:
        raise OpenRouterError("refusing to write: the API key appears in the fetched data")

    manifest = {
        "source": SOURCE,
        "dataset": DATASET,
        "endpoint": base.rstrip("/") + ENDPOINT_PATH,
        "base_url": base.rstrip("/"),
        "query": {
            "requested_start": requested_start.isoformat(),
            "start": start_d.isoformat(),
            "end": end_d.isoformat(),
            "max_window_days": max_window_days,
            "windows": window_meta,
        },
        "as_of": as_of,
        "fetched_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "rows": len(table),
        "days": n_days,
        "duplicates_dropped": duplicates,
        "columns": list(COLUMNS),
        "licence": LICENCE,
        "attribution": ATTRIBUTION.format(as_of=as_of),
    }
    if len(key) >= 4 and key in json.dumps(manifest, default=str):
        raise OpenRouterError("refusing to write: the API key appears in the manifest")

    staging = snapshots.staging_dir(SOURCE, f"{DATASET}_{start_d}_{end_d}", snapshots_root)
    try:
        for p in list(staging.iterdir()):  # leftovers of a crashed run: this fetcher never resumes
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        snapshots.atomic_write_text(staging / CSV_NAME, text)
        final = snapshots.commit_snapshot(staging, SOURCE, manifest, root=snapshots_root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("wrote %d rows (%d days, as of %s) to %s", len(table), n_days, as_of, final)
    return final


# --------------------------------------------------------------------------- reading


def load_snapshot(snapshot_dir: Path | str) -> pd.DataFrame:
    """A verified snapshot's rows: date datetime64[ns], model_permaslug string, total_tokens int64."""
    snapshot_dir = Path(snapshot_dir)
    manifest = snapshots.verify_snapshot(snapshot_dir)
    if CSV_NAME not in manifest.get("files", {}):
        raise snapshots.SnapshotError(
            f"{snapshot_dir} has no {CSV_NAME} in its manifest: not an OpenRouter rankings snapshot")
    from . import load  # one parser for pinned files and snapshots (typed, exact, validated per row)

    return load.openrouter_rankings(path=snapshot_dir / CSV_NAME)


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; exit status 1 with a one-line reason on failure."""
    yesterday = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).date()
    parser = argparse.ArgumentParser(
        prog="python -m modelrace.openrouter",
        description=f"Fetch OpenRouter daily rankings into a dated snapshot (key from ${KEY_ENV}).")
    parser.add_argument("--start", default=HISTORY_START.isoformat(), help="first day, YYYY-MM-DD (default 2025-01-01)")
    parser.add_argument("--end", default=yesterday.isoformat(), help="last day, YYYY-MM-DD (default yesterday UTC)")
    parser.add_argument("--base-url", default=None, help=f"API base URL (default ${BASE_URL_ENV} or {DEFAULT_BASE_URL})")
    parser.add_argument("--snapshots-root", type=Path, default=None, help="snapshots root (default data/snapshots)")
    parser.add_argument("--max-window-days", type=int, default=MAX_WINDOW_DAYS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        path = fetch_rankings_daily(args.start, args.end, base_url=args.base_url,
                                    snapshots_root=args.snapshots_root, max_window_days=args.max_window_days)
    except (OpenRouterError, snapshots.SnapshotError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
