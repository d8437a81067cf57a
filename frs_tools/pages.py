"""Pages the site generates at build time, as Markdown text.

Plain functions of the catalogue, so a script can write the same pages without
MkDocs; the site hook only hands them to the build.  Paths are relative to the spec
folder (the site's docs_dir).
"""

from __future__ import annotations

import itertools
import json
import math
import posixpath
import re
from functools import cache

from frs_tools import links, redirects
from frs_tools.clauses import Clause
from frs_tools.escape import code, fenced, text
from frs_tools.idlock import Lock
from frs_tools.project import Project
from frs_tools.traceability import Status

BASE_URI = "https://frs-standard.org/schemas/"
GENERATED = "reference"
TRACEABILITY = f"{GENERATED}/traceability.md"
COVERAGE = f"{GENERATED}/coverage.md"
RETIRED = f"{GENERATED}/retired.md"
CODE = f"{GENERATED}/code.md"
CLASSES = f"{GENERATED}/classes.md"
CHANGELOG = f"{GENERATED}/changelog.md"
REFERENCE_INDEX = f"{GENERATED}/index.md"


def class_page_path(name: str) -> str:
    return f"{GENERATED}/classes/{name.lower()}.md"


def schema_page_path(name: str) -> str:
    return f"{GENERATED}/schemas/{name}.md"


def schema_anchor(pointer: str) -> str:
    """The row of a schema page that a JSON pointer names (`/properties/a/items/properties/b`
    -> `a[].b`, `/$defs/d` -> `def-d`), or "" for a pointer that names no row."""
    parts = pointer.strip("/").split("/") if pointer.strip("/") else []
    anchor = ""
    if parts[:1] == ["$defs"] and len(parts) > 1:
        anchor, parts = f"def-{parts[1]}", parts[2:]
    while parts:
        if parts[0] == "properties" and len(parts) > 1:
            anchor += ("." if anchor else "") + parts[1]
            parts = parts[2:]
        elif parts[0] == "items" and anchor:
            anchor += "[]"
            parts = parts[1:]
        else:
            return ""
    return anchor if not anchor.endswith("[]") else ""


def schema_file_path(name: str) -> str:
    """Where the raw schema is published (its download URL)."""
    return f"schemas/{name}{links.SCHEMA_SUFFIX}"


def href(from_page: str, to_page: str, anchor: str = "") -> str:
    """A link from one docs page to another, relative, as MkDocs resolves it."""
    return _relative(from_page, to_page) + (f"#{anchor}" if anchor else "")


@cache
def _relative(from_page: str, to_page: str) -> str:
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


def spec_path(clause: Clause, project: Project) -> str:
    """The clause's page relative to the docs folder."""
    return docs_path(clause.file, project)


def docs_path(file: str, project: Project) -> str:
    """A spec file (as the parser names it) relative to the docs folder."""
    return _relative(project.docs_folder + "/", file)


def impl_anchor(impl: str) -> str:
    return impl.replace(":", "-").replace(".", "-")


def front_matter(search: bool = True, toc: bool = True) -> str:
    """A generated page's front matter (Material for MkDocs reads both keys; another
    generator ignores them).  Reference tables stay out of the search index: a search for
    a requirement ID must find the page that defines it, not the tables that list it.  A
    wide table takes the table of contents' room."""
    lines = ([] if search else ["search:", "  exclude: true"]) + (
        [] if toc else ["hide:", "  - toc"])
    return "---\n" + "\n".join(lines) + "\n---\n\n" if lines else ""


NOT_SEARCHED = front_matter(search=False)


def chapter_label(title: str) -> str:
    """A chapter's short name for a table: `6`, `Annex B`, or the title itself."""
    words = title.split()
    if words and words[0].isdigit():
        return words[0]
    if len(words) > 1 and words[0] in ("Annex", "附录"):  # the Chinese edition's too
        return f"{words[0]} {words[1][0]}"
    return title


