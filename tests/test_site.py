"""The reader's site: HTML generation of both editions on a small synthetic repository, offline.
(The real site in a real browser: tests/test_site_browser.py.)"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from modelrace import paths, site, site_text  # noqa: E402

# --------------------------------------------------------------------------- a tiny repository


def _png_bytes(color: str) -> bytes:
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.bar([0, 1], [1, 2], color=color)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


INTRO_EN = "See [the registry](../data/sources.yaml) and [the chart](../figures/01-demo/demo_chart.svg)."


def _notebook(path: Path, title: str, *, injected: dict | None = None, printed: str = "hello") -> None:
    cells = [
        new_markdown_cell(f"# {title}\n\n{INTRO_EN}"),
        new_code_cell('lang: str = "fr"  # label language\noutput_root: str = ""  # where products go\ntop_n: int = 10'),
        new_code_cell(f"print({printed!r})", outputs=[new_output("stream", name="stdout", text=printed + "\n")]),
        new_code_cell("show()", outputs=[new_output("display_data", data={"image/png": base64.b64encode(_png_bytes("#d62728")).decode()})]),
        new_markdown_cell("## The end\n\nNothing more."),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"
    cells[1].metadata["tags"] = ["parameters"]
    if injected:
        inj = new_code_cell("# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in injected.items()))
        inj["id"] = "injected"
        inj.metadata["tags"] = ["injected-parameters"]
        cells.insert(2, inj)
    nb = new_notebook(cells=cells)
    if injected:
        nb.metadata["papermill"] = {"parameters": injected}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _figure(base: Path, notebook: str, name: str, csv_name: str, cap_fr: str, cap_en: str, credit: str, *, lang: str = "fr") -> None:
    fig_dir = base / "figures" / notebook
    fig_dir.mkdir(parents=True, exist_ok=True)
    (fig_dir / f"{name}.png").write_bytes(_png_bytes("#1f77b4" if lang == "fr" else "#2ca02c"))
    (fig_dir / f"{name}.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><!-- {lang} --></svg>')
    (base / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (base / "data" / "processed" / f"{csv_name}.csv").write_text(f"a,b\n1,{lang}\n")
    card = {
        "name": name, "notebook": notebook, "lang": lang, "caption": {"fr": cap_fr, "en": cap_en}, "credit": credit,
        "svg": f"figures/{notebook}/{name}.svg", "png": f"figures/{notebook}/{name}.png",
        "csv": f"data/processed/{csv_name}.csv", "notebook_path": f"notebooks/{notebook}.ipynb",
    }
    (fig_dir / f"{name}.json").write_text(json.dumps(card))


CLAIMS_CSV = """claim_id,claim,article_value,our_value,verdict,evidence
C1,Chinese share ~1 % in Dec 2024,≈ 1 %,n/a,not checkable with the pinned data,data start 2025-01-01 (figure: figures/01-demo/demo_chart.svg)
C2,Above 30 % in early August 2025,> 30 %,31 %,supported,"rows of events.csv: https://example.org/a?b=1; https://arxiv.org/abs/2512.24880 ; weekly peak"
C3,Chinese labs dominate downloads,dominate,46 %,partly supported,top 100
C4,"Hub passed 2 million models, <b>bold</b>",2 M,0.9 M (partial),contradicted,partial series <i>x</i>
"""


def _edition(base: Path, lang: str) -> None:
    """One run's products: notebooks, figures, claims, in ``lang``."""
    word = {"fr": "bonjour", "en": "hello"}[lang]
    _notebook(base / "notebooks" / "01-demo.ipynb", "01 · Demo notebook", printed=word,
              injected={"lang": lang, "output_root": str(base)} if lang != "fr" else None)
    _notebook(base / "notebooks" / "02-other.ipynb", "02 · Other notebook", printed=word,
              injected={"lang": lang, "output_root": str(base)} if lang != "fr" else None)
    _figure(base, "01-demo", "demo_chart", "demo_data", "Légende FR démo", "Demo EN caption", f"Source ({lang})", lang=lang)
    _figure(base, "02-other", "other_chart", "other_data", "Autre légende", "Other caption", f"Source ({lang})", lang=lang)
    _figure(base, "09-orphan", "orphan_chart", "orphan_data", "Orpheline", "Orphan", f"Source ({lang})", lang=lang)
    (base / "data" / "processed" / "claims.csv").write_text(CLAIMS_CSV, encoding="utf-8")


