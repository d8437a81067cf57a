"""The site: a clause renders as a heading with its ID; a malformed one fails the build."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HOOK = Path(__file__).resolve().parents[1] / "frs_tools" / "site_hook.py"
PAGE = """\
# 6 Accuracy

/// requirement | FRS-ACC-001
    level: shall
    title: False match rate
    schema: report#/properties/eer
    impl: reference_impl.metrics.verification:fmr

An evaluation SHALL compute FMR as in Annex B.
///
"""


def build(root: Path, page: str) -> subprocess.CompletedProcess:
    (root / "spec").mkdir(exist_ok=True)
    (root / "spec" / "06-accuracy.md").write_text(page)
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", str(root / "mkdocs.yml")], cwd=root, capture_output=True,
                          text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})


@pytest.fixture
def site(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.frs]\nresults_dir = "results"\n[tool.frs.areas]\nACC = "Accuracy"\n')
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "report.schema.json").write_text(
        '{"title": "Report", "description": "A report.", "type": "object", '
        '"properties": {"eer": {"type": "number"}}}')
    (tmp_path / "ids.lock").write_text('{"format": 1, "ids": {}}')
    (tmp_path / "mkdocs.yml").write_text(textwrap.dedent(f"""\
        site_name: Test
        docs_dir: spec
        site_dir: site
        hooks: ["{HOOK}"]
        markdown_extensions: [toc, frs_tools.site_markdown]
        validation:
          links:
            absolute_links: relative_to_docs
        """))
    return tmp_path


def test_a_clause_renders_as_a_heading_with_badge_links_and_status(site):
    result = build(site, PAGE)
    assert result.returncode == 0, result.stderr
    html = (site / "site" / "06-accuracy" / "index.html").read_text()
    assert '<h4 class="frs-requirement-id" id="FRS-ACC-001">FRS-ACC-001 · False match rate' \
        in html
    assert '<span class="frs-badge frs-badge-shall">SHALL</span>' in html
    assert 'href="../reference/schemas/report/#eer"><code>report: eer</code>' in html
    assert 'href="../reference/code/#reference_impl-metrics-verification-fmr"' in html
    assert "frs-status-not-run" in html  # no test results in this project
    assert "<p>An evaluation SHALL compute FMR as in Annex B.</p>" in html
    for generated in ("traceability", "coverage", "code", "retired", "schemas/report"):
        assert (site / "site" / "reference" / generated / "index.html").exists()
    assert (site / "site" / "schemas" / "report.schema.json").exists()


@pytest.mark.parametrize("fault,line,message", [
    ("    level: shall\n", "    level: must\n", "unknown level 'must'"),
    ("    level: shall\n", "    levle: shall\n", "unknown option 'levle'"),
    ("FRS-ACC-001", "FRS-ACC-1", "malformed requirement ID 'FRS-ACC-1'"),
    ("report#/properties/eer", "report#/properties/fmr", "JSON pointer '/properties/fmr'"),
])
def test_a_malformed_clause_fails_the_build_with_file_and_line(site, fault, line, message):
    result = build(site, PAGE.replace(fault, line))
    assert result.returncode != 0
    assert "spec/06-accuracy.md:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_keyword_outside_a_clause_fails_the_build(site):
    result = build(site, PAGE + "\nOperators SHOULD read this.\n")
    assert result.returncode != 0
    assert "spec/06-accuracy.md:12: normative keyword 'SHOULD'" in result.stderr


def test_a_site_with_formulas_without_katex_fails_with_what_to_run(site):
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace(
        "markdown_extensions: [toc, ", "markdown_extensions: [toc, pymdownx.arithmatex, "))
    result = build(site, PAGE + "\n$$\nx^2\n$$\n")
    assert result.returncode != 0
    assert "KaTeX is not installed" in result.stderr and "make site-assets" in result.stderr
    assert "Traceback" not in result.stderr
