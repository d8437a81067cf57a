"""The site: a clause renders as a heading with its ID; a malformed one fails the build."""

import os
import re
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


def test_the_matrix_folds_a_clauses_tests_under_their_count():
    from frs_tools import pages

    tests = [f"tests/test_verification.py::test_fmr_case_{i}" for i in range(29)]
    cell = pages._tests_cell(tests)
    assert cell.startswith("<details><summary>29</summary><ul>") and "open" not in cell
    assert cell.count("<li><code>tests/test_verification.py::test_fmr_case_") == 29
    assert pages._tests_cell([]) == "0"


ROOT = HOOK.parents[1]


def test_a_release_build_points_canonical_urls_and_the_sitemap_at_the_public_address(tmp_path):
    """`make release` builds with mkdocs.release.yml: no page, sitemap or feed of it names
    a local address, and every canonical URL is under the configured site_url."""
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text().split("\nnav:")[0])
    site_url = config["site_url"]
    assert site_url.startswith("https://") and "127.0.0.1" not in site_url
    out = tmp_path / "release"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                           "-f", "mkdocs.release.yml", "--site-dir", str(out)], cwd=ROOT,
                          capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    local = [str(f.relative_to(out)) for f in out.rglob("*")
             if f.suffix in (".html", ".xml") and ("127.0.0.1" in f.read_text(errors="ignore")
                                                   or "localhost" in f.read_text(errors="ignore"))]
    assert local == []
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)"',
                           (out / "06-accuracy" / "index.html").read_text())
    assert canonical == [site_url + "06-accuracy/"]
    locations = re.findall(r"<loc>([^<]+)</loc>", (out / "sitemap.xml").read_text())
    assert locations and all(u.startswith(site_url) for u in locations)


def test_the_comment_form_has_the_fields_the_site_fills_in():
    """A clause's Comment link fills the form's `clause` and `version` fields by their IDs."""
    import yaml

    from frs_tools.project import Project
    from frs_tools.site import COMMENT_FORM, edition

    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / COMMENT_FORM).read_text())
    ids = {field.get("id") for field in form["body"]}
    assert {"clause", "version"} <= ids
    url = edition(Project.load(ROOT)).comment_url("FRS-ACC-004", "FNMR at a target FMR")
    assert url.startswith("https://github.com/frs-standard/frs/issues/new?template=" + COMMENT_FORM)
    assert "clause=FRS-ACC-004" in url and "title=%5BFRS-ACC-004%5D+FNMR+at+a+target+FMR" in url


@pytest.mark.parametrize("version,changelog,status,date", [
    ("0.2.0.dev0", "## 0.1 — 2027-01-15\n", "Working draft", None),
    ("0.2", "## 0.2 — 2027-03-01\n\n## 0.1 — 2027-01-15\n", "Version 0.2", "2027-03-01"),
])
def test_the_edition_comes_from_the_version_in_pyproject(tmp_path, version, changelog,
                                                          status, date):
    from frs_tools.project import Project
    from frs_tools.site import edition

    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nversion = "{version}"\n[project.urls]\nRepository = "https://x.org/r"\n'
        '[tool.frs]\n')
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n" + changelog)
    found = edition(Project.load(tmp_path))
    assert found.status == status and found.version == version
    assert found.published == (date is not None)
    if date:
        assert found.date == date
    assert found.comment_url("FRS-ACC-001").startswith("https://x.org/r/issues/new?")


GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def test_properdocs_builds_the_same_site_as_mkdocs(tmp_path):
    """ProperDocs, the maintained continuation of MkDocs 1.x, builds the unchanged project
    (hook and Markdown extension included) into the same files; only the generator's name
    in each page's head differs."""
    import gzip

    outputs = {}
    for tool in ("mkdocs", "properdocs"):
        outputs[tool] = out = tmp_path / tool
        done = subprocess.run([sys.executable, "-m", tool, "build", "--strict", "--quiet",
                               "--site-dir", str(out)], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        assert done.returncode == 0, f"{tool}: {done.stderr}"

    def content(path: Path) -> bytes:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        return GENERATOR.sub(b"", data)

    files = {tool: sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
             for tool, out in outputs.items()}
    assert files["mkdocs"] == files["properdocs"] and len(files["mkdocs"]) > 100
    different = [str(f) for f in files["mkdocs"]
                 if content(outputs["mkdocs"] / f) != content(outputs["properdocs"] / f)]
    assert different == []


def test_the_pages_and_files_are_written_for_a_generator_without_hooks(tmp_path):
    """`python -m frs_tools.site write FOLDER`: what the hook adds, as files to copy beside
    the spec folder (ECOSYSTEM: Zensical reads mkdocs.yml but runs no hook)."""
    out = tmp_path / "docs"
    done = subprocess.run([sys.executable, "-m", "frs_tools.site", "write", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path in ("reference/traceability.md", "reference/index.md", "reference/classes/v-l.md",
                 "reference/schemas/evaluation-report.md", "schemas/evaluation-report.schema.json",
                 "assets/katex/katex.min.js", "assets/katex/fonts/KaTeX_Main-Regular.woff2"):
        assert (out / path).is_file(), path
    assert "# Traceability matrix" in (out / "reference" / "traceability.md").read_text()
    # A spec page asking for generated tables is written filled in, as the hook fills it.
    from frs_tools import generated
    from frs_tools.site import model
    page = "annex-f-test-sizes.md"
    source = (ROOT / "spec" / page).read_text(encoding="utf-8")
    written = (out / page).read_text(encoding="utf-8")
    assert generated.MARKER.search(source) and not generated.MARKER.search(written)
    assert written == generated.expand(source, page, model(ROOT).link)
    # The Chinese edition under zh/, as its MkDocs build lays it out: the generated pages in
    # Chinese (Annex D with the Chinese sources' own words), the translated pages with the
    # English anchors and their tables filled in and in Chinese, the shared files.
    zh = out / "zh"
    for path in ("reference/traceability.md", "reference/classes/v-l.md",
                 "reference/schemas/evaluation-report.md", "schemas/evaluation-report.schema.json",
                 "assets/frs.css", "assets/katex/katex.min.js", "index.md", "06-accuracy.md"):
        assert (zh / path).is_file(), path
    assert "# 追溯矩阵 {#traceability-matrix}" in (zh / "reference/traceability.md").read_text()
    assert "| Art. 28 | 生物识别信息属于敏感个人信息。 |" in (
        zh / "reference/china-profile.md").read_text(encoding="utf-8")
    written = (zh / page).read_text(encoding="utf-8")
    assert not generated.MARKER.search(written) and "| 类别 | 比率 | 限值 |" in written
    assert written.startswith("# 附录 F（资料性）测试规模 {#annex-f-informative-test-sizes}")
    assert "\n## 6.1 验证错误率 {#61-verification-error-rates}\n" in (
        zh / "06-accuracy.md").read_text(encoding="utf-8")
    wrong = subprocess.run([sys.executable, "-m", "frs_tools.site"], cwd=ROOT,
                           capture_output=True, text=True)
    assert wrong.returncode == 2 and "usage:" in wrong.stderr
