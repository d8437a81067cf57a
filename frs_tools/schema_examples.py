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

from frs_tools.project import Project
from reference_impl import safeload
from reference_impl.errors import InputError

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
            found.expected = safeload.loads(expected.read_bytes(), str(expected))
        except (OSError, InputError) as exc:
            found.problem = f"{project.relative(expected)}: cannot read: {exc}"
    return found


def proposals(project: Project, name: str) -> dict[str, dict]:
    """For each invalid example of `name` without a stated reason, the one error the schema
    gives it now ({} for an example that is accepted or breaks several rules)."""
    from reference_impl.validate import SchemaSet, validate

    schemas = SchemaSet(project.schemas_dir)
    found = find(project, name)
    proposed = {}
    for path in found.invalid:
        if path.name in found.expected:
            continue
        findings = validate([path], name, schemas=schemas)
        proposed[path.name] = ({"keyword": findings[0].keyword, "pointer": findings[0].pointer}
                               if len(findings) == 1 else {})
    return proposed


def main(argv: list[str] | None = None) -> int:
    """`python -m frs_tools.schema_examples [--write] [NAME...]`: propose the stated reason of
    every invalid example that has none; with --write, add the unambiguous ones."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m frs_tools.schema_examples",
                                     description=main.__doc__)
    parser.add_argument("names", nargs="*", help="schemas (default: all)")
    parser.add_argument("--write", action="store_true",
                        help=f"add the proposals with exactly one error to {EXPECTED}")
    args = parser.parse_args(argv)
    project = Project.load()
    unresolved = 0
    for name in args.names or schema_names(project):
        for file, reason in proposals(project, name).items():
            if not reason:
                unresolved += 1
                print(f"{name}/invalid/{file}: accepted, or breaks more than one rule: fix it")
                continue
            print(f"{name}/invalid/{file}: {json.dumps(reason)}")
            if args.write:
                path = project.schemas_dir / "examples" / name / EXPECTED
                table = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
                table[file] = reason
                path.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n",
                                encoding="utf-8")
    return 1 if unresolved else 0


if __name__ == "__main__":
    raise SystemExit(main())
