"""The reference tables in data/reference/: they load, they agree with each other, they cover
every namespace and lab id the pinned data names, and every malformed table is refused with a
message naming file, row, field and fix."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from modelrace import attribution as A
from modelrace import paths, sources

REF = paths.REFERENCE
ARTICLE = paths.ROOT.parent / "shared" / "reference" / "article.md"


def _rows(name: str) -> list[dict]:
    with open(REF / name, newline="") as f:
        return list(csv.DictReader(f))


def _raw(source_id: str) -> Path:
    return sources.raw_path(source_id)


# ------------------------------------------------------------------ the real tables load


def test_real_tables_load_and_lab_names_are_consistent():
    labs = A.load_labs()
    A.load_namespaces(labs=labs)
    A.load_openrouter_models(labs=labs)
    A.load_aiworld_labs(labs=labs)
    A.load_events(labs=labs)
    # independent of the loaders: plain csv, every lab reference is a row of labs.csv
    known = {r["lab"] for r in _rows("labs.csv")}
    referenced = (
        {r["lab"] for r in _rows("hf_namespaces.csv")}
        | {r["lab"] for r in _rows("openrouter_models.csv")}
        | {r["base_lab"] for r in _rows("openrouter_models.csv")}
        | {r["lab"] for r in _rows("aiworld_labs.csv")}
        | {r["lab"] for r in _rows("events.csv") if r["lab"]}
    )
    assert referenced <= known, f"labs missing from labs.csv: {sorted(referenced - known)}"
    assert not known & set(A.RESERVED_LABS)
    groups = {r["group"] for r in _rows("labs.csv")}
    assert groups <= set(A.GROUPS)


def test_every_pinned_hub_namespace_is_covered():
    """Uploaders and base authors of every pinned Hub file, read with csv/json, not the loaders."""
    names: set[str] = set()
    for sid in ("aiworld_top100_2025", "aiworld_top100_2025_countries"):
        with open(_raw(sid), newline="") as f:
            for row in csv.DictReader(f):
                names |= {row["Name"].split("/")[0], row["parent1"], row["derived_author"]}
    names |= {r["parent2"] for r in json.loads(_raw("aiworld_top_likes_h1_2025").read_text())}
    with open(_raw("hub_seven_labs_2025_10"), newline="") as f:
        names |= {row["owner"] for row in csv.DictReader(f)}
    covered = {r["namespace"] for r in _rows("hf_namespaces.csv")}
    assert names <= covered, f"namespaces with downloads missing from hf_namespaces.csv: {sorted(names - covered)}"


def test_every_aiworld_lab_id_is_mapped():
    ids: set[str] = set()
    for sid in ("aiworld_orgs_2025", "aiworld_orgs_2026", "aiworld_org_weeks_2025", "aiworld_org_weeks_2026"):
        ids |= {r["id"] for r in json.loads(_raw(sid).read_text())}
    mapped = {r["aiworld_id"] for r in _rows("aiworld_labs.csv")}
    assert ids <= mapped, f"aiWorld lab ids missing from aiworld_labs.csv: {sorted(ids - mapped)}"
    assert A.aiworld_lab_map()["Meta Llama"] == "Meta"


def test_renamed_namespaces_map_to_one_lab():
    ns = {r["namespace"]: r for r in _rows("hf_namespaces.csv")}
    assert ns["THUDM"]["alias_of"] == "zai-org" and ns["THUDM"]["lab"] == ns["zai-org"]["lab"] == "Z.ai"
    assert ns["facebook"]["alias_of"] == "meta-llama" and ns["facebook"]["lab"] == ns["meta-llama"]["lab"] == "Meta"


def test_every_unattributed_openrouter_author_is_explained_in_the_readme():
    """An author with no prefix row must be named in README.md (stealth, or why it stays unknown)."""
    with open(_raw("openrouter_rankings_daily"), newline="") as f:
        authors = {row["model_permaslug"].split("/")[0] for row in csv.DictReader(f) if row["model_permaslug"] != "other"}
    prefixes = {r["pattern"] for r in _rows("openrouter_models.csv") if r["match"] == "prefix"}
    readme = (REF / "README.md").read_text()
    unexplained = sorted(a for a in authors - prefixes if f"`{a}`" not in readme and f"`{a}/" not in readme)
    assert not unexplained, f"authors without a prefix row and not explained in data/reference/README.md: {unexplained}"


def test_events_cover_the_article_timeline():
    events = A.load_events()
    assert events["date"].is_monotonic_increasing
    assert events["source_url"].str.startswith("https://").all()
    if not ARTICLE.is_file():
        pytest.skip(f"{ARTICLE} not present")
    section = ARTICLE.read_text().split("## Timeline events", 1)[1]
    wanted = set(re.findall(r"\b(20\d\d-\d\d-\d\d)\b", section))
    # "GLM-4.6 (09-30)": month-day in the year of the date just before it
    for year, month_day in re.findall(r"\b(20\d\d)-\d\d-\d\d\b[^·]*?\((\d\d-\d\d)\)", section):
        wanted.add(f"{year}-{month_day}")
    have = set(events["date"].dt.strftime("%Y-%m-%d"))
    assert len(wanted) >= 20, "the article's timeline section was not parsed"
    assert wanted <= have, f"article timeline dates without an event row: {sorted(wanted - have)}"
    v3 = events[events["label_short"] == "V3"]
    assert len(v3) == 1 and v3["date"].dt.strftime("%Y-%m-%d").item() == "2024-12-26"


# ------------------------------------------------------------------ malformed tables are refused

GOOD_LABS = (
    "lab,parent_company,country,group,open_weights_default,source_url,note\n"
    "DeepSeek,High-Flyer,China,China,open,https://en.wikipedia.org/wiki/DeepSeek,\n"
    "Meta,Meta Platforms,United States,United States,mixed,https://en.wikipedia.org/wiki/Meta_Platforms,\n"
    "Individual,,,Individual,open,https://huggingface.co/docs,\n"
)
GOOD_NS = (
    "namespace,lab,kind,alias_of,source_url,note\n"
    "deepseek-ai,DeepSeek,lab,,https://huggingface.co/deepseek-ai,\n"
    "meta-llama,Meta,lab,,https://huggingface.co/meta-llama,\n"
    "facebook,Meta,alias,meta-llama,https://huggingface.co/facebook,\n"
    "bartowski,Individual,individual,,https://huggingface.co/bartowski,\n"
)
GOOD_OR = (
    "match,pattern,lab,base_lab,open_weights,source_url,note\n"
    "prefix,deepseek,DeepSeek,DeepSeek,true,https://huggingface.co/deepseek-ai,\n"
    "slug,deepseek/deepseek-r1-distill-llama-70b,DeepSeek,Meta,true,https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-70B,\n"
)
GOOD_EV = (
    "date,event_fr,event_en,lab,kind,source_url,confirmed,label_short,note\n"
    "2025-01-20,DeepSeek publie R1,DeepSeek releases R1,DeepSeek,release,https://api-docs.deepseek.com/news/news250120,true,R1,\n"
)
GOOD_AW = "aiworld_id,lab,source_url\nDeepSeek,DeepSeek,https://huggingface.co/deepseek-ai\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


@pytest.fixture()
def labs(tmp_path):
    return A.load_labs(_write(tmp_path, "labs.csv", GOOD_LABS))


def test_small_good_tables_load(tmp_path, labs):
    assert len(A.load_namespaces(_write(tmp_path, "ns.csv", GOOD_NS), labs=labs)) == 4
    models = A.load_openrouter_models(_write(tmp_path, "or.csv", GOOD_OR), labs=labs)
    assert models["open_weights"].dtype == "boolean"
    assert A.load_events(_write(tmp_path, "ev.csv", GOOD_EV), labs=labs)["confirmed"].item() is True
    assert len(A.load_aiworld_labs(_write(tmp_path, "aw.csv", GOOD_AW), labs=labs)) == 1


def _replace_line(text: str, line_no: int, new: str) -> str:
    lines = text.splitlines()
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


LAB_CASES = [
    # (description, text, expected fragments)
    ("missing column", GOOD_LABS.replace(",note\n", "\n", 1), ["missing column", "note"]),
    ("renamed column", GOOD_LABS.replace("group,", "region,", 1), ["missing column", "'group'", "renamed to ['region']"]),
    ("empty lab", _replace_line(GOOD_LABS, 3, ",Meta Platforms,United States,United States,mixed,https://x.org/m,"), ["data row 2 (line 3)", "'lab'", "empty"]),
    ("bad group", _replace_line(GOOD_LABS, 2, "DeepSeek,High-Flyer,China,Asia,open,https://en.wikipedia.org/wiki/DeepSeek,"), ["data row 1 (line 2)", "'group'", "'Asia'", "use one of"]),
    ("duplicate lab", GOOD_LABS + "DeepSeek,X,China,China,open,https://x.org/d,\n", ["data row 4 (line 5)", "duplicate"]),
    ("http source", _replace_line(GOOD_LABS, 2, "DeepSeek,High-Flyer,China,China,open,http://en.wikipedia.org/wiki/DeepSeek,"), ["data row 1 (line 2)", "'source_url'", "https"]),
    ("no country", _replace_line(GOOD_LABS, 2, "DeepSeek,High-Flyer,,China,open,https://en.wikipedia.org/wiki/DeepSeek,"), ["'country'", "empty"]),
    ("reserved name", GOOD_LABS + "Unattributed,,Nowhere,China,,https://x.org/u,\n", ["'lab'", "category, not a lab"]),
    ("bad open default", _replace_line(GOOD_LABS, 2, "DeepSeek,High-Flyer,China,China,yes,https://en.wikipedia.org/wiki/DeepSeek,"), ["'open_weights_default'", "'yes'"]),
]


@pytest.mark.parametrize("desc,text,fragments", LAB_CASES, ids=[c[0] for c in LAB_CASES])
def test_bad_labs_table_is_refused(tmp_path, desc, text, fragments):
    path = _write(tmp_path, "labs.csv", text)
    with pytest.raises(A.ReferenceError) as err:
        A.load_labs(path)
    msg = str(err.value)
    assert str(path) in msg
    for frag in fragments:
        assert frag in msg, f"{desc}: {frag!r} not in {msg!r}"


NS_CASES = [
    ("lab not in labs", GOOD_NS + "Qwen,Qwen,lab,,https://huggingface.co/Qwen,\n", ["data row 5 (line 6)", "'lab'", "'Qwen'", "labs.csv"]),
    ("alias without target", _replace_line(GOOD_NS, 4, "facebook,Meta,alias,,https://huggingface.co/facebook,"), ["data row 3 (line 4)", "'alias_of'"]),
    ("alias to unknown", _replace_line(GOOD_NS, 4, "facebook,Meta,alias,meta,https://huggingface.co/facebook,"), ["'alias_of'", "'meta' is not a namespace"]),
    ("alias other lab", _replace_line(GOOD_NS, 4, "facebook,DeepSeek,alias,meta-llama,https://huggingface.co/facebook,"), ["data row 3 (line 4)", "same lab", "'Meta'"]),
    ("case clash", GOOD_NS + "DeepSeek-AI,DeepSeek,lab,,https://huggingface.co/DeepSeek-AI,\n", ["'namespace'", "only by case"]),
    ("bad kind", _replace_line(GOOD_NS, 2, "deepseek-ai,DeepSeek,company,,https://huggingface.co/deepseek-ai,"), ["'kind'", "'company'"]),
    ("individual not Individual", _replace_line(GOOD_NS, 5, "bartowski,Meta,individual,,https://huggingface.co/bartowski,"), ["data row 4 (line 5)", "'kind'"]),
    ("slash in namespace", GOOD_NS + "deepseek-ai/x,DeepSeek,lab,,https://huggingface.co/deepseek-ai,\n", ["'namespace'", "'/'"]),
    ("duplicate", GOOD_NS + "deepseek-ai,DeepSeek,lab,,https://huggingface.co/deepseek-ai,\n", ["duplicate", "data row 5 (line 6)"]),
]


@pytest.mark.parametrize("desc,text,fragments", NS_CASES, ids=[c[0] for c in NS_CASES])
def test_bad_namespace_table_is_refused(tmp_path, labs, desc, text, fragments):
    path = _write(tmp_path, "hf_namespaces.csv", text)
    with pytest.raises(A.ReferenceError) as err:
        A.load_namespaces(path, labs=labs)
    msg = str(err.value)
    assert str(path) in msg
    for frag in fragments:
        assert frag in msg, f"{desc}: {frag!r} not in {msg!r}"


OR_CASES = [
    ("base lab unknown", GOOD_OR.replace(",Meta,true", ",Qwen,true"), ["data row 2 (line 3)", "'base_lab'", "'Qwen'"]),
    ("variant slug", GOOD_OR + "slug,deepseek/deepseek-r1:free,DeepSeek,DeepSeek,true,https://openrouter.ai/deepseek/deepseek-r1,\n", ["'pattern'", "':variant'"]),
    ("prefix with slash", GOOD_OR + "prefix,meta/x,Meta,Meta,,https://openrouter.ai/meta,\n", ["'pattern'", "author prefix"]),
    ("stealth prefix", GOOD_OR + "prefix,openrouter,Meta,Meta,,https://openrouter.ai/openrouter,\n", ["'pattern'", "stealth"]),
    ("bad open_weights", GOOD_OR.replace(",DeepSeek,true,https://huggingface.co/deepseek-ai,", ",DeepSeek,yes,https://huggingface.co/deepseek-ai,"), ["'open_weights'", "'yes'"]),
    ("bad match", GOOD_OR.replace("prefix,deepseek", "author,deepseek"), ["'match'", "'author'"]),
    ("duplicate", GOOD_OR + "prefix,deepseek,DeepSeek,DeepSeek,true,https://huggingface.co/deepseek-ai,\n", ["duplicate", "data row 3 (line 4)"]),
    ("empty source", GOOD_OR.replace(",true,https://huggingface.co/deepseek-ai,", ",true,,"), ["data row 1 (line 2)", "'source_url'", "empty"]),
]


@pytest.mark.parametrize("desc,text,fragments", OR_CASES, ids=[c[0] for c in OR_CASES])
def test_bad_openrouter_table_is_refused(tmp_path, labs, desc, text, fragments):
    path = _write(tmp_path, "openrouter_models.csv", text)
    with pytest.raises(A.ReferenceError) as err:
        A.load_openrouter_models(path, labs=labs)
    msg = str(err.value)
    assert str(path) in msg
    for frag in fragments:
        assert frag in msg, f"{desc}: {frag!r} not in {msg!r}"


EV_CASES = [
    ("bad date", GOOD_EV.replace("2025-01-20", "20/01/2025"), ["data row 1 (line 2)", "'date'", "YYYY-MM-DD"]),
    ("bad kind", GOOD_EV.replace(",release,", ",launch,"), ["'kind'", "'launch'"]),
    ("bad confirmed", GOOD_EV.replace(",true,R1", ",yes,R1"), ["'confirmed'"]),
    ("unknown lab", GOOD_EV.replace(",DeepSeek,release", ",Qwen,release"), ["'lab'", "'Qwen'"]),
    ("long label", GOOD_EV.replace(",R1,", ",an annotation far too long for a chart,"), ["'label_short'", "20 characters"]),
]


@pytest.mark.parametrize("desc,text,fragments", EV_CASES, ids=[c[0] for c in EV_CASES])
def test_bad_events_table_is_refused(tmp_path, labs, desc, text, fragments):
    path = _write(tmp_path, "events.csv", text)
    with pytest.raises(A.ReferenceError) as err:
        A.load_events(path, labs=labs)
    for frag in [str(path)] + fragments:
        assert frag in str(err.value), f"{desc}: {frag!r} not in {err.value!r}"


def test_bad_aiworld_table_and_missing_file_are_refused(tmp_path, labs):
    path = _write(tmp_path, "aw.csv", GOOD_AW + "Qwen,Qwen,https://huggingface.co/Qwen\n")
    with pytest.raises(A.ReferenceError, match=r"data row 2 \(line 3\), field 'lab'"):
        A.load_aiworld_labs(path, labs=labs)
    with pytest.raises(A.ReferenceError, match="file not found"):
        A.load_labs(tmp_path / "nope.csv")
    with pytest.raises(A.ReferenceError, match="unexpected column"):
        A.load_aiworld_labs(_write(tmp_path, "aw2.csv", "aiworld_id,lab,source_url,extra\nDeepSeek,DeepSeek,https://x.org/d,1\n"), labs=labs)
