"""The reader's site as a reader sees it: both editions built from this repository's products,
loaded in headless Chromium (Debian's, through Playwright) at 1400 px and 390 px, offline.

Checks every page: no console error or failed request, every image loads, every local link
resolves (external links are only checked for being well-formed: no network), no horizontal
scrolling at 390 px, a language switch to the same page in the other language, and axe-core
finds no serious or critical accessibility violation (all its findings are written to
``build/site-screens/<width>px/axe.json``). Full-page screenshots go to
``build/site-screens/<width>px/`` for a human to look at.

Needs: ``make site`` first (the English runs in build/site-runs/en), /usr/bin/chromium
(``apt-get install chromium``) and axe-core (``npm ci --prefix tools/site-check``). Outside CI a
missing piece skips with the reason; in CI (CI=true) it fails.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import urlopen

import pytest

from modelrace import paths, site

CHROMIUM = Path("/usr/bin/chromium")
AXE = paths.ROOT / "tools" / "site-check" / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = paths.BUILD / "site-screens"
EN_RUNS = paths.BUILD / "site-runs" / "en"
WIDTHS = {"desktop": (1400, 900), "phone": (390, 844)}
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# directories of a build machine, as they would appear in a leaked path
MACHINE_PATH = re.compile(rb"(?<![\w.~:/-])/(?:home|root|tmp|work|Users|var|opt|srv|mnt|builds?|runner|github)/[\w.-]")


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " (CI must run the reader's-eye site test)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Both editions built from the repository's products (no notebook is run here)."""
    _need((EN_RUNS / "notebooks").is_dir(), f"{EN_RUNS.relative_to(paths.ROOT)} missing: run `make site` first")
    return site.build(tmp_path_factory.mktemp("site") / "site").parent


