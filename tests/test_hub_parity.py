"""modelrace.hub speaks to the Hub exactly as ``HfApi.list_models`` does, and parses the same models.

The fetcher drives pagination itself (to resume and retry), so this test pins it to the library:
against the same fake Hub, ``HfApi.list_models(...)`` and ``hub.fetch_*`` must send the same first
query (path, parameters, repeated ``expand``; only ``limit`` may differ, being a page size for us)
and yield the same models with the same field values.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from huggingface_hub import HfApi

from modelrace import hub

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fakes.hub_server import FakeHub, make_population  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_TOKEN", raising=False)


def _library_listing(url: str, **kwargs) -> list:
    return list(HfApi(endpoint=url, token=False).list_models(expand=list(hub.EXPAND), **kwargs))


def _compare(fake, reference_models, snapshot):
    ours = hub.load_listing(snapshot)
    assert list(ours["model_id"]) == [m.id for m in reference_models]
    by_id = ours.set_index("model_id")
    for m in reference_models:
        row = by_id.loc[m.id]
        assert row["author"] == m.author
        assert (None if row["downloads"] is None or str(row["downloads"]) == "<NA>" else int(row["downloads"])) == m.downloads
        assert row["likes"] == m.likes
        assert (row["pipeline_tag"] if isinstance(row["pipeline_tag"], str) else None) == m.pipeline_tag
        assert list(row["tags"]) == list(m.tags or [])
        assert row["created_at"].to_pydatetime() == m.created_at


def test_top_n_matches_list_models(tmp_path):
    population = make_population(250, seed=11)
    with FakeHub(population, page_size=1000) as fake:
        reference = _library_listing(fake.url, sort="downloads", limit=120)
        library_first = fake.requests[0]
        fake.requests.clear()
        snap = hub.fetch_top_models(120, endpoint=fake.url, snapshots_root=tmp_path, sleep=lambda s: None)
        ours_first = fake.requests[0]
    assert ours_first.path == library_first.path == "/api/models"
    strip = lambda p: {k: v for k, v in p.items() if k != "limit"}  # noqa: E731
    assert strip(ours_first.params) == strip(library_first.params)
    assert ours_first.params["expand"] == library_first.params["expand"]
    _compare(fake, reference, snap)


def test_org_listing_matches_list_models(tmp_path):
    population = make_population(250, seed=12)
    org = "Qwen"
    with FakeHub(population, page_size=10) as fake:  # several pages, followed through Link headers
        reference = _library_listing(fake.url, author=org)
        library_pages = len(fake.requests)
        fake.requests.clear()
        snap = hub.fetch_org_models([org], endpoint=fake.url, snapshots_root=tmp_path, page_size=10,
                                    sleep=lambda s: None)
        ours_pages = len(fake.requests)
    assert reference, "the synthetic population must hold Qwen models"
    assert ours_pages == library_pages > 1
    reference = sorted(reference, key=lambda m: m.id)  # org snapshots are sorted by author, then id
    _compare(fake, reference, snap)
