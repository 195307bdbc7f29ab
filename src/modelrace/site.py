"""The reader's site, in French (default) and English: verdicts, every figure, every notebook as it ran.

Why: most readers will not run a notebook. ``make site`` turns the products into ``build/site/``:
the French edition (``index.html``) from the committed default run (executed notebooks, figure
caption cards, the CSVs behind the charts, ``claims.csv``), and the English edition
(``en/index.html``) from the English runs that :mod:`modelrace.site_runs` keeps in
``build/site-runs/en/``. Both editions have the same pages at the same relative paths, so every
page carries a switch to the same page in the other language. Pages are static, with relative
links only, no script and no CDN: they work opened from disk or from any static server, offline.
Nothing is executed while building, the output has no timestamps (same products, same bytes), and
the build fails if any file of the site contains an absolute path of the building machine.

Notebook prose is written in English; the French edition shows it from the translation catalogs
``notebooks/translations/fr/<notebook>.md`` (see :func:`load_translations`). A paragraph missing
from a catalog is shown in English under a visible note, listed by
``python -m modelrace.site --check-translations``, and fails ``tests/test_site.py``.

Extra pages (e.g. a "what changed" page) plug in with one call, :func:`extra_page`, added to
:func:`default_pages` or passed to :func:`build`.

CLI: ``python -m modelrace.site [--out DIR] [--no-runs] [--check-translations]``.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import html
import json
import logging
import os
import re
import shutil
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import nbformat
import pandas as pd

from . import paths
from .site_runs import DEFAULT_LANG, LANGS
from .site_text import text

log = logging.getLogger("modelrace.site")

SITE_TITLE = "Open Model Race"
TEMPLATES = Path(__file__).with_name("templates")
MARKER = ".modelrace-site"
CARD_KEYS = ("name", "notebook", "caption", "credit", "svg", "png", "csv")
CLAIM_COLUMNS = ("claim_id", "claim", "article_value", "our_value", "verdict", "evidence")
#: the language the notebooks' markdown is written in; other editions read translation catalogs
NOTEBOOK_LANG = "en"


class SiteError(RuntimeError):
    """A product the site needs is missing or malformed; the message names the file and the fix."""


@dataclass(frozen=True)
class Edition:
    """One language of the site: where its products come from and where its pages go."""

    lang: str
    base: Path  # the run's root: figures/, data/processed/, notebooks/ under it
    prefix: str  # the edition's directory inside the site: "" (default) or "en/"


@dataclass(frozen=True)
class ExtraPage:
    """A page beyond the index and the notebooks: a markdown file or an HTML fragment.

    ``title`` has one entry per language; ``sources`` maps each language to its file (the same
    file for both is allowed: ``content_lang`` then says which language it is written in).
    """

    slug: str
    title: dict
    sources: dict
    content_lang: dict = field(default_factory=dict)
    attachments: tuple = ()  # files copied beside the page into <slug>/ and linked under its body


def extra_page(slug: str, title_fr: str, title_en: str, source: str | Path | dict, *, content_lang: str | None = None,
               attachments: tuple | list = ()) -> ExtraPage:
    """Describe an extra page ``<slug>.html`` in both editions, linked from the index.

    ``source``: one ``.md`` (rendered as markdown) or ``.html`` (a body fragment, inserted as is)
    file for both editions, or ``{"fr": path, "en": path}``. A missing file is an error at build
    time: add the page only when its source exists. Examples (the first is issue 13's "what changed")::

        extra_page("changes", "Ce qui a changé", "What changed",
                   {"fr": "build/refresh/2026-02-01/changes.fr.md", "en": "build/refresh/2026-02-01/changes.md"})
        extra_page("notes", "Notes", "Notes", "docs/notes.en.md", content_lang="en")  # one English file for both
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) or slug == "index":
        raise ValueError(f"extra page slug must be lowercase letters, digits and '-', not 'index': {slug!r}")
    if not title_fr or not title_en:
        raise ValueError(f"extra page {slug!r} needs a French and an English title")
    sources = {lang: Path(source[lang]) for lang in LANGS} if isinstance(source, dict) else {lang: Path(source) for lang in LANGS}
    langs = {lang: (content_lang or lang) if not isinstance(source, dict) else lang for lang in LANGS}
    return ExtraPage(slug=slug, title={"fr": title_fr, "en": title_en}, sources=sources, content_lang=langs,
                     attachments=tuple(Path(a) for a in attachments))


