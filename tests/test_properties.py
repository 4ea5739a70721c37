"""Properties of the text core over generated input: decoding, the character policy, line joining,
normalization and sentence spans. Whatever the bytes or lines, the core either gives a result that
keeps its promises (offsets inside the text, pages from the input) or refuses with RejectedInput;
it never fails any other way."""

from __future__ import annotations

import codecs
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.decoding import DecodedText, decode_text, fold_line_ends
from pipeline.core.errors import RejectedInput
from pipeline.core.lines import ExtractedText, Line
from pipeline.core.normalize import join_lines, normalize_chars
from pipeline.core.process import NormalizedText, normalize, read_source
from pipeline.core.sentences import split_sentences

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Japanese-heavy characters: kana, common kanji, punctuation and brackets, ideographic and ASCII
# spaces, line ends, Kangxi radicals (⽇⽶, look-alikes the policy folds), full-width and
# half-width forms, list markers, headings' characters, unmapped-glyph leftovers.
_JAPANESE = (
    [chr(c) for c in range(0x3041, 0x3097)]  # hiragana
    + [chr(c) for c in range(0x30A1, 0x30FB)]  # katakana
    + list("日米韓共同声明外務大臣商務長官会合首脳経済産業安全保障協力第一二三四五六七八九十百千〇年月日条章記以上")
    + list("。、「」『』（）・！？：／〜ー々〆")
    + [chr(c) for c in range(0x2F00, 0x2FD6)]  # Kangxi radicals
    + [chr(c) for c in range(0xFF10, 0xFF1A)] + list("ＡＢＣａｂｃ（）！？")  # full-width digits, letters
    + [chr(c) for c in range(0xFF61, 0xFFA0)]  # half-width katakana and punctuation
    + list("・○◯●①②⑳※＊•")
    + list("abcXYZ0123456789.,()-!?:/[]")
    + [" ", "\u3000", "\t", "\n", "\r", "\ufffd", "\ue000", "\uf8ff", "\u2028", "\x85", "\x0c", "\x00"]
)
japanese_chars = st.sampled_from(_JAPANESE)
japanese_text = st.text(alphabet=japanese_chars, max_size=120)
any_text = st.text(max_size=120)  # every code point hypothesis likes to try (no surrogates)
texts = st.one_of(japanese_text, any_text, st.lists(st.sampled_from(["(cid:12)", "(cid:3284)", "第二条", "（１）", "ａ"]), max_size=5).map("".join))
mixed_text = st.lists(texts, min_size=1, max_size=4).map("".join)

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp932", "shift_jis", "euc_jp", "iso2022_jp", "latin-1"]


@st.composite
def encoded_bytes(draw) -> bytes:
    """Japanese-heavy text in one of the encodings, sometimes with a few bytes damaged."""
    text = draw(japanese_text)
    data = bytearray(text.encode(draw(st.sampled_from(ENCODINGS)), errors="ignore"))
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data[:0] = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\x1b$B", b""]))
    return bytes(data)


# Markdown and HTML pieces mixed into Japanese text: what .md statements are made of
_MARKUP = ["---\n", "# ", "## ", "- ", "* ", "1. ", "> ", "|", "| --- |", "```", "**", "__", "*", "`", "[", "](",
           ")", "![", "<span class=x>", "</span>", "<br>", "</p>", "<!--", "-->", "&amp;", "&#12354;", "&#x;", "<", ">", "\n"]
markdown_text = st.lists(st.one_of(st.sampled_from(_MARKUP), japanese_text), max_size=30).map("".join)

lines = st.lists(
    st.builds(Line, text=mixed_text, page=st.one_of(st.none(), st.integers(1, 6)), continues=st.booleans()),
    max_size=12,
)


# --- decoding -------------------------------------------------------------------------------


@SETTINGS
@given(st.one_of(st.binary(max_size=600), encoded_bytes()))
def test_decode_text_returns_text_or_refuses(data):
    try:
        decoded = decode_text(data)
    except RejectedInput as exc:
        assert exc.reason and isinstance(exc.reason, str)
        return
    assert isinstance(decoded, DecodedText)
    assert "\r" not in decoded.text and decoded.text.strip()
    assert decoded.encoding in {"utf-8", "utf-8-sig", "utf-16", "cp932", "euc-jp", "iso-2022-jp"}


@SETTINGS
@given(st.text(alphabet=st.sampled_from([c for c in _JAPANESE if c not in "\x00\x0c\r"]), min_size=1, max_size=200))
def test_utf8_japanese_text_decodes_to_itself(text):
    try:
        decoded = decode_text(text.encode("utf-8"))
    except RejectedInput as exc:  # only white space (the text is blank)
        assert not text.strip(), exc.reason
        return
    assert decoded.encoding == "utf-8"
    assert decoded.text == fold_line_ends(text)


