"""The questions the check before publishing asks: the city's judged log, or with too few of
those, the FAQ's own phrasings; never the sample city's file."""
from __future__ import annotations

from analytics import check_set
from analytics.models import Message
from faq import services as faq_services
from faq.importer import import_faq, parse_faq_csv
from tests.faq.conftest import FAQ_CSV


def _faq(session) -> None:
    import_faq(session, parse_faq_csv(FAQ_CSV.encode()))
    session.commit()


def _log(session, text: str, review: str | None, faq_id: str | None = None, correct: str | None = None,
         outcome: str = "answered", **fields) -> None:
    session.add(Message(text=text, outcome=outcome, faq_id=faq_id, review=review, correct_faq_id=correct, **fields))


def test_the_set_is_the_judged_log_one_per_text_without_deleted_entries(session):
    _faq(session)
    for i in range(20):  # enough judged questions for the log to be the set
        _log(session, f"住民票 {i} 通ほしい", "correct", "A01")
    _log(session, "ソファ  を捨てたい", "relearn", "A01", correct="B01")  # older judgement of the same text…
    _log(session, "ソファ を捨てたい", "correct", "B01")  # …the newest one wins
    _log(session, "児童手当はいつ振り込まれる", "relearn", None, correct="C01", outcome="no_title")
    _log(session, "住民税の払い方", "relearn", "A01", correct="D01")
    _log(session, "昔の制度について", "correct", "X99")  # X99 deleted from the FAQ since
    _log(session, "まだ判定していない", None, "A01")
    _log(session, "名前のない再学習", "relearn", "A01")  # no entry named: nothing to score against
    _log(session, "試しに聞いた", "correct", "A01", source="chat")  # staff trying the bot
    _log(session, "スタンプ", "correct", "A01", kind="sticker")
    session.commit()
    faq_services.delete_entry(session, "D01")
    session.commit()

    found = check_set.build(session)
    assert found.source == "log"
    by_text = {q["query"]: q["relevant"] for q in found.queries}
    assert by_text["ソファ を捨てたい"] == ["B01"] and by_text["児童手当はいつ振り込まれる"] == ["C01"]
    assert len(found.queries) == 22 and found.duplicates == 1
    assert found.missing == 2  # X99 and the deleted D01
    assert not {"住民税の払い方", "昔の制度について", "まだ判定していない", "名前のない再学習", "試しに聞いた"} & set(by_text)
    assert found.held_out == frozenset(by_text)
    assert "22 問" in found.describe() and "削除・非公開になった FAQ の質問 2 問は除外" in found.describe()


def test_with_few_judged_questions_the_faq_alternates_stand_in(session):
    _faq(session)
    _log(session, "住民票がほしい", "correct", "A01")
    session.commit()
    found = check_set.build(session)
    assert found.source == "alternates"
    # one phrasing per entry that has one, the newest, held out of the index
    assert found.queries == [{"query": "住民票はどこでもらえますか", "relevant": ["A01"]},
                             {"query": "大きいごみの捨て方", "relevant": ["B01"]},
                             {"query": "児童手当 手続き", "relevant": ["C01"]},
                             {"query": "住民税 払い方", "relevant": ["D01"]}]
    assert found.held_out == frozenset(q["query"] for q in found.queries)
    text = found.describe()
    assert "判定済みの質問が 1 問と少ない（20 問未満）" in text and "言い換え" in text
    assert "hit@1" not in text and "JSONL" not in text
