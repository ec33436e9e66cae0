import pytest

from analytics.exclusion import greeting_kind, greeting_language, is_meaningless
from retrieval.language import FOREIGN

MEANINGLESS = [
    "", "   ", "\u3000", "👍", "🙇‍♀️", "👍🏻", "？？？", "!!", "。", "ｗｗｗ", "www", "ーーー", "〜〜",
    "こんにちは", "こんにちわー", "おはようございます！", "ありがとう", "ありがとうございました😊",
    "アリガトウ", "有難うございました", "ありがとー", "はい", "はい。", "ＯＫ", "ok", "OK!", "いいえ",
    "よろしくお願いします", "こんにちは、よろしくお願いします", "どうもありがとう", "Thank you",
    "テスト", "てすと", "test", "TEST1", "テストです", "テスト送信", "ｔｅｓｔ",
    "あ", "ア", "a", "ああ", "あああああ", "んん", "aaaa", "ｗｗｗｗ", "っっっ",
    "ｓｄｆｇｈ", "asdf", "qwerty", "lkjh", "hjkl", "fdsa",
]
MEANINGFUL = [
    "ごみ", "住民票", "税", "110", "0561", "ここ", "はは", "ママ", "ごみの日", "ゴミ",
    "こんにちは、住民票の取り方を教えて", "ありがとう。粗大ごみは？", "はいしゃ", "歯医者",
    "テストの日程", "test results", "マイナンバーカード", "じゅうみんひょう", "type", "html",
    "LGBTQ", "DV相談", "pdf", "あいさつ運動", "おはよう体操はどこ", "いいえ、まだです。転入届は？",
    "すみません、ごみの出し方", "🗑️ごみ", "粗大ごみ😢",
]


@pytest.mark.parametrize("text", MEANINGLESS)
def test_meaningless(text):
    assert is_meaningless(text)


@pytest.mark.parametrize("text", MEANINGFUL)
def test_meaningful(text):
    assert not is_meaningless(text)


@pytest.mark.parametrize("text, kind", [
    ("こんにちは", "greeting"), ("おはようございます！", "greeting"), ("よろしくお願いします", "greeting"),
    ("はい", "greeting"), ("ありがとう", "thanks"), ("ありがとうございました😊", "thanks"), ("アリガトウ", "thanks"),
    ("こんにちは、よろしくお願いします", "greeting"), ("すみません", "thanks"), ("Thank you", "thanks"),
    ("テスト", None), ("👍", None), ("asdf", None), ("ありがとう。粗大ごみは？", None), ("住民票", None),
])
def test_greetings_and_thanks_are_told_apart(text, kind):
    assert greeting_kind(text) == kind


# Greetings and thanks in each foreign resident's language, typed as residents type them.
FOREIGN_GREETINGS = [
    ("hello", "en", "greeting"), ("Hello!!", "en", "greeting"), ("HI", "en", "greeting"),
    ("Good morning.", "en", "greeting"), ("Thank you very much!", "en", "thanks"), ("THANKS", "en", "thanks"),
    ("OK, thanks", "en", "thanks"),
    ("你好", "zh", "greeting"), ("您好！", "zh", "greeting"), ("谢谢", "zh", "thanks"), ("謝謝！", "zh", "thanks"),
    ("안녕하세요", "ko", "greeting"), ("안녕하세요!", "ko", "greeting"), ("감사합니다.", "ko", "thanks"),
    ("고마워요~", "ko", "thanks"),
    ("xin chào", "vi", "greeting"), ("Xin Chào!", "vi", "greeting"), ("xin chao", "vi", "greeting"),
    ("Cảm ơn bạn!", "vi", "thanks"), ("cam on", "vi", "thanks"),
    ("olá", "pt", "greeting"), ("Olá!", "pt", "greeting"), ("Bom dia", "pt", "greeting"),
    ("Obrigado!", "pt", "thanks"), ("muito obrigada", "pt", "thanks"),
    ("kumusta", "tl", "greeting"), ("Kumusta po?", "tl", "greeting"), ("Magandang umaga po", "tl", "greeting"),
    ("Salamat po!", "tl", "thanks"), ("MARAMING SALAMAT", "tl", "thanks"),
    ("नमस्ते", "ne", "greeting"), ("नमस्ते!", "ne", "greeting"), ("Namaste", "ne", "greeting"),
    ("धन्यवाद", "ne", "thanks"), ("धेरै धन्यवाद।", "ne", "thanks"),
    ("halo", "id", "greeting"), ("Halo!", "id", "greeting"), ("Selamat pagi", "id", "greeting"),
    ("Terima kasih!", "id", "thanks"), ("terimakasih", "id", "thanks"),
]


@pytest.mark.parametrize("text, language, kind", FOREIGN_GREETINGS)
def test_foreign_greetings_are_excluded_and_say_their_language(text, language, kind):
    assert is_meaningless(text)
    assert greeting_kind(text) == kind
    assert greeting_language(text) == language


@pytest.mark.parametrize("text", ["こんにちは", "ありがとうございました", "OK", "はい", "hello ありがとう",
                                  "xin chào, thank you", "住民票", "👍"])
def test_japanese_neutral_or_mixed_greetings_name_no_language(text):
    assert greeting_language(text) is None


@pytest.mark.parametrize("text", [
    "Hello, where can I get a residence certificate?", "xin chào, tôi muốn hỏi về thuế", "你好，垃圾怎么扔",
    "Obrigado. Como faço a mudança de endereço?", "halo, bagaimana cara membuang sampah",
])
def test_a_foreign_greeting_before_a_question_is_a_question(text):
    assert not is_meaningless(text)
    assert greeting_language(text) is None


def test_each_greeting_word_belongs_to_one_language_and_reads_as_a_message_does():
    from analytics import greetings
    from analytics.exclusion import _core, _word_core

    owner: dict[str, str] = {}
    for table in (greetings.HELLOS, greetings.THANKS):
        for language, words in table.items():
            for word in words:
                assert _word_core(word) == _core(word), word
                assert owner.setdefault(_word_core(word), language) == language, word
    assert set(greetings.HELLOS) == set(greetings.THANKS) == set(FOREIGN)