@SETTINGS
@given(st.one_of(markdown_text, encoded_bytes().map(lambda b: b.decode("latin-1"))), st.sampled_from([".md", ".txt"]),
       st.sampled_from(["utf-8", "cp932", "euc_jp", "utf-16"]))
def test_a_text_file_is_read_and_normalized_or_refused(text, suffix, encoding):
    """The whole text path, file to sentences: decoding, Markdown/HTML removal, wrap detection,
    normalization."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"statement{suffix}"
        path.write_bytes(text.encode(encoding, errors="replace"))
        try:
            norm = normalize(read_source(path, "text"))
        except RejectedInput as exc:
            assert exc.reason
            return
    _check_spans(norm.text, norm.sentences)
    assert norm.page_numbers in ([None], [])


# --- the character policy and line joining ----------------------------------------------------


@SETTINGS
@given(mixed_text)
def test_normalize_chars_never_raises_and_gives_one_trimmed_line(text):
    out = normalize_chars(text)
    assert isinstance(out, str)
    assert out == out.strip()
    assert not any(ch.isspace() and ch != " " for ch in out), repr(out)  # white space runs became one space
    assert "  " not in out
    assert not any("\u2f00" <= ch <= "\u2fd5" for ch in out)  # Kangxi radicals folded
    assert not any("\uff10" <= ch <= "\uff19" for ch in out)  # full-width digits made half-width


def _pieces_in_order(text: str, pieces: list[str]) -> list[int] | None:
    """Where each piece starts when text is the pieces joined by "", " " or "\\n" (None if not)."""

    def walk(pos: int, i: int) -> list[int] | None:
        if i == len(pieces):
            return [] if pos == len(text) else None
        for sep in ("",) if i == 0 else ("", " ", "\n"):
            start = pos + len(sep)
            if text.startswith(sep, pos) and text.startswith(pieces[i], start):
                rest = walk(start + len(pieces[i]), i + 1)
                if rest is not None:
                    return [start, *rest]
        return None

    return walk(0, 0)


@SETTINGS
@given(lines)
def test_join_lines_keeps_every_line_in_order_and_knows_its_page(source):
    joined = join_lines(source)
    kept = [(normalize_chars(ln.text), ln.page) for ln in source if normalize_chars(ln.text)]
    starts = _pieces_in_order(joined.text, [t for t, _ in kept])
    assert starts is not None, (joined.text, kept)
    assert len(joined.page_starts) == len(joined.page_numbers)
    assert list(joined.page_starts) == sorted(joined.page_starts)
    for start, (_, page) in zip(starts, kept):
        assert joined.page_at(start) == page
    pages = {page for _, page in kept}
    for offset in range(len(joined.text) + 1):
        assert joined.page_at(offset) in pages or (not kept and joined.page_at(offset) is None)


# --- normalization and sentences ------------------------------------------------------------


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert 0 <= start < end <= len(text), (start, end, len(text))
        assert start >= previous_end, spans  # increasing, not overlapping
        sentence = text[start:end]
        assert sentence == sentence.strip() and "\n" not in sentence, repr(sentence)
        previous_end = end


@SETTINGS
@given(lines, st.dictionaries(st.integers(1, 9), st.sampled_from(["no text layer on the page (a scan? OCR would be needed)", "x"]), max_size=3))
def test_normalize_gives_valid_sentence_spans_or_refuses(source, dropped):
    extracted = ExtractedText(lines=source, page_count=9, dropped_pages=dropped)
    try:
        norm = normalize(extracted)
    except RejectedInput as exc:
        assert "no readable text" in exc.reason
        assert not "".join(normalize_chars(ln.text) for ln in source).strip()
        return
    assert isinstance(norm, NormalizedText)
    assert norm.text.strip()
    _check_spans(norm.text, norm.sentences)
    assert norm.sentences, "a text with something in it has at least one sentence"
    assert NormalizedText.from_json(norm.to_json()) == norm  # survives the trip between Dagster steps
    joined = norm.joined()
    for start, _ in norm.sentences:
        assert joined.page_at(start) in {ln.page for ln in source}


@SETTINGS
@given(st.one_of(japanese_text, any_text, mixed_text))
def test_sentence_spans_map_back_to_the_text_and_cover_every_visible_character(text):
    spans = split_sentences(text)
    _check_spans(text, spans)
    covered = set()
    for start, end in spans:
        covered.update(range(start, end))
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered]
    assert not missing, (text, spans, missing)
