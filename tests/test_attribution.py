"""modelrace.attribution on the pinned data and on small synthetic frames.

Expectations are computed independently: coverage and conservation from the raw CSV read with
the csv module, lineage from hand-built listings whose answer is known by construction.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from modelrace import attribution as A
from modelrace import paths, sources
from modelrace.validate import InputError

try:  # the lead's loaders; fall back to pandas on the raw file if they are not there
    from modelrace import load as _load
except ImportError:  # pragma: no cover - only before modelrace.load exists
    _load = None


@pytest.fixture(scope="module")
def labs():
    return A.load_labs()


@pytest.fixture(scope="module")
def rankings():
    if _load is not None and hasattr(_load, "openrouter_rankings"):
        return _load.openrouter_rankings()
    return pd.read_csv(sources.raw_path("openrouter_rankings_daily"), dtype={"model_permaslug": "string"})


@pytest.fixture(scope="module")
def attributed(rankings, labs):
    return A.attribute_openrouter(rankings, labs=labs)


def _raw_tokens_by_slug() -> dict[str, int]:
    """Exact integer tokens per permaslug, summed with Python ints from the raw CSV."""
    out: dict[str, int] = defaultdict(int)
    with open(sources.raw_path("openrouter_rankings_daily"), newline="") as f:
        for row in csv.DictReader(f):
            out[row["model_permaslug"]] += int(row["total_tokens"])
    return out


# ------------------------------------------------------------------------------ OpenRouter


def test_tokens_are_conserved_and_rows_kept(rankings, attributed):
    assert len(attributed) == len(rankings)
    pd.testing.assert_frame_equal(attributed[list(rankings.columns)], rankings)
    raw_total = sum(_raw_tokens_by_slug().values())
    assert int(attributed["total_tokens"].sum()) == raw_total
    by_status = attributed.groupby("status", observed=True)["total_tokens"].sum()
    assert int(by_status.sum()) == raw_total
    assert set(attributed["status"].astype(str)) <= set(A.STATUSES)
    assert attributed[["lab", "group", "status", "rule"]].notna().all().all()


def test_coverage_of_pinned_openrouter_tokens(attributed):
    """Every named lab's tokens attributed; only the stealth tail may stay unknown.

    Threshold: >= 99 % of non-``other`` tokens outside the stealth/router pseudo-authors
    (``stealth/*``, ``openrouter/*``) must carry a lab. Overall, the publisher's notes put
    stealth and router pseudo-models at 5.2 % of non-``other`` tokens, so the honest ceiling is
    about 95 %; we require >= 94 % (a revealed stealth model may add a little, never more).
    """
    tokens = _raw_tokens_by_slug()
    status = attributed.drop_duplicates("model_permaslug").set_index("model_permaslug")["status"].astype(str)
    non_other = {s: t for s, t in tokens.items() if s != A.OTHER_SLUG}
    named = {s: t for s, t in non_other.items() if s.split("/")[0] not in A.STEALTH_AUTHORS}
    share_all = sum(t for s, t in non_other.items() if status[s] == "attributed") / sum(non_other.values())
    share_named = sum(t for s, t in named.items() if status[s] == "attributed") / sum(named.values())
    print(f"attributed: {share_all:.4f} of non-other tokens, {share_named:.4f} of non-stealth non-other tokens")
    assert share_named >= 0.99, share_named
    assert share_all >= 0.94, share_all
    assert status[A.OTHER_SLUG] == "other"


def test_variant_takes_its_base_slug_row_and_slug_beats_prefix(labs):
    models = pd.DataFrame(
        {
            "match": ["prefix", "slug"],
            "pattern": ["deepseek", "deepseek/deepseek-r1-distill-llama-70b"],
            "lab": ["DeepSeek", "DeepSeek"],
            "base_lab": ["DeepSeek", "Meta"],
            "open_weights": pd.array([pd.NA, True], dtype="boolean"),
            "source_url": ["https://a.org/x", "https://a.org/y"],
            "note": ["", ""],
        }
    )
    df = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-01"] * 5),
            "model_permaslug": [
                "deepseek/deepseek-r1-distill-llama-70b:free",
                "deepseek/deepseek-r1-distill-llama-70b",
                "deepseek/deepseek-v3",
                "nobody/model",
                "other",
            ],
            "total_tokens": np.array([1, 2, 3, 4, 5], dtype="int64"),
        }
    )
    out = A.attribute_openrouter(df, models=models, labs=labs)
    assert out["rule"].astype(str).tolist() == ["slug", "slug", "prefix", "none", "none"]
    assert out["base_lab"].astype(str).tolist() == ["Meta", "Meta", "DeepSeek", A.UNATTRIBUTED, A.OTHER]
    assert out["status"].astype(str).tolist() == ["attributed", "attributed", "attributed", "unattributed", "other"]
    assert out["group"].astype(str).tolist() == ["China", "China", "China", A.UNATTRIBUTED, A.OTHER]
    assert out["open_weights"].tolist()[:2] == [True, True]
    assert out["open_weights"][2:].isna().all()  # prefix says nothing; unknown and other stay NA
    assert out["author"].astype(str).tolist() == ["deepseek", "deepseek", "deepseek", "nobody", "other"]
    assert int(out["total_tokens"].sum()) == 15


def test_openrouter_input_errors(labs):
    with pytest.raises(InputError, match=r"lacks column\(s\) \['total_tokens'\]"):
        A.attribute_openrouter(pd.DataFrame({"date": [], "model_permaslug": []}), labs=labs)
    bad = pd.DataFrame({"date": ["2025-01-01"], "model_permaslug": [None], "total_tokens": [1]})
    with pytest.raises(InputError, match="empty model_permaslug at row"):
        A.attribute_openrouter(bad, labs=labs)


def test_agrees_with_publisher_labels_where_they_classified(attributed):
    """Our lab totals include at least everything the publisher itself put under that lab."""
    if _load is None or not hasattr(_load, "openrouter_by_lab"):
        pytest.skip("modelrace.load.openrouter_by_lab not available")
    theirs = _load.openrouter_by_lab().groupby("lab")["tokens"].sum()
    ours = attributed.groupby("lab", observed=True)["total_tokens"].sum()
    same_name = [lab for lab in theirs.index if lab in ours.index and lab[0].isupper()]
    assert len(same_name) >= 10
    short = {lab: (int(ours[lab]), int(theirs[lab])) for lab in same_name if ours[lab] < theirs[lab]}
    assert not short, f"labs where we attribute fewer tokens than the publisher did: {short}"


# ------------------------------------------------------------------------------ Hugging Face


def _listing(rows):
    return pd.DataFrame({"model_id": [r[0] for r in rows], "base_models": [r[1] for r in rows], "downloads": range(len(rows))})


def test_multi_hop_lineage_aliases_and_case_fallback(labs):
    df = _listing(
        [
            ("bartowski/Q-GGUF", ["unsloth/Q-bnb"]),  # individual -> unsloth -> Qwen: 2 hops
            ("unsloth/Q-bnb", ["Qwen/Qwen3-8B"]),
            ("Qwen/Qwen3-8B", []),
            ("someone/merge", ["meta-llama/Llama-3.1-8B", "Qwen/Qwen3-8B"]),  # first base, outside listing
            ("THUDM/glm-4-9b", None),  # renamed org -> zai-org
            ("facebook/sam", None),
            ("qwen/lowercase", None),  # case-insensitive fallback
            ("nobody-known/x", None),
        ]
    )
    up = A.attribute_hub(df, view="uploader", labs=labs)
    lin = A.attribute_hub(df, view="lineage", labs=labs)
    assert up["uploader_lab"].astype(str).tolist() == [
        "Individual", "Unsloth", "Qwen", A.UNATTRIBUTED, "Z.ai", "Meta", "Qwen", A.UNATTRIBUTED,
    ]
    assert up["uploader_org"].astype(str).tolist()[4:7] == ["zai-org", "meta-llama", "Qwen"]
    assert lin["base_lab"].astype(str).tolist() == ["Qwen", "Qwen", "Qwen", "Meta", "Z.ai", "Meta", "Qwen", A.UNATTRIBUTED]
    assert lin["lineage_hops"].tolist() == [2, 1, 0, 1, 0, 0, 0, 0]
    assert lin["lineage_stop"].astype(str).tolist()[:4] == ["resolved", "resolved", "root", "outside_listing"]
    assert (lin["group"].astype(str) == lin["lineage_group"].astype(str)).all()
    assert (up["group"].astype(str) == up["uploader_group"].astype(str)).all()
    assert len(lin) == len(df) and lin["downloads"].sum() == df["downloads"].sum()


def test_cycle_and_max_hops(labs):
    df = _listing(
        [
            ("Qwen/a", ["deepseek-ai/b"]),  # a -> b -> a: the cycle is detected at b
            ("deepseek-ai/b", ["Qwen/a"]),
            ("x/1", ["x/2"]), ("x/2", ["x/3"]), ("x/3", ["x/4"]), ("x/4", ["mistralai/end"]),
        ]
    )
    out = A.attribute_hub(df, view="lineage", labs=labs)
    assert out["lineage_stop"].astype(str).tolist()[:2] == ["cycle", "cycle"]
    assert out["base_lab"].astype(str).tolist()[:2] == ["DeepSeek", "Qwen"]
    assert out["lineage_hops"].tolist()[:2] == [1, 1]
    assert out["base_lab"].astype(str)[2] == "Mistral AI" and out["lineage_hops"][2] == 4
    capped = A.attribute_hub(df, view="lineage", max_hops=2, labs=labs)
    assert capped["lineage_stop"].astype(str)[2] == "max_hops" and capped["lineage_hops"][2] == 2
    assert capped["base_org"].astype(str)[2] == "x"
    with pytest.raises(ValueError, match="max_hops"):
        A.attribute_hub(df, max_hops=0, labs=labs)
    with pytest.raises(ValueError, match="view"):
        A.attribute_hub(df, view="country", labs=labs)


def test_arrow_list_column_gives_the_same_answer(labs):
    rows = [("bartowski/Q", ["Qwen/Qwen3-8B"]), ("Qwen/Qwen3-8B", None), ("z/z", [])]
    plain = _listing(rows)
    arrow = plain.assign(base_models=pd.Series(pa.array([r[1] for r in rows], type=pa.list_(pa.string())), dtype=pd.ArrowDtype(pa.list_(pa.string()))))
    a = A.attribute_hub(plain, view="lineage", labs=labs)
    b = A.attribute_hub(arrow, view="lineage", labs=labs)
    assert a["base_lab"].astype(str).tolist() == b["base_lab"].astype(str).tolist() == ["Qwen", "Qwen", A.UNATTRIBUTED]


def test_hub_input_errors(labs):
    with pytest.raises(InputError, match="lacks column 'model_id'"):
        A.attribute_hub(pd.DataFrame({"id": ["a/b"]}), labs=labs)
    with pytest.raises(InputError, match=r"row\(s\) \[1\] is not 'owner/name'"):
        A.attribute_hub(pd.DataFrame({"model_id": ["a/b", "nobody"]}), labs=labs)


def _aiworld_top100() -> pd.DataFrame:
    if _load is not None and hasattr(_load, "aiworld_top100"):
        return _load.aiworld_top100()
    raw = pd.read_csv(sources.raw_path("aiworld_top100_2025"))
    return raw.rename(columns={"Name": "model_id", "Total Value": "downloads", "parent1": "uploader_org"})


def test_agreement_with_aiworld_country_groups():
    """Uploader view vs aiWorld's ``country_group`` on its top 100.

    Bar 0.85: we deliberately differ where aiWorld's group is demonstrably off (Moonshot AI and
    Baidu's PaddlePaddle filed as 'user'; Lightricks is Israeli, Gensyn British, ds4sd is IBM,
    LM Studio a US company) and each such namespace must say so in its note.
    """
    top = _aiworld_top100()
    out = A.attribute_hub(top, view="uploader")
    theirs = top["country_group"].replace({"United States of America": "United States", "user": "Individual"})
    agree = out["uploader_group"].astype(str) == theirs
    rate = float(agree.mean())
    print(f"agreement with aiWorld country_group: {rate:.2f} over {len(top)} models")
    diff = out.loc[~agree, ["model_id", "uploader_org", "uploader_group"]].assign(aiworld=theirs[~agree])
    assert rate >= 0.85, f"agreement {rate:.2f}; disagreements:\n{diff.to_string()}"
    notes = pd.read_csv(paths.REFERENCE / "hf_namespaces.csv", keep_default_na=False).set_index("namespace")["note"]
    undocumented = sorted({ns for ns in diff["uploader_org"].astype(str) if "aiWorld" not in notes.get(ns, "")})
    assert not undocumented, f"disagreements with aiWorld not explained in hf_namespaces.csv notes: {undocumented}\n{diff.to_string()}"
    assert len(out) == len(top) and out["downloads"].sum() == top["downloads"].sum()
    lineage = A.attribute_hub(top, view="lineage")
    # derived_author gives the base lab directly: a Qwen quantization by bartowski is Qwen's
    row = lineage[lineage["model_id"] == "bartowski/DeepSeek-R1-Distill-Qwen-14B-GGUF"]
    assert row["base_lab"].astype(str).item() == "Qwen" and row["uploader_lab"].astype(str).item() == "Individual"
