import pytest

from retrieval import normalize
from retrieval.normalize import has_content, hiragana_share


@pytest.mark.parametrize("text, expected", [
    ("ＭＹＮＡカード", "mynaカード"),  # full-width Latin, case
    ("ｼﾞｭｳﾐﾝﾋｮｳ", "ジュウミンヒョウ"),  # half-width katakana
    ("すご〜〜い", "すごーい"),  # wave dash stretching a vowel
    ("ケーキ―", "ケーキー"),
    ("ライタ- すてかた", "ライター すてかた"),
    ("A-1 ｺﾋﾟ-", "a-1 コピー"),
    ("ゴーーーミ", "ゴーミ"),  # repeated long vowel
    ("9時〜17時", "9時~17時"),
    ("９時～１７時", "9時~17時"),
    ("住民票！！！", "住民票!"),
    ("住民票？？", "住民票?"),
    ("住民票ほしいｗｗｗ", "住民票ほしい"),
    ("ありがとうw", "ありがとう"),
    ("www.city.example.jp", "www.city.example.jp"),
    ("https://example.jp", "https://example.jp"),
    ("\u200b住\u200c民\u200d票\ufeff\u2060", "住民票"),
    ("  住民\u3000票 \n\t ", "住民 票"),
    ("03-1234-5678", "03-1234-5678"),
])
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("😀😀😀", False), ("", False), ("!?", False), ("ｗｗｗ", False), ("住民票", True), ("a", True),
])
def test_has_content(text, expected):
    assert has_content(normalize(text)) is expected


@pytest.mark.parametrize("text, expected", [("こくほ かにゅう", 1.0), ("住民票", 0.0), ("住民票がほしい", 4 / 7), ("!?", 0.0)])
def test_hiragana_share(text, expected):
    assert hiragana_share(text) == pytest.approx(expected)