def _catalog(root: Path) -> None:
    """French translations of both notebooks' markdown (the second cell of 02 left untranslated)."""
    for stem in ("01-demo", "02-other"):
        nb = nbformat.read(root / "notebooks" / f"{stem}.ipynb", as_version=4)
        md = [c for c in nb.cells if c.cell_type == "markdown"]
        entries = [(md[0], f"# {stem[:2]} · Carnet de démo\n\nVoir [le registre](../data/sources.yaml) et [le graphique](../figures/01-demo/demo_chart.svg).")]
        if stem == "01-demo":
            entries.append((md[1], "## La fin\n\nRien de plus."))
        path = site.catalog_path(stem, "fr", root)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(f"<!-- cell: {c['id']} · en sha256: {site.source_digest(c.source)} -->\n{fr}\n" for c, fr in entries),
                        encoding="utf-8")


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    _edition(root, "fr")
    _edition(root / "build" / "site-runs" / "en", "en")
    _catalog(root)
    (root / "notebooks" / ".02-other.running.ipynb").write_text("{}")  # papermill temp: ignored
    (root / "notebooks" / "02-other.failed.ipynb").write_text("{}")  # failed run: ignored
    vdir = root / "build" / "variants" / "01-monthly"
    _notebook(vdir / "notebooks" / "01-demo.ipynb", "01 · Demo notebook", injected={"frequency": "month", "output_root": str(vdir)})
    _figure(vdir, "01-demo", "demo_chart", "demo_data", "Légende FR démo", "Demo EN caption (variant)", "Source : démo")
    (vdir / "variant.json").write_text(json.dumps({"name": "01-monthly", "notebook": "01-demo", "description": "By month.",
                                                    "parameters": {"frequency": "month", "output_root": str(vdir)}}))
    return root


@pytest.fixture()
def built(repo: Path, tmp_path: Path) -> Path:
    return site.build(tmp_path / "site", root=repo).parent


def _read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


