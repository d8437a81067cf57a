"""The working group's commands: `frs check`, `frs export`, `frs new-id`, `frs lock`,
`frs retire`, `frs diff`.  Each `configure` adds a command's arguments and sets its `run`."""

from __future__ import annotations

import argparse
import json
import sys

from frs_tools import catalogue, idlock, marks
from frs_tools.check import area_problems, check
from frs_tools.clauses import ID_PATTERN, parse_spec
from frs_tools.project import Project
from reference_impl.cli_options import add_format, output_file
from reference_impl.errors import InputError
from reference_impl.safe_text import printable


def configure(name: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", help="the project folder (default: the one above the "
                        "working directory whose pyproject.toml has [tool.frs])")
    {"check": _configure_check, "export": _configure_export, "new-id": _configure_new_id,
     "lock": _configure_lock, "retire": _configure_retire, "diff": _configure_diff}[name](parser)


def _configure_check(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--results", action="store_true",
                        help="also prove coverage from the last test run (JUnit report and "
                        "per-test coverage in the results folder)")
    parser.add_argument("--tests", action="store_true",
                        help="also collect the tests (pytest --collect-only, none is run) "
                        "and report every mark that names no clause of the spec")
    parser.add_argument("--only", nargs="+", metavar="ID",
                        help="report the tests and results of these clauses only (after "
                        "running a few tests)")
    add_format(parser)
    parser.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    project = Project.load(args.root)
    only = set(args.only) if args.only else None
    try:
        report = check(project, with_results=args.results, with_tests=args.tests, only=only)
    except marks.CollectError as exc:
        raise InputError(f"--tests: {exc}") from None
    if args.format == "json":
        print(json.dumps({"problems": [vars(p) for p in report.problems],
                          "clauses": len(report.spec.clauses),
                          "translations": report.translation_summary()}, indent=2))
    else:
        for problem in report.problems:
            print(problem)
        summary = (f"{_count(len(report.spec.clauses), 'clause')} in "
                   f"{_count(len(report.spec.files), 'page')}")
        if report.trace:
            counts = {}
            for status in report.trace.statuses.values():
                counts[status.status] = counts.get(status.status, 0) + 1
            summary += ": " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        for language, states in report.translation_summary().items():
            summary += f"; {language}: " + ", ".join(f"{n} {s}" for s, n in states.items())
        print(f"{_count(len(report.problems), 'problem')}; {summary}", file=sys.stderr)
    return 1 if report.problems else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _configure_export(parser: argparse.ArgumentParser) -> None:
    # A catalogue has no text form: JSON is the default, CSV for spreadsheets, ReqIF for
    # requirement tools.
    parser.add_argument("--format", choices=("json", "csv", "reqif"), default="json",
                        help="json (default), csv or reqif (ReqIF 1.2, for DOORS or Polarion)")
    parser.add_argument("--output", "-o", type=output_file,
                        help="write to this file instead of standard output")
    parser.set_defaults(run=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Print the catalogue; its problems go to standard error and make the exit status 1,
    since a catalogue of a spec with problems is not one to publish."""
    project = Project.load(args.root)
    if args.format == "reqif":  # before the work: it needs the reqif package (frs[wg])
        from frs_tools import reqif_export
    report = check(project, with_results=True)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if args.format == "reqif":
        text = reqif_export.to_reqif(report)
    else:
        text = catalogue.to_json(report) if args.format == "json" else catalogue.to_csv(report)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 1 if report.problems else 0


def _configure_diff(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ref_a", nargs="?", help="the old version: a git ref (default: the "
                        "merge base of HEAD with main)")
    parser.add_argument("ref_b", nargs="?", help="the new version: a git ref (default: the "
                        "working tree)")
    add_format(parser, "markdown")
    parser.add_argument("--heading-level", type=int, default=2, choices=range(1, 6),
                        help="Markdown: the level of the top heading (default 2)")
    parser.set_defaults(run=run_diff)


def run_diff(args: argparse.Namespace) -> int:
    from frs_tools import diff

    result = diff.diff(Project.load(args.root), args.ref_a, args.ref_b)
    if args.format == "markdown":
        sys.stdout.write(diff.to_markdown(result, args.heading_level))
    elif args.format == "text":  # the spec's words, shown in the order they were written
        sys.stdout.write(printable(diff.to_text(result), lines=True))
    else:
        sys.stdout.write(diff.FORMATS[args.format](result))
    return 0


def _configure_new_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("area", help="the area code, e.g. ACC")
    add_format(parser)
    parser.set_defaults(run=run_new_id)


def run_new_id(args: argparse.Namespace) -> int:
    project = Project.load(args.root)
    if args.area not in project.areas:
        raise InputError(f"unknown area '{args.area}' (known areas: "
                         f"{', '.join(sorted(project.areas))})")
    spec = parse_spec(project)
    new = idlock.next_id(args.area, idlock.load(project.lock_file), spec.places())
    print(json.dumps({"area": args.area, "id": new}) if args.format == "json" else new)
    return 0


def _configure_lock(parser: argparse.ArgumentParser) -> None:
    add_format(parser)
    parser.set_defaults(run=run_lock)


def run_lock(args: argparse.Namespace) -> int:
    """Record new clauses and changed hashes; refuse while the spec has parse problems."""
    project = Project.load(args.root)
    spec = parse_spec(project)
    lock = idlock.load(project.lock_file)
    problems = spec.problems + area_problems(spec.clauses, lock, project.areas)
    if problems:
        for problem in problems:
            print(problem)
        raise InputError("fix the problems above before recording the spec in ids.lock")
    retired = [c for c in spec.clauses if c.id in lock.retired()]
    if retired:
        raise InputError(f"{retired[0].file}:{retired[0].line}: {retired[0].id} was retired "
                         "and cannot be reused")
    changes = idlock.record(lock, spec.clauses)
    idlock.save(lock)
    print(json.dumps({"changes": changes}, indent=2) if args.format == "json"
          else "\n".join(changes), end="\n" if changes or args.format == "json" else "")
    return 0


def _configure_retire(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help="the requirement ID to retire")
    parser.add_argument("--in", dest="version", required=True,
                        help="the version of the standard that retires it")
    parser.add_argument("--replaced-by", default="", help="the ID that replaces it, if any")
    add_format(parser)
    parser.set_defaults(run=run_retire)


def run_retire(args: argparse.Namespace) -> int:
    project = Project.load(args.root)
    for given in filter(None, (args.id, args.replaced_by)):
        if not ID_PATTERN.fullmatch(given):
            raise InputError(f"malformed requirement ID '{given}'")
    if not idlock.VERSION.fullmatch(args.version):
        raise InputError(f"--in: malformed version '{args.version}' (expected one such as 0.2 "
                         "or 1.0rc1)")
    lock = idlock.load(project.lock_file)
    idlock.retire(lock, args.id, args.version, args.replaced_by, parse_spec(project).places())
    idlock.save(lock)
    if args.format == "json":
        print(json.dumps({"id": args.id, "retired_in": args.version,
                          "replaced_by": args.replaced_by or None}))
    else:
        print(f"{args.id}: retired in {args.version}"
              + (f", replaced by {args.replaced_by}" if args.replaced_by else ""))
    return 0
