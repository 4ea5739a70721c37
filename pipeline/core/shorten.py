"""Cutting text for people to read (examples, reasons, labels): at most `limit` characters, the
cut marked with an ellipsis."""


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
