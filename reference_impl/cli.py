"""`frs`: one command line for implementers and the working group.

Each command lives in its own module, imported only when it runs, so `frs check`
does not pay for numpy or onnxruntime.  Exit status: 0 ok, 1 findings, 2 usage or
input error.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import re
import shutil
import sys
import textwrap

from reference_impl import __version__
from reference_impl.errors import InputError

# name: (module with configure(name, parser), one-line help)
IMPLEMENTER = {
    "validate": ("reference_impl.validate.command", "check JSON, JSON Lines or YAML records "
                 "against the FRS schemas"),
    "metrics": ("reference_impl.metrics.cli", "error rates from score files: verification "
                "(EER, FNMR at FMR), pad (APCER, BPCER), identification (FNIR, FPIR, CMC) or "
                "demographics (per-group rates and differentials)"),
    "model": ("reference_impl.model.command", "check a submitted ONNX model against its "
              "manifest (clause 12)"),
    "evaluate": ("reference_impl.evaluate.command", "run a submitted model on a dataset and "
                 "judge it clause by clause"),
    "conform": ("reference_impl.conform.command", "judge a conformance statement: a verdict "
                "for every clause its class must meet"),
    "protection-cost": ("reference_impl.protect.command", "measure what template protection "
                        "costs on your embeddings: FNMR change at the class FMR and D↔sys"),
    "verify-log": ("reference_impl.audit", "verify a hash-chained audit log and name the first "
                   "altered, removed, reordered or replayed record"),
}
# These work in a checkout of the FRS repository, with the `wg` extra installed.
WORKING_GROUP = {
    "check": ("frs_tools.commands", "lint the spec, its links and ids.lock; with --results, "
              "prove every normative clause is verified by a passing test"),
    "lock": ("frs_tools.commands", "record new clauses and changed normative text in ids.lock"),
    "new-id": ("frs_tools.commands", "print the next free requirement ID of an area"),
    "retire": ("frs_tools.commands", "retire a requirement ID in ids.lock"),
    "export": ("frs_tools.commands", "print the requirements catalogue (JSON, CSV or ReqIF)"),
    "diff": ("frs_tools.commands", "the normative changes between two versions of the spec "
             "(added, removed, retired, changed, moved clauses; suspect tests)"),
}
COMMANDS = {**IMPLEMENTER, **WORKING_GROUP}
GROUPS = (("commands for implementers", IMPLEMENTER),
          ("commands for the working group (in a checkout of the FRS repository, with "
           "frs[wg] installed)", WORKING_GROUP))


def command_list() -> str:
    """The commands, group by group, as `frs --help` lists them (as wide as argparse)."""
    width = min(shutil.get_terminal_size().columns, 100) - 2
    lines = []
    for title, commands in GROUPS:
        lines += ["", f"{title}:"]
        for name, (_, summary) in commands.items():
            lines += textwrap.wrap(summary, width, initial_indent=f"  {name:<17}",
                                   subsequent_indent=" " * 19)
    return "\n".join(lines[1:])


def build_parser(wanted: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="frs", description="FRS: the open standard for "
                                     "facial recognition technology, its reference "
                                     "implementation and tools.", epilog=command_list(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"frs {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     help="one of the commands below; `frs COMMAND --help` "
                                     "describes it")
    for name, (module, summary) in COMMANDS.items():
        sub = commands.add_parser(name, description=summary)
        if name == wanted:
            importlib.import_module(module).configure(name, sub)
    return parser


def missing_package(exc: ModuleNotFoundError) -> str:
    """What to install for a third-party module that is not installed: the extra of
    frs that declares it, or frs itself (a dependency is missing from the install)."""
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
    argv = sys.argv[1:] if argv is None else argv
    wanted = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(wanted if wanted in COMMANDS else None)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except InputError as exc:
        print(f"frs {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        package = (exc.name or "").split(".")[0]
        if package in ("reference_impl", "frs_tools", ""):
            raise
        print(f"frs {args.command}: error: needs the Python package '{package}', which is "
              f"not installed: {missing_package(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `frs export | head` is not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
