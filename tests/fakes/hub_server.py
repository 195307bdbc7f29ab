"""A local stand-in for the Hugging Face Hub's model listing (``GET /api/models``), with faults.

Why: tests must never reach huggingface.co, and the Hub's failure modes (rate limits, outages,
cut-off bodies, cursor pages that repeat a model) cannot be provoked on demand. This server
answers on 127.0.0.1 (an ephemeral port) in the Hub's shapes and misbehaves when told to.

Usage::

    with FakeHub(models=make_population(300), page_size=1000) as hub:
        hub.faults.extend(["429", None, "503"])   # request 1 gets 429, request 3 gets 503
        fetch_top_models(50, endpoint=hub.url, page_size=10)
        hub.requests                               # RecordedRequest per request (page, params...)

Normal behaviour of ``GET /api/models`` (other paths: 404 JSON):

- Filters ``author`` (exact namespace); sorts by ``sort`` (``downloads``, ``likes``,
  ``createdAt``, ``downloadsAllTime``; ties broken by id) in ``direction`` (default -1,
  descending, like the Hub); no ``sort``: population order.
- Pages: ``limit`` items per page, capped at ``page_size`` (the Hub caps at 1,000); when more
  items remain, a ``Link: <url>; rel="next"`` header carries the same parameters plus an opaque
  ``cursor`` (base64 JSON offset, like the Hub's). A bad cursor or unknown ``expand`` is a 400.
- Items are ``{"id", "_id", <expanded keys>}`` with only the ``expand`` keys asked for (Hub
  names: ``author``, ``createdAt``, ``downloads``, ``downloadsAllTime``, ``likes``,
  ``pipeline_tag``, ``library_name``, ``tags``, ``baseModels``); a key absent from a model's
  record (e.g. no ``baseModels``) is absent from the item, as on the Hub. Without ``expand`` a
  default set is returned.
- ``delay`` (seconds, settable at any time) slows every answer: for kill-mid-fetch tests.

Fault scenarios (generic; same conventions as ``openrouter_server`` so a reliability suite can
drive both the same way):

- ``hub.faults`` is a :class:`collections.deque`; **each request pops one entry** (none left =
  normal). An entry is a scenario name, ``"name:arg"`` (one positional argument), a
  ``(name, {params})`` tuple, ``None`` (serve normally), or a callable ``f(exchange)``.
- Each request is first answered normally into an :class:`Exchange` (status, headers, JSON
  ``payload``, ``page`` number); the scenario edits it (status, payload, raw body, declared
  length, delay, reset) and one sender writes it out. Register new ones with ``@scenario(name)``.
- Built-ins: ``"429"`` (Retry-After ``hub.retry_after``, or ``("429", {"retry_after": "5"})``),
  ``"429_date"`` (Retry-After as an HTTP date), ``"500"``, ``"502"``, ``"503"``, ``"504"``,
  ``"timeout"`` (stalls ``hub.stall_seconds``: set it above the client timeout), ``"reset"``
  (TCP RST, no response), ``"truncated"`` (JSON cut in half, Content-Length matching the cut),
  ``"cut_short"`` (full Content-Length announced, half sent, socket closed),
  ``"malformed_row"`` (item ``index`` gets ``field``=``value``; default id ``"no-slash-id"``),
  ``"negative_count"`` (``downloads`` = -5 on item ``index``), ``"duplicate"`` (prepends the
  item just before this page, i.e. repeats the previous page's last model; on page 1 repeats
  item 0), ``"empty"`` (``[]`` and no Link header), ``"401"``.
- Sticky outage: ``"fail_after_page:K"`` (or ``("fail_after_page", {"page": K, "status": 503})``)
  makes every later request for a page number > K answer ``status`` until :meth:`FakeHub.heal`.
  A request that is answered by a sticky rule does not consume the queue.
- ``hub.requests`` holds a :class:`RecordedRequest` per request: path, parameters (lists, in
  order), page number, fault applied, and headers with the Authorization value replaced by
  ``"<redacted>"`` (``bearer`` keeps whether one was sent, and ``token_sha`` a hash to compare).
"""

from __future__ import annotations

import base64
import collections
import copy
import datetime as dt
import email.utils
import hashlib
import json
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

EXPANDABLE = (
    "author", "baseModels", "createdAt", "downloads", "downloadsAllTime", "library_name", "likes",
    "pipeline_tag", "tags", "lastModified", "trendingScore", "gated", "private",
)
DEFAULT_KEYS = ("author", "createdAt", "downloads", "likes", "library_name", "pipeline_tag", "tags", "private")
SORT_KEYS = {"downloads": "downloads", "likes": "likes", "createdAt": "createdAt",
             "downloadsAllTime": "downloadsAllTime", "trendingScore": "trendingScore"}