def test_no_machine_path_in_any_file_of_the_site(built):
    offenders = []
    for f in sorted(built.rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            if str(paths.ROOT).encode() in data or str(built).encode() in data:
                offenders.append(f"{f.relative_to(built)}: names the checkout or the build directory")
            m = MACHINE_PATH.search(data)
            if m:
                offenders.append(f"{f.relative_to(built)}: {data[max(0, m.start() - 40): m.end() + 40]!r}")
    assert not offenders, "\n".join(offenders[:20])


def test_both_editions_have_the_same_pages_and_every_notebook(built):
    fr = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html") if not p.relative_to(built).as_posix().startswith("en/"))
    en = sorted(p.relative_to(built / "en").as_posix() for p in (built / "en").rglob("*.html"))
    assert fr == en
    expected = {f"notebooks/{p.stem}.html" for p in site.executed_notebooks(paths.ROOT)}
    assert expected and expected <= set(fr)
    for rel in ("index.html", *sorted(expected)):
        assert re.search(r'<html lang="fr"', (built / rel).read_text(encoding="utf-8"))
        assert re.search(r'<html lang="en"', (built / "en" / rel).read_text(encoding="utf-8"))


def test_each_edition_shows_the_charts_of_its_language(built):
    for prefix, lang in (("", "fr"), ("en/", "en")):
        index = (built / prefix / "index.html").read_text(encoding="utf-8")
        pngs = re.findall(r'<img src="(figures/[^"]+\.png)"', index)
        assert len(pngs) == len(list((paths.FIGURES).glob("*/*.json")))
        base = paths.ROOT if lang == "fr" else EN_RUNS
        for png in pngs:
            card = json.loads((base / png).with_suffix(".json").read_text(encoding="utf-8"))
            assert card["lang"] == lang, png
            assert (built / prefix / png).read_bytes() == (base / png).read_bytes()


# --------------------------------------------------------------------------- in Chromium


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # the browser may drop a connection early
        pass


@pytest.fixture(scope="module")
def server(built):
    httpd = _QuietServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(built)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    _need(CHROMIUM.exists(), f"{CHROMIUM} not found: apt-get install chromium")
    _need(AXE.is_file(), f"{AXE.relative_to(paths.ROOT)} not found: npm ci --prefix tools/site-check")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()


def _pages(built: Path) -> list[str]:
    rels = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    return sorted(rels, key=lambda r: (r.startswith("en/"), r != "index.html" and r != "en/index.html", r))


def _well_formed_external(href: str) -> bool:
    parts = urlsplit(href)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and "." in parts.netloc and not re.search(r"\s", href)


def _local_ok(target: str, mode: str, built: Path) -> bool:
    if mode == "file":
        path = Path(unquote(urlsplit(target).path))
        return path.exists() and path.resolve().is_relative_to(built.resolve())
    with urlopen(target, timeout=10) as resp:  # 127.0.0.1 only: the test server
        return resp.status == 200


def _visit(page, url: str) -> list[str]:
    """Load ``url``, force lazy images to load, and return what went wrong on the way."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:100]} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="load")
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
    for src, width in page.eval_on_selector_all("img", "els => els.map(e => [e.currentSrc || e.src, e.naturalWidth])"):
        if width == 0:
            problems.append(f"image not loaded: {src[:100]}")
    return problems


def _check_links(page, url: str, mode: str, built: Path, checked: set) -> list[str]:
    problems = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if href.startswith("#"):
            if href != "#" and not page.evaluate(
                    "id => !!(document.getElementById(id) || document.getElementById(decodeURIComponent(id)))", href[1:]):
                problems.append(f"anchor {href} has no target")
            continue
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") and parts.hostname != "127.0.0.1":
            if not _well_formed_external(href):
                problems.append(f"malformed external link {href!r}")
            continue  # never loaded: no network
        if parts.scheme or parts.netloc or href.startswith("/"):
            problems.append(f"absolute or foreign link {href!r}")
            continue
        target = urljoin(url, href).split("#")[0]
        if target not in checked:
            checked.add(target)
            if not _local_ok(target, mode, built):
                problems.append(f"dead link {href}")
    return problems


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return result


@pytest.mark.browser
@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_every_page_in_chromium(built, server, browser, device):
    width, height = WIDTHS[device]
    pages = _pages(built)
    shots = SCREENS / f"{width}px"
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    problems: list[str] = []
    axe_report: dict[str, list] = {}
    checked: set[str] = set()
    try:
        for rel in pages:
            page = context.new_page()
            url = urljoin(server, rel)
            found = _visit(page, url)
            found += _check_links(page, url, "http", built, checked)
            # the same page in the other language, one click away
            own = page.evaluate("document.documentElement.lang")
            switch = page.eval_on_selector_all(".mr-switch a[hreflang]", "els => els.map(e => [e.getAttribute('href'), e.hreflang])")
            if len(switch) != 1:
                found.append(f"expected one language switch link, found {switch}")
            else:
                href, other = switch[0]
                target = Path(unquote(urlsplit(urljoin(url, href)).path)).as_posix().lstrip("/")
                mirror = rel[3:] if rel.startswith("en/") else f"en/{rel}"
                if target != mirror or {own, other} != {"fr", "en"}:
                    found.append(f"language switch goes to {target} ({other}), expected {mirror}")
            if device == "phone":
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if overflow > 0:
                    wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
                        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                        .slice(0, 3).map(e => e.tagName + '.' + e.className)""")
                    found.append(f"scrolls horizontally by {overflow}px at {width}px: {wide}")
            violations = _axe(page)
            if violations:
                axe_report[rel] = violations  # every impact, for the record; serious and critical fail
            found += [f"axe {v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in violations
                      if v["impact"] in ("serious", "critical")]
            page.screenshot(path=str(shots / (rel.replace("/", "__").removesuffix(".html") + ".png")), full_page=True)
            problems += [f"{rel}: {x}" for x in found]
            page.close()
    finally:
        context.close()
    (shots / "axe.json").write_text(json.dumps(axe_report, indent=2, sort_keys=True) + "\n")
    assert not problems, f"{len(problems)} problem(s) at {width}px:\n" + "\n".join(problems[:60])
    assert len(list(shots.glob("*.png"))) == len(pages)


@pytest.mark.browser
def test_pages_open_from_disk(built, browser):
    """The site also works opened as files (file://): images load, local links resolve."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    base = built.resolve().as_uri() + "/"
    problems: list[str] = []
    checked: set[str] = set()
    try:
        for rel in ("index.html", "en/index.html", "notebooks/01-openrouter-china-share.html", "en/notebooks/05-claims.html"):
            page = context.new_page()
            url = urljoin(base, rel)
            problems += [f"{rel}: {x}" for x in _visit(page, url) + _check_links(page, url, "file", built, checked)]
            page.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems[:40])


@pytest.mark.browser
def test_notebook_pages_fold_code_and_show_analysis_first(built, server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(urljoin(server, "notebooks/01-openrouter-china-share.html"), wait_until="load")
        assert page.eval_on_selector_all("details.mr-code", "els => els.length") > 0
        assert page.eval_on_selector_all("details.mr-code[open]", "els => els.length") == 0
        # folded code is not visible; the analysis (markdown, outputs) is
        assert not page.is_visible("details.mr-code .jp-InputArea")
        assert page.is_visible(".jp-MarkdownCell >> nth=0")
        assert page.eval_on_selector_all(".jp-OutputArea-output img", "els => els.filter(e => e.offsetWidth > 0).length") > 0
        assert page.is_visible("details.mr-params > summary")
    finally:
        context.close()
