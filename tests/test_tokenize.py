from pipeline.core.sentences import split_sentences
from pipeline.core.tokenize import SUDACHI_MAX_BYTES, chunks, sudachi_versions, tokenize_sentences


def test_tokens_carry_sudachi_fields_and_exact_offsets():
    text = "見出し\nジーナ・レモンド米国商務長官と齋藤健経済産業大臣は会談した。２０２４年 6月𠮟る。"
    spans = split_sentences(text)
    tokens = tokenize_sentences(text, spans)
    assert tokens and all(text[t.char_start:t.char_end] == t.surface for t in tokens)
    assert all(t.surface.strip() for t in tokens)  # white-space tokens are not kept
    by_surface = {t.surface: t for t in tokens}
    assert by_surface["米国"].reading_form == "ベイコク"
    assert by_surface["米国"].pos.startswith("名詞,固有名詞,地名")
    assert by_surface["２０２４"].normalized_form == "2024"
    assert [t.token_idx for t in tokens if t.sentence_idx == 1] == list(range(sum(t.sentence_idx == 1 for t in tokens)))


def test_sentences_over_sudachis_byte_limit_are_chunked_with_offsets_kept():
    sentence = "経済安全保障の協力を強化する、" * 2000 + "と述べた。"  # ~90 kB in UTF-8, one sentence
    assert len(sentence.encode("utf-8")) > SUDACHI_MAX_BYTES
    text = "前文。" + sentence
    spans = split_sentences(text)
    assert len(spans) == 2
    pieces = chunks(text[spans[1][0]:spans[1][1]])
    assert len(pieces) >= 3 and all(len(p.encode("utf-8")) < SUDACHI_MAX_BYTES for _, p in pieces)
    tokens = tokenize_sentences(text, spans)
    assert all(text[t.char_start:t.char_end] == t.surface for t in tokens)
    assert tokens[-1].surface == "。" and tokens[-1].char_end == len(text)


def test_dictionary_versions_are_recorded():
    v = sudachi_versions()
    assert v["sudachipy"].startswith("0.7") and len(v["sudachidict_core_sha256"]) == 64
