"""`make release VERSION=x.y`: publish a version of the standard.

    python -m frs_tools.release 0.2 [--date 2026-12-01] [--no-publish]

In order, refusing at the first problem:

1. the version is new (no tag `v<version>`) and well formed; the working tree is clean;
   `frs check` finds nothing (the spec and ids.lock agree: no unrecorded clause, no stale
   hash, no clause deleted without retiring);
2. stamp the version into pyproject.toml and reference_impl/__init__.py;
3. freeze ids.lock: a copy as `releases/<version>/ids.lock`, with the catalogue exports
   (JSON, CSV, ReqIF) of that version beside it;
4. write the changelog's section for the version: its normative changes, from
   `frs diff <previous tag>` (everything is "added" in the first release);
5. commit "Release <version>" and tag it `v<version>`;
6. publish the site with mike to the local `gh-pages` branch (never pushed here): the
   version, the `latest` alias (a copy, so `latest/schemas/<name>.schema.json` is a real
   file at a stable URL), `latest` as the default; the versions selector comes from
   mkdocs.release.yml.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from frs_tools import catalogue, diff, reqif_export
from frs_tools.check import check
from frs_tools.project import Project
from reference_impl.errors import InputError

VERSION = re.compile(r"\d+\.\d+(\.\d+)?((a|b|rc)\d+)?")
RELEASE_CONFIG = "mkdocs.release.yml"
CHANGELOG = "CHANGELOG.md"
ALIAS = "latest"
BRANCH = "gh-pages"


class ReleaseError(InputError):
    """The release cannot go ahead; the message says why."""


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def preflight(project: Project, version: str) -> None:
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"version '{version}' is not of the form MAJOR.MINOR[.PATCH]"
                           "[a|b|rcN]")
    root = project.root
    if _git(root, "tag", "--list", f"v{version}"):
        raise ReleaseError(f"version {version} is already released (tag v{version})")
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    if dirty:
        raise ReleaseError("the working tree has uncommitted changes:\n" + dirty)
    report = check(project)
    if report.problems:
        raise ReleaseError("`frs check` finds problems; a release freezes ids.lock only "
                           "when it agrees with the spec:\n"
                           + "\n".join(map(str, report.problems)))


def previous_tag(project: Project) -> str | None:
    done = subprocess.run(["git", "describe", "--tags", "--abbrev=0", "--match", "v*"],
                          cwd=project.root, capture_output=True, text=True)
    return done.stdout.strip() or None


def stamp(project: Project, version: str) -> list[Path]:
    """Write the version where the package reads it; return the files changed."""
    changed = []
    for path, pattern, line in (
            (project.root / "pyproject.toml", r'(?m)^version = ".*"$', f'version = "{version}"'),
            (project.root / "reference_impl" / "__init__.py", r'(?m)^__version__ = ".*"$',
             f'__version__ = "{version}"')):
        if path.exists():
            text = path.read_text(encoding="utf-8")
            new, count = re.subn(pattern, line, text, count=1)
            if count and new != text:
                path.write_text(new, encoding="utf-8")
                changed.append(path)
    return changed


def freeze(project: Project, version: str) -> Path:
    """Copy ids.lock and the catalogue exports of this version under releases/<version>/."""
    folder = project.root / "releases" / version
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(project.lock_file, folder / "ids.lock")
    report = check(project, with_results=True)
    (folder / "catalogue.json").write_text(catalogue.to_json(report), encoding="utf-8")
    (folder / "catalogue.csv").write_text(catalogue.to_csv(report), encoding="utf-8")
    # The ReqIF timestamps: the last commit's time, so a rerun gives the same bytes.
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = saved or _git(project.root, "log", "-1", "--format=%ct")
    try:
        (folder / "catalogue.reqif").write_text(reqif_export.to_reqif(report),
                                                encoding="utf-8")
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
    return folder


def normative_changes(project: Project, since: str | None, version: str) -> diff.Diff:
    """What the changelog lists: the diff from the previous tag, labelled by version.
    Suspect tests are a reviewer's checklist, not release notes: they are left out."""
    if since:
        changes = diff.diff(project, since, None, with_suspects=False)
        changes.a.label = f"version {since.removeprefix('v')}"
    else:
        empty = diff.Side("nothing (the first release)", None, {}, {})
        after = diff._worktree(project)
        changes = diff.Diff(empty, after, diff.compare(empty, after), [])
    changes.b.label = f"version {version}"
    return changes


