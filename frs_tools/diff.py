"""`frs diff`: the normative changes between two versions of the spec.

Both sides are read from git (`git ls-tree` + `git cat-file`), or from the working tree
for the second side, and parsed by the one parser (`frs_tools.clauses.parse_text`), so the
diff sees exactly the clauses the site renders and the checker lints.  What a clause
requires is compared through its normative hash (level, classes, folded text): the
value `ids.lock` records.  The report lists clauses added, removed without retiring,
retired, changed (with a word diff), moved between chapters, and the tests that became
*suspect*: a test naming a changed clause whose file was last touched before the commit
that changed the clause.  Which tests name a clause is read the way the traceability gate
reads it, from the `requirement` marks pytest collects (frs_tools/marks.py), at the
second side: the working tree, or a commit unpacked into a temporary folder.  Collection
imports every test module, so its result is kept in the results folder under the tree's
fingerprint, and it is done only when a clause changed.

Both languages: the translated pages (`spec/<language>/`, frs_tools.translations) are read
on both sides too.  A changed English clause lists the state of each translation (changed
too, or now stale: its `translates:` is not the new hash), and every translated clause
whose text changed is listed with a character diff (Chinese has no spaces between words).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from frs_tools import escape, idlock, marks, translations
from frs_tools.clauses import Clause, Problem, parse_text
from frs_tools.project import Project
from frs_tools.translations import TranslatedClause
from reference_impl.errors import InputError
from reference_impl.safe_text import printable

WORKTREE = None  # the second side defaults to the working tree
MARKS_KEPT = 8  # collected-marks files kept in the results folder


class DiffError(InputError):
    """A ref cannot be read."""


# --- reading a side from git or the working tree ------------------------------------


class Git:
    """Blobs and trees of the project's repository; parsed pages cached by blob id."""

    def __init__(self, project: Project):
        self.project = project
        self.root = project.root
        self._pages: dict[str, tuple[tuple[Clause, ...], tuple[Problem, ...]]] = {}
        self._translated: dict[str, list[translations.TranslatedClause]] = {}
        self._trees: dict[str, dict[str, str]] = {}
        self._batch: subprocess.Popen | None = None

    def run(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise DiffError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
        return done.stdout

    def commit(self, ref: str) -> str:
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                              cwd=self.root, capture_output=True, text=True)
        if done.returncode != 0:
            raise DiffError(f"'{ref}' is not a commit of the repository at {self.root}")
        return done.stdout.strip()

    def blob(self, sha: str) -> str:
        if self._batch is None:
            self._batch = subprocess.Popen(["git", "cat-file", "--batch"], cwd=self.root,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._batch.stdin.write(sha.encode() + b"\n")
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        size = int(header[2])
        data = self._batch.stdout.read(size + 1)[:-1]
        return data.decode("utf-8", errors="replace")  # `frs check` names the bad byte

    def is_ancestor(self, older: str, newer: str) -> bool:
        return subprocess.run(["git", "merge-base", "--is-ancestor", older, newer],
                              cwd=self.root).returncode == 0

    def fingerprint(self, commit: str | None) -> str:
        """An id of a side's files: the commit's tree, or for the working tree the HEAD
        tree plus every changed or untracked file's content (ignored files excluded)."""
        if commit is not None:
            return self.run("rev-parse", f"{commit}^{{tree}}").strip()
        digest = hashlib.sha256(self.run("rev-parse", "HEAD^{tree}", check=False).encode())
        results = self.project.relative(self.project.results_dir)  # holds the marks kept
        status = self.run("status", "--porcelain", "-z", "--untracked-files=all", "--", ".",
                          f":(exclude){results}")
        for entry in sorted(filter(None, status.split("\0"))):
            path = self.root / entry[3:]
            digest.update(entry.encode() + b"\0")
            if path.is_file():
                digest.update(path.read_bytes())
        return "worktree-" + digest.hexdigest()[:40]

    @contextmanager
    def unpacked(self, commit: str):
        """The files of a commit, in a temporary folder."""
        with tempfile.TemporaryDirectory(prefix="frs-diff-") as folder:
            archive = subprocess.Popen(["git", "archive", "--format=tar", commit],
                                       cwd=self.root, stdout=subprocess.PIPE)
            with tarfile.open(fileobj=archive.stdout, mode="r|") as tar:
                for member in tar:
                    self._extract(tar, member, folder, commit)
            if archive.wait() != 0:
                raise DiffError(f"git archive {commit}: failed")
            yield Path(folder)

    @staticmethod
    def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, folder: str, commit: str
                 ) -> None:
        """One member, unless tarfile's data filter refuses it (a link to an absolute
        path or out of the tree, committed at some point): then it is skipped, and said."""
        try:
            tar.extract(member, folder, filter="data")
        except tarfile.FilterError as exc:
            print(printable(f"frs diff: {commit}: {member.name!r} not unpacked to collect "
                            f"the tests: {exc}"), file=sys.stderr)

    def close(self) -> None:
        if self._batch is not None:
            self._batch.stdin.close()
            self._batch.wait()
            self._batch = None

    def tree(self, commit: str, folder: str) -> dict[str, str]:
        """path -> blob id of every file under `folder` at `commit`."""
        key = f"{commit}:{folder}"
        if key not in self._trees:
            out = self.run("ls-tree", "-r", "--full-tree", commit, "--", folder)
            files = {}
            for line in out.splitlines():
                meta, _, path = line.partition("\t")
                kind, sha = meta.split()[1:3]
                if kind == "blob":
                    files[path] = sha
            self._trees[key] = files
        return self._trees[key]

    def page(self, path: str, sha: str) -> tuple[tuple[Clause, ...], tuple[Problem, ...]]:
        """The clauses of a page blob, and the problems of its blocks that do not parse."""
        if sha not in self._pages:
            self._pages[sha] = _parsed(self.blob(sha), path)
        return self._pages[sha]

    def spec_at(self, commit: str) -> dict[str, Clause]:
        return self.side_spec(commit)[0]

    def side_spec(self, commit: str) -> tuple[dict[str, Clause], list[Problem]]:
        """The clauses of a commit's spec, and the problems of its unparsable blocks."""
        folder = self.project.relative(self.project.spec_dir)
        clauses: dict[str, Clause] = {}
        broken: list[Problem] = []
        for path, sha in sorted(self.tree(commit, folder).items()):
            if path.endswith(".md") and not self.language(path):
                found, faults = self.page(path, sha)
                for clause in found:
                    clauses.setdefault(clause.id, clause)
                broken += faults
        return clauses, broken

    def language(self, path: str) -> str:
        """The language of a page of the tree ("" for English)."""
        folder = self.project.relative(self.project.spec_dir)
        return self.project.translation_of(path.removeprefix(folder + "/"))

    def translations_at(self, commit: str) -> dict[str, dict[str, TranslatedClause]]:
        """language -> ID -> translated clause, of a commit's translated pages."""
        found: dict[str, dict[str, TranslatedClause]] = {}
        folder = self.project.relative(self.project.spec_dir)
        for path, sha in sorted(self.tree(commit, folder).items()):
            if path.endswith(".md") and (language := self.language(path)):
                if sha not in self._translated:
                    self._translated[sha] = translations.parse_page(self.blob(sha), path,
                                                                    "", language)[0]
                for clause in self._translated[sha]:
                    found.setdefault(language, {}).setdefault(clause.id, clause)
        return found

    def lock_at(self, commit: str) -> dict[str, idlock.Entry]:
        name = self.project.relative(self.project.lock_file)
        sha = self.tree(commit, name).get(name)
        return idlock.loads(self.blob(sha), self.root / name).entries if sha else {}