class RecordedRequest(NamedTuple):
    path: str
    params: dict[str, list[str]]
    page: int | None
    headers: dict[str, str]
    bearer: bool
    token_sha: str | None
    fault: str | None


@dataclass
class Exchange:
    """One response in the making; scenarios edit it before it is sent."""

    handler: BaseHTTPRequestHandler
    server: "FakeHub"
    params: dict[str, list[str]]
    page: int | None = None
    offset: int = 0
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    payload: Any = None
    body: bytes | None = None
    declared_length: int | None = None
    delay: float = 0.0
    reset: bool = False

    def items(self) -> list[dict[str, Any]]:
        return self.payload if isinstance(self.payload, list) else []

    def error(self, status: int, message: str, **headers: str) -> None:
        self.status = status
        self.payload = {"error": message}
        self.headers.pop("Link", None)
        self.headers.update(headers)

    def encoded(self) -> bytes:
        return self.body if self.body is not None else json.dumps(self.payload).encode("utf-8")


Scenario = Callable[..., None]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    """Register a fault scenario under ``name`` (usable in ``hub.faults``)."""

    def register(func: Scenario) -> Scenario:
        SCENARIOS[name] = func
        return func

    return register


@scenario("429")
def _too_many(ex: Exchange, retry_after: str | None = None) -> None:
    ex.error(429, "rate limited", **{"Retry-After": str(retry_after or ex.server.retry_after)})


@scenario("429_date")
def _too_many_date(ex: Exchange, seconds: float = 2.0) -> None:
    ex.error(429, "rate limited", **{"Retry-After": email.utils.formatdate(time.time() + float(seconds), usegmt=True)})


for _code in (500, 502, 503, 504):
    scenario(str(_code))(lambda ex, _c=_code: ex.error(_c, "upstream error"))


@scenario("401")
def _unauthorized(ex: Exchange) -> None:
    ex.error(401, "Invalid credentials in Authorization header")


@scenario("timeout")
def _timeout(ex: Exchange, seconds: float | None = None) -> None:
    ex.delay = ex.server.stall_seconds if seconds is None else float(seconds)


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
def _malformed(ex: Exchange, index: int = 0, field: str = "id", value: Any = "no-slash-id") -> None:
    ex.items()[int(index)][field] = value


@scenario("negative_count")
def _negative(ex: Exchange, index: int = 0, field: str = "downloads", value: int = -5) -> None:
    ex.items()[int(index)][field] = value


@scenario("duplicate")
def _duplicate(ex: Exchange) -> None:
    source = ex.server._served_before(ex) if ex.offset > 0 else ex.items()[0]
    ex.payload.insert(0, copy.deepcopy(source))


@scenario("empty")
def _empty(ex: Exchange) -> None:
    ex.payload = []
    ex.headers.pop("Link", None)


# --------------------------------------------------------------------------- synthetic population

ORGS = {
    "Qwen": ("Qwen2.5-{s}B-Instruct", "Qwen3-{s}B", "Qwen2.5-Coder-{s}B"),
    "deepseek-ai": ("DeepSeek-R1-Distill-Qwen-{s}B", "DeepSeek-V3-{s}", "deepseek-coder-{s}b"),
    "meta-llama": ("Llama-3.1-{s}B-Instruct", "Llama-3.2-{s}B", "Llama-4-{s}B"),
    "mistralai": ("Mistral-{s}B-Instruct", "Mixtral-{s}x7B"),
    "google": ("gemma-3-{s}b-it", "bert-{s}"),
}
PIPELINES = ("text-generation", "feature-extraction", "text-classification", None)
LIBRARIES = ("transformers", "gguf", "sentence-transformers", "peft", None)


def _oid(rng: random.Random) -> str:
    return "%024x" % rng.getrandbits(96)


