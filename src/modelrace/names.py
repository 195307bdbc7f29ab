"""Readable model names for charts, from ``data/reference/model_names.csv``; ids stay in the CSVs.

Why: ``deepseek/deepseek-chat-v3-0324`` is an address, "DeepSeek V3 0324" is what a reader knows.

Decisions:
- OpenRouter: every permaslug a chart draws needs a row (keyed by the permaslug without its
  ``:variant``); the serving variant is added in the chart's language ("(gratuit)" / "(free)").
  On the pinned data (``strict=True``, :func:`strict_for` ``"pinned"``) a slug without a row is an
  error naming the slug and the fix, never a guessed name: ``tests/test_names.py`` keeps the table
  complete for every window the pinned data can rank.
- On a live snapshot (anything but ``"pinned"``: ``strict=False``) a new model may enter a chart
  before anyone wrote its row. A guessed name would be invented; the slug itself is the truth, so
  the chart shows the id (its ``:variant`` translated like any other) and the run goes on.
  Nothing is silent: notebook 01 prints one line (:func:`missing_line`) naming the slugs and the
  file to edit, and ``make refresh`` lists them in ``changes.md`` / ``changes.fr.md`` and writes
  a ready-to-edit stub ``build/refresh/<date>/model_names_missing.csv``
  (:func:`modelrace.changes.model_name_gaps`).
- Hugging Face: a repo id ``owner/name`` is the model's public, unambiguous name, so it is shown
  as is unless the table has a row: rows exist for ids that say nothing of the model
  (``unslothai/1``) or read badly. ``tests/test_names.py`` checks that no pinned top-100 id whose
  name lacks a word of three letters goes without a row.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from . import attribution
from .plotting import t
from .validate import InputError

VARIANTS = ("free", "beta", "thinking", "extended", "nitro", "floor", "exacto")


@lru_cache(maxsize=1)
def _table() -> dict[tuple[str, str], str]:
    df = attribution.load_model_names()
    return {(p, m): d for p, m, d in zip(df["platform"], df["model_id"], df["display_name"])}


TABLE = "data/reference/model_names.csv"


def strict_for(snapshot: str) -> bool:
    """Names are strict on the pinned data and lenient on a live snapshot (see the module docstring)."""
    return str(snapshot) == "pinned"


def openrouter(slug: str, lang: str, *, strict: bool = True) -> str:
    """The display name of an OpenRouter permaslug, its ``:variant`` translated.

    A slug without a row raises when ``strict``, else is shown as its base id.
    """
    base, _, variant = str(slug).partition(":")
    name = _table().get(("openrouter", base))
    if name is None:
        if strict:
            raise InputError(f"no display name for OpenRouter model {base!r}: add a row "
                             f"'openrouter,{base},<name>,<source_url>,' to {TABLE}")
        name = base
    if not variant:
        return name
    if variant not in VARIANTS:
        raise InputError(f"OpenRouter slug {slug!r}: unknown variant {variant!r}; add it to names.VARIANTS "
                         "and a 'variant_<name>' row to src/modelrace/translations.csv")
    return f"{name} ({t('variant_' + variant, lang)})"


def hub(model_id: str) -> str:
    """The display name of a Hub repo: the table's, else the id itself (see the module docstring)."""
    return _table().get(("hub", str(model_id)), str(model_id))


def unreadable_hub_id(model_id: str) -> bool:
    """A Hub id whose repo name holds no word of three letters (``unslothai/1``): it needs a row."""
    name = str(model_id).split("/", 1)[-1]
    return re.search(r"[A-Za-z]{3}", name) is None


def missing_openrouter(slugs) -> list[str]:
    """The base slugs (no ``:variant``) among ``slugs`` that have no row, sorted, each once."""
    table = _table()
    return sorted({b for b in (str(s).partition(":")[0] for s in slugs) if ("openrouter", b) not in table})


def missing_line(missing: list[str]) -> str:
    """The one line a notebook prints when a live run draws slugs without a readable name."""
    return (f"no readable name for {len(missing)} OpenRouter model(s), shown as their id: {', '.join(missing)}; "
            f"add rows to {TABLE} (a refresh writes them as a stub: model_names_missing.csv)")


def display_names(ids: pd.Series, platform: str, lang: str, *, strict: bool = True) -> pd.Series:
    if platform == "openrouter":
        return ids.map(lambda s: openrouter(s, lang, strict=strict))
    if platform == "hub":
        return ids.map(hub)
    raise ValueError(f"platform must be 'openrouter' or 'hub', not {platform!r}")
