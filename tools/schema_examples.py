"""Schema examples as data, and the rule that says why each invalid one is invalid.

Layout, for every `schemas/<name>.schema.json`:

    schemas/examples/<name>/valid/<what-it-shows>.json     accepted by the schema
    schemas/examples/<name>/invalid/<rule-it-breaks>.json  rejected by the schema
    schemas/examples/<name>/expected-errors.json           why each invalid one is rejected

`expected-errors.json` maps each invalid file name to the one error it must produce:
`{"eer-above-one.json": {"keyword": "maximum", "pointer": "/verification/eer"}}` —
the JSON Schema keyword that fails and the JSON pointer of the offending value in the
example ('' for the record itself, e.g. a missing required property).  An invalid
example breaks exactly one rule, so a schema that rejects it for another reason (or
for several) fails the test: the example documents the rule, and the test proves it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tools.project import Project

SCHEMA_SUFFIX = ".schema.json"
EXPECTED = "expected-errors.json"


@dataclass
class Examples:
    name: str
    folder: Path
    valid: list[Path] = field(default_factory=list)
    invalid: list[Path] = field(default_factory=list)
    expected: dict[str, dict] = field(default_factory=dict)
    problem: str = ""  # why expected-errors.json could not be read

    @property
    def complete(self) -> bool:
        """At least one valid and one invalid example."""
        return bool(self.valid and self.invalid)


def schema_names(project: Project) -> list[str]:
    return sorted(p.name[: -len(SCHEMA_SUFFIX)]
                  for p in project.schemas_dir.glob(f"*{SCHEMA_SUFFIX}"))


def find(project: Project, name: str) -> Examples:
    folder = project.schemas_dir / "examples" / name
    found = Examples(name, folder, sorted((folder / "valid").glob("*.json")),
                     sorted((folder / "invalid").glob("*.json")))
    expected = folder / EXPECTED
    if expected.is_file():
        try:
            found.expected = json.loads(expected.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            found.problem = f"{project.relative(expected)}: cannot read: {exc}"
    return found
