"""Model -> lab -> country attribution, from the hand-checked tables in ``data/reference/``.

Why: every token or download must land in exactly one category, traceably. The reference
tables say who made what (with a source URL per row); this module only joins them, so a
decision can be read, disputed and changed in a CSV, never hidden in code.

Tables (see ``data/reference/README.md`` for their columns and the decisions):
``labs.csv`` (one row per organisation), ``hf_namespaces.csv`` (Hugging Face namespace -> lab),
``openrouter_models.csv`` (OpenRouter author prefix or permaslug -> lab, base lab, open
weights), ``aiworld_labs.csv`` (aiWorld's lab ids -> our labs), ``events.csv`` (timeline).

Vectorized, one code path for 100 rows and 30 million: the distinct keys (permaslugs,
namespaces) are factorized once, attributed on the small table of uniques, and broadcast back
by integer codes, so the cost is O(n) for the factorization and the take plus O(u) for the u
distinct keys (u is a few hundred for OpenRouter, thousands to a million for Hub listings).
Hub lineage is at most ``max_hops`` rounds of integer look-ups over the rows still walking
(usually a small minority after the first hop); no Python loop runs over rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import paths
from .validate import InputError

GROUPS = ("China", "United States", "Europe", "Rest of the world", "Individual")
UNATTRIBUTED = "Unattributed"
OTHER = "Other (outside top 50)"
OTHER_SLUG = "other"
RESERVED_LABS = (UNATTRIBUTED, OTHER)
NAMESPACE_KINDS = ("lab", "alias", "community", "individual")
OPEN_WEIGHTS_DEFAULTS = ("open", "closed", "mixed")
EVENT_KINDS = ("release", "market", "business", "paper", "report", "listing")
STATUSES = ("attributed", "unattributed", "other")
# Authors whose slugs are stealth or router pseudo-models: never attributed by prefix.
STEALTH_AUTHORS = ("stealth", "openrouter")


class ReferenceError(InputError):
    """A reference table is malformed; the message names file, row (and line), field and fix."""


# ------------------------------------------------------------------------------- table reading


@dataclass(frozen=True)
class _Spec:
    file: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    key: tuple[str, ...]
    https: tuple[str, ...] = ("source_url",)


REFERENCE_SPECS = {
    "labs": _Spec(
        "labs.csv",
        ("lab", "parent_company", "country", "group", "open_weights_default", "source_url", "note"),
        ("lab", "group", "source_url"),
        ("lab",),
    ),
    "namespaces": _Spec(
        "hf_namespaces.csv",
        ("namespace", "lab", "kind", "alias_of", "source_url", "note"),
        ("namespace", "lab", "kind", "source_url"),
        ("namespace",),
    ),
    "openrouter": _Spec(
        "openrouter_models.csv",
        ("match", "pattern", "lab", "base_lab", "open_weights", "source_url", "note"),
        ("match", "pattern", "lab", "base_lab", "source_url"),
        ("match", "pattern"),
    ),
    "aiworld": _Spec("aiworld_labs.csv", ("aiworld_id", "lab", "source_url"), ("aiworld_id", "lab", "source_url"), ("aiworld_id",)),
    "events": _Spec(
        "events.csv",
        ("date", "event_fr", "event_en", "lab", "kind", "source_url", "confirmed", "label_short", "note"),
        ("date", "event_fr", "event_en", "kind", "source_url", "confirmed", "label_short"),
        ("date", "event_en"),
    ),
    "model_names": _Spec(
        "model_names.csv",
        ("platform", "model_id", "display_name", "source_url", "note"),
        ("platform", "model_id", "display_name", "source_url"),
        ("platform", "model_id"),
    ),
}


def _where(rows) -> str:
    """'data row 3 (line 4)' for 0-based frame indices; the header is line 1."""
    rows = [int(r) for r in rows]
    shown = ", ".join(f"data row {r + 1} (line {r + 2})" for r in rows[:5])
    return shown + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def _fail(path: Path, rows, field: str, problem: str, fix: str) -> None:
    raise ReferenceError(f"{path}: {_where(rows)}, field {field!r}: {problem}; {fix}")


def _read(kind: str, path: Path | None) -> tuple[pd.DataFrame, Path]:
    spec = REFERENCE_SPECS[kind]
    path = Path(path) if path is not None else paths.REFERENCE / spec.file
    if not path.is_file():
        raise ReferenceError(f"{path}: file not found; restore data/reference/{spec.file} from the repository")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReferenceError(f"{path}: not a well-formed CSV ({exc}); fix the quoting or restore the file") from None
    missing = [c for c in spec.columns if c not in df.columns]
    extra = [c for c in df.columns if c not in spec.columns]
    if missing:
        hint = f" (renamed to {extra}?)" if extra else ""
        raise ReferenceError(
            f"{path}: missing column(s) {missing}{hint}; the header must be {','.join(spec.columns)}"
        )
    if extra:
        raise ReferenceError(f"{path}: unexpected column(s) {extra}; the header must be {','.join(spec.columns)}")
    if df.empty:
        raise ReferenceError(f"{path}: no data rows; restore the file from the repository")
    df = df[list(spec.columns)].apply(lambda s: s.str.strip())
    for col in spec.required:
        empty = df.index[df[col] == ""]
        if len(empty):
            _fail(path, empty, col, "empty value", "fill it (every row needs it)")
    for col in spec.https:
        bad = df.index[(df[col] != "") & ~df[col].str.match(r"https://[^\s/]+\.[^\s]+$")]
        if len(bad):
            _fail(path, bad, col, f"not an https URL ({df.at[bad[0], col]!r})", "give the https:// address of the page that states it")
    dup = df.index[df.duplicated(list(spec.key), keep="first")]
    if len(dup):
        first = df.loc[dup[0], list(spec.key)].tolist()
        _fail(path, dup, "/".join(spec.key), f"duplicate key {first}", "keep one row per key (merge the two rows)")
    return df.reset_index(drop=True), path


def _check_in(df: pd.DataFrame, path: Path, col: str, allowed, *, allow_empty: bool = False, what: str = "") -> None:
    allowed = set(allowed)
    ok = df[col].isin(allowed) | ((df[col] == "") if allow_empty else False)
    bad = df.index[~ok]
    if len(bad):
        value = df.at[bad[0], col]
        fix = f"add {value!r} to {what} first, or fix the spelling" if what else f"use one of {sorted(allowed)}"
        _fail(path, bad, col, f"unknown value {df.at[bad[0], col]!r}", fix)


def _labs_or_load(labs: pd.DataFrame | None) -> pd.DataFrame:
    return load_labs() if labs is None else labs


# ------------------------------------------------------------------------------------ loaders


def load_labs(path: Path | None = None) -> pd.DataFrame:
    """One row per lab: ``lab, parent_company, country, group, open_weights_default, source_url, note``."""
    df, path = _read("labs", path)
    _check_in(df, path, "group", GROUPS)
    _check_in(df, path, "open_weights_default", OPEN_WEIGHTS_DEFAULTS, allow_empty=True)
    reserved = df.index[df["lab"].isin(RESERVED_LABS)]
    if len(reserved):
        _fail(path, reserved, "lab", f"{df.at[reserved[0], 'lab']!r} is a category, not a lab", "remove the row")
    no_country = df.index[(df["country"] == "") & (df["group"] != "Individual")]
    if len(no_country):
        _fail(path, no_country, "country", "empty value", "fill it (only the Individual pseudo-lab may have no country)")
    return df


def load_namespaces(path: Path | None = None, *, labs: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per Hugging Face namespace: ``namespace, lab, kind, alias_of, source_url, note``.

    Checks: lab in labs.csv; kind in :data:`NAMESPACE_KINDS`; an ``alias`` row names an existing
    namespace in ``alias_of`` with the same lab (so both spellings land on one lab); an
    ``individual`` row maps to the Individual pseudo-lab; no two namespaces differ only by case
    (the case-insensitive fallback of :func:`attribute_hub` must be unambiguous).
    """
    labs = _labs_or_load(labs)
    df, path = _read("namespaces", path)
    _check_in(df, path, "lab", labs["lab"], what="labs.csv")
    _check_in(df, path, "kind", NAMESPACE_KINDS)
    bad = df.index[df["namespace"].str.contains(r"[/\s]")]
    if len(bad):
        _fail(path, bad, "namespace", "a namespace has no '/' or spaces", "give only the owner part of the repo id")
    folded = df["namespace"].str.lower()
    clash = df.index[folded.duplicated(keep="first")]
    if len(clash):
        _fail(path, clash, "namespace", f"{df.at[clash[0], 'namespace']!r} differs from another row only by case", "keep the Hub's exact spelling once")
    is_alias = df["kind"] == "alias"
    bad = df.index[is_alias & (df["alias_of"] == "")]
    if len(bad):
        _fail(path, bad, "alias_of", "an alias row must name the namespace it stands for", "fill alias_of")
    bad = df.index[~is_alias & (df["alias_of"] != "")]
    if len(bad):
        _fail(path, bad, "alias_of", "only kind=alias rows take alias_of", "set kind to alias or empty alias_of")
    lab_of = dict(zip(df["namespace"], df["lab"]))
    target_lab = df["alias_of"].map(lab_of)
    bad = df.index[is_alias & target_lab.isna()]
    if len(bad):
        _fail(path, bad, "alias_of", f"{df.at[bad[0], 'alias_of']!r} is not a namespace of this table", "add that namespace's row first")
    bad = df.index[is_alias & target_lab.notna() & (target_lab != df["lab"])]
    if len(bad):
        _fail(path, bad, "lab", "an alias must map to the same lab as the namespace it stands for", f"use lab {target_lab[bad[0]]!r}")
    group = df["lab"].map(dict(zip(labs["lab"], labs["group"])))
    bad = df.index[(df["kind"] == "individual") != (group == "Individual")]
    if len(bad):
        _fail(path, bad, "kind", "kind=individual and lab 'Individual' go together", "make them agree")
    return df