def _iso(ts: dt.datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_population(n_models: int = 300, *, seed: int = 0, n_users: int = 12) -> list[dict[str, Any]]:
    """A deterministic synthetic Hub: org originals plus individuals' derivatives.

    Each record has ``id``, ``_id`` and every expandable key in the Hub's names. Originals belong
    to the orgs in :data:`ORGS`; derivatives (~55%) are uploaded by ``user<k>`` and carry
    ``base_model:<repo>`` and ``base_model:<relation>:<repo>`` tags plus ``baseModels`` (quantized
    copies are GGUF). Some records lack ``downloadsAllTime``, ``pipeline_tag`` or
    ``library_name`` (optional on the Hub); ~1 in 8 derivatives lacks ``baseModels`` but keeps
    its tags (lineage then comes from tags). ``downloads`` values repeat on purpose (ties).
    """
    rng = random.Random(seed)
    epoch = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
    records: list[dict[str, Any]] = []
    ids: set[str] = set()
    originals: list[dict[str, Any]] = []
    while len(records) < n_models:
        make_original = not originals or rng.random() < 0.45
        created = epoch + dt.timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
        rec: dict[str, Any] = {"_id": _oid(rng), "createdAt": _iso(created), "private": False,
                               "likes": rng.randrange(0, 5000), "downloads": rng.choice([0, 7, 7, 100]) if rng.random()
                               < 0.2 else rng.randrange(0, 2_000_000)}
        if make_original:
            org = rng.choice(sorted(ORGS))
            name = rng.choice(ORGS[org]).format(s=rng.choice([0.5, 1, 3, 7, 8, 14, 32, 70, 235]))
            model_id = f"{org}/{name}-v{rng.randrange(1, 60)}"
            rec.update(author=org, tags=["transformers", "safetensors", "text-generation"],
                       pipeline_tag=rng.choice(PIPELINES), library_name="transformers")
        else:
            parent = rng.choice(originals)
            relation = rng.choice(("quantized", "quantized", "finetune", "adapter", "merge"))
            user = f"user{rng.randrange(n_users)}"
            suffix = {"quantized": "GGUF", "finetune": "sft", "adapter": "lora", "merge": "merged"}[relation]
            model_id = f"{user}/{parent['id'].split('/')[1]}-{suffix}-{rng.randrange(1000)}"
            bases = [parent]
            if relation == "merge":
                bases.append(rng.choice(originals))
            base_ids = list(dict.fromkeys(b["id"] for b in bases))
            tags = ["gguf" if relation == "quantized" else "transformers"]
            tags += [f"base_model:{b}" for b in base_ids] + [f"base_model:{relation}:{b}" for b in base_ids]
            rec.update(author=user, tags=tags, pipeline_tag=rng.choice(PIPELINES),
                       library_name="gguf" if relation == "quantized" else rng.choice(LIBRARIES))
            if rng.random() >= 0.125:
                rec["baseModels"] = {"relation": relation,
                                     "models": [{"_id": next(b["_id"] for b in bases if b["id"] == i), "id": i}
                                                for i in base_ids]}
        if model_id in ids:
            continue
        ids.add(model_id)
        rec["id"] = model_id
        if rng.random() >= 0.05:
            rec["downloadsAllTime"] = rec["downloads"] + rng.randrange(0, 10_000_000)
        for optional in ("pipeline_tag", "library_name"):
            if rec.get(optional) is None:
                rec.pop(optional, None)
        records.append(rec)
        if make_original:
            originals.append(rec)
    return records


def sorted_listing(models: list[dict[str, Any]], *, author: str | None = None, sort: str | None = None,
                   direction: int = -1) -> list[dict[str, Any]]:
    """The order the fake serves (missing sort values last, ties by id)."""
    chosen = [m for m in models if author is None or m["id"].split("/")[0] == author]
    if sort is None:
        return chosen
    key = SORT_KEYS[sort]
    present = [m for m in chosen if m.get(key) is not None]
    missing = sorted((m for m in chosen if m.get(key) is None), key=lambda m: m["id"])
    present.sort(key=lambda m: m["id"])
    present.sort(key=lambda m: m[key], reverse=direction < 0)
    return present + missing


# --------------------------------------------------------------------------- server


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_cursor(cursor: str) -> int:
    offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"]
    if not isinstance(offset, int) or offset < 0:
        raise ValueError(cursor)
    return offset


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeHub/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        hub: FakeHub = self.server.hub  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        params: dict[str, list[str]] = {}
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            params.setdefault(k, []).append(v)
        ex = Exchange(handler=self, server=hub, params=params)
        hub._answer(ex, parts.path)
        sticky = hub._sticky_status(ex.page)
        fault = None if sticky is not None else hub._next_fault()
        fault_name = _fault_name(fault) if sticky is None else f"fail_after_page->{sticky}"
        auth = self.headers.get("Authorization")
        token = auth[len("Bearer "):] if auth and auth.startswith("Bearer ") else None
        headers = {k: ("<redacted>" if k.lower() == "authorization" else v) for k, v in self.headers.items()}
        with hub._lock:
            hub.requests.append(RecordedRequest(
                parts.path, params, ex.page, headers, token is not None,
                hashlib.sha256(token.encode()).hexdigest() if token else None, fault_name))
        if sticky is not None:
            ex.error(sticky, "service unavailable")
        elif fault is not None:
            hub._apply(ex, fault)
        ex.delay += hub.delay
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
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(ex.declared_length if ex.declared_length is not None else len(body)))
            for k, v in ex.headers.items():
                self.send_header(k, v)
            if ex.declared_length is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass  # the client gave up (e.g. after a stall)
        if ex.declared_length is not None:
            self.close_connection = True


