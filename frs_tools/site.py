"""What the site shows, computed once per build from the spec, the lock and the results.

`frs_tools/site_hook.py` adapts this to MkDocs; nothing here imports MkDocs, so the same
model serves a script or another site generator.
"""

from __future__ import annotations

import json
from pathlib import Path

from frs_tools import annexes, ics, idlock, links, pages, schema_examples, traceability
from frs_tools.check import duplicate_problems, unique_clauses
from frs_tools.clauses import parse_spec
from frs_tools.project import Project
from frs_tools.requirement_block import Rendering
from reference_impl.errors import InputError


class SiteError(InputError):
    """The spec cannot be published; the message lists every problem as file:line."""


class SiteModel:
    def __init__(self, project: Project):
        self.project = project
        spec = parse_spec(project)
        problems = spec.problems + duplicate_problems(spec.clauses)
        self.clauses = unique_clauses(spec.clauses)
        problems += [p for p in links.problems(project, self.clauses) if p.rule == "bad-schema"]
        if problems:
            raise SiteError("the spec has problems:\n" + "\n".join(map(str, problems)))
        self.titles = spec.titles
        self.lock = idlock.load(project.lock_file)
        self.has_results = (project.results_dir / traceability.JUNIT_FILE).exists()
        self.statuses = traceability.trace(project, self.clauses, self.lock).statuses
        self.by_id = {c.id: c for c in self.clauses}
        # The pages that define a clause: a search for its ID must list them first.
        self.defining_pages = {pages.spec_path(c, project) for c in self.clauses}
        self.page = ""  # the docs page being rendered, set by the hook

    def status_label(self, clause_id: str) -> str:
        return self.statuses[clause_id].status if self.has_results else "not-run"

    def link(self, clause_id: str) -> str:
        """A requirement as a Markdown link from the current page to its clause."""
        target = pages.spec_path(self.by_id[clause_id], self.project)
        return f"[{clause_id}]({pages.href(self.page, target, clause_id)})"

    def render(self, clause_id: str) -> Rendering:
        """What the requirement block shows, with links relative to the current page."""
        clause = self.by_id[clause_id]
        schema_name = links.split_schema_link(clause.schema)[0]
        return Rendering(
            id=clause.id, level=clause.level, title=clause.title,
            status=self.status_label(clause.id),
            schema=clause.schema,
            schema_href=pages.href(self.page, pages.schema_page_path(schema_name))
            if clause.schema else "",
            impl=clause.impl,
            impl_href=pages.href(self.page, pages.CODE, pages.impl_anchor(clause.impl))
            if clause.impl else "",
            classes=clause.classes)

    def schema_files(self) -> dict[str, Path]:
        return {p.name[: -len(links.SCHEMA_SUFFIX)]: p
                for p in sorted(self.project.schemas_dir.glob(f"*{links.SCHEMA_SUFFIX}"))}

    def generated_pages(self) -> dict[str, str]:
        """Every generated page, by its path under the docs folder."""
        statuses = {i: traceability.Status(self.status_label(i), s.tests, s.reason)
                    for i, s in self.statuses.items()}
        generated = {
            pages.TRACEABILITY: pages.traceability_page(self.clauses, statuses, self.project),
            pages.COVERAGE: pages.coverage_page(self.clauses, statuses, self.titles,
                                                self.project),
            pages.RETIRED: pages.retired_page(self.lock, self.clauses, self.project),
            pages.CODE: pages.code_page(self.clauses, self.project),
            ics.ICS: ics.ics_page(self.clauses, self.project),
            pages.CLASSES: pages.classes_page(self.clauses, self.project.classes or (),
                                              self.titles, self.project),
        }
        generated.update(annexes.generated(self.clauses, self.titles, self.project))
        changelog = self.project.root / "CHANGELOG.md"
        generated[pages.CHANGELOG] = pages.changelog_page(
            changelog.read_text(encoding="utf-8") if changelog.exists() else "")
        for name in self.project.classes or ():
            generated[pages.class_page_path(name)] = pages.class_page(
                name, self.clauses, statuses, self.titles, self.project)
        schemas = {}
        for name, path in self.schema_files().items():
            schema = schemas[name] = json.loads(path.read_text(encoding="utf-8"))
            generated[pages.schema_page_path(name)] = pages.schema_page(
                name, schema, self.clauses, self.project, self.schema_examples(name))
        generated[pages.SCHEMAS_INDEX] = pages.schemas_index(schemas, self.clauses)
        return generated

    def schema_examples(self, name: str) -> dict:
        """{'valid'|'invalid': {file: (text, stated reason or None)}} for a schema's page."""
        found = schema_examples.find(self.project, name)
        return {kind: {p.name: (p.read_text(encoding="utf-8"), found.expected.get(p.name))
                       for p in getattr(found, kind)}
                for kind in ("valid", "invalid")}
