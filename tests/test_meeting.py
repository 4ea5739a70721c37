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


def structure_of(text):
    return extract_structure(normalize(ExtractedText(lines=text_file_lines(text))), reference_data(), officials_extractor())


def test_a_year_in_the_title_name_dates_a_page_with_no_other_year():
    s = structure_of("架空フォーラム 2031\n架空フォーラム閣僚会合が4月10日から11日まで架空市にて開催されました。")
    assert s.meeting_date == "2031-04-10"
    assert sorted({d["date"] for d in s.dates}) == ["2031-04-10", "2031-04-11"]
    assert all(d["year_inferred"] for d in s.dates)
    # the title's year is the last evidence: a written year elsewhere wins, and is no date itself
    s = structure_of("架空フォーラム 2031\n2029年4月10日に架空市にて開催されました。")
    assert s.meeting_date == "2029-04-10" and [d["date"] for d in s.dates] == ["2029-04-10"]


def test_time_since_a_dated_event_dates_a_report_that_gives_only_a_day():
    s = structure_of("【東京時事】山田一郎外相は12日、架空国を訪問した。外相の訪問は2020年3月の前回以来、2年5カ月ぶり。")
    assert s.meeting_date == "2022-08-12"
    assert sorted((d["date"], d["precision"]) for d in s.dates) == [("2020-03-01", "month"), ("2022-08-12", "day")]


def test_a_visit_of_several_days_is_dated_by_its_main_meeting():
    s = structure_of("共同声明\n1.架空国大統領は,2030年6月2日から5日まで日本を公式訪問した。\n2.両首脳は,2030年6月3日に東京で首脳会談を行った。")
    assert s.meeting_date == "2030-06-03"
    # a schedule: the 首脳会談 line has no date; the day opening the lines above it dates it
    s = structure_of("総理訪米の概要\n1.日程\n6月2日 20:00~21:00 夕食会\n3日 09:00~09:30 表敬\n11:00~12:00 首脳会談\n"
                     "2.夕食会(2日)\n現地時間2030年6月2日夜、総理は大統領と懇談。")
    assert s.meeting_date == "2030-06-03"
    # not a visit: the first day stays, even when a 会談 follows days later
    s = structure_of("閣僚会合\n2030年6月2日、閣僚会合が開かれた。\n6月5日には首脳会談も予定されている。")
    assert s.meeting_date == "2030-06-02"


def test_a_lead_without_a_date_leaves_the_meeting_to_the_first_day_said_of_a_meeting():
    s = structure_of("大臣が長官と電話会談[2030/03/07 08:01]\n\n大臣は長官と初めて電話で会談しました。\n"
                     "大臣は6日夜、長官と電話で意見交換しました。大臣は16日にも訪米する予定です。")
    assert s.meeting_date == "2030-03-06"  # not the page's stamp (7th), not the plan (16th)
