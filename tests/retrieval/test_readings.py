import pytest

from retrieval.normalize import normalize
from retrieval.readings import ReadingTable

FAQ_TEXTS = ["段ボールの捨て方", "住民票の写しを取りたい", "消火器を処分したい", "指定ごみ袋を使ってください"]


@pytest.fixture(scope="module")
def table():
    return ReadingTable(normalize(t) for t in FAQ_TEXTS)


def test_a_hiragana_message_gets_the_faqs_words(table):
    assert table.rewrite("だんぼーる すてかた") == "段ボール 捨て方"
    assert table.rewrite("じゅうみんひょう ほしい") == "住民票 ほしい"
    assert table.rewrite("しょうかき") == "消火器"


def test_mixed_text_is_left_alone(table):
    # in ordinary text, kana runs are inflections: 「している」 must not become 「指定る」
    assert table.rewrite("段ボールを出している") == "段ボールを出している"


def test_short_readings_are_not_used(table):
    assert "ごみ" not in table.words  # two kana match too much by chance
    assert table.rewrite("ごみ") == "ごみ"


def test_an_empty_faq_rewrites_nothing():
    assert ReadingTable([]).rewrite("だんぼーる") == "だんぼーる"


def test_half_width_katakana_is_read_as_kana_typed(table):
    typed = "ｼｮｳｶｷ 捨ﾃﾀｲ"
    assert table.rewrite(normalize(typed), typed=typed) == "消火器 捨てたい"
    assert table.rewrite(normalize("ショウカキ"), typed="ショウカキ") == "ショウカキ"  # full width: a word
