import pytest

from retrieval.normalize import normalize
from retrieval.readings import ReadingTable, spelled_in_hiragana

FAQ_TEXTS = ["段ボールの捨て方", "住民票の写しを取りたい", "消火器を処分したい", "指定ごみ袋を使ってください",
             "証明書のサイトはどこですか"]
ANSWERS = ["ソファやタンス（長さ50センチ以上）は粗大ごみです。犬の死体は清掃事務所が引き取ります。",
           "消防の訓練は年金課の隣で行います。"]


@pytest.fixture(scope="module")
def table():
    return ReadingTable((normalize(t) for t in FAQ_TEXTS), (normalize(a) for a in ANSWERS))


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


def test_the_answers_katakana_words_fill_what_the_phrasings_lack(table):
    assert table.rewrite("そふぁ すてたい") == "ソファ すてたい"
    assert table.rewrite("たんす") == "タンス"


def test_the_answers_kanji_nouns_fill_what_the_phrasings_lack(table):
    assert table.rewrite("くんれんは いつ") == "訓練は いつ"


def test_an_answers_noun_takes_no_particle_or_auxiliary(table):
    # 死体 would take the auxiliary of 「したい」, 年金課 the particle of 「ねんきんから」
    assert table.rewrite("しょうかき しょぶんしたい") == "消火器 処分したい"
    assert table.rewrite("じゅうみんひょう したい") == "住民票 したい"
    assert table.rewrite("ねんきんから ひかれる") == "ねんきんから ひかれる"


def test_no_word_takes_a_polite_ending(table):
    # 消火 reads しょうか and サイト さいと: the questions' own words, unguarded by Sudachi's tags
    assert table.rewrite("しょうかき すてて いいでしょうか") == "消火器 すてて いいでしょうか"
    assert table.rewrite("じゅうみんひょう とってくださいと いわれた") == "住民票 とってくださいと いわれた"


def test_no_word_ends_before_a_small_kana(table):
    assert table.rewrite("せんちゃくじゅん") == "せんちゃくじゅん"  # not センチゃくじゅん
    assert table.rewrite("だんぼーるって すてかた") == "段ボールって 捨て方"  # 「って」 starts with っ


def test_a_question_spelled_in_hiragana_as_a_resident_types_it():
    assert spelled_in_hiragana("住民票の写しを取りたい") == "じゅうみんひょうのうつしをとりたい"
    assert spelled_in_hiragana("住民票の写しを取りたい", spaced=True) == "じゅうみんひょうの うつしを とりたい"
    assert spelled_in_hiragana("バスの時刻表は？", katakana_kept=True) == "バスのじこくひょうは？"
    assert spelled_in_hiragana("田中です 090-1234-5678 Wi-Fi") == "たなかです 090-1234-5678 Wi-Fi"


def test_the_faqs_words_come_back_from_their_spelling(table):
    assert table.rewrite(normalize(spelled_in_hiragana("段ボールの捨て方", spaced=True))) == "段ボールの 捨て方"
