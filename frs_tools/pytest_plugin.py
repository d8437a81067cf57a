"""Pytest plugin: carry the requirements each test names into the JUnit report.

A test declares what it verifies with `@pytest.mark.requirement("FRS-ACC-003", ...)`;
the test of a schema's examples also says which schema with
`@pytest.mark.schema_examples("<name>")`.
Each ID becomes a `requirement` property of the test case in the JUnit XML, with the
test's node id and location, so the checker can read coverage from the report alone.
The marks are read by `frs_tools.marks.requirement_ids`, which `frs diff` uses too.
"""

from __future__ import annotations

import pytest

from frs_tools.clauses import ID_PATTERN
from frs_tools.marks import requirement_ids


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the FRS requirements this test "
                            "verifies")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    malformed = []
    for item in items:
        for clause_id in requirement_ids(item):
            if not isinstance(clause_id, str) or not ID_PATTERN.fullmatch(clause_id):
                malformed.append(f"{item.nodeid}: malformed requirement ID {clause_id!r}")
            item.user_properties.append(("requirement", clause_id))
        for mark in item.iter_markers("schema_examples"):
            item.user_properties.extend(("schema-examples", name) for name in mark.args)
        path, line, _ = item.location
        item.user_properties.append(("nodeid", item.nodeid))
        item.user_properties.append(("location", f"{path}:{(line or 0) + 1}"))
    if malformed:
        raise pytest.UsageError("\n".join(malformed))
