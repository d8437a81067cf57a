"""Sources as data: the bibliography every clause's `sources:` option cites.

The bibliography (`spec/bibliography.yaml`, or `[tool.frs] bibliography`) is a mapping
from a short key to one document: its title, issuer, date, kind and role (normative or
informative).  A document may list its `provisions` (articles, clauses) by locator;
then a clause citing it must name one of them, and a document of a `profile` (the
China profile) must have every provision implemented by some clause or declared out of
scope with the reason.  So a gap in FRS's coverage of a regulation is a finding of
`frs check`, and the generated profile annex shows it as an empty row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from frs_tools.clauses import Clause, Problem
from frs_tools.project import Project
from reference_impl import safeload

KINDS = ("standard", "regulation", "law", "guideline", "case-law", "publication",
         "trade-press", "web")
ROLES = ("normative", "informative")
# Secondary reporting can inform a reader but never ground a requirement.
INFORMATIVE_ONLY = ("trade-press", "web")
REQUIRED = ("title", "issuer", "date", "kind", "role")
# A Chinese source's own words for the Chinese edition: `title_zh`, ... and `provisions_zh`
# (the same locators as `provisions`, their summaries in Chinese).
TRANSLATED = ("title", "issuer", "read_via", "note")
OPTIONAL = ("url", "read_via", "profile", "note", "provisions",
            *(f"{name}_zh" for name in TRANSLATED), "provisions_zh")


@dataclass(frozen=True)
class Provision:
    locator: str
    summary: str
    out_of_scope: str = ""  # why no clause implements it; "" when clauses must
    line: int = 0


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    issuer: str
    date: str
    kind: str
    role: str
    line: int
    url: str = ""
    read_via: str = ""
    profile: str = ""
    note: str = ""
    provisions: dict[str, Provision] = field(default_factory=dict)
    title_zh: str = ""  # a Chinese source's own title, for the Chinese edition
    issuer_zh: str = ""
    read_via_zh: str = ""
    note_zh: str = ""
    provisions_zh: dict[str, Provision] = field(default_factory=dict)

    def in_chinese(self) -> Source:
        """The source as the Chinese edition shows it: each text in Chinese where it has one
        (a provision keeps its English reason out of scope unless both are translated)."""
        provisions = {}
        for locator, english in self.provisions.items():
            chinese = self.provisions_zh.get(locator)
            provisions[locator] = replace(english, summary=chinese.summary, out_of_scope=(
                english.out_of_scope and (chinese.out_of_scope or english.out_of_scope))) \
                if chinese else english
        return replace(self, provisions=provisions,
                       **{n: getattr(self, f"{n}_zh") or getattr(self, n) for n in TRANSLATED})


@dataclass
class Bibliography:
    file: str  # as findings print it
    sources: dict[str, Source]
    problems: list[Problem]


def bibliography_path(project: Project) -> Path:
    return project.root / project.bibliography


def load(project: Project) -> Bibliography:
    """Read and check the bibliography; every fault is a Problem with its line."""
    path = bibliography_path(project)
    name = project.relative(path)
    if not path.is_file():
        return Bibliography(name, {}, [])
    try:  # the front door's YAML rules first (no alias bomb, duplicate key, odd tag)
        text = path.read_text(encoding="utf-8")
        safeload.yaml_value(text, name)
        root = yaml.compose(text)  # then its nodes, for the line of every entry
    except (safeload.LoadError, UnicodeDecodeError) as exc:
        line = getattr(exc, "line", None) or 1
        return Bibliography(name, {}, [Problem(name, line, "not valid YAML: "
                                               f"{getattr(exc, 'detail', exc)}",
                                               "bad-bibliography")])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return Bibliography(name, {}, [Problem(name, mark.line + 1 if mark else 1,
                                               f"not valid YAML: {getattr(exc, 'problem', exc)}",
                                               "bad-bibliography")])
    if root is None:
        return Bibliography(name, {}, [])
    if not isinstance(root, yaml.MappingNode):
        return Bibliography(name, {}, [Problem(name, root.start_mark.line + 1, "the "
                                               "bibliography is a mapping of keys to "
                                               "documents", "bad-bibliography")])
    reader = _Reader(name)
    for key_node, value in root.value:
        reader.entry(key_node.value, key_node.start_mark.line + 1, value)
    return Bibliography(name, reader.sources, reader.problems)


class _Reader:
    def __init__(self, file: str):
        self.file = file
        self.sources: dict[str, Source] = {}
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str, rule: str = "bad-bibliography") -> None:
        self.problems.append(Problem(self.file, line, message, rule))

    def entry(self, key: str, line: int, node: yaml.Node) -> None:
        if key in self.sources:
            self.problem(line, f"'{key}' is defined twice")
            return
        if not isinstance(node, yaml.MappingNode):
            self.problem(line, f"'{key}': expected a mapping of {', '.join(REQUIRED)}")
            return
        fields = {k.value: v for k, v in node.value}
        for name in fields.keys() - {*REQUIRED, *OPTIONAL}:
            self.problem(line, f"'{key}': unknown field '{name}' (expected: "
                         f"{', '.join((*REQUIRED, *OPTIONAL))})")
        text = {n: v.value for n, v in fields.items()
                if not n.startswith("provisions") and isinstance(v, yaml.ScalarNode)}
        missing = [n for n in REQUIRED if not str(text.get(n, "")).strip()]
        if missing:
            self.problem(line, f"'{key}': missing {', '.join(missing)}")
            return
        if text["kind"] not in KINDS or text["role"] not in ROLES:
            self.problem(line, f"'{key}': kind must be one of {', '.join(KINDS)} and role "
                         f"one of {', '.join(ROLES)}")
            return
        if text.get("url") and not re.match(r"https?://", str(text["url"]), re.I):
            # The bibliography page links it: a script URL there would run on a click.
            self.problem(line, f"'{key}': url must start with https:// or http://")
        if text["kind"] in INFORMATIVE_ONLY and text["role"] == "normative":
            self.problem(line, f"'{key}': a {text['kind']} source can only be informative")
        provisions = self.provisions(key, fields.get("provisions"))
        chinese = self.provisions(key, fields.get("provisions_zh"))
        self.sources[key] = source = Source(
            key, text["title"], text["issuer"], text["date"], text["kind"], text["role"], line,
            text.get("url", ""), text.get("read_via", ""), text.get("profile", ""),
            text.get("note", ""), provisions,
            **{f"{n}_zh": text.get(f"{n}_zh", "") for n in TRANSLATED}, provisions_zh=chinese)
        self.translation(source)

    def translation(self, source: Source) -> None:
        """`provisions_zh` has the locators of `provisions`; a source with a Chinese title
        (the Chinese edition shows its profile in Chinese) has every text in Chinese."""
        for locator, provision in source.provisions_zh.items():
            if locator not in source.provisions:
                self.problem(provision.line, f"'{source.key}' provisions_zh {locator}: no such "
                             f"provision (listed: {', '.join(source.provisions)})")
        if not source.title_zh:
            return
        for name in TRANSLATED:
            if getattr(source, name) and not getattr(source, f"{name}_zh"):
                self.problem(source.line, f"'{source.key}' has a title_zh but no {name}_zh: "
                             f"the Chinese edition would show its {name} in English",
                             "untranslated-source")
        for locator, provision in source.provisions.items():
            chinese = source.provisions_zh.get(locator)
            if chinese is None or (provision.out_of_scope and not chinese.out_of_scope):
                what = "summary" if chinese is None else "reason out of scope"
                self.problem(provision.line, f"'{source.key}' {locator}: no Chinese {what} in "
                             "provisions_zh (the source has a title_zh)", "untranslated-source")

    def provisions(self, key: str, node: yaml.Node | None) -> dict[str, Provision]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.problem(node.start_mark.line + 1, f"'{key}': provisions map a locator to "
                         "its summary")
            return {}
        found = {}
        for locator_node, value in node.value:
            locator, line = locator_node.value, locator_node.start_mark.line + 1
            if isinstance(value, yaml.ScalarNode):
                found[locator] = Provision(locator, value.value, line=line)
                continue
            parts = {k.value: v.value for k, v in getattr(value, "value", [])
                     if isinstance(v, yaml.ScalarNode)}
            if not isinstance(value, yaml.MappingNode) or "summary" not in parts:
                self.problem(line, f"'{key}' {locator}: expected a summary, or a mapping "
                             "with summary and out_of_scope")
                continue
            found[locator] = Provision(locator, parts["summary"], parts.get("out_of_scope", ""),
                                       line)
        return found


def implementing(bibliography: Bibliography, clauses: list[Clause]
                 ) -> dict[tuple[str, str], list[Clause]]:
    """(key, locator) → the clauses that cite it, in ID order."""
    cited: dict[tuple[str, str], list[Clause]] = {}
    for clause in sorted(clauses, key=lambda c: c.id):
        for key, locator in clause.sources:
            cited.setdefault((key, locator), []).append(clause)
    return cited


def problems(project: Project, clauses: list[Clause]) -> list[Problem]:
    """Every unknown key or locator a clause cites, every provision of a profile that no
    clause implements, and every fault of the bibliography itself."""
    bibliography = load(project)
    found = list(bibliography.problems)
    for clause in clauses:
        for key, locator in clause.sources:
            source = bibliography.sources.get(key)
            if source is None:
                found.append(Problem(clause.file, clause.line, f"source '{key}' is not in "
                                     f"{bibliography.file}", "unknown-source", clause.id))
            elif source.provisions and locator not in source.provisions:
                found.append(Problem(clause.file, clause.line, f"'{key}' has no provision "
                                     f"'{locator}' (listed: {', '.join(source.provisions)})",
                                     "unknown-source", clause.id))
    cited = implementing(bibliography, clauses)
    for source in bibliography.sources.values():
        if not source.profile:
            continue
        for provision in source.provisions.values():
            if not provision.out_of_scope and (source.key, provision.locator) not in cited:
                found.append(Problem(bibliography.file, source.line, f"{source.key} "
                                     f"{provision.locator} ({provision.summary}) is "
                                     "implemented by no clause and not declared out of scope",
                                     "uncovered-provision"))
    return found
