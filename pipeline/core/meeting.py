"""When, where and between whom: a statement's meeting date, place and parties.

meeting_date: a `[年月日]` field, else a dateline in the heading (2024年6月26日 米国ワシントンD.C.),
else the first full date of the lead paragraph (本日 … ９月22日、ニューヨーク市において).
place: a `[場所]` field, else what follows the heading's date, else `Xにおいて / Xにて` in the lead
paragraph, else the first known place (data/reference/places.json) in the lead paragraph.
countries: compounds like 日米韓 or full names (日本, 米国) in the title — else the lead paragraph —
plus the countries of the officials named.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.core.dates import DateMention, SentenceBounds
from pipeline.core.document_meta import LABELLED_FIELD, is_body

_AT = re.compile(r"([^\s、。,，「」『』()（）]{2,24}?)(?:において|にて)")
_PLACE_EDGE = re.compile(r"^(?:本日|同日|今般|また|ここ|この日)")


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Paragraph]:
    out, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append(Paragraph(offset, offset + len(line), line))
        offset += len(line) + 1
    return out


def split_heading(paras: list[Paragraph]) -> tuple[list[Paragraph], list[Paragraph]]:
    for i, p in enumerate(paras):
        if is_body(p.text):
            return paras[:i], paras[i:]
    return paras, []


def _labelled(paras: list[Paragraph], label: str) -> Paragraph | None:
    for p in paras:
        m = LABELLED_FIELD.match(p.text)
        if m and m.group(1) == label:
            return p
    return None


def _inside(mentions: list[DateMention], p: Paragraph) -> list[DateMention]:
    return [m for m in mentions if p.start <= m.char_start < p.end]


_BRACKETED_PLACE = re.compile(r"^\s*【([^】]{1,20})】")
_OPENING_DATELINE = re.compile(r"^\s*[【\[［][^】\]］]{1,30}[】\]］]")
# a place before the dateline's date: ブリュッセル、2011年5月28日
_PLACE_BEFORE_DATE = re.compile(r"^\s*[^\s。、,，0-9]{1,20}[、,，\s]\s*$")


def heading_date_mention(text: str, mentions: list[DateMention]) -> DateMention | None:
    """A dateline: the first heading paragraph that starts with a full date (after a 【place】)."""
    heading, _ = split_heading(paragraphs(text))
    for p in heading:
        start = p.start + (m.end() if (m := _BRACKETED_PLACE.match(p.text)) else 0)
        inside = _inside(mentions, p)
        before = text[start:inside[0].char_start] if inside else ""
        if inside and inside[0].day and inside[0].month and (before.strip() == "" or _PLACE_BEFORE_DATE.match(before)):
            return inside[0]
    return None


def publication_date_mention(text: str, mentions: list[DateMention]) -> DateMention | None:
    """Where no dateline opens a heading paragraph, the first full date anywhere in the heading
    (発表時間 2019-08-22, 掲載日 : [23-11-16]): it dates the page, so it anchors days named alone."""
    heading, _ = split_heading(paragraphs(text))
    for p in heading:
        full = [m for m in _inside(mentions, p) if m.year and m.month and m.day]
        if full:
            return full[0]
    return None


def meeting_date_mention(text: str, mentions: list[DateMention]) -> DateMention | None:
    """The mention that dates the meeting itself (its year or month may still be unknown): a
    [年月日] field, else a day named in the lead paragraph's first sentence (a release or news
    dateline is often a day later), else the heading's dateline, else any day in the lead."""
    paras = paragraphs(text)
    heading, body = split_heading(paras)
    field = _labelled(heading, "年月日")
    if field and _inside(mentions, field):
        return _inside(mentions, field)[0]
    lead = body[0] if body else None
    if lead is not None:
        first_sentence_end = lead.start + (lead.text.find("。") + 1 or len(lead.text))
        # a news dateline opening the lead (【新華社北京8月22日】, [北京 28日 ロイター]) dates the report,
        # not the meeting: the day after it does
        opening = _OPENING_DATELINE.match(lead.text)
        after = lead.start + (opening.end() if opening else 0)
        days = [m for m in _inside(mentions, lead) if m.day and after <= m.char_start < first_sentence_end]
        if days:
            return days[0]
    dateline = heading_date_mention(text, mentions)
    if dateline is not None:
        return dateline
    days = [m for m in _inside(mentions, lead) if m.day] if lead else []
    if days:
        return days[0]
    # a lead with no date (a TV report's first paragraph): the first day in the body said of a meeting
    bounds = SentenceBounds(text)
    body_start = body[0].start if body else len(text)
    for m in mentions:
        if m.day and m.char_start >= body_start and \
                MEETING_WORDS.search(text, bounds.start_of(m.char_start), bounds.end_after(m.char_end)):
            return m
    return None


