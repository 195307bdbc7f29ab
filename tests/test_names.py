"""Readable model names from data/reference/model_names.csv."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from modelrace import attribution, load, names, paths, shares
from modelrace.validate import InputError


def test_openrouter_names_and_variants():
    assert names.openrouter("deepseek/deepseek-chat-v3-0324", "fr") == "DeepSeek V3 0324"
    assert names.openrouter("deepseek/deepseek-chat-v3-0324:free", "fr") == "DeepSeek V3 0324 (gratuit)"
    assert names.openrouter("deepseek/deepseek-chat-v3-0324:free", "en") == "DeepSeek V3 0324 (free)"
    with pytest.raises(InputError, match="model_names.csv"):
        names.openrouter("acme/unknown-model", "fr")
    with pytest.raises(InputError, match="variant"):
        names.openrouter("x-ai/grok-4-fast:turbo", "fr")


def test_hub_names():
    assert names.hub("unslothai/1") == "Unsloth · 1"
    assert names.hub("Qwen/Qwen3-0.6B") == "Qwen/Qwen3-0.6B"


def test_every_slug_a_default_window_can_rank_has_a_name():
    attributed = attribution.attribute_openrouter(load.openrouter_rankings("pinned"))
    for start, end in (("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-12-31"), ("2025-01-01", "2026-12-31")):
        top = shares.top_models(attributed, start, end, n=15)
        for slug in top["model_permaslug"]:
            assert names.openrouter(slug, "fr") and names.openrouter(slug, "en")


def test_unreadable_hub_ids_of_the_pinned_top_100_have_a_row():
    top = pd.read_csv(paths.ROOT / "data/processed/hub_top100_2025.csv")
    table = attribution.load_model_names()
    have = set(table.loc[table["platform"] == "hub", "model_id"])
    missing = [m for m in top["model_id"] if names.unreadable_hub_id(m) and m not in have]
    assert not missing, f"add display names for {missing} to data/reference/model_names.csv"


def test_the_table_is_validated(tmp_path):
    bad = tmp_path / "names.csv"
    bad.write_text("platform,model_id,display_name,source_url,note\nopenrouter,a/b:free,B,https://openrouter.ai/a/b,\n")
    with pytest.raises(attribution.ReferenceError, match=re.escape("data row 1 (line 2)")):
        attribution.load_model_names(bad)
    bad.write_text("platform,model_id,display_name,source_url,note\nnpm,a/b,B,https://openrouter.ai/a/b,\n")
    with pytest.raises(attribution.ReferenceError, match="platform"):
        attribution.load_model_names(bad)
