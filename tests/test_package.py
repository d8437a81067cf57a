"""The package boundary (README "For implementers"): what `pip install .` installs
declares every import it makes, the working group's tools behind the `wg` extra, and a
missing optional dependency or a missing checkout is one line of error, never a traceback."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path

from reference_impl import cli

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"reference_impl", "frs_tools"}
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return canonical(re.match(r"[A-Za-z0-9._-]+", requirement)[0])


def third_party_imports(package: str) -> dict[str, list[str]]:
    """Each third-party top-level module the package imports, with where."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in FIRST_PARTY and top not in sys.stdlib_module_names:
                    found.setdefault(top, []).append(
                        f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@cache
def installed() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def distributions(module: str) -> set[str]:
    """The distributions that install a top-level module (canonical names)."""
    return {canonical(d) for d in installed().get(module, [])}


def undeclared(package: str, declared: set[str]) -> list[str]:
    """`file:line: imports X (distribution D)` for each import no declared distribution gives."""
    found = []
    for module, where in sorted(third_party_imports(package).items()):
        if not distributions(module) & declared:
            given = ", ".join(sorted(distributions(module))) or "no installed distribution"
            found.append(f"{where[0]}: imports {module} ({given})")
    return found


CORE = {requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
WG = {requirement_name(r) for r in PYPROJECT["project"]["optional-dependencies"]["wg"]}
DISTRIBUTED = {requirement_name(r)
               for r in PYPROJECT["project"]["optional-dependencies"]["distributed"]}


def test_the_reference_implementation_declares_every_import_it_makes():
    missing = undeclared("reference_impl", CORE)
    # Only the Dask runner may need more, and what it needs is the `distributed` extra.
    assert all(m.startswith("reference_impl/evaluate/distributed.py:") for m in missing)
    assert undeclared("reference_impl", CORE | DISTRIBUTED) == []


def test_the_working_group_tools_declare_theirs_in_the_wg_extra():
    assert undeclared("frs_tools", CORE | WG) == []
    # And they need the extra: the reference implementation alone does not carry them.
    assert undeclared("frs_tools", CORE) != []


def test_every_core_dependency_is_used_by_the_reference_implementation():
    imported = set().union(*map(distributions, third_party_imports("reference_impl")))
    assert CORE - imported == set()


def test_the_wheel_holds_the_reference_implementation_and_the_tools_behind_their_extra():
    find = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert find == ["reference_impl*", "frs_tools*"]  # no top-level `tools`
    # `frs --help` lists a command among the working group's exactly when frs_tools runs it.
    for name, (group, module, _) in cli.COMMANDS.items():
        assert (group == cli.WORKING_GROUP) == module.startswith("frs_tools."), name
        assert group in (cli.IMPLEMENTER, cli.WORKING_GROUP), name


def test_a_missing_optional_dependency_is_one_line_naming_the_extra():
    # A fresh interpreter in which `import reqif` fails, as it does without frs[wg].
    code = ("import sys; sys.modules['reqif'] = None; from reference_impl.cli import main; "
            f"sys.exit(main(['export', '--format', 'reqif', '--root', {str(ROOT)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == ("frs export: error: needs the Python package 'reqif', which is "
                           "not installed: install frs[wg]\n")


def test_a_working_group_command_outside_a_checkout_is_one_line(tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.chdir(tmp_path)
    for argv in (["check"], ["new-id", "ACC"], ["diff"]):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith(f"frs {argv[0]}: error: needs a checkout of the FRS repository")
    assert cli.main(["check", "--root", str(tmp_path)]) == 2
    assert "needs a checkout of the FRS repository" in capsys.readouterr().err
