"""The one error a user's mistake raises.

Every command catches `InputError` at the top and prints its message (which says
where: file:line or a JSON pointer, and what was expected) with exit status 2,
never a traceback.
"""


class InputError(Exception):
    """Input that cannot be used: an unreadable file, a bad option, a malformed document."""
