"""Live listing of Hugging Face Hub models into dated, resumable Parquet snapshots.

Why: download counts are live numbers, so a listing is a dated snapshot; a full listing is
thousands of pages, so it must stream to disk, survive an interruption and resume, and cost one
HTTP request per page of up to 1,000 models (never one ``model_info`` call per model).

Two queries (both ``GET {endpoint}/api/models`` with
``expand=downloads,downloadsAllTime,author,createdAt,likes,pipeline_tag,library_name,tags,baseModels``):

- **top N** (:func:`fetch_top_models`): ``sort=downloads`` (the Hub sorts descending by default),
  ``limit=min(N, page_size)``; pages are followed until N distinct models are kept.
- **orgs** (:func:`fetch_org_models`): one listing per ``author``, ``limit=page_size``, every page.

How it talks to the Hub. ``HfApi.list_models`` hides its cursor, so it cannot resume; this module
drives the same request itself with huggingface_hub's own pieces: the endpoint as ``HfApi``
resolves it (``endpoint=`` argument, else ``$HF_ENDPOINT`` read at call time, else
huggingface_hub's default), its headers (``build_hf_headers``: user agent, and the token from
``$HF_TOKEN`` only, never the token cached on disk), its shared HTTP client (``get_session``),
``hf_raise_for_status`` and ``ModelInfo(**item)`` parsing. The first URL carries the parameters
``list_models`` would send (``author``, ``sort``, ``limit``, repeated ``expand``); later pages
follow the ``Link: <...>; rel="next"`` header verbatim, as ``huggingface_hub.utils.paginate``
does. ``limit`` is the page size (the Hub caps a page at 1,000): like ``list_models``, which
slices its iterator at ``limit``, we stop once N models are kept, so top N costs
``ceil(N / page_size)`` requests when nothing is retried or repeated.

Retries (per page, up to ``max_attempts`` attempts in all): 408, 429, 500, 502, 503, 504,
timeouts, connection resets/refusals, bodies cut short and invalid JSON. A 429 waits what
``Retry-After`` says (seconds or an HTTP date; no cap, the server knows its limit), otherwise
backoff waits ``backoff_base * 2**k`` seconds capped at 60, no jitter (reproducible runs). Other
4xx answers fail at once. When attempts run out the error names the page URL and says to rerun.

Resumption. Each query has a staging directory
(``data/snapshots/hub/.staging-<mode>-<hash of query, endpoint, page size>``). After each page,
its rows are written as ``.parts/page-NNNNNN.parquet`` (atomic rename), then ``.state.json``
(atomic rename) records the next URL, the org being listed, pages done, rows kept, requests made
and duplicates seen. Rerunning the same query resumes from the state: parts beyond ``pages_done``
(a page written just before a kill) are deleted and refetched, and the model ids of the kept
parts are reloaded to keep deduplicating. A ``.lock`` (``flock``) stops two processes sharing a
staging directory. ``fresh=True`` (``--fresh``) discards a staging directory and starts over.
A data error (bad row) keeps the staging directory: rerunning hits the same page again, which is
the point (nothing wrong is ever committed); delete it or use ``fresh`` after fixing the cause.

Completion. Parts are concatenated into ``models.parquet`` with :data:`LISTING_SCHEMA`, sorted
for determinism (top N: ``downloads`` descending, nulls last, then ``model_id``; orgs: ``author``
then ``model_id``), and :func:`modelrace.snapshots.commit_snapshot` renames the directory into
``data/snapshots/hub/<date>[-N]/`` with ``manifest.json``. Nothing is visible to readers before.

Decisions:

- **Duplicates** (a model id seen on an earlier page or twice on a page: cursor pages shift when
  downloads change during a long listing): the first occurrence is kept, later ones dropped, each
  logged as a warning and counted in the manifest (``duplicates.count`` and the first 100 ids).
  Top N keeps paging until N *distinct* models are kept.
- **Empty result** (no model at all, or an org with no model: probably a misspelt name): a clear
  error, nothing committed. A top-N listing that ends before N (the Hub has fewer models) is
  committed with ``complete: false`` and a warning.
- **Bad rows** stop the fetch with the page URL (never carrying the token), the item index and
  the field: ``id`` must be ``owner/name``; counts must be non-negative integers or absent
  (absent stays null, never 0); in org mode the id's owner must be the org asked for.
- **Lineage**: ``base_models`` are the ids in the expanded ``baseModels.models``; when it is
  absent they come from the ``base_model:<relation>:<repo>`` / ``base_model:<repo>`` tags.
  ``base_relation`` is ``baseModels.relation``, else the first relation found in those tags,
  else null. An unknown relation is an error (the set below must be extended deliberately).
- ``author`` missing from an item is filled with the id's owner (what the Hub's author is).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urljoin, urlsplit, urlunsplit

import huggingface_hub
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from huggingface_hub import HfApi, ModelInfo
from huggingface_hub import constants as hf_constants
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import build_hf_headers, close_session, get_session, hf_raise_for_status
from huggingface_hub.utils import httpx as _httpx
from tqdm import tqdm

from .httpretry import redact, retry_after_seconds
from . import __version__, snapshots

log = logging.getLogger(__name__)

SOURCE = "hub"
LISTING_FILE = "models.parquet"
STATE_FILE = ".state.json"
PARTS_DIR = ".parts"
LOCK_FILE = ".lock"
STATE_VERSION = 1
MAX_PAGE_SIZE = 1000  # the Hub's cap on one page of /api/models

EXPAND = [
    "downloads",
    "downloadsAllTime",
    "author",
    "createdAt",
    "likes",
    "pipeline_tag",
    "library_name",
    "tags",
    "baseModels",
]
BASE_RELATIONS = ("finetune", "quantized", "adapter", "merge")

LISTING_SCHEMA = pa.schema(
    [
        pa.field("model_id", pa.string(), nullable=False),
        pa.field("author", pa.string()),
        pa.field("created_at", pa.timestamp("us", tz="UTC")),
        pa.field("downloads", pa.int64()),
        pa.field("downloads_all_time", pa.int64()),
        pa.field("likes", pa.int64()),
        pa.field("pipeline_tag", pa.string()),
        pa.field("library_name", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("base_models", pa.list_(pa.string())),
        pa.field("base_relation", pa.string()),
    ]
)

_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_RETRY_EXCEPTIONS = (_httpx.TimeoutException, _httpx.NetworkError, _httpx.RemoteProtocolError)
_MAX_BACKOFF = 60.0
_REPO_ID = re.compile(r"^[^/\s]+/[^/\s]+$")
_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PART = re.compile(r"^page-(\d{6})\.parquet$")
_DUPLICATE_IDS_KEPT = 100


class HubFetchError(RuntimeError):
    """The listing could not be fetched (retries exhausted, refused request, bad answer)."""


class HubDataError(HubFetchError):
    """An item of a page is malformed; the message names the page URL, item index and field."""


class HubEmptyResult(HubFetchError):
    """The query returned no model (or an org returned none): nothing is committed."""


@dataclass(frozen=True)
class _Query:
    mode: str  # "top" or "orgs"
    n: int | None
    orgs: tuple[str, ...]
    page_size: int

    def describe(self) -> dict[str, Any]:
        base: dict[str, Any] = {"expand": list(EXPAND), "page_size": self.page_size}
        if self.mode == "top":
            return {"n": self.n, "sort": "downloads", "direction": "descending (Hub default)", **base}
        return {"authors": list(self.orgs), "sort": None, **base}

    def staging_key(self, endpoint: str) -> str:
        blob = json.dumps({"q": self.describe(), "endpoint": endpoint, "v": STATE_VERSION}, sort_keys=True)
        digest = hashlib.sha256(blob.encode()).hexdigest()[:12]
        label = f"top{self.n}" if self.mode == "top" else f"orgs{len(self.orgs)}"
        return f"{label}-{digest}"

    def first_url(self, endpoint: str, org_index: int) -> str:
        """The first page's URL, with the parameters ``HfApi.list_models`` would send, in its order."""
        params: list[tuple[str, Any]] = []
        if self.mode == "orgs":
            params.append(("author", self.orgs[org_index]))
        else:
            params.append(("sort", "downloads"))
        limit = min(self.n, self.page_size) if self.mode == "top" else self.page_size
        params.append(("limit", limit))
        params.extend(("expand", e) for e in EXPAND)
        return str(_httpx.Request("GET", f"{endpoint}/api/models", params=params).url)


