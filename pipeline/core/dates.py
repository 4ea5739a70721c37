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
from dataclasses import dataclass, replace

from pipeline.core.numerals import KANJI_NUMERAL_CHARS, parse_number
from pipeline.core.spans import Spans

ERAS = {"明治": (1868, 45), "大正": (1912, 15), "昭和": (1926, 64), "平成": (1989, 31), "令和": (2019, 99)}
EARLIEST, LATEST = dt.date(1868, 1, 1), dt.date(2199, 12, 31)

_K = f"[{KANJI_NUMERAL_CHARS}]"
_NUM = rf"(?:(?<![0-9])[0-9]{{1,2}}(?![0-9])|(?<!{_K}){_K}{{1,3}}(?!{_K}))"
_WESTERN_YEAR = rf"(?:(?<![0-9])[0-9]{{4}}(?![0-9])|(?<!{_K})(?:[〇○◯零一二三四五六七八九]{{4}}|[一二]千{_K}{{0,4}})(?!{_K}))"
_S = r"[ \t]*"
# a day that opens a range ends there, without its 日: 9月3〜5日, 24-27日
_DAY_END = rf"(?:日|(?={_S}[〜～\-–]{_S}[0-9]{{1,2}}{_S}日))"
DATE_PATTERN = re.compile(
    rf"(?:(?P<era>{'|'.join(ERAS)}){_S}(?P<era_year>元|[0-9]{{1,2}}|{_K}{{1,3}})|(?P<year>{_WESTERN_YEAR})){_S}年(?!代)"
    rf"(?:{_S}(?P<month>{_NUM}){_S}月(?!{_S}[0-9]{{1,2}}{_S}日間)(?:{_S}(?P<day>{_NUM}){_S}{_DAY_END})?)?"
    rf"|(?P<bare_month>{_NUM}){_S}月(?:{_S}(?P<bare_day>{_NUM}){_S}{_DAY_END})?"
    # a day alone, as news writes it (経済産業相は29日、…, 2日午後, 同月5日, 翌6日, 昨(28)日, 本27日):
    # only where a day can end (a particle, a time of day, a bracket, the line's end), never 2日間
    rf"|(?<![0-9年/.])(?<!(?<!同)月){_S}(?P<lone_day>(?<![0-9])[0-9]{{1,2}}|(?<!{_K})[一二三]?十[一二三四五六七八九]?(?!{_K})"
    rf"|(?:(?<=翌)|(?<=本)|(?<=同月))[一二三四五六七八九](?!{_K})){_S}"
    rf"日(?=[、，,にの（(\s)）]|$|まで|から|より|付|午前|午後|朝|夕|夜|未明|正午|[0-9]{{1,2}}時|日本時間|現地時間|[〜～\-–])"
)
# the first end of a range whose second end carries 日 (24〜27日, 24-27日, 9月3〜5日, 15日-18日)
RANGE_START = re.compile(rf"(?<![0-9/.\-])(?:(?P<month>[0-9]{{1,2}}){_S}月{_S})?(?P<day>[0-9]{{1,2}}){_S}日?{_S}[〜～\-–]{_S}"
                         rf"(?=(?:[0-9]{{1,2}}{_S}月{_S})?[0-9]{{1,2}}{_S}日)")
# numeric forms: 2021/7/18, 2018.02.27, 2019-08-22, 11/07/2018 (day first, as European pages
# write it; month first when the day cannot be a month), [23-11-16] (a bracketed two-digit year),
# 令和3.7.18, R3.7.18, H30.2.27
NUMERIC_DATE = re.compile(
    r"(?<![0-9./\-])(?:(?P<y>(?:18|19|20|21)[0-9]{2})(?P<sep>[/.\-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
    r"|(?P<d2>[0-9]{1,2})/(?P<m2>[0-9]{1,2})/(?P<y2>(?:18|19|20|21)[0-9]{2})"
    r"|(?<=\[)(?P<y3>[0-9]{2})-(?P<m3>[0-9]{1,2})-(?P<d3>[0-9]{1,2})(?=\])"
    r"|(?P<era>令和|平成|昭和|R|H|S)(?P<ey>[0-9]{1,2})[./](?P<em>[0-9]{1,2})[./](?P<ed>[0-9]{1,2}))(?![0-9./])"
)
ERA_LETTERS = {"R": "令和", "H": "平成", "S": "昭和"}
# a two-digit year with its month (98年3月, ０８年５月) or fiscal year (98年度)
SHORT_YEAR = re.compile(rf"(?<![0-9\u3400-\u9fffA-Za-z.年/\-])(?P<yy>[0-9]{{2}}){_S}年(?=(?:{_S}[0-9]{{1,2}}{_S}月)|度)")
RELATIVE_YEAR = {"昨年": -1, "前年": -1, "去年": -1, "一昨年": -2, "来年": 1, "翌年": 1, "本年": 0, "今年": 0}
_RELATIVE_BEFORE = re.compile(rf"(?:{'|'.join(sorted(RELATIVE_YEAR, key=len, reverse=True))}){_S}(?:の{_S})?$")
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
    relative_year: int | None = None  # 昨年12月: -1 from the document's year
    same_month: bool = False  # 同月5日: the month of the last date before it

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def value(self) -> dt.date | None:
        if self.year is None:
            return None
        return dt.date(self.year, self.month or 1, self.day or 1)


