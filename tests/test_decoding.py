import pytest

from pipeline.core.decoding import decode_text
from pipeline.core.errors import RejectedInput

SAMPLE = "日米韓商務・産業大臣会合\r\n共同声明（仮訳）ｶﾀｶﾅ\rＡＢＣ１２３\n"
FOLDED = SAMPLE.replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("utf-16"), "utf-16"),  # with BOM, native order
        (b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16"),
        (SAMPLE.encode("cp932"), "cp932"),
        (SAMPLE.replace("ｶﾀｶﾅ", "カタカナ").encode("euc_jp"), "euc-jp"),
        (SAMPLE.replace("ｶﾀｶﾅ", "カタカナ").encode("iso2022_jp"), "iso-2022-jp"),
    ],
)
def test_decodes_japanese_encodings_and_folds_line_ends(data, encoding):
    decoded = decode_text(data)
    assert decoded.encoding == encoding
    assert "\r" not in decoded.text
    assert decoded.text.startswith("日米韓商務・産業大臣会合\n共同声明（仮訳）")


def test_shift_jis_is_not_mistaken_for_euc_jp():
    text = "外務大臣は、ワシントンにおいて会談した。" * 3
    assert decode_text(text.encode("cp932")).encoding == "cp932"
    assert decode_text(text.encode("euc_jp")).encoding == "euc-jp"


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty file"),
        (b"  \n\n ", "white space"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        (bytes(range(128, 256)) * 4, "undecodable"),
    ],
)
def test_refuses_with_a_reason(data, words):
    with pytest.raises(RejectedInput) as info:
        decode_text(data)
    assert words in info.value.reason
