"""An independent check of the Data-API pull: the rankings page's weekly leaderboard against it.

Why: every OpenRouter number of the collection comes from one pull of the Data API
(``openrouter_rankings_daily``). The rankings page's leaderboard, archived once a month
(:func:`modelrace.load.openrouter_leaderboard_weeks`), reached the same counts by another path.
For each captured week this module compares the page's weekly total with the API's sum over
the seven days ending on the week's named last day, and the page's top 15 models (variants
merged) with the API's per-model sums (:func:`compare`). Where the totals differ by more than
:data:`TOLERANCE`, :func:`explain` computes reasons instead of guessing:

- the API misses days of the window;
- a small capture (fewer models than any capture that agrees);
- a window that is not the seven days the capture names: every window of 5 to 14 days ending
  within ±4 days is tried, and the one where most models agree is reported;
- a counting difference: the page's per-model tokens differ from the API's by provider
  (e.g. one provider's models all ~18 % lower), which no window shift can produce.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .validate import InputError

TOLERANCE = 0.01  # "agree": within 1 %
AGREE_SHARE = 2 / 3  # a capture "agrees model by model" when >= 2/3 of its models are within 1 %
SHIFTS = range(-4, 5)  # days the window's end may move
LENGTHS = range(5, 15)  # window lengths tried, days
PROVIDER_SPREAD = 0.05  # per-provider median ratios this far apart = a counting difference
PRODUCT_COLUMNS = ("month", "week_start", "week_end", "page_total", "api_total", "ratio", "models_compared", "models_within_1pct")


def _base(slugs: pd.Series) -> pd.Series:
    """The page merges serving variants (``:free``, ``:beta``...) into one row per model."""
    return slugs.astype(str).str.replace(r":[^/:]+$", "", regex=True)


def api_by_model_day(rankings: pd.DataFrame) -> pd.DataFrame:
    """Data-API tokens per day (rows) and base model (columns); the ``other`` row kept as a column."""
    df = rankings.assign(model=_base(rankings["model_permaslug"]), date=pd.to_datetime(rankings["date"]))
    return df.pivot_table(index="date", columns="model", values="total_tokens", aggfunc="sum", fill_value=0).sort_index()


def _window(grid: pd.DataFrame, end: pd.Timestamp, length: int = 7) -> tuple[pd.DataFrame, int]:
    start = end - pd.Timedelta(days=length - 1)
    win = grid.loc[start:end]
    return win, len(win)


def _model_ratios(page: pd.DataFrame, win: pd.DataFrame) -> pd.Series:
    """page tokens / API tokens per listed model (NaN where the API has none of it)."""
    api = win.sum().reindex(page["model"].astype(str)).to_numpy(dtype=float)
    api[~(api > 0)] = np.nan  # a model the API never names in the window cannot be compared
    return pd.Series(page["tokens"].to_numpy(dtype=float) / api, index=page["model"].astype(str))


def compare(weeks: pd.DataFrame, models: pd.DataFrame, rankings: pd.DataFrame) -> pd.DataFrame:
    """One row per captured week: :data:`PRODUCT_COLUMNS` plus ``api_days``, ``models_counted``, ``source``.

    ``weeks``/``models``: :func:`load.openrouter_leaderboard_weeks` / ``_models``; ``rankings``:
    :func:`load.openrouter_rankings`. The window is the seven days ending on ``week_end``.
    """
    grid = api_by_model_day(rankings)
    rows = []
    for _, wk in weeks.iterrows():
        end = pd.Timestamp(wk["week_end"])
        win, days = _window(grid, end)
        api_total = int(win.to_numpy().sum()) if days else 0
        page = models.loc[models["month"] == wk["month"]]
        ratios = _model_ratios(page, win) if days else pd.Series(dtype=float)
        compared = ratios.notna() & np.isfinite(ratios)
        rows.append({
            "month": wk["month"], "week_start": end - pd.Timedelta(days=6), "week_end": end,
            "page_total": int(wk["week_total"]), "api_total": api_total,
            "ratio": wk["week_total"] / api_total if api_total else np.nan,
            "models_compared": int(compared.sum()),
            "models_within_1pct": int((ratios[compared] - 1).abs().le(TOLERANCE).sum()),
            "api_days": days, "models_counted": int(wk["models_counted"]), "source": str(wk["source"]),
        })
    return pd.DataFrame(rows)


def agrees_by_model(row) -> bool:
    return row["models_compared"] > 0 and row["models_within_1pct"] >= AGREE_SHARE * row["models_compared"]


def best_window(page: pd.DataFrame, grid: pd.DataFrame, end: pd.Timestamp) -> dict:
    """The window (length, end shift) where most listed models agree, then the smallest median gap."""
    best = None
    for length in LENGTHS:
        for shift in SHIFTS:
            win, days = _window(grid, end + pd.Timedelta(days=shift), length)
            if days < length:
                continue
            r = _model_ratios(page, win)
            r = r[np.isfinite(r)]
            within = int((r - 1).abs().le(TOLERANCE).sum())
            gap = float(np.median(np.abs(np.log(r)))) if len(r) else np.inf
            key = (within, -gap, -abs(shift), -abs(length - 7))
            if best is None or key > best[0]:
                best = (key, {"length": length, "shift": shift, "within": within, "median_gap": float(np.expm1(gap)),
                              "end": end + pd.Timedelta(days=shift)})
    return best[1] if best else {}


def provider_ratios(page: pd.DataFrame, grid: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    """Median page/API ratio per provider (the slug's author) over the nominal seven days."""
    win, _ = _window(grid, end)
    r = _model_ratios(page, win)
    r = r[np.isfinite(r)]
    return r.groupby(r.index.str.split("/").str[0]).median().sort_values(kind="mergesort")


def explain(table: pd.DataFrame, models: pd.DataFrame, rankings: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """For each week whose totals differ by more than :data:`TOLERANCE`: ``month, ratio, reasons``
    (computed, in ``lang``; at least one reason per week, else an error)."""
    if lang not in ("fr", "en"):
        raise ValueError(f"lang must be 'fr' or 'en', not {lang!r}")
    grid = api_by_model_day(rankings)
    agreeing = table.loc[table.apply(agrees_by_model, axis=1) & (table["ratio"] - 1).abs().le(TOLERANCE)]
    min_ok = int(agreeing["models_counted"].min()) if len(agreeing) else None
    rows = []
    for _, row in table.loc[(table["ratio"] - 1).abs().gt(TOLERANCE) | table["ratio"].isna()].iterrows():
        page = models.loc[models["month"] == row["month"]]
        end = pd.Timestamp(row["week_end"])
        fr, en = [], []
        if row["api_days"] < 7:
            fr.append(f"l'API n'a que {row['api_days']} des 7 jours de la fenêtre")
            en.append(f"the API has only {row['api_days']} of the window's 7 days")
        if min_ok is not None and row["models_counted"] < min_ok:
            fr.append(f"capture de {row['models_counted']} modèles seulement (au moins {min_ok} dans les captures qui concordent)")
            en.append(f"a capture of only {row['models_counted']} models (at least {min_ok} in the captures that agree)")
        bw = best_window(page, grid, end)
        n = row["models_compared"]
        if agrees_by_model(row):
            win, _ = _window(grid, end)
            other = int(win["other"].sum()) if "other" in win.columns else 0
            gap = row["page_total"] - row["api_total"]
            part = f"{100 * gap / other:+.1f}" if other else "n/a"
            fr.append(f"les modèles concordent ({row['models_within_1pct']}/{n} à 1 %) : l'écart ({gap / 1e12:+.2f} T) est hors du top 15, "
                      f"soit {part.replace('.', ',')} % de la ligne « other » de l'API (modèles hors de son top 50 quotidien)")
            en.append(f"the models agree ({row['models_within_1pct']}/{n} within 1 %): the gap ({gap / 1e12:+.2f} T) lies outside the top 15, "
                      f"{part} % of the API's `other` row (models outside its daily top 50)")
        elif bw and (bw["shift"] != 0 or bw["length"] != 7) and bw["within"] >= AGREE_SHARE * n:
            fr.append(f"fenêtre décalée : {bw['length']} jours jusqu'au {bw['end']:%Y-%m-%d} ({bw['within']}/{n} modèles à 1 %)")
            en.append(f"shifted window: {bw['length']} days to {bw['end']:%Y-%m-%d} ({bw['within']}/{n} models within 1 %)")
        elif bw:
            fr.append(f"aucune fenêtre de 5 à 14 jours finissant à ±4 jours ne fait concorder les modèles (meilleure : {bw['length']} "
                      f"jours jusqu'au {bw['end']:%Y-%m-%d}, {bw['within']}/{n} à 1 %, écart médian {100 * bw['median_gap']:.0f} %)")
            en.append(f"no window of 5–14 days ending within ±4 days makes the models agree (best: {bw['length']} days to "
                      f"{bw['end']:%Y-%m-%d}, {bw['within']}/{n} within 1 %, median gap {100 * bw['median_gap']:.0f} %)")
        prov = provider_ratios(page, grid, end)
        if len(prov) >= 2 and prov.iloc[-1] - prov.iloc[0] > PROVIDER_SPREAD:
            shown = ", ".join(f"{p} ×{v:.2f}" for p, v in prov.items())
            fr.append(f"le rapport page/API varie selon le fournisseur ({shown.replace('.', ',')}) : la page comptait autrement que l'API")
            en.append(f"the page/API ratio differs by provider ({shown}): the page counted differently from the API")
        if not fr:
            raise InputError(f"crosscheck {row['month']}: totals differ by {100 * (row['ratio'] - 1):+.1f} % and no computed reason "
                             "applies; look at this capture by hand and add the reason to modelrace.crosscheck.explain")
        rows.append({"month": row["month"], "ratio": row["ratio"], "reasons": " ; ".join(fr) if lang == "fr" else "; ".join(en)})
    return pd.DataFrame(rows, columns=["month", "ratio", "reasons"])


def product(table: pd.DataFrame) -> pd.DataFrame:
    """``data/processed/openrouter_crosscheck_rankings_page.csv``: :data:`PRODUCT_COLUMNS`."""
    return table[list(PRODUCT_COLUMNS)].reset_index(drop=True)


def chart_week_check(chart_weeks: pd.DataFrame, rankings: pd.DataFrame) -> pd.DataFrame:
    """The one captured chart week with its Others bucket against the API: ``week_start, chart_total,
    api_total, ratio, chart_top9_coverage`` (the chart's own top-9 share of its total)."""
    grid = api_by_model_day(rankings)
    rows = []
    for _, w in chart_weeks.iterrows():
        win, days = _window(grid, pd.Timestamp(w["week_end"]))
        api = int(win.to_numpy().sum()) if days == 7 else None
        rows.append({"week_start": w["week_start"], "chart_total": int(w["total"]), "api_total": api,
                     "ratio": w["total"] / api if api else np.nan, "chart_top9_coverage": w["named_tokens"] / w["total"]})
    return pd.DataFrame(rows)


__all__ = ["TOLERANCE", "AGREE_SHARE", "PRODUCT_COLUMNS", "compare", "explain", "product", "agrees_by_model",
           "best_window", "provider_ratios", "api_by_model_day", "chart_week_check"]
