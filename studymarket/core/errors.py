class ApplicationError(Exception):
    """A domain error with a message the user can act on (already translated)."""

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