def traceability_page(clauses: list[Clause], statuses: dict[str, Status],
                      titles: dict[str, str], project: Project) -> str:
    """Clause → schema → code → tests → status, one short row a clause.

    The tests are folded away under their count, and the table's filters (chapter, class,
    status; spec/assets/frs-tables.js) need no server.  A Markdown table: its links are
    Markdown, so MkDocs rewrites them to page URLs and its strict link check covers them.
    (Links written in raw HTML are left as written, and `page.md#id` would 404.)"""
    rows = []
    for clause in sorted(clauses, key=lambda c: c.id):
        status = statuses[clause.id]
        page = spec_path(clause, project)
        title = titles.get(clause.file, clause.file)
        cells = [
            f'<span id="row-{clause.id}"></span>'
            f"[{clause.id}]({href(TRACEABILITY, page, clause.id)})"
            + (f" {text(clause.title)}" if clause.title else ""),
            clause.level,
            f'<span title="{text(title)}">{text(chapter_label(title))}</span>',
            text(", ".join(clause.classes)) or "all",
            _schema_cell(clause),
            f"[`{clause.impl.partition(':')[2]}`]"
            f"({href(TRACEABILITY, CODE, impl_anchor(clause.impl))} \"{clause.impl}\")"
            if clause.impl else "",
            _tests_cell(status.tests),
            f'<span class="frs-status frs-status-{status.status}" '
            f'title="{text(status.reason)}">{status.status}'
            "</span>",
        ]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return (front_matter(search=False, toc=False) + "# Traceability matrix\n\n"
            "Every requirement, the schema and reference code that make it concrete, the "
            "tests that verify it, and its status in the last test run. Generated from the "
            "spec and the test results at build time. Open a row's tests to list them; "
            "the filters above the table show one chapter, class or status.\n\n"
            '<div class="frs-matrix frs-compact frs-filter" data-filter="Chapter Classes Status" '
            'markdown="1">\n\n'
            "| Requirement | Level | Chapter | Classes | Schema | Code | Tests | Status |\n"
            "|---|---|---|---|---|---|--:|---|\n" + "\n".join(rows) + "\n\n</div>\n")


def _tests_cell(tests: tuple[str, ...] | list[str]) -> str:
    """The number of tests, with their node IDs folded under it."""
    if not tests:
        return "0"
    listed = "".join(f"<li><code>{text(t)}</code></li>" for t in tests)
    return f"<details><summary>{len(tests)}</summary><ul>{listed}</ul></details>"


def _schema_cell(clause: Clause) -> str:
    if not clause.schema:
        return ""
    name, pointer = links.split_schema_link(clause.schema)
    title = f' "{text(pointer)}"' if pointer else ""
    target = href(TRACEABILITY, schema_page_path(name), schema_anchor(pointer))
    return f"[`{name}`]({target}{title})"


def coverage_page(clauses: list[Clause], statuses: dict[str, Status],
                  titles: dict[str, str], project: Project) -> str:
    """Per chapter: how many clauses are verified, failing, untested, not gated."""
    columns = ("verified", "failing", "untested", "not-gated")
    lines = [front_matter(search=False) + "# Coverage by chapter", "",
             "How many requirements of each chapter the last test run verified. A SHALL, "
             "SHALL NOT, SHOULD or SHOULD NOT requirement is verified when a test that names "
             "it ran and passed and, for a requirement with reference code, executed that "
             "code. MAY requirements are listed, not gated.", "",
             "| Chapter | Requirements | " + " | ".join(columns) + " |",
             "|---|--:|" + "--:|" * len(columns)]
    for file, title in titles.items():
        chapter = [c for c in clauses if c.file == file]
        if not chapter:
            continue
        counts = [sum(statuses[c.id].status == s for c in chapter) for s in columns]
        page = docs_path(file, project)
        lines.append(f"| [{text(title)}]({href(COVERAGE, page)}) | {len(chapter)} | "
                     + " | ".join(map(str, counts)) + " |")
    total = [sum(statuses[c.id].status == s for c in clauses) for s in columns]
    lines.append(f"| **All** | **{len(clauses)}** | " + " | ".join(f"**{n}**" for n in total)
                 + " |")
    return "\n".join(lines) + "\n"


def retired_page(lock: Lock, clauses: list[Clause], project: Project) -> str:
    """A tombstone anchor for every retired ID, so old links still land somewhere."""
    where = {c.id: spec_path(c, project) for c in clauses}
    lines = ["# Retired requirements", "",
             "Requirement IDs are never reused. A retired requirement keeps its anchor here, "
             "with the version that retired it and what replaced it.", ""]
    retired = lock.retired()
    if not retired:
        lines.append("No requirement has been retired yet.")
    for clause_id, entry in sorted(retired.items()):
        lines.append(f'<h4 id="{text(clause_id)}">{text(clause_id)} (retired)</h4>\n')
        said = f"Retired in version {text(entry.retired_in)}."
        if entry.replaced_by in where:
            said += (f" Replaced by [{entry.replaced_by}]"
                     f"({href(RETIRED, where[entry.replaced_by], entry.replaced_by)}).")
        elif entry.replaced_by:
            said += f" Replaced by {text(entry.replaced_by)}."
        lines += [said, ""]
    return "\n".join(lines) + "\n"


