"""What the site shows, computed once per build from the spec, the lock and the results.

Nothing here imports MkDocs: the Markdown extension (frs_tools/site_markdown.py), the MkDocs
hook (frs_tools/site_hook.py) and `python -m frs_tools.site write FOLDER` (the generated
pages and files for a generator that runs no hook) all use the same model.
"""

from __future__ import annotations

import datetime
import functools
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from frs_tools import (
    generated,
    idlock,
    languages,
    links,
    pages,
    redirects,
    schema_examples,
    traceability,
)
from frs_tools.check import duplicate_problems, unique_clauses
from frs_tools.clauses import parse_spec
from frs_tools.project import Project
from frs_tools.requirement_block import Rendering
from frs_tools.translations import parse_translations
from reference_impl import safeload
from reference_impl.errors import InputError

# KaTeX, installed from npm (package.json, package-lock.json); the site serves its own copy.
KATEX_DIST = Path("node_modules") / "katex" / "dist"
KATEX_SITE = "assets/katex"
# The repository's issue form for a comment on a clause, and the fields a link fills in.
COMMENT_FORM = "comment-on-a-clause.yml"
# The Chinese edition's MkDocs configuration: a project with one publishes both languages.
ZH_CONFIG = "mkdocs.zh.yml"
_PRERELEASE = re.compile(r"(a|b|rc|\.dev)\d*", re.IGNORECASE)


class SiteError(InputError):
    """The spec cannot be published; the message lists every problem as file:line."""


@dataclass(frozen=True)
class Edition:
    """Which text a reader has: shown on every page and on the PDF cover."""

    version: str       # as pyproject.toml states it
    published: bool    # a released version, not a working draft
    date: str          # ISO 8601: the release date, or the draft's last commit
    repository: str    # the repository's URL ([project.urls] Repository), or ""

    @property
    def status(self) -> str:
        return f"Version {self.version}" if self.published else "Working draft"

    @property
    def label(self) -> str:
        what = "published" if self.published else f"of version {self.version}"
        return f"{self.status} {what}, {self.date}"

    def comment_url(self, clause_id: str = "", title: str = "") -> str:
        """The issue form for one comment, with the clause (a requirement ID, or a page's
        title) and the version filled in."""
        if not self.repository:
            return ""
        fields = {"template": COMMENT_FORM}
        if clause_id:
            fields |= {"title": f"[{clause_id}] {title}".rstrip(), "clause": clause_id}
        fields["version"] = self.version
        return f"{self.repository.rstrip('/')}/issues/new?{urlencode(fields)}"


def edition(project: Project) -> Edition:
    """The edition from one place, pyproject.toml: a pre-release version is a working draft."""
    meta = tomllib.loads((project.root / "pyproject.toml").read_text(encoding="utf-8")).get(
        "project", {})
    version = str(meta.get("version", "0"))
    published = not _PRERELEASE.search(version)
    return Edition(version=version, published=published,
                   date=(_release_date(project, version) if published else None)
                   or _last_commit_date(project.root),
                   repository=meta.get("urls", {}).get("Repository", ""))


def _release_date(project: Project, version: str) -> str | None:
    """The date frs_tools/release.py wrote in the changelog: `## 0.2 — 2027-01-15`."""
    changelog = project.root / "CHANGELOG.md"
    if changelog.exists():
        found = re.search(rf"(?m)^## {re.escape(version)} — (\d{{4}}-\d\d-\d\d)",
                          changelog.read_text(encoding="utf-8"))
        return found and found.group(1)
    return None


def _last_commit_date(root: Path) -> str:
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=root,
                              capture_output=True, text=True, check=True)
        if done.stdout.strip():
            return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass  # not a checkout: the build date stands in
    return datetime.date.today().isoformat()


