import pytest

from retrieval.language import FOREIGN, JAPANESE, detect


@pytest.mark.parametrize("text", [
    "LINEでマイナンバーの手続き", "PCの捨て方", "PayPayで税金払える？", "wifi使える場所ある？",
    "児童手当", "住民票", "じゅうみんひょう", "ｴｱｺﾝ 捨ﾃﾀｲ", "", "👍", "110", "my number card の申請",
])
def test_japanese_with_english_words_kanji_alone_and_nothing_readable_are_japanese(text):
    assert detect(text) == JAPANESE


@pytest.mark.parametrize("text, lang", [
    ("Where can I get a residence certificate?", "en"),
    ("Where can I get 住民票?", "en"),
    ("大件垃圾怎么扔", "zh"),
    ("在留卡丢了怎么办", "zh"),
    ("대형 쓰레기 버리는 방법", "ko"),
    ("Tôi có thể lấy phiếu cư trú ở đâu?", "vi"),
    ("como jogar fora lixo grande", "pt"),
    ("paano magtapon ng malaking basura", "tl"),
    ("ठूलो फोहोर कसरी फाल्ने", "ne"),
    ("cara membuang sampah besar", "id"),
])
def test_foreign_residents_languages(text, lang):
    assert detect(text) == lang


def test_every_detected_language_is_one_the_bot_speaks():
    assert detect("Привет, где мэрия?") in FOREIGN + (JAPANESE,)
