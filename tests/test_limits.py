"""The spec's numbers have one home, reference_impl.limits; every other place that states
one is tied to it here: the clause text, the clause 2.2 table, pyproject's class list,
the JSON Schemas' enums and consts, and the rest of reference_impl (no second copy)."""

from __future__ import annotations

import ast
import json
import math
import re
import tomllib
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from frs_tools.clauses import Clause, parse_spec
from frs_tools.project import Project
from reference_impl import limits

ROOT = Path(__file__).resolve().parents[1]
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# What is not a quantity: clause and standard references, and names with digits in them.
REFERENCE = re.compile(r"FRS-[A-Z]+-\d{3}|\b(?:clause|Annex) [A-Z]?\d*(?:\.\d+)*"
                       r"|ISO/IEC [\d-]+|RFC \d+|IEEE \d+|AES-\d+|SHA-\d+")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# How FRS writes a number: 10⁻⁴, 5 %, 0.15, 100 000, 1,000, one percentage point, 1 June 2025.
QUANTITY = re.compile(rf"(?P<date>\d{{1,2}} (?:{'|'.join(MONTHS)}) \d{{4}})"
                      r"|10(?P<power>⁻[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
                      r"|(?P<number>\d{1,3}(?:[ ,]\d{3})+(?!\d)|\d+(?:\.\d+)?)(?P<percent> ?%)?"
                      r"|(?P<point>one percentage point)")


def quantities(text: str) -> list[float | date]:
    """Every number a clause's text states, as a value: a percentage as a fraction, a
    date as a date."""
    values: list[float | date] = []
    for match in QUANTITY.finditer(REFERENCE.sub(" ", " ".join(text.split()))):
        if match["date"]:
            day, month, year = match["date"].split()
            values.append(date(int(year), MONTHS.index(month) + 1, int(day)))
        elif match["power"]:
            values.append(10.0 ** int(match["power"].translate(SUPERSCRIPTS)))
        elif match["point"]:
            values.append(0.01)
        else:
            value = float(re.sub("[ ,]", "", match["number"]))
            values.append(value / 100 if match["percent"] else value)
    return values


def same(wanted: float | date, found: float | date) -> bool:
    if isinstance(wanted, date) or isinstance(found, date):
        return wanted == found
    return math.isclose(wanted, found, rel_tol=1e-12)


def is_subsequence(wanted, found) -> bool:
    rest = iter(found)
    return all(any(same(w, f) for f in rest) for w in wanted)


@cache
def clauses() -> dict[str, Clause]:
    spec = parse_spec(Project.load(ROOT))
    return {c.id: c for c in spec.clauses}


def test_the_quantity_reader_reads_the_ways_frs_writes_numbers():
    assert quantities("an FMR of at most 10⁻⁴ and an FNMR of at most 5 %") == [1e-4, 0.05]
    assert quantities("of 100 000 or more people within 30 working days") == [100000, 30]
    assert quantities("at least 1,000 resamples; 3 years; one percentage point") == \
        [1000, 3, 0.01]
    assert quantities("by 14 July 2025 when it had reached it before 1 June 2025") == \
        [date(2025, 7, 14), date(2025, 6, 1)]
    assert quantities("under FRS-RET-003, as in clause 9.3 and Annex B.6 (AES-256-GCM)") == []


@pytest.mark.parametrize("clause_id", sorted(limits.STATED))
def test_each_number_a_clause_states_is_the_one_in_limits(clause_id):
    clause = clauses()[clause_id]
    found = quantities(clause.text)
    wanted = limits.STATED[clause_id]
    assert is_subsequence(wanted, found), (
        f"{clause.file}:{clause.line}: {clause_id} states {found}; reference_impl.limits "
        f"has {list(wanted)}")


def test_retention_years_are_counted_as_the_note_says():
    text = (ROOT / "spec" / "10-retention.md").read_text(encoding="utf-8")
    assert f"FRS counts 3 years as {limits.MAX_RETENTION_DAYS} days" in text