@dataclass
class Side:
    label: str  # what the report calls it
    commit: str | None  # None: the working tree
    clauses: dict[str, Clause]
    lock: dict[str, idlock.Entry]
    broken: list[Problem] = field(default_factory=list)  # blocks that do not parse
    # language -> ID -> translated clause
    translated: dict[str, dict[str, TranslatedClause]] = field(default_factory=dict)


def _parsed(text: str, path: str) -> tuple[tuple[Clause, ...], tuple[Problem, ...]]:
    found, faults = parse_text(text, path)
    ids = {c.id for c in found}
    return tuple(found), tuple(p for p in faults if p.id and p.id not in ids)


def _worktree(project: Project) -> Side:
    clauses: dict[str, Clause] = {}
    broken: list[Problem] = []
    for path in project.english_pages():
        found, faults = _parsed(path.read_bytes().decode("utf-8", errors="replace"),
                                project.relative(path))
        for clause in found:
            clauses.setdefault(clause.id, clause)
        broken += faults
    translated = {}
    for folder in sorted(p for p in project.spec_dir.glob("*") if p.is_dir()):
        if language := project.translation_of(folder.name):
            translated[language] = translations.parse_translations(project, language).clauses
    return Side("the working tree", None, clauses, idlock.load(project.lock_file).entries,
                broken, translated)


