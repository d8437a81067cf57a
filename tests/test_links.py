"""`impl:` links name a function or a method; the target is the body that runs."""

import inspect

import pytest

from frs_tools.clauses import parse_text
from frs_tools.links import ImplError, resolve_impl
from reference_impl.metrics import verification


def clause_with(impl: str):
    text = f"/// requirement | FRS-ACC-001\n    level: shall\n    impl: {impl}\n\nIt SHALL.\n///\n"
    return parse_text(text, "page.md", {"ACC": "Accuracy"}, None)


@pytest.mark.parametrize("impl", ["reference_impl.metrics.verification:fmr",
                                  "reference_impl.metrics.verification:CountedScores.fmr",
                                  "reference_impl.a.b:Outer.Inner.method"])
def test_an_impl_link_may_name_a_function_or_a_method_at_any_depth(impl):
    (clause,), problems = clause_with(impl)
    assert problems == [] and clause.impl == impl


@pytest.mark.parametrize("impl", ["reference_impl.metrics.verification:CountedScores.",
                                  "reference_impl.metrics.verification:.fmr",
                                  "reference_impl.metrics.verification:Sorted Scores"])
def test_a_malformed_method_link_is_a_parse_fault(impl):
    clauses, problems = clause_with(impl)
    assert clauses == [] and [p.rule for p in problems] == ["bad-option"]


def test_a_method_resolves_to_its_own_body_not_its_class():
    target = resolve_impl("reference_impl.metrics.verification:CountedScores.fnmr_at_fmr")
    lines, def_line = inspect.getsourcelines(verification.CountedScores.fnmr_at_fmr)
    assert target.file.name == "verification.py"
    # The body: from the first statement after the `def` line to the method's last line.
    assert def_line < target.body_start and target.body_end == def_line + len(lines) - 1
    assert target.signature.startswith("(self, target: float)")
    whole = resolve_impl("reference_impl.metrics.verification:CountedScores")
    assert whole.body_start < target.body_start <= target.body_end <= whole.body_end


@pytest.mark.parametrize("impl, words", [
    ("reference_impl.metrics.verification:CountedScores.no_such_method",
     "reference_impl.metrics.verification:CountedScores defines no function or class "
     "'no_such_method'"),
    ("reference_impl.metrics.verification:fmr.inner",
     "reference_impl.metrics.verification:fmr is a function: it has no member 'inner'"),
    ("reference_impl.metrics.verification:NoSuchClass.fmr",
     "reference_impl.metrics.verification defines no function or class 'NoSuchClass'"),
])
def test_a_link_that_does_not_resolve_names_the_missing_step(impl, words):
    with pytest.raises(ImplError, match="^" + words.replace(".", r"\.") + "$"):
        resolve_impl(impl)
