"""The reader's site: verdicts, every figure with its captions, and every notebook as it ran.

Why: most readers will not run a notebook. ``make site`` turns the committed products (executed
notebooks, figure caption cards, the CSVs behind the charts, ``claims.csv``) and any variant runs
under ``build/variants/`` into ``build/site/``: static pages with relative links only and no
script or CDN, so they work opened from disk or from any static server, offline. Nothing is
executed here, and the output has no timestamps (same products, same bytes).

CLI: ``python -m modelrace.site [--out DIR]``.
"""

from __future__ import annotations

import argparse
import ast
import html
import json
import logging
import re
import shutil
import struct
import sys
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import nbformat
import pandas as pd

from . import paths

log = logging.getLogger("modelrace.site")

SITE_TITLE = "Open Model Race"
TEMPLATES = Path(__file__).with_name("templates")
MARKER = ".modelrace-site"
CARD_KEYS = ("name", "notebook", "caption", "credit", "svg", "png", "csv")
CLAIM_COLUMNS = ("claim_id", "claim", "article_value", "our_value", "verdict", "evidence")


class SiteError(RuntimeError):
    """A product the site needs is missing or malformed; the message names the file and the fix."""


# ------------------------------------------------------------------------------ inputs


def executed_notebooks(root: Path) -> list[Path]:
    """``notebooks/NN-slug.ipynb`` in numbered order (papermill's temporary and failed copies excluded)."""
    return sorted(p for p in (root / "notebooks").glob("[0-9][0-9]-*.ipynb") if re.fullmatch(r"\d{2}-[a-z0-9-]+\.ipynb", p.name))


