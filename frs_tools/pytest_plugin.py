"""Pytest plugin: carry the requirements each test names into the JUnit report.

A test declares what it verifies with `@pytest.mark.requirement("FRS-ACC-003", ...)`;
the test of a schema's examples also says which schema with
`@pytest.mark.schema_examples("<name>")`.
Each ID becomes a `requirement` property of the test case in the JUnit XML, with the
test's node id and location, so the checker can read coverage from the report alone.
The marks are read by `frs_tools.marks.requirement_ids`, which `frs diff` uses too.
A mark naming a malformed ID fails that one test, with its file:line; the run goes on.
"""

from __future__ import annotations

import pytest

from frs_tools.clauses import ID_PATTERN
from frs_tools.marks import requirement_ids

_MALFORMED = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the FRS requirements this test "
                            "verifies")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    for item in items:
        path, line, _ = item.location
        where = f"{path}:{(line or 0) + 1}"
        malformed = []
        for clause_id in requirement_ids(item):
            if not isinstance(clause_id, str) or not ID_PATTERN.fullmatch(clause_id):
                malformed.append(repr(clause_id))
            item.user_properties.append(("requirement", clause_id))
        if malformed:
            item.stash[_MALFORMED] = (f"{where}: malformed requirement ID "
                                      f"{', '.join(malformed)} (expected FRS-<AREA>-<NNN>: "
                                      "2-4 capitals, then 3 digits)")
        for mark in item.iter_markers("schema_examples"):
            item.user_properties.extend(("schema-examples", name) for name in mark.args)
        item.user_properties.append(("nodeid", item.nodeid))
        item.user_properties.append(("location", where))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """A test whose mark names a malformed ID fails, alone: the rest of the run goes on."""
    if _MALFORMED in item.stash:
        pytest.fail(item.stash[_MALFORMED], pytrace=False)
