import threading

from retrieval import normalize
from retrieval.tokenize import BUILTIN_SYNONYMS, TokenSettings, apply_synonyms, kana_bigrams, tokens


def _tokens(text):
    return tokens(apply_synonyms(normalize(text), BUILTIN_SYNONYMS))


def test_content_words_by_normalized_form():
    words, _ = _tokens("印鑑登録証明書を取りたいのですが、教えてください")
    assert {"印鑑", "登録", "証明", "印鑑登録証明書", "取る"} <= set(words)
    assert not {"を", "の", "です", "教える"} & set(words)


def test_hiragana_and_kanji_share_reading_bigrams():
    _, kanji = _tokens("住民票")
    _, hiragana = _tokens("じゅうみんひょうがほしい")
    _, mixed = _tokens("住民ひょう")
    assert set(kanji) == set(mixed)
    assert set(kanji) <= set(hiragana)


def test_abbreviations_meet_the_official_word():
    words, _ = _tokens("マイナカードの更新")
    assert "マイナンバーカード" in words
    assert "国民健康保険" in _tokens("国保の手続き")[0]


def test_synonyms_rewrite_longest_match_and_leave_canonical_alone():
    assert apply_synonyms("マイナンバーカード", BUILTIN_SYNONYMS) == "マイナンバーカード"
    assert apply_synonyms("マイナ保険証", BUILTIN_SYNONYMS) == "マイナンバーカード 健康保険証"
    assert apply_synonyms("ゴミ出し", {"ゴミ": "ごみ"}) == "ごみ出し"


def test_split_modes():
    a, _ = tokens("児童手当", TokenSettings(modes="A"))
    c, _ = tokens("児童手当", TokenSettings(modes="C"))
    assert (a, c) == (["児童", "手当"], ["児童手当"])


def test_long_input_beyond_sudachi_byte_limit():
    words, readings = tokens("住民票の写しが欲しい。" * 1500)  # 16,500 chars, ~50 KB of UTF-8
    assert words.count("住民票") == 1500


def test_threads_tokenize_independently():
    expected = tokens("粗大ごみの出し方を知りたい")
    results = []

    def work():
        results.extend(tokens("粗大ごみの出し方を知りたい") for _ in range(50))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 200


def test_kana_bigrams_are_the_hiragana_as_typed():
    assert kana_bigrams("こせき とうほん") == ["こせ", "せき", "とう", "うほ", "ほん"]
    assert kana_bigrams("住民票がほしい") == ["がほ", "ほし", "しい"]
    assert kana_bigrams("住民票") == []