def _refs(page: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", page)]


# --------------------------------------------------------------------------- two editions


def test_site_text_has_both_languages_and_templates_use_only_known_keys():
    for key, langs in site_text.TEXT.items():
        assert set(langs) == {"fr", "en"}, key
        assert key == "prose_note" or all(langs.values()), f"{key}: empty text"
    used = set()
    for tpl in site.TEMPLATES.glob("*.j2"):
        used |= set(re.findall(r"""\bT\(\s*['"]([a-z_-]+)['"]""", tpl.read_text(encoding="utf-8")))
    assert used and used <= set(site_text.TEXT), used - set(site_text.TEXT)
    with pytest.raises(KeyError, match="no 'de' version"):
        site_text.text("lede", "de")


def test_french_is_the_default_edition_and_english_sits_under_en(built):
    fr, en = _read(built / "index.html"), _read(built / "en" / "index.html")
    assert '<html lang="fr">' in fr and '<html lang="en">' in en
    assert "Les affirmations de l'article, vérifiées" in html.unescape(fr) and "The article's claims, checked" in html.unescape(en)
    assert "The article's claims" not in html.unescape(fr) and "vérifiées" not in en
    assert '<a href="en/index.html" hreflang="en" lang="en">English</a>' in fr
    assert '<a href="../index.html" hreflang="fr" lang="fr">Français</a>' in en


def test_every_page_switches_to_the_same_page_in_the_other_language(built):
    fr_pages = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html") if not p.relative_to(built).parts[0] == "en")
    en_pages = sorted(p.relative_to(built / "en").as_posix() for p in (built / "en").rglob("*.html"))
    assert fr_pages == en_pages and "variants/01-monthly/notebooks/01-demo.html" in fr_pages
    for rel in fr_pages:
        for page, other in ((built / rel, built / "en" / rel), (built / "en" / rel, built / rel)):
            links = re.findall(r'<a href="([^"]+)" hreflang="(fr|en)"', _read(page))
            assert len(links) == 1, page
            assert (page.parent / links[0][0]).resolve() == other.resolve()


def test_each_edition_shows_its_own_charts_captions_and_credits(repo, built):
    for prefix, lang, base in (("", "fr", repo), ("en/", "en", repo / "build" / "site-runs" / "en")):
        index = _read(built / prefix / "index.html")
        block = re.search(r'<figure class="mr-card" id="fig-01-demo-demo_chart">(.*?)</figure>', index, re.S).group(1)
        caption = {"fr": "Légende FR démo", "en": "Demo EN caption"}[lang]
        other = {"fr": "Demo EN caption", "en": "Légende FR démo"}[lang]
        assert caption in html.unescape(block) and other not in html.unescape(block)
        assert f"Source ({lang})" in block
        assert f'<a class="mr-full" href="figures/01-demo/demo_chart.png"' in block  # the thumbnail opens full size
        for key in ("png", "svg", "csv"):
            rel = f"figures/01-demo/demo_chart.{key}" if key != "csv" else "data/processed/demo_data.csv"
            assert (built / prefix / rel).read_bytes() == (base / rel).read_bytes()
        assert 'href="notebooks/01-demo.html"' in index
        assert {"fr": "carnet 09-orphan (non rendu)", "en": "notebook 09-orphan (not rendered)"}[lang] in index


def test_a_chart_in_the_wrong_language_is_an_error(repo, tmp_path):
    card = repo / "build" / "site-runs" / "en" / "figures" / "01-demo" / "demo_chart.json"
    doc = json.loads(card.read_text())
    doc["lang"] = "fr"
    card.write_text(json.dumps(doc))
    with pytest.raises(site.SiteError, match=r"demo_chart.json: the chart is drawn in 'fr', the 'en' edition needs 'en'"):
        site.build(tmp_path / "s", root=repo)


def test_missing_english_runs_are_an_error_naming_the_fix(repo, tmp_path):
    shutil.rmtree(repo / "build" / "site-runs")
    with pytest.raises(site.SiteError, match=r"'en' edition has no runs .* run `make site`"):
        site.build(tmp_path / "s", root=repo)


def test_an_edition_missing_a_notebook_is_an_error(repo, tmp_path):
    (repo / "build" / "site-runs" / "en" / "notebooks" / "02-other.ipynb").unlink()
    with pytest.raises(site.SiteError, match=r"'en' edition has notebooks \['01-demo'\], the 'fr' edition"):
        site.build(tmp_path / "s", root=repo)


# --------------------------------------------------------------------------- claims


def test_claims_table_translates_verdicts_and_links_evidence(built):
    fr, en = _read(built / "index.html"), _read(built / "en" / "index.html")
    rows = dict(re.findall(r'<tr id="claim-(C\d+)">(.*?)</tr>', fr, re.S))
    badges = {cid: re.search(r'class="mr-badge mr-badge-([a-z-]+)">([^<]*)<', body).groups() for cid, body in rows.items()}
    assert badges == {
        "C1": ("not-checkable", "invérifiable avec les données épinglées"),
        "C2": ("supported", "soutenue"),
        "C3": ("partly", "en partie soutenue"),
        "C4": ("contradicted", "contredite"),
    }
    assert 'class="mr-badge mr-badge-partly">partly supported<' in en
    # a figure path becomes a link to the figure on the same page; URLs become links
    assert '<a href="#fig-01-demo-demo_chart">graphique 01.1</a>' in rows["C1"]
    assert 'id="fig-01-demo-demo_chart"' in fr
    assert '<a class="mr-url" href="https://example.org/a?b=1" rel="noopener">https://example.org/a?b=1</a>;' in rows["C2"]
    assert 'href="https://arxiv.org/abs/2512.24880"' in rows["C2"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in fr and "<b>bold</b>" not in fr and "&lt;i&gt;x&lt;/i&gt;" in fr  # CSV text is escaped


def test_evidence_naming_an_unknown_figure_is_an_error(repo, tmp_path):
    path = repo / "data" / "processed" / "claims.csv"
    path.write_text(CLAIMS_CSV.replace("figures/01-demo/demo_chart.svg", "figures/01-demo/gone.svg"), encoding="utf-8")
    with pytest.raises(site.SiteError, match=r"claims.csv: line 2: evidence names figures/01-demo/gone.svg"):
        site.build(tmp_path / "s", root=repo)


def test_unknown_verdict_is_an_error(repo, tmp_path):
    path = repo / "data" / "processed" / "claims.csv"
    path.write_text(CLAIMS_CSV.replace(",supported,", ",maybe,"), encoding="utf-8")
    with pytest.raises(site.SiteError, match=r"claims.csv: line 3: unknown verdict 'maybe'"):
        site.build(tmp_path / "s", root=repo)


def test_missing_claims_file_is_said_plainly(repo, tmp_path):
    (repo / "data" / "processed" / "claims.csv").unlink()
    index = _read(site.build(tmp_path / "s2", root=repo))
    assert "Pas encore de verdict" in index and "data/processed/claims.csv" in index
    assert "mr-badge" not in index


def test_claims_file_without_a_column_is_an_error(repo, tmp_path):
    (repo / "data" / "processed" / "claims.csv").write_text("claim_id,claim\nC1,x\n")
    with pytest.raises(site.SiteError, match=r"claims.csv: missing column\(s\) \['article_value'"):
        site.build(tmp_path / "s3", root=repo)


# --------------------------------------------------------------------------- notebook pages


def test_french_notebook_pages_use_the_translation_catalog(built):
    fr = html.unescape(_read(built / "notebooks" / "01-demo.html"))
    assert "01 · Carnet de démo" in fr and "La fin" in fr and "Demo notebook" not in fr
    assert "Pas encore traduit" not in fr
    en = html.unescape(_read(built / "en" / "notebooks" / "01-demo.html"))
    assert "01 · Demo notebook" in en and "Carnet" not in en
    # 02's second paragraph has no translation: shown in English under a visible note, and reported
    fr2 = html.unescape(_read(built / "notebooks" / "02-other.html"))
    assert "Paragraphe pas encore traduit" in fr2 and "The end" in fr2


def test_untranslated_paragraphs_are_listed(repo):
    assert site.untranslated(repo) == {"notebooks/translations/fr/02-other.md": ["cell-04"]}
    nb = repo / "notebooks" / "01-demo.ipynb"
    doc = nbformat.read(nb, as_version=4)
    doc.cells[-1].source = "## The end\n\nSomething more."  # the English changed: the translation is stale
    nbformat.write(doc, nb)
    assert site.untranslated(repo)["notebooks/translations/fr/01-demo.md"] == ["cell-04"]
    stub = site.catalog_stub(nb, "fr", repo)
    assert "# 01 · Carnet de démo" in stub and "Something more." in stub  # kept translation, English where stale


def test_malformed_catalog_is_an_error(repo, tmp_path):
    site.catalog_path("01-demo", "fr", repo).write_text("stray text\n<!-- cell: cell-00 · en sha256: 0123456789ab -->\nx\n")
    with pytest.raises(site.SiteError, match=r"01-demo.md: text before the first"):
        site.build(tmp_path / "s", root=repo)


def test_parameters_box_default_run_english_run_and_variant(repo, built):
    def box(page: Path) -> tuple[str, dict]:
        text = _read(page)
        b = re.search(r'<details class="mr-params">.*?</details>', text, re.S).group(0)
        cells = {n: html.unescape(v) for n, v in re.findall(r"<tr[^>]*><td><code>(\w+)</code></td><td><code>([^<]*)</code>", b)}
        return b, cells

    b, cells = box(built / "notebooks" / "01-demo.html")
    assert "Exécution par défaut" in b and "injecté" not in b
    assert cells == {"lang": '"fr"', "output_root": '""', "top_n": "10"}
    assert "label language" in b

    b, cells = box(built / "en" / "notebooks" / "01-demo.html")
    assert cells == {"lang": "'en'", "output_root": "'build/site-runs/en'", "top_n": "10"}
    assert b.count('class="mr-injected"') == 2 and "injected" in b

    b, cells = box(built / "variants" / "01-monthly" / "notebooks" / "01-demo.html")
    assert cells["output_root"] == "'build/variants/01-monthly'" and cells["frequency"] == "'month'"
    # the injected-parameters cell itself is not on the page: the box shows its values
    page = _read(built / "en" / "notebooks" / "01-demo.html")
    assert "injected-parameters" not in page and "# Parameters" not in page


def test_no_machine_path_anywhere_in_the_site(repo, built):
    for f in sorted(built.rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            assert str(repo).encode() not in data and str(repo.resolve()).encode() not in data, f
            assert str(built).encode() not in data, f
    ipynb = nbformat.read(built / "en" / "notebooks" / "01-demo.ipynb", as_version=4)  # the download too
    assert ipynb.metadata["papermill"]["parameters"]["output_root"] == "build/site-runs/en"


def test_a_machine_path_that_cannot_be_made_relative_fails_the_build(repo, tmp_path):
    (repo / "data" / "processed" / "demo_data.csv").write_text(f"a,b\n1,{repo}/secret\n")
    with pytest.raises(site.SiteError, match=r"data/processed/demo_data.csv contains the machine path"):
        site.build(tmp_path / "s", root=repo)


def test_variants_are_listed_with_relative_parameters_and_pages(built):
    for prefix in ("", "en/"):
        index = _read(built / prefix / "index.html")
        section = re.search(r'<section id="variants"[^>]*>(.*?)</section>', index, re.S).group(1)
        assert "01-monthly" in section and "By month." in section
        assert 'href="variants/01-monthly/notebooks/01-demo.html"' in section
        assert "<code>output_root</code></th><td><code>&#39;build/variants/01-monthly&#39;</code>" in section
        assert (built / prefix / "variants" / "01-monthly" / "figures" / "01-demo" / "demo_chart.png").is_file()


def test_no_variants_is_said_plainly(repo, tmp_path):
    shutil.rmtree(repo / "build" / "variants")
    index = _read(site.build(tmp_path / "s4", root=repo))
    assert "Aucune variante construite" in index


def test_code_cells_are_folded_and_notebooks_filtered(built):
    page = _read(built / "notebooks" / "01-demo.html")
    assert page.count('<details class="mr-code">') == 3  # the three code cells, closed by default
    assert "<details class=\"mr-code\" open" not in page
    assert sorted(p.name for p in (built / "notebooks").glob("*.html")) == ["01-demo.html", "02-other.html"]


def test_links_are_relative_resolve_and_nothing_is_remote(built):
    pages = sorted(built.rglob("*.html"))
    assert len(pages) == 2 * 4  # per edition: index, two notebooks, one variant notebook
    for page in pages:
        text = _read(page)
        assert "<script" not in text.lower(), f"{page.name}: has a script"
        for url in _refs(text):
            if url.startswith(("#", "data:")):
                continue
            parts = urlsplit(url)
            if parts.scheme in ("http", "https"):
                assert page.name == "index.html" and parts.netloc, url  # evidence links only, never loaded
                continue
            assert not parts.scheme and not parts.netloc, f"{page.name}: remote or absolute reference {url}"
            assert not parts.path.startswith("/"), f"{page.name}: absolute path {url}"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.exists(), f"{page.relative_to(built)}: dead link {url}"


def test_markdown_links_outside_the_site_are_unlinked(built):
    page = _read(built / "notebooks" / "01-demo.html")
    assert 'href="../figures/01-demo/demo_chart.svg"' in page  # in the site: kept
    assert 'href="../data/sources.yaml"' not in page and "not in the site: ../data/sources.yaml" in page
    assert 'href="../index.html"' in page  # the way back to the index is a live link
    vpage = _read(built / "en" / "variants" / "01-monthly" / "notebooks" / "01-demo.html")
    assert 'href="../../../index.html"' in vpage and 'href="../../../../assets/site.css"' in vpage


# --------------------------------------------------------------------------- extra pages


def test_an_extra_page_plugs_in_with_one_call(repo, tmp_path):
    md = repo / "build" / "refresh" / "2026-02-01" / "changes.md"
    md.parent.mkdir(parents=True)
    md.write_text("# Changes\n\n- C2: *supported* → *partly supported*\n", encoding="utf-8")
    page = site.extra_page("changes", "Ce qui a changé", "What changed", md.relative_to(repo), content_lang="en")
    out = site.build(tmp_path / "s", root=repo, pages=[page]).parent
    fr, en = _read(out / "changes.html"), _read(out / "en" / "changes.html")
    assert "<h1>Ce qui a changé</h1>" in fr and "<h1>What changed</h1>" in en
    assert '<div class="mr-extra" lang="en">' in fr and "<em>supported</em>" in fr
    assert '<a href="changes.html">Ce qui a changé</a>' in _read(out / "index.html")
    assert '<a href="changes.html">What changed</a>' in _read(out / "en" / "index.html")
    assert '<a href="en/changes.html" hreflang="en"' in fr
    frag = tmp_path / "frag.html"
    frag.write_text("<p>Fragment</p>")
    out = site.build(tmp_path / "s2", root=repo, pages=[site.extra_page("notes", "Notes", "Notes", {"fr": frag, "en": frag})]).parent
    assert "<p>Fragment</p>" in _read(out / "en" / "notes.html")


def test_the_latest_refresh_report_is_a_page_with_its_files(repo, tmp_path):
    out = tmp_path / "site"
    site.build(out, root=repo)
    assert "changes.html" not in _read(out / "index.html")  # no refresh yet: no page, no link
    d = repo / "build" / "refresh" / "2026-12-04"
    d.mkdir(parents=True)
    # what changes.Report.markdown writes, one file per language (tests/test_refresh.py checks the writer itself)
    (d / "changes.md").write_text("# What changed since the article: refresh of 4 Dec 2026\n\n"
                                  "| claim | change |\n|---|---|\n| C2 | **changed**: supported → contradicted |\n\n"
                                  "- Latest complete week, fresh: 55.4%–59.4% (above the article's 30%).\n", encoding="utf-8")
    (d / "changes.csv").write_text("section,key,measure,pinned,fresh,changed\nclaim,C2,verdict,supported,contradicted,true\n")
    with pytest.raises(site.SiteError, match=r"changes\.fr\.md does not exist.*rerun `make refresh`"):
        site.build(out, root=repo)  # a report without its French file: an error, never English in the French edition
    (d / "changes.fr.md").write_text("# Ce qui a changé depuis l'article : actualisation du 4 déc. 2026\n\n"
                                     "| affirmation | changement |\n|---|---|\n| C2 | **modifié** : soutenue → contredite |\n\n"
                                     "- Dernière semaine complète, données fraîches : 55,4\u202f%–59,4\u202f% "
                                     "(au-dessus des 30\u202f% de l'article).\n", encoding="utf-8")
    (d / "model_names_missing.csv").write_text("platform,model_id,display_name,source_url,note,rank,tokens,share\n")
    site.build(out, root=repo)
    for prefix, title in (("", "Ce qui a changé"), ("en/", "What changed")):
        index = _read(out / prefix / "index.html")
        assert 'href="changes.html"' in index and title in index
        page = _read(out / prefix / "changes.html")
        assert 'href="changes/changes.csv"' in page and 'href="changes/model_names_missing.csv"' in page
        assert (out / prefix / "changes" / "changes.csv").read_text().startswith("section,")
        assert '<div class="mr-extra">' in page  # written in the edition's language: no lang override
    fr, en = (html.unescape(_read(p)) for p in (out / "changes.html", out / "en" / "changes.html"))
    assert "Ce qui a changé depuis l'article : actualisation du 4 déc. 2026<a" in fr
    assert "<strong>modifié</strong> : soutenue → contredite" in fr and "55,4\u202f%–59,4\u202f%" in fr
    assert "What changed since the article: refresh of 4 Dec 2026<a" in en
    assert "<strong>changed</strong>: supported → contradicted" in en and "55.4%–59.4%" in en
    for english in ("What changed since the article:", "<strong>changed</strong>", "55.4%"):
        assert english not in fr
    for french in ("actualisation", "<strong>modifié</strong>", "55,4"):
        assert french not in en


def test_extra_page_with_a_missing_source_is_an_error(repo, tmp_path):
    with pytest.raises(site.SiteError, match=r"extra page 'changes': .*nope.md does not exist"):
        site.build(tmp_path / "s", root=repo, pages=[site.extra_page("changes", "A", "B", "nope.md")])
    with pytest.raises(ValueError, match="slug"):
        site.extra_page("Index", "A", "B", "x.md")


# --------------------------------------------------------------------------- robustness


def test_build_is_deterministic(repo, tmp_path):
    a = site.build(tmp_path / "a", root=repo).parent
    b = site.build(tmp_path / "b", root=repo).parent
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_bad_card_names_the_file(repo, tmp_path):
    card = repo / "figures" / "01-demo" / "demo_chart.json"
    doc = json.loads(card.read_text())
    doc["png"] = "/etc/passwd"
    card.write_text(json.dumps(doc))
    with pytest.raises(site.SiteError, match=r"demo_chart.json: field 'png' must be a path relative"):
        site.build(tmp_path / "s5", root=repo)
    doc["png"] = "figures/01-demo/gone.png"
    card.write_text(json.dumps(doc))
    with pytest.raises(site.SiteError, match=r"demo_chart.json: png file figures/01-demo/gone.png does not exist"):
        site.build(tmp_path / "s6", root=repo)


def test_never_overwrites_an_unrelated_directory(repo, tmp_path):
    other = tmp_path / "precious"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    with pytest.raises(site.SiteError, match="is not a site built by modelrace.site"):
        site.build(other, root=repo)
    assert (other / "keep.txt").read_text() == "mine"
    out = site.build(tmp_path / "again", root=repo)  # a previous site is replaced
    assert site.build(tmp_path / "again", root=repo) == out


# --------------------------------------------------------------------------- the committed notebooks


def test_every_committed_notebook_paragraph_has_a_french_translation():
    """A notebook's English prose changed or grew: translate it (the message says how)."""
    missing = site.untranslated(paths.ROOT)
    assert not missing, "\n".join(
        f"{path}: cells {ids} untranslated or stale; `python -m modelrace.site --write-catalog {Path(path).stem} > {path}`, "
        "then translate the English entries" for path, ids in missing.items())
