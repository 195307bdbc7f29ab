"""Every word of the reader's site's own pages (not the notebooks'), in French and English.

Why: one table, so a heading cannot exist in one edition and be forgotten in the other
(``tests/test_site.py`` checks that every key has both languages and that the templates use
only keys defined here). Values are plain text; templates escape them.
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "site_title": {"fr": "Open Model Race", "en": "Open Model Race"},
    "lang_name": {"fr": "Français", "en": "English"},
    "switch_label": {"fr": "Langue", "en": "Language"},
    "files": {"fr": "Fichiers", "en": "Files"},
    "lede": {
        "fr": "Contre-vérification de l'article des Echos (janvier 2026) : « un an après DeepSeek R1, les modèles "
              "ouverts chinois dominent l'IA open source ». Chaque chiffre ci-dessous est recalculé par les carnets "
              "à partir de données publiques épinglées ; chaque graphique renvoie au CSV qui le sous-tend et au "
              "carnet qui l'a tracé.",
        "en": "Rechecking Les Echos (January 2026): “one year after DeepSeek R1, Chinese open-weight models lead "
              "open-source AI”. Every number below is recomputed from pinned public data by the notebooks; each "
              "chart links the CSV behind it and the notebook that drew it.",
    },
    "nav_label": {"fr": "Sommaire", "en": "Contents"},
    "nav_claims": {"fr": "Affirmations", "en": "Claims"},
    "nav_figures": {"fr": "Graphiques", "en": "Figures"},
    "nav_notebooks": {"fr": "Carnets", "en": "Notebooks"},
    "nav_variants": {"fr": "Variantes", "en": "Variants"},
    "claims_heading": {"fr": "Les affirmations de l'article, vérifiées", "en": "The article's claims, checked"},
    "claims_missing": {
        "fr": "Pas encore de verdict : le fichier {path} n'existe pas (le carnet des affirmations n'a pas tourné). "
              "Lancez make figures, puis make site.",
        "en": "No verdicts yet: {path} does not exist (the claims notebook has not been run). "
              "Run make figures, then make site.",
    },
    "claims_caption": {
        "fr": "Chaque verdict vient d'un chiffre calculé par le carnet 05 et d'une règle écrite ; les preuves renvoient "
              "aux sources et aux graphiques.",
        "en": "Each verdict comes from a number computed by notebook 05 and a written rule; the evidence links to the "
              "sources and to the charts.",
    },
    "col_id": {"fr": "n°", "en": "#"},
    "col_claim": {"fr": "Affirmation", "en": "Claim"},
    "col_article": {"fr": "Chiffre de l'article", "en": "The article's figure"},
    "col_ours": {"fr": "Notre chiffre", "en": "Our figure"},
    "col_verdict": {"fr": "Verdict", "en": "Verdict"},
    "col_evidence": {"fr": "Preuves", "en": "Evidence"},
    "verdict_supported": {"fr": "soutenue", "en": "supported"},
    "verdict_partly": {"fr": "en partie soutenue", "en": "partly supported"},
    "verdict_contradicted": {"fr": "contredite", "en": "contradicted"},
    "verdict_not-checkable": {"fr": "invérifiable avec les données épinglées", "en": "not checkable with the pinned data"},
    "figure_link": {"fr": "graphique {number}", "en": "figure {number}"},
    "figure_label": {"fr": "Graphique {number}", "en": "Figure {number}"},
    "figures_heading": {"fr": "Graphiques", "en": "Figures"},
    "figures_missing": {"fr": "Pas encore de graphique : lancez make figures.", "en": "No figure yet: run make figures."},
    "figures_hint": {
        "fr": "Cliquez sur un graphique pour l'ouvrir en taille réelle.",
        "en": "Click a chart to open it full size.",
    },
    "open_full": {"fr": "ouvrir en taille réelle", "en": "open full size"},
    "full_png": {"fr": "taille réelle (PNG)", "en": "full size (PNG)"},
    "vector_svg": {"fr": "vectoriel (SVG)", "en": "vector (SVG)"},
    "data_csv": {"fr": "données (CSV)", "en": "data (CSV)"},
    "notebook_link": {"fr": "carnet {stem}", "en": "notebook {stem}"},
    "notebook_absent": {"fr": "carnet {stem} (non rendu)", "en": "notebook {stem} (not rendered)"},
    "notebooks_heading": {"fr": "Les carnets, tels qu'ils ont tourné", "en": "Notebooks, as they ran"},
    "notebooks_missing": {"fr": "Aucun carnet exécuté trouvé.", "en": "No executed notebook found."},
    "variants_heading": {"fr": "Variantes", "en": "Variants"},
    "variants_missing": {
        "fr": "Aucune variante construite : make variants relance des carnets avec d'autres paramètres dans build/variants/.",
        "en": "No variant was built: make variants reruns notebooks with other parameters into build/variants/.",
    },
    "variant_page": {"fr": "carnet {stem} (exécution de la variante)", "en": "notebook {stem} (variant run)"},
    "variant_not_built": {"fr": "carnet {stem} : non construit", "en": "notebook {stem}: not built"},
    "variant_figures": {"fr": "Graphiques :", "en": "Figures:"},
    "variant_params_caption": {"fr": "Paramètres de la variante {name}", "en": "Parameters of variant {name}"},
    "pages_heading": {"fr": "Autres pages", "en": "Other pages"},
    "footer": {
        "fr": "Open Model Race · code sous licence MIT ; les données appartiennent à leurs éditeurs (voir data/sources.yaml "
              "dans le dépôt). Construit à partir des produits du dépôt par make site.",
        "en": "Open Model Race · code MIT; data belong to their publishers (see data/sources.yaml in the repository). "
              "Built from the repository's products by make site.",
    },
    "chart_lang_note": {
        "fr": "Édition française : graphiques de l'exécution par défaut (lang=\"fr\").",
        "en": "English edition: charts from the English runs (lang=\"en\").",
    },
    # notebook pages
    "back_to_index": {"fr": "← Open Model Race (accueil)", "en": "← Open Model Race (home)"},
    "download_ipynb": {"fr": "télécharger le carnet (.ipynb)", "en": "download the notebook (.ipynb)"},
    "params_heading": {"fr": "Paramètres d'exécution", "en": "Run parameters"},
    "params_default": {
        "fr": "Exécution par défaut : les valeurs de la cellule de paramètres du carnet.",
        "en": "Default run: the values of the notebook's parameters cell.",
    },
    "params_injected": {
        "fr": "Les valeurs marquées « injecté » ont été passées par papermill ; les autres sont celles du carnet.",
        "en": "The values marked “injected” were passed by papermill; the others are the notebook's defaults.",
    },
    "params_none": {"fr": "Ce carnet n'a pas de cellule de paramètres.", "en": "This notebook has no parameters cell."},
    "param_col_name": {"fr": "paramètre", "en": "parameter"},
    "param_col_value": {"fr": "valeur", "en": "value"},
    "param_col_help": {"fr": "signification", "en": "meaning"},
    "injected": {"fr": "injecté", "en": "injected"},
    "fold_note": {
        "fr": "L'analyse d'abord : le code de chaque cellule est replié, ouvrez « code » pour le lire.",
        "en": "The analysis first: each cell's code is folded, open “code” to read it.",
    },
    "code": {"fr": "code", "en": "code"},
    "variant_banner": {"fr": "Variante", "en": "Variant"},
    "untranslated": {
        "fr": "(Paragraphe pas encore traduit : texte original en anglais.)",
        "en": "(Paragraph not translated yet: original text.)",
    },
    "prose_note": {
        "fr": "Les sorties imprimées par le code (lignes de contrôle) restent en anglais.",
        "en": "",
    },
    "output_alt": {"fr": "sortie du carnet {stem}", "en": "output of notebook {stem}"},
    "extra_missing": {"fr": "Page vide.", "en": "Empty page."},
}


def text(key: str, lang: str, **fmt) -> str:
    """The site text ``key`` in ``lang``; a missing key or language is an error, never a fallback."""
    try:
        value = TEXT[key][lang]
    except KeyError:
        raise KeyError(f"site text {key!r} has no {lang!r} version: add it to modelrace/site_text.py") from None
    return value.format(**fmt) if fmt else value