# --------------------------------------------------------------------------- public API


def fetch_top_models(
    n: int,
    *,
    endpoint: str | None = None,
    snapshots_root: Path | None = None,
    page_size: int = MAX_PAGE_SIZE,
    max_attempts: int = 6,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 60.0,
    backoff_base: float = 1.0,
    fresh: bool = False,
) -> Path:
    """Snapshot the N most downloaded models (30-day downloads); returns the snapshot directory."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    query = _Query("top", n, (), _check_page_size(page_size))
    return _fetch(query, endpoint=endpoint, snapshots_root=snapshots_root, max_attempts=max_attempts,
                  sleep=sleep, timeout=timeout, backoff_base=backoff_base, fresh=fresh)


def fetch_org_models(
    orgs: list[str],
    *,
    endpoint: str | None = None,
    snapshots_root: Path | None = None,
    page_size: int = MAX_PAGE_SIZE,
    max_attempts: int = 6,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 60.0,
    backoff_base: float = 1.0,
    fresh: bool = False,
) -> Path:
    """Snapshot every model of each org (one listing per ``author``); returns the snapshot directory."""
    if isinstance(orgs, str) or not orgs:
        raise ValueError(f"orgs must be a non-empty list of Hub namespaces, got {orgs!r}")
    bad = [o for o in orgs if not isinstance(o, str) or not _NAMESPACE.match(o)]
    if bad:
        raise ValueError(f"not Hub namespaces: {bad!r} (expected e.g. 'Qwen', 'deepseek-ai')")
    lowered = [o.lower() for o in orgs]
    dups = sorted({o for o in orgs if lowered.count(o.lower()) > 1})
    if dups:
        raise ValueError(f"orgs listed more than once: {dups!r}; list each org once")
    query = _Query("orgs", None, tuple(orgs), _check_page_size(page_size))
    return _fetch(query, endpoint=endpoint, snapshots_root=snapshots_root, max_attempts=max_attempts,
                  sleep=sleep, timeout=timeout, backoff_base=backoff_base, fresh=fresh)


def load_listing(snapshot_dir: str | Path, *, snapshots_root: Path | None = None, allow_incomplete: bool = False) -> pd.DataFrame:
    """Read ``models.parquet`` of a committed snapshot (a path, a dated name or "latest").

    The manifest checksums are verified first, and the file must have :data:`LISTING_SCHEMA`.
    Counts come back as nullable ``Int64`` so a missing count stays missing, never 0.
    """
    snap = snapshots.resolve_snapshot(SOURCE, str(snapshot_dir), snapshots_root, allow_incomplete=allow_incomplete)
    path = snap / LISTING_FILE
    if not path.is_file():
        raise snapshots.SnapshotError(f"{snap} has no {LISTING_FILE}: not a Hub listing snapshot")
    table = pq.read_table(path)
    if not table.schema.equals(LISTING_SCHEMA, check_metadata=False):
        raise snapshots.SnapshotError(
            f"{path}: schema {table.schema} differs from modelrace.hub.LISTING_SCHEMA; refetch the snapshot"
        )
    return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


# --------------------------------------------------------------------------- the fetch loop


def _fetch(
    query: _Query,
    *,
    endpoint: str | None,
    snapshots_root: Path | None,
    max_attempts: int,
    sleep: Callable[[float], None],
    timeout: float,
    backoff_base: float,
    fresh: bool,
) -> Path:
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
    endpoint = resolve_endpoint(endpoint)
    # build_hf_headers would otherwise probe huggingface.co for "agent harnesses" (telemetry):
    # a fetch must talk to its endpoint only.
    hf_constants.HF_HUB_DISABLE_TELEMETRY = True
    headers = build_hf_headers(
        token=os.environ.get("HF_TOKEN") or False,  # $HF_TOKEN only; False: never the cached token
        library_name="modelrace",
        library_version=__version__,
    )
    staging = snapshots.staging_dir(SOURCE, query.staging_key(endpoint), snapshots_root)
    with _locked(staging):
        if fresh:
            _clear_staging(staging)
        state = _load_state(staging, query, endpoint)
        parts = staging / PARTS_DIR
        parts.mkdir(exist_ok=True)
        seen = _prepare_parts(parts, state["pages_done"])
        state["runs"] += 1
        try:
            _run_pages(query, state, staging, parts, seen, endpoint=endpoint, headers=headers,
                       max_attempts=max_attempts, sleep=sleep, timeout=timeout, backoff_base=backoff_base)
        except BaseException:
            _save_state(staging, state)  # keeps the requests counted so far; the page cursor is unchanged
            raise
        if state["rows"] == 0:
            shutil.rmtree(staging, ignore_errors=True)
            raise HubEmptyResult(
                f"the Hub returned no model for {query.describe()} at {redact_url(endpoint)}; nothing committed"
            )
        return _finish(query, state, staging, parts, endpoint, snapshots_root)


def _run_pages(query: _Query, state: dict, staging: Path, parts: Path, seen: set[str], *, endpoint: str,
               headers: dict[str, str], max_attempts: int, sleep: Callable[[float], None], timeout: float,
               backoff_base: float) -> None:
    desc = f"hub top {query.n}" if query.mode == "top" else "hub orgs"
    with tqdm(total=query.n, initial=state["rows"], unit="model", desc=desc, disable=None) as bar:
        while not state["done"]:
            org = query.orgs[state["org_index"]] if query.mode == "orgs" else None
            url = state["next_url"] or query.first_url(endpoint, state["org_index"])
            items, next_url = _get_page(url, headers, state, max_attempts=max_attempts, sleep=sleep,
                                        timeout=timeout, backoff_base=backoff_base)
            remaining = query.n - state["rows"] if query.mode == "top" else None
            rows = _page_rows(items, url, seen, state, remaining=remaining, org=org)
            page_no = state["pages_done"] + 1
            _write_part(parts, page_no, rows)
            state["pages_done"] = page_no
            state["rows"] += len(rows)
            if org is not None:
                by_org = state["by_org"].setdefault(org, {"pages": 0, "rows": 0})
                by_org["pages"] += 1
                by_org["rows"] += len(rows)
            if query.mode == "top":
                state["next_url"] = next_url
                state["done"] = next_url is None or state["rows"] >= query.n
            elif next_url is not None:
                state["next_url"] = next_url
            else:
                if state["by_org"][org]["rows"] == 0:
                    _save_state(staging, state)
                    raise HubEmptyResult(
                        f"the Hub returned no model for author {org!r} at {redact_url(endpoint)}: check the spelling "
                        "(namespaces are case-sensitive) or drop it from the list; nothing committed"
                    )
                state["org_index"] += 1
                state["next_url"] = None
                state["done"] = state["org_index"] >= len(query.orgs)
            _save_state(staging, state)
            bar.update(len(rows))
            bar.set_postfix(pages=state["pages_done"], requests=state["requests"], refresh=False)


def _get_page(url: str, headers: dict[str, str], state: dict, *, max_attempts: int,
              sleep: Callable[[float], None], timeout: float, backoff_base: float) -> tuple[list, str | None]:
    """One page, retried on transient failures: one HTTP request per attempt, never one per model."""
    shown = redact_url(url)
    reason = ""
    for attempt in range(1, max_attempts + 1):
        state["requests"] += 1
        wait = min(backoff_base * 2 ** (attempt - 1), _MAX_BACKOFF)
        try:
            resp = get_session().get(url, headers=headers, timeout=timeout)
        except _RETRY_EXCEPTIONS as err:
            if isinstance(err, _httpx.ConnectError):
                close_session()  # as huggingface_hub does: a fresh client after a failed connect
            reason = f"{type(err).__name__}: {err}"
        else:
            if resp.status_code in _RETRY_STATUS:
                reason = f"HTTP {resp.status_code}"
                if resp.status_code == 429:
                    retry_after = retry_after_seconds(resp.headers.get("Retry-After"))
                    if retry_after is not None:
                        wait = retry_after
                        reason += f" (Retry-After {resp.headers.get('Retry-After')})"
            else:
                try:
                    hf_raise_for_status(resp)
                except HfHubHTTPError as err:
                    detail = redact(str(err), os.environ.get("HF_TOKEN"))  # a server may quote the Authorization header back
                    raise HubFetchError(
                        f"the Hub refused {shown} with HTTP {resp.status_code}; retrying cannot help. {detail}"
                    ) from None
                try:
                    payload = json.loads(resp.content)
                except ValueError as err:
                    reason = f"invalid JSON ({err}; body cut short?)"
                else:
                    if not isinstance(payload, list):
                        raise HubFetchError(f"{shown}: expected a JSON array of models, got {type(payload).__name__}")
                    nxt = resp.links.get("next", {}).get("url")
                    return payload, (urljoin(url, nxt) if nxt else None)
        if attempt == max_attempts:
            break
        log.warning("%s: %s; retry %d/%d in %.1fs", shown, reason, attempt, max_attempts - 1, wait)
        sleep(wait)
    raise HubFetchError(
        f"gave up on {shown} after {max_attempts} attempts (last: {reason}). The pages already fetched "
        "are kept: rerun the same command to resume from this page."
    )


def _page_rows(items: list, url: str, seen: set[str], state: dict, *, remaining: int | None,
               org: str | None) -> list[dict[str, Any]]:
    """Validate every item of a page; keep new ids (up to ``remaining``), count repeats."""
    shown = redact_url(url)
    parsed = [parse_item(item, page_url=shown, index=i) for i, item in enumerate(items)]
    rows = []
    for i, row in enumerate(parsed):
        if org is not None and row["model_id"].split("/")[0].lower() != org.lower():
            raise HubDataError(
                f"page {shown} item {i}: model {row['model_id']!r} is not in the namespace {org!r} that was "
                "asked for; the Hub's author filter misbehaved, so the listing cannot be trusted"
            )
        if remaining is not None and len(rows) >= remaining:
            break
        if row["model_id"] in seen:
            state["duplicates"] += 1
            if len(state["duplicate_ids"]) < _DUPLICATE_IDS_KEPT:
                state["duplicate_ids"].append(row["model_id"])
            log.warning("page %s item %d: %s was already listed; keeping the first occurrence",
                        shown, i, row["model_id"])
            continue
        seen.add(row["model_id"])
        rows.append(row)
    return rows


def parse_item(item: Any, *, page_url: str, index: int) -> dict[str, Any]:
    """One ``/api/models`` object -> a :data:`LISTING_SCHEMA` row, or a clear :class:`HubDataError`."""
    where = f"page {page_url} item {index}"
    if not isinstance(item, dict):
        raise HubDataError(f"{where}: expected a JSON object, got {type(item).__name__}")
    model_id = item.get("id")
    if not isinstance(model_id, str) or not _REPO_ID.match(model_id):
        raise HubDataError(f"{where}: field 'id' = {model_id!r} is not a repo id 'owner/name'")
    where = f"{where} ({model_id})"
    try:
        info = ModelInfo(**{"siblings": None, **item})  # as list_models does
    except Exception as err:  # noqa: BLE001 - any parse failure is a data error on this item
        raise HubDataError(f"{where}: huggingface_hub cannot parse it: {type(err).__name__}: {err}") from None
    counts = {}
    for api_name, attr in (("downloads", "downloads"), ("downloadsAllTime", "downloads_all_time"), ("likes", "likes")):
        value = getattr(info, attr)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise HubDataError(f"{where}: field {api_name!r} = {value!r} is not an integer")
        if value is not None and value < 0:
            raise HubDataError(f"{where}: field {api_name!r} = {value} is negative; a count cannot be")
        counts[attr] = value
    for api_name in ("author", "pipeline_tag", "library_name"):
        value = item.get(api_name)
        if value is not None and not isinstance(value, str):
            raise HubDataError(f"{where}: field {api_name!r} = {value!r} is not a string")
    tags = info.tags
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        raise HubDataError(f"{where}: field 'tags' = {tags!r} is not a list of strings")
    base_models, relation = _lineage(info.base_models, tags or [], where)
    return {
        "model_id": model_id,
        "author": info.author or model_id.split("/")[0],
        "created_at": info.created_at,
        "downloads": counts["downloads"],
        "downloads_all_time": counts["downloads_all_time"],
        "likes": counts["likes"],
        "pipeline_tag": info.pipeline_tag,
        "library_name": info.library_name,
        "tags": tags,
        "base_models": base_models,
        "base_relation": relation,
    }


def _lineage(base: Any, tags: list[str], where: str) -> tuple[list[str] | None, str | None]:
    """Base models and relation: expanded ``baseModels`` first, ``base_model:`` tags otherwise."""
    tag_repos: list[str] = []
    tag_relations: list[str] = []
    for tag in tags:
        if not tag.startswith("base_model:"):
            continue
        parts = tag.split(":")
        if len(parts) == 3 and parts[1] in BASE_RELATIONS and parts[2]:
            tag_relations.append(parts[1])
            tag_repos.append(parts[2])
        elif len(parts) == 2 and parts[1]:
            tag_repos.append(parts[1])
        else:
            raise HubDataError(
                f"{where}: tag {tag!r} is not base_model:<repo> or base_model:<relation>:<repo> with relation "
                f"in {BASE_RELATIONS}; extend modelrace.hub.BASE_RELATIONS if the Hub added a relation"
            )
    relation = tag_relations[0] if tag_relations else None
    if base is None:
        return (list(dict.fromkeys(tag_repos)) or None), relation
    models = base.get("models") if isinstance(base, dict) else None
    if not isinstance(models, list) or not all(isinstance(m, dict) and isinstance(m.get("id"), str) and m["id"]
                                               for m in models):
        raise HubDataError(f"{where}: field 'baseModels' = {base!r} is not {{'relation', 'models': [{{'id'}}]}}")
    declared = base.get("relation")
    if declared is not None and declared not in BASE_RELATIONS:
        raise HubDataError(
            f"{where}: baseModels.relation = {declared!r} is not one of {BASE_RELATIONS}; extend "
            "modelrace.hub.BASE_RELATIONS if the Hub added a relation"
        )
    ids = list(dict.fromkeys(m["id"] for m in models))
    return (ids or None), (declared or relation)


# --------------------------------------------------------------------------- staging, state, parts


@contextlib.contextmanager
def _locked(staging: Path) -> Iterator[None]:
    fd = os.open(staging / LOCK_FILE, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HubFetchError(f"another fetch of the same query is running (lock held on {staging})") from None
        yield
    finally:
        os.close(fd)


def _clear_staging(staging: Path) -> None:
    for p in staging.iterdir():
        if p.name == LOCK_FILE:
            continue
        shutil.rmtree(p) if p.is_dir() else p.unlink()


def _new_state(query: _Query, endpoint: str) -> dict[str, Any]:
    return {
        "version": STATE_VERSION, "query": query.describe(), "mode": query.mode, "endpoint": redact_url(endpoint),
        "org_index": 0, "next_url": None, "pages_done": 0, "rows": 0, "requests": 0, "duplicates": 0,
        "duplicate_ids": [], "by_org": {}, "runs": 0, "done": False,
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


def _load_state(staging: Path, query: _Query, endpoint: str) -> dict[str, Any]:
    path = staging / STATE_FILE
    if not path.exists():
        return _new_state(query, endpoint)
    try:
        state = json.loads(path.read_text())
    except ValueError as err:
        raise HubFetchError(f"{path} is unreadable ({err}); rerun with fresh=True (--fresh) to start over") from None
    if (state.get("version") != STATE_VERSION or state.get("query") != query.describe()
            or state.get("endpoint") != redact_url(endpoint)):
        raise HubFetchError(f"{path} belongs to another query or version; rerun with fresh=True (--fresh)")
    if state["pages_done"] or state["requests"]:
        log.info("resuming %s after page %d (%d rows kept)", staging.name, state["pages_done"], state["rows"])
    return state


def _save_state(staging: Path, state: dict[str, Any]) -> None:
    text = json.dumps(state, indent=1, sort_keys=True)
    snapshots.assert_no_secrets(text)
    snapshots.atomic_write_text(staging / STATE_FILE, text)


def _prepare_parts(parts: Path, pages_done: int) -> set[str]:
    """Drop parts the state does not vouch for (written just before a kill); return kept model ids."""
    seen: set[str] = set()
    for p in sorted(parts.iterdir()):
        m = _PART.match(p.name)
        if m is None or int(m.group(1)) > pages_done:
            p.unlink()
    for page in range(1, pages_done + 1):
        path = _part_path(parts, page)
        if not path.is_file():
            raise HubFetchError(f"{path} is missing although {STATE_FILE} counts it; rerun with fresh=True")
        seen.update(pq.read_table(path, columns=["model_id"]).column("model_id").to_pylist())
    return seen


def _part_path(parts: Path, page: int) -> Path:
    return parts / f"page-{page:06d}.parquet"


def _write_part(parts: Path, page: int, rows: list[dict[str, Any]]) -> None:
    table = pa.Table.from_pylist(rows, schema=LISTING_SCHEMA)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    snapshots.atomic_write_bytes(_part_path(parts, page), buf.getvalue())


def _finish(query: _Query, state: dict, staging: Path, parts: Path, endpoint: str,
            snapshots_root: Path | None) -> Path:
    tables = [pq.read_table(_part_path(parts, p), schema=LISTING_SCHEMA) for p in range(1, state["pages_done"] + 1)]
    table = pa.concat_tables(tables)
    if query.mode == "top":
        order = [("downloads", "descending"), ("model_id", "ascending")]
        order_text = "downloads descending (nulls last), then model_id"
    else:
        order = [("author", "ascending"), ("model_id", "ascending")]
        order_text = "author, then model_id"
    table = table.sort_by(order)
    pq.write_table(table, staging / LISTING_FILE)
    complete = query.mode == "orgs" or state["rows"] >= query.n
    if not complete:
        log.warning("the Hub listing ended after %d models, fewer than the %d asked for", state["rows"], query.n)
    manifest = {
        "source": SOURCE,
        "mode": query.mode,
        "query": query.describe(),
        "endpoint": redact_url(endpoint),
        "pages": state["pages_done"],
        "requests": state["requests"],
        "rows": state["rows"],
        "complete": complete,
        "duplicates": {"count": state["duplicates"], "model_ids": state["duplicate_ids"],
                       "policy": "first occurrence kept, later ones dropped"},
        "by_author": state["by_org"] if query.mode == "orgs" else None,
        "runs": state["runs"],
        "started_at": state["started_at"],
        "fetched_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "huggingface_hub_version": huggingface_hub.__version__,
        "schema": {f.name: str(f.type) for f in LISTING_SCHEMA},
        "order": order_text,
    }
    final = snapshots.commit_snapshot(staging, SOURCE, manifest, root=snapshots_root)
    log.info("committed %s (%d models, %d pages, %d requests)", final, state["rows"], state["pages_done"],
             state["requests"])
    return final


# --------------------------------------------------------------------------- helpers


def resolve_endpoint(endpoint: str | None = None) -> str:
    """``endpoint`` argument, else ``$HF_ENDPOINT`` (read now), else huggingface_hub's default."""
    chosen = endpoint or os.environ.get("HF_ENDPOINT") or None
    return HfApi(endpoint=chosen.rstrip("/") if chosen else None).endpoint.rstrip("/")


