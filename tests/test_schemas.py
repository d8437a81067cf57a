"""Every schema in schemas/: valid against the 2020-12 meta-schema, written to the FRS
conventions, and proven by its examples (frs_tools/schema_examples.py describes the layout).

The tests are parametrized over the folder, so a schema added later is checked the
moment it lands.  The examples test of a schema names every clause that cites it, and
carries the schema's name, so `frs check --results` can require that test to pass
before any clause citing the schema counts as verified.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import jsonschema_rs
import pytest
import referencing.exceptions

from frs_tools import links, schema_examples
from frs_tools.clauses import parse_spec
from frs_tools.project import Project
from reference_impl.errors import InputError
from reference_impl.schemas import BASE_URI, SUFFIX, SchemaSet
from reference_impl.validate import validate

PROJECT = Project.load(Path(__file__).resolve().parents[1])
NAMES = schema_examples.schema_names(PROJECT)
SCHEMAS = SchemaSet(PROJECT.schemas_dir)


def _citing(name: str) -> list[str]:
    return sorted({c.id for c in parse_spec(PROJECT).clauses
                   if c.schema and links.split_schema_link(c.schema)[0] == name})


def _examples_params():
    return [pytest.param(name, marks=[pytest.mark.requirement(*_citing(name)),
                                      pytest.mark.schema_examples(name)], id=name)
            for name in NAMES]


def _walk_subschemas(node: object, where: str = ""):
    """Every (pointer, subschema) that defines the properties of a data object.

    Conditional subschemas (if/then/else, not, allOf...) only restate properties the
    object already defines, so they are not walked."""
    if not isinstance(node, dict):
        return
    if isinstance(node.get("properties"), dict):
        yield where, node
        for prop, sub in node["properties"].items():
            yield from _walk_subschemas(sub, f"{where}/properties/{prop}")
    for key in ("items", "additionalProperties"):
        yield from _walk_subschemas(node.get(key), f"{where}/{key}")
    for key in ("$defs", "prefixItems"):
        children = node.get(key)
        pairs = children.items() if isinstance(children, dict) else enumerate(children or [])
        for child, sub in pairs:
            yield from _walk_subschemas(sub, f"{where}/{key}/{child}")


def test_there_are_schemas():
    assert {"capture-record", "template", "comparison-result", "pad-result"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_against_the_2020_12_meta_schema(name):
    schema = SCHEMAS.get(name).contents
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)  # raises SchemaError if not
    assert jsonschema_rs.meta.is_valid(schema)


@pytest.mark.parametrize("name", NAMES)
def test_schema_follows_the_conventions(name):
    schema = SCHEMAS.get(name).contents
    assert schema["$id"] == f"{BASE_URI}{name}{SUFFIX}"
    assert schema.get("title") and schema.get("description")
    version = schema["properties"]["schema_version"]
    assert "const" in version, "schema_version is a const: one version per schema file"
    assert "schema_version" in schema.get("required", [])
    undocumented = [f"{where}/properties/{prop}"
                    for where, node in _walk_subschemas(schema)
                    for prop, sub in node["properties"].items()
                    if not (isinstance(sub, dict) and sub.get("description"))]
    assert not undocumented, f"properties without a description: {undocumented}"
    assert schema.get("examples"), "the schema carries at least one example"
    validator = SCHEMAS.get(name).slow
    for example in schema["examples"]:
        assert not list(validator.iter_errors(example))


@pytest.mark.parametrize("name", _examples_params())
def test_examples(name):
    """Each valid example is accepted; each invalid one is rejected for its stated reason."""
    examples = schema_examples.find(PROJECT, name)
    assert examples.valid, f"schemas/examples/{name}/valid/ has no example"
    assert examples.invalid, f"schemas/examples/{name}/invalid/ has no example"
    assert not examples.problem, examples.problem
    for path in examples.valid:
        findings = validate([path], name, schemas=SCHEMAS)
        assert findings == [], f"{path.name} should be valid: {[str(f) for f in findings]}"
    stale = set(examples.expected) - {p.name for p in examples.invalid}
    assert not stale, f"{schema_examples.EXPECTED} names missing files: {sorted(stale)}"
    for path in examples.invalid:
        findings = validate([path], name, schemas=SCHEMAS)
        got = [{"keyword": f.keyword, "pointer": f.pointer} for f in findings]
        assert findings, f"{path.name} should be invalid but the schema accepts it"
        hint = (f"add to schemas/examples/{name}/{schema_examples.EXPECTED}: "
                f"{json.dumps({path.name: got[0]})}")
        assert path.name in examples.expected, f"{path.name}: no stated reason; {hint}"
        want = examples.expected[path.name]
        assert got == [{"keyword": want["keyword"], "pointer": want["pointer"]}], (
            f"{path.name} must break exactly the rule it names ({want}), not {got}")


def test_schema_references_resolve_locally_never_over_the_network(tmp_path):
    """A $ref to a sibling schema resolves from the folder; an unknown one is an error."""
    (tmp_path / f"base{SUFFIX}").write_text(json.dumps(
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": f"{BASE_URI}base{SUFFIX}", "type": "object",
         "properties": {"id": {"$ref": f"{BASE_URI}ids{SUFFIX}"}}}))
    (tmp_path / f"ids{SUFFIX}").write_text(json.dumps(
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": f"{BASE_URI}ids{SUFFIX}", "type": "string", "minLength": 2}))
    schemas = SchemaSet(tmp_path)
    base = schemas.get("base")
    assert base.fast.is_valid({"id": "ab"}) and base.slow.is_valid({"id": "ab"})
    assert not base.fast.is_valid({"id": "a"}) and not base.slow.is_valid({"id": "a"})
    (tmp_path / f"broken{SUFFIX}").write_text(json.dumps(
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": f"{BASE_URI}broken{SUFFIX}", "$ref": "https://example.invalid/x.json"}))
    schemas = SchemaSet(tmp_path)
    broken = schemas.get("broken")
    with pytest.raises(referencing.exceptions.Unresolvable):
        broken.slow.is_valid({})
    with pytest.raises(InputError, match="x.json"):
        broken.fast  # noqa: B018 - building it is the test


def test_missing_stated_reasons_are_proposed_and_written(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.frs]\nschemas_dir = "schemas"\n')
    folder = tmp_path / "schemas" / "examples" / "thing"
    (folder / "invalid").mkdir(parents=True)
    (tmp_path / "schemas" / f"thing{SUFFIX}").write_text(json.dumps(
        {"$schema": "https://json-schema.org/draft/2020-12/schema",
         "$id": f"{BASE_URI}thing{SUFFIX}", "type": "object",
         "properties": {"n": {"type": "integer", "maximum": 3}}, "required": ["n"],
         "additionalProperties": False}))
    (folder / "invalid" / "n-above-three.json").write_text('{"n": 4}')
    (folder / "invalid" / "two-faults.json").write_text('{"n": "x", "m": 1}')
    (folder / "invalid" / "three.json").write_text('{"n": 3}')  # accepted: not invalid
    project = Project.load(tmp_path)
    assert schema_examples.proposals(project, "thing") == {
        "n-above-three.json": {"keyword": "maximum", "pointer": "/n"},
        "three.json": {}, "two-faults.json": {}}
    monkeypatch.chdir(tmp_path)
    assert schema_examples.main(["--write"]) == 1  # three.json needs a person
    out = capsys.readouterr().out
    assert "three.json: accepted, or breaks more than one rule" in out
    assert "two-faults.json: accepted, or breaks more than one rule" in out
    assert json.loads((folder / schema_examples.EXPECTED).read_text()) == {
        "n-above-three.json": {"keyword": "maximum", "pointer": "/n"}}