class SiteModel:
    def __init__(self, project: Project):
        self.project = project
        spec = parse_spec(project)
        problems = spec.problems + duplicate_problems(spec.clauses)
        self.clauses = unique_clauses(spec.clauses)
        problems += [p for p in links.problems(project, self.clauses) if p.rule == "bad-schema"]
        if problems:
            raise SiteError("the spec has problems:\n" + "\n".join(map(str, problems)))
        self.titles = spec.titles
        self.lock = idlock.load(project.lock_file)
        self.has_results = (project.results_dir / traceability.JUNIT_FILE).exists()
        self.statuses = traceability.trace(project, self.clauses, self.lock).statuses
        self.by_id = {c.id: c for c in self.clauses}
        self.edition = edition(project)
        # The pages that define a clause: a search for its ID must list them first.
        self.defining_pages = {pages.spec_path(c, project) for c in self.clauses}
        # The Chinese edition (spec/zh): its clauses by ID, its page titles by English file.
        chinese = parse_translations(project, languages.ZH)
        unknown = [f"{t.file}:{t.line}: {t.id}: no English clause has this ID [translation]"
                   for t in chinese.clauses.values() if t.id not in self.by_id]
        if chinese.problems or unknown:
            raise SiteError("the Chinese edition has problems:\n"
                            + "\n".join([*map(str, chinese.problems), *unknown]))
        self.chinese, self.translations = chinese, chinese.clauses
        self.zh_titles = {page.english: page.title for page in chinese.pages.values()}
        self._generated: dict[str, dict[str, str]] = {}

    def status_label(self, clause_id: str) -> str:
        return self.statuses[clause_id].status if self.has_results else "not-run"

    def link(self, clause_id: str) -> str:
        """A requirement as a Markdown link to its clause, from the docs folder (`/…md`) as
        the requirement block's links are; the generator makes it relative to the page."""
        target = pages.spec_path(self.by_id[clause_id], self.project)
        return f"[{clause_id}](/{target}#{clause_id})"

    def title(self, clause_id: str, language: str = languages.EN) -> str:
        translated = self.translations.get(clause_id) if language == languages.ZH else None
        return translated.title if translated and translated.title \
            else self.by_id[clause_id].title

    def stale(self, clause_id: str) -> bool:
        """A translation of an older English text than the clause's own (ids.lock's hash
        of the text it translated differs from the English text's hash now)."""
        return self.chinese.state(self.by_id[clause_id]) == "stale"

    def english_href(self, clause_id: str) -> str:
        """From the clause's Chinese page to the English text of the clause."""
        url = redirects.page_url(pages.spec_path(self.by_id[clause_id], self.project))
        return "../" * (url.count("/") + 1) + f"{url}#{clause_id}"

    def render(self, clause_id: str, language: str = languages.EN) -> Rendering:
        """What the requirement block shows.  Its links start at the docs folder (`/…md`):
        the generator makes them relative to each page and checks that they resolve.  In
        Chinese the title is translated; the metadata is the English clause's."""
        clause = self.by_id[clause_id]
        schema_name, pointer = links.split_schema_link(clause.schema)
        anchor = pages.schema_anchor(pointer)
        zh = language == languages.ZH
        return Rendering(
            id=clause.id, level=clause.level, title=self.title(clause_id, language),
            language=language,
            stale_href=self.english_href(clause_id) if zh and self.stale(clause_id) else "",
            status=self.status_label(clause.id),
            schema=f"{schema_name}: {anchor.removeprefix('def-')}" if anchor else schema_name,
            schema_href="/" + pages.schema_page_path(schema_name) + (f"#{anchor}" * bool(anchor))
            if clause.schema else "",
            impl=clause.impl,
            impl_href=f"/{pages.CODE}#{pages.impl_anchor(clause.impl)}" if clause.impl else "",
            classes=clause.classes,
            comment_href=self.edition.comment_url(clause.id, clause.title))

    def page_markdown(self, markdown: str, page: str, language: str = languages.EN,
                      translation: bool = False) -> str:
        """A spec page's Markdown as the site shows it (the hook for MkDocs and `write` for
        other generators share this): the generated tables it asks for filled in, in the
        page's language.  A `translation` (a page of spec/zh, `page` relative to it) first
        gets on each heading the English heading's anchor."""
        english = self.project.spec_dir / page
        if translation and english.is_file():
            markdown = languages.with_heading_ids(
                markdown, languages.heading_ids(english.read_text(encoding="utf-8")))
        expanded = generated.expand(markdown, page, self.link)
        return languages.localize_tables(expanded, language) if expanded != markdown \
            else expanded

    def expanded_pages(self) -> dict[str, str]:
        """The English spec pages that ask for generated tables, filled in, by their path
        under the docs folder: `write` puts them over the copied spec folder's own."""
        filled = {}
        for path in self.project.english_pages():
            text = path.read_text(encoding="utf-8")
            if generated.MARKER.search(text):
                page = path.relative_to(self.project.spec_dir).as_posix()
                filled[page] = self.page_markdown(text, page)
        return filled

    def translated_pages(self, language: str = languages.ZH) -> dict[str, str]:
        """The translators' pages (spec/zh) as the Chinese site shows them, by their path
        under its docs folder: every one, since each heading takes an English anchor."""
        folder = self.project.translation_dir(language)
        return {page: self.page_markdown(path.read_text(encoding="utf-8"), page, language,
                                         translation=True)
                for path in sorted(folder.rglob("*.md"))
                for page in [path.relative_to(folder).as_posix()]}

    def untranslated_pages(self, language: str = languages.ZH) -> dict[str, str]:
        """The English text, under a notice, of each page not translated yet, so that every
        link and anchor of the Chinese site resolves."""
        found = {}
        for file in self.titles:
            path = pages.docs_path(file, self.project)
            if not (self.project.translation_dir(language) / path).is_file():
                title, _, text = (self.project.root / file).read_text(
                    encoding="utf-8").partition("\n")
                notice = f"/// note\n{languages.word('untranslated', language)}\n///\n"
                found[path] = f"{title}\n\n{notice}{text}"
        return found

    def assets(self) -> dict[str, Path]:
        """The English site's own assets (spec/assets), which the Chinese site shares."""
        spec = self.project.spec_dir
        return {asset.relative_to(spec).as_posix(): asset
                for asset in sorted((spec / "assets").rglob("*")) if asset.is_file()}

    def schema_files(self) -> dict[str, Path]:
        return {p.name[: -len(links.SCHEMA_SUFFIX)]: p
                for p in sorted(self.project.schemas_dir.glob(f"*{links.SCHEMA_SUFFIX}"))}

    def static_files(self, math: bool = True) -> dict[str, Path]:
        """Files the site publishes as they are, by their path in the site: the schemas
        (at their download URL) and, for a site with formulas, KaTeX and its fonts."""
        found = {pages.schema_file_path(name): path for name, path in self.schema_files().items()}
        if math:
            found |= katex_files(self.project.root)
        return found

    def generated_pages(self, site_url: str = "", language: str = languages.EN
                        ) -> dict[str, str]:
        """Every generated page, by its path under the docs folder; `site_url` (the
        published address) lets the reference index print full addresses.  In Chinese the
        same generators get the translated titles, and their fixed text is localized; each
        heading keeps the English anchor."""
        key = f"{language} {site_url}"
        if key not in self._generated:
            if language == languages.EN:
                self._generated[key] = self._pages(self.clauses, self.titles, site_url)
            else:
                english = self.generated_pages(site_url)
                clauses = [replace(c, title=self.title(c.id, language),
                                   section=getattr(self.translations.get(c.id), "section",
                                                   c.section)) for c in self.clauses]
                titles = {f: self.zh_titles.get(f, t) for f, t in self.titles.items()}
                self._generated[key] = {
                    path: languages.with_heading_ids(languages.localize(text, language),
                                                     languages.heading_ids(english[path]))
                    for path, text in self._pages(clauses, titles, site_url, language).items()}
        return self._generated[key]

    def _pages(self, clauses: list, titles: dict[str, str], site_url: str,
               language: str = languages.EN) -> dict[str, str]:
        # Imported here: the ICS and the annexes read frs conform's rules, which import
        # numpy; the Markdown extension, once a page, needs none of it.
        from frs_tools import annexes, ics

        statuses = {i: traceability.Status(self.status_label(i), s.tests, s.reason)
                    for i, s in self.statuses.items()}
        generated = {
            pages.TRACEABILITY: pages.traceability_page(clauses, statuses, titles,
                                                        self.project),
            pages.COVERAGE: pages.coverage_page(clauses, statuses, titles,
                                                self.project),
            pages.RETIRED: pages.retired_page(self.lock, clauses, self.project),
            pages.CODE: pages.code_page(clauses, self.project),
            ics.ICS: ics.ics_page(clauses, self.project),
            pages.CLASSES: pages.classes_page(clauses, self.project.classes or (),
                                              titles, self.project),
        }
        generated[pages.REFERENCE_INDEX] = pages.reference_index(site_url)
        generated.update(annexes.generated(clauses, titles, self.project, language))
        changelog = self.project.root / "CHANGELOG.md"
        generated[pages.CHANGELOG] = pages.changelog_page(
            changelog.read_text(encoding="utf-8") if changelog.exists() else "")
        for name in self.project.classes or ():
            generated[pages.class_page_path(name)] = pages.class_page(
                name, clauses, statuses, titles, self.project)
        schemas = {}
        for name, path in self.schema_files().items():
            schema = schemas[name] = safeload.loads(path.read_bytes(), str(path))
            generated[pages.schema_page_path(name)] = pages.schema_page(
                name, schema, clauses, self.project, self.schema_examples(name))
        generated[pages.SCHEMAS_INDEX] = pages.schemas_index(schemas, clauses)
        return generated

    def schema_examples(self, name: str) -> dict:
        """{'valid'|'invalid': {file: (text, stated reason or None)}} for a schema's page."""
        found = schema_examples.find(self.project, name)
        return {kind: {p.name: (p.read_text(encoding="utf-8"), found.expected.get(p.name))
                       for p in getattr(found, kind)}
                for kind in ("valid", "invalid")}


