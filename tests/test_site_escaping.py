"""An escaped site (issue 12, item 6): text from the spec, the schemas, the bibliography or
`ids.lock` never becomes markup that runs in a generated page, and no page links to a
script URL.  The pages are rendered with the site's own Markdown extensions (mkdocs.yml)
and the HTML is parsed, as a browser would, for script elements, `on…` attributes and
`javascript:` targets.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from frs_tools import diff, ics, pages, site
from frs_tools.clauses import Clause

ROOT = Path(__file__).resolve().parents[1]
HOOK = ROOT / "frs_tools" / "site_hook.py"
# Every way a text has been seen to turn into a script: an element, an event attribute, a
# Markdown link to a script URL, an attribute list, a formula-free break out of a table.
HOSTILE = ('<script>alert(1)</script> <img src=x onerror="alert(1)"> '
           '[x](javascript:alert(1)) ![y](javascript:alert(1)) {: onclick="alert(1)" } | `')
PAGE = """\
# 6 Accuracy

/// requirement | FRS-ACC-001
    level: shall
    title: False match rate
    schema: report#/properties/eer
    classes: V-L

An evaluation SHALL compute FMR as in Annex B.
///
"""


class _Executable(HTMLParser):
    """What in a page would run: script elements, event attributes, script URLs."""

    URLS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.shown: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            target = "".join((value or "").split()).lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            elif name in self.URLS and target.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data):
        self.shown.append(data)


def executable(html: str) -> tuple[list[str], str]:
    """What would run in `html`, and the text a reader sees."""
    parser = _Executable()
    parser.feed(html)
    return parser.found, "".join(parser.shown)


@pytest.fixture
def project(tmp_path):
    """A project whose schema, bibliography and ids.lock hold hostile text everywhere."""
    (tmp_path / "spec").mkdir()
    (tmp_path / "spec" / "06-accuracy.md").write_text(PAGE)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.frs]\nresults_dir = "results"\nclasses = ["V-L"]\n'
        '[tool.frs.areas]\nACC = "Accuracy"\n')
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "report.schema.json").write_text(json.dumps({
        "title": HOSTILE, "description": HOSTILE, "type": "object",
        "properties": {"eer": {"type": "number", "description": HOSTILE,
                               "enum": [HOSTILE]}}}))
    (tmp_path / "spec" / "bibliography.yaml").write_text(yaml.safe_dump({
        "evil": {"title": HOSTILE, "issuer": HOSTILE, "date": HOSTILE, "kind": "web",
                 "role": "informative", "url": "javascript:alert(1)", "note": HOSTILE}}))
    (tmp_path / "ids.lock").write_text(json.dumps({"format": 1, "ids": {
        "FRS-ACC-001": {"status": "active", "hash": "sha256:0"},
        "FRS-ACC-009": {"status": "retired", "hash": "sha256:0", "retired_in": HOSTILE,
                        "replaced_by": HOSTILE}}}))
    # Formulas need KaTeX from npm, which a temporary project lacks.
    without_math = [e for e in _extensions() if "pymdownx.arithmatex" not in e]
    (tmp_path / "mkdocs.yml").write_text(textwrap.dedent(f"""\
        site_name: Test
        docs_dir: spec
        site_dir: site
        hooks: ["{HOOK}"]
        plugins: [print-site]
        markdown_extensions: {json.dumps(without_math)}
        validation:
          links:
            absolute_links: relative_to_docs
        """))
    return tmp_path


def _extensions() -> list:
    """The site's Markdown extensions, as mkdocs.yml lists them."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().split("\nplugins:")[0])
    return config["markdown_extensions"]


def _render(text: str, root: Path) -> str:
    names, configs = [], {}
    for entry in _extensions():
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        names.append(name)
        configs[name] = options
    configs["frs_tools.site_markdown"] = {"project": str(root)}
    return markdown.Markdown(extensions=names, extension_configs=configs).convert(text)


