import pytest

from analytics.exclusion import greeting_kind, is_meaningless

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