def notebook_title(nb) -> str:
    """The first markdown heading, without its '#'s (the notebook's own title)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""


def _relativize(value, root: Path):
    """Show a path parameter under the checkout as a relative path (no machine paths on pages)."""
    if isinstance(value, str) and value.startswith("/"):
        try:
            return Path(value).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return value
    return value


def run_parameters(nb, root: Path) -> tuple[str, list[dict]]:
    """The parameters a run used: the ``parameters`` cell's values, overridden by papermill's injected ones."""
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
        entry["value"] = repr(_relativize(injected[name], root))
        entry["injected"] = True
    if injected:
        origin = "Variant run: the values marked “injected” were passed by papermill; the others are the notebook's defaults."
    elif cells:
        origin = "Default run: the values of the notebook's parameters cell."
    else:
        origin = "No parameters cell."
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


def load_cards(base: Path) -> list[dict]:
    """Figure caption cards ``figures/<notebook>/<name>.json`` under ``base``, sorted, with checked paths."""
    cards = []
    for card_path in sorted((base / "figures").glob("*/*.json")):
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SiteError(f"{card_path}: invalid JSON (line {exc.lineno}); rerun `make figures`") from None
        missing = [k for k in CARD_KEYS if k not in card]
        caption = card.get("caption") or {}
        if missing or not isinstance(caption, dict) or not all(caption.get(lang) for lang in ("fr", "en")):
            raise SiteError(f"{card_path}: caption card lacks {missing or ['caption.fr/caption.en']}; it is written by plotting.export: rerun `make figures`")
        entry = {"name": card["name"], "notebook": card["notebook"], "order": card.get("order", 0), "caption_fr": caption["fr"], "caption_en": caption["en"], "credit": card["credit"]}
        for key in ("svg", "png", "csv"):
            rel = _safe_rel(card[key], card_path, key)
            if not (base / rel).is_file():
                raise SiteError(f"{card_path}: {key} file {rel} does not exist; rerun `make figures`")
            entry[key] = rel
        entry["width"], entry["height"] = _png_size(base / entry["png"])
        cards.append(entry)
    # a notebook's figures in the order it draws them (cards without an order keep name order)
    return sorted(cards, key=lambda c: (c["notebook"], c["order"], c["name"]))


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
    return "other"


def load_claims(root: Path) -> list[dict] | None:
    """Rows of ``data/processed/claims.csv``, or None when the claims notebook has not run yet."""
    path = root / "data" / "processed" / "claims.csv"
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
        rows.append({**{c: row[c] for c in CLAIM_COLUMNS}, "badge": _badge(row["verdict"])})
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


# ------------------------------------------------------------------------------ rendering


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_notebook(nb, *, stem: str, resources_mr: dict) -> str:
    """One executed notebook as HTML (no execution): lab look, folded inputs, no script."""
    from nbconvert import HTMLExporter

    quiet = logging.getLogger("modelrace.site.nbconvert")
    quiet.setLevel(logging.ERROR)  # nbconvert warns that outputs have no alt text; we set one below
    exporter = HTMLExporter(
        template_name="lab", extra_template_paths=[str(TEMPLATES)], template_file="notebook.html.j2", log=quiet,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}, "mr": resources_mr})
    return body.replace('alt="No description has been provided for this image"', f'alt="output of notebook {html.escape(stem)}"')


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


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _notebook_page(nb_path: Path, page: Path, site: Path, root: Path, *, variant: dict | None = None) -> dict:
    nb = nbformat.read(nb_path, as_version=4)
    origin, params = run_parameters(nb, root)
    up = "../" * (len(page.relative_to(site).parts) - 1)
    ipynb = page.with_suffix(".ipynb")
    _copy(nb_path, ipynb)
    mr = {
        "css_href": f"{up}assets/site.css",
        "index_href": f"{up}index.html",
        "site_title": SITE_TITLE,
        "ipynb_href": ipynb.name,
        "ipynb_label": "download the notebook (.ipynb)",
        "params_origin": origin,
        "params": params,
        "variant": {"name": variant["name"], "description": variant.get("description", "")} if variant else None,
    }
    _write(page, render_notebook(nb, stem=nb_path.stem, resources_mr=mr))
    return {"stem": nb_path.stem, "title": notebook_title(nb), "href": page.relative_to(site).as_posix()}


def _copy_products(cards: list[dict], base: Path, dest_root: Path) -> None:
    """Copy each card's PNG, SVG and CSV, keeping the repository's layout under ``dest_root``."""
    for card in cards:
        for key in ("png", "svg", "csv"):
            _copy(base / card[key], dest_root / card[key])


def _build_into(site: Path, root: Path) -> None:
    site.mkdir(parents=True)
    _copy(TEMPLATES / "site.css", site / "assets" / "site.css")

    cards = load_cards(root)
    _copy_products(cards, root, site)

    nb_pages = []
    for nb_path in executed_notebooks(root):
        nb_pages.append(_notebook_page(nb_path, site / "notebooks" / f"{nb_path.stem}.html", site, root))
    rendered = {p["stem"]: p for p in nb_pages}

    groups: dict[str, list[dict]] = {}
    for card in cards:
        card["notebook_href"] = rendered[card["notebook"]]["href"] if card["notebook"] in rendered else None
        groups.setdefault(card["notebook"], []).append(card)
    figure_groups = [
        {"title": f"{nb} — {rendered[nb]['title']}" if nb in rendered else nb, "cards": groups[nb]} for nb in sorted(groups)
    ]

    variants = []
    for v in load_variant_runs(root):
        vdir: Path = v["dir"]
        vsite = site / "variants" / v["name"]
        vcards = load_cards(vdir)
        _copy_products(vcards, vdir, vsite)
        nb_path = vdir / "notebooks" / f"{v['notebook']}.ipynb"
        href = None
        if nb_path.is_file():
            href = _notebook_page(nb_path, vsite / "notebooks" / f"{v['notebook']}.html", site, root, variant=v)["href"]
        variants.append({
            "name": v["name"],
            "description": v.get("description", ""),
            "notebook": v["notebook"],
            "href": href,
            "parameters": [(k, repr(_relativize(v["parameters"][k], root))) for k in sorted(v["parameters"])],
            "figures": [{"name": c["name"], "href": f"variants/{v['name']}/{c['png']}"} for c in vcards],
        })

    # --- issue 13 hook: the what-changed page of the latest `make refresh` (modelrace.changes), if any ---
    from . import changes

    changes_href = changes.write_site_page(root, site)
    # --- end of the issue 13 hook ---

    index = _environment().get_template("index.html.j2").render(
        title=SITE_TITLE, claims=load_claims(root), figures=figure_groups, notebooks=nb_pages, variants=variants,
        changes_href=changes_href,
    )
    _write(site / "index.html", index)
    for page in sorted(site.rglob("*.html")):  # last, once every page and file is in place
        page.write_text(fix_links(page.read_text(encoding="utf-8"), page, site), encoding="utf-8")
    (site / MARKER).write_text("built by modelrace.site; safe to delete\n")


def build(out_dir: str | Path | None = None, *, root: str | Path | None = None) -> Path:
    """Build the site from ``root``'s products into ``out_dir`` (default ``build/site``); return index.html.

    The site is built in a staging directory and swapped in, so a failed build leaves the previous
    site intact. An existing ``out_dir`` is replaced only if it is a site built here (marker file)
    or empty, never an unrelated directory.
    """
    root = Path(root or paths.ROOT)
    out = Path(out_dir or root / "build" / "site")
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise SiteError(f"{out} exists and is not a site built by modelrace.site; choose another --out or empty it")
    staging = out.with_name(f".{out.name}.staging")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        _build_into(staging, root)
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
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        index = build(args.out)
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    try:
        shown = index.relative_to(paths.ROOT)
    except ValueError:
        shown = index
    print(f"site written: {shown} (open it in a browser, or `python -m http.server -d {shown.parent}`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
