"""The translated editions of the spec: `spec/<language>/*.md`, beside the English pages.

API (for the checker, `frs diff` and the site):

    translations = parse_translations(project, "zh")   # reads spec/zh/**/*.md
    translations.clauses      # {ID: TranslatedClause}, the first block of each ID
    translations.pages        # {"spec/zh/06-accuracy.md": TranslatedPage}, in file order
    translations.page_for("spec/06-accuracy.md")     # its TranslatedPage, or None
    translations.stale(spec)  # {ID: TranslatedClause} whose `translates:` is not the
                              #   English clause's normative hash (its text changed since)
    translations.state(clause)   # "current", "stale" or "missing", for an English Clause
    translations.problems     # parse problems of the translated blocks (file:line)
    problems(project, spec, lock, translations)   # every finding `frs check` reports

    TranslatedClause: id, title, text, translates, file, line, section, body
                      (body: the (line, text) pairs of the block's text lines)
    TranslatedPage:   file, english (the English page's file), title, headings
                      (headings: [clauses.Heading(line, level, text)], `.number` is
                      `6.1`, `B.2`, `A`, or "" — the same list, in the same order, as
                      spec.headings[english], which the site maps anchors by)

A translated block is parsed by the one block parser (frs_tools.clauses._PageParser),
with the options a translation takes (`translates:`, `title:`; the metadata lives once,
in the English page) and the Chinese verbal forms of GB/T 1.1-2020 in place of the BCP 14
keywords.  The format is ZH-FORMAT (the coordinator's page format of the Chinese edition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from frs_tools.clauses import (
    KEYWORD_PATTERN,
    OPTIONS,
    Clause,
    Heading,
    Problem,
    Spec,
    _PageParser,
    decode_page,
    read_page,
)
from frs_tools.idlock import Lock
from frs_tools.project import Project

TRANSLATION_OPTIONS = ("translates", "title")
HASH = re.compile(r"sha256:[0-9a-f]{16}")

# The verbal forms of GB/T 1.1-2020, Annex C (requirement, recommendation, permission):
# the form of each level first, then the equivalents it allows in special cases.
FORMS = {
    "shall": ("应", "应该", "只准许"),
    "shall not": ("不应", "不得", "不应该", "不准许"),
    "should": ("宜", "推荐", "建议"),
    "should not": ("不宜", "不推荐", "不建议"),
    "may": ("可", "可以", "允许"),
    "need not": ("不必", "无须", "可以不"),  # a GB/T 1.1 form, but no FRS level
}
# Forms GB/T 1.1-2020 rules out, and the form to write instead.
FORBIDDEN = {"必须": "应", "不可": "不应"}
# Words that merely contain a form's characters.  A list, not a segmenter: jieba reads
# `应对每个样本` (shall, for each sample) as the word 应对 (cope with), and this list
# can be read and extended by the translators who meet a new compound.
COMPOUNDS = (
    "应用", "相应", "对应", "响应", "适应", "供应", "反应", "效应", "应急", "回应", "应答",
    "感应", "应变", "呼应", "顺应", "因应",
    "便宜", "适宜", "事宜", "相宜", "时宜", "权宜",
    "推荐性", "建议书", "不必要",
    "可靠", "可能", "许可", "可逆", "可用", "可读", "可信", "认可", "可比", "可追溯",
    "可验证", "可选", "可见", "可控", "可接受", "可重复", "可复现", "可重现", "可解释",
    "可视", "可疑", "可行", "可移植", "可配置", "可审计", "可撤销", "可识别", "可链接",
    "可区分", "可访问", "可执行", "可变", "可测", "即可", "方可", "不可或缺", "不可否认",
    "不可抗力", "可更新性",
)
# 不 before a compound of 可 negates the compound (不可逆, 不可能), it is not 不可.
_WORDS = {**{form: level for level, forms in FORMS.items() for form in forms},
          **dict.fromkeys(FORBIDDEN, "forbidden"),
          **dict.fromkeys(COMPOUNDS, ""),
          **{"不" + word: "" for word in COMPOUNDS if word.startswith("可")}}
# Longest first: at each place the regex takes the longest word (不应该 over 不应 over 应),
# and a compound starting before a form (相应) is matched first, hiding the form.
_FORM_PATTERN = re.compile("|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True)))
# Not text that states a requirement: code, formulas, and a word in quotation marks, which
# names a form rather than using it (“应” is the verbal form of ...).
_NOT_PROSE = re.compile(r"(`+).+?\1|\$[^$\n]+\$|\\\(.+?\\\)|“[^”\n]{1,4}”|「[^」\n]{1,4}」")
# The requirement verbs informative text must not use (ZH-FORMAT): 推荐 and 建议 are also
# the words that report what a source recommends, so they stay allowed there.
_OUTSIDE = frozenset({"应", "应该", "不应", "不应该", "宜", "不宜", "必须"})


def verbal_forms(line: str) -> list[tuple[str, str]]:
    """The verbal forms a line of text uses, as (form, level) pairs in order; level is
    "forbidden" for 必须 and 不可.  Code and formulas are not text."""
    return [(m.group(), _WORDS[m.group()]) for m in _FORM_PATTERN.finditer(
        _NOT_PROSE.sub("", line)) if _WORDS[m.group()]]


@dataclass(frozen=True)
class TranslatedClause:
    id: str
    title: str
    text: str
    translates: str  # the ids.lock hash of the English text it translates
    file: str
    line: int
    section: str = ""
    body: tuple[tuple[int, str], ...] = ()  # (line, text) of each line of the block's text


@dataclass
class TranslatedPage:
    file: str  # spec/zh/06-accuracy.md
    english: str  # spec/06-accuracy.md
    title: str
    headings: list[Heading]


@dataclass
class Translations:
    language: str
    clauses: dict[str, TranslatedClause] = field(default_factory=dict)
    pages: dict[str, TranslatedPage] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    blocks: list[TranslatedClause] = field(default_factory=list)  # every block, in order

    @property
    def unparsed(self) -> set[str]:
        """IDs whose translated block does not parse: its problem is the one finding."""
        return {p.id for p in self.problems if p.id} - set(self.clauses)

    def page_for(self, english: str) -> TranslatedPage | None:
        return next((p for p in self.pages.values() if p.english == english), None)

    def stale(self, spec: Spec) -> dict[str, TranslatedClause]:
        """The translations of English clauses whose normative text changed since."""
        english = {c.id: c for c in spec.clauses}
        return {i: t for i, t in self.clauses.items()
                if i in english and t.translates != english[i].normative_hash}

    def state(self, clause: Clause) -> str:
        translated = self.clauses.get(clause.id)
        if translated is None:
            return "missing"
        return "current" if translated.translates == clause.normative_hash else "stale"


class _TranslationParser(_PageParser):
    """The block parser with a translation's options and verbal forms."""

    options = TRANSLATION_OPTIONS

    def unknown_option(self, key: str) -> tuple[str, str]:
        if key in OPTIONS:
            return (f"option '{key}' in a translation: metadata lives once, in the English "
                    "page (a translated block has only 'translates:' and 'title:')",
                    "translation-option")
        return super().unknown_option(key)

    def checked_values(self, line: int, lines: dict[str, int], values: dict[str, str],
                       clause_id: str) -> dict[str, str] | None:
        translates = values.get("translates")
        if translates is None:  # `line` is the first option's; the opener is above it
            self.problem(line - 1, "missing option 'translates' (the ids.lock hash of the "
                         "English text this translates, sha256:...)", "translation-option",
                         clause_id)
            return None
        if not HASH.fullmatch(translates):
            self.problem(lines.get("translates", line), f"malformed hash '{translates}' in "
                         "'translates' (expected sha256: and 16 hex digits, as ids.lock has "
                         "it)", "translation-option", clause_id)
            return None
        return values

    def add_clause(self, line: int, clause_id: str, values: dict[str, str],
                   body: list[tuple[int, str]]) -> None:
        self.clauses.append(TranslatedClause(
            id=clause_id, title=values.get("title", ""), translates=values["translates"],
            text="\n".join(text for _, text in body).strip(), file=self.file, line=line,
            section=self.section, body=tuple(body)))

    def keywords_outside(self, index: int, line: str) -> None:
        super().keywords_outside(index, line)
        for form, _ in dict.fromkeys(verbal_forms(line)):
            if form in _OUTSIDE:
                self.problem(index + 1, f"verbal form '{form}' outside a requirement clause "
                             "(informative text states facts; put the requirement in a "
                             "clause)", "keyword-outside")