def _side(git: Git, ref: str, label: str = "") -> Side:
    commit = git.commit(ref)
    clauses, broken = git.side_spec(commit)
    return Side(label or f"{ref} ({commit[:7]})", commit, clauses, git.lock_at(commit),
                broken, git.translations_at(commit))


def default_base(git: Git, mains: tuple[str, ...] = ("main", "origin/main")) -> str:
    """The merge base of HEAD with main (or origin/main, as in a CI checkout)."""
    for main in mains:
        out = git.run("merge-base", main, "HEAD", check=False).strip()
        if out:
            return out
    raise DiffError("no merge base of main (or origin/main) and HEAD: name the refs to "
                    "compare (frs diff REF_A [REF_B])")


# --- the comparison ------------------------------------------------------------------


@dataclass
class Change:
    id: str
    kind: str  # added, removed, retired, changed, moved
    a: Clause | None = None
    b: Clause | None = None
    details: dict = field(default_factory=dict)


@dataclass
class Suspect:
    test: str  # file::name
    file: str
    line: int
    id: str
    test_commit: str
    clause_commit: str  # "" for the working tree


@dataclass
class Translated:
    """A translated clause added, removed, or whose text or title changed."""

    id: str
    language: str
    a: TranslatedClause | None
    b: TranslatedClause | None
    state: str  # of the translation at b: current, stale, or orphan (no English clause)
    chars: list[list[str]] = field(default_factory=list)  # the text's character diff
    title: list[str] = field(default_factory=list)  # [old, new] when the title changed


@dataclass
class Diff:
    a: Side
    b: Side
    changes: list[Change]
    suspects: list[Suspect]
    translated: list[Translated] = field(default_factory=list)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]


KINDS = ("added", "removed", "retired", "changed", "moved")


def compare(a: Side, b: Side) -> list[Change]:
    changes = []
    for clause_id in sorted(set(a.clauses) | set(b.clauses) | set(a.lock) | set(b.lock)):
        old, new = a.clauses.get(clause_id), b.clauses.get(clause_id)
        entry_a, entry_b = a.lock.get(clause_id), b.lock.get(clause_id)
        now_retired = entry_b is not None and entry_b.status == "retired"
        was_retired = entry_a is not None and entry_a.status == "retired"
        if now_retired and not was_retired:
            changes.append(Change(clause_id, "retired", old, new, {
                "retired_in": entry_b.retired_in, "replaced_by": entry_b.replaced_by}))
            continue
        if new and not old:
            changes.append(Change(clause_id, "added", None, new))
        elif old and not new:
            changes.append(Change(clause_id, "removed", old, None))
        if not (old and new):
            continue
        if old.normative_hash != new.normative_hash:
            details = {"hash_a": old.normative_hash, "hash_b": new.normative_hash,
                       "locked": bool(entry_b and entry_b.hash == new.normative_hash)}
            if old.level != new.level:
                details["level"] = [old.level, new.level]
            if old.classes != new.classes:
                details["classes"] = [list(old.classes), list(new.classes)]
            if " ".join(old.text.split()) != " ".join(new.text.split()):
                details["words"] = word_diff(old.text, new.text)
            if states := translation_states(a, b, new):
                details["translations"] = states
            changes.append(Change(clause_id, "changed", old, new, details))
        if old.file != new.file:
            changes.append(Change(clause_id, "moved", old, new,
                                  {"from": old.file, "to": new.file}))
    return changes


def translation_states(a: Side, b: Side, new: Clause) -> dict[str, dict]:
    """language -> the state of the translation of a changed English clause at b:
    "changed too" or "now stale", "missing" when the language has no block of it."""
    states = {}
    for language, clauses in b.translated.items():
        translated = clauses.get(new.id)
        before = a.translated.get(language, {}).get(new.id)
        if translated is None:
            states[language] = {"state": "missing"}
            continue
        stale = translated.translates != new.normative_hash
        changed = before is None or (before.text, before.translates) != (
            translated.text, translated.translates)
        state = ("changed too" + (", still stale" if stale else "")) if changed else (
            "now stale" if stale else "current")
        states[language] = {"state": state, "file": translated.file, "line": translated.line}
    return states


