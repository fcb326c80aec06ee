"""Text typed by visitors, made safe to put in a database query."""


def printable_words(text: str) -> list[str]:
    """The words of ``text``, control characters counted as spaces: a NUL above all, which
    PostgreSQL refuses in text (``?q=%00`` must find nothing, not raise)."""
    return "".join(ch if ch.isprintable() else " " for ch in text).split()