def parse_page(text: str, file: str, english: str, language: str = "zh",
               areas: dict[str, str] | None = None
               ) -> tuple[list[TranslatedClause], list[Problem], TranslatedPage]:
    """Parse one translated page: its blocks, their problems, and the page's headings."""
    found, faults, headings = read_page(text, file, areas, None, _TranslationParser)
    title = next((h.text for h in headings if h.level == 1), "")
    return found, faults, TranslatedPage(file, english, title, headings)


def parse_translations(project: Project, language: str = "zh") -> Translations:
    """Every translated page of `language` under spec_dir/<language>/ (none if absent)."""
    result = Translations(language)
    folder = project.translation_dir(language)
    for path in sorted(folder.rglob("*.md")):
        file = project.relative(path)
        english = f"{project.docs_folder}/{path.relative_to(folder).as_posix()}"
        text, undecodable = decode_page(path.read_bytes(), file)
        found, faults, page = parse_page(text, file, english, language, project.areas)
        result.pages[file] = page
        result.problems += undecodable + faults
        result.blocks += found
        for clause in found:
            result.clauses.setdefault(clause.id, clause)
    return result


# --- what `frs check` reports ----------------------------------------------------------


def problems(project: Project, spec: Spec, lock: Lock, translations: Translations
             ) -> list[Problem]:
    """Every finding of one language against the English spec and the lock."""
    english = {}
    for clause in spec.clauses:
        english.setdefault(clause.id, clause)
    return (translations.problems + page_problems(spec, translations)
            + clause_problems(english, lock, translations)
            + [p for t in translations.clauses.values() if t.id in english
               for p in form_problems(t, english[t.id].level)])


