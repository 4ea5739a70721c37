"""Date forms, era edges, year inference; and a property test that parsing never raises and every
mention's surface is the text at its offsets."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.dates import find_dates, resolve_years
from pipeline.core.normalize import normalize_chars
from pipeline.core.numerals import parse_number


def parsed(text, anchor=None):
    text = normalize_chars(text)
    return [(m.value, m.precision, m.year_inferred) for m in resolve_years(find_dates(text), text, anchor)]


@pytest.mark.parametrize(
    "text, value, precision",
    [
        ("2024年6月26日", dt.date(2024, 6, 26), "day"),
        ("2024年 6月 26日", dt.date(2024, 6, 26), "day"),
        ("２０２５ 年５月", dt.date(2025, 5, 1), "month"),
        ("令和５年１１月１４日", dt.date(2023, 11, 14), "day"),
        ("令和元年5月1日", dt.date(2019, 5, 1), "day"),
        ("平成31年4月30日", dt.date(2019, 4, 30), "day"),
        ("昭和64年1月7日", dt.date(1989, 1, 7), "day"),
        ("平成元年", dt.date(1989, 1, 1), "year"),
        ("明治元年", dt.date(1868, 1, 1), "year"),
        ("二〇二四年", dt.date(2024, 1, 1), "year"),
        ("二千二十一年十一月五日", dt.date(2021, 11, 5), "day"),
        ("2023年3月", dt.date(2023, 3, 1), "month"),
        ("2024年に", dt.date(2024, 1, 1), "year"),
        ("2024年6月27日（木）", dt.date(2024, 6, 27), "day"),
        ("平成十九年法律第九十号", dt.date(2007, 1, 1), "year"),
        # an era year past the era's end, as texts written before it ended count on: 平成33年 = 2021
        ("平成33年4月1日", dt.date(2021, 4, 1), "day"),
        # numeric forms and two-digit years
        ("2021/7/18", dt.date(2021, 7, 18), "day"),
        ("2018.02.27", dt.date(2018, 2, 27), "day"),
        ("2019-08-22 09:52", dt.date(2019, 8, 22), "day"),
        ("最終更新日 18/02/2018", dt.date(2018, 2, 18), "day"),
        ("掲載日 : [23-11-16]", dt.date(2023, 11, 16), "day"),
        ("令和3.7.18", dt.date(2021, 7, 18), "day"),
        ("H30.2.27", dt.date(2018, 2, 27), "day"),
        ("98年3月", dt.date(1998, 3, 1), "month"),
        ("９８年度", dt.date(1998, 1, 1), "year"),
    ],
)
def test_date_forms(text, value, precision):
    assert parsed(text)[0][:2] == (value, precision)


@pytest.mark.parametrize("text", ["1990年代", "3か月", "第2回", "13月1日", "2月30日", "令和0年", "10年後", "20年間", "3日間", "平成100年"])
def test_not_dates(text):
    assert parsed(text, anchor=2024) == []


def test_yearless_dates_take_the_sentence_year_else_the_anchor():
    assert parsed("2023年3月及び9月に会合した。", anchor=2024) == [
        (dt.date(2023, 3, 1), "month", False), (dt.date(2023, 9, 1), "month", True)]
    assert parsed("2023年に始めた。4月25日に会った。", anchor=2024)[1] == (dt.date(2024, 4, 25), "day", True)
    assert parsed("９月 22 日に会談した。2025年5月の会合。")[0] == (dt.date(2025, 9, 22), "day", True)
    assert parsed("2月末までに。") == []  # nothing in the document dates it


def test_kanji_numerals():
    assert [parse_number(x) for x in ["二〇二四", "二千二十一", "十一", "十", "二十二", "百五", "元", "〇"]] == [2024, 2021, 11, 10, 22, 105, 1, 0]
    assert parse_number("二二十") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789０１２年月日元令和平成昭和二〇十千一 （木）、。2月末")), max_size=40))
def test_parsing_never_raises_and_surfaces_match_offsets(text):
    text = normalize_chars(text)
    for m in resolve_years(find_dates(text), text, 2024):
        assert text[m.char_start:m.char_end] == m.surface
        assert dt.date(1868, 1, 1) <= m.value <= dt.date(2199, 12, 31)


def test_year_resolution_is_linear_and_agrees_with_sentence_rules():
    """A yearless date takes the year of a dated mention before it in its sentence; thousands of
    mentions are resolved by bisection (this would take minutes comparing each with every other)."""
    from pipeline.core.dates import find_dates, resolve_years

    text = "".join(f"{2000 + i % 20}年1月1日及び{1 + i % 12}月{1 + i % 27}日に会合。" for i in range(8000))
    mentions = find_dates(text)
    resolved = resolve_years(mentions, text, anchor_year=None)
    assert len(resolved) == 16000
    for i in (0, 1, 7999):
        assert resolved[2 * i + 1].year == 2000 + i % 20 and resolved[2 * i + 1].year_inferred


@pytest.mark.parametrize("text, anchor_text, expected", [
    # relative years with a month or day: the document's year moved
    ("2024年5月1日\n昨年11月に会談した。", None, [dt.date(2024, 5, 1), dt.date(2023, 11, 1)]),
    ("2024年5月1日\n来年4月16日に開催する。", None, [dt.date(2024, 5, 1), dt.date(2025, 4, 16)]),
    # a day alone after a date with a month in its sentence, both ends of a range
    ("2016年5月17日から20日まで滞在した。", None, [dt.date(2016, 5, 17), dt.date(2016, 5, 20)]),
    ("2023年9月3〜5日に開催。", None, [dt.date(2023, 9, 3), dt.date(2023, 9, 5)]),
    ("2023年9月24-27日に開催。", None, [dt.date(2023, 9, 24), dt.date(2023, 9, 27)]),
    ("2000年9月3日から同月5日にかけて訪問。", None, [dt.date(2000, 9, 3), dt.date(2000, 9, 5)]),
    # dated the 20th, announcing the 24th: this month; dated the 1st, reporting the 29th: the month before
    ("2024年5月20日\n外相は24日から訪米する。", None, [dt.date(2024, 5, 20), dt.date(2024, 5, 24)]),
    ("2024年5月1日\n外相は29日に会談した。", None, [dt.date(2024, 5, 1), dt.date(2024, 4, 29)]),
    # a day before a time of day, and a kanji day
    ("2024年5月1日\n外相は2日午後に会談し、翌三日に帰国した。", None,
     [dt.date(2024, 5, 1), dt.date(2024, 5, 2), dt.date(2024, 5, 3)]),
])
def test_relative_years_ranges_and_days_alone(text, anchor_text, expected):
    from pipeline.core.dates import find_dates, resolve_years

    mentions = find_dates(text)
    reference = next(m for m in mentions if m.year and m.day).value
    assert [m.value for m in resolve_years(mentions, text, reference.year, reference)] == expected