def compare_translations(a: Side, b: Side) -> list[Translated]:
    """Every translated clause whose text or title differs between the sides."""
    found = []
    for language in sorted(set(a.translated) | set(b.translated)):
        old_side, new_side = a.translated.get(language, {}), b.translated.get(language, {})
        for clause_id in sorted(set(old_side) | set(new_side)):
            old, new = old_side.get(clause_id), new_side.get(clause_id)
            if old and new and (old.text, old.title) == (new.text, new.title):
                continue
            english = b.clauses.get(clause_id)
            state = ("orphan" if english is None else "missing" if new is None else
                     "current" if new.translates == english.normative_hash else "stale")
            found.append(Translated(
                clause_id, language, old, new, state,
                char_diff(old.text if old else "", new.text if new else ""),
                [old.title, new.title] if old and new and old.title != new.title else []))
    return found


def word_diff(old: str, new: str, split=str.split, join=" ".join) -> list[list[str]]:
    """[op, words] runs: op is '=' (kept), '-' (removed) or '+' (added)."""
    a, b = split(old), split(new)
    runs: list[list[str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False
                                                       ).get_opcodes():
        if tag == "equal":
            runs.append(["=", join(a[i1:i2])])
            continue
        if i2 > i1:
            runs.append(["-", join(a[i1:i2])])
        if j2 > j1:
            runs.append(["+", join(b[j1:j2])])
    return runs


# A character of CJK text, a run of other text, or a space (kept, since runs join with "").
_CHARS = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+| ")


def char_diff(old: str, new: str) -> list[list[str]]:
    """word_diff for text without spaces between words: by character of CJK text."""
    def split(text: str) -> list[str]:
        return _CHARS.findall(" ".join(text.split()))
    return word_diff(old, new, split, "".join)


# --- suspect tests ---------------------------------------------------------------------


def tests_naming(git: Git, side: Side) -> dict[str, list[marks.NamingTest]]:
    """ID -> the tests that name it at a side, from the marks pytest collects there."""
    named: dict[str, list[marks.NamingTest]] = {}
    for test in _collected(git, side):
        for clause_id in dict.fromkeys(test.ids):
            named.setdefault(clause_id, []).append(test)
    return named


def _collected(git: Git, side: Side) -> list[marks.NamingTest]:
    folder = git.project.results_dir / "marks"
    kept = folder / f"{git.fingerprint(side.commit)}.json"
    if kept.exists():
        return marks.load(kept)
    try:
        if side.commit is None:
            tests = marks.collect(git.root, kept)
        else:
            with git.unpacked(side.commit) as tree:
                tests = marks.collect(tree, kept)
    except marks.CollectError as exc:
        raise DiffError(f"{side.label}: {exc}") from None
    for old in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-MARKS_KEPT]:
        old.unlink()
    return tests


def _one_per_test(tests: list[marks.NamingTest]) -> list[marks.NamingTest]:
    """The parameter sets of one test function that name a clause count as one test."""
    by_function: dict[tuple[str, int], list[marks.NamingTest]] = {}
    for test in tests:
        by_function.setdefault((test.file, test.line), []).append(test)
    return [group[0] if len(group) == 1 else
            replace(group[0], nodeid=group[0].nodeid.split("[")[0])
            for group in by_function.values()]


def _dirty(git: Git, path: str) -> bool:
    return bool(git.run("status", "--porcelain", "--", path, check=False).strip())


def change_commit(git: Git, clause_id: str, a: Side, b: Side) -> str:
    """The newest commit after `a` that changed the clause's hash ('' = the working tree)."""
    head = b.commit
    if head is None:
        head = git.commit("HEAD")
        at_head = git.spec_at(head).get(clause_id)
        if at_head is None or at_head.normative_hash != b.clauses[clause_id].normative_hash:
            return ""
    folder = git.project.relative(git.project.spec_dir)
    span = f"{a.commit}..{head}" if a.commit else head
    for commit in git.run("log", "--format=%H", span, "--", folder).split():
        now = git.spec_at(commit).get(clause_id)
        parents = git.run("rev-parse", f"{commit}^@").split()
        before = [git.spec_at(p).get(clause_id) for p in parents] or [None]
        if now and all(p is None or p.normative_hash != now.normative_hash for p in before):
            return commit
    return head


