"""The FRS working group's tools: parse clauses, check them, export and publish them."""
