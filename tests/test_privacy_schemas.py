"""The consent-record, audit-event and conformance-statement schemas: valid 2020-12
schemas with the FRS conventions, judging their valid and invalid examples correctly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("consent-record", "audit-event", "conformance-statement")


def schema(name: str) -> dict:
    return json.loads((ROOT / f"schemas/{name}.schema.json").read_text())


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


def properties(node, path="#"):
    """Every (path, property schema) of a schema, however deeply nested."""
    if isinstance(node, dict):
        for key, sub in node.get("properties", {}).items():
            yield f"{path}/properties/{key}", sub
        for key, sub in node.items():
            if isinstance(sub, (dict, list)):
                yield from properties(sub, f"{path}/{key}")
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            yield from properties(sub, f"{path}/{index}")


@pytest.mark.parametrize("name", NAMES)
def test_schema_follows_the_frs_conventions(name):
    document = schema(name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"https://frs-standard.org/schemas/{name}.schema.json"
    assert document["title"] and document["description"]
    assert document["properties"]["schema_version"]["const"] == "0.1"
    undocumented = [p for p, sub in properties(document) if "description" not in sub]
    assert undocumented == []
    for sample in document["examples"]:
        assert list(validator(name).iter_errors(sample)) == []


def examples(name: str, kind: str) -> list[Path]:
    found = sorted((ROOT / f"schemas/examples/{name}/{kind}").glob("*.json"))
    assert found, f"no {kind} example for {name}"
    return found


@pytest.mark.requirement("FRS-CAP-001", "FRS-CAP-003", "FRS-RET-002", "FRS-RET-007",
                         "FRS-AUD-006", "FRS-AUD-007", "FRS-RET-004")
@pytest.mark.parametrize("name", NAMES)
def test_valid_examples_pass_and_invalid_ones_fail(name):
    for path in examples(name, "valid"):
        assert [e.message for e in validator(name).iter_errors(json.loads(path.read_text()))] \
            == [], path.name
    for path in examples(name, "invalid"):
        assert list(validator(name).iter_errors(json.loads(path.read_text()))), path.name


@pytest.mark.requirement("FRS-AUD-007")
def test_the_audit_event_schema_has_no_room_for_biometric_data():
    document = schema("audit-event")
    fields = {p.rsplit("/", 1)[1] for p, _ in properties(document)}
    assert not fields & {"score", "scores", "template", "embedding", "image", "note", "details"}
    for path, sub in properties(document):
        assert sub.get("type") != "number", path
        if "$ref" in sub:
            sub = document["$defs"][sub["$ref"].rsplit("/", 1)[1]]
        if sub.get("type") == "string":
            assert "pattern" in sub or "enum" in sub, f"{path}: free text"
    objects = [n for _, n in properties(document) if n.get("type") == "object"]
    assert document["additionalProperties"] is False
    assert all(o["additionalProperties"] is False for o in objects)


@pytest.mark.requirement("FRS-CAP-003")
def test_a_minor_needs_a_guardian_in_the_consent_record():
    minor = json.loads((ROOT / "schemas/examples/consent-record/valid/minor-with-guardian.json")
                       .read_text())
    assert list(validator("consent-record").iter_errors(minor)) == []
    del minor["guardian"]
    errors = list(validator("consent-record").iter_errors(minor))
    assert [e.message for e in errors] == ["'guardian' is a required property"]
