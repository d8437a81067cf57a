"""The one parser of FRS requirement clauses.

A clause is a pymdownx Blocks block in a spec page:

    /// requirement | FRS-ACC-003
        level: shall
        schema: evaluation-report#/properties/verification
        impl: reference_impl.metrics.verification:fnmr_at_fmr
        title: FNMR at a target FMR

    A verification system SHALL ...
    ///

The site, the checker and every export read clauses through `parse_text`, so they can
never disagree about what a clause is.  The parser is strict where Blocks is lenient:
Blocks prints a block with a bad option as plain text and carries on, so every option
is validated here and every fault becomes a `Problem` with its file and line.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from frs_tools.project import Project
from reference_impl import safeload
from reference_impl.safe_text import printable

# The level option and the one keyword the clause text must use for it.
LEVELS = {
    "shall": "SHALL",
    "shall not": "SHALL NOT",
    "should": "SHOULD",
    "should not": "SHOULD NOT",
    "may": "MAY",
}
# Levels that a passing test must verify; MAY clauses are reported, not gated.
GATED_LEVELS = frozenset({"shall", "shall not", "should", "should not"})
OPTIONS = ("level", "schema", "impl", "title", "classes", "sources")

ID_PATTERN = re.compile(r"FRS-([A-Z]{2,4})-([0-9]{3})")
# What a slip of the ID still reads as: `FRS-ACC-27`, `frs-acc-027`, `FRS ACC 027`.
_LOOSE_ID = re.compile(r"\s*FRS[-_ ]*([A-Za-z]{2,4})[-_ ]*(\d{1,3})\s*", re.I)
_OPTION_KEY = re.compile(r"\s*([^\s:]+)\s*:")
# BCP 14 and ISO/IEC Directives keywords, longest first so "SHALL NOT" wins over "SHALL".
KEYWORD_PATTERN = re.compile(
    r"(?<![\w-])(SHALL NOT|SHOULD NOT|MUST NOT|MAY NOT|NOT RECOMMENDED|"
    r"SHALL|SHOULD|MUST|MAY|REQUIRED|RECOMMENDED|OPTIONAL)(?![\w-])"
)
SCHEMA_LINK = re.compile(r"[a-z0-9][a-z0-9-]*(#(/[^\s]*)?)?")
# `module:function`, or a method of a class, `module:Class.method` (any depth).
IMPL_LINK = re.compile(r"reference_impl(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", re.ASCII)

# `key: value` where YAML reads value as this very text: no indicator first, no comment,
# no inner `: `, no trailing colon.
_PLAIN_OPTION = re.compile(r"([a-z]+):[ ]+([^\s'\"\[\]{}&*!|>%@`#,?:-]"
                           r"(?:(?! #|: )[^\t])*?)(?<!:)[ ]*")
# Values YAML does not read as that same string; a lone "=" is YAML's value key, which the
# safe loader refuses.
_YAML_SPECIAL = re.compile(r"(?i)(?:y|n|yes|no|true|false|on|off|null|~|=|[-+.\d][\d._:eE+-]*"
                           r"|\.inf|\.nan|0[xob][\da-f_]+)")
# ASCII spaces only, as Blocks reads an opener (`[ ]*`): a no-break space stays in the
# argument, where the ID check names it.
_BLOCK_OPEN = re.compile(r"^(/{3,})[ ]*([A-Za-z][\w-]*)?[ ]*(?:\|[ ]*(.*?))?[ ]*$")
# What Blocks (pymdownx.blocks) takes for an opener: up to three spaces, `///`, a name.
_BLOCKS_OPENER = re.compile(r"^[ ]{0,3}/{3,}[ ]*[\w-]+")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+).+?\1")
# A heading's clause number: `Annex A` / `附录 A`, or `6.1`, `B.2` before a space.
_HEADING_NUMBER = re.compile(r"(?:Annex|附录)\s*([A-Z])\b"
                             r"|([A-Z]\.\d+(?:\.\d+)*|\d+(?:\.\d+)*)(?!\S)")
# A heading's hashes; its title is the rest, closing hashes stripped in code: a lazy
# group before `\s*#*\s*$` backtracked for minutes on a long line of spaces.
_HEADING = re.compile(r"(#{1,6})\s+(.*)")


def _title(line: str, level: int | None = None) -> str | None:
    """The title of a heading line (of `level`, when given), or None for another line."""
    match = _HEADING.match(line)
    if not match or (level is not None and len(match.group(1)) != level):
        return None
    return match.group(2).rstrip().rstrip("#").rstrip()
# Block types the site enables besides `requirement` (pymdownx.blocks.*).
OTHER_BLOCKS = frozenset({"admonition", "note", "tip", "warning", "example", "info",
                          "details", "tab", "html", "caption", "figure-caption",
                          "table-caption", "definition"})
# Characters that hide text or show it in another order (zero-width characters, bidi
# controls, the byte-order mark, the soft hyphen), controls other than tab, and lone
# surrogates: with one of them the checker, Python-Markdown and a reader would not read
# the same line (`SHA\u200bLL` is no keyword here, and shows as SHALL).  Refused anywhere
# in a spec page, prose and translations included.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
                     "\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]")
# Raw HTML that runs, and links to script URLs: refused anywhere in a spec page (the site
# is built from pull requests; frs_tools/site_markdown.py also drops such links).
_EXECUTABLE = re.compile(r"(?i)<\s*(script|iframe|object|embed|frame|base|meta|form)\b"
                         r"|<[A-Za-z][^>]*\son[a-z]+\s*="
                         r"|(\]\(|\]:|=)\s*[\"'<]?\s*(javascript|vbscript|data):")
# Where only ASCII is expected, what looks like ASCII but is not: spaces other than the
# ASCII space, and the fullwidth forms of ASCII (U+FF01-FF5E: ＳＨＡＬＬ, ０１).
_LOOKALIKE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\uff01-\uff5e]")
# Markup in an option's text (a title is shown as written): tags, entities, links, and
# attribute lists.
_MARKUP = re.compile(r"<[A-Za-z!/?][^\s>]*|&#?\w+;|\]\(|\{:")
# What an option's value holds (links, levels and class names are ASCII by construction;
# sources' locators may hold § and ¶, but no look-alike; a title is text, Chinese
# punctuation included) and what it is called in a finding.
_EXPECTED = {"title": ("text", "plain text, shown as written"),
             "sources": ("no look-alike", "ASCII keys and locators without look-alikes")}


@dataclass(frozen=True)
class Clause:
    """One requirement, as written in the spec."""

    id: str
    level: str
    text: str
    file: str
    line: int
    title: str = ""
    schema: str = ""
    impl: str = ""
    section: str = ""
    classes: tuple[str, ...] = ()  # the conformance classes it applies to; () means all
    # Where the requirement comes from: (bibliography key, locator) pairs, from the
    # `sources:` option `key locator; key locator` (frs_tools.sources checks the keys).
    sources: tuple[tuple[str, str], ...] = ()

    def applies_to(self, conformance_class: str) -> bool:
        return not self.classes or conformance_class in self.classes

    @property
    def area(self) -> str:
        return self.id.split("-")[1]

    @property
    def gated(self) -> bool:
        return self.level in GATED_LEVELS

    @property
    def normative_hash(self) -> str:
        """A hash of what the clause requires: level, classes and whitespace-folded text."""
        folded = " ".join(self.text.split())
        key = f"{self.level}\n{','.join(self.classes)}\n{folded}"
        return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Problem:
    """A fault in a spec file, reported as `file:line: ID: message`."""

    file: str
    line: int
    message: str
    rule: str
    id: str = ""

    def __str__(self) -> str:
        """One line, shown as it is: what it quotes of the page is `printable`."""
        where = f"{self.file}:{self.line}: "
        return printable(where + (f"{self.id}: " if self.id else "")
                         + f"{self.message} [{self.rule}]")


@dataclass(frozen=True)
class Heading:
    """A Markdown heading of a page, outside code and requirement blocks."""

    line: int
    level: int
    text: str

    @property
    def number(self) -> str:
        """Its clause number: `6.1`, `B.2`, `A` for `Annex A ...` (or `附录 A ...`), or ""."""
        match = _HEADING_NUMBER.match(self.text)
        return (match.group(1) or match.group(2)) if match else ""


@dataclass
class Spec:
    """Every clause and every parse problem of a spec tree."""

    clauses: list[Clause]
    problems: list[Problem]
    titles: dict[str, str]  # each page's first heading, by file
    headings: dict[str, list[Heading]] = field(default_factory=dict)  # by file, in order

    @property
    def files(self) -> list[str]:
        return list(self.titles)

    def places(self) -> dict[str, str]:
        """Every ID the spec has, parsed or not, and the file:line of its first block."""
        found: dict[str, str] = {}
        for item in (*self.clauses, *(p for p in self.problems if p.id in self.unparsed)):
            found.setdefault(item.id, f"{item.file}:{item.line}")
        return found

    @property
    def unparsed(self) -> set[str]:
        """IDs whose block is in the spec but does not parse.  The ID is still there, so
        the lock must not call it deleted: its parse problem is the one finding."""
        return {p.id for p in self.problems if p.id} - {c.id for c in self.clauses}


def parse_spec(project: Project) -> Spec:
    """Parse every Markdown page under the project's spec directory (its translations'
    folders aside: frs_tools.translations reads those)."""
    spec = Spec([], [], {})
    for path in project.english_pages():
        name = project.relative(path)
        text, undecodable = decode_page(path.read_bytes(), name)
        found, faults, headings = read_page(text, name, project.areas, project.classes)
        spec.clauses += found
        spec.problems += undecodable + faults
        spec.headings[name] = headings
        spec.titles[name] = next((t for t in (_title(line, 1) for line in text.splitlines())
                                  if t is not None), path.stem)
    return spec


def decode_page(data: bytes, file: str) -> tuple[str, list[Problem]]:
    """A page's text, and a problem at the first byte that is not UTF-8 (which is then
    read as U+FFFD, so the rest of the page is still parsed)."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return data.decode("utf-8", errors="replace"), [Problem(
            file, line, f"invalid UTF-8 byte 0x{data[exc.start]:02x} (a spec page is UTF-8)",
            "bad-encoding")]