def page_problems(spec: Spec, translations: Translations) -> list[Problem]:
    """A page in one language only, and headings that do not match by position."""
    found = []
    translated = {p.english: p for p in translations.pages.values()}
    folder = f"{translations.language}/"
    for file in spec.files:
        if file not in translated:
            found.append(Problem(file, 1, f"page has no translation ({_counterpart(file, folder)}"
                                 " is missing)", "untranslated-page"))
    for page in translations.pages.values():
        if page.english not in spec.headings:
            found.append(Problem(page.file, 1, f"translated page has no English page "
                                 f"({page.english} is missing)", "translation-page"))
        else:
            found += heading_problems(page, spec.headings[page.english])
    return found


def _counterpart(file: str, folder: str) -> str:
    head, _, name = file.rpartition("/")
    return f"{head}/{folder}{name}" if head else folder + name


def heading_problems(page: TranslatedPage, english: list[Heading]) -> list[Problem]:
    """The first heading whose level or number differs from the English one in its place
    (the site maps anchors by position, so one slip moves every later anchor)."""
    for mine, theirs in zip(page.headings, english, strict=False):
        if (mine.level, mine.number) != (theirs.level, theirs.number):
            return [Problem(page.file, mine.line, f"heading '{'#' * mine.level} {mine.text}' "
                            f"stands where the English page has '{'#' * theirs.level} "
                            f"{theirs.text}' (line {theirs.line}): same headings, levels and "
                            "numbers, in the same order", "heading-mismatch")]
    if len(page.headings) != len(english):
        at = page.headings[len(english)].line if len(page.headings) > len(english) else \
            (page.headings[-1].line if page.headings else 1)
        return [Problem(page.file, at, f"{len(page.headings)} headings, the English page "
                        f"{page.english} has {len(english)}", "heading-mismatch")]
    return []