def default_pages(root: Path) -> list[ExtraPage]:
    """Extra pages ``make site`` publishes; add one ``extra_page(...)`` line per page here.

    "What changed since the article" appears when a ``make refresh`` report exists
    (``build/refresh/<date>/changes.md``, the newest one), with its CSVs attached: each edition
    reads its own language (``changes.fr.md`` / ``changes.md``). A report without its French file
    (written before the report was bilingual) is an error, not an English page in the French edition.
    """
    from . import changes

    pages = []
    latest = changes.latest_refresh(root)
    if latest is not None:
        sources = {lang: latest / name for lang, name in changes.REPORT_MD.items()}
        absent = [p for p in sources.values() if not p.is_file()]
        if absent:
            raise SiteError(f"{absent[0]} does not exist: {latest} holds an incomplete what-changed report; "
                            "rerun `make refresh` (or `modelrace refresh --no-fetch`) or remove that directory")
        attached = [latest / f for f in changes.SITE_FILES if (latest / f).is_file()]
        pages.append(extra_page("changes", "Ce qui a changé depuis l'article", "What changed since the article",
                                sources, attachments=attached))
    return pages


# ------------------------------------------------------------------------------ inputs


def executed_notebooks(base: Path) -> list[Path]:
    """``notebooks/NN-slug.ipynb`` in numbered order (papermill's temporary and failed copies excluded)."""
    return sorted(p for p in (base / "notebooks").glob("[0-9][0-9]-*.ipynb") if re.fullmatch(r"\d{2}-[a-z0-9-]+\.ipynb", p.name))


