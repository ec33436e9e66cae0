import json

import pytest

from retrieval import build_index, thesaurus
from retrieval.thesaurus import Thesaurus

from .conftest import DOCS

FAQ_TEXTS = ["婚姻届の届出に必要なものは何ですか?\n戸籍謄本と本人確認書類をお持ちください。",
             "印鑑登録をしたい\n登録する印鑑と本人確認書類をお持ちください。",
             "育児休業中の保育園の利用について\n育児休業の期間は利用できます。"]


@pytest.fixture(scope="module")
def faq():
    return Thesaurus.of(FAQ_TEXTS, thesaurus.load())


def test_the_dictionary_is_installed():
    assert thesaurus.DICTIONARY.is_file(), "make setup installs it (npm ci --prefix vendor)"
    assert "婚姻" in {word for group in thesaurus.load()["入籍"] for word in group}


def test_a_word_the_faq_lacks_becomes_the_faqs_synonym(faq):
    assert faq.rewrite("来月入籍します。何を持っていけばいい?") == "来月婚姻します。何を持っていけばいい?"
    assert faq.rewrite("ハンコを登録したい") == "印鑑を登録したい"


def test_the_faqs_own_words_are_never_replaced(faq):
    for text in FAQ_TEXTS:
        assert faq.rewrite(text) == text


def test_a_word_with_no_synonym_in_the_faq_is_left_alone(faq):
    assert faq.rewrite("タンスを処分したい") == "タンスを処分したい"


def test_a_misspelling_never_replaces_a_word(tmp_path):
    # One group: 「パソコン」, 「パーソナルコンピューター」 and 「パソコソ」, marked a misspelling.
    item = {"taigenYogen": "体言", "expandControl": 0, "vocabularyNumber": 1, "ryakusyou": "代表語形", "bunya": []}
    path = tmp_path / "synonyms.json"
    path.write_text(json.dumps([{"id": "000001", "items": [
        {**item, "gokeiSyubetsu": "代表語", "hyoukiYure": "代表表記", "midashi": "パソコン"},
        {**item, "gokeiSyubetsu": "代表語", "hyoukiYure": "代表表記", "midashi": "パーソナルコンピューター"},
        {**item, "gokeiSyubetsu": "代表語", "hyoukiYure": "間違い表記", "midashi": "パソコソ"}]}]),
        encoding="utf-8")
    groups = thesaurus.load(path)
    long_form = "パーソナルコンピューターの修理"
    assert Thesaurus.of(["パソコソの修理"], groups).rewrite(long_form) == long_form
    assert Thesaurus.of(["パソコンの修理"], groups).rewrite("パソコソの修理") == "パソコンの修理"


def test_without_the_dictionary_nothing_is_rewritten(tmp_path, caplog):
    groups = thesaurus.load(tmp_path / "missing.json")
    assert groups == {} and "make setup" in caplog.text
    assert Thesaurus.of(FAQ_TEXTS, groups).rewrite("ハンコを登録したい") == "ハンコを登録したい"


def test_the_index_searches_the_rewritten_message(index):
    # an answer of the fixture FAQ says スマートフォン
    assert index.prepare("スマホで申請できる?") == "スマートフォンで申請できる?"


def test_a_restart_reads_the_faqs_replacements_back(embedder, monkeypatch):
    build_index(DOCS, embedder)  # measured, or read back from an earlier run
    monkeypatch.setattr(thesaurus, "load", lambda: pytest.fail("the dictionary was read again"))
    assert build_index(DOCS, embedder).prepare("スマホで申請できる?") == "スマートフォンで申請できる?"
