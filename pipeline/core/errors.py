"""The one exception the core raises for input it refuses: its message is the ledger's reason."""


class RejectedInput(Exception):
    """Input that cannot become a document. str(exc) is a sentence a person understands."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
