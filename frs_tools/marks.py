"""Which tests name which clause: the `requirement` marks, as pytest collects them.

A test names a clause with `@pytest.mark.requirement("FRS-ACC-003", ...)`, wherever the
mark is attached: on the function, on its class, in the module's `pytestmark`, or on one
parameter set (`pytest.param(x, marks=pytest.mark.requirement(...))`), with IDs that
may be computed at import (tests/test_schemas.py names the clauses citing each schema).
Only pytest can tell which marks a test ends up with, so FRS never reads them from the
source: the plugin (frs_tools/pytest_plugin.py) records `requirement_ids(item)` in the
JUnit report that the traceability gate reads, and `collect` runs
`pytest --collect-only` over a tree to read the same marks without running a test, for
`frs diff`.

`collect` loads this file by its path, in a fresh interpreter whose working directory
is the tree, so the tree's own code (perhaps an older `frs_tools`, at an older commit)
is what the tests import.  That is why it needs nothing but pytest and the standard
library.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Run in the child interpreter: load this file under a private name (the tree may have
# its own frs_tools), then collect.
_CHILD = ("import importlib.util, sys\n"
          "spec = importlib.util.spec_from_file_location('_frs_marks', sys.argv[1])\n"
          "module = sys.modules['_frs_marks'] = importlib.util.module_from_spec(spec)\n"
          "spec.loader.exec_module(module)\n"
          "sys.exit(module.collect_here(sys.argv[2]))\n")


class CollectError(Exception):
    """pytest could not collect the tests of a tree."""


@dataclass(frozen=True)
class NamingTest:
    """One collected test and the requirement IDs its marks name."""

    nodeid: str
    file: str  # relative to the tree's root
    line: int  # of the test function
    ids: tuple[str, ...]


def requirement_ids(item) -> list:
    """The arguments of every `requirement` mark on a collected test, as written."""
    return [i for mark in item.iter_markers("requirement") for i in mark.args]


def collect(tree: Path, out: Path) -> list[NamingTest]:
    """Collect the tests under `tree` (the root of a project), write their marks to `out`
    (a JSON list) and return them."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", _CHILD, __file__, str(out)], cwd=tree,
                          env=env, capture_output=True, text=True)
    if done.returncode not in (0, 5) or not out.exists():  # 5: no tests at all
        out.unlink(missing_ok=True)  # a partial collection is no answer
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-12:])
        raise CollectError(f"pytest cannot collect the tests (exit {done.returncode}):\n"
                           f"{tail}")
    return load(out)


def load(path: Path) -> list[NamingTest]:
    """The tests a `collect` wrote to `path`."""
    return [NamingTest(t["nodeid"], t["file"], t["line"], tuple(t["ids"]))
            for t in json.loads(path.read_text(encoding="utf-8"))]


class _Writer:
    """A pytest plugin that writes every collected test's marks to a JSON file."""

    def __init__(self, out: str):
        self.out = out

    def pytest_collection_finish(self, session) -> None:
        tests = []
        for item in session.items:
            path, line, _ = item.location
            ids = [str(i) for i in requirement_ids(item)]
            if ids:
                tests.append({"nodeid": item.nodeid, "file": Path(path).as_posix(),
                              "line": (line or 0) + 1, "ids": ids})
        Path(self.out).write_text(json.dumps(tests), encoding="utf-8")


def collect_here(out: str) -> int:
    """In the child: collect the tests of the working directory's project."""
    import pytest

    return int(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider",
                            "--rootdir", "."], plugins=[_Writer(out)]))
