"""One theme, one translation table, one export function for every figure of the collection.

Why: figures must look alike, carry their source credit, come in French (the article's
language, default) or English, and be byte-identical when nothing changed, so that a rerun
leaves ``git status`` clean. No notebook calls ``savefig`` itself: :func:`export` writes

- ``figures/<notebook>/<name>.svg`` and ``.png`` (fixed ``svg.hashsalt``, no dates/creator),
- the CSV behind the figure to ``data/processed/<csv>.csv`` (Economist-style),
- ``figures/<notebook>/<name>.json``: captions (fr, en), credit, CSV and notebook paths, for the site.

Translations live in ``translations.csv`` beside this module (key, fr, en); :func:`t` looks
a key up and fails loudly on a missing key so no label ships untranslated.
"""

from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from . import paths  # noqa: E402
from .snapshots import atomic_write_bytes  # noqa: E402

LANGS = ("fr", "en")
TRANSLATIONS = Path(__file__).with_name("translations.csv")
HASHSALT = "open-model-race"

# Colours live in modelrace.palette (one palette definition); these names stay for old callers.
from .palette import ARTICLE as ARTICLE_COLOR  # noqa: E402
from .palette import GROUPS as GROUP_COLORS  # noqa: E402
from .palette import REPORT as REPORT_COLOR  # noqa: E402


class TranslationError(KeyError):
    pass


# The order in which this kernel first exported each figure of a notebook: the card's ``order``,
# so the site shows a notebook's figures as the notebook draws them. Re-exporting a figure (a cell
# run again) keeps its number, so the card stays byte-identical.
_EXPORTED: dict[str, dict[str, int]] = {}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    return lang


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    with open(TRANSLATIONS, newline="", encoding="utf-8") as f:
        for lineno, row in enumerate(csv.DictReader(f), start=2):
            key = (row.get("key") or "").strip()
            if not key or not row.get("fr") or not row.get("en"):
                raise TranslationError(f"{TRANSLATIONS}: line {lineno}: key, fr and en are all required")
            if key in out:
                raise TranslationError(f"{TRANSLATIONS}: line {lineno}: duplicate key {key!r}")
            out[key] = {"fr": row["fr"], "en": row["en"]}
    return out


def t(key: str, lang: str = "fr", **fmt) -> str:
    """The label ``key`` in ``lang``, formatted with ``fmt``; a missing key is an error."""
    check_lang(lang)
    table = _table()
    if key not in table:
        raise TranslationError(f"no translation for {key!r}: add a row to {TRANSLATIONS}")
    text = table[key][lang]
    return text.format(**fmt) if fmt else text


def captions(key: str) -> dict[str, str]:
    """``{"caption_fr": ..., "caption_en": ...}`` of translation ``key``, to pass to :func:`export`."""
    return {"caption_fr": t(key, "fr"), "caption_en": t(key, "en")}


def has_key(key: str) -> bool:
    return key in _table()


def set_theme() -> None:
    """The collection's one theme; call once per notebook (``export`` calls it too)."""
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook", font="DejaVu Sans")
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": HASHSALT,
            "svg.fonttype": "path",
            "font.family": "DejaVu Sans",
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "figure.figsize": (10, 5.6),
            "axes.titleweight": "bold",
            "axes.titlesize": 13,
            "axes.titlelocation": "left",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "path.simplify": True,
        }
    )


def percent_axis(ax, axis: str = "y", decimals: int = 0, lang: str = "fr") -> None:
    """Tick labels of fractions as percentages in ``lang`` (:func:`modelrace.fmt.pct_formatter`)."""
    from .fmt import pct_formatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(pct_formatter(lang, decimals))


def add_credit(fig, credit: str) -> None:
    """Put the source credit on the figure itself, bottom left, so it travels with the image."""
    fig.text(0.01, -0.01, credit, ha="left", va="top", fontsize=7.5, color="#4d4d4d")


def _csv_bytes(data: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    data.to_csv(buf, index=False, lineterminator="\n", float_format="%.10g", date_format="%Y-%m-%d")
    return buf.getvalue().encode("utf-8")


def write_csv(data: pd.DataFrame, path: Path) -> Path:
    """Write a product CSV the collection's one way (``\n`` line ends, 10 significant digits),
    leaving the file untouched when its bytes would not change."""
    _write_if_changed(Path(path), _csv_bytes(data))
    return Path(path)


def _write_if_changed(path: Path, payload: bytes) -> None:
    """Skip the write when the bytes are already there, so unchanged files keep their mtimes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_bytes() == payload:
        return
    atomic_write_bytes(path, payload)


def export(
    fig,
    name: str,
    *,
    notebook: str,
    data: pd.DataFrame,
    csv_name: str,
    caption_fr: str,
    caption_en: str,
    credit: str,
    lang: str = "fr",
    output_root: str | Path | None = None,
    extra_data: dict[str, pd.DataFrame] | None = None,
) -> dict[str, str]:
    """Write the figure (SVG + PNG), the CSV behind it and its caption card; return their paths.

    ``extra_data`` (``{csv_name: frame}``): further tables drawn on the same figure (e.g. dated
    points over a series), written beside the main CSV and named in the card's ``extra_csv``, so
    the incremental build owns them like every other product.

    ``output_root`` defaults to the repository (``figures/`` and ``data/processed/``); variant
    runs pass ``build/variants/<name>`` so they never overwrite the committed products.
    ``data`` is written as is (sorted by the caller), floats with 10 significant digits.
    """
    check_lang(lang)
    if not credit:
        raise ValueError(f"{name}: every figure needs a source credit")
    root = Path(output_root) if output_root else paths.ROOT
    fig_dir = root / "figures" / notebook
    csv_path = root / "data" / "processed" / f"{csv_name}.csv"
    if not any(t.get_text() == credit for t in fig.texts):
        add_credit(fig, credit)
    matplotlib.rcParams["svg.hashsalt"] = HASHSALT
    written = {}
    for fmt, meta in (("svg", {"Date": None, "Creator": None}), ("png", {"Software": None})):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata=meta, bbox_inches="tight", facecolor="white")
        path = fig_dir / f"{name}.{fmt}"
        _write_if_changed(path, buf.getvalue())
        written[fmt] = path
    written["csv"] = write_csv(data, csv_path)
    extra = [write_csv(frame, root / "data" / "processed" / f"{extra_name}.csv") for extra_name, frame in (extra_data or {}).items()]
    seen = _EXPORTED.setdefault(notebook, {})
    seen.setdefault(name, len(seen) + 1)
    card = {
        "name": name,
        "order": seen[name],
        "notebook": notebook,
        "lang": lang,
        "caption": {"fr": caption_fr, "en": caption_en},
        "credit": credit,
        "svg": _rel(written["svg"], root),
        "png": _rel(written["png"], root),
        "csv": _rel(csv_path, root),
        "notebook_path": f"notebooks/{notebook}.ipynb",
    }
    if extra:
        card["extra_csv"] = [_rel(e, root) for e in extra]
    card_path = fig_dir / f"{name}.json"
    _write_if_changed(card_path, (json.dumps(card, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    written["card"] = card_path
    return {k: _rel(v, root) for k, v in written.items()}


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def show(fig) -> None:
    """Display inline as PNG (nbval skips PNG) and close, so no '<Figure size…>' text is stored."""
    from IPython.display import Image, display

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None}, bbox_inches="tight", facecolor="white", dpi=100)
    plt.close(fig)
    display(Image(data=buf.getvalue(), format="png"))