def _fault_name(fault: Any) -> str | None:
    if fault is None:
        return None
    if isinstance(fault, str):
        return fault
    if isinstance(fault, tuple):
        return fault[0]
    return getattr(fault, "__name__", "callable")


class FakeHub:
    """Context manager running the fake Hub in a background thread on 127.0.0.1."""

    def __init__(self, models: list[dict[str, Any]] | None = None, *, page_size: int = 1000,
                 retry_after: str = "1", stall_seconds: float = 2.0, delay: float = 0.0) -> None:
        self.models = make_population() if models is None else models
        self.page_size = page_size
        self.retry_after = retry_after
        self.stall_seconds = stall_seconds
        self.delay = delay
        self.faults: collections.deque = collections.deque()
        self.requests: list[RecordedRequest] = []
        self._sticky: tuple[int, int] | None = None  # (after page K, status)
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeHub":
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._httpd.hub = self  # type: ignore[attr-defined]
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
        return f"FakeHub(url={self.url if self._httpd else None!r}, models={len(self.models)})"

    def heal(self) -> None:
        """End a sticky outage set by ``fail_after_page``."""
        with self._lock:
            self._sticky = None

    def listing_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/api/models"]

    # -- internals

    def _next_fault(self) -> Any:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def _sticky_status(self, page: int | None) -> int | None:
        with self._lock:
            if self._sticky is None or page is None:
                return None
            after, status = self._sticky
            return status if page > after else None

    def _apply(self, ex: Exchange, fault: Any) -> None:
        if callable(fault):
            return fault(ex)
        name, kwargs = (fault, {}) if isinstance(fault, str) else fault
        if isinstance(fault, str) and ":" in fault:
            name, arg = fault.split(":", 1)
            kwargs = {"page": int(arg)} if name == "fail_after_page" else {"_arg": arg}
        if name == "fail_after_page":
            with self._lock:
                self._sticky = (int(kwargs["page"]), int(kwargs.get("status", 503)))
            status = self._sticky[1]
            if ex.page is not None and ex.page > self._sticky[0]:
                ex.error(status, "service unavailable")
            return None
        if name not in SCENARIOS:
            raise KeyError(f"unknown fault scenario {name!r}; known: {sorted(SCENARIOS)} + fail_after_page")
        if "_arg" in kwargs:
            return SCENARIOS[name](ex, kwargs["_arg"])
        return SCENARIOS[name](ex, **kwargs)

    def _served_before(self, ex: Exchange) -> dict[str, Any]:
        """The item served just before this page (for ``duplicate``)."""
        listing = self._listing(ex.params)
        return self._item(listing[ex.offset - 1], ex.params)

    def _listing(self, params: dict[str, list[str]]) -> list[dict[str, Any]]:
        direction = int(params.get("direction", ["-1"])[-1])
        return sorted_listing(self.models, author=params.get("author", [None])[-1],
                              sort=params.get("sort", [None])[-1], direction=direction)

    def _item(self, rec: dict[str, Any], params: dict[str, list[str]]) -> dict[str, Any]:
        keys = params.get("expand") or list(DEFAULT_KEYS)
        item = {"_id": rec["_id"], "id": rec["id"]}
        for k in keys:
            if k in rec:
                item[k] = copy.deepcopy(rec[k])
        return item

    def _answer(self, ex: Exchange, path: str) -> None:
        if path != "/api/models":
            return ex.error(404, f"Sorry, we can't find the page you are looking for ({path})")
        params = ex.params
        unknown = [e for e in params.get("expand", []) if e not in EXPANDABLE]
        if unknown:
            return ex.error(400, f"invalid expand value(s): {unknown}")
        sort = params.get("sort", [None])[-1]
        if sort is not None and sort not in SORT_KEYS:
            return ex.error(400, f"invalid sort {sort!r}")
        try:
            limit = int(params.get("limit", [str(self.page_size)])[-1])
            offset = _decode_cursor(params["cursor"][-1]) if "cursor" in params else 0
            if limit < 1:
                raise ValueError(limit)
        except (ValueError, KeyError, json.JSONDecodeError, UnicodeDecodeError):
            return ex.error(400, "invalid limit or cursor")
        per_page = min(limit, self.page_size)
        listing = self._listing(params)
        ex.offset = offset
        ex.page = offset // per_page + 1
        ex.payload = [self._item(r, params) for r in listing[offset: offset + per_page]]
        if offset + per_page < len(listing):
            nxt = [(k, v) for k, vs in params.items() if k != "cursor" for v in vs]
            nxt.append(("cursor", _encode_cursor(offset + per_page)))
            ex.headers["Link"] = f'<{self.url}/api/models?{urlencode(nxt)}>; rel="next"'
        return None
