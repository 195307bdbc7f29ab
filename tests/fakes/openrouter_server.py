"""A local stand-in for OpenRouter's Data API (``/api/v1/datasets/rankings-daily``), with faults.

Why: the real host is unreachable from development and CI, and its failure modes (rate limits,
outages, cut-off bodies) cannot be provoked on demand. This server answers on 127.0.0.1 (an
ephemeral port) in the documented shapes and misbehaves exactly when told to.

Usage::

    with FakeOpenRouter(api_key="sk-test-...", rows=rows, as_of="2026-10-10T00:27:00Z") as server:
        server.faults.extend(["429", "500"])       # the first two requests fail, the third succeeds
        fetch_rankings_daily(..., base_url=server.url, api_key="sk-test-...")
        server.requests                             # what the client sent (key never recorded)

Normal behaviour: ``GET /api/v1/datasets/rankings-daily?start_date=..&end_date=..`` needs
``Authorization: Bearer <api_key>`` (else 401 JSON). ``start_date`` is clamped forward to
2025-01-01 and defaults to 30 days before ``end_date``; a window over 366 days, a bad date or
``start > end`` gets a 400 JSON error. The answer is ``{"data": [...], "meta": {"as_of",
"start_date", "end_date", "version": "v1"}}`` with the ``rows`` whose date is inside the window,
in the order given, ``total_tokens`` as decimal strings. ``rows`` defaults to
:func:`generate_rows` (deterministic); :func:`rows_from_csv` loads the pinned file.

Fault scenarios: the queue (``server.faults``, one entry popped per request), the entry forms and
the common scenarios (``"429"`` with Retry-After 1 or ``("429", {"retry_after": "5"})``,
``"429_date"``, ``"500"``..``"504"``, ``"401"`` (refuses the key), ``"timeout"`` (stalls
``server.stall_seconds``), ``"reset"``, ``"truncated"``, ``"cut_short"``) come from
:mod:`fakes.base`, shared with ``hub_server``.

- Every request is first answered normally into an :class:`Exchange` (status, headers, JSON
  ``payload``); the scenario then edits it. A new OpenRouter-only scenario is a function
  ``def my_fault(ex, **params)`` registered with ``@scenario("name")`` or a callable put straight
  into the queue.
- OpenRouter-only: ``"malformed_row"`` (``total_tokens`` "12x"; ``("malformed_row", {"value":
  "-5", "index": 3})``), ``"missing_field"`` (drops ``field`` from row ``index``),
  ``"duplicate"`` (repeats a row verbatim), ``"duplicate_conflict"`` (repeats a row with
  different ``total_tokens``), ``"empty"`` (``data: []``).
- ``server.requests`` records, per request, a :class:`RecordedRequest` (path, query dict,
  headers with the Authorization *value* replaced by ``"<redacted>"``, ``bearer_ok`` flag, and the
  fault applied), so a test can check windows, retries and that the key was sent.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import SplitResult, parse_qs

from .base import COMMON_SCENARIOS, Exchange as _Exchange, FakeHandler, FakeServer, Scenario, Scenarios
from .base import redacted_headers

__all__ = ["FakeOpenRouter", "Exchange", "RecordedRequest", "SCENARIOS", "Scenario", "scenario", "generate_rows",
           "rows_from_csv"]

PATH = "/api/v1/datasets/rankings-daily"
HISTORY_START = dt.date(2025, 1, 1)
MAX_WINDOW_DAYS = 366
DEFAULT_AS_OF = "2026-10-11T00:27:00Z"


class RecordedRequest(NamedTuple):
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    bearer_ok: bool
    fault: str | None


@dataclass
class Exchange(_Exchange):
    """An OpenRouter response in the making: the query (last value per key) and its rows."""

    query: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        return self.payload["data"] if isinstance(self.payload, dict) else []

    def error(self, status: int, message: str, **headers: str) -> None:
        self.status = status
        self.payload = {"error": {"code": status, "message": message}}
        self.headers.update(headers)


SCENARIOS = Scenarios(COMMON_SCENARIOS)
scenario = SCENARIOS.register  # ``@scenario(name)`` adds an OpenRouter-only scenario


@scenario("malformed_row")
def _malformed(ex: Exchange, value: Any = "12x", index: int = 0) -> None:
    ex.rows()[index]["total_tokens"] = value


@scenario("missing_field")
def _missing(ex: Exchange, field: str = "total_tokens", index: int = 0) -> None:
    del ex.rows()[index][field]


@scenario("duplicate")
def _duplicate(ex: Exchange, index: int = 0) -> None:
    ex.rows().append(copy.deepcopy(ex.rows()[index]))


@scenario("duplicate_conflict")
def _duplicate_conflict(ex: Exchange, index: int = 0) -> None:
    row = copy.deepcopy(ex.rows()[index])
    row["total_tokens"] = str(int(row["total_tokens"]) + 1)
    ex.rows().append(row)


@scenario("empty")
def _empty(ex: Exchange) -> None:
    ex.payload["data"] = []


def generate_rows(start: str | dt.date, end: str | dt.date, models_per_day: int = 3) -> list[dict[str, Any]]:
    """Deterministic rows: per day ``models_per_day`` slugs (served out of order) plus ``other``.

    Token counts exceed 2**53 on some rows, so any float round trip in a client shows up.
    """
    start = dt.date.fromisoformat(str(start))
    end = dt.date.fromisoformat(str(end))
    rows = []
    day = start
    while day <= end:
        n = (day - HISTORY_START).days
        rows.append({"date": day.isoformat(), "model_permaslug": "other", "total_tokens": 10**9 + n})
        for m in reversed(range(models_per_day)):
            tokens = 2**53 + 1 + 1000 * n + m if m == 0 else 7_000_000 * (m + 1) + n
            rows.append({"date": day.isoformat(), "model_permaslug": f"lab{m}/model-{m}", "total_tokens": tokens})
        day += dt.timedelta(days=1)
    return rows


def rows_from_csv(path: str | Path) -> list[dict[str, Any]]:
    """The pinned ``date,model_permaslug,total_tokens`` file as rows (tokens kept as strings)."""
    with open(path, newline="") as f:
        return [dict(r) for r in csv.DictReader(f)]


class FakeOpenRouter(FakeServer):
    """Context manager running the fake API in a background thread on 127.0.0.1."""

    scenarios = SCENARIOS
    server_version = "FakeOpenRouter/1"
    content_type = "application/json"
    rate_limit_message = "rate limit exceeded"
    unauthorized_message = "invalid API key"

    def __init__(
        self,
        *,
        api_key: str = "sk-or-test-0123456789abcdef",
        rows: list[dict[str, Any]] | None = None,
        as_of: str | Callable[[dict[str, str]], str] = DEFAULT_AS_OF,
        stall_seconds: float = 2.0,
        per_minute: tuple[int, float] | None = None,
    ) -> None:
        """``per_minute=(limit, minute_s)``: count requests per wall-clock "minute" of ``minute_s``
        seconds (``time.time() // minute_s``, as a real server's fixed window does) and answer 429
        to every request past ``limit`` in its minute (``minute_s`` < 60 keeps tests short)."""
        super().__init__(retry_after="1", stall_seconds=stall_seconds)
        self.per_minute = per_minute
        self.minute_counts: dict[int, int] = {}
        self.over_limit = 0
        self._minute_lock = threading.Lock()
        self.api_key = api_key
        self.rows = rows if rows is not None else generate_rows("2025-01-01", "2025-03-31")
        self.as_of = as_of
        self.requests: list[RecordedRequest] = []

    def __repr__(self) -> str:
        return self._repr(rows=len(self.rows))

    def _bearer_ok(self, handler: FakeHandler) -> bool:
        return handler.headers.get("Authorization") == f"Bearer {self.api_key}"

    def _exchange(self, handler: FakeHandler, parts: SplitResult) -> Exchange:
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        ex = Exchange(handler=handler, server=self, query=query)
        self._answer(ex, parts.path, self._bearer_ok(handler))
        return ex

    def _recorded(self, handler: FakeHandler, parts: SplitResult, ex: Exchange, fault: str | None) -> RecordedRequest:
        return RecordedRequest(parts.path, ex.query, redacted_headers(handler), self._bearer_ok(handler), fault)

    def served_rows(self, start: str, end: str) -> list[dict[str, Any]]:
        """What a successful request for ``start..end`` returns (rows as given, tokens as str)."""
        return [{"date": r["date"], "model_permaslug": r["model_permaslug"], "total_tokens": str(r["total_tokens"])}
                for r in self.rows if start <= r["date"] <= end]

    def _count_minute(self) -> bool:
        """Record this request in its wall-clock minute; False when it is past the limit."""
        limit, minute_s = self.per_minute
        bucket = int(time.time() // minute_s)
        with self._minute_lock:
            self.minute_counts[bucket] = self.minute_counts.get(bucket, 0) + 1
            if self.minute_counts[bucket] <= limit:
                return True
            self.over_limit += 1
            return False

    def _answer(self, ex: Exchange, path: str, bearer_ok: bool) -> None:
        if path != PATH:
            return ex.error(404, f"no route {path}")
        if self.per_minute is not None and not self._count_minute():
            return ex.error(429, self.rate_limit_message, **{"Retry-After": "1"})
        if not bearer_ok:
            return ex.error(401, "missing or invalid Authorization bearer token")
        try:
            end = dt.date.fromisoformat(ex.query["end_date"]) if "end_date" in ex.query else dt.date.today()
            start = (dt.date.fromisoformat(ex.query["start_date"]) if "start_date" in ex.query
                     else end - dt.timedelta(days=30))
        except ValueError:
            return ex.error(400, "start_date and end_date must be YYYY-MM-DD")
        start = max(start, HISTORY_START)
        if start > end:
            return ex.error(400, "start_date is after end_date")
        if (end - start).days + 1 > MAX_WINDOW_DAYS:
            return ex.error(400, f"window longer than {MAX_WINDOW_DAYS} days")
        s, e = start.isoformat(), end.isoformat()
        as_of = self.as_of(ex.query) if callable(self.as_of) else self.as_of
        ex.payload = {"data": self.served_rows(s, e),
                      "meta": {"as_of": as_of, "start_date": s, "end_date": e, "version": "v1"}}
