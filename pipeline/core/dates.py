"""Date expressions in Japanese statements.

Forms: 2024年6月26日 (spaces allowed between parts), era years 明治–令和 with 元年, kanji numerals
(二〇二四年, 二千二十一年十一月五日), month-only (2023年3月, 2月末), year-only (2024年に), and
month/day without a year (4月25日), whose year is inferred and flagged. A weekday mark （木）
after a date is tolerated. A law or notice number (平成十九年法律第九十号) leaves a year, not a day.

The text is already normalized (full-width digits are ASCII), so only ASCII and kanji numerals
need reading.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from pipeline.core.numerals import KANJI_NUMERAL_CHARS, parse_number

ERAS = {"明治": (1868, 45), "大正": (1912, 15), "昭和": (1926, 64), "平成": (1989, 31), "令和": (2019, 99)}
EARLIEST, LATEST = dt.date(1868, 1, 1), dt.date(2199, 12, 31)

_K = f"[{KANJI_NUMERAL_CHARS}]"
_NUM = rf"(?:(?<![0-9])[0-9]{{1,2}}(?![0-9])|(?<!{_K}){_K}{{1,3}}(?!{_K}))"
_WESTERN_YEAR = rf"(?:(?<![0-9])[0-9]{{4}}(?![0-9])|(?<!{_K})(?:[〇○◯零一二三四五六七八九]{{4}}|[一二]千{_K}{{0,4}})(?!{_K}))"
_S = r"[ \t]*"
DATE_PATTERN = re.compile(
    rf"(?:(?P<era>{'|'.join(ERAS)}){_S}(?P<era_year>元|[0-9]{{1,2}}|{_K}{{1,3}})|(?P<year>{_WESTERN_YEAR})){_S}年(?!代)"
    rf"(?:{_S}(?P<month>{_NUM}){_S}月(?!{_S}[0-9]{{1,2}}{_S}日間)(?:{_S}(?P<day>{_NUM}){_S}日)?)?"
    rf"|(?P<bare_month>{_NUM}){_S}月(?:{_S}(?P<bare_day>{_NUM}){_S}日)?"
    # a day alone, as news writes it (経済産業相は29日、…): only right before 、 に まで から (
    rf"|(?<![0-9年月/.\-]){_S}(?P<lone_day>(?<![0-9])[0-9]{{1,2}}){_S}日(?=[、，にの（(]|まで|から)"
)
WEEKDAY = re.compile(rf"^{_S}[（(][月火水木金土日](?:曜日?)?[）)]")


@dataclass(frozen=True)
class DateMention:
    char_start: int
    char_end: int
    surface: str
    year: int | None  # None until inferred
    month: int | None
    day: int | None
    year_inferred: bool = False

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def value(self) -> dt.date | None:
        if self.year is None:
            return None
        return dt.date(self.year, self.month or 1, self.day or 1)


def _year(m: re.Match) -> int | None:
    if m.group("era"):
        base, last = ERAS[m.group("era")]
        n = parse_number(m.group("era_year"))
        return None if n is None or not 1 <= n <= last else base + n - 1
    return parse_number(m.group("year"))


def _valid(year: int | None, month: int | None, day: int | None) -> bool:
    if month is not None and not 1 <= month <= 12:
        return False
    try:
        probe = dt.date(year if year is not None else 2000, month or 1, day or 1)  # 2000: leap year
    except ValueError:
        return False
    return year is None or EARLIEST <= probe <= LATEST


def find_dates(text: str) -> list[DateMention]:
    """Every date expression, in text order; yearless ones have year None."""
    found = []
    for m in DATE_PATTERN.finditer(text):
        if m.group("lone_day"):
            day = parse_number(m.group("lone_day"))
            if day and 1 <= day <= 31:
                start = m.start("lone_day")
                found.append(DateMention(start, m.end(), text[start:m.end()], None, None, day))
            continue
        if m.group("bare_month"):
            year, month_s, day_s = None, m.group("bare_month"), m.group("bare_day")
        else:
            year, month_s, day_s = _year(m), m.group("month"), m.group("day")
            if year is None:
                continue
        month = parse_number(month_s) if month_s else None
        day = parse_number(day_s) if day_s else None
        if (month_s and month is None) or (day_s and day is None) or not _valid(year, month, day):
            continue
        found.append(DateMention(m.start(), m.end(), m.group(), year, month, day))
    return found


def resolve_years(mentions: list[DateMention], text: str, anchor_year: int | None,
                  reference: dt.date | None = None) -> list[DateMention]:
    """Give each yearless date a year: the nearest dated mention before it in the same sentence
    (2023年3月及び9月), else the document's anchor year (its heading or meeting date), else the
    nearest dated mention anywhere. A day alone (29日) takes the month of the reference date (the
    heading's date) or, when the day is after it, the month before. Dates that still have no year
    are left out: nothing dates them."""
    # linear in the mentions: sentence starts and dated mentions are looked up by bisection
    dated = sorted((m for m in mentions if m.year is not None), key=lambda d: d.char_start)
    dated_starts = [d.char_start for d in dated]
    bounds = sentence_bounds(text)
    out = []
    for m in mentions:
        if m.year is not None:
            out.append(m)
            continue
        if m.month is None:  # a day alone: the reference date's month, or the month before it
            if reference is not None:
                month_start = reference.replace(day=1)
                if m.day > reference.day:
                    month_start = (month_start - dt.timedelta(days=1)).replace(day=1)
                if _valid(month_start.year, month_start.month, m.day):
                    out.append(DateMention(m.char_start, m.char_end, m.surface, month_start.year, month_start.month, m.day, True))
            continue
        sentence_start = bounds.start_of(m.char_start)
        i = bisect.bisect_left(dated_starts, m.char_start)  # dated[:i] start before m
        if i and dated_starts[i - 1] >= sentence_start:
            year = dated[i - 1].year
        elif anchor_year is not None:
            year = anchor_year
        elif dated:
            near = [d for d in dated[max(0, i - 1): i + 1]]
            year = min(near, key=lambda d: abs(d.char_start - m.char_start)).year
        else:
            continue
        if _valid(year, m.month, m.day):
            out.append(DateMention(m.char_start, m.char_end, m.surface, year, m.month, m.day, year_inferred=True))
    return out


class SentenceBounds:
    """Where the sentence around a position starts and ends (a 。 or a line end), found by
    bisection over one list of the text's sentence marks: no scan back per mention."""

    def __init__(self, text: str):
        self.marks = [i for i, ch in enumerate(text) if ch == "。" or ch == "\n"]
        self.length = len(text)

    def start_of(self, position: int) -> int:
        i = bisect.bisect_left(self.marks, position)
        return self.marks[i - 1] + 1 if i else 0

    def end_after(self, position: int) -> int:
        i = bisect.bisect_left(self.marks, position)
        return self.marks[i] if i < len(self.marks) else self.length


def sentence_bounds(text: str) -> SentenceBounds:
    return SentenceBounds(text)
