"""One CLI convention: every command takes `--format json`, states its exit status, reports
an unknown option with its own usage, and groups either/or inputs (README, "Options and exit
status")."""

from __future__ import annotations

import argparse
import json

import pytest

from reference_impl.cli import COMMANDS, IMPLEMENTER, WORKING_GROUP, build_parser, main
from reference_impl.cli_options import EXIT_STATUS
from tests.test_exports import awkward_project


def leaf_parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    """(name, parser) of every runnable command, `metrics verification` and the like
    included."""
    found = []

    def walk(name: str, parser: argparse.ArgumentParser) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.append((name, parser))
        for action in subs:
            for sub_name, sub in action.choices.items():
                walk(f"{name} {sub_name}", sub)

    for command in COMMANDS:
        parser = build_parser(command)
        top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        walk(command, top.choices[command])
    return found


@pytest.mark.parametrize("name, parser", leaf_parsers(), ids=lambda v: str(v))
def test_every_command_takes_format_json_and_states_its_exit_status(name, parser):
    formats = next(a for a in parser._actions if a.dest == "format")
    assert "json" in formats.choices, name
    assert " ".join(EXIT_STATUS.split()) in " ".join(parser.format_help().split()), name


def test_top_level_help_groups_implementer_and_working_group_commands():
    text = build_parser(None).format_help()
    implementer = text.index(f"commands {IMPLEMENTER}:")
    working_group = text.index(f"commands {WORKING_GROUP}:")
    assert implementer < text.index("\n  validate ") < text.index("\n  verify-log ") < working_group
    assert working_group < text.index("\n  check ") < text.index("\n  diff ")


@pytest.mark.parametrize("argv, usage", [
    (["check", "--bogus"], "usage: frs check"),
    (["validate", "--bogus", "x.json"], "usage: frs validate"),
    (["conform", "--templete", "V-L"], "usage: frs conform"),
    (["metrics", "pad", "--bona-fide", "b", "--attack", "s=a", "--bogus"],
     "usage: frs metrics pad"),
])
def test_an_unknown_option_is_reported_with_the_commands_own_usage(argv, usage, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    err = capsys.readouterr().err
    assert exit.value.code == 2
    assert err.startswith(usage) and "unrecognized arguments: --" in err


@pytest.mark.parametrize("argv, message", [
    (["metrics", "verification"], "one of the arguments COMPARISONS --genuine is required"),
    (["metrics", "verification", "c.jsonl", "--genuine", "g"], "not allowed with argument"),
    (["conform"], "one of the arguments statement --template is required"),
    (["conform", "s.yaml", "--template", "V-L"], "not allowed with argument"),
])
def test_either_or_inputs_are_argparse_groups(argv, message, capsys):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    assert message in capsys.readouterr().err


def test_genuine_without_impostor_is_unusable_input(tmp_path, capsys):
    (tmp_path / "g.txt").write_text("0.9\n")
    assert main(["metrics", "verification", "--genuine", str(tmp_path / "g.txt")]) == 2
    assert "--genuine needs --impostor FILE too" in capsys.readouterr().err


def test_export_exits_1_when_its_check_finds_problems(tmp_path, capsys):
    project = awkward_project(tmp_path)
    capsys.readouterr()
    page = project.root / "spec" / "a.md"
    page.write_text(page.read_text() + "\nA stray sentence that SHALL be caught.\n")
    assert main(["export", "--root", str(project.root)]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["requirements"]  # the catalogue is still printed
    assert "a.md:" in err


def test_working_group_commands_print_json(tmp_path, capsys):
    project = awkward_project(tmp_path)
    capsys.readouterr()
    assert main(["new-id", "ACC", "--root", str(project.root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"area": "ACC", "id": "FRS-ACC-003"}
    assert main(["lock", "--root", str(project.root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"changes": []}
