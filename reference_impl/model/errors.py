"""A submitted model that breaks its contract (clause 12): exit status 1, not 2."""


class ContractError(Exception):
    """The model loads (or could be read) but breaks a term of clause 12.

    `check` names the broken term (for example "external-data" or "determinism"), so
    the message a submitter sees says which rule refused the model.
    """

    def __init__(self, check: str, message: str):
        super().__init__(f"{check}: {message}")
        self.check = check
        self.detail = message
