"""The clauses of FRS as its text states them: the list `frs conform` accounts for.

The spec's Markdown pages travel with the package (`<prefix>/share/frs/spec`), as the
schemas do, so an installed `frs conform` reads the same clauses, with their levels and
classes, as the standard it judges against; nothing is copied into code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from frs_tools.clauses import Clause, parse_text
from reference_impl.errors import InputError
from reference_impl.schemas import shipped_dir


def spec_dir() -> Path:
    """The spec pages: `$FRS_SPEC`, the checkout's `spec/`, or those installed with the
    package (`<prefix>/share/frs/spec`)."""
    return shipped_dir("spec", "FRS_SPEC")


@cache
def spec_clauses(folder: Path | None = None) -> tuple[Clause, ...]:
    """Every requirement clause of the spec pages in `folder` (default `spec_dir()`)."""
    folder = folder or spec_dir()
    pages = sorted(folder.glob("*.md"))
    if not pages:
        raise InputError(f"{folder}: no FRS spec pages found; set FRS_SPEC to the folder of "
                         "the FRS spec")
    found: list[Clause] = []
    for page in pages:
        found += parse_text(page.read_text(encoding="utf-8"), page.name)[0]
    return tuple(sorted(found, key=lambda c: c.id))


# Where a clause that no statement rule judges is met, by the module of its `impl:`.
JUDGED_ELSEWHERE = (
    ("reference_impl.preprocess", "an image-quality or alignment rule that `frs evaluate` "
     "applies to every sample it evaluates (clauses 4 and 12.4)"),
    ("reference_impl.model", "a term of the model submission, judged on the model by "
     "`frs model check` (clause 12.3)"),
    ("reference_impl.metrics", "a rule of how an evaluation computes and reports its rates, "
     "which `frs evaluate` follows when it writes a report (clauses 6 to 8 and 12.5)"),
    ("reference_impl.evaluate", "a rule of how an evaluation is run, which `frs evaluate` "
     "follows when it writes a report (clause 12.5)"),
    ("reference_impl.validate", "a rule of FRS data objects, judged on the objects by "
     "`frs validate` (Annex A)"),
    ("reference_impl.safeload", "a rule of FRS data objects, judged on the objects by "
     "`frs validate` (Annex A)"),
    ("reference_impl.documents", "a rule of FRS data objects, judged on the objects by "
     "`frs validate` (Annex A)"),
)


def judged_elsewhere(clause: Clause) -> str:
    """Why `frs conform` does not judge `clause` from a statement, and what does."""
    module = clause.impl.split(":")[0]
    where = next((why for prefix, why in JUDGED_ELSEWHERE
                  if module == prefix or module.startswith(prefix + ".")),
                 f"judged by `{module}`" if module else "a clause no command judges yet")
    return f"not judged from a statement: {where}"
