"""Structured fields of one document: metadata, dates and officials, as JSON-ready rows.

Order matters: the meeting date comes first (it anchors the year of dates written without one and
tells which office a gazetteer person held), then dates, officials, place and the parties.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from pipeline.core.dates import DateMention, SentenceBounds, elapsed_reference, find_dates, resolve_years
from pipeline.core.document_meta import describe
from pipeline.core.limits import Limits
from pipeline.core.meeting import (
    find_countries, find_place, heading_date_mention, main_meeting_day, meeting_date_mention, paragraphs, publication_date_mention, split_heading,
)
from pipeline.core.officials import OfficialsExtractor
from pipeline.core.process import NormalizedText
from pipeline.core.reference import ReferenceData


@dataclass
class Structure:
    title: str | None
    doc_type: str
    is_provisional_translation: bool
    meeting_date: str | None  # ISO date
    place: str | None
    countries: list[str]
    next_meeting_date: str | None  # ISO date
    dates: list[dict]
    officials: list[dict]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> "Structure":
        return cls(**d)


def _resolve(mention: DateMention | None, text: str, mentions: list[DateMention],
             reference: dt.date | None, fallback_year: int | None = None) -> DateMention | None:
    """A single mention with its year (and month) filled in from the rest of the document."""
    if mention is None or mention.year is not None:
        return mention
    dated = [m for m in mentions if m.year is not None]
    anchor = reference.year if reference else fallback_year
    resolved = resolve_years([*dated, mention], text, anchor_year=anchor, reference=reference)
    return next((m for m in resolved if m.char_start == mention.char_start), None)


_NAMED_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9年])")


def _year_of_the_title(text: str, mentions: list[DateMention]) -> int | None:
    """The last evidence of a year, used only when no date in the text has one: a year that is
    part of the title's name (G7 伊勢志摩サミット 2016 heading a page that says only 4月10日). It
    is not a date of its own."""
    if any(m.year is not None for m in mentions):
        return None
    first = next((line for line in text.split("\n") if line.strip()), "")
    m = _NAMED_YEAR.search(first)
    return int(m.group()) if m else None


NEXT_MEETING = ("次回", "次の会合", "次期会合", "次の閣僚会合", "次の首脳会合")


def _next_meeting(text: str, dates: list[DateMention]) -> str | None:
    """The earliest date in a sentence that speaks of the next meeting (次回会合は2025年に…)."""
    found = []
    bounds = SentenceBounds(text)
    for d in dates:
        start, end = bounds.start_of(d.char_start), bounds.end_after(d.char_end)
        if any(word in text[start:end] for word in NEXT_MEETING):
            found.append(d.value)
    return min(found).isoformat() if found else None


def extract_structure(norm: NormalizedText, ref: ReferenceData, extractor: OfficialsExtractor,
                      limits: Limits = Limits()) -> Structure:
    """limits: the text and the mentions found are capped (RejectedInput past a cap); the rest is
    linear in the mentions."""
    text = norm.text
    limits.check_text(len(text))
    pages = norm.joined()
    meta = describe(text, ref.document_types, norm.running_lines)
    raw = find_dates(text)
    limits.check_mentions("date expressions", len(raw))
    title_year = _year_of_the_title(text, raw)
    heading = _resolve(heading_date_mention(text, raw) or publication_date_mention(text, raw), text, raw, None, title_year)
    reference = heading.value if heading else elapsed_reference(text, raw)
    meeting = _resolve(meeting_date_mention(text, raw), text, raw, reference, title_year)
    dates = resolve_years(raw, text, meeting.year if meeting else title_year, reference or (meeting.value if meeting else None))
    meeting = main_meeting_day(text, meeting, dates, heading)
    meeting_value = meeting.value if meeting else None
    _, body = split_heading(paragraphs(text))
    lead = body[0].text if body else ""
    # the parties from the title or lead, then the officials' countries with them (one scan)
    parties = find_countries(meta.title, lead, ref.country_abbreviations, ref.country_names, set(), ref.not_countries)
    officials = extractor.extract(text, meeting_value, max_mentions=limits.max_mentions, parties=frozenset(parties))
    return Structure(
        title=meta.title,
        doc_type=meta.doc_type,
        is_provisional_translation=meta.is_provisional_translation,
        meeting_date=meeting_value.isoformat() if meeting_value else None,
        place=find_place(text, meeting, ref.places),
        countries=sorted(set(parties) | {o.country for o in officials} - {"INT"}),
        next_meeting_date=_next_meeting(text, dates),
        dates=[
            {"date": d.value.isoformat(), "precision": d.precision, "surface": d.surface, "year_inferred": d.year_inferred,
             "char_start": d.char_start, "char_end": d.char_end, "page": pages.page_at(d.char_start)}
            for d in dates
        ],
        officials=[
            {"person_id": o.person_id, "name": o.name, "surface": o.surface, "office": o.office, "country": o.country,
             "char_start": o.char_start, "char_end": o.char_end, "page": pages.page_at(o.char_start),
             "office_held_on_meeting_date": ref.gazetteer.held_office_named(o.person_id, o.office, meeting_value)}
            for o in officials
        ],
    )