def code_page(clauses: list[Clause], project: Project) -> str:
    """The reference code each clause links to: signature, docstring, source location."""
    lines = [front_matter(search=False) + "# Reference code", "",
             "The functions of the reference implementation (`reference_impl`) that make "
             "requirements concrete, with the requirements that cite them.", ""]
    by_impl: dict[str, list[Clause]] = {}
    for clause in clauses:
        if clause.impl:
            by_impl.setdefault(clause.impl, []).append(clause)
    for impl, citing in sorted(by_impl.items()):
        name = impl.partition(":")[2]
        lines.append(f'<h2 id="{text(impl_anchor(impl))}"><code>{text(impl)}</code></h2>\n')
        # Read from the source, not imported: the site build never runs reference code.
        try:
            target = links.resolve_impl(impl)
            # The docstring is the code's own Markdown (reviewed as code), shown as such.
            lines += [fenced(f"{name}{target.signature}", "python"), "", target.docstring, "",
                      f"Source: `{project.relative(target.file)}`, line {target.body_start}."]
        except (links.ImplError, OSError, SyntaxError) as exc:  # the checker reports it too
            lines.append(f"This link does not resolve: {text(exc)}")
        cited = ", ".join(f"[{c.id}]({href(CODE, spec_path(c, project), c.id)})"
                          for c in citing)
        lines += ["", f"Cited by {cited}.", ""]
    return "\n".join(lines) + "\n"


SCHEMAS_INDEX = f"{GENERATED}/schemas/index.md"
_CONSTRAINTS = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf",
                "minLength", "maxLength", "pattern", "format", "minItems", "maxItems",
                "uniqueItems", "minProperties", "maxProperties")
_SYMBOLS = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}
_BACKTICKS = re.compile(r"`([^`]+)`")


def _inline(value: str) -> str:
    """A schema's description as inert HTML, keeping its `code` spans."""
    parts = _BACKTICKS.split(str(value))
    return "".join(f"<code>{text(part)}</code>" if odd else text(part)
                   for odd, part in zip(itertools.cycle((False, True)), parts))


def _code(value: object) -> str:
    shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"<code>{text(shown)}</code>"


def _type_of(node: dict, page: str) -> str:
    if "$ref" in node:
        return _ref_link(node["$ref"], page)
    if "const" in node:
        return "const " + _code(node["const"])
    if "enum" in node:
        return "one of " + ", ".join(_code(v) for v in node["enum"])
    kind = node.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    if "array" in kinds and isinstance(node.get("items"), dict):
        inner = _type_of(node["items"], page)
        kinds = [f"array of {inner}" if k == "array" else k for k in kinds]
    if "object" in kinds and isinstance(node.get("additionalProperties"), dict) \
            and "properties" not in node:
        inner = _type_of(node["additionalProperties"], page)
        kinds = [f"map of {inner}" if k == "object" else k for k in kinds]
    return " or ".join(kinds)


def _ref_link(ref: str, page: str) -> str:
    """A `$ref` as a link to what it names: a definition on this page (`#def-NAME`), or
    another schema's page (and its definition)."""
    target, _, fragment = ref.partition("#")
    definition = fragment.removeprefix("/$defs/") if fragment.startswith("/$defs/") else ""
    anchor = f"#def-{definition}" if definition else ""
    if not target and definition:
        return f'<a href="{text(anchor)}">{text(definition)}</a>'
    name = target.rsplit("/", 1)[-1].removesuffix(links.SCHEMA_SUFFIX)
    if target.startswith(BASE_URI) and name and (definition or not fragment):
        shown = f"{name} {definition}".strip()
        target = href(page, schema_page_path(name)) + anchor
        return f'<a href="{text(target)}">{text(shown)}</a>'
    return _code(ref)


def _breakable(path: str) -> str:
    """A property path that may wrap after each dot, never inside a name."""
    return "<wbr>".join(text(part) for part in re.split(r"(?<=\.)", path))


