"""The release procedure (frs_tools/release.py, `make release`), run in a temporary clone."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from frs_tools import release
from frs_tools.project import Project
from reference_impl.cli import main as frs

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("FRS_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def clone(tmp_path: Path, monkeypatch) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(target)],
                   check=True)
    for tag in git(target, "tag", "--list").split():  # start from no release
        git(target, "tag", "-d", tag)
    # The site's KaTeX, which `make release` (through `make test`) installs in a checkout.
    (target / "node_modules").symlink_to(ROOT / "node_modules", target_is_directory=True)
    return target


def published(repo: Path, path: str) -> str:
    return git(repo, "show", f"{release.BRANCH}:{path}")


def test_two_releases_in_a_clone(clone):
    project = Project.load(clone)
    (clone / "notes.txt").write_text("a stray untracked file\n")
    clauses = len(json.loads(subprocess.run(
        ["git", "show", "HEAD:ids.lock"], cwd=clone, capture_output=True, text=True,
        check=True).stdout)["ids"])
    first = release.release(project, "0.1", date="2026-12-01")
    assert first["since"] is None and first["counts"]["added"] == clauses
    assert git(clone, "describe", "--tags") == "v0.1"
    assert "notes.txt" not in git(clone, "show", "--name-only", "--format=", "HEAD")
    assert sorted(git(clone, "show", "--name-only", "--format=", "HEAD").split()) == sorted([
        "CHANGELOG.md", "pyproject.toml", "reference_impl/__init__.py",
        "releases/0.1/catalogue.csv", "releases/0.1/catalogue.json",
        "releases/0.1/catalogue.reqif", "releases/0.1/ids.lock"])
    assert 'version = "0.1"' in (clone / "pyproject.toml").read_text()
    assert '__version__ = "0.1"' in (clone / "reference_impl" / "__init__.py").read_text()
    frozen = clone / "releases" / "0.1"
    assert (frozen / "ids.lock").read_bytes() == (clone / "ids.lock").read_bytes()
    assert {p.name for p in frozen.iterdir()} == {"ids.lock", "catalogue.json",
                                                   "catalogue.csv", "catalogue.reqif"}
    changelog = (clone / "CHANGELOG.md").read_text()
    assert "## 0.1 — 2026-12-01" in changelog and f"#### Added ({clauses})" in changelog
    assert "No version has been released yet." not in changelog
    # The site: the version, a `latest` copy with the schemas at stable URLs, the default.
    versions = json.loads(published(clone, "versions.json"))
    assert versions == [{"version": "0.1", "title": "0.1", "aliases": ["latest"]}]
    assert "FRS-ACC-001" in published(clone, "0.1/06-accuracy/index.html")
    schemas = [p for p in git(clone, "ls-tree", "-r", "--name-only", release.BRANCH,
                               "latest/schemas").split() if p.endswith(".schema.json")]
    assert schemas, "no schema published under latest/schemas/"
    name = schemas[0].rsplit("/", 1)[1]
    assert published(clone, f"latest/schemas/{name}") == published(clone, f"0.1/schemas/{name}")
    assert "latest/" in published(clone, "index.html")  # the default version
    assert "version" in published(clone, "0.1/index.html")  # the selector's configuration
    # Nothing was pushed: the origin has no gh-pages branch.
    assert subprocess.run(["git", "rev-parse", "--verify", "--quiet",
                           f"refs/heads/{release.BRANCH}"], cwd=ROOT).returncode != 0 \
        or git(ROOT, "rev-parse", release.BRANCH) != git(clone, "rev-parse", release.BRANCH)

    # A normative change, then the second release.
    page = clone / "spec" / "06-accuracy.md"
    text = page.read_text(encoding="utf-8")
    clause = re.search(r"/// requirement \| (FRS-ACC-\d+)\n(?:    .*\n)+\n(.+)\n", text)
    changed_id, first_line = clause.group(1), clause.group(2)
    page.write_text(text.replace(first_line, first_line.replace("SHALL", "SHALL always", 1),
                                 1), encoding="utf-8")
    assert frs(["lock", "--root", str(clone)]) == 0
    follow_in_chinese(clone, changed_id)
    git(clone, "commit", "-qam", f"Tighten {changed_id}")
    second = release.release(project, "0.2", date="2026-12-15")
    assert second["since"] == "v0.1"
    assert second["counts"] == {"added": 0, "removed": 0, "retired": 0, "changed": 1,
                                "moved": 0}
    changelog = (clone / "CHANGELOG.md").read_text()
    assert changelog.index("## 0.2 — 2026-12-15") < changelog.index("## 0.1 — 2026-12-01")
    section = changelog[changelog.index("## 0.2"):changelog.index("## 0.1")]
    assert f"**{changed_id}**" in section and "**always**" in section
    assert "From version 0.1 to version 0.2." in section and "Suspect" not in section
    versions = json.loads(published(clone, "versions.json"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("0.2", ["latest"]),
                                                                 ("0.1", [])]
    assert "always" in published(clone, "latest/06-accuracy/index.html")
    assert "always" not in published(clone, "0.1/06-accuracy/index.html")
    check_versioned_site_in_a_browser(clone, changed_id)


def follow_in_chinese(clone: Path, clause_id: str) -> None:
    """What a translator does after an English change: the Chinese clause says "always"
    too and records the hash of the English text it now translates (else the release
    refuses a stale translation)."""
    new_hash = json.loads((clone / "ids.lock").read_text())["ids"][clause_id]["hash"]
    page = clone / "spec" / "zh" / "06-accuracy.md"
    text = page.read_text(encoding="utf-8")
    block = re.search(rf"/// requirement \| {clause_id}\n    translates: (\S+)\n(?:    .*\n)*\n"
                      r"[^\n]*?应", text)
    updated = block.group(0).replace(block.group(1), new_hash)[:-1] + "应始终"
    page.write_text(text.replace(block.group(0), updated, 1), encoding="utf-8")


def check_versioned_site_in_a_browser(clone: Path, changed_id: str) -> None:
    """The gh-pages tree, served on 127.0.0.1: the root sends readers to `latest`, the
    versions selector lists both versions, and nothing is requested off localhost."""
    if not CHROMIUM.exists() and not os.environ.get("FRS_REQUIRE_BROWSER"):
        return
    from playwright.sync_api import sync_playwright

    pages_dir = clone.parent / "gh-pages"
    pages_dir.mkdir()
    archive = subprocess.run(["git", "archive", release.BRANCH], cwd=clone, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(pages_dir)], input=archive, check=True)
    handler = functools.partial(_Quiet, directory=str(pages_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    requests, errors = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS,
                                                 headless=True)
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(base, wait_until="networkidle")
            page.wait_for_url(base + "latest/")
            page.locator(".md-version__current").wait_for()
            assert page.locator(".md-version__current").inner_text().strip() == "0.2"
            listed = page.locator(".md-version__list a").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))")
            assert any("0.1/" in h for h in listed) and any("0.2/" in h for h in listed)
            box = f"div.frs-requirement:has(h4[id='{changed_id}'])"
            page.goto(f"{base}latest/06-accuracy/#{changed_id}", wait_until="networkidle")
            assert "SHALL always" in page.locator(box).inner_text()
            page.goto(f"{base}0.1/06-accuracy/#{changed_id}", wait_until="networkidle")
            assert "always" not in page.locator(box).inner_text()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    assert errors == []
    assert all(r.startswith(base) for r in requests), [r for r in requests
                                                       if not r.startswith(base)]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_refusals(clone, capsys):
    project = Project.load(clone)
    with pytest.raises(release.ReleaseError, match="not of the form"):
        release.release(project, "one", publish_site=False)
    (clone / "ids.lock").write_text((clone / "ids.lock").read_text() + "\n")
    with pytest.raises(release.ReleaseError, match="uncommitted changes"):
        release.release(project, "0.1", publish_site=False)
    git(clone, "checkout", "--", "ids.lock")
    spec = clone / "spec" / "06-accuracy.md"
    spec.write_text(spec.read_text().replace("SHALL", "SHALL surely", 1))
    git(clone, "commit", "-qam", "change without frs lock")
    with pytest.raises(release.ReleaseError, match="stale-hash"):
        release.release(project, "0.1", publish_site=False)
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    assert release.main(["0.1", "--root", str(clone), "--no-publish", "--date",
                         "2026-12-01"]) == 0
    assert "Released 0.1" in capsys.readouterr().out
    assert release.main(["0.1", "--root", str(clone), "--no-publish"]) == 2
    assert "already released" in capsys.readouterr().err
    assert os.path.exists(clone / "releases" / "0.1" / "catalogue.reqif")