def test_the_class_table_of_clause_2_2_is_the_limits():
    text = (ROOT / "spec" / "02-conformance.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] in limits.CLASSES:
            rows[cells[0]] = [quantities(c)[0] if c != "—" else None for c in cells[2:]]
    assert list(rows) == list(limits.CLASSES)
    for name, (fmr, frr, fpir, fnir) in rows.items():
        assert (fmr, frr, fpir, fnir) == (
            limits.FMR_LIMITS.get(name), limits.FRR_LIMITS.get(name),
            limits.FPIR_LIMITS.get(name), limits.FNIR_LIMITS.get(name)), name


def test_each_class_is_judged_by_the_clause_that_names_it():
    named = {}
    for clause in clauses().values():
        if clause.id in set(limits.CLASS_CLAUSES.values()):
            for name in clause.classes:
                named[name] = clause.id
    assert named == limits.CLASS_CLAUSES
    assert limits.VERIFICATION_CLASSES == tuple(limits.FMR_LIMITS) == tuple(limits.FRR_LIMITS)
    assert limits.IDENTIFICATION_CLASSES == tuple(limits.FPIR_LIMITS) == \
        tuple(limits.FNIR_LIMITS)
    assert clauses()["FRS-CNF-005"].classes == limits.IDENTIFICATION_CLASSES
    assert limits.VERIFICATION_CLASSES + limits.IDENTIFICATION_CLASSES == limits.CLASSES


def test_the_consent_classes_are_those_of_withdrawal():
    assert clauses()["FRS-RET-007"].classes == limits.CONSENTING_CLASSES


def test_a_deletion_reaches_the_copies_frs_ret_003_names():
    text = " ".join(clauses()["FRS-RET-003"].text.split())
    named = re.split(r", | and ", re.search(r"— (.*?) —", text)[1])
    assert set(named) <= set(limits.DELETION_STORES)
    # The one store beyond RET-003's list: the probe images RET-005 deletes.
    assert set(limits.DELETION_STORES) - set(named) == {"probe-images"}
    assert "probe image" in clauses()["FRS-RET-005"].text
    assert set(limits.ALWAYS_PRESENT_STORES) <= set(limits.DELETION_STORES)
    assert set(limits.DELETION_STORES) <= set(limits.STORE_KINDS)


def test_pyproject_lists_the_classes():
    table = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert tuple(table["tool"]["frs"]["classes"]) == limits.CLASSES


def schema_nodes():
    """(schema file, JSON pointer, node) for every object in every schema."""
    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        stack = [("", json.loads(path.read_text(encoding="utf-8")))]
        while stack:
            pointer, node = stack.pop()
            if isinstance(node, dict):
                yield path.name, pointer, node
                stack += [(f"{pointer}/{k}", v) for k, v in node.items()]
            elif isinstance(node, list):
                stack += [(f"{pointer}/{n}", v) for n, v in enumerate(node)]


def test_the_schemas_enums_and_consts_are_the_limits():
    seen = {"classes": 0, "stores": 0, "schema_version": 0, "pad levels": 0, "retention": 0}
    for name, pointer, node in schema_nodes():
        where = f"{name}#{pointer}"
        enum = node.get("enum")
        if enum and "V-L" in enum:
            assert tuple(enum) == limits.CLASSES, where
            seen["classes"] += 1
        if enum and "backups" in enum:
            assert tuple(enum) == limits.STORE_KINDS, where
            seen["stores"] += 1
        if enum and "A" in enum and "B" in enum:
            assert tuple(enum) == ("none", *limits.IAPAR_LIMITS), where
            seen["pad levels"] += 1
        if pointer.endswith("/properties/schema_version"):
            assert node["const"] == limits.SCHEMA_VERSION, where
            seen["schema_version"] += 1
        if name == "consent-record.schema.json" and pointer.endswith("/max_days_after_last_use"):
            assert node["maximum"] == limits.MAX_RETENTION_DAYS, where
            seen["retention"] += 1
    # Each kind of tie was found where the schemas keep it (so the walk cannot miss them all).
    assert seen["classes"] >= 3 and seen["stores"] >= 2 and seen["pad levels"] >= 1
    assert seen["schema_version"] == len(list((ROOT / "schemas").glob("*.schema.json")))
    assert seen["retention"] == 1


def literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None


def _hashable(value) -> tuple | None:
    try:
        hash(key := tuple(value))
    except TypeError:
        return None
    return key


def _confidence_literals(node: ast.AST) -> list[object]:
    """Literal values given to a parameter or keyword named `confidence`."""
    if isinstance(node, ast.arguments):
        positional = node.posonlyargs + node.args
        pairs = [*zip(positional[len(positional) - len(node.defaults):], node.defaults,
                      strict=True),
                 *((a, d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True) if d)]
        return [literal(d) for a, d in pairs if a.arg == "confidence"
                and isinstance(d, ast.Constant)]
    if isinstance(node, ast.keyword) and node.arg == "confidence":
        return [node.value.value] if isinstance(node.value, ast.Constant) else []
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
            node.target.id == "confidence" and isinstance(node.value, ast.Constant):
        return [node.value.value]
    return []


def test_no_module_but_limits_writes_a_spec_number_down():
    """The tuples of reference_impl.limits, a confidence level and a `schema_version`
    appear as literals nowhere else in reference_impl."""
    sequences = {tuple(v) for v in vars(limits).values()
                 if isinstance(v, tuple) and len(v) > 1}
    copies = []
    for path in sorted((ROOT / "reference_impl").rglob("*.py")):
        if path.name == "limits.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Tuple | ast.List) and \
                    (value := literal(node)) is not None and _hashable(value) in sequences:
                copies.append(f"{where}: {tuple(value)}")
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if literal(key) == "schema_version" and isinstance(value, ast.Constant):
                        copies.append(f"{where}: schema_version {value.value!r}")
    assert copies == []