def _constraints(node: dict) -> str:
    parts = []
    for key in _CONSTRAINTS:
        if key in node:
            value = node[key]
            if key in _SYMBOLS:
                parts.append(f"{_SYMBOLS[key]} {text(json.dumps(value))}")
            elif key == "pattern":
                parts.append("matches " + _code(value))
            else:
                parts.append(f"{text(key)} {_code(value)}")
    if node.get("additionalProperties") is False:
        parts.append("no other properties")
    if "not" in node:
        parts.append("must not match " + _code(node["not"]))
    for key in ("items", "additionalProperties", "propertyNames"):
        sub = node.get(key)
        if isinstance(sub, dict) and "properties" not in sub and key != "additionalProperties":
            inner = _constraints(sub)
            if inner:
                parts.append(f"{key}: {inner}")
        elif key == "additionalProperties" and isinstance(sub, dict) and "properties" not in node:
            inner = _constraints(sub)
            if inner:
                parts.append(f"values: {inner}")
    return "; ".join(parts)


def _property_rows(node: dict, prefix: str, page: str, rows: list[str],
                   anchor: str = "") -> None:
    """One row a property, nested ones after their parent; `anchor` prefixes the row IDs."""
    required = set(node.get("required", ()))
    for name, sub in node.get("properties", {}).items():
        if not isinstance(sub, dict):
            continue
        path = f"{prefix}{name}"
        cells = [f"<code>{_breakable(path)}</code>", _type_of(sub, page),
                 "yes" if name in required else "", _constraints(sub),
                 _inline(sub.get("description", ""))]
        rows.append(f'<tr id="{text(anchor + path)}">'
                    + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        if isinstance(sub.get("properties"), dict):
            _property_rows(sub, f"{path}.", page, rows, anchor)
        items = sub.get("items")
        if isinstance(items, dict) and isinstance(items.get("properties"), dict):
            _property_rows(items, f"{path}[].", page, rows, anchor)


def _property_table(rows: list[str], first: str = "Property") -> str:
    head = "".join(f"<th>{h}</th>" for h in (first, "Type", "Required", "Constraints",
                                             "Description"))
    return (f'<div class="frs-scroll"><table class="frs-schema-table">\n'
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
            + "\n</tbody>\n</table></div>")


def _rules(node: dict, prefix: str = "") -> list[tuple[str, object]]:
    """Rules that tie properties together (if/then/else, allOf, anyOf, oneOf, not)."""
    found = []
    keys = ("if", "then", "else", "allOf", "anyOf", "oneOf", "dependentRequired",
            "dependentSchemas")
    rule = {k: node[k] for k in keys if k in node}
    if rule:
        found.append((prefix or "(the record)", rule))
    for name, sub in node.get("properties", {}).items():
        if isinstance(sub, dict):
            found += _rules(sub, f"{prefix}{name}.")
    return found


def schema_page(name: str, schema: dict, clauses: list[Clause], project: Project,
                examples: dict | None = None) -> str:
    """A schema's page, generated from the schema: what it describes, every property with
    its type, constraints and description (units included), the rules across properties,
    the clauses citing it, its examples, and the schema itself."""
    page = schema_page_path(name)
    citing = [c for c in clauses if links.split_schema_link(c.schema)[0] == name]
    version = schema.get("properties", {}).get("schema_version", {}).get("const")
    lines = [f"# {text(schema.get('title', name))}", "", _inline(schema.get("description", "")),
             "", f"- Schema `{name}`" + (f", version {code(version)}" if version else ""),
             f"- `$id`: {code(schema.get('$id', ''))}",
             f"- Download: [`{name}{links.SCHEMA_SUFFIX}`]"
             f"({href(page, schema_file_path(name))})", ""]
    if citing:
        lines += ["Cited by " + ", ".join(
            f"[{c.id}]({href(page, spec_path(c, project), c.id)})"
            + (f" ({text(c.title)})" if c.title else "") for c in citing) + ".", ""]
    rows: list[str] = []
    _property_rows(schema, "", page, rows)
    if rows:
        closed = " No other properties are allowed." if schema.get(
            "additionalProperties") is False else ""
        lines += ["## Properties", "",
                  "Nested properties are written with dots; `[]` stands for each item of an "
                  f"array.{closed}", "", _property_table(rows), ""]
    definitions = {k: v for k, v in schema.get("$defs", {}).items() if isinstance(v, dict)}
    if definitions:
        rows = []
        _property_rows({"properties": definitions}, "", page, rows, anchor="def-")
        lines += ["## Definitions", "",
                  "The types that properties name by `$ref` (`#/$defs/NAME`).", "",
                  _property_table(rows, "Definition"), ""]
    rules = _rules(schema)
    if rules:
        lines += ["## Rules across properties", ""]
        for where, rule in rules:
            lines += [f"On {code(where.rstrip('.'))}:", "",
                      fenced(json.dumps(rule, indent=2, ensure_ascii=False), "json"), ""]
    lines += ["## Examples", ""]
    for i, example in enumerate(schema.get("examples", []), 1):
        lines += [f"Example {i} (from the schema):", "",
                  fenced(json.dumps(example, indent=2, ensure_ascii=False), "json"), ""]
    examples = examples or {}
    for kind in ("valid", "invalid"):
        for file, (example, reason) in sorted(examples.get(kind, {}).items()):
            label = code(f"{kind}/{file}")
            if reason:
                label += (f" — rejected by {code(reason.get('keyword', '?'))} at "
                          f"{code(reason.get('pointer', '') or '/')}")
            lines += [f"/// details | {label}", "", fenced(example.rstrip(), "json"), "///", ""]
    lines += ["## Schema", "", "/// details | The schema itself", "",
              fenced(json.dumps(schema, indent=2, ensure_ascii=False), "json"), "///", ""]
    return "\n".join(lines)


def _rate(value: float | None) -> str:
    """A limit as the spec writes it: ≤ 5 %, ≤ 10⁻⁴, ≤ 3 × 10⁻⁴."""
    if value is None:
        return "—"
    if value >= 0.01:
        return f"≤ {value * 100:g} %"
    exponent = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0 ** exponent, 6)
    power = "10" + str(exponent).translate(_SUPERSCRIPT)
    return f"≤ {power}" if mantissa == 1 else f"≤ {mantissa:g} × {power}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def classes_page(clauses: list[Clause], class_names: tuple[str, ...],
                 titles: dict[str, str], project: Project) -> str:
    """The conformance classes at a glance: limits, and how many clauses apply to each."""
    from reference_impl.classes import CLASSES as LIMITS

    lines = [front_matter(search=False, toc=False) + "# Conformance classes at a glance", "",
             "A system conforms to FRS in one class, chosen by what it does and where it "
             "compares faces (clause 2). Each class has its own error-rate limits and its own "
             "list of applicable requirements: a requirement that names no class applies to "
             "all of them. Follow a class to see every requirement it must meet.", "",
             '<div class="frs-compact" markdown="1">', "",
             "| Class | What the system does | FMR | FRR | FPIR per group | FNIR "
             "| Requirements (shall · should · may) |",
             "|---|---|---|---|---|---|---|"]
    for name in class_names:
        limits = LIMITS.get(name)
        applying = [c for c in clauses if c.applies_to(name)]
        counts = [sum(c.level in group for c in applying)
                  for group in (("shall", "shall not"), ("should", "should not"), ("may",))]
        lines.append(
            f"| [{name}]({href(CLASSES, class_page_path(name))}) | "
            f"{limits.summary if limits else ''} | {_rate(limits and limits.fmr_max)} | "
            f"{_rate(limits and limits.frr_max)} | {_rate(limits and limits.fpir_max)} | "
            f"{_rate(limits and limits.fnir_max)} | "
            f"{len(applying)} ({' · '.join(map(str, counts))}) |")
    lines += ["", "</div>"]
    lines += ["", "## Requirements by chapter and class", "",
              "| Chapter | " + " | ".join(class_names) + " |",
              "|---|" + "--:|" * len(class_names)]
    for file, title in titles.items():
        chapter = [c for c in clauses if c.file == file]
        if chapter:
            page = docs_path(file, project)
            lines.append(f"| [{text(title)}]({href(CLASSES, page)}) | " + " | ".join(
                str(sum(c.applies_to(n) for c in chapter)) for n in class_names) + " |")
    return "\n".join(lines) + "\n"