def katex_files(root: Path) -> dict[str, Path]:
    """KaTeX's script, style sheet, WOFF2 fonts (what a current browser loads) and licence."""
    dist = root / KATEX_DIST
    if not (dist / "katex.min.js").is_file():
        raise SiteError(f"{dist}: KaTeX is not installed; the site's formulas need it "
                        "(run `make site-assets`, which runs `npm ci`)")
    found = {f"{KATEX_SITE}/{name}": dist / name for name in ("katex.min.js", "katex.min.css")}
    found[f"{KATEX_SITE}/LICENSE"] = dist.parent / "LICENSE"
    found |= {f"{KATEX_SITE}/fonts/{font.name}": font
              for font in sorted((dist / "fonts").glob("*.woff2"))}
    return found


# One model per build: the Markdown extension asks for it once a page, the hook once a build.
_models: dict[Path, SiteModel] = {}


@functools.cache
def _project_root(start: Path) -> Path:
    return Project.load(start if (start / "pyproject.toml").exists() else None).root


def model(root: Path | str = ".", refresh: bool = False) -> SiteModel:
    """The model of the project at (or above) `root`, made once; `refresh` makes it anew
    from the files (the MkDocs hook does at the start of every build, so `mkdocs serve`
    shows each edit)."""
    project_root = _project_root(Path(root).resolve())
    if refresh or project_root not in _models:
        _models[project_root] = SiteModel(Project.load(project_root))
    return _models[project_root]


