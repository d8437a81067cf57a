"""`frs`: one command line for implementers and the working group.

Each command lives in its own module, imported only when it runs, so `frs check`
does not pay for numpy or onnxruntime.  The options and exit status every command
shares are in `reference_impl.cli_options`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from reference_impl import __version__
from reference_impl.cli_options import EXIT_CLEAN, EXIT_STATUS, EXIT_UNUSABLE
from reference_impl.errors import InputError
from reference_impl.safe_text import printable

IMPLEMENTER = "for implementers"
WORKING_GROUP = "for the working group (a checkout of FRS, with the extra frs[wg] installed)"

# name: (group, module with configure(name, parser), one-line help)
COMMANDS = {
    "validate": (IMPLEMENTER, "reference_impl.validate.command", "check JSON, JSON Lines or "
                 "YAML records against the FRS schemas"),
    "metrics": (IMPLEMENTER, "reference_impl.metrics.cli", "error rates from score files: "
                "verification (EER, FNMR at FMR), pad (APCER, BPCER), identification (FNIR, "
                "FPIR, CMC), demographics (per-group rates and differentials) or morphing (MAP)"),
    "model": (IMPLEMENTER, "reference_impl.model.command", "check a submitted ONNX model "
              "against its manifest (clause 12)"),
    "evaluate": (IMPLEMENTER, "reference_impl.evaluate.command", "run a submitted model on a "
                 "dataset and judge it clause by clause"),
    "conform": (IMPLEMENTER, "reference_impl.conform.command", "judge a conformance "
                "statement: a verdict for every clause its class must meet"),
    "protection-cost": (IMPLEMENTER, "reference_impl.protect.command", "measure what template "
                        "protection costs on your embeddings: FNMR change at the class FMR, "
                        "D↔sys and a stolen-key attack"),
    "verify-log": (IMPLEMENTER, "reference_impl.audit", "verify a hash-chained audit log and "
                   "name the first altered, removed, reordered or replayed record"),
    "check": (WORKING_GROUP, "frs_tools.commands", "lint the spec, its links and ids.lock; "
              "with --results, prove every normative clause is verified by a passing test"),
    "lock": (WORKING_GROUP, "frs_tools.commands", "record new clauses and changed normative "
             "text in ids.lock"),
    "new-id": (WORKING_GROUP, "frs_tools.commands", "print the next free requirement ID of an "
               "area"),
    "retire": (WORKING_GROUP, "frs_tools.commands", "retire a requirement ID in ids.lock"),
    "export": (WORKING_GROUP, "frs_tools.commands", "print the requirements catalogue (JSON, "
               "CSV or ReqIF)"),
    "diff": (WORKING_GROUP, "frs_tools.commands", "the normative changes between two versions "
             "of the spec (added, removed, retired, changed, moved clauses; suspect tests)"),
}


def command_list() -> str:
    """`frs --help`'s list of commands, in their two groups."""
    lines = []
    for group in (IMPLEMENTER, WORKING_GROUP):
        lines += ["", f"commands {group}:"]
        lines += [f"  {name:<16} {summary}" for name, (g, _, summary) in COMMANDS.items()
                  if g == group]
    return "\n".join(lines[1:])


def build_parser(wanted: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="frs", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="FRS: the open standard for facial recognition technology, its reference "
        "implementation and tools.", epilog=f"{command_list()}\n\n{EXIT_STATUS}")
    parser.add_argument("--version", action="version", version=f"frs {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     help="one of the commands below")
    for name, (_, module, summary) in COMMANDS.items():
        sub = commands.add_parser(name, description=summary, epilog=EXIT_STATUS)
        if name == wanted:
            importlib.import_module(module).configure(name, sub)
            _own_errors(sub)
    return parser


def _own_errors(parser: argparse.ArgumentParser) -> None:
    """Let each (sub)command report an unknown option with its own usage line, not the
    top-level one: the innermost parser that ran is recorded in the namespace."""
    parser.set_defaults(parser_=parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.epilog = sub.epilog or EXIT_STATUS
                _own_errors(sub)


def missing_package(exc: ModuleNotFoundError) -> str:
    """What to install for a third-party module that is not installed: the extra of
    frs that declares it, or frs itself (a dependency is missing from the install)."""
    import importlib.metadata  # here: only this error needs it (20 ms at every start)

    module = (exc.name or "").split(".")[0]
    try:
        requirements = importlib.metadata.requires("frs") or []
    except importlib.metadata.PackageNotFoundError:
        requirements = []
    for requirement in requirements:
        name, _, marker = requirement.partition(";")
        extra = re.search(r"""extra\s*==\s*["']([\w-]+)["']""", marker)
        if extra and _canonical(re.match(r"[\w.-]+", name)[0]) == _canonical(module):
            return f"install frs[{extra[1]}]"
    return "reinstall frs: it is one of its dependencies"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv: list[str] | None = None) -> int:
    code = _run(sys.argv[1:] if argv is None else argv)
    safety = sys.modules.get("reference_impl.model.safety")
    if safety is not None and safety.abandoned():
        # A model load that ran out of time still runs inside onnxruntime, which cannot
        # stop it; ending the interpreter normally would wait for it or crash under it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _run(argv: list[str]) -> int:
    wanted = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(wanted if wanted in COMMANDS else None)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        getattr(args, "parser_", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    if not args.command:
        parser.print_help(sys.stderr)
        return EXIT_UNUSABLE
    try:
        return args.run(args)
    except InputError as exc:  # a DocumentError's lines are findings, each escaped already
        message = str(exc) if hasattr(exc, "findings") else printable(exc)
        print(f"frs {args.command}: error: {message}", file=sys.stderr)
        return EXIT_UNUSABLE
    except ModuleNotFoundError as exc:
        package = (exc.name or "").split(".")[0]
        if package in ("reference_impl", "frs_tools", ""):
            raise
        print(f"frs {args.command}: error: needs the Python package '{package}', which is "
              f"not installed: {missing_package(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except BrokenPipeError:  # `frs export | head` is not an error
        sys.stderr.close()
        return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
