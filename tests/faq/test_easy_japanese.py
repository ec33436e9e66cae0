from faq.easy_japanese import check, draft, request


def test_requests_to_turn_it_on_and_off():
    assert request("やさしい にほんご で") is True
    assert request("やさしい日本語でお願いします") is True
    assert request("ふつうの にほんご") is False
    assert request("やさしい にほんご を やめる") is False
    assert request("やさしい日本語の窓口はありますか") is None  # a question about it, not a request


def test_the_checker_marks_each_rule_of_the_guideline():
    text = ("住民票の写しは、市民課の窓口またはコンビニ交付で取得できますが、マイナンバーカードが必要となりますので、"
            "ご確認ください。令和7年4月1日から手数料は三百円です。申請しないわけではありません。")
    rules = {m.rule for m in check(text)}
    assert rules == {"文の長さ", "1文に1つのこと", "尊敬語・謙譲語", "カタカナ語", "数字・日付", "漢字の割合", "二重否定"}
    assert check("しやくしょ で もらえます。") == []


def test_the_draft_reads_kanji_words_in_hiragana_one_sentence_a_line():
    assert draft("住民票は市役所で取れます。手数料は300円です。").splitlines() == [
        "じゅうみんひょうは しやくしょで とれます。", "てすうりょうは 300 えんです。"]