def parse_text(text: str, file: str, areas: dict[str, str] | None = None,
               classes: tuple[str, ...] | None = None) -> tuple[list[Clause], list[Problem]]:
    """Parse one page: its clauses, and every problem with a line number."""
    return read_page(text, file, areas, classes)[:2]


def read_page(text: str, file: str, areas: dict[str, str] | None = None,
              classes: tuple[str, ...] | None = None, parser: type[_PageParser] | None = None
              ) -> tuple[list, list[Problem], list[Heading]]:
    """Every page, English or translated (`parser` = frs_tools.translations' subclass),
    is read here: its clauses, its problems with their lines, and its headings."""
    reader = (parser or _PageParser)(text.splitlines(), file, areas, classes)
    found, faults = reader.run()
    return found, faults + character_problems(text, file), reader.headings


class _PageParser:
    """The parser of an English page; frs_tools.translations subclasses it for the
    translated pages (other options, other verbal forms, the same blocks)."""

    options = OPTIONS

    def __init__(self, lines: list[str], file: str, areas: dict[str, str] | None,
                 classes: tuple[str, ...] | None):
        self.lines = lines
        self.file = file
        self.areas = areas
        self.known_classes = classes
        self.clauses: list = []
        self.problems: list[Problem] = []
        self.section = ""
        self.headings: list[Heading] = []

    def problem(self, line: int, message: str, rule: str, id: str = "") -> None:
        self.problems.append(Problem(self.file, line, message, rule, id))

    def run(self) -> tuple[list[Clause], list[Problem]]:
        index, fence, unknown = 0, "", ""  # unknown: the closing line of an unknown block
        while index < len(self.lines):
            line = self.lines[index]
            fence = _next_fence_state(fence, line)
            if fence or _FENCE.match(line):
                index += 1
                continue
            if (title := _title(line)) is not None:
                self.section = title
                level = len(_HEADING.match(line).group(1))
                self.headings.append(Heading(index + 1, level, title))
            opener = _BLOCK_OPEN.match(line)
            if (line.startswith("///") or _BLOCKS_OPENER.match(line)) \
                    and (fault := _opener_fault(line)):
                self.problem(index + 1, f"block opener {fault} (expected '///' at the start "
                             "of the line, ASCII spaces and letters: '/// requirement | "
                             "FRS-AREA-NNN')", "confusable",
                             self.id_read((line.partition("|")[2]).strip()))
                unknown = re.match(" *(/*)", line).group(1)  # its body is skipped
                index += 1
                continue
            if opener and opener.group(2) == "requirement":
                index = self.clause(index, opener)
                continue
            if opener and opener.group(2) and opener.group(2) not in OTHER_BLOCKS:
                self.problem(index + 1, f"unknown block type '{opener.group(2)}' "
                             f"(a requirement is opened with '/// requirement | FRS-AREA-NNN')",
                             "block-type", self.id_read(opener.group(3) or ""))
                unknown = opener.group(1)
            elif unknown and line.strip() == unknown:
                unknown = ""
            elif not unknown:  # a misspelt block is one finding: its keywords are not more
                self.keywords_outside(index, line)
            index += 1
        return self.clauses, self.problems

    def keywords_outside(self, index: int, line: str) -> None:
        self.lookalike_keywords(index + 1, line)
        for keyword in KEYWORD_PATTERN.findall(_INLINE_CODE.sub("", line)):
            self.problem(index + 1, f"normative keyword '{keyword}' outside a requirement clause "
                         "(write it in lower case, or put the requirement in a clause)",
                         "keyword-outside")

    def lookalike_keywords(self, number: int, line: str, clause_id: str = "") -> None:
        """A keyword written with look-alikes (`ＳＨＡＬＬ`, `SHALL\u00a0NOT`) reads as one
        once normalised (NFKC), and shows as one on the site, but is none to the checker."""
        if line.isascii():
            return
        folded, written_right = unicodedata.normalize("NFKC", line), KEYWORD_PATTERN.findall(line)
        for match in KEYWORD_PATTERN.finditer(folded):
            if match.group() in written_right:  # the same keyword, in ASCII
                written_right.remove(match.group())
            else:  # NFKC keeps the length of a line of look-alikes; not of `…` (`...`)
                written = line[match.start():match.end()] if len(folded) == len(line) else ""
                odd = odd_character(written) if written else "look-alike characters"
                self.problem(number, f"keyword '{match.group()}' is written with {odd} "
                             "(write it in ASCII capitals and spaces)", "confusable", clause_id)
                return

    def clause(self, start: int, opener: re.Match) -> int:
        """Parse the clause opened at line `start`; return the index to go on from.

        A block that does not parse yields one problem, naming the ID it was written
        with, and no clause."""
        header_line = start + 1
        slashes, argument = opener.group(1), (opener.group(3) or "").strip(" \t")
        options, index, misindented = self.option_lines(start + 1)
        body, end, inner = self.body_lines(index, slashes)
        if end == len(self.lines):
            self.problem(header_line, f"requirement block is never closed (expected a line "
                         f"'{slashes}')", "unclosed", self.id_read(argument))
            return end
        if inner is not None and inner.requirement:
            self.problem(header_line, f"requirement block is not closed before the next one "
                         f"opens at line {end + 1} (add a line '{slashes}' before it)",
                         "unclosed", self.id_read(argument))
            return end
        if inner is not None:
            self.problem(inner.line, "a block cannot open inside a requirement clause "
                         "(close the clause first, then add notes after it)", "nested-block",
                         self.id_read(argument))
            return end + 1
        clause_id = self.checked_id(header_line, argument)
        if not clause_id:
            return end + 1
        if misindented is not None:
            self.problem(misindented, "option line is not indented by four spaces (indent "
                         "each option with four spaces, not a tab)", "bad-option", clause_id)
            return end + 1
        values = self.checked_options(header_line + 1, options, clause_id)
        if values is not None:
            self.add_clause(header_line, clause_id, values, body)
        return end + 1

    def add_clause(self, line: int, clause_id: str, values: dict[str, str],
                   body: list[tuple[int, str]]) -> None:
        level = values["level"]
        self.check_text(line, clause_id, level, body)
        self.clauses.append(Clause(
            id=clause_id, level=level, text="\n".join(text for _, text in body).strip(),
            file=self.file, line=line, title=values.get("title", ""),
            schema=values.get("schema", ""), impl=values.get("impl", ""), section=self.section,
            classes=_split_classes(values.get("classes", "")),
            sources=split_sources(values.get("sources", ""))))

    def unknown_option(self, key: str) -> tuple[str, str]:
        """The message and rule of an option this page's blocks do not take."""
        return (f"unknown option '{key}' (expected one of: {', '.join(self.options)}"
                f"{_did_you_mean(key, self.options)})", "bad-option")

    def option_lines(self, index: int) -> tuple[list[str], int, int | None]:
        """The option lines after an opener, the index after them, and the number of the
        first one not indented by four spaces (a tab, say), if any."""
        options, misindented = [], None
        while index < len(self.lines) and self.lines[index][:1] in (" ", "\t") \
                and self.lines[index].strip():
            line = self.lines[index]
            if not line.startswith("    ") and misindented is None:
                misindented = index + 1
            options.append(line[4:])
            index += 1
        return options, index, misindented

    def body_lines(self, index: int, slashes: str
                   ) -> tuple[list[tuple[int, str]], int, _Inner | None]:
        """The body up to the closing line; the index of that line; and the first block
        opened inside, if any.  Another requirement opening ends the body there (the
        clause was never closed); the end of the page leaves the index at its length."""
        body, fence, inner = [], "", None
        while index < len(self.lines):
            line = self.lines[index]
            fence = _next_fence_state(fence, line)
            if not fence and line.strip() == slashes:
                return body, index, inner
            opener = _BLOCK_OPEN.match(line)
            if not fence and opener and opener.group(2):
                if opener.group(2) == "requirement":
                    return body, index, _Inner(index + 1, True)
                inner = inner or _Inner(index + 1, False)
            body.append((index + 1, line))
            index += 1
        return body, index, inner

    def id_read(self, argument: str) -> str:
        """The ID a block was written with, for its findings: the argument when it is an
        ID, or the ID a slip of it still reads as (FRS-ACC-27 is FRS-ACC-027)."""
        if ID_PATTERN.fullmatch(argument):
            return argument
        loose = _LOOSE_ID.fullmatch(argument)
        if not loose or (self.areas is not None and loose.group(1).upper() not in self.areas):
            return ""
        return f"FRS-{loose.group(1).upper()}-{int(loose.group(2)):03d}"

    def checked_id(self, line: int, argument: str) -> str:
        if not argument:
            self.problem(line, "requirement has no ID (expected '/// requirement | FRS-AREA-NNN')",
                         "bad-id")
            return ""
        match = ID_PATTERN.fullmatch(argument)
        if not match and (odd := odd_character(argument)):
            meant = self.id_read(argument)
            self.problem(line, f"requirement ID '{argument}' holds {odd} (expected ASCII: "
                         "FRS-<AREA>-<NNN>" + (f"; is it {meant}?)" if meant else ")"),
                         "confusable", meant)
            return ""
        if not match:
            meant = self.id_read(argument)
            self.problem(line, f"malformed requirement ID '{argument}' "
                         "(expected FRS-<AREA>-<NNN>: 2-4 capitals, then 3 digits"
                         + (f"; is it {meant}?)" if meant else ")"), "bad-id", meant)
            return ""
        if self.areas is not None and match.group(1) not in self.areas:
            known = ", ".join(sorted(self.areas))
            self.problem(line, f"unknown area '{match.group(1)}' (known areas: {known})",
                         "bad-id", argument)
            return ""
        return argument

    def checked_options(self, line: int, options: list[str], clause_id: str
                        ) -> dict[str, str] | None:
        """Validate the option lines the way Blocks reads them (YAML), but loudly."""
        try:
            values = _plain_options(options)
            if values is None:
                # the front door's YAML rules: no alias bombs, tags or duplicate keys
                values = safeload.yaml_value("\n".join(options)) if options else {}
        except safeload.LoadError as exc:
            at = line + exc.line - 1 if exc.line else line
            self.problem(at, f"options are not valid YAML: {exc.detail}", "bad-option",
                         clause_id)
            return None
        if not isinstance(values, dict):
            self.problem(line, "options must be 'key: value' lines indented by four spaces",
                         "bad-option", clause_id)
            return None
        lines = {}  # the line of each option, for its findings
        for offset, option in enumerate(options):
            if key := _OPTION_KEY.match(option):
                lines.setdefault(key.group(1), line + offset)
        for key in values:  # a look-alike key is unknown; say what makes it so
            if odd := odd_character(str(key)):
                self.problem(lines.get(str(key), line), f"option key '{key}' holds {odd} "
                             "(expected ASCII)", "confusable", clause_id)
        ok = True
        for key, value in values.items():
            at = lines.get(str(key), line)
            if key not in self.options:
                self.problem(at, *self.unknown_option(str(key)), clause_id)
                ok = False
            elif not isinstance(value, str) or not value.strip():
                self.problem(at, f"option '{key}' must be a non-empty text, "
                             f"found {value!r}", "bad-option", clause_id)
                ok = False
        if not ok:
            return None
        return self.checked_values(line, lines, {k: v.strip() for k, v in values.items()},
                                   clause_id)

    def checked_values(self, line: int, lines: dict[str, int], values: dict[str, str],
                       clause_id: str) -> dict[str, str] | None:
        """Every fault of the option values, each at its option's line."""
        faults = []
        for key, value in values.items():
            expected, called = _EXPECTED.get(key, ("ASCII", "ASCII"))
            odd = odd_character(value, expected)
            markup = _MARKUP.search(value) if key == "title" else None
            if odd or markup:
                faults.append((lines.get(key, line), f"option '{key}' holds "
                               + (odd or f"markup '{markup.group()}'") + f" (expected {called})",
                               "confusable"))
        level = values.get("level")
        if level is None:
            faults.append((line, "missing option 'level' (one of: shall, shall not, should, "
                           "should not, may)", "bad-level"))
        elif level not in LEVELS:
            faults.append((lines.get("level", line), f"unknown level '{level}' (expected one of: "
                           f"{', '.join(LEVELS)}{_did_you_mean(level, LEVELS)})", "bad-level"))
        if "schema" in values and not SCHEMA_LINK.fullmatch(values["schema"]):
            faults.append((lines.get("schema", line), f"malformed schema link '{values['schema']}' "
                           "(expected 'name' or 'name#/json/pointer')", "bad-option"))
        if "impl" in values and not IMPL_LINK.fullmatch(values["impl"]):
            faults.append((lines.get("impl", line), f"malformed impl link '{values['impl']}' "
                           "(expected 'reference_impl.module:function' or "
                           "'reference_impl.module:Class.method')", "bad-option"))
        if "classes" in values and self.known_classes is not None:
            unknown = [c for c in _split_classes(values["classes"])
                       if c not in self.known_classes]
            if unknown:
                faults.append((lines.get("classes", line), "unknown conformance class "
                               f"{', '.join(map(repr, unknown))} in 'classes' (expected a "
                               f"comma-separated list of: {', '.join(self.known_classes)})",
                               "bad-option"))
        for at, message, rule in faults:
            self.problem(at, message, rule, clause_id)
        return None if faults else values

    def check_text(self, line: int, clause_id: str, level: str,
                   body: list[tuple[int, str]]) -> None:
        expected = LEVELS[level]
        found = False
        for number, text in body:
            self.lookalike_keywords(number, text, clause_id)
            keywords = KEYWORD_PATTERN.findall(_INLINE_CODE.sub("", text))
            found = found or bool(keywords)
            for keyword in dict.fromkeys(k for k in keywords if k != expected):
                if keyword not in LEVELS.values():
                    self.problem(number, f"'{keyword}' is not an FRS keyword (requirements use "
                                 f"'{expected}' for level '{level}', as the ISO/IEC Directives "
                                 "do)", "level-mismatch", clause_id)
                else:
                    self.problem(number, f"keyword '{keyword}' does not match level '{level}' "
                                 f"(a '{level}' clause uses '{expected}' only)",
                                 "level-mismatch", clause_id)
        if not found:
            self.problem(line, f"clause has no normative keyword (a '{level}' clause states "
                         f"its requirement with '{expected}')", "no-keyword", clause_id)


