import pytest

from pipeline.core.document_meta import DocumentTypeRules, classify, describe
from pipeline.core.process import normalize, read_source
from pipeline.project import REFERENCE_DIR
from tests.conftest import SEED_FIXTURES, SHARED_SEEDS

RULES = DocumentTypeRules.load(REFERENCE_DIR / "document_types.json")


@pytest.mark.parametrize(
    "name, title_parts, doc_type, provisional",
    [
        ("000_dfd32790290888e2.txt", ["日米韓商務・産業大臣会合", "共同声明"], "joint_statement", False),
        ("001_3d03689fe541bc5b.txt", ["日米商務・産業パートナーシップ", "共同声明"], "joint_statement", True),
        ("003_40687e4e43f7c743.txt", ["日米韓首脳会合", "参考資料"], "reference_material", True),
        ("004_9cb1fc1b7e194a3c.txt", ["ニューヨーク市における日米韓会合", "共同声明"], "joint_statement", True),
    ],
)
def test_seed_metadata(name, title_parts, doc_type, provisional):
    meta = describe(normalize(read_source(SEED_FIXTURES / name, "text")).text, RULES)
    assert all(p in meta.title for p in title_parts), meta.title
    assert "仮訳" not in meta.title and "2024年" not in meta.title
    assert meta.doc_type == doc_type
    assert meta.is_provisional_translation is provisional


def test_news_article_seed():
    path = SHARED_SEEDS / "statements" / "002_e92e1c2018eeff45.txt"
    if not path.exists():
        pytest.skip("shared seeds are not beside the project")
    meta = describe(normalize(read_source(path, "text")).text, RULES)
    assert meta.doc_type == "news_article" and "JUCIP" in meta.title and "min read" not in meta.title
    assert meta.is_provisional_translation is False


def test_running_header_can_mark_a_provisional_translation():
    text = "日米共同声明\n両国は協力を確認した。"
    assert not describe(text, RULES).is_provisional_translation
    assert describe(text, RULES, running_lines=["仮訳"]).is_provisional_translation
    assert describe("雑記\n本文である。", RULES).doc_type == "other"


def test_press_style_endings_make_a_report_news():
    rules = RULES
    assert classify("首相が来日\n架空国の首相が来日した。両首脳は共同声明を発表する方向だ。", "首相が来日", rules) == "news_article"
    assert classify("大臣会談\n大臣は長官と会談しました。大臣は来週訪米したい考えです。", "大臣会談", rules) == "news_article"
    assert classify("大臣会談\n大臣は長官と会談しました。双方は協力を確認しました。", "大臣会談", rules) == "reference_material"
