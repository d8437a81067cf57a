"""Conformance statements: read an operator's statement and give a verdict for every
clause of its class.

`frs conform STATEMENT` judges the clauses a statement can show are met, each by a small
rule function registered in `reference_impl.conform.rules` under the requirement's ID:
from the statement's declarations (chapters 3, 5, 9, 10, 11 and the test conditions of
chapters 6 to 8), and from the counts of the evaluation report it cites (the class
limits of clause 2, clause 7, the PAD levels of clause 8).  Every other clause of the
class is listed as not judged, with what does judge it (`reference_impl.conform.clauses`).
"""
