"""Where a spec tree lives: the [tool.frs] table of a project's pyproject.toml.

Every tool takes a `Project`, so the checker, the site hook and the tests can all
point the same code at the real repository or at a fixture tree under tests/.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from reference_impl.errors import InputError


class ProjectError(InputError):
    """The project's configuration cannot be read."""


# Folders of spec_dir that hold translations, not English pages (ISO 639-1 codes).
TRANSLATION_FOLDERS = frozenset({"zh"})

# The working group's commands run on a checkout; an installed `frs` has none around it.
NEEDS_CHECKOUT = "needs a checkout of the FRS repository"


@dataclass(frozen=True)
class Project:
    root: Path
    spec_dir: Path
    schemas_dir: Path
    lock_file: Path
    results_dir: Path
    areas: dict[str, str] = field(default_factory=dict)
    classes: tuple[str, ...] | None = None  # None: any class name is accepted
    bibliography: str = "spec/bibliography.yaml"  # relative to root (frs_tools.sources)
    # The languages the standard is translated into, each in spec_dir/<language>/
    # (frs_tools.translations); `frs check` holds each to the English pages.
    languages: tuple[str, ...] = ()

    @classmethod
    def load(cls, root: Path | str | None = None) -> Project:
        """Read the project at `root`, or the nearest one above the working directory."""
        root = Path(root).resolve() if root else _find_root(Path.cwd().resolve())
        pyproject = root / "pyproject.toml"
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["frs"]
        except FileNotFoundError:
            raise ProjectError(f"{pyproject}: not found ({NEEDS_CHECKOUT}; is {root} "
                               "one?)") from None
        except tomllib.TOMLDecodeError as exc:
            raise ProjectError(f"{pyproject}: {exc}") from None
        except KeyError:
            raise ProjectError(f"{pyproject}: no [tool.frs] table ({NEEDS_CHECKOUT})") from None
        return cls(
            root=root,
            spec_dir=root / table.get("spec_dir", "spec"),
            schemas_dir=root / table.get("schemas_dir", "schemas"),
            lock_file=root / table.get("lock_file", "ids.lock"),
            results_dir=root / table.get("results_dir", "build/results"),
            areas=dict(table.get("areas", {})),
            classes=tuple(table["classes"]) if "classes" in table else None,
            bibliography=table.get("bibliography", "spec/bibliography.yaml"),
            languages=tuple(table.get("languages", ())),
        )

    def translation_dir(self, language: str) -> Path:
        return self.spec_dir / language

    def english_pages(self) -> list[Path]:
        """The English spec pages: every page under spec_dir but the translations'."""
        return sorted(p for p in self.spec_dir.rglob("*.md")
                      if not self.translation_of(p.relative_to(self.spec_dir).as_posix()))

    def translation_of(self, page: str) -> str:
        """The language of a page named relative to spec_dir, "" for an English one.
        A translation folder counts whether or not `languages` names it yet, so a
        translation in progress is never read as English."""
        first = page.partition("/")[0]
        return first if first in TRANSLATION_FOLDERS or first in self.languages else ""

    @cached_property
    def docs_folder(self) -> str:
        """The spec folder as findings print it (the site's docs_dir)."""
        return self.relative(self.spec_dir)

    def relative(self, path: Path) -> str:
        """A path as findings print it: relative to the project root when inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def _find_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "[tool.frs]" in candidate.read_text(encoding="utf-8"):
            return folder
    raise ProjectError(f"{NEEDS_CHECKOUT}: no pyproject.toml with a [tool.frs] table in "
                       f"{start} or above (run it inside the checkout, or give --root)")
