"""The reader's site: HTML generation on a small synthetic repository, then a real browser on
the repository's own products (file:// and a local http.server), offline."""

from __future__ import annotations

import functools
import html
import io
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import urlopen

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output  # noqa: E402

from modelrace import paths, site  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = paths.ROOT / "test-artifacts"

# --------------------------------------------------------------------------- a tiny repository


def _png_bytes(color: str) -> bytes:
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.bar([0, 1], [1, 2], color=color)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _notebook(path: Path, title: str, *, injected: dict | None = None) -> None:
    import base64

    cells = [
        new_markdown_cell(f"# {title}\n\nSee [the registry](../data/sources.yaml) and [the chart](../figures/01-demo/demo_chart.svg)."),
        new_code_cell('lang: str = "fr"  # label language\noutput_root: str = ""  # where products go\ntop_n: int = 10'),
        new_code_cell("print('hello')", outputs=[new_output("stream", name="stdout", text="hello\n")]),
        new_code_cell("show()", outputs=[new_output("display_data", data={"image/png": base64.b64encode(_png_bytes("#d62728")).decode()})]),
    ]
    cells[1].metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=cells)
    if injected:
        nb.metadata["papermill"] = {"parameters": injected}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _figure(base: Path, notebook: str, name: str, csv_name: str, cap_fr: str, cap_en: str, credit: str) -> None:
    fig_dir = base / "figures" / notebook
    fig_dir.mkdir(parents=True, exist_ok=True)
    (fig_dir / f"{name}.png").write_bytes(_png_bytes("#1f77b4"))
    (fig_dir / f"{name}.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    (base / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (base / "data" / "processed" / f"{csv_name}.csv").write_text("a,b\n1,2\n")
    card = {
        "name": name, "notebook": notebook, "lang": "fr", "caption": {"fr": cap_fr, "en": cap_en}, "credit": credit,
        "svg": f"figures/{notebook}/{name}.svg", "png": f"figures/{notebook}/{name}.png",
        "csv": f"data/processed/{csv_name}.csv", "notebook_path": f"notebooks/{notebook}.ipynb",
    }
    (fig_dir / f"{name}.json").write_text(json.dumps(card))


CLAIMS_CSV = """claim_id,claim,article_value,our_value,verdict,evidence
C1,Chinese share ~1 % in Dec 2024,≈ 1 %,n/a,not checkable with the pinned data,data start 2025-01-01
C2,Above 30 % in early August 2025,> 30 %,31 %,supported,weekly peak
C3,Chinese labs dominate downloads,dominate,46 %,partly supported,top 100
C4,"Hub passed 2 million models, <b>bold</b>",2 M,0.9 M (partial),contradicted,partial series
"""


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    _notebook(root / "notebooks" / "01-demo.ipynb", "01 · Demo notebook")
    _notebook(root / "notebooks" / "02-other.ipynb", "02 · Other notebook")
    (root / "notebooks" / ".02-other.running.ipynb").write_text("{}")  # papermill temp: ignored
    (root / "notebooks" / "02-other.failed.ipynb").write_text("{}")  # failed run: ignored
    _figure(root, "01-demo", "demo_chart", "demo_data", "Légende FR démo", "Demo EN caption", "Source : démo")
    _figure(root, "02-other", "other_chart", "other_data", "Autre légende", "Other caption", "Source: other")
    _figure(root, "09-orphan", "orphan_chart", "orphan_data", "Orpheline", "Orphan", "Source: orphan")
    (root / "data" / "processed" / "claims.csv").write_text(CLAIMS_CSV, encoding="utf-8")
    vdir = root / "build" / "variants" / "01-en"
    _notebook(vdir / "notebooks" / "01-demo.ipynb", "01 · Demo notebook", injected={"lang": "en", "output_root": str(vdir)})
    _figure(vdir, "01-demo", "demo_chart", "demo_data", "Légende FR démo", "Demo EN caption (variant)", "Source : démo")
    (vdir / "variant.json").write_text(json.dumps({"name": "01-en", "notebook": "01-demo", "description": "In English.",
                                                    "parameters": {"lang": "en"}}))
    return root


@pytest.fixture()
def built(repo: Path, tmp_path: Path) -> Path:
    return site.build(tmp_path / "site", root=repo).parent


def _read(p: Path) -> str:
    return p.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- HTML generation


def test_every_figure_card_appears_with_captions_credit_and_links(repo, built):
    index = _read(built / "index.html")
    for card_path in sorted((repo / "figures").glob("*/*.json")):
        card = json.loads(card_path.read_text())
        block = re.search(rf'<figure class="mr-card" id="fig-{card["notebook"]}-{card["name"]}">(.*?)</figure>', index, re.S)
        assert block, f"{card_path.name} missing from the gallery"
        text = html.unescape(block.group(1))
        for expected in (card["caption"]["fr"], card["caption"]["en"], card["credit"], card["png"], card["csv"]):
            assert expected in text
        for key in ("png", "svg", "csv"):
            assert (built / card[key]).read_bytes() == (repo / card[key]).read_bytes()
    assert 'href="notebooks/01-demo.html"' in index
    assert "notebook 09-orphan (not rendered)" in index  # a card whose notebook is absent: no dead link


def test_claims_table_renders_each_verdict_as_a_badge(built):
    index = _read(built / "index.html")
    rows = re.findall(r'<tr id="claim-(C\d+)">(.*?)</tr>', index, re.S)
    badges = {cid: re.search(r'class="mr-badge mr-badge-([a-z-]+)">([^<]*)<', body).groups() for cid, body in rows}
    assert badges == {
        "C1": ("not-checkable", "not checkable with the pinned data"),
        "C2": ("supported", "supported"),
        "C3": ("partly", "partly supported"),
        "C4": ("contradicted", "contradicted"),
    }
    assert "&lt;b&gt;bold&lt;/b&gt;" in index and "<b>bold</b>" not in index  # CSV text is escaped


def test_missing_claims_file_is_said_plainly(repo, tmp_path):
    (repo / "data" / "processed" / "claims.csv").unlink()
    index = _read(site.build(tmp_path / "s2", root=repo))
    assert "No verdicts yet" in index and "claims.csv</code> does not exist" in index
    assert "mr-badge" not in index


def test_claims_file_without_a_column_is_an_error(repo, tmp_path):
    (repo / "data" / "processed" / "claims.csv").write_text("claim_id,claim\nC1,x\n")
    with pytest.raises(site.SiteError, match=r"claims.csv: missing column\(s\) \['article_value'"):
        site.build(tmp_path / "s3", root=repo)


def test_parameters_box_default_run_and_variant(repo, built):
    page = _read(built / "notebooks" / "01-demo.html")
    box = re.search(r'<section[^>]*class="mr-params".*?</section>', page, re.S).group(0)
    assert "Default run" in box
    cells = re.findall(r"<tr[^>]*><td><code>(\w+)</code></td><td><code>([^<]*)</code>", box)
    assert [(n, html.unescape(v)) for n, v in cells] == [("lang", '"fr"'), ("output_root", '""'), ("top_n", "10")]
    assert "label language" in box and "injected" not in box

    vpage = _read(built / "variants" / "01-en" / "notebooks" / "01-demo.html")
    vbox = re.search(r'<section[^>]*class="mr-params".*?</section>', vpage, re.S).group(0)
    vcells = {n: html.unescape(v) for n, v in re.findall(r"<tr[^>]*><td><code>(\w+)</code></td><td><code>([^<]*)</code>", vbox)}
    assert vcells == {"lang": "'en'", "output_root": "'build/variants/01-en'", "top_n": "10"}
    assert vbox.count('class="mr-injected"') == 2
    assert str(repo) not in vbox


def test_variants_are_listed_with_parameters_and_pages(built):
    index = _read(built / "index.html")
    section = re.search(r'<section id="variants">(.*?)</section>', index, re.S).group(1)
    assert "01-en" in section and "In English." in section
    assert 'href="variants/01-en/notebooks/01-demo.html"' in section
    assert "<code>lang</code></td><td><code>&#39;en&#39;</code>" in section
    assert (built / "variants" / "01-en" / "figures" / "01-demo" / "demo_chart.png").is_file()


def test_no_variants_is_said_plainly(repo, tmp_path):
    shutil.rmtree(repo / "build")
    index = _read(site.build(tmp_path / "s4", root=repo))
    assert "No variant was built" in index


def test_code_cells_are_folded_and_notebooks_filtered(built):
    page = _read(built / "notebooks" / "01-demo.html")
    assert page.count('<details class="mr-code">') == 3  # the three code cells, closed by default
    assert "<details class=\"mr-code\" open" not in page
    assert sorted(p.name for p in (built / "notebooks").glob("*.html")) == ["01-demo.html", "02-other.html"]


def _refs(page: str) -> list[str]:
    return [html.unescape(u) for u in re.findall(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", page)]


def test_links_are_relative_resolve_and_nothing_is_remote(repo, built):
    pages = sorted(built.rglob("*.html"))
    assert len(pages) == 4  # index, two notebooks, one variant notebook
    for page in pages:
        text = _read(page)
        assert "<script" not in text.lower(), f"{page.name}: has a script"
        assert str(repo) not in text and str(built) not in text
        for url in _refs(text):
            if url.startswith(("#", "data:")):
                continue
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{page.name}: remote or absolute reference {url}"
            assert not parts.path.startswith("/"), f"{page.name}: absolute path {url}"
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.exists(), f"{page.relative_to(built)}: dead link {url}"


def test_markdown_links_outside_the_site_are_unlinked(built):
    page = _read(built / "notebooks" / "01-demo.html")
    assert 'href="../figures/01-demo/demo_chart.svg"' in page  # in the site: kept
    assert 'href="../data/sources.yaml"' not in page and "not in the site: ../data/sources.yaml" in page
    assert 'href="../index.html"' in page  # the way back to the index is a live link
    vpage = _read(built / "variants" / "01-en" / "notebooks" / "01-demo.html")
    assert 'href="../../../index.html"' in vpage and 'href="../../../assets/site.css"' in vpage


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


# --------------------------------------------------------------------------- in a real browser


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " — CI must run the browser test")
    pytest.skip(reason)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # the browser may drop a connection early
        pass


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory) -> Path:
    _chromium_or_skip()
    return site.build(tmp_path_factory.mktemp("site") / "site").parent


@pytest.fixture(scope="module")
def server(repo_site):
    httpd = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(repo_site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _check_page(page, url: str, mode: str, checked_links: set, site_dir: Path) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    for src, complete, width in page.eval_on_selector_all("img", "els => els.map(e => [e.currentSrc || e.src, e.complete, e.naturalWidth])"):
        if not complete or width == 0:
            problems.append(f"image not loaded: {src[:80]}")
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        parts = urlsplit(href)
        if href.startswith(("#", "mailto:")):
            continue
        if parts.scheme in ("http", "https") and parts.hostname != "127.0.0.1":
            continue  # a link to the web: navigation only, never loaded by the page
        target = urljoin(url, href).split("#")[0]
        if target in checked_links:
            continue
        checked_links.add(target)
        if mode == "file":
            path = Path(unquote(urlsplit(target).path))
            if not (path.exists() and path.resolve().is_relative_to(site_dir.resolve())):
                problems.append(f"dead link {href} → {path}")
        else:
            with urlopen(target, timeout=10) as resp:  # 127.0.0.1 only: the test server
                if resp.status != 200:
                    problems.append(f"link {href}: HTTP {resp.status}")
    return problems


@pytest.mark.browser
def test_site_in_a_browser_from_disk_and_from_a_server(repo_site, server):
    from playwright.sync_api import sync_playwright

    pages = ["index.html"] + sorted(p.relative_to(repo_site).as_posix() for p in repo_site.rglob("*.html") if p.name != "index.html")
    assert any(p.startswith("notebooks/") for p in pages), "no notebook page was built"
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            for mode, base in (("file", repo_site.resolve().as_uri() + "/"), ("http", server)):
                checked: set[str] = set()
                for rel in pages:
                    page = context.new_page()
                    found = _check_page(page, urljoin(base, rel), mode, checked, repo_site)
                    problems += [f"[{mode}] {rel}: {x}" for x in found]
                    if rel == "index.html" and mode == "http":
                        ARTIFACTS.mkdir(exist_ok=True)
                        page.screenshot(path=str(ARTIFACTS / "site-index.png"), full_page=True)
                        folded = page.eval_on_selector_all("details.mr-code[open]", "els => els.length")
                        assert folded == 0
                    page.close()
        finally:
            browser.close()
    assert not problems, "\n".join(problems[:40])
    assert (ARTIFACTS / "site-index.png").stat().st_size > 10_000