def write(folder: Path, root: Path | str = ".") -> list[Path]:
    """The generated pages and published files, written under `folder` for a site
    generator that runs no MkDocs hook (copy the spec folder first, then these over it:
    the spec pages with generated tables are among them, filled in).  A project with a
    Chinese edition (mkdocs.zh.yml) gets it under `folder`/zh as its MkDocs build lays it
    out: the generated pages in Chinese, the translated pages with the English anchors,
    the English text of the pages not translated yet, and the published files."""
    site = model(root)
    written = _write(folder, {**site.generated_pages(), **site.expanded_pages()},
                     site.static_files())
    if (site.project.root / ZH_CONFIG).is_file():
        written += _write(folder / languages.FOLDER,
                          {**site.generated_pages(language=languages.ZH),
                           **site.untranslated_pages(), **site.translated_pages()},
                          {**site.assets(), **site.static_files()})
    return written


def _write(folder: Path, texts: dict[str, str], files: dict[str, Path]) -> list[Path]:
    written = []
    for path, content in [*texts.items(), *files.items()]:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        else:
            target.write_text(content, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "write":
        print("usage: python -m frs_tools.site write FOLDER", file=sys.stderr)
        return 2
    try:
        written = write(Path(args[1]))
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{len(written)} files written under {args[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