ERA_YEARS_PAST_END = 99  # 平成33年 is 2021: texts written before an era ended count on past its end


def _era_year(era: str, number: str) -> int | None:
    base, _last = ERAS[era]
    n = parse_number(number)
    return None if n is None or not 1 <= n <= ERA_YEARS_PAST_END else base + n - 1


def _year(m: re.Match) -> int | None:
    if m.group("era"):
        return _era_year(m.group("era"), m.group("era_year"))
    return parse_number(m.group("year"))


def _two_digit_year(yy: int) -> int:
    return 1900 + yy if yy >= 50 else 2000 + yy


def _numeric_dates(text: str) -> list[DateMention]:
    found = []
    for m in NUMERIC_DATE.finditer(text):
        if m.group("y"):
            year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        elif m.group("y2"):
            first, second, year = int(m.group("d2")), int(m.group("m2")), int(m.group("y2"))
            day, month = (second, first) if second > 12 >= first else (first, second)
        elif m.group("y3"):
            year, month, day = _two_digit_year(int(m.group("y3"))), int(m.group("m3")), int(m.group("d3"))
        else:
            era = ERA_LETTERS.get(m.group("era"), m.group("era"))
            year = _era_year(era, m.group("ey"))
            month, day = int(m.group("em")), int(m.group("ed"))
        if year is not None and _valid(year, month, day):
            found.append(DateMention(m.start(), m.end(), m.group(), year, month, day))
    return found


def _range_starts(text: str) -> list[DateMention]:
    found = []
    for m in RANGE_START.finditer(text):
        month = int(m.group("month")) if m.group("month") else None
        day = int(m.group("day"))
        if _valid(None, month, day) and 1 <= day <= 31:
            found.append(DateMention(m.start(), m.end("day"), text[m.start():m.end("day")], None, month, day))
    return found


def _valid(year: int | None, month: int | None, day: int | None) -> bool:
    if month is not None and not 1 <= month <= 12:
        return False
    try:
        probe = dt.date(year if year is not None else 2000, month or 1, day or 1)  # 2000: leap year
    except ValueError:
        return False
    return year is None or EARLIEST <= probe <= LATEST


def find_dates(text: str) -> list[DateMention]:
    """Every date expression, in text order; yearless ones have year None. Numeric forms
    (2018.02.27) and two-digit years (98年3月) first, then the written forms, then the first ends
    of day ranges, each kept only where no earlier kind already took the characters."""
    found = _numeric_dates(text)
    for m in SHORT_YEAR.finditer(text):
        rest = DATE_PATTERN.match(text, m.end())
        year = _two_digit_year(int(m.group("yy")))
        if rest is not None and rest.group("bare_month"):
            month = parse_number(rest.group("bare_month"))
            day = parse_number(rest.group("bare_day")) if rest.group("bare_day") else None
            if month and _valid(year, month, day):
                found.append(DateMention(m.start(), rest.end(), text[m.start():rest.end()], year, month, day))
                continue
        if text[m.end():m.end() + 1] == "度":
            found.append(DateMention(m.start(), m.end(), text[m.start():m.end()], year, None, None))
    written = []
    for m in DATE_PATTERN.finditer(text):
        if m.group("lone_day"):
            day = parse_number(m.group("lone_day"))
            if day and 1 <= day <= 31:
                start = m.start("lone_day")
                same = text[max(0, start - 2):start] == "同月"
                written.append(DateMention(start, m.end(), text[start:m.end()], None, None, day, same_month=same))
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
        relative = None
        if year is None and (before := _RELATIVE_BEFORE.search(text, max(0, m.start() - 5), m.start())):
            relative = RELATIVE_YEAR[before.group().rstrip(" \tの")]
        written.append(DateMention(m.start(), m.end(), m.group(), year, month, day, relative_year=relative))
    taken = Spans()
    for mention in found:
        taken.add(mention.char_start, mention.char_end)
    for mention in [*written, *_range_starts(text)]:
        if taken.free(mention.char_start, mention.char_end):
            taken.add(mention.char_start, mention.char_end)
            found.append(mention)
    return sorted(found, key=lambda d: d.char_start)


