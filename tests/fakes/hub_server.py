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

Fault scenarios: the queue, entry forms and common scenarios (``"429"``, ``"429_date"``,
``"500"``..``"504"``, ``"401"``, ``"timeout"``, ``"reset"``, ``"truncated"``, ``"cut_short"``) come
from :mod:`fakes.base`, shared with ``openrouter_server`` so a reliability suite can drive both
the same way. ``"429"`` sends Retry-After ``hub.retry_after`` unless given ``retry_after``.

- Each request is first answered normally into an :class:`Exchange` (status, headers, JSON
  ``payload``, ``page`` number); the scenario edits it. Register Hub-only ones with
  ``@scenario(name)``.
- Hub-only: ``"malformed_row"`` (item ``index`` gets ``field``=``value``; default id
  ``"no-slash-id"``), ``"negative_count"`` (``downloads`` = -5 on item ``index``), ``"duplicate"``
  (prepends the item just before this page, i.e. repeats the previous page's last model; on
  page 1 repeats item 0), ``"empty"`` (``[]`` and no Link header).
- Sticky outage: ``"fail_after_page:K"`` (or ``("fail_after_page", {"page": K, "status": 503})``)
  makes every later request for a page number > K answer ``status`` until :meth:`FakeHub.heal`.
  A request that is answered by a sticky rule does not consume the queue.
- ``hub.requests`` holds a :class:`RecordedRequest` per request: path, parameters (lists, in
  order), page number, fault applied, and headers with the Authorization value replaced by
  ``"<redacted>"`` (``bearer`` keeps whether one was sent, and ``token_sha`` a hash to compare).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import SplitResult, parse_qsl, urlencode

from .base import COMMON_SCENARIOS, Exchange as _Exchange, FakeHandler, FakeServer, Scenario, Scenarios
from .base import redacted_headers

__all__ = ["FakeHub", "Exchange", "RecordedRequest", "SCENARIOS", "Scenario", "scenario", "make_population",
           "sorted_listing"]

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
class Exchange(_Exchange):
    """A Hub response in the making: the query as lists, and which page (offset) it serves."""

    params: dict[str, list[str]] = field(default_factory=dict)
    page: int | None = None
    offset: int = 0

    def items(self) -> list[dict[str, Any]]:
        return self.payload if isinstance(self.payload, list) else []

    def error(self, status: int, message: str, **headers: str) -> None:
        self.status = status
        self.payload = {"error": message}
        self.headers.pop("Link", None)
        self.headers.update(headers)


SCENARIOS = Scenarios(COMMON_SCENARIOS)
scenario = SCENARIOS.register  # ``@scenario(name)`` adds a Hub-only scenario


@scenario("fail_after_page")
def _fail_after_page(ex: Exchange, page: int | str, status: int = 503) -> None:
    """Sticky outage: every later request for a page past ``page`` fails until ``heal()``."""
    after, status = int(page), int(status)
    with ex.server._lock:
        ex.server._sticky = (after, status)
    if ex.page is not None and ex.page > after:
        ex.error(status, "service unavailable")


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


class FakeHub(FakeServer):
    """Context manager running the fake Hub in a background thread on 127.0.0.1."""

    scenarios = SCENARIOS
    server_version = "FakeHub/1"
    content_type = "application/json; charset=utf-8"
    rate_limit_message = "rate limited"
    unauthorized_message = "Invalid credentials in Authorization header"

    def __init__(self, models: list[dict[str, Any]] | None = None, *, page_size: int = 1000,
                 retry_after: str = "1", stall_seconds: float = 2.0, delay: float = 0.0) -> None:
        super().__init__(retry_after=retry_after, stall_seconds=stall_seconds, delay=delay)
        self.models = make_population() if models is None else models
        self.page_size = page_size
        self.requests: list[RecordedRequest] = []
        self._sticky: tuple[int, int] | None = None  # (after page K, status)

    def __repr__(self) -> str:
        return self._repr(models=len(self.models))

    def heal(self) -> None:
        """End a sticky outage set by ``fail_after_page``."""
        with self._lock:
            self._sticky = None

    def listing_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/api/models"]

    # -- internals

    def _exchange(self, handler: FakeHandler, parts: SplitResult) -> Exchange:
        params: dict[str, list[str]] = {}
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            params.setdefault(k, []).append(v)
        ex = Exchange(handler=handler, server=self, params=params)
        self._answer(ex, parts.path)
        return ex

    def _recorded(self, handler: FakeHandler, parts: SplitResult, ex: Exchange, fault: str | None) -> RecordedRequest:
        auth = handler.headers.get("Authorization")
        token = auth[len("Bearer "):] if auth and auth.startswith("Bearer ") else None
        return RecordedRequest(parts.path, ex.params, ex.page, redacted_headers(handler), token is not None,
                               hashlib.sha256(token.encode()).hexdigest() if token else None, fault)

    def _take_fault(self, ex: Exchange) -> tuple[Any, str | None]:
        """A sticky outage answers before the queue (and does not consume it)."""
        sticky = self._sticky_status(ex.page)
        if sticky is None:
            return super()._take_fault(ex)
        return (lambda e: e.error(sticky, "service unavailable")), f"fail_after_page->{sticky}"

    def _sticky_status(self, page: int | None) -> int | None:
        with self._lock:
            if self._sticky is None or page is None:
                return None
            after, status = self._sticky
            return status if page > after else None

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