@dataclass(frozen=True)
class _Inner:
    """A block opened inside a requirement clause: at which line, and whether it is
    another requirement (so the clause was never closed)."""

    line: int
    requirement: bool


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _plain_options(lines: list[str]) -> dict[str, str] | None:
    """Options read without YAML when every line is `key: plain text`, else None.

    Only lines whose value YAML would also read as that same string take this path;
    anything YAML could read otherwise (quotes, flow syntax, comments, booleans,
    numbers, nulls, repeated keys) goes to the YAML loader.
    """
    values = {}
    for line in lines:
        match = _PLAIN_OPTION.fullmatch(line)
        if not match or _YAML_SPECIAL.fullmatch(match.group(2)) or match.group(1) in values:
            return None
        values[match.group(1)] = match.group(2)
    return values


def without_options(text: str) -> str:
    """The page with the option lines of its requirement blocks removed.

    The site renders clauses from the parser's records, so Blocks need not parse the
    options again; dropping them saves Blocks a YAML parse per clause and leaves it
    nothing to read differently from this parser.
    """
    lines, kept, fence, in_options = text.splitlines(keepends=True), [], "", False
    for line in lines:
        fence = _next_fence_state(fence, line)
        if in_options and line.startswith("    ") and line.strip():
            continue
        in_options = False
        if not fence and (opener := _BLOCK_OPEN.match(line)) and opener.group(2) == "requirement":
            in_options = True
        kept.append(line)
    return "".join(kept)