def load_openrouter_models(path: Path | None = None, *, labs: pd.DataFrame | None = None) -> pd.DataFrame:
    """OpenRouter attribution rules: ``match`` (prefix|slug), ``pattern``, ``lab``, ``base_lab``,
    ``open_weights`` (boolean, NA = not established), ``source_url``, ``note``."""
    labs = _labs_or_load(labs)
    df, path = _read("openrouter", path)
    _check_in(df, path, "match", ("prefix", "slug"))
    _check_in(df, path, "lab", labs["lab"], what="labs.csv")
    _check_in(df, path, "base_lab", labs["lab"], what="labs.csv")
    _check_in(df, path, "open_weights", ("true", "false"), allow_empty=True)
    prefix = df["match"] == "prefix"
    bad = df.index[prefix & ~df["pattern"].str.fullmatch(r"[a-z0-9][a-z0-9._-]*")]
    if len(bad):
        _fail(path, bad, "pattern", f"{df.at[bad[0], 'pattern']!r} is not an author prefix", "give the part before '/' in lower case")
    bad = df.index[~prefix & ~df["pattern"].str.fullmatch(r"[a-z0-9][a-z0-9._-]*/[A-Za-z0-9._-]+")]
    if len(bad):
        _fail(path, bad, "pattern", f"{df.at[bad[0], 'pattern']!r} is not a base permaslug", "give author/model without a ':variant' suffix (variants take their base slug's row)")
    bad = df.index[prefix & df["pattern"].isin(STEALTH_AUTHORS + (OTHER_SLUG,))]
    if len(bad):
        _fail(path, bad, "pattern", "stealth and 'other' rows are never attributed by prefix", "remove the row (revealed stealth models get slug rows)")
    df["open_weights"] = df["open_weights"].map({"true": True, "false": False}).astype("boolean")
    return df


