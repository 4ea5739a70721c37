"""Meeting date, place and parties from headings, labelled fields and lead sentences."""

import datetime as dt

from pipeline.core.dates import find_dates
from pipeline.core.meeting import find_countries, find_place, meeting_date_mention
from pipeline.core.lines import ExtractedText, text_file_lines
from pipeline.core.process import normalize
from pipeline.core.structure import extract_structure
from pipeline.resources import officials_extractor, reference_data


def meeting(text):
    m = meeting_date_mention(text, find_dates(text))
    return (m.year, m.month, m.day) if m else None


def test_labelled_field_dateline_and_lead_sentence():
    assert meeting("資料\n[場所] 東京\n[年月日] 2023年8月18日\n[全文]\n本文。2022年11月の会合。") == (2023, 8, 18)
    assert meeting("日米共同声明\n2024年 6月 26日 米国ワシントン D.C.\n2023年に始まった協力を進める。") == (2024, 6, 26)
    assert meeting("共同声明\n本日、2025年4月1日に東京において会談した。") == (2025, 4, 1)
    assert meeting("共同声明\n9月22日、ニューヨーク市において会談した。") == (None, 9, 22)  # year comes from the document
    assert meeting("覚書\n両国は協力する。") is None


def test_place():
    places = reference_data().places
    text = "日米共同声明\n2024年 6月 26日 米国ワシントン D.C.\n本文。"
    assert find_place(text, meeting_date_mention(text, find_dates(text)), places) == "米国ワシントン D.C."
    text = "共同声明\n両閣僚は、ミシガン州デトロイトにおいて会合を開催した。"
    assert find_place(text, None, places) == "ミシガン州デトロイト"
    assert find_place("会談\n長官はワシントンで会った。", None, places) == "ワシントン"
    assert find_place("資料\n[場所]\n[全文]\n本文。", None, places) is None


def test_countries_from_compounds_names_and_officials():
    ref = reference_data()
    abbreviations, names = ref.country_abbreviations, ref.country_names
    assert find_countries("日米韓首脳会合 共同声明", "", abbreviations, names, set()) == ["JP", "KR", "US"]
    assert find_countries("6月日本-米国JUCIP会談", "", abbreviations, names, {"KR"}) == ["JP", "KR", "US"]
    assert find_countries(None, "日米豪印の首脳は会談した。", abbreviations, names, set()) == ["AU", "IN", "JP", "US"]


def test_next_meeting_date():
    text = "日米共同声明\n2024年6月26日 東京\n両国は協力する。次回会合は2025年に米国で開催する。2023年の合意を想起する。"
    structure = extract_structure(normalize(ExtractedText(lines=text_file_lines(text))), reference_data(), officials_extractor())
    assert structure.meeting_date == "2024-06-26" and structure.next_meeting_date == "2025-01-01"