def notebook_title(nb) -> str:
    """The first markdown heading, without its '#'s (the notebook's own title)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def _machine_prefixes(root: Path) -> list[str]:
    """Absolute directories whose names must not reach a page (longest first)."""
    found = {str(root), str(root.resolve()), str(paths.ROOT), str(paths.ROOT.resolve())}
    return sorted((p for p in found if p not in ("/", "")), key=len, reverse=True)


def relative_path_text(value: str, root: Path) -> str:
    """Replace every absolute path under the checkout in ``value`` by the repository-relative path."""
    for prefix in _machine_prefixes(root):
        value = value.replace(prefix + "/", "").replace(prefix, ".")
    return value


def scrub_paths(obj, root: Path):
    """``obj`` (a notebook, a dict, a list, a string) with machine paths made repository-relative."""
    if isinstance(obj, str):
        return relative_path_text(obj, root)
    if isinstance(obj, dict):
        return type(obj)({k: scrub_paths(v, root) for k, v in obj.items()})
    if isinstance(obj, list):
        return [scrub_paths(v, root) for v in obj]
    return obj


def run_parameters(nb, lang: str) -> tuple[str, list[dict]]:
    """The parameters a run used: the ``parameters`` cell's values, overridden by papermill's injected ones.

    ``nb`` must already be scrubbed (:func:`scrub_paths`), so injected paths are repository-relative.
    """
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    params: dict[str, dict] = {}
    if cells:
        source = cells[0].source
        lines = source.splitlines()
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise SiteError(f"the parameters cell does not parse (line {exc.lineno}): fix the notebook") from None
        for node in tree.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                line = lines[node.lineno - 1]
                help_text = line.split("#", 1)[1].strip() if "#" in line[node.value.end_col_offset:] else ""
                params[node.target.id] = {
                    "name": node.target.id,
                    "value": ast.get_source_segment(source, node.value),
                    "help": help_text,
                    "injected": False,
                }
    injected = nb.metadata.get("papermill", {}).get("parameters") or {}
    for name in sorted(injected):
        entry = params.setdefault(name, {"name": name, "help": ""})
        entry["value"] = repr(injected[name])
        entry["injected"] = True
    if injected:
        origin = text("params_injected", lang)
    elif cells:
        origin = text("params_default", lang)
    else:
        origin = text("params_none", lang)
    return origin, list(params.values())


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise SiteError(f"{path}: not a PNG file; rerun `make figures`")
    return struct.unpack(">II", head[16:24])


def _safe_rel(value, card: Path, key: str) -> str:
    rel = str(value or "")
    pure = PurePosixPath(rel)
    if not rel or pure.is_absolute() or ".." in pure.parts or "\\" in rel:
        raise SiteError(f"{card}: field {key!r} must be a path relative to the output root, not {rel!r}; rerun `make figures`")
    return rel


def load_cards(base: Path, lang: str | None = None) -> list[dict]:
    """Figure caption cards ``figures/<notebook>/<name>.json`` under ``base``, sorted, with checked paths.

    With ``lang``, every card must say it was drawn in that language (an English edition never
    shows a French chart).
    """
    cards = []
    for card_path in sorted((base / "figures").glob("*/*.json")):
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SiteError(f"{card_path}: invalid JSON (line {exc.lineno}); rerun `make figures`") from None
        missing = [k for k in CARD_KEYS if k not in card]
        caption = card.get("caption") or {}
        if missing or not isinstance(caption, dict) or not all(caption.get(lg) for lg in LANGS):
            raise SiteError(f"{card_path}: caption card lacks {missing or ['caption.fr/caption.en']}; it is written by plotting.export: rerun `make figures`")
        if lang is not None and card.get("lang") != lang:
            raise SiteError(f"{card_path}: the chart is drawn in {card.get('lang')!r}, the {lang!r} edition needs {lang!r}; "
                            f"rerun `make site` (it reruns the {lang!r} notebooks when their inputs changed)")
        entry = {"name": card["name"], "notebook": card["notebook"], "order": card.get("order", 0),
                 "caption_fr": caption["fr"], "caption_en": caption["en"], "credit": card["credit"]}
        for key in ("svg", "png", "csv"):
            rel = _safe_rel(card[key], card_path, key)
            if not (base / rel).is_file():
                raise SiteError(f"{card_path}: {key} file {rel} does not exist; rerun `make figures`")
            entry[key] = rel
        entry["width"], entry["height"] = _png_size(base / entry["png"])
        cards.append(entry)
    # a notebook's figures in the order it draws them (cards without an order keep name order),
    # numbered "<notebook number>.<rank>" for readers (the claims table refers to them so)
    cards = sorted(cards, key=lambda c: (c["notebook"], c["order"], c["name"]))
    rank: dict[str, int] = {}
    for card in cards:
        rank[card["notebook"]] = rank.get(card["notebook"], 0) + 1
        card["number"] = f"{card['notebook'][:2]}.{rank[card['notebook']]}"
    return cards


def _badge(verdict: str) -> str:
    v = verdict.strip().lower()
    if v == "supported":
        return "supported"
    if v.startswith("partly"):
        return "partly"
    if v.startswith("contradicted"):
        return "contradicted"
    if v.startswith("not checkable"):
        return "not-checkable"
    raise SiteError(f"unknown verdict {verdict!r}: expected supported, partly supported, contradicted or not checkable")


_URL = re.compile(r"https?://[^\s<>\"';,]+")
_FIG_REF = re.compile(r"figures/(\d{2}-[a-z0-9-]+)/([A-Za-z0-9_-]+)\.(?:svg|png)")


def evidence_html(evidence: str, cards: list[dict], lang: str, where: str) -> str:
    """Evidence text as HTML: source URLs become links, figure paths links to the figure on the index."""
    known = {(c["notebook"], c["name"]): c["number"] for c in cards}
    out, pos = [], 0
    spans = sorted([(m.start(), m.end(), "url", m) for m in _URL.finditer(evidence)]
                   + [(m.start(), m.end(), "fig", m) for m in _FIG_REF.finditer(evidence)])
    for start, end, kind, m in spans:
        if start < pos:
            continue  # a figure path inside a URL: the URL wins
        out.append(html.escape(evidence[pos:start]))
        if kind == "url":
            url = m.group(0).rstrip(".)")
            end = start + len(url)
            out.append(f'<a class="mr-url" href="{html.escape(url)}" rel="noopener">{html.escape(url)}</a>')
        else:
            key = (m.group(1), m.group(2))
            if key not in known:
                raise SiteError(f"{where}: evidence names {m.group(0)}, which no caption card describes; rerun `make figures`")
            out.append(f'<a href="#fig-{m.group(1)}-{m.group(2)}">{html.escape(text("figure_link", lang, number=known[key]))}</a>')
        pos = end
    out.append(html.escape(evidence[pos:]))
    return "".join(out)


def load_claims(base: Path, cards: list[dict], lang: str) -> list[dict] | None:
    """Rows of ``data/processed/claims.csv`` with linked evidence, or None when the claims notebook has not run."""
    path = base / "data" / "processed" / "claims.csv"
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CLAIM_COLUMNS if c not in df.columns]
    if missing:
        raise SiteError(f"{path}: missing column(s) {missing} (need {list(CLAIM_COLUMNS)}); rerun the claims notebook")
    rows = []
    for i, row in enumerate(df.to_dict("records"), start=2):
        if not row["claim_id"] or not row["verdict"]:
            raise SiteError(f"{path}: line {i}: empty claim_id or verdict; rerun the claims notebook")
        try:
            badge = _badge(row["verdict"])
        except SiteError as exc:
            raise SiteError(f"{path}: line {i}: {exc}") from None
        rows.append({**{c: row[c] for c in CLAIM_COLUMNS}, "badge": badge,
                     "verdict_text": text(f"verdict_{badge}", lang),
                     "evidence_html": evidence_html(row["evidence"], cards, lang, f"{path.name}: line {i}")})
    return rows


def load_variant_runs(root: Path) -> list[dict]:
    """``build/variants/<name>/variant.json`` of every variant that was built, by name."""
    out = []
    for vjson in sorted((root / "build" / "variants").glob("*/variant.json")):
        try:
            doc = json.loads(vjson.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SiteError(f"{vjson}: invalid JSON (line {exc.lineno}); rerun `make variants`") from None
        for key in ("name", "notebook", "parameters"):
            if key not in doc:
                raise SiteError(f"{vjson}: missing key {key!r}; rerun `make variants`")
        doc["dir"] = vjson.parent
        out.append(doc)
    return out


# ------------------------------------------------------------------------------ translations


_CATALOG_ENTRY = re.compile(r"^<!-- cell: (?P<id>\S+) · en sha256: (?P<sha>[0-9a-f]{12}) -->$", re.MULTILINE)


def source_digest(markdown: str) -> str:
    """The short digest a catalog entry records of the English paragraph it translates."""
    return hashlib.sha256(markdown.strip().encode("utf-8")).hexdigest()[:12]


def catalog_path(stem: str, lang: str, root: Path | None = None) -> Path:
    return Path(root or paths.ROOT) / "notebooks" / "translations" / lang / f"{stem}.md"


def load_translations(stem: str, lang: str, root: Path | None = None) -> dict[str, str]:
    """The catalog of notebook ``stem`` in ``lang``: {digest of the English cell: translated markdown}.

    Format: one entry per markdown cell, a header line ``<!-- cell: <cell id> · en sha256: <12 hex> -->``
    (the digest of the English text, :func:`source_digest`), then the translation. When the
    English cell changes, its digest changes and the old translation is no longer used.
    """
    path = catalog_path(stem, lang, root)
    if not path.is_file():
        return {}
    body = path.read_text(encoding="utf-8")
    heads = list(_CATALOG_ENTRY.finditer(body))
    if body.strip() and (not heads or body[: heads[0].start()].strip()):
        raise SiteError(f"{path}: text before the first '<!-- cell: … · en sha256: … -->' header; fix the catalog")
    out = {}
    for head, nxt in zip(heads, heads[1:] + [None]):
        chunk = body[head.end(): nxt.start() if nxt else len(body)].strip()
        if not chunk:
            raise SiteError(f"{path}: entry for cell {head['id']} is empty")
        out[head["sha"]] = chunk
    return out


def translate_notebook(nb, stem: str, lang: str, root: Path | None = None) -> list[str]:
    """Replace each markdown cell of ``nb`` by its ``lang`` translation; return ids of untranslated cells.

    An untranslated cell stays in English, under a visible note, and is reported (never hidden).
    """
    if lang == NOTEBOOK_LANG:
        return []
    catalog = load_translations(stem, lang, root)
    missing = []
    for cell in nb.cells:
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        translated = catalog.get(source_digest(cell.source))
        if translated is None:
            missing.append(cell.get("id", "?"))
            cell.source = f"*{text('untranslated', lang)}*\n\n{cell.source}"
        else:
            cell.source = translated
    return missing


def untranslated(root: Path | None = None) -> dict[str, list[str]]:
    """{catalog path: [cell ids whose English text has no translation]} over the committed notebooks."""
    root = Path(root or paths.ROOT)
    report = {}
    for lang in LANGS:
        if lang == NOTEBOOK_LANG:
            continue
        for nb_path in executed_notebooks(root):
            nb = nbformat.read(nb_path, as_version=4)
            missing = translate_notebook(nb, nb_path.stem, lang, root)
            if missing:
                report[catalog_path(nb_path.stem, lang, root).relative_to(root).as_posix()] = missing
    return report


def catalog_stub(nb_path: Path, lang: str, root: Path | None = None) -> str:
    """A catalog for ``nb_path`` keeping existing translations, the English text where one is missing."""
    nb = nbformat.read(nb_path, as_version=4)
    catalog = load_translations(nb_path.stem, lang, root)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.strip():
            sha = source_digest(cell.source)
            parts.append(f"<!-- cell: {cell.get('id', '?')} · en sha256: {sha} -->\n{catalog.get(sha, cell.source).strip()}\n")
    return "\n".join(parts)


# ------------------------------------------------------------------------------ rendering


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_notebook(nb, *, stem: str, lang: str, resources_mr: dict) -> str:
    """One executed notebook as HTML (no execution): lab look, folded inputs, no script."""
    from nbconvert import HTMLExporter

    quiet = logging.getLogger("modelrace.site.nbconvert")
    quiet.setLevel(logging.ERROR)  # nbconvert warns that outputs have no alt text; we set one below
    exporter = HTMLExporter(
        template_name="lab", extra_template_paths=[str(TEMPLATES)], template_file="notebook.html.j2", log=quiet,
        language_code=lang,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}, "mr": resources_mr})
    alt = html.escape(text("output_alt", lang, stem=stem))
    body = body.replace('alt="No description has been provided for this image"', f'alt="{alt}"')
    # wide printouts scroll inside their box; a keyboard must reach them too (WCAG 2.1.1)
    return re.sub(r"<pre(?=[\s>])", '<pre tabindex="0"', body)


_TAG = re.compile(r"<(a|img|link|script|iframe|source)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""\b(href|src)\s*=\s*(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith("#")


def fix_links(page_html: str, page: Path, site: Path) -> str:
    """Keep links that resolve inside the site; unlink the rest so no page has a dead link.

    Markdown in notebooks may point at repository files (``../data/sources.yaml``) that the site
    does not carry; those become plain text. Remote resources (``src`` of img/script/link) would
    break offline reading, so they are replaced by a note.
    """

    def fix(match: re.Match) -> str:
        tag = match.group(0)
        name = match.group(1).lower()
        attr = _ATTR.search(tag)
        if not attr:
            return tag
        url = html.unescape(attr.group(3))
        if url.startswith(("data:", "mailto:", "#")) or not url:
            return tag
        if not _is_local(url):
            if name == "a":
                return tag  # navigation, loaded only if the reader clicks
            return f'<span class="mr-offline">[remote resource not included: {html.escape(url)}]</span>'
        target_path = unquote(urlsplit(url).path)
        if target_path.startswith("/"):
            ok = False
        else:
            target = (page.parent / target_path).resolve()
            ok = target.is_relative_to(site.resolve()) and target.exists()
        if ok:
            return tag
        log.info("%s: link %s is not in the site; unlinked", page.relative_to(site), url)
        if name == "a":
            return tag[: attr.start()] + f'title="not in the site: {html.escape(url)}"' + tag[attr.end():]
        return f'<span class="mr-offline">[not in the site: {html.escape(url)}]</span>'

    return _TAG.sub(fix, page_html)


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


def _rel(target: Path, page: Path) -> str:
    """The relative URL from ``page`` to ``target`` (both inside the site)."""
    return Path(os.path.relpath(target, page.parent)).as_posix()


class _Builder:
    """Builds every page of every edition into ``site`` (a staging directory)."""

    def __init__(self, site: Path, root: Path, editions: list[Edition], pages: list[ExtraPage]):
        self.site, self.root, self.editions, self.pages = site, root, editions, pages
        self.env = _environment()

    # -- helpers shared by every page
    def page_path(self, edition: Edition, key: str) -> Path:
        return self.site / edition.prefix / key

    def chrome(self, edition: Edition, key: str) -> dict:
        """Links every page carries: stylesheet, home, the same page in the other languages."""
        page = self.page_path(edition, key)
        switch = [
            {"lang": other.lang, "label": text("lang_name", other.lang), "href": _rel(self.page_path(other, key), page)}
            for other in self.editions if other.lang != edition.lang
        ]
        return {
            "lang": edition.lang,
            "css_href": _rel(self.site / "assets" / "site.css", page),
            "index_href": _rel(self.page_path(edition, "index.html"), page),
            "switch": switch,
        }

    def T(self, edition: Edition):
        return lambda key, **fmt: text(key, edition.lang, **fmt)

    # -- notebook pages
    def notebook_page(self, edition: Edition, nb_path: Path, key: str, *, variant: dict | None = None) -> dict:
        nb = nbformat.read(nb_path, as_version=4)
        nb = nbformat.from_dict(scrub_paths(nb, self.root))
        page = self.page_path(edition, key)
        ipynb = page.with_suffix(".ipynb")
        ipynb.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, ipynb)  # the download: the run as it is, paths made relative
        origin, params = run_parameters(nb, edition.lang)
        missing = translate_notebook(nb, nb_path.stem, edition.lang, self.root)
        if missing:
            log.warning("%s (%s): %d paragraph(s) without translation in %s: %s", nb_path.stem, edition.lang, len(missing),
                        catalog_path(nb_path.stem, edition.lang, self.root).relative_to(self.root), ", ".join(missing))
        # the injected-parameters cell is what the run-parameters box shows
        nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
        T = self.T(edition)
        mr = {
            **self.chrome(edition, key),
            "T": T,
            "site_title": SITE_TITLE,
            "ipynb_href": ipynb.name,
            "params_origin": origin,
            "params": params,
            "variant": {"name": variant["name"], "description": variant.get("description", "")} if variant else None,
        }
        _write(page, render_notebook(nb, stem=nb_path.stem, lang=edition.lang, resources_mr=mr))
        return {"stem": nb_path.stem, "title": notebook_title(nb), "href": _rel(page, self.page_path(edition, "index.html"))}

    # -- one edition
    def edition(self, edition: Edition, variant_runs: list[dict]) -> None:
        base = edition.base
        cards = load_cards(base, lang=edition.lang)
        for card in cards:
            for kind in ("png", "svg", "csv"):
                _copy(base / card[kind], self.page_path(edition, card[kind]))

        nb_pages = [self.notebook_page(edition, p, f"notebooks/{p.stem}.html") for p in executed_notebooks(base)]
        rendered = {p["stem"]: p for p in nb_pages}
        groups: dict[str, list[dict]] = {}
        for card in cards:
            card["notebook_href"] = rendered[card["notebook"]]["href"] if card["notebook"] in rendered else None
            card["caption"] = card[f"caption_{edition.lang}"]
            groups.setdefault(card["notebook"], []).append(card)
        figure_groups = [
            {"id": nb, "title": rendered[nb]["title"] if nb in rendered and rendered[nb]["title"] else nb, "cards": groups[nb]}
            for nb in sorted(groups)
        ]

        variants = []
        for v in variant_runs:
            vdir: Path = v["dir"]
            vkey = f"variants/{v['name']}"
            vcards = load_cards(vdir)
            for card in vcards:
                for kind in ("png", "svg", "csv"):
                    _copy(vdir / card[kind], self.page_path(edition, f"{vkey}/{card[kind]}"))
            nb_path = vdir / "notebooks" / f"{v['notebook']}.ipynb"
            href = None
            if nb_path.is_file():
                href = self.notebook_page(edition, nb_path, f"{vkey}/notebooks/{v['notebook']}.html", variant=v)["href"]
            variants.append({
                "name": v["name"],
                "description": v.get("description", ""),
                "notebook": v["notebook"],
                "href": href,
                "parameters": [(k, repr(scrub_paths(v["parameters"][k], self.root))) for k in sorted(v["parameters"])],
                "figures": [{"name": c["name"], "href": f"{vkey}/{c['png']}"} for c in vcards],
            })

        claims = load_claims(base, cards, edition.lang)
        pages = [{"slug": p.slug, "title": p.title[edition.lang], "href": f"{p.slug}.html"} for p in self.pages]
        for p in self.pages:
            self.extra(edition, p)
        index = self.env.get_template("index.html.j2").render(
            **self.chrome(edition, "index.html"), T=self.T(edition), title=SITE_TITLE, claims=claims,
            claims_path="data/processed/claims.csv", figures=figure_groups, notebooks=nb_pages, variants=variants, pages=pages,
        )
        _write(self.page_path(edition, "index.html"), index)

    def extra(self, edition: Edition, page: ExtraPage) -> None:
        src = page.sources[edition.lang]
        src = src if src.is_absolute() else self.root / src
        if not src.is_file():
            raise SiteError(f"extra page {page.slug!r}: {src} does not exist; create it or drop the page from default_pages()")
        body = src.read_text(encoding="utf-8")
        if src.suffix.lower() in (".md", ".markdown"):
            from nbconvert.filters.markdown_mistune import markdown2html_mistune

            body = markdown2html_mistune(body)
        elif src.suffix.lower() not in (".html", ".htm"):
            raise SiteError(f"extra page {page.slug!r}: {src.name} must be .md or .html (an HTML body fragment)")
        from markupsafe import Markup

        key = f"{page.slug}.html"
        if page.attachments:
            import html as _html

            links = []
            for f in page.attachments:
                f = f if f.is_absolute() else self.root / f
                if not f.is_file():
                    raise SiteError(f"extra page {page.slug!r}: attachment {f} does not exist")
                _copy(f, self.page_path(edition, f"{page.slug}/{f.name}"))
                links.append(f'<a href="{page.slug}/{_html.escape(f.name)}">{_html.escape(f.name)}</a>')
            colon = "\u202f:" if edition.lang == "fr" else ":"
            body += f'\n<p class="mr-attachments">{text("files", edition.lang)}{colon} ' + " · ".join(links) + "</p>\n"
        out = self.env.get_template("page.html.j2").render(
            **self.chrome(edition, key), T=self.T(edition), title=page.title[edition.lang], body=Markup(body),
            content_lang=page.content_lang[edition.lang],
        )
        _write(self.page_path(edition, key), out)


def _check_no_machine_paths(site: Path, root: Path, out: Path) -> None:
    """Fail if any file of the site names a directory of the building machine."""
    needles = {p.encode() for p in _machine_prefixes(root)} | {str(out.resolve()).encode(), str(site.resolve()).encode()}
    for f in sorted(site.rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            for needle in needles:
                if needle in data:
                    raise SiteError(f"{f.relative_to(site)} contains the machine path {needle.decode()}; "
                                    f"make it repository-relative (modelrace.site.scrub_paths)")


def _build_into(site: Path, root: Path, editions: list[Edition], pages: list[ExtraPage], out: Path) -> None:
    site.mkdir(parents=True)
    _copy(TEMPLATES / "site.css", site / "assets" / "site.css")
    builder = _Builder(site, root, editions, pages)
    variant_runs = load_variant_runs(root)
    stems = {}
    for edition in editions:
        if not (edition.base / "notebooks").is_dir():
            raise SiteError(f"the {edition.lang!r} edition has no runs in {edition.base}: run `make site` "
                            f"(python -m modelrace.site_runs runs the notebooks with lang={edition.lang!r})")
        stems[edition.lang] = [p.stem for p in executed_notebooks(edition.base)]
        builder.edition(edition, variant_runs)
    first = editions[0]
    for edition in editions[1:]:
        if stems[edition.lang] != stems[first.lang]:
            raise SiteError(f"the {edition.lang!r} edition has notebooks {stems[edition.lang]}, the {first.lang!r} edition "
                            f"{stems[first.lang]}; run `make site` so both editions have every notebook")
    for page in sorted(site.rglob("*.html")):  # last, once every page and file is in place
        page.write_text(fix_links(page.read_text(encoding="utf-8"), page, site), encoding="utf-8")
    _check_no_machine_paths(site, root, out)
    (site / MARKER).write_text("built by modelrace.site; safe to delete\n")


def editions_for(root: Path, en_base: Path | None = None) -> list[Edition]:
    """French from the committed products of ``root``, English from ``build/site-runs/en`` (or ``en_base``)."""
    return [
        Edition(lang=DEFAULT_LANG, base=root, prefix=""),
        Edition(lang="en", base=Path(en_base or root / "build" / "site-runs" / "en"), prefix="en/"),
    ]


def build(out_dir: str | Path | None = None, *, root: str | Path | None = None, en_base: str | Path | None = None,
          pages: list[ExtraPage] | None = None) -> Path:
    """Build the site from ``root``'s products into ``out_dir`` (default ``build/site``); return index.html.

    The English edition reads ``en_base`` (default ``<root>/build/site-runs/en``, written by
    :mod:`modelrace.site_runs`); this function executes nothing. The site is built in a staging
    directory and swapped in, so a failed build leaves the previous site intact. An existing
    ``out_dir`` is replaced only if it is a site built here (marker file) or empty, never an
    unrelated directory.
    """
    root = Path(root or paths.ROOT)
    out = Path(out_dir or root / "build" / "site")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"{out} exists and is not a site built by modelrace.site; choose another --out or empty it")
    staging = out.with_name(f".{out.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        _build_into(staging, root, editions_for(root, Path(en_base) if en_base else None),
                    default_pages(root) if pages is None else pages, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    staging.replace(out)
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m modelrace.site", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=None, help="output directory (default: build/site)")
    ap.add_argument("--no-runs", action="store_true", help="do not (re)run the English notebooks first; use build/site-runs/en as it is")
    ap.add_argument("--check-translations", action="store_true",
                    help="list notebook paragraphs without a French translation (exit 1 if any) and build nothing")
    ap.add_argument("--write-catalog", metavar="NOTEBOOK", help="print a translation catalog for notebooks/NOTEBOOK.ipynb "
                    "(existing translations kept, English where one is missing) to edit into notebooks/translations/fr/")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.write_catalog:
        print(catalog_stub(paths.NOTEBOOKS / f"{args.write_catalog}.ipynb", "fr"), end="")
        return 0
    if args.check_translations:
        report = untranslated()
        for path, ids in report.items():
            print(f"{path}: no translation for cell(s) {', '.join(ids)} "
                  f"(python -m modelrace.site --write-catalog {Path(path).stem} > {path}, then translate)")
        return 1 if report else 0
    if not args.no_runs:
        from . import site_runs

        logging.getLogger("modelrace.site_runs").setLevel(logging.INFO)
        logging.getLogger("modelrace.runner").setLevel(logging.INFO)
        for lang in LANGS[1:]:
            site_runs.run_edition(lang)
    try:
        index = build(args.out)
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    try:
        shown = index.relative_to(paths.ROOT)
    except ValueError:
        shown = index
    print(f"site written: {shown} and {shown.parent / 'en' / 'index.html'} "
          f"(open it in a browser, or `python -m http.server -d {shown.parent}`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