def clause_problems(english: dict[str, Clause], lock: Lock, translations: Translations
                    ) -> list[Problem]:
    """Stale, missing, orphan, duplicate and misplaced translations."""
    found = []
    first: dict[str, TranslatedClause] = {}
    for block in translations.blocks:
        if block.id in first:
            other = first[block.id]
            found.append(Problem(block.file, block.line, f"duplicate translation (first at "
                                 f"{other.file}:{other.line})", "duplicate-id", block.id))
        first.setdefault(block.id, block)
    for clause_id, translated in translations.clauses.items():
        clause = english.get(clause_id)
        entry = lock.entries.get(clause_id)
        if clause is None:
            why = (f"an ID retired in {entry.retired_in}" if entry and entry.status == "retired"
                   else "no English clause has this ID")
            found.append(Problem(translated.file, translated.line, f"translation of {why} "
                                 "(delete the block)", "translation-orphan", clause_id))
        elif translated.translates != clause.normative_hash:
            found.append(Problem(translated.file, translated.line, "stale translation: it "
                                 f"translates {translated.translates}, but the English text "
                                 f"({clause.file}:{clause.line}) is now "
                                 f"{clause.normative_hash} (update the translation, then its "
                                 "'translates:')", "stale-translation", clause_id))
        elif translations.pages[translated.file].english != clause.file:
            found.append(Problem(translated.file, translated.line, "translation on the wrong "
                                 f"page: the English clause is on {clause.file}",
                                 "translation-place", clause_id))
    have = {p.english: p.file for p in translations.pages.values()}
    written = set(translations.clauses) | translations.unparsed
    for clause in english.values():
        if clause.id not in written and clause.file in have:
            found.append(Problem(have[clause.file], 1, f"no translation of the clause at "
                                 f"{clause.file}:{clause.line}", "untranslated", clause.id))
    return found + order_problems(english, translations)


def order_problems(english: dict[str, Clause], translations: Translations
                   ) -> list[Problem]:
    """The first block of each page out of the English order."""
    found, by_page = [], {}
    for clause in translations.clauses.values():
        by_page.setdefault(clause.file, []).append(clause)
    for page in translations.pages.values():
        mine = [c for c in by_page.get(page.file, ()) if c.id in english
                and english[c.id].file == page.english]
        order = sorted(mine, key=lambda c: english[c.id].line)
        for translated, expected in zip(mine, order, strict=True):
            if translated.id != expected.id:
                found.append(Problem(translated.file, translated.line, "translation out of "
                                     f"the English order (expected {expected.id} here)",
                                     "translation-place", translated.id))
                break
    return found


def form_problems(clause: TranslatedClause, level: str) -> list[Problem]:
    """The verbal forms of a translated clause against the level of its English clause."""
    found, others = [], []
    has_own = False
    for number, line in clause.body:
        for form, form_level in dict.fromkeys(verbal_forms(line)):
            if form_level == level:
                has_own = True
            elif form_level == "forbidden":
                found.append(Problem(clause.file, number, f"'{form}' is a form GB/T 1.1-2020 "
                                     f"rules out (write '{FORBIDDEN[form]}')", "forbidden-form",
                                     clause.id))
            else:
                others.append((number, form, form_level))
        for keyword in dict.fromkeys(KEYWORD_PATTERN.findall(_NOT_PROSE.sub("", line))):
            found.append(Problem(clause.file, number, f"English keyword '{keyword}' in a "
                                 f"translation (a '{level}' clause uses {_forms(level)})",
                                 "level-mismatch", clause.id))
    rule = "mixed-forms" if has_own else "level-mismatch"
    for number, form, form_level in others:
        found.append(Problem(clause.file, number, f"'{form}' ({form_level}) in a '{level}' "
                             f"clause: a translation uses {_forms(level)}", rule, clause.id))
    if not has_own and not found:
        found.append(Problem(clause.file, clause.line, f"clause has no verbal form (a "
                             f"'{level}' clause states its requirement with {_forms(level)})",
                             "no-keyword", clause.id))
    return found


def _forms(level: str) -> str:
    first, *rest = FORMS[level]
    return f"'{first}'" + (f" (or {', '.join(rest)})" if rest else "")


__all__ = ["FORMS", "FORBIDDEN", "COMPOUNDS", "TranslatedClause", "TranslatedPage",
           "Translations", "parse_page", "parse_translations", "problems", "verbal_forms"]
