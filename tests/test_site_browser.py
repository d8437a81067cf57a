"""The published site, tested in a real browser.

The site is site (`mkdocs build --strict`) into a temporary folder, served by a local
HTTP server on 127.0.0.1, and driven by Playwright's Python package with Debian's
chromium (`executable_path`; no browser download).  Each page must load with no console
error, make no request off localhost, and pass axe-core (from npm, pinned by
tests/browser/package-lock.json) with no serious or critical violation.  Screenshots and
the PDF of the print view are kept under build/browser/ as artefacts.

The one build holds both editions (the English build makes the Chinese one in zh/,
frs_tools/site_hook.py); the stale-marker test builds the Chinese edition alone from a
copy whose English clause it edits.

`make test` installs chromium, axe-core and the CJK fonts first (`make browser`) and sets
FRS_REQUIRE_BROWSER=1, so a missing browser fails there; a bare `pytest` without them
skips this file.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest

from frs_tools import languages, redirects
from frs_tools import pages as pages_module
from frs_tools.check import unique_clauses
from frs_tools.clauses import parse_spec
from frs_tools.project import Project
from frs_tools.site import COMMENT_FORM
from frs_tools.site import edition as edition_of
from frs_tools.site import model as site_model

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("FRS_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "build" / "browser"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Pages whose screenshots are kept (desktop and phone): the home page, a chapter, the
# formulas, a class, the wide tables, a schema.
KEY_PAGES = {"": "home", "06-accuracy/": "chapter-6", "annex-b-formulas/": "annex-b",
             "reference/classes/v-l/": "class-v-l", "reference/traceability/": "traceability",
             "reference/classes/": "classes", "reference/ics-proforma/": "ics",
             "reference/schemas/evaluation-report/": "schema-evaluation-report"}

missing = [str(p) for p in (CHROMIUM, AXE) if not p.exists()]
if missing and not os.environ.get("FRS_REQUIRE_BROWSER"):
    pytest.skip(f"browser tests need {', '.join(missing)} (run `make browser`)",
                allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "--site-dir", str(out)], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    return out


def _served(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def base_url(site: Path):
    yield from _served(site)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS,
                                              headless=True)
        yield chromium
        chromium.close()


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    yield tab
    context.close()


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the site, as a path relative to the site root."""
    found = []
    for path in sorted(site.rglob("index.html")):
        relative = path.parent.relative_to(site).as_posix()
        found.append("" if relative == "." else relative + "/")
    return found


def clauses():
    return unique_clauses(parse_spec(Project.load(ROOT)).clauses)


def chapter_titles() -> dict[str, str]:
    return parse_spec(Project.load(ROOT)).titles


def clause_url(clause) -> str:
    return clause.file.removeprefix("spec/").removesuffix(".md").removesuffix("index") + "/"


class Recorder:
    """Every request, console error and page error of one tab."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url}: HTTP {r.status}"))

    def off_localhost(self) -> list[str]:
        return [u for u in self.requests
                if urlsplit(u).scheme not in ("data", "blob", "about")
                and urlsplit(u).hostname not in LOCAL_HOSTS]


# Text a reader sees outside code: any TeX left in it is a formula that did not render.
RAW_TEX = re.compile(r"\\[\[\(\]\)]|\$\$|\\(frac|mathrm|tau|begin)\b")
VISIBLE_TEXT = """() => {
  const skip = "pre, code, script, style, .katex-mathml, .md-search";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest(skip)) parts.push(walker.currentNode.data);
  }
  return parts.join(" ");
}"""
FORMULAS = """() => [...document.querySelectorAll('.arithmatex')].map(e => [
  e.tagName, !!e.querySelector(e.tagName === 'DIV' ? '.katex-display .katex-html' : '.katex-html'),
  e.textContent.slice(0, 60)])"""


def unrendered_formulas(page) -> list[str]:
    """Formulas KaTeX did not typeset, and raw TeX anywhere in the page's visible text."""
    found = [f"formula not typeset: {text!r}" for _, done, text in page.evaluate(FORMULAS)
             if not done]
    found += [f"raw TeX in the text: {m.group()!r}"
              for m in RAW_TEX.finditer(page.evaluate(VISIBLE_TEXT))]
    return found