def changelog_section(version: str, date: str, changes: diff.Diff) -> str:
    if changes.a.commit is None and not changes.a.clauses:  # the first release
        added = [c.id for c in changes.of("added")]
        body = (f"### Normative changes\n\nThe first release: {len(added)} requirements.\n\n"
                f"#### Added ({len(added)})\n\n" + ", ".join(added) + "\n")
    else:
        body = diff.to_markdown(changes, level=3)
    return f"## {version} — {date}\n\n{body.rstrip()}\n"


def write_changelog(project: Project, section: str) -> Path:
    """Insert the section above the newest one (after the file's introduction)."""
    path = project.root / CHANGELOG
    text = path.read_text(encoding="utf-8") if path.exists() else "# Changelog\n"
    text = text.replace("No version has been released yet.\n", "")
    match = re.search(r"(?m)^## ", text)
    at = match.start() if match else len(text)
    head = text[:at].rstrip() + "\n\n"
    path.write_text(head + section + ("\n" + text[at:] if match else ""), encoding="utf-8")
    return path


def publish(project: Project, version: str) -> None:
    mike = Path(sys.executable).with_name("mike")
    command = [str(mike)] if mike.exists() else [sys.executable, "-c",
                                                   "from mike.driver import main; main()"]
    # mike runs `mkdocs` from PATH: the one installed beside this Python.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                    os.environ.get("PATH", "")])}
    for args in (["deploy", "--config-file", RELEASE_CONFIG, "--branch", BRANCH,
                  "--update-aliases", "--alias-type", "copy", "--ignore-remote-status",
                  "--title", version, version, ALIAS],
                 ["set-default", "--config-file", RELEASE_CONFIG, "--branch", BRANCH,
                  "--ignore-remote-status", ALIAS]):
        done = subprocess.run(command + args, cwd=project.root, env=env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise ReleaseError(f"mike {args[0]} failed:\n{done.stderr.strip()}")


def release(project: Project, version: str, date: str | None = None,
            publish_site: bool = True) -> dict:
    preflight(project, version)
    since = previous_tag(project)
    changes = normative_changes(project, since, version)
    date = date or dt.date.today().isoformat()
    touched = stamp(project, version)
    folder = freeze(project, version)
    touched += [folder, write_changelog(project, changelog_section(version, date, changes))]
    # Only what the release wrote: an untracked file lying in the tree stays out.
    _git(project.root, "add", "--", *(str(p.relative_to(project.root)) for p in touched))
    _git(project.root, "commit", "-q", "-m", f"Release {version}",
         "-m", f"Normative changes since {since or 'the start'}: "
         + ", ".join(f"{len(changes.of(k))} {k}" for k in diff.KINDS))
    _git(project.root, "tag", "-a", f"v{version}", "-m", f"FRS {version}")
    if publish_site:
        publish(project, version)
    return {"version": version, "since": since, "frozen": folder,
            "counts": {k: len(changes.of(k)) for k in diff.KINDS}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m frs_tools.release",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("version")
    parser.add_argument("--root")
    parser.add_argument("--date", help="the release date (default: today)")
    parser.add_argument("--no-publish", action="store_true",
                        help="stop after the commit and tag (no mike deploy)")
    args = parser.parse_args(argv)
    try:
        done = release(Project.load(args.root), args.version, args.date,
                       not args.no_publish)
    except InputError as exc:
        print(f"release: error: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{n} {k}" for k, n in done["counts"].items())
    print(f"Released {done['version']} (since {done['since'] or 'the start'}: {counts}); "
          f"tag v{done['version']}" + ("" if args.no_publish else
                                       f"; site on the local {BRANCH} branch, not pushed"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