def split_sources(value: str) -> tuple[tuple[str, str], ...]:
    """`key locator; key locator` as ((key, locator), ...); a locator may be empty."""
    cited = (part.strip().partition(" ") for part in value.split(";") if part.strip())
    return tuple((key, locator.strip()) for key, _, locator in cited)


def _split_classes(value: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in value.split(",") if c.strip())


def character_problems(text: str, file: str) -> list[Problem]:
    """Every hidden character and every piece of executable markup of a page, at its line
    (counted as Markdown counts lines: at each newline)."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if hidden := _HIDDEN.search(line.removesuffix("\r")):
            found.append(Problem(file, number, f"{_named(hidden.group())} at column "
                                 f"{hidden.start() + 1}: a spec page holds no invisible, "
                                 "control or text-reordering character (delete it)",
                                 "hidden-character"))
        if executable := _EXECUTABLE.search(line):
            found.append(Problem(file, number, f"executable markup '{executable.group()}': a "
                                 "spec page holds no script, event attribute or script link",
                                 "executable-markup"))
    return found


def odd_character(value: str, expected: str = "ASCII") -> str:
    """Where `value` holds a character a reader could take for another; "" when it holds
    none.  Hidden characters are odd in any text; look-alikes of ASCII where ASCII is
    `expected` or "no look-alike" (sources' locators may hold § and ¶); where only ASCII is
    expected, any other character."""
    match = _HIDDEN.search(value) or (expected != "text" and _LOOKALIKE.search(value)) or (
        expected == "ASCII" and re.search(r"[^\x00-\x7f]", value))
    return f"{_named(match.group())} at column {match.start() + 1}" if match else ""


def _opener_fault(line: str) -> str:
    """How an opener departs from the one form the checker and Blocks both read, or "":
    Blocks opens after up to three spaces and only on ASCII spaces, this parser at the
    start of the line; either way one of them would see text where the other sees a block."""
    head = line.partition("|")[0]
    if line.startswith(" "):
        return "starts with a space"
    if "\t" in head:
        return "holds a tab"
    odd = odd_character(head)
    return f"holds {odd}" if odd else ""


def _named(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def _next_fence_state(fence: str, line: str) -> str:
    """Track fenced code: return the open fence marker, or '' outside code."""
    match = _FENCE.match(line)
    if not match:
        return fence
    marker = match.group(1)
    if not fence:
        return marker
    if marker[0] == fence[0] and len(marker) >= len(fence) and not line.strip()[len(marker):]:
        return ""
    return fence


__all__ = ["Clause", "Heading", "Problem", "Spec", "LEVELS", "GATED_LEVELS", "ID_PATTERN",
           "parse_spec", "parse_text"]
