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


def test_a_live_snapshot_shows_a_slug_without_a_row_as_its_id():
    """Strict on the pinned data, the id on a live snapshot; the missing slugs are named, with the file."""
    assert names.strict_for("pinned") and not names.strict_for("latest") and not names.strict_for("2026-12-04")
    assert names.openrouter("acme/unknown-model", "fr", strict=False) == "acme/unknown-model"
    assert names.openrouter("acme/unknown-model:free", "fr", strict=False) == "acme/unknown-model (gratuit)"
    assert names.openrouter("acme/unknown-model:free", "en", strict=False) == "acme/unknown-model (free)"
    assert names.openrouter("deepseek/deepseek-chat-v3-0324", "en", strict=False) == "DeepSeek V3 0324"
    with pytest.raises(InputError, match="variant"):  # an unknown variant is a code change, even live
        names.openrouter("acme/unknown-model:turbo", "fr", strict=False)
    slugs = pd.Series(["acme/unknown-model:free", "deepseek/deepseek-chat-v3-0324", "acme/unknown-model", "zeta/z-1"])
    assert names.missing_openrouter(slugs) == ["acme/unknown-model", "zeta/z-1"]
    line = names.missing_line(names.missing_openrouter(slugs))
    assert "acme/unknown-model, zeta/z-1" in line and "data/reference/model_names.csv" in line and "\n" not in line
    with pytest.raises(InputError, match="model_names.csv"):
        names.display_names(slugs, "openrouter", "fr")
    assert names.display_names(slugs, "openrouter", "en", strict=False).tolist() == [
        "acme/unknown-model (free)", "DeepSeek V3 0324", "acme/unknown-model", "zeta/z-1"]


def test_the_top_models_chart_labels_a_live_slug_by_its_id():
    from modelrace import charts

    top = pd.DataFrame({"model_permaslug": ["deepseek/deepseek-chat-v3-0324", "acme/unknown-model"],
                        "group": ["China", "Unattributed"], "share": [0.2, 0.1]})
    with pytest.raises(InputError, match="acme/unknown-model"):
        charts.openrouter_top_models(top, "fr", credit="x", start="2026-10-10", end="2026-11-15")
    fig = charts.openrouter_top_models(top, "fr", credit="x", start="2026-10-10", end="2026-11-15", strict_names=False)
    labels = [tick.get_text() for tick in fig.axes[0].get_yticklabels()]
    assert labels == ["acme/unknown-model", "DeepSeek V3 0324"]  # drawn bottom-up


def test_the_refresh_names_stub_lists_the_drawn_slugs_without_a_row():
    from modelrace import changes

    rows = [("2026-10-10", "deepseek/deepseek-chat-v3-0324", 500), ("2026-10-10", "acme/unknown-model:free", 300),
            ("2026-10-11", "acme/unknown-model", 100), ("2026-10-10", "zeta/z-1", 50), ("2026-10-10", "other", 50)]
    frame = pd.DataFrame(rows, columns=["date", "model_permaslug", "total_tokens"])
    frame["date"] = pd.to_datetime(frame["date"])
    att = attribution.attribute_openrouter(frame)
    stub = changes.model_name_gaps(att, "2026-10-10", "2026-10-11", date="2026-12-04", n=3)
    assert tuple(stub.columns[:5]) == attribution.REFERENCE_SPECS["model_names"].columns
    assert stub["model_id"].tolist() == ["acme/unknown-model"]  # z-1 is 4th: not drawn on a top 3
    assert stub["rank"].tolist() == [2] and stub["tokens"].tolist() == [400] and stub["share"].tolist() == [0.4]
    assert stub["source_url"].tolist() == ["https://openrouter.ai/acme/unknown-model"]
    assert changes.model_name_gaps(att, "2026-10-10", "2026-10-11", date="2026-12-04", n=1).empty