MEETING_WORDS = re.compile(r"会談|会合|会議|面会|電話|会見|協議|懇談|表敬")
_VISIT = "訪"  # 訪米, 訪問, 来訪: a text about a visit


def main_meeting_day(text: str, meeting: DateMention | None, dates: list[DateMention],
                     page_date: DateMention | None = None) -> DateMention | None:
    """For a visit of several days, the day of its main meeting (首脳会談, else 会談) within the
    week that starts with the visit's first day: 5月17日から20日まで…訪問 … 18日に首脳会談. A
    text not about a visit keeps its first day; the date the page was published (page_date) is
    never the meeting's. In a schedule (25日 08:55 … / 11:10~13:30 日米首脳会談) a line with no
    date of its own takes the day that opens the schedule lines above it."""
    if meeting is None or meeting.value is None or meeting.day is None:
        return meeting
    bounds = SentenceBounds(text)
    heading, body = split_heading(paragraphs(text))
    about = " ".join(p.text for p in heading) + " " + (body[0].text if body else "")
    if _VISIT not in about:
        return meeting
    first, last = meeting.value, meeting.value + dt.timedelta(days=6)
    skip = page_date.char_start if page_date is not None else -1
    candidates = [d for d in dates if d.day and d.value is not None and first <= d.value <= last and d.char_start != skip]
    day_of_line = _schedule_days(text, candidates)
    for word in ("首脳会談", "会談"):
        for d in candidates:
            if word in text[bounds.start_of(d.char_start):bounds.end_after(d.char_end)]:
                return d
        for m in re.finditer(word, text):
            if (d := day_of_line.get(text.rfind("\n", 0, m.start()) + 1)) is not None:
                return d
    return meeting


_CLOCK_LINE = re.compile(r"\s*[0-9]{1,2}:[0-9]{2}")


def _schedule_days(text: str, days: list[DateMention]) -> dict[int, DateMention]:
    """Line start -> the day of a schedule line that opens with a clock time only (11:10~13:30 …),
    from the nearest line above that opens with a day (25日 08:55~09:30 …)."""
    opening = {text.rfind("\n", 0, d.char_start) + 1: d for d in days
               if not text[text.rfind("\n", 0, d.char_start) + 1:d.char_start].strip()}
    out: dict[int, DateMention] = {}
    current = None
    start = 0
    for line in text.split("\n"):
        if start in opening:
            current = opening[start]
        elif current is not None and _CLOCK_LINE.match(line):
            out[start] = current
        else:
            current = None
        start += len(line) + 1
    return out


def find_place(text: str, meeting: DateMention | None, known_places: list[str]) -> str | None:
    paras = paragraphs(text)
    heading, body = split_heading(paras)
    field = _labelled(heading, "場所")
    if field is not None:
        value = LABELLED_FIELD.match(field.text).group(2).strip()
        return value or None
    for p in heading:
        m = _BRACKETED_PLACE.match(p.text)
        if m:
            return m.group(1).strip()
    if meeting is not None:
        for p in heading:
            if p.start <= meeting.char_start < p.end:
                rest = re.sub(r"^\s*[（(][^）)]*[）)]", "", text[meeting.char_end:p.end]).strip(" 、,")
                if rest:
                    return rest
    lead = body[0].text if body else ""
    m = _AT.search(lead)
    if m:
        return _PLACE_EDGE.sub("", m.group(1)).lstrip("、は") or None
    hits = [(lead.find(name), -len(name), name) for name in known_places if name in lead]
    return min(hits)[2] if hits else None


def blank_not_countries(text: str, not_countries: tuple[str, ...]) -> str:
    """The text with each word that only contains a country's name (インド太平洋, インドネシア)
    blanked out, offsets kept: what is left names countries only where it means them."""
    for word in not_countries:
        text = text.replace(word, "　" * len(word))
    return text


def find_countries(title: str | None, lead: str, abbreviations: dict[str, str], names: dict[str, str],
                   official_countries: set[str], not_countries: tuple[str, ...] = ()) -> list[str]:
    """ISO codes of the parties, sorted."""
    def scan(s: str) -> set[str]:
        s = blank_not_countries(s, not_countries)
        found = set()
        chars = "".join(re.escape(a) for a in abbreviations)
        for m in re.finditer(rf"[{chars}]{{2,}}", s):
            run = m.group()
            if len(set(run)) == len(run):
                found |= {abbreviations[ch] for ch in run}
        for name in sorted(names, key=len, reverse=True):
            if name in s:
                found.add(names[name])
        return found

    parties = scan(title or "") or scan(lead)
    return sorted(parties | official_countries)