def edition_problems(page) -> list[str]:
    """The page says which text it is, from pyproject.toml, and links the comment form
    (in the page's language)."""
    edition = edition_of(Project.load(ROOT))
    bar = page.locator(".md-banner .frs-edition")
    if not bar.count() or not bar.is_visible():
        return ["no edition bar"]
    zh = page.evaluate("() => document.documentElement.lang") == languages.ZH
    status = ("工作草案" if not edition.published else f"版本 {edition.version}") if zh \
        else edition.status
    text, found = bar.inner_text(), []
    for wanted in (status, edition.version, edition.date):
        if wanted not in text:
            found.append(f"the edition bar does not say {wanted!r}: {text!r}")
    comment = bar.locator("a", has_text="对本页提出意见" if zh else "Comment on this page")
    if not comment.count() or not comment.get_attribute("href").startswith(
            edition.repository + "/issues/new?"):
        found.append("the edition bar has no comment link")
    return found


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, "
                           "{resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_every_page_loads_clean_private_and_accessible(site, base_url, page):
    """No console error, no failed request, nothing off localhost, no serious axe finding."""
    recorder = Recorder(page)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    pages = site_pages(site)
    assert "reference/traceability/" in pages and "print_page/" in pages
    links: dict[str, set[str]] = {}
    dom_ids: dict[str, set[str]] = {}
    for path in pages:
        before = len(recorder.errors), len(recorder.failed)
        page.goto(base_url + path, wait_until="networkidle")
        assert page.title(), f"{path}: no title"
        dom_ids[path] = set(page.evaluate(
            "() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
        if not path.endswith("print_page/"):  # print-site rewrites its links; see the print test
            for href in page.evaluate("() => [...document.querySelectorAll('a[href]')]"
                                      ".map(a => a.href)"):
                links.setdefault(href, set()).add(path)
        problems += [f"{path}: console: {e}" for e in recorder.errors[before[0]:]]
        problems += [f"{path}: request: {e}" for e in recorder.failed[before[1]:]]
        problems += [f"{path}: {p}" for p in unrendered_formulas(page)]
        problems += [f"{path}: {p}" for p in edition_problems(page)]
        problems += [f"{path}: axe: {v}" for v in axe_violations(page)]
        if path in KEY_PAGES:
            page.screenshot(path=str(ARTEFACTS / f"{KEY_PAGES[path]}.png"), full_page=True)
    assert recorder.requests, "no request recorded"
    assert recorder.off_localhost() == []
    problems += broken_links(site, base_url, links, dom_ids)
    assert problems == [], "\n".join(problems)


def broken_links(site: Path, base_url: str, links: dict[str, set[str]],
                 dom_ids: dict[str, set[str]]) -> list[str]:
    """Every link to the site reaches a file, and its #fragment is an id of that page as the
    browser site it (links in raw HTML escape MkDocs' own check; this one sees them all)."""
    broken = []
    for href, sources in sorted(links.items()):
        if not href.startswith(base_url):
            continue
        url, _, fragment = href.partition("#")
        relative = urlsplit(url).path.removeprefix(urlsplit(base_url).path)
        target = site / relative
        if target.is_dir() or relative == "":
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{sorted(sources)[0]}: link to {href}: no such page")
        elif fragment and relative in dom_ids and fragment not in dom_ids[relative]:
            broken.append(f"{sorted(sources)[0]}: link to {href}: no such anchor")
    return broken


def lines_after(clause) -> int:
    return len((ROOT / clause.file).read_text(encoding="utf-8").splitlines()) - clause.line


def test_a_permalink_scrolls_to_its_requirement(base_url, page):
    # The deepest clause with a screenful of text below it: far enough down that the page
    # must scroll, and far enough from the end that it can scroll the clause to the top.
    chosen = [c for c in clauses() if c.file.endswith(".md") and lines_after(c) >= 60]
    clause = max(chosen, key=lambda c: c.line)
    page.goto(f"{base_url}{clause_url(clause)}#{clause.id}", wait_until="networkidle")
    heading = page.locator(f"h4[id='{clause.id}']")
    assert heading.inner_text().startswith(clause.id)
    page.wait_for_function("() => window.scrollY > 0")
    top = heading.evaluate("e => e.getBoundingClientRect().top")
    height = page.evaluate("() => window.innerHeight")
    # Near the end of a page the heading cannot reach the top: the page is then scrolled
    # to its bottom, with the heading in view.
    at_bottom = page.evaluate("() => window.scrollY + window.innerHeight >= "
                              "document.documentElement.scrollHeight - 1")
    limit = height if at_bottom else height / 2
    assert 0 <= top < limit, f"{clause.id} is at {top}px of a {height}px viewport"


def test_search_for_a_requirement_id_finds_its_page(base_url, page):
    """For the first requirement of every page: searching its ID lists the defining page."""
    firsts = {}
    for clause in clauses():
        firsts.setdefault(clause.file, clause)
    assert firsts
    page.goto(base_url, wait_until="networkidle")
    query = page.locator("input[data-md-component='search-query']")
    for clause in firsts.values():
        query.click()
        query.fill("")
        query.press_sequentially(clause.id, delay=10)  # Material searches on key events
        top = page.locator(".md-search-result__item").first
        wanted = urljoin(base_url, clause_url(clause))
        hrefs: list[str] = []
        for _ in range(50):  # results update as the worker answers; poll up to ~5 s
            if top.count():
                hrefs = top.locator("a").evaluate_all("links => links.map(a => a.href)")
            if any(f"{u.scheme}://{u.netloc}{u.path}" == wanted and u.fragment == clause.id
                   for u in map(urlsplit, hrefs)):
                break
            page.wait_for_timeout(100)
        else:
            raise AssertionError(f"search for {clause.id}: top result {hrefs[:5]}, "
                                 f"expected {wanted}#{clause.id}")
        page.keyboard.press("Escape")


def test_formulas_render_as_katex_and_search_shows_no_tex(site, base_url, page):
    """Annex B's formulas are typeset by the site's own KaTeX; a search hit on them reads
    as text, and the search index holds no TeX source."""
    page.goto(base_url + "annex-b-formulas/", wait_until="networkidle")
    formulas = page.evaluate(FORMULAS)
    assert len(formulas) >= 10, formulas
    assert unrendered_formulas(page) == []
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert [d["location"] for d in index["docs"] if RAW_TEX.search(d["text"])] == []
    query = page.locator("input[data-md-component='search-query']")
    query.click()
    query.press_sequentially("FNMR", delay=10)
    results = page.locator(".md-search-result__item")
    results.first.wait_for()
    text = page.locator(".md-search-result").inner_text()
    assert "FNMR" in text and not RAW_TEX.search(text), text[:500]


# The tallest row a table may have at 1280 px: four lines of its 0.7rem text and padding.
ROW_MAX_PX = 100
# Where every table's columns stand, and what the reader can see of them without scrolling.
COLUMNS = """() => {
  const toc = document.querySelector('.md-sidebar--secondary');
  const tocLeft = toc && getComputedStyle(toc).display !== 'none' && toc.offsetWidth
    ? toc.getBoundingClientRect().left : Infinity;
  return [...document.querySelectorAll('article table')].map(t => {
    const box = (t.closest('.md-typeset__scrollwrap, .frs-scroll') || t.parentElement)
      .getBoundingClientRect();
    const right = Math.min(box.right, tocLeft, window.innerWidth);
    return [...t.querySelectorAll('thead th')].filter(
      th => th.getBoundingClientRect().right > right + 1).map(th => th.innerText);
  });
}"""


def hidden_columns(page) -> list[str]:
    return [name for table in page.evaluate(COLUMNS) for name in table]


def test_the_traceability_matrix_fits_a_screen_and_filters_without_a_server(base_url, page):
    """No row taller than four lines (the matrix was 52,878 px tall, a row up to 4,364 px);
    the tests are folded under their count; the filters show what the spec says."""
    page.goto(base_url + "reference/traceability/", wait_until="networkidle")
    rows = page.locator(".frs-matrix tbody tr")
    every = clauses()
    assert rows.count() == len(every)
    heights = rows.evaluate_all("rs => rs.map(r => r.getBoundingClientRect().height)")
    assert max(heights) <= ROW_MAX_PX, f"the tallest row is {max(heights):.0f} px"
    assert hidden_columns(page) == []
    folded = page.locator(".frs-matrix details")  # only with test results (`make test`)
    if folded.count():
        assert folded.evaluate_all("ds => ds.every(d => !d.open)")
        first = folded.first
        listed = first.locator("li").count()
        assert first.locator("summary").inner_text().strip() == str(listed) and listed > 0
        first.locator("summary").click()
        assert first.locator("li").first.is_visible()

    def shown(label: str, value: str) -> list[str]:
        page.locator(f".frs-filter-bar label:has-text('{label}') select").select_option(value)
        return page.locator(".frs-matrix tbody tr:not([hidden]) td:first-child a").evaluate_all(
            "links => links.map(a => a.innerText)")

    titles = chapter_titles()
    chapter_6 = next(f for f, t in titles.items() if t.startswith("6 "))
    assert shown("Chapter", "6") == sorted(c.id for c in every if c.file == chapter_6)
    assert shown("Classes", "P") == sorted(c.id for c in every
                                           if c.file == chapter_6 and c.applies_to("P"))
    shown("Chapter", "")
    assert shown("Classes", "P") == sorted(c.id for c in every if c.applies_to("P"))
    assert page.locator(".frs-filter-bar output").inner_text() == \
        f"{sum(c.applies_to('P') for c in every)} of {len(every)} shown"


@pytest.mark.parametrize("path", ["reference/classes/", "reference/ics-proforma/",
                                  "reference/schemas/evaluation-report/",
                                  "reference/schemas/conformance-statement/"])
def test_wide_tables_show_every_column_inside_the_content_at_1280(base_url, page, path):
    """At 1280 px no column is cut off or drawn under the table of contents (the classes
    table hid its shall/should/may counts, the ICS its answer columns, the schema tables
    ran under the table of contents); no stray 'Schema' label sits in a schema table."""
    page.goto(base_url + path, wait_until="networkidle")
    assert page.locator("article table").count()
    assert hidden_columns(page) == []
    labels = page.locator("article table").evaluate_all(
        "ts => ts.map(t => getComputedStyle(t, '::before').content)")
    assert set(labels) <= {"none", "normal"}, labels


def test_on_a_phone_pages_fit_and_the_matrix_keeps_its_key_columns(browser, base_url):
    """At 390 x 844 no page is wider than the screen (wide tables scroll inside the
    content), and the matrix shows requirement, level, chapter, classes, tests, status."""
    context = browser.new_context(viewport=PHONE, service_workers="block", is_mobile=True)
    page = context.new_page()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for path, name in KEY_PAGES.items():
        page.goto(base_url + path, wait_until="networkidle")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: the page is {width} px wide")
        problems += [f"{path}: {p}" for p in edition_problems(page)]
        problems += [f"{path}: axe: {v}" for v in axe_violations(page)]
        page.screenshot(path=str(ARTEFACTS / f"{name}-phone.png"))
    page.goto(base_url + "reference/traceability/", wait_until="networkidle")
    visible = page.locator(".frs-matrix thead th").evaluate_all(
        "hs => hs.filter(h => h.offsetWidth).map(h => h.innerText)")
    assert visible == ["Requirement", "Level", "Chapter", "Classes", "Tests", "Status"]
    context.close()
    assert problems == [], "\n".join(problems)


def test_every_clause_links_its_comment_form_with_its_id_and_version(base_url, page):
    edition = edition_of(Project.load(ROOT))
    for file in sorted({c.file for c in clauses()}):
        page.goto(base_url + clause_url(next(c for c in clauses() if c.file == file)),
                  wait_until="domcontentloaded")
        links = page.locator(".frs-requirement").evaluate_all(
            "bs => bs.map(b => [b.querySelector('h4').id, "
            "(b.querySelector('a.frs-comment') || {}).href])")
        for clause_id, href in links:
            assert href, f"{clause_id}: no comment link"
            url = urlsplit(href)
            assert f"{url.scheme}://{url.netloc}{url.path}" == \
                f"{edition.repository}/issues/new"
            fields = parse_qs(url.query)
            assert fields["clause"] == [clause_id] and fields["version"] == [edition.version]
            assert fields["template"] == [COMMENT_FORM]


def test_traceability_matrix_links_resolve(base_url, page):
    """Every link in the matrix reaches a page, and its #anchor exists on that page."""
    matrix = base_url + "reference/traceability/"
    page.goto(matrix, wait_until="networkidle")
    hrefs = page.locator(".frs-matrix table a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= len(clauses())
    targets: dict[str, set[str]] = {}
    for href in hrefs:
        url, _, anchor = urljoin(matrix, href).partition("#")
        targets.setdefault(url, set()).add(anchor)
    broken = []
    for url, anchors in sorted(targets.items()):
        response = page.goto(url, wait_until="domcontentloaded")
        if response is None or response.status != 200:
            broken.append(f"{url}: HTTP {response.status if response else '?'}")
            continue
        ids = set(page.evaluate("() => [...document.querySelectorAll('[id]')].map(e => e.id)"))
        broken += [f"{url}#{a}: no such anchor" for a in anchors if a and a not in ids]
    assert broken == [], "\n".join(broken)


REFERENCE_SHARE_MAX = 0.1


def test_print_view_renders_every_clause_and_makes_a_pdf(base_url, page):
    page.goto(base_url + "print_page/", wait_until="networkidle")
    page.emulate_media(media="print")
    headings = page.locator("h4.frs-requirement-id").evaluate_all(
        "hs => hs.map(h => [h.id, h.innerText])")
    shown = {text.split(" ")[0]: anchor for anchor, text in headings}
    for clause in clauses():
        assert clause.id in shown, f"{clause.id} is missing from the print view"
        assert shown[clause.id].endswith(clause.id)  # its anchor survives, page-prefixed
    assert len(page.evaluate(FORMULAS)) >= 10
    assert unrendered_formulas(page) == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTEFACTS / "frs.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 2, f"the PDF has {pages} page(s)"
    # The standard's text, the long tables left to the site (the PDF had 232 pages, about
    # 150 of them the matrix, class pages, code and ICS): the reference tables it keeps
    # (classes at a glance, coverage, their addresses) take a small share of it.
    assert page.locator(".frs-matrix, .frs-ics").count() == 0
    printed = {redirects.page_url(path).strip("/").replace("/", "-")
               for path, _, _ in pages_module.REFERENCE_TABLES + (
                   (pages_module.REFERENCE_INDEX, "", ""),)}
    heights = dict(page.evaluate("() => [...document.querySelectorAll("
                                 "'#print-site-page section.print-page')].map(s => "
                                 "[s.id, s.getBoundingClientRect().height])"))
    whole = page.locator("#print-site-page").evaluate("e => e.getBoundingClientRect().height")
    tables = sum(h for key, h in heights.items() if key in printed)
    assert tables <= REFERENCE_SHARE_MAX * whole, \
        f"reference tables take {tables / whole:.0%} of the print view"
    cover = page.locator("#print-site-cover-page").inner_text()
    edition = edition_of(Project.load(ROOT))
    assert edition.status in cover and edition.version in cover and edition.repository in cover


def test_a_renamed_page_redirects_keeping_the_requirement_anchor(site, base_url, page):
    """frs_tools/redirects.py: an old address lands on the new page, at the same requirement."""
    clause = clauses()[0]
    new = clause.file.removeprefix("spec/")
    redirects.write(site, {"old/renamed-page.md": new})
    page.goto(f"{base_url}old/renamed-page/#{clause.id}", wait_until="networkidle")
    assert page.url == f"{base_url}{clause_url(clause)}#{clause.id}"
    top = page.locator(f"h4[id='{clause.id}']").evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < page.evaluate("() => window.innerHeight")


def test_broken_links_are_found(tmp_path):
    """The link check itself: a missing page, a missing anchor, a good link, an outside one."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<h4 id='FRS-ACC-001'>x</h4>")
    (tmp_path / "index.html").write_text("home")
    base = "http://127.0.0.1:1/"
    links = {base + "a/#FRS-ACC-001": {""}, base + "a/#FRS-ACC-009": {""},
             base + "reference/02-conformance.md#FRS-CNF-001": {"reference/traceability/"},
             base: {"a/"}, "https://example.org/": {""}}
    assert broken_links(tmp_path, base, links, {"a/": {"FRS-ACC-001"}, "": set()}) == [
        ": link to http://127.0.0.1:1/a/#FRS-ACC-009: no such anchor",
        "reference/traceability/: link to http://127.0.0.1:1/reference/02-conformance.md"
        "#FRS-CNF-001: no such page"]


# ---- The Chinese edition (/zh/) --------------------------------------------------------

ZH = f"{languages.FOLDER}/"
# Characters the page's font and every fallback lack are drawn as the same "tofu" box as a
# code point no font has; a canvas compares each visible character's drawing with it.
MISSING_GLYPHS = """(text) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 48;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  ctx.font = `32px ${getComputedStyle(document.body).fontFamily}`;
  const draw = (c) => { ctx.clearRect(0, 0, 48, 48); ctx.fillText(c, 4, 38);
                        return ctx.getImageData(0, 0, 48, 48).data.join(','); };
  const tofu = draw('\\u{10FFFD}');
  return [...new Set(text)].filter(c => c.trim() && draw(c) === tofu);
}"""


def translated():
    """The translated clauses (spec/zh) with their English clauses, in spec order."""
    model = site_model(ROOT)
    return [(model.by_id[i], t) for i, t in model.translations.items() if i in model.by_id]


def missing_glyphs(page, text: str | None = None) -> list[str]:
    return page.evaluate(MISSING_GLYPHS, page.evaluate(VISIBLE_TEXT) if text is None else text)


def test_the_glyph_check_tells_a_missing_glyph_from_a_drawn_one(base_url, page):
    page.goto(base_url + ZH, wait_until="networkidle")
    assert missing_glyphs(page, "A人\U0010fffc") == ["\U0010fffc"]


def test_each_edition_renders_with_no_missing_glyph(base_url, page):
    """Every character a reader sees on the English and the Chinese home page, translated
    pages and generated tables has a glyph (the CJK fonts come from `make fonts`)."""
    paths = ["", "reference/traceability/", ZH, f"{ZH}reference/traceability/",
             f"{ZH}reference/china-profile/"]
    paths += sorted({ZH + clause_url(c) for c, _ in translated()})
    problems = []
    for path in paths:
        page.goto(base_url + path, wait_until="networkidle")
        problems += [f"{path}: no glyph for {c!r} (U+{ord(c):04X})" for c in missing_glyphs(page)]
    assert problems == [], "\n".join(problems)
    page.goto(base_url + ZH, wait_until="networkidle")
    assert page.evaluate("() => document.documentElement.lang") == "zh"


def switch_language(page, language: str) -> None:
    page.locator(".md-header__option .md-select").hover()
    page.locator(f"a.md-select__link[hreflang='{language}']").click()


def test_the_language_switch_keeps_the_reader_on_the_same_clause(base_url, page):
    """English -> Chinese on a requirement's anchor lands on that requirement in Chinese;
    Chinese -> English on a numbered heading lands on the same heading."""
    clause, translation = translated()[0]
    path = clause_url(clause)
    page.goto(f"{base_url}{path}#{clause.id}", wait_until="networkidle")
    switch_language(page, "zh")
    page.wait_for_url(f"{base_url}{ZH}{path}#{clause.id}")
    heading = page.locator(f"h4[id='{clause.id}']")
    assert translation.title in heading.inner_text()
    page.wait_for_function("() => window.scrollY > 0 || document.body.scrollHeight <= innerHeight")
    assert 0 <= heading.evaluate("e => e.getBoundingClientRect().top") < page.evaluate(
        "() => innerHeight")
    anchors = languages.heading_ids((ROOT / clause.file).read_text(encoding="utf-8"))
    section = anchors[-1]
    assert page.locator(f"[id='{section}']").count() == 1  # the Chinese heading has it
    page.goto(f"{base_url}{ZH}{path}#{section}", wait_until="networkidle")
    switch_language(page, "en")
    page.wait_for_url(f"{base_url}{path}#{section}")
    assert page.locator(f"h1[id='{section}'], h2[id='{section}'], h3[id='{section}']").count()


def search(page, text: str, wanted=lambda targets: bool(targets)) -> list[str]:
    """The result links (path#anchor) for a query typed into the search box, once
    `wanted(targets)` holds or after ~5 s (results update as the worker answers).  Material
    searches on key events, and a typed CJK character sends none, so End is pressed."""
    query = page.locator("input[data-md-component='search-query']")
    query.click()
    query.fill("")
    query.press_sequentially(text, delay=10)
    query.press("End")
    targets: list[str] = []
    for _ in range(50):
        targets = [f"{u.path}#{u.fragment}" for u in map(urlsplit, page.locator(
            ".md-search-result__item a").evaluate_all("links => links.map(a => a.href)"))]
        if wanted(targets):
            break
        page.wait_for_timeout(100)
    page.keyboard.press("Escape")
    return targets


def test_a_chinese_search_finds_its_clause(base_url, page):
    """On the Chinese site a clause's translated title, Chinese words of the standard and a
    requirement ID each find the translated clause."""
    page.goto(base_url + ZH, wait_until="networkidle")
    chosen = {}
    for clause, translation in translated():
        chosen.setdefault(clause.file, (clause, translation))
    text = "".join(p.read_text(encoding="utf-8")
                   for p in (ROOT / "spec" / languages.FOLDER).glob("*.md"))
    for word in ("人脸", "活体检测"):
        if word in text:
            assert any(t.startswith(f"/{ZH}") for t in search(page, word)), word
    problems = []
    for clause, translation in chosen.values():
        wanted = f"/{ZH}{clause_url(clause)}#{clause.id}"
        for query in (translation.title, clause.id):
            found = search(page, query, lambda targets, w=wanted: w in targets[:10])
            if wanted not in found[:10]:
                problems.append(f"search for {query!r}: {found[:5]}, expected {wanted}")
    assert problems == [], "\n".join(problems)


def test_the_chinese_print_view_has_every_translated_clause_and_makes_a_pdf(base_url, page):
    page.goto(base_url + ZH + "print_page/", wait_until="networkidle")
    page.emulate_media(media="print")
    shown = {text.split(" ")[0] for text in page.locator("h4.frs-requirement-id").all_inner_texts()}
    assert {c.id for c in clauses()} <= shown
    assert missing_glyphs(page) == []
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTEFACTS / "frs-zh.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2
    assert b"NotoSansCJK" in data or b"NotoSerifCJK" in data  # the CJK font is embedded
    cover = page.locator("#print-site-cover-page").inner_text()
    assert "工作草案" in cover or "版本" in cover


STALE_COPY = ("pyproject.toml", "mkdocs.yml", "mkdocs.zh.yml", "ids.lock", "CHANGELOG.md")


@pytest.fixture(scope="module")
def stale_site(tmp_path_factory):
    """The Chinese edition alone, built from a copy of the project whose first translated
    clause has a changed English text."""
    root = tmp_path_factory.mktemp("stale")
    for name in STALE_COPY:
        shutil.copyfile(ROOT / name, root / name)
    for folder in ("spec", "schemas", "overrides"):
        shutil.copytree(ROOT / folder, root / folder)
    for link in ("frs_tools", "reference_impl", "node_modules"):
        (root / link).symlink_to(ROOT / link)
    clause, _ = translated()[0]
    page = root / clause.file
    lines = page.read_text(encoding="utf-8").split("\n")
    end = next(i for i in range(clause.line, len(lines)) if lines[i].startswith("///"))
    lines[end - 1] += " (edited for the stale-marker test)"
    page.write_text("\n".join(lines), encoding="utf-8")
    out = root / "out"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", "mkdocs.zh.yml", "--site-dir", str(out / languages.FOLDER)],
                          cwd=root, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    yield clause, out


STALE = "() => [...document.querySelectorAll('.frs-requirement')].filter(b => " \
        "b.querySelector('.frs-stale')).map(b => b.querySelector('h4').id)"


def test_a_changed_english_clause_marks_exactly_its_translation_stale(base_url, stale_site,
                                                                      page):
    clause, out = stale_site
    path = ZH + clause_url(clause)
    page.goto(base_url + path, wait_until="networkidle")
    before = set(page.evaluate(STALE))
    served = _served(out)
    stale_url = next(served)
    try:
        page.goto(stale_url + path, wait_until="networkidle")
        assert set(page.evaluate(STALE)) == before | {clause.id}
        marker = page.locator(f".frs-requirement:has(h4[id='{clause.id}']) .frs-stale")
        assert marker.is_visible() and "译文待更新" in marker.inner_text()
        link = marker.locator("a")
        assert urljoin(page.url, link.get_attribute("href")) == \
            f"{stale_url}{clause_url(clause)}#{clause.id}"
    finally:
        next(served, None)