def suspects(git: Git, diff_changes: list[Change], a: Side, b: Side) -> list[Suspect]:
    changed = [c.id for c in diff_changes if c.kind == "changed"]
    if not changed:
        return []
    named = tests_naming(git, b)
    found = []
    last_touch: dict[str, str] = {}
    for clause_id in changed:
        clause_commit = None
        for test in _one_per_test(named.get(clause_id, [])):
            if clause_commit is None:
                clause_commit = change_commit(git, clause_id, a, b)
            if test.file not in last_touch:
                dirty = b.commit is None and _dirty(git, test.file)
                head = b.commit or "HEAD"
                last_touch[test.file] = "" if dirty else git.run(
                    "log", "-1", "--format=%H", head, "--", test.file, check=False).strip()
            touched = last_touch[test.file]
            if not touched:  # changed in the working tree, or not yet committed
                continue
            if clause_commit == "" or (touched != clause_commit
                                       and git.is_ancestor(touched, clause_commit)):
                found.append(Suspect(test.nodeid, test.file, test.line, clause_id, touched,
                                     clause_commit))
    return found


def diff(project: Project, ref_a: str | None = None, ref_b: str | None = WORKTREE,
         with_suspects: bool = True) -> Diff:
    """The changes from `ref_a` to `ref_b`; with the suspect tests unless told not to
    (finding them means collecting the tests)."""
    git = Git(project)
    try:
        base = ref_a or default_base(git)
        a = _side(git, base, "" if ref_a else f"the merge base with main ({base[:7]})")
        b = _worktree(project) if ref_b is None else _side(git, ref_b)
        for side in (a, b):
            if side.broken:  # the comparison would call their clauses removed or added
                raise DiffError(f"{side.label}: clauses that do not parse (fix them first, "
                                "see `frs check`):\n" + "\n".join(f"  {p}" for p in side.broken))
        changes = compare(a, b)
        return Diff(a, b, changes, suspects(git, changes, a, b) if with_suspects else [],
                    compare_translations(a, b))
    finally:
        git.close()


# --- output ------------------------------------------------------------------------------


def _where(clause: Clause | None) -> str:
    return f"{clause.file}:{clause.line}" if clause else ""


def _classes(classes: list[str]) -> str:
    return ", ".join(classes) or "all"


def words_text(runs: list[list[str]], sep: str = " ") -> str:
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return sep.join(marks[op].format(words) for op, words in runs)


def words_markdown(runs: list[list[str]], sep: str = " ") -> str:
    marks = {"=": "{}", "-": "~~{}~~", "+": "**{}**"}
    return sep.join(marks[op].format(words.replace("|", "\\|")) for op, words in runs)


def to_text(result: Diff) -> str:
    lines = [f"Normative changes from {result.a.label} to {result.b.label}"]
    if not result.changes and not result.suspects and not result.translated:
        lines.append("No normative change.")
    for kind in KINDS:
        items = result.of(kind)
        if not items:
            continue
        lines.append(f"{_HEADINGS[kind]} ({len(items)}):")
        for change in items:
            lines += ["  " + _summary(change)] + ["    " + d for d in _detail_lines(change,
                                                                                 "text")]
    if result.translated:
        lines.append(f"{TRANSLATED} ({len(result.translated)}):")
        for item in result.translated:
            lines += ["  " + _translated_summary(item)] + [
                "    " + d for d in _translated_lines(item, "text")]
    if result.suspects:
        lines.append(f"Suspect tests ({len(result.suspects)}):")
        for s in result.suspects:
            lines.append(f"  ? {s.test} ({s.file}:{s.line}) names {s.id}: last touched in "
                         f"{s.test_commit[:7]}, before {s.id} changed in "
                         f"{s.clause_commit[:7] or 'the working tree'}")
    return "\n".join(lines) + "\n"


TRANSLATED = "Translations changed"
_HEADINGS = {"added": "Added", "removed": "Removed without retiring", "retired": "Retired",
             "changed": "Changed", "moved": "Moved between chapters"}
_SIGNS = {"added": "+", "removed": "-", "retired": "x", "changed": "~", "moved": ">"}


def _summary(change: Change) -> str:
    clause = change.b or change.a
    title = f" — {clause.title}" if clause and clause.title else ""
    where = _where(change.b) or _where(change.a)
    level = f" [{clause.level}]" if clause else ""
    return f"{_SIGNS[change.kind]} {change.id}{level}{title} ({where})" if where else \
        f"{_SIGNS[change.kind]} {change.id}"