def resolve_years(mentions: list[DateMention], text: str, anchor_year: int | None,
                  reference: dt.date | None = None) -> list[DateMention]:
    """Give each yearless date a year (and a day alone its month), by this order of evidence:
    - 昨年12月 / 来年4月 / 本年3月: the document's year (the reference date's, else the anchor) moved
      by the relative word;
    - a day alone after a date with a month in the same sentence (2016年5月17日から20日まで, 9月3〜5
      日), or 同月5日 after any such date: that date's month and year;
    - another yearless date: the nearest dated mention before it in the same sentence
      (2023年3月及び9月), else the anchor year (the heading's or meeting's), else the nearest dated
      mention anywhere;
    - a day alone otherwise: the reference date's month when the day is not after it; when it is
      after it, the reference month (an announcement: 20日付で「24日から訪米」) or the month before
      (a report: 1日付で「29日に会談」), whichever puts the day nearer the reference date.
    Dates that still have no year are left out: nothing dates them. Linear in the mentions."""
    dated = sorted((m for m in mentions if m.year is not None), key=lambda d: d.char_start)
    dated_starts = [d.char_start for d in dated]
    bounds = SentenceBounds(text)
    document_year = reference.year if reference is not None else anchor_year
    out = []
    last_with_month: DateMention | None = None  # the last resolved mention with a month, in text order
    for m in sorted(mentions, key=lambda d: d.char_start):
        resolved = _resolve_one(m, text, bounds, dated, dated_starts, anchor_year, document_year, reference,
                                last_with_month)
        if resolved is not None:
            out.append(resolved)
            if resolved.month is not None and resolved.year is not None:
                last_with_month = resolved
    return out


def _resolve_one(m, text, bounds, dated, dated_starts, anchor_year, document_year, reference, last_with_month):
    if m.year is not None:
        return m
    sentence_start = bounds.start_of(m.char_start)
    if m.month is None:  # a day alone
        if last_with_month is not None and (m.same_month or last_with_month.char_start >= sentence_start):
            if _valid(last_with_month.year, last_with_month.month, m.day):
                return replace(m, year=last_with_month.year, month=last_with_month.month, year_inferred=True)
        if reference is None:
            return None
        month_start = reference.replace(day=1)
        if m.day > reference.day:
            before = (month_start - dt.timedelta(days=1)).replace(day=1)
            ahead = m.day - reference.day
            behind = reference.day + (month_start - before).days - m.day
            if behind < ahead or not _valid(month_start.year, month_start.month, m.day):
                month_start = before
        if _valid(month_start.year, month_start.month, m.day):
            return replace(m, year=month_start.year, month=month_start.month, year_inferred=True)
        return None
    if m.relative_year is not None and document_year is not None:
        year = document_year + m.relative_year
    else:
        i = bisect.bisect_left(dated_starts, m.char_start)  # dated[:i] start before m
        if i and dated_starts[i - 1] >= sentence_start:
            year = dated[i - 1].year
        elif anchor_year is not None:
            year = anchor_year
        elif dated:
            near = dated[max(0, i - 1): i + 1]
            year = min(near, key=lambda d: abs(d.char_start - m.char_start)).year
        else:
            return None
    if _valid(year, m.month, m.day):
        return replace(m, year=year, year_inferred=True)
    return None


_N = rf"(?:[0-9]{{1,3}}|{_K}{{1,3}})"
# 2023年4月の…以来、1年8カ月ぶり: the time since a dated event, which dates the text itself
_ELAPSED = re.compile(rf"以来{_S}[、,，]?{_S}(?:(?P<years>{_N}){_S}年{_S}(?:半)?)?(?:(?P<months>{_N}){_S}[カヵヶかケ箇か]?月)?{_S}ぶり")


def elapsed_reference(text: str, mentions: list[DateMention]) -> dt.date | None:
    """The month a text was written in when it says only how long ago a dated event was
    (外相の訪中は2023年4月の…以来、1年8カ月ぶり → December 2024), for days named alone. The
    event's date is the last dated mention with a month before 以来 in the same sentence; the
    result is that month's last day (its day is not known), or None."""
    bounds = SentenceBounds(text)
    for m in _ELAPSED.finditer(text):
        years = parse_number(m.group("years")) if m.group("years") else 0
        months = parse_number(m.group("months")) if m.group("months") else 0
        if years is None or months is None or not (years or months):
            continue
        start = bounds.start_of(m.start())
        before = [d for d in mentions if start <= d.char_start < m.start() and d.year is not None and d.month is not None]
        if not before:
            continue
        event = before[-1]
        total = event.year * 12 + (event.month - 1) + years * 12 + months
        year, month = divmod(total, 12)
        if not _valid(year, month + 1, None):
            continue
        first_of_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        return first_of_next - dt.timedelta(days=1)
    return None


_SENTENCE_MARK = re.compile("[。\n]")


class SentenceBounds:
    """Where the sentence around a position starts and ends (a 。 or a line end), found by
    bisection over one list of the text's sentence marks: no scan back per mention."""

    def __init__(self, text: str):
        self.marks = [m.start() for m in _SENTENCE_MARK.finditer(text)]
        self.length = len(text)

    def start_of(self, position: int) -> int:
        i = bisect.bisect_left(self.marks, position)
        return self.marks[i - 1] + 1 if i else 0

    def end_after(self, position: int) -> int:
        i = bisect.bisect_left(self.marks, position)
        return self.marks[i] if i < len(self.marks) else self.length