def class_page(name: str, clauses: list[Clause], statuses: dict[str, Status],
               titles: dict[str, str], project: Project) -> str:
    """Every requirement that applies to one conformance class, chapter by chapter."""
    from reference_impl.classes import CLASSES as LIMITS

    limits = LIMITS.get(name)
    page = class_page_path(name)
    applying = [c for c in clauses if c.applies_to(name)]
    lines = [front_matter(search=False) + f"# Class {name}"
             + (f" — {limits.summary}" if limits else ""), ""]
    if limits:
        stated = [f"{label} {_rate(value)}" for label, value in
                  (("FMR", limits.fmr_max), ("FRR", limits.frr_max),
                   ("FPIR in every demographic group", limits.fpir_max),
                   ("FNIR", limits.fnir_max)) if value is not None]
        lines += [f"Error-rate limits: {', '.join(stated)}, each judged on the one-sided upper "
                  "95 % confidence bound of the measured rate (clause 6.5).", ""]
    lines += [f"{len(applying)} requirements apply to Class {name}: those that name it in "
              "their classes, and those that name no class. The status is that of the last "
              f"test run. See also [the classes at a glance]({href(page, CLASSES)}).", ""]
    for file, title in titles.items():
        chapter = sorted((c for c in applying if c.file == file), key=lambda c: c.line)
        if not chapter:
            continue
        target = docs_path(file, project)
        lines += [f"## {text(title)}", "", "| Requirement | Level | Title | Classes | Status |",
                  "|---|---|---|---|---|"]
        for clause in chapter:
            status = statuses[clause.id].status
            lines.append(f"| [{clause.id}]({href(page, target, clause.id)}) | {clause.level} | "
                         f"{text(clause.title) or '—'} | "
                         f"{text(', '.join(clause.classes)) or 'all'} | {status} |")
        lines.append("")
    return "\n".join(lines) + "\n"


