from pipeline.core.lines import Line, text_file_lines
from pipeline.core.normalize import join_lines, normalize_chars
from pipeline.core.sentences import split_sentences


def test_character_policy():
    assert normalize_chars("ＡＢＣ　ａｂｃ　０１２") == "ABC abc 012"
    assert normalize_chars("ｶﾞｲﾑｼｮｳ｡｢ﾃｽﾄ｣") == "ガイムショウ。「テスト」"
    # Japanese punctuation and full-width symbols are kept
    assert normalize_chars("（仮訳）クリーン／ゼロエミッション、「原則」。") == "（仮訳）クリーン／ゼロエミッション、「原則」。"
    assert normalize_chars("  a \t b  ") == "a b"


def test_wrapped_japanese_lines_join_without_space_and_paragraphs_stay():
    lines = [
        Line("2023年8月18日にキャンプデー", 1, True),
        Line("ビッドで開催された。", 1, False),
        Line("次の段落は the Japan-U.S.", 2, True),
        Line("Partnership を扱う。", 2, False),
    ]
    joined = join_lines(lines)
    assert joined.text == "2023年8月18日にキャンプデービッドで開催された。\n次の段落は the Japan-U.S. Partnership を扱う。"
    second = joined.text.index("次")
    assert joined.page_at(0) == 1 and joined.page_at(second) == 2 and joined.page_at(second - 1) == 1


def test_text_file_wrap_detection_tells_pdf_wraps_from_paragraph_lines():
    measure_line = "あ" * 40
    wrapped = "\n\n".join([measure_line] * 6 + ["おわり。", "短い見出し", measure_line, "おわり。"])
    lines = text_file_lines(wrapped)
    assert [ln.continues for ln in lines] == [True] * 6 + [False, False, True, False]
    one_per_paragraph = "\n\n".join(["い" * n + "。" for n in (120, 200, 90, 150)])
    assert not any(ln.continues for ln in text_file_lines(one_per_paragraph))


def test_sentences_split_on_japanese_terminators_and_paragraphs():
    text = "我々は会合した。「協力する。」と述べた！\n見出し\n Is it? yes"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["我々は会合した。", "「協力する。」", "と述べた！", "見出し", "Is it?", "yes"]
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)
