"""Kanji numerals to integers: positional (二〇二四) and multiplicative (二千二十一, 十一, 元)."""

from __future__ import annotations

DIGITS = {"〇": 0, "○": 0, "◯": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
KANJI_NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)


def parse_number(text: str) -> int | None:
    """An ASCII or kanji numeral (元 counts as 1, as in 令和元年); None when it is not one."""
    text = text.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if text == "元":
        return 1
    if all(ch in DIGITS for ch in text):  # positional: 二〇二四
        value = 0
        for ch in text:
            value = value * 10 + DIGITS[ch]
        return value
    total, current = 0, None
    for ch in text:
        if ch in DIGITS:
            if current is not None:  # two digits in a row inside a multiplicative numeral
                return None
            current = DIGITS[ch]
        elif ch in UNITS:
            total += (1 if current is None else current) * UNITS[ch]
            current = None
        else:
            return None
    return total + (current or 0)