# The generated reference pages, in the order the reference index lists them.
REFERENCE_TABLES = (
    (CLASSES, "Conformance classes at a glance",
     "each class's error-rate limits and how many requirements apply to it"),
    (TRACEABILITY, "Traceability matrix",
     "every requirement with its schema, reference code, tests and status"),
    (COVERAGE, "Coverage by chapter", "how many requirements of each chapter are verified"),
    ("reference/ics-proforma.md", "ICS proforma",
     "the implementation conformance statement to fill in, one row a requirement"),
    (CODE, "Reference code", "the functions of the reference implementation that clauses cite"),
    (SCHEMAS_INDEX, "Schemas", "every data object's JSON Schema, property by property"),
    (RETIRED, "Retired requirements", "IDs withdrawn, with what replaced them"),
    (CHANGELOG, "Changelog", "the normative changes of each version"),
)


def reference_index(site_url: str = "") -> str:
    """The reference tables with their addresses: the PDF leaves the long ones out, so a
    reader of paper finds them here."""
    lines = ["# Reference tables", "",
             "Tables generated at build time from the spec, the schemas and the last test "
             "run. They restate the standard's text and never add to it. The printed "
             "standard leaves the long ones out; each is on the site at the address below.",
             "", "| Table | What it holds | Address |", "|---|---|---|"]
    for path, title, what in REFERENCE_TABLES:
        address = (site_url.rstrip("/") + "/" + redirects.page_url(path)) if site_url else ""
        lines.append(f"| [{title}]({href(REFERENCE_INDEX, path)}) | {what} | "
                     + (f"<{address}>" if address else "") + " |")
    return "\n".join(lines) + "\n"


def changelog_page(text: str) -> str:
    """The project's CHANGELOG.md as a site page (it lives outside the spec folder, so the
    checker's keyword rule does not apply to the word diffs it quotes)."""
    return text if text.strip() else "# Changelog\n\nNo version has been released yet.\n"
def schemas_index(schemas: dict[str, dict], clauses: list[Clause]) -> str:
    """Every published schema, with its version, the clauses citing it and its download."""
    lines = ["# Schemas", "",
             "Every data object of FRS has a JSON Schema (draft 2020-12), published at its "
             "`$id`. Each page below is generated from the schema itself. Annex A says which "
             "records follow which schema; `frs validate` checks them.", "",
             "| Schema | Object | Version | Cited by | Download |", "|---|---|---|--:|---|"]
    for name, schema in sorted(schemas.items()):
        version = schema.get("properties", {}).get("schema_version", {}).get("const", "")
        count = sum(links.split_schema_link(c.schema)[0] == name for c in clauses)
        lines.append(f"| [{name}]({href(SCHEMAS_INDEX, schema_page_path(name))}) | "
                     f"{text(schema.get('title', ''))} | {text(version)} | {count} | "
                     f"[`{name}{links.SCHEMA_SUFFIX}`]"
                     f"({href(SCHEMAS_INDEX, schema_file_path(name))}) |")
    return "\n".join(lines) + "\n"
