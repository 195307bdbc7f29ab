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

Fault scenarios (generic, reusable by other suites):

- ``server.faults`` is a :class:`collections.deque`; **each request pops one entry** (none left =
  normal behaviour). An entry is a scenario name, a ``(name, {params})`` tuple, ``None`` (serve
  this request normally, to let faults hit later requests), or any callable ``f(exchange)``.
- Every request is first answered normally into an :class:`Exchange` (status, headers, JSON
  ``payload``); the scenario then edits that exchange (change status, payload, raw body,
  declared length, add a delay, or ask for a connection reset) and one sender writes it out. So a
  new scenario is a function ``def my_fault(ex, **params)`` registered with
  ``@scenario("name")`` (module-wide) or a callable put straight into the queue.
- Built-in names: ``"429"`` (Retry-After: 1, or ``("429", {"retry_after": "5"})``),
  ``"429_date"`` (Retry-After as an HTTP date ``seconds`` ahead, default 2), ``"500"``, ``"502"``,
  ``"503"``, ``"timeout"`` (stalls ``server.stall_seconds`` before answering: set it above the
  client timeout), ``"reset"`` (closes the socket with a TCP RST, no response), ``"truncated"``
  (valid headers, JSON cut in half, Content-Length matching the cut body), ``"cut_short"``
  (Content-Length announces the full body, half is sent, then the socket closes),
  ``"malformed_row"`` (``total_tokens`` "12x"; ``("malformed_row", {"value": "-5", "index": 3})``),
  ``"missing_field"`` (drops ``field`` from row ``index``), ``"duplicate"`` (repeats a row
  verbatim), ``"duplicate_conflict"`` (repeats a row with different ``total_tokens``),
  ``"empty"`` (``data: []``), ``"401"`` (refuses the key).
- ``server.requests`` records, per request, a :class:`RecordedRequest` (path, query dict,
  headers with the Authorization *value* replaced by ``"<redacted>"``, ``bearer_ok`` flag, and the
  fault applied), so a test can check windows, retries and that the key was sent.
"""

from __future__ import annotations

import collections
import copy
import csv
import datetime as dt
import email.utils
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, NamedTuple
from urllib.parse import parse_qs, urlsplit

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
class Exchange:
    """One response in the making; scenarios edit it before it is sent."""

    handler: BaseHTTPRequestHandler
    server: "FakeOpenRouter"
    query: dict[str, str]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None
    body: bytes | None = None  # raw bytes override the JSON payload
    declared_length: int | None = None  # Content-Length to announce, if not len(body)
    delay: float = 0.0
    reset: bool = False

    def rows(self) -> list[dict[str, Any]]:
        return self.payload["data"] if isinstance(self.payload, dict) else []

    def error(self, status: int, message: str, **headers: str) -> None:
        self.status = status
        self.payload = {"error": {"code": status, "message": message}}
        self.headers.update(headers)

    def encoded(self) -> bytes:
        if self.body is not None:
            return self.body
        return json.dumps(self.payload).encode("utf-8")


Scenario = Callable[..., None]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    """Register a fault scenario under ``name`` (usable in ``server.faults``)."""

    def register(func: Scenario) -> Scenario:
        SCENARIOS[name] = func
        return func

    return register


@scenario("429")
def _too_many(ex: Exchange, retry_after: str = "1") -> None:
    ex.error(429, "rate limit exceeded", **{"Retry-After": retry_after})


@scenario("429_date")
def _too_many_date(ex: Exchange, seconds: float = 2.0) -> None:
    when = email.utils.formatdate(time.time() + seconds, usegmt=True)
    ex.error(429, "rate limit exceeded", **{"Retry-After": when})


for _code in (500, 502, 503):
    scenario(str(_code))(lambda ex, _c=_code: ex.error(_c, "upstream error"))


@scenario("401")
def _unauthorized(ex: Exchange) -> None:
    ex.error(401, "invalid API key")


@scenario("timeout")
def _timeout(ex: Exchange, seconds: float | None = None) -> None:
    ex.delay = ex.server.stall_seconds if seconds is None else seconds


@scenario("reset")
def _reset(ex: Exchange) -> None:
    ex.reset = True


@scenario("truncated")
def _truncated(ex: Exchange) -> None:
    full = ex.encoded()
    ex.body = full[: len(full) // 2]


@scenario("cut_short")
def _cut_short(ex: Exchange) -> None:
    full = ex.encoded()
    ex.body = full[: len(full) // 2]
    ex.declared_length = len(full)


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


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeOpenRouter/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        fake: FakeOpenRouter = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        bearer_ok = self.headers.get("Authorization") == f"Bearer {fake.api_key}"
        fault = fake._next_fault()
        headers = {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in self.headers.items()}
        fault_name = fault if isinstance(fault, str) else (fault[0] if isinstance(fault, tuple) else
                                                           getattr(fault, "__name__", None))
        with fake._lock:
            fake.requests.append(RecordedRequest(parts.path, query, headers, bearer_ok, fault_name))

        ex = Exchange(handler=self, server=fake, query=query)
        fake._answer(ex, parts.path, bearer_ok)
        if fault is not None:
            if isinstance(fault, str):
                SCENARIOS[fault](ex)
            elif isinstance(fault, tuple):
                SCENARIOS[fault[0]](ex, **fault[1])
            else:
                fault(ex)
        self._send(ex)

    def _send(self, ex: Exchange) -> None:
        if ex.delay:
            time.sleep(ex.delay)
        if ex.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        body = ex.encoded()
        try:
            self.send_response(ex.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(ex.declared_length if ex.declared_length is not None else len(body)))
            for k, v in ex.headers.items():
                self.send_header(k, v)
            if ex.declared_length is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass  # the client gave up (e.g. after a stall): nothing left to do
        if ex.declared_length is not None:
            self.close_connection = True


class FakeOpenRouter:
    """Context manager running the fake API in a background thread on 127.0.0.1."""

    def __init__(
        self,
        *,
        api_key: str = "sk-or-test-0123456789abcdef",
        rows: list[dict[str, Any]] | None = None,
        as_of: str | Callable[[dict[str, str]], str] = DEFAULT_AS_OF,
        stall_seconds: float = 2.0,
    ) -> None:
        self.api_key = api_key
        self.rows = rows if rows is not None else generate_rows("2025-01-01", "2025-03-31")
        self.as_of = as_of
        self.stall_seconds = stall_seconds
        self.faults: collections.deque = collections.deque()
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeOpenRouter":
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __repr__(self) -> str:
        return f"FakeOpenRouter(url={self.url if self._httpd else None!r}, rows={len(self.rows)})"

    def _next_fault(self) -> Any:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def served_rows(self, start: str, end: str) -> list[dict[str, Any]]:
        """What a successful request for ``start..end`` returns (rows as given, tokens as str)."""
        return [{"date": r["date"], "model_permaslug": r["model_permaslug"], "total_tokens": str(r["total_tokens"])}
                for r in self.rows if start <= r["date"] <= end]

    def _answer(self, ex: Exchange, path: str, bearer_ok: bool) -> None:
        if path != PATH:
            return ex.error(404, f"no route {path}")
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
