"""What every local fake API server shares: lifecycle, fault queue, scenario registry, common faults.

Why: the fakes (``hub_server``, ``openrouter_server``) must misbehave the same way so one
reliability suite can drive both alike, and the machinery that makes them misbehave (a
127.0.0.1 server in a thread, a queue of faults popped one per request, scenarios that edit a
response before one sender writes it) should exist once. A fake subclasses :class:`FakeServer`,
subclasses :class:`Exchange` for its error shape and request fields, and registers only its
API-specific scenarios in its own registry (``SCENARIOS = Scenarios(COMMON_SCENARIOS)``).

Fault queue entries (``server.faults``, one popped per request; none left = normal): a scenario
name, ``"name:arg"`` (one positional argument), a ``(name, {params})`` tuple, ``None`` (serve
normally), or a callable ``f(exchange)``.

Common scenarios: ``"429"`` (Retry-After ``server.retry_after``, or ``("429", {"retry_after":
"5"})``), ``"429_date"`` (Retry-After as an HTTP date ``seconds`` ahead, default 2), ``"500"``,
``"502"``, ``"503"``, ``"504"``, ``"401"``, ``"timeout"`` (stalls ``server.stall_seconds``: set it
above the client timeout), ``"reset"`` (TCP RST, no response), ``"truncated"`` (JSON cut in half,
Content-Length matching the cut), ``"cut_short"`` (full Content-Length announced, half sent,
socket closed).
"""

from __future__ import annotations

import collections
import email.utils
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, NamedTuple
from urllib.parse import SplitResult, urlsplit

Scenario = Callable[..., None]


class Scenarios(dict):
    """A fake's fault scenarios by name; ``Scenarios(COMMON_SCENARIOS)`` starts from the common ones."""

    def register(self, name: str) -> Callable[[Scenario], Scenario]:
        """Decorator registering a scenario under ``name`` (usable in ``server.faults``)."""

        def register(func: Scenario) -> Scenario:
            self[name] = func
            return func

        return register


@dataclass
class Exchange:
    """One response in the making; scenarios edit it before it is sent.

    Subclasses add the request fields their API needs and :meth:`error` in their error shape.
    """

    handler: BaseHTTPRequestHandler
    server: "FakeServer"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None
    body: bytes | None = None  # raw bytes override the JSON payload
    declared_length: int | None = None  # Content-Length to announce, if not len(body)
    delay: float = 0.0
    reset: bool = False

    def error(self, status: int, message: str, **headers: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def encoded(self) -> bytes:
        return self.body if self.body is not None else json.dumps(self.payload).encode("utf-8")


COMMON_SCENARIOS = Scenarios()
_common = COMMON_SCENARIOS.register


@_common("429")
def _too_many(ex: Exchange, retry_after: str | None = None) -> None:
    ex.error(429, ex.server.rate_limit_message, **{"Retry-After": str(retry_after or ex.server.retry_after)})


@_common("429_date")
def _too_many_date(ex: Exchange, seconds: float = 2.0) -> None:
    when = email.utils.formatdate(time.time() + float(seconds), usegmt=True)
    ex.error(429, ex.server.rate_limit_message, **{"Retry-After": when})


for _code in (500, 502, 503, 504):
    _common(str(_code))(lambda ex, _c=_code: ex.error(_c, "upstream error"))


@_common("401")
def _unauthorized(ex: Exchange) -> None:
    ex.error(401, ex.server.unauthorized_message)


@_common("timeout")
def _timeout(ex: Exchange, seconds: float | None = None) -> None:
    ex.delay = ex.server.stall_seconds if seconds is None else float(seconds)


@_common("reset")
def _reset(ex: Exchange) -> None:
    ex.reset = True


@_common("truncated")
def _truncated(ex: Exchange) -> None:
    full = ex.encoded()
    ex.body = full[: len(full) // 2]


@_common("cut_short")
def _cut_short(ex: Exchange) -> None:
    full = ex.encoded()
    ex.body = full[: len(full) // 2]
    ex.declared_length = len(full)


def fault_name(fault: Any) -> str | None:
    """How a queue entry is recorded: the scenario name as written, or the callable's name."""
    if fault is None:
        return None
    if isinstance(fault, str):
        return fault
    if isinstance(fault, tuple):
        return fault[0]
    return getattr(fault, "__name__", "callable")


def redacted_headers(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    """The request headers with the Authorization value hidden, so recordings never hold a secret."""
    return {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in handler.headers.items()}


class FakeHandler(BaseHTTPRequestHandler):
    """Hands each GET to its :class:`FakeServer` and writes out the finished :class:`Exchange`."""

    protocol_version = "HTTP/1.1"

    def version_string(self) -> str:
        return f"{self.server.fake.server_version} {self.sys_version}"  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.server.fake._handle(self)  # type: ignore[attr-defined]

    def send_exchange(self, ex: Exchange) -> None:
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
            self.send_header("Content-Type", ex.server.content_type)
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


class FakeServer:
    """Context manager running a fake API in a background thread on 127.0.0.1 (ephemeral port).

    Subclasses set :attr:`scenarios` and the class attributes below, and implement
    :meth:`_exchange` (parse and answer a request normally) and :meth:`_recorded` (what
    ``server.requests`` keeps of it).
    """

    scenarios: Scenarios = COMMON_SCENARIOS
    server_version = "FakeServer/1"
    content_type = "application/json"
    rate_limit_message = "rate limited"
    unauthorized_message = "unauthorized"

    def __init__(self, *, retry_after: str = "1", stall_seconds: float = 2.0, delay: float = 0.0) -> None:
        self.retry_after = retry_after
        self.stall_seconds = stall_seconds
        self.delay = delay  # added to every answer: for kill-mid-fetch tests
        self.faults: collections.deque = collections.deque()
        self.requests: list[NamedTuple] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeHandler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
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

    def _repr(self, **details: int) -> str:
        extra = "".join(f", {k}={v}" for k, v in details.items())
        return f"{type(self).__name__}(url={self.url if self._httpd else None!r}{extra})"

    # -- request flow: answer normally, pick a fault, record, apply it, send

    def _handle(self, handler: FakeHandler) -> None:
        parts = urlsplit(handler.path)
        ex = self._exchange(handler, parts)
        fault, name = self._take_fault(ex)
        recorded = self._recorded(handler, parts, ex, name)
        with self._lock:
            self.requests.append(recorded)
        if fault is not None:
            self._apply(ex, fault)
        ex.delay += self.delay
        handler.send_exchange(ex)

    def _exchange(self, handler: FakeHandler, parts: SplitResult) -> Exchange:  # pragma: no cover - abstract
        raise NotImplementedError

    def _recorded(self, handler: FakeHandler, parts: SplitResult, ex: Exchange,
                  fault: str | None) -> NamedTuple:  # pragma: no cover - abstract
        raise NotImplementedError

    def _take_fault(self, ex: Exchange) -> tuple[Any, str | None]:
        """The fault for this request and the name it is recorded under."""
        fault = self._next_fault()
        return fault, fault_name(fault)

    def _next_fault(self) -> Any:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def _apply(self, ex: Exchange, fault: Any) -> None:
        if callable(fault):
            fault(ex)
            return
        args: tuple = ()
        kwargs: dict[str, Any] = {}
        if isinstance(fault, tuple):
            name, kwargs = fault
        elif ":" in fault:
            name, arg = fault.split(":", 1)
            args = (arg,)
        else:
            name = fault
        if name not in self.scenarios:
            raise KeyError(f"unknown fault scenario {name!r}; known: {sorted(self.scenarios)}")
        self.scenarios[name](ex, *args, **kwargs)