def load_aiworld_labs(path: Path | None = None, *, labs: pd.DataFrame | None = None) -> pd.DataFrame:
    """aiWorld's lab ids (``orgs*.json``/``org_weeks``) -> our labs: ``aiworld_id, lab, source_url``."""
    labs = _labs_or_load(labs)
    df, path = _read("aiworld", path)
    _check_in(df, path, "lab", labs["lab"], what="labs.csv")
    return df


def load_events(path: Path | None = None, *, labs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Timeline events: ``date`` (datetime64), ``event_fr, event_en, lab, kind, source_url,
    confirmed`` (bool), ``label_short``, ``note``; sorted by date."""
    labs = _labs_or_load(labs)
    df, path = _read("events", path)
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    bad = df.index[dates.isna()]
    if len(bad):
        _fail(path, bad, "date", f"{df.at[bad[0], 'date']!r} is not YYYY-MM-DD", "write the date as ISO 8601")
    _check_in(df, path, "lab", labs["lab"], allow_empty=True, what="labs.csv")
    _check_in(df, path, "kind", EVENT_KINDS)
    _check_in(df, path, "confirmed", ("true", "false"))
    bad = df.index[df["label_short"].str.len() > 20]
    if len(bad):
        _fail(path, bad, "label_short", "longer than 20 characters", "shorten it (it is a chart annotation)")
    df["date"] = dates
    df["confirmed"] = df["confirmed"] == "true"
    df["lab"] = df["lab"].replace("", pd.NA).astype("string")
    return df.sort_values(["date", "event_en"], kind="mergesort").reset_index(drop=True)


MODEL_NAME_PLATFORMS = ("openrouter", "hub")


def load_model_names(path: Path | None = None) -> pd.DataFrame:
    """Readable model names for charts: ``platform`` (openrouter|hub), ``model_id`` (an OpenRouter
    permaslug without its ``:variant``, or a Hub repo id), ``display_name``, ``source_url``, ``note``."""
    df, path = _read("model_names", path)
    _check_in(df, path, "platform", MODEL_NAME_PLATFORMS)
    bad = df.index[(df["platform"] == "openrouter") & df["model_id"].str.contains(":", regex=False)]
    if len(bad):
        _fail(path, bad, "model_id", "carries a ':variant' suffix", "name the base permaslug; the variant is added when drawn")
    bad = df.index[df["display_name"].str.len() > 40]
    if len(bad):
        _fail(path, bad, "display_name", "longer than 40 characters", "shorten it (it labels a bar)")
    return df


# ------------------------------------------------------------------------------- OpenRouter

_OR_OUTPUT = ("author", "lab", "parent_company", "country", "group", "base_lab", "open_weights", "status", "rule")


def base_slug(slugs: pd.Series) -> pd.Series:
    """Drop a serving-variant suffix (``:free``, ``:beta``, ``:thinking``...): it takes its base's row."""
    return slugs.str.replace(r":[^/:]+$", "", regex=True)


def _attribute_slugs(uniques: pd.Series, models: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """Attribute the distinct permaslugs (a small table): slug rows first, then prefix rows."""
    base = base_slug(uniques)
    author = base.str.split("/", n=1).str[0]
    rules = models.set_index(["match", "pattern"])
    by_slug = rules.xs("slug", level="match") if "slug" in rules.index.get_level_values(0) else rules.iloc[:0].droplevel(0)
    by_prefix = rules.xs("prefix", level="match") if "prefix" in rules.index.get_level_values(0) else rules.iloc[:0].droplevel(0)
    out = pd.DataFrame({"author": author})
    slug_hit = base.isin(by_slug.index)
    prefix_hit = ~slug_hit & author.isin(by_prefix.index)
    for col in ("lab", "base_lab", "open_weights"):
        values = pd.Series(pd.NA, index=uniques.index, dtype="boolean" if col == "open_weights" else "object")
        values[slug_hit] = by_slug[col].reindex(base[slug_hit]).to_numpy()
        values[prefix_hit] = by_prefix[col].reindex(author[prefix_hit]).to_numpy()
        out[col] = values
    is_other = uniques == OTHER_SLUG
    out["rule"] = np.select([slug_hit, prefix_hit], ["slug", "prefix"], "none")
    out["status"] = np.select([is_other, slug_hit | prefix_hit], ["other", "attributed"], "unattributed")
    out.loc[is_other, "author"] = OTHER_SLUG
    facts = labs.set_index("lab")[["parent_company", "country", "group"]].replace("", pd.NA)
    out = out.join(facts, on="lab")
    for label, mask in ((OTHER, is_other), (UNATTRIBUTED, out["status"] == "unattributed")):
        out.loc[mask, ["lab", "base_lab", "group"]] = label
        out.loc[mask, "open_weights"] = pd.NA
    return out


def attribute_openrouter(
    df: pd.DataFrame, *, models: pd.DataFrame | None = None, labs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Add ``author, lab, parent_company, country, group, base_lab, open_weights, status, rule``.

    Input: ``date, model_permaslug, total_tokens`` (other columns are kept). A ``slug`` row
    beats a ``prefix`` row; a serving variant (``:free``) takes its base slug's row; the
    ``other`` row gets lab/group "Other (outside top 50)" and status "other"; a slug no rule
    names keeps lab/group "Unattributed" and status "unattributed". Rows are never dropped or
    reordered. Cost: one factorization of the slugs (O(n)) and joins on the distinct slugs.
    """
    missing = [c for c in ("date", "model_permaslug", "total_tokens") if c not in df.columns]
    if missing:
        raise InputError(f"attribute_openrouter: input lacks column(s) {missing}; pass the frame from modelrace.load.openrouter_rankings()")
    labs = _labs_or_load(labs)
    models = load_openrouter_models(labs=labs) if models is None else models
    slugs = df["model_permaslug"]
    if slugs.isna().any():
        rows = np.flatnonzero(slugs.isna().to_numpy())
        raise InputError(f"attribute_openrouter: empty model_permaslug at row(s) {rows[:5].tolist()}; fix the input (rows are never dropped)")
    codes, uniques = pd.factorize(slugs.astype("string"), sort=True)
    table = _attribute_slugs(pd.Series(uniques, dtype="object"), models, labs)
    out = df.copy()
    for col in _OR_OUTPUT:
        values = table[col]
        if col == "open_weights":
            out[col] = pd.array(values.to_numpy()[codes], dtype="boolean")
        else:
            cats = pd.Categorical(values.astype("object").where(values.notna(), None))
            out[col] = pd.Categorical.from_codes(cats.codes[codes], categories=cats.categories)
    return out


# ------------------------------------------------------------------------------ Hugging Face


def _namespace_lookup(names: pd.Series, namespaces: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """For distinct namespaces: canonical namespace (alias resolved), lab, group, how matched.

    Exact, case-sensitive match first (the Hub's spelling); failing that, a case-insensitive
    match (aiWorld and older tags sometimes lower-case org names; the table forbids two
    namespaces differing only by case, so the fallback is unambiguous); else Unattributed.
    """
    ns = namespaces.set_index("namespace")
    canonical = ns["alias_of"].where(ns["alias_of"] != "", ns.index.to_series())
    folded = pd.Series(ns.index, index=ns.index.str.lower())
    names = names.astype(object)
    exact = names.isin(ns.index).to_numpy()
    lower = pd.Series(pc.utf8_lower(pa.array(names.to_numpy(), type=pa.string())).to_numpy(zero_copy_only=False), index=names.index)
    insensitive = ~exact & lower.isin(folded.index).to_numpy()
    found = exact | insensitive
    # only the (few) matched names go through the maps; the long tail is Unattributed as is
    key = names[exact].tolist() + lower[insensitive].map(folded).tolist()
    where = np.concatenate([np.flatnonzero(exact), np.flatnonzero(insensitive)])
    org = names.to_numpy(copy=True)
    lab = np.full(len(names), UNATTRIBUTED, dtype=object)
    group = np.full(len(names), UNATTRIBUTED, dtype=object)
    group_of = dict(zip(labs["lab"], labs["group"]))
    if len(where):
        key = pd.Series(key, index=where)
        org[where] = key.map(canonical).to_numpy()
        lab[where] = key.map(ns["lab"]).to_numpy()
        group[where] = pd.Series(lab[where]).map(group_of).fillna(UNATTRIBUTED).to_numpy()
    return pd.DataFrame(
        {"org": org, "lab": lab, "group": group, "match": np.select([exact, found], ["exact", "case-insensitive"], "none")},
        index=names.index,
    )


def _namespace_of(ids: pa.Array) -> pa.Array:
    """'owner/name' -> 'owner' (the whole id when it has no '/')."""
    return pc.list_element(pc.split_pattern(ids, "/", max_splits=1), 0)


def _first_bases(col: pd.Series) -> pa.Array | pa.ChunkedArray:
    """First listed base model of each row (null when none): merges follow their first base."""
    if isinstance(col.dtype, pd.ArrowDtype):
        arr = col.array.__arrow_array__()
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    else:
        chunks = [pa.array(col.to_numpy(dtype=object), type=pa.list_(pa.string()), from_pandas=True)]
    firsts = [_first_of_lists(c) for c in chunks]
    return firsts[0] if len(firsts) == 1 else pa.chunked_array(firsts, type=firsts[0].type)


def _first_of_lists(arr: pa.Array) -> pa.Array:
    if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)) or not _is_text(arr.type.value_type):
        arr = arr.cast(pa.list_(pa.string()))
    lengths = pc.fill_null(pc.list_value_length(arr), 0).to_numpy(zero_copy_only=False)
    has = lengths > 0
    if not has.any():
        return pa.nulls(len(arr), arr.type.value_type)
    starts = arr.offsets.to_numpy()[:-1].astype(np.int64)  # absolute into values, even for a slice
    return arr.values.take(pa.array(np.where(has, starts, 0), mask=~has))


def _dictionary(arr) -> tuple[np.ndarray, pa.Array]:
    """(codes per row, -1 for null; distinct values) of an Array or ChunkedArray, one hash pass.

    On a ChunkedArray the kernel grows one dictionary across chunks: the last chunk's holds all.
    """
    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        if enc.num_chunks == 0:
            return np.zeros(0, dtype=np.int64), pa.array([], type=arr.type)
        dictionary = enc.chunks[-1].dictionary
        indices = pa.chunked_array([c.indices for c in enc.chunks])
    else:
        dictionary, indices = enc.dictionary, enc.indices
    return pc.fill_null(indices, -1).to_numpy().astype(np.int64), dictionary


_STOPS = ("root", "resolved", "outside_listing", "max_hops", "cycle", "derived_author")


def _positions_in(values: pa.Array, keys: pa.Array) -> np.ndarray:
    """Position of each value among ``keys`` (unique model ids); -1 for null or absent.

    Hashes the distinct values (bases are far fewer than rows) and probes the keys against
    them, instead of hashing every key: 3-4x faster than ``index_in(values, value_set=keys)``.
    """
    if values.type != keys.type:
        values = values.cast(keys.type)
    codes, distinct = _dictionary(values)
    if len(distinct) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    pos_of_distinct = np.full(len(distinct), -1, dtype=np.int64)
    hit = pc.fill_null(pc.index_in(keys, value_set=distinct), -1).to_numpy().astype(np.int64)
    rows = np.flatnonzero(hit >= 0)
    pos_of_distinct[hit[rows]] = rows
    return np.where(codes >= 0, pos_of_distinct[np.maximum(codes, 0)], -1)


def _walk_lineage(model_ids: pa.Array, first_base: pa.Array, max_hops: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Follow first bases within the listing; return (end position, ended outside, hops, stop code).

    The walk stops at a model with no base (``root`` if 0 hops, else ``resolved``), at a base not
    in the listing (``outside_listing``: the base's namespace decides), at ``max_hops``
    (``max_hops``: the model reached decides), or when the next base was already visited on this
    walk (``cycle``: the model where the cycle is detected decides). Each round is a handful of
    integer array operations over the rows still walking, so the cost is O(n) per hop at worst.
    """
    n = len(model_ids)
    base_pos = _positions_in(first_base, model_ids)
    has_base = pc.is_valid(first_base).to_numpy(zero_copy_only=False)
    end_pos = np.arange(n, dtype=np.int64)
    outside_end = np.zeros(n, dtype=bool)
    hops = np.zeros(n, dtype=np.int16)
    stop = np.zeros(n, dtype=np.int8)  # index into _STOPS
    active = np.flatnonzero(has_base)
    visited = [active.copy()]  # positions each walking row has visited, one array per hop
    for _ in range(max_hops):
        if active.size == 0:
            break
        cur = end_pos[active]
        nxt = base_pos[cur]
        outside = nxt < 0
        cyc = np.zeros(active.size, dtype=bool)
        for seen in visited:
            cyc |= seen == nxt
        cyc &= ~outside
        out_rows = active[outside]
        outside_end[out_rows] = True  # end_pos stays on the model whose base is outside
        hops[out_rows] += 1
        stop[out_rows] = _STOPS.index("outside_listing")
        stop[active[cyc]] = _STOPS.index("cycle")
        move = ~outside & ~cyc
        moved = active[move]
        end_pos[moved] = nxt[move]
        hops[moved] += 1
        stop[moved] = _STOPS.index("resolved")
        keep = move.copy()
        keep[move] = has_base[nxt[move]]
        visited = [v[keep] for v in visited] + [nxt[keep]]
        active = active[keep]
    stop[active] = _STOPS.index("max_hops")
    return end_pos, outside_end, hops, stop


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def _arrow_strings(col: pd.Series) -> pa.Array:
    if isinstance(col.dtype, pd.ArrowDtype) or str(col.dtype).startswith("string"):
        try:
            arr = col.array.__arrow_array__()  # chunked stays chunked: every kernel below takes it
            return arr if _is_text(arr.type) else arr.cast(pa.string())
        except (AttributeError, TypeError):
            pass
    return pa.array(col.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _encode(names) -> tuple[np.ndarray, list]:
    """Dictionary-encode strings: (int codes per row, distinct values); null becomes ''."""
    codes, distinct = _dictionary(pc.fill_null(names, ""))
    return codes, distinct.to_pylist()


def attribute_hub(
    df: pd.DataFrame,
    *,
    view: str = "uploader",
    max_hops: int = 8,
    namespaces: pd.DataFrame | None = None,
    labs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Attribute Hub models to labs by uploader and by lineage; add ``lab``/``group`` for ``view``.

    Input: ``model_id`` plus either ``base_models`` (lists of repo ids, the Hub listing schema of
    :mod:`modelrace.hub`) or aiWorld's ``uploader_org`` and ``derived_author`` columns
    (``modelrace.load.aiworld_top100``). Output adds ``uploader_org`` (alias resolved),
    ``uploader_lab``, ``uploader_group``, ``base_org``, ``base_lab``, ``lineage_group``,
    ``lineage_hops``, ``lineage_stop`` and ``lab``/``group`` = the uploader or the lineage pair.

    Lineage follows the *first* listed base (a merge's first parent) through the listing, up
    to ``max_hops``; a base outside the listing is attributed by its namespace; a cycle stops
    at the model where it is detected. aiWorld frames carry the base lab directly in
    ``derived_author`` (hops = 0 when it is the uploader itself, else 1). Unknown namespaces
    give "Unattributed"; rows are never dropped or reordered.
    """
    if view not in ("uploader", "lineage"):
        raise ValueError(f"view must be 'uploader' or 'lineage', not {view!r}")
    if isinstance(max_hops, bool) or not isinstance(max_hops, (int, np.integer)) or max_hops < 1:
        raise ValueError(f"max_hops must be a positive integer, not {max_hops!r}")
    if "model_id" not in df.columns:
        raise InputError("attribute_hub: input lacks column 'model_id'; pass a Hub listing or modelrace.load.aiworld_top100()")
    ids = _arrow_strings(df["model_id"])
    ok = pc.fill_null(pc.match_substring(ids, "/"), False).to_numpy(zero_copy_only=False)
    if not ok.all():
        bad = np.flatnonzero(~ok)
        raise InputError(f"attribute_hub: model_id at row(s) {bad[:5].tolist()} is not 'owner/name'; fix the input (rows are never dropped)")
    labs = _labs_or_load(labs)
    namespaces = load_namespaces(labs=labs) if namespaces is None else namespaces
    n = len(df)
    own_codes, own_uniques = _encode(_namespace_of(ids))
    aiworld = "uploader_org" in df.columns and "derived_author" in df.columns
    if aiworld:
        uploader_ns = _arrow_strings(df["uploader_org"])
        base_ns = _arrow_strings(df["derived_author"])
        same = pc.fill_null(pc.equal(base_ns, uploader_ns), False).to_numpy(zero_copy_only=False)
        hops = np.where(same, 0, 1).astype(np.int16)
        stop = np.where(same, _STOPS.index("root"), _STOPS.index("derived_author")).astype(np.int8)
        uploader = _encode(uploader_ns)
        base = _encode(base_ns)
    elif "base_models" in df.columns:
        uploader = (own_codes, own_uniques)
        first = _first_bases(df["base_models"])
        end_pos, outside, hops, stop = _walk_lineage(ids, first, int(max_hops))
        base_codes = own_codes[end_pos]
        rows_out = np.flatnonzero(outside)
        if rows_out.size:  # walks that left the listing: namespace of the base id reached
            out_codes, out_uniques = _encode(_namespace_of(first.take(pa.array(end_pos[rows_out]))))
            base_codes[rows_out] = out_codes + len(own_uniques)
            base = (base_codes, own_uniques + out_uniques)
        else:
            base = (base_codes, own_uniques)
    else:
        uploader = base = (own_codes, own_uniques)
        hops, stop = np.zeros(n, dtype=np.int16), np.zeros(n, dtype=np.int8)

    out = df.copy(deep=False)
    # one look-up of the distinct namespaces serves both columns: a listing's base codes already
    # index the uploaders' namespaces followed by those of bases outside the listing
    (up_codes, up_uniques), (base_codes, base_uniques) = uploader, base
    if base_uniques[: len(up_uniques)] != up_uniques:
        base_codes, base_uniques = base_codes + len(up_uniques), up_uniques + base_uniques
    table = _namespace_lookup(pd.Series(base_uniques, dtype="object"), namespaces, labs)
    for col, up_name, base_name in (("org", "uploader_org", "base_org"), ("lab", "uploader_lab", "base_lab"),
                                    ("group", "uploader_group", "lineage_group")):
        cats = pd.Categorical(table[col].to_numpy(dtype=object))
        out[up_name] = pd.Categorical.from_codes(cats.codes[up_codes], categories=cats.categories)
        out[base_name] = pd.Categorical.from_codes(cats.codes[base_codes], categories=cats.categories)
    out["lineage_hops"] = hops
    out["lineage_stop"] = pd.Categorical.from_codes(stop, categories=list(_STOPS))
    pick = ("uploader_lab", "uploader_group") if view == "uploader" else ("base_lab", "lineage_group")
    out["lab"], out["group"] = out[pick[0]], out[pick[1]]
    return out


def aiworld_lab_map(*, labs: pd.DataFrame | None = None) -> dict[str, str]:
    """{aiWorld lab id: our lab}, for joining aiWorld's weekly series to labs.csv."""
    table = load_aiworld_labs(labs=labs)
    return dict(zip(table["aiworld_id"], table["lab"]))


def namespaces_in(*frames_and_columns: tuple[pd.DataFrame, str]) -> set[str]:
    """The set of namespaces named in the given (frame, column) pairs ('owner/name' -> 'owner')."""
    out: set[str] = set()
    for frame, col in frames_and_columns:
        values = frame[col].dropna().astype(str)
        out |= set(values.str.split("/", n=1).str[0])
    return out


__all__ = [
    "GROUPS", "OTHER", "UNATTRIBUTED", "STATUSES", "ReferenceError",
    "load_labs", "load_namespaces", "load_openrouter_models", "load_aiworld_labs", "load_events",
    "attribute_openrouter", "attribute_hub", "aiworld_lab_map", "namespaces_in",
]