def redact_url(url: str) -> str:
    """A URL fit for messages and manifests: any ``user:password@`` part removed."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _check_page_size(page_size: int) -> int:
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be an integer in 1..{MAX_PAGE_SIZE} (the Hub's cap), got {page_size!r}")
    return page_size


def main(argv: list[str] | None = None) -> int:
    """``python -m modelrace.hub top --n 1000`` or ``python -m modelrace.hub orgs Qwen deepseek-ai``."""
    parser = argparse.ArgumentParser(prog="python -m modelrace.hub", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    top = sub.add_parser("top", help="the N most downloaded models (30-day downloads)")
    top.add_argument("--n", type=int, required=True)
    orgs = sub.add_parser("orgs", help="every model of these orgs (one listing per author)")
    orgs.add_argument("orgs", nargs="+")
    for p in (top, orgs):
        p.add_argument("--endpoint", default=None, help="Hub URL (default: $HF_ENDPOINT or huggingface.co)")
        p.add_argument("--snapshots-root", type=Path, default=None, help="default: data/snapshots")
        p.add_argument("--page-size", type=int, default=MAX_PAGE_SIZE)
        p.add_argument("--max-attempts", type=int, default=6)
        p.add_argument("--timeout", type=float, default=60.0)
        p.add_argument("--fresh", action="store_true", help="discard an interrupted fetch of this query")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    common = dict(endpoint=args.endpoint, snapshots_root=args.snapshots_root, page_size=args.page_size,
                  max_attempts=args.max_attempts, timeout=args.timeout, fresh=args.fresh)
    try:
        if args.mode == "top":
            snap = fetch_top_models(args.n, **common)
        else:
            snap = fetch_org_models(args.orgs, **common)
    except (HubFetchError, ValueError, snapshots.SnapshotError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(snap)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