def _detail_lines(change: Change, style: str) -> list[str]:
    d = change.details
    out = []
    if change.kind in ("added", "removed"):
        clause = change.b or change.a
        text = " ".join(clause.text.split())
        out.append(f"classes: {_classes(list(clause.classes))}")
        out.append(f"text: {text}" if style == "text" else
                   f"text: {text.replace('|', chr(92) + '|')}")
    elif change.kind == "retired":  # ids.lock's words: inert in Markdown (the changelog page)
        shown = escape.text if style == "markdown" else str
        out.append(f"retired in {shown(d['retired_in'] or '?')}"
                   + (f", replaced by {shown(d['replaced_by'])}" if d["replaced_by"] else ""))
    elif change.kind == "moved":
        out.append(f"{d['from']} -> {d['to']}")
    elif change.kind == "changed":
        if "level" in d:
            out.append(f"level: {d['level'][0]} -> {d['level'][1]}")
        if "classes" in d:
            out.append(f"classes: {_classes(d['classes'][0])} -> {_classes(d['classes'][1])}")
        if "words" in d:
            render = words_text if style == "text" else words_markdown
            out.append(f"text: {render(d['words'])}")
        if not d["locked"]:
            out.append("not yet recorded in ids.lock (run `frs lock`)")
        for language, state in d.get("translations", {}).items():
            where = f" ({state['file']}:{state['line']})" if "file" in state else ""
            out.append(f"{language}: {state['state']}{where}")
    return out


def _translated_summary(item: Translated) -> str:
    clause = item.b or item.a
    sign = "+" if item.a is None else "-" if item.b is None else "~"
    return f"{sign} {item.id} [{item.language}, {item.state}] ({clause.file}:{clause.line})"


def _translated_lines(item: Translated, style: str) -> list[str]:
    render = words_text if style == "text" else words_markdown
    out = [f"title: {item.title[0]} -> {item.title[1]}"] if item.title else []
    return out + ([f"text: {render(item.chars, '')}"] if item.chars else [])


def to_json(result: Diff) -> str:
    def clause(c: Clause | None) -> dict | None:
        if c is None:
            return None
        return {"file": c.file, "line": c.line, "level": c.level, "title": c.title,
                "classes": list(c.classes), "text": c.text, "hash": c.normative_hash}

    data = {
        "from": {"label": result.a.label, "commit": result.a.commit},
        "to": {"label": result.b.label, "commit": result.b.commit},
        **{kind: [{"id": c.id, "a": clause(c.a), "b": clause(c.b), **c.details}
                  for c in result.of(kind)] for kind in KINDS},
        "suspect_tests": [vars(s) for s in result.suspects],
        "translations_changed": [
            {"id": t.id, "language": t.language, "state": t.state, "chars": t.chars,
             "title": t.title, **{side: {"file": c.file, "line": c.line, "title": c.title,
                                          "text": c.text, "translates": c.translates}
                                  if c else None for side, c in (("a", t.a), ("b", t.b))}}
            for t in result.translated],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(result: Diff, level: int = 2) -> str:
    h = "#" * level
    lines = [f"{h} Normative changes", "",
             f"From {result.a.label} to {result.b.label}.", ""]
    if not result.changes and not result.suspects and not result.translated:
        lines += ["No normative change.", ""]
    for kind in KINDS:
        items = result.of(kind)
        if not items:
            continue
        lines += [f"{h}# {_HEADINGS[kind]} ({len(items)})", ""]
        for change in items:
            clause = change.b or change.a
            title = f" — {escape.text(clause.title)}" if clause and clause.title else ""
            where = f" (`{_where(change.b) or _where(change.a)}`)" if clause else ""
            lines.append(f"- **{change.id}**{title}{where}")
            lines += [f"  - {d}" for d in _detail_lines(change, "markdown")]
        lines.append("")
    if result.translated:
        lines += [f"{h}# {TRANSLATED} ({len(result.translated)})", ""]
        for item in result.translated:
            clause = item.b or item.a
            lines.append(f"- **{item.id}** ({item.language}, {item.state}) "
                         f"(`{clause.file}:{clause.line}`)")
            lines += [f"  - {d}" for d in _translated_lines(item, "markdown")]
        lines.append("")
    if result.suspects:
        lines += [f"{h}# Suspect tests ({len(result.suspects)})", "",
                  "These tests name a clause that changed after they were last touched: "
                  "check that they still verify what the clause now says.", ""]
        for s in result.suspects:
            lines.append(f"- [ ] `{s.test}` (`{s.file}:{s.line}`) names **{s.id}**, changed "
                         f"in {s.clause_commit[:7] or 'the working tree'}")
        lines.append("")
    return "\n".join(lines)


FORMATS = {"text": to_text, "json": to_json, "markdown": to_markdown}