def test_hostile_titles_lock_fields_and_schema_text_never_run_in_a_generated_page(project):
    """Every generated page and the requirement block, with a clause whose title, section
    and page title are hostile (the parser refuses such a title; a generator must not rely
    on it), rendered by the site's extensions: nothing runs, and the text is shown."""
    model = site.model(project, refresh=True)
    model.clauses = [dataclasses.replace(c, title=HOSTILE, section=HOSTILE)
                     for c in model.clauses]
    model.by_id = {c.id: c for c in model.clauses}
    model.titles = {file: HOSTILE for file in model.titles}
    generated = model.generated_pages()
    generated["06-accuracy.md"] = PAGE
    for path in (pages.TRACEABILITY, pages.COVERAGE, pages.RETIRED, ics.ICS, pages.CLASSES,
                 pages.class_page_path("V-L"), pages.schema_page_path("report"),
                 pages.SCHEMAS_INDEX, "reference/bibliography.md",
                 "reference/requirements-index.md"):
        assert path in generated
    for path, text in generated.items():
        found, shown = executable(_render(text, project))
        assert found == [], f"{path}: {found}"
        if path in (ics.ICS, pages.RETIRED, pages.class_page_path("V-L"), "06-accuracy.md",
                    pages.schema_page_path("report"), "reference/requirements-index.md"):
            assert "<script>alert(1)</script>" in shown, path


def test_a_markdown_link_to_a_script_url_loses_its_target_on_every_page(project):
    """The net under every page: whatever wrote the Markdown, no link keeps a script
    scheme (in any case, with a tab inside) and no attribute list adds an event."""
    text = ("[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](java\tscript:alert(1)) "
            "[d](vbscript:msgbox) ![e](data:text/html,x) [ok](https://example.org/) "
            "[rel](06-accuracy.md) [mail](mailto:wg@example.org)\n\n"
            '# Heading {: onclick="alert(1)" }\n')
    html = _render(text, project)
    assert executable(html)[0] == []
    for kept in ('href="https://example.org/"', 'href="06-accuracy.md"',
                 'href="mailto:wg@example.org"'):
        assert kept in html


def test_the_built_site_and_its_print_page_run_no_hostile_text(project):
    """One real build (MkDocs, the FRS hook, print-site): no page of the site, the print
    page included, holds a script, an event attribute or a script URL from the input."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet",
                           "-f", str(project / "mkdocs.yml")], cwd=project,
                          capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    built = sorted((project / "site").rglob("*.html"))
    assert project / "site" / "print_page" / "index.html" in built
    assert project / "site" / "reference" / "retired" / "index.html" in built
    for page in built:
        found, shown = executable(page.read_text(encoding="utf-8"))
        # The theme's own scripts carry no input: only what came from the input counts.
        found = [f for f in found if f != "<script>"]
        assert found == [], f"{page}: {found}"
        assert "alert(1)</script>" not in page.read_text(encoding="utf-8"), page
    retired = (project / "site" / "reference" / "retired" / "index.html").read_text()
    assert "<script>alert(1)</script>" in executable(retired)[1]


def test_the_changelog_quotes_retired_fields_and_titles_inert(project):
    """`frs diff --format markdown` writes the changelog page (frs_tools/release.py): what
    it quotes of ids.lock and of a title stays text."""
    clause = Clause("FRS-ACC-001", "shall", "A system SHALL do it.", "spec/06-accuracy.md", 3,
                    title=HOSTILE)
    side = diff.Side("v", None, {clause.id: clause}, {})
    changes = [diff.Change("FRS-ACC-001", "added", b=clause),
               diff.Change("FRS-ACC-009", "retired", a=clause,
                           details={"retired_in": HOSTILE, "replaced_by": HOSTILE})]
    page = pages.changelog_page(diff.to_markdown(diff.Diff(side, side, changes, []), 3))
    found, shown = executable(_render(page, project))
    assert found == []
    # The title under both changes, the retired_in and the replaced_by: shown, not run.
    assert shown.count("<script>alert(1)</script>") == 4
