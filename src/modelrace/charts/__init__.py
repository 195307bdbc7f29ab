"""Every figure of the collection, drawn by tested code: one public function per kind of figure.

Each function takes the tidy frame a notebook computed plus ``lang`` (and the figure's credit) and
returns the matplotlib figure; the notebook exports it with :func:`modelrace.plotting.export`
(figure file names, CSV names and caption cards unchanged). Modules, one per kind of figure:

- :mod:`.band`: share bands over time (the headline chart, the two definitions);
- :mod:`.stacks`: stacked shares or counts over time (Chinese labs, openness, Hub tasks);
- :mod:`.bars`: ranked horizontal bars (top models, pinned files, weekly coverage);
- :mod:`.composition`: 100 % stacked bars (downloads by group, by cohort, by lab);
- :mod:`.lines`: lines over time (new models per week, cumulative Hub count with the dated counts);
- :mod:`.verdicts`: the claims overview;
- :mod:`.pre2025`: OpenRouter before the Data API (the estimate, its backtest, the cross-check);
- :mod:`.common`: the shared pieces (band, published points, events rail and key, legend strip,
  credit line, labels on bars).

Colours come from :mod:`modelrace.palette`, numbers and dates from :mod:`modelrace.fmt`, words
from the translation table (:func:`modelrace.plotting.t`).
"""

from .band import china_share, share_definitions
from .bars import hub_top_models, openrouter_top_models, sources_rows, week_coverage
from .composition import cohort_downloads_by_group, download_share_by_group, lab_cohort_downloads
from .lines import hub_cumulative, weekly_new_models
from .pre2025 import china_share_estimate, crosscheck_totals, estimate_backtest
from .stacks import chinese_labs, new_models_by_task, openness
from .verdicts import claims_verdicts

__all__ = [
    "china_share", "share_definitions", "hub_top_models", "openrouter_top_models", "sources_rows", "week_coverage",
    "cohort_downloads_by_group", "download_share_by_group", "lab_cohort_downloads", "hub_cumulative",
    "weekly_new_models", "chinese_labs", "new_models_by_task", "openness", "claims_verdicts",
    "china_share_estimate", "estimate_backtest", "crosscheck_totals",
]
