"""The one error the commands raise: its message is Dutch and says what to do next."""


class CliError(Exception):
    """Stops the command: main() prints the message and exits with 1."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status  # the HTTP status, when the site refused
