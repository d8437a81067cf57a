"""`frs check` with the Chinese edition against English alone (issue 16).

The spec of bench_check (FRS_BENCH_PAGES (200) pages x FRS_BENCH_CLAUSES (25) clauses),
checked twice in one run: English alone, and with a generated Chinese edition in
spec/zh/ (every page and clause translated, current, each clause stating its requirement
with 应, as long as the English text).  The Chinese text is generated, not the
translators' pages: the figure is the cost of the translation checks (parse, verbal
forms, drift, headings) per clause.  CPU seconds, the best of FRS_BENCH_ROUNDS (5)
interleaved rounds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.bench_check import best_of, make_project


def chinese_page(page: int, ids: list[str], hashes: dict[str, str]) -> str:
    """Page `page` of bench_check's spec in Chinese: the same headings and blocks."""
    body = [f"# 第 {page} 章\n\n第 {page} 章的资料性文字。\n"]
    for index, clause_id in enumerate(ids):
        body.append(f"/// requirement | {clause_id}\n    translates: {hashes[clause_id]}\n"
                    f"    title: 第 {page} 页的第 {index + 1} 项要求\n\n"
                    f"系统应满足第 {page} 页的第 {index + 1} 项要求，按附录 B 的规定测量，"
                    "文字足够多，"
                    "看起来像一项真实标准中的真实条款，并与相应的英文条款对应。\n///\n\n"
                    f"注：来源：第 {page} 页的基准文字。\n")
    return "\n".join(body)


def main() -> None:
    pages = int(os.environ.get("FRS_BENCH_PAGES", 200))
    per_page = int(os.environ.get("FRS_BENCH_CLAUSES", 25))
    rounds = int(os.environ.get("FRS_BENCH_ROUNDS", 5))
    folder = Path(tempfile.mkdtemp(prefix="frs-bench-zh-"))
    try:
        english, both = folder / "en", folder / "en-zh"
        english.mkdir()
        ids = make_project(english, pages, per_page)
        frs = [sys.executable, "-m", "reference_impl.cli"]
        subprocess.run([*frs, "lock"], cwd=english, check=True, capture_output=True)
        shutil.copytree(english, both)
        pyproject = both / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(
            "[tool.frs]\n", '[tool.frs]\nlanguages = ["zh"]\n'))
        hashes = {i: e["hash"] for i, e in
                  json.loads((both / "ids.lock").read_text())["ids"].items()}
        (both / "spec" / "zh").mkdir()
        for page in range(pages):
            page_ids = ids[page * per_page:(page + 1) * per_page]
            (both / "spec" / "zh" / f"page-{page:03d}.md").write_text(
                chinese_page(page, page_ids, hashes), encoding="utf-8")
        for tree in (english, both):  # both trees are clean: the figure is of a real pass
            subprocess.run([*frs, "check"], cwd=tree, check=True, capture_output=True)
        best = best_of({"en": [*frs, "check"], "zh": [*frs, "check", "--root", str(both)]},
                       english, rounds)
        print(f"spec: {len(ids)} clauses over {pages} pages, and a generated Chinese edition "
              f"of them (CPU seconds, best of {rounds} interleaved rounds)")
        print(f"frs check, English alone       {best['en']:6.2f} s")
        print(f"frs check, English and Chinese {best['zh']:6.2f} s  "
              f"({best['zh'] / best['en']:.2f} x English alone)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
