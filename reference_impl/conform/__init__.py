"""Conformance statements: read an operator's statement and judge every clause it can.

`frs conform STATEMENT` evaluates the clauses of FRS chapters 3, 5, 9, 10 and 11, and
those of chapters 6 to 8 on how the system is tested and operated, that apply to the
declared conformance class, each by a small rule function registered in
`reference_impl.conform.rules` under the requirement's ID.
"""
