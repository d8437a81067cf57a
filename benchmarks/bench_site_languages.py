"""The site build with both editions against English alone, on the real project.

`mkdocs build` builds the English site and then, from its hook, the Chinese edition
(mkdocs.zh.yml) into zh/; `FRS_SITE_LANGUAGES=en` stops after the English one.  Both are
timed as whole processes (CPU seconds, the best of FRS_BENCH_ROUNDS (3) interleaved
rounds, frs_tools' bench_check.best_of) and reported with their ratio.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_check import best_of
from frs_tools.project import Project
from frs_tools.translations import parse_translations

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    rounds = int(os.environ.get("FRS_BENCH_ROUNDS", 3))
    folder = Path(tempfile.mkdtemp(prefix="frs-bench-site-"))
    build = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir"]
    try:
        times = best_of({"en": ["env", "FRS_SITE_LANGUAGES=en", *build, str(folder / "en")],
                         "both": [*build, str(folder / "both")]}, ROOT, rounds)
        project = Project.load(ROOT)
        translated = len(parse_translations(project, "zh").pages)
        print(f"site build (CPU seconds, best of {rounds} interleaved rounds; "
              f"{translated} of {len(project.english_pages())} pages translated)")
        print(f"English alone          {times['en']:6.2f} s")
        print(f"English and Chinese    {times['both']:6.2f} s  "
              f"({times['both'] / times['en']:.2f} x English alone)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
