"""`frs check` on a large spec, and the site logic's share of `mkdocs build` time.

Generates 5,000 clauses over 200 pages, a JUnit report of 10,000 tests and per-test
coverage contexts, then times whole processes (CPU seconds, the best of FRS_BENCH_ROUNDS
(5) interleaved rounds):
- `frs check` (lint, links, lock) and `frs check --results` (with the traceability gate);
- `mkdocs build` of the same pages without the site logic (the blocks are then plain
  text), with the Markdown extension (frs_tools/site_markdown.py), and with it plus the
  hook's generated pages, giving the site logic's share of the build.
Sizes: FRS_BENCH_PAGES (200) x FRS_BENCH_CLAUSES (25 a page), two tests a clause.
"""

from __future__ import annotations

import inspect
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

from reference_impl.metrics import verification

ROOT = Path(__file__).resolve().parents[1]
IMPL = "reference_impl.metrics.verification:fmr"


def clause(page: int, index: int) -> str:
    """Clause `index` of page `page`: each page is an area of its own (PAA, PAB, ...)."""
    area = "P" + chr(65 + page // 26 % 26) + chr(65 + page % 26)
    links = f"    impl: {IMPL}\n" if index % 5 == 0 else ""
    return (f"/// requirement | FRS-{area}-{index + 1:03d}\n    level: shall\n"
            f"    title: Requirement {index + 1} of page {page}\n{links}\n"
            f"A system SHALL meet requirement {index + 1} of page {page}, measured as Annex B "
            "states, with enough words to look like a real clause of a real standard.\n///\n\n"
            f"NOTE — Source: benchmark text for page {page}.\n")


def make_project(folder: Path, pages: int, per_page: int) -> list[str]:
    (folder / "spec").mkdir()
    ids = []
    for page in range(pages):
        body = [f"# Chapter {page}\n\nInformative text for chapter {page}.\n"]
        for index in range(per_page):
            text = clause(page, index)
            ids.append(text.split("| ")[1].split("\n")[0])
            body.append(text)
        (folder / "spec" / f"page-{page:03d}.md").write_text("\n".join(body))
    areas = sorted({i.split("-")[1] for i in ids})
    (folder / "pyproject.toml").write_text(
        '[tool.frs]\nresults_dir = "results"\n[tool.frs.areas]\n'
        + "".join(f'{a} = "Area {a}"\n' for a in areas))
    nav = "".join(f"  - page-{p:03d}.md\n" for p in range(pages))
    base = "site_name: Bench\ndocs_dir: spec\ntheme:\n  name: material\n  font: false\n"
    (folder / "plain.yml").write_text(base + "site_dir: site-plain\nnav:\n" + nav)
    extension = ("markdown_extensions: [frs_tools.site_markdown]\n"
                 "validation: {links: {absolute_links: relative_to_docs}}\n")
    (folder / "hooked.yml").write_text(base + extension + f"site_dir: site-hooked\nhooks:\n"
                                       f"  - {ROOT / 'frs_tools' / 'site_hook.py'}\nnav:\n"
                                       + nav)
    # The spec pages alone, rendered by the Markdown extension, without generated pages.
    (folder / "pages-only.yml").write_text(base + extension + "site_dir: site-pages-only\n"
                                           "nav:\n" + nav)
    return ids


def make_results(folder: Path, ids: list[str]) -> None:
    """A JUnit report (two tests a clause) and coverage contexts for the impl tests."""
    from coverage import CoverageData

    results = folder / "results"
    results.mkdir()
    cases, contexts = [], []
    for n, clause_id in enumerate(ids):
        for k in range(2):
            nodeid = f"tests/test_{n // 50:03d}.py::test_{clause_id}_{k}"
            contexts.append(nodeid)
            cases.append(f'<testcase classname="x" name="t"><properties>'
                         f'<property name="requirement" value="{clause_id}"/>'
                         f'<property name="nodeid" value={quoteattr(nodeid)}/></properties>'
                         f"</testcase>")
    (results / "junit.xml").write_text('<?xml version="1.0"?><testsuites><testsuite>'
                                       + "".join(cases) + "</testsuite></testsuites>")
    source, first = inspect.getsourcelines(verification.fmr)
    file = inspect.getsourcefile(verification.fmr)
    data = CoverageData(basename=str(results / ".coverage"))
    for context in contexts:
        data.set_context(context + "|run")
        data.add_lines({file: list(range(first + 1, first + len(source)))})
    data.write()


def cpu_seconds(command: list[str], cwd: Path) -> float:
    """CPU time (user + system) of one run of the command.

    CPU time, not wall time: it does not count the time the process waits for a core,
    so figures from a busy machine still compare.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def best_of(commands: dict[str, list[str]], cwd: Path, rounds: int) -> dict[str, float]:
    """The least CPU time of each command over `rounds` rounds, the commands interleaved
    in every round so that a slow spell of the machine touches them all alike."""
    best = dict.fromkeys(commands, float("inf"))
    for _ in range(rounds):
        for name, command in commands.items():
            best[name] = min(best[name], cpu_seconds(command, cwd))
    return best


def main() -> None:
    pages = int(os.environ.get("FRS_BENCH_PAGES", 200))
    per_page = int(os.environ.get("FRS_BENCH_CLAUSES", 25))
    folder = Path(tempfile.mkdtemp(prefix="frs-bench-check-"))
    try:
        ids = make_project(folder, pages, per_page)
        subprocess.run([sys.executable, "-m", "reference_impl.cli", "lock"], cwd=folder,
                       check=True, capture_output=True)
        make_results(folder, ids)
        frs = [sys.executable, "-m", "reference_impl.cli", "check"]
        rounds = int(os.environ.get("FRS_BENCH_ROUNDS", 5))
        checks = best_of({"lint": frs, "gate": [*frs, "--results"]}, folder, rounds)
        lint, gate = checks["lint"], checks["gate"]
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f"]
        builds = best_of({name: [*mkdocs, f"{name}.yml"]
                          for name in ("plain", "pages-only", "hooked")}, folder, rounds)
        plain, pages_only, hooked = builds["plain"], builds["pages-only"], builds["hooked"]
        thousands = len(ids) / 1000
        print(f"spec: {len(ids)} clauses over {pages} pages, {2 * len(ids)} tests "
              f"(CPU seconds, best of {rounds} interleaved rounds)")
        print(f"frs check            {lint:6.2f} s  ({lint / thousands:.3f} s per 1,000 clauses)")
        print(f"frs check --results  {gate:6.2f} s  ({gate / thousands:.3f} s per 1,000 clauses)")
        print(f"mkdocs build, no site logic            {plain:6.2f} s")
        print(f"mkdocs build, FRS Markdown extension   {pages_only:6.2f} s  "
              f"(adds {pages_only / plain - 1:+.0%})")
        print(f"mkdocs build, and the generated pages  {hooked:6.2f} s  "
              f"(adds {hooked / plain - 1:+.0%}: matrix, coverage, code, class, schema pages)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
