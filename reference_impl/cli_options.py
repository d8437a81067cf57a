"""The options every `frs` command shares, defined once so they read and behave alike.

The convention (README, "Exit status and options"): a required input is positional; inputs
that replace one another are an argparse group; every command takes `--format text|json`
(some add a third form); exit status 0 clean, 1 findings, 2 unusable input.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

EXIT_CLEAN, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2

EXIT_STATUS = ("exit status: 0 clean, 1 findings (the input was read and something in it "
               "does not meet FRS), 2 unusable input or a usage error")


def add_format(parser: argparse.ArgumentParser, *extra: str, default: str = "text") -> None:
    """`--format text|json[|extra…]`: text for people, JSON for programs."""
    choices = ("text", "json", *extra)
    parser.add_argument("--format", choices=choices, default=default,
                        help=f"output form: {', '.join(choices)} (default: {default})")


def rate(text: str) -> float:
    """A target error rate: a number in (0, 1]."""
    value = number(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a rate in (0, 1]")
    return value


def number(text: str) -> float:
    """A finite number: NaN would make every comparison false and every rate 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def positive_number(text: str) -> float:
    """A finite number above 0 (a time limit: `inf` would be no limit at all)."""
    value = number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text}: expected a number above 0")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected at least 1")
    return value


def whole_number(low: int, high: int | None = None):
    """An argparse type: a whole number in [low, high] (a count or a size; far beyond
    any real one it would only exhaust memory)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(
                f"{text}: expected a whole number from {low}"
                + (f" to {high}" if high is not None else " up"))
        return value
    parse.__name__ = "whole number"
    return parse


def output_file(text: str) -> str:
    """A file to write: in a folder that exists, and not itself a folder (checked before
    any work is done, so a long run does not end in a traceback)."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a folder, not a file to write")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}': no folder '{path.parent}' to write it in")
    return text


def output_folder(text: str) -> str:
    """A folder to write into (made if missing): not an existing file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"'{text}' is a file, not a folder to write into")
    return text


def svg_file(text: str) -> str:
    if not text.endswith(".svg"):
        raise argparse.ArgumentTypeError(f"'{text}' does not end in .svg")
    return output_file(text)


def species_file(text: str) -> tuple[str, str]:
    """`SPECIES=FILE`, split once here rather than by each command."""
    species, sep, path = text.partition("=")
    if not sep or not species or not path:
        raise argparse.ArgumentTypeError(f"'{text}': expected SPECIES=FILE")
    return species, path
