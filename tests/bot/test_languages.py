"""Residents who write in another language: ranked by the multilingual model, answered in their
language's fixed texts, the language logged (SQLite and PostgreSQL)."""
from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from bot import foreign
from retrieval.language import FOREIGN
from bot import line_webhook as wh
from tests.bot.conftest import messages


def quick_reply(reply) -> list[dict]:
    items = reply.messages[-1]["quickReply"]["items"]
    return [{"label": i["action"]["label"], **{k: v[0] for k, v in parse_qs(i["action"]["data"]).items()}}
            for i in items]


def test_an_english_question_reaches_its_entry_with_english_texts(faq, deliver, line_stub, session):
    """Before: the Japanese path's confidence sank to nothing (no Japanese words to match), and
    the resident got Japanese texts. Now the entry is offered or answered, in English."""
    question = wh.text("Where can I get a copy of my residence certificate?")
    assert deliver(question).status_code == 200
    [row] = messages(session)
    assert row.language == "en"
    offered = [row.faq_id] if row.outcome == "answered" else row.candidates
    assert "J01" in offered
    [reply] = line_stub.replies_to(question["replyToken"])
    text = reply.messages[0]["text"]
    if row.outcome == "answered":
        assert text.startswith(foreign.TEXTS["en"]["in_japanese"])
        assert "住民票の写しは" in text and "More information: https://city.example.jp/juminhyo" in text
        assert [b["label"] for b in quick_reply(reply)][:2] == ["👍 Helpful", "👎 Not helpful"]
    else:
        assert text.startswith("Did you mean one of these?")
        assert quick_reply(reply)[-1]["label"] == "None of these"


@pytest.mark.parametrize("question, language", [
    ("大件垃圾怎么扔", "zh"), ("대형 쓰레기 버리는 방법", "ko"), ("como jogar fora um sofá velho", "pt"),
])
def test_other_languages_get_their_own_texts(faq, deliver, line_stub, session, question, language):
    event = wh.text(question)
    deliver(event)
    [row] = messages(session)
    assert row.language == language
    [reply] = line_stub.replies_to(event["replyToken"])
    texts = foreign.TEXTS[language]
    assert reply.messages[0]["text"].startswith((texts["candidates_intro"], texts["in_japanese"]))


def test_a_tapped_candidate_and_thanks_answer_in_the_question_language(faq, deliver, line_stub, session):
    question = wh.text("How do I pay resident tax?")
    deliver(question)
    [row] = messages(session)
    [reply] = line_stub.replies_to(question["replyToken"])
    if row.outcome != "answered":  # candidates: tap the first
        pick = wh.postback(f"pick=0&m={row.id}")
        deliver(pick)
        assert line_stub.texts(pick["replyToken"])[0].startswith(foreign.TEXTS["en"]["in_japanese"])
    up = wh.postback(f"fb=up&m={row.id}")
    deliver(up)
    assert line_stub.texts(up["replyToken"]) == [foreign.TEXTS["en"]["thanks_up"]]


def test_a_sticker_after_an_english_question_gets_the_english_reply(faq, deliver, line_stub, session):
    deliver(wh.text("Where can I get a copy of my residence certificate?"))
    sticker = wh.sticker()
    deliver(sticker)
    assert line_stub.texts(sticker["replyToken"]) == [foreign.TEXTS["en"]["text_only"]]
    assert [m.language for m in messages(session)] == ["en", "en"]


def test_japanese_with_an_english_word_stays_on_the_japanese_path(faq, deliver, line_stub, session):
    question = wh.text("LINEで住民票はどこで取れますか？")
    deliver(question)
    [row] = messages(session)
    assert row.language == "ja"
    texts = line_stub.texts(question["replyToken"])
    assert texts[0].startswith("もしかして") or texts[1].startswith("この回答は役に立ちましたか？")


def test_a_new_friend_is_told_which_languages_they_may_ask_in(faq, deliver, line_stub):
    follow = wh.follow()
    deliver(follow)
    greeting, languages = line_stub.texts(follow["replyToken"])
    assert greeting.startswith("友だち追加ありがとうございます")
    assert all(foreign.TEXTS[code]["can_ask"] in languages for code in FOREIGN)


def test_every_language_has_every_fixed_text_within_lines_limits():
    keys = set(foreign.TEXTS["en"])
    for language in FOREIGN:
        assert set(foreign.TEXTS[language]) == keys, language
        for key in ("none_of_these", "up", "down"):
            assert len(foreign.TEXTS[language][key].encode("utf-16-le")) // 2 <= 20, (language, key)


def test_a_staff_translation_is_the_answer_and_without_one_the_easy_japanese_follows():
    from faq.live import EntryView

    entry = EntryView("J01", "", "住民票の写しを取りたい", "住民票の写しは、市民課の窓口で取れます。", "https://city.example.jp/j", "市民課",
                      {"question_en": "Getting a residence certificate", "answer_en": "At the Citizens Division.",
                       "answer_easy": "しみんか の まどぐち で とれます。"})
    english = foreign.answer(entry, 1, "en")[0].text
    assert english == "At the Citizens Division.\n\nMore information: https://city.example.jp/j"
    korean = foreign.answer(entry, 1, "ko")[0].text
    assert korean.startswith(foreign.TEXTS["ko"]["in_japanese"] + "\n\n住民票の写しは")
    assert "【やさしい にほんご】\nしみんか の まどぐち で とれます。" in korean
    [offer] = foreign.candidates([entry], 1, "en")
    assert "1. Getting a residence certificate" in offer.text
    assert offer.quick_reply.items[0].action.label == "Getting a residence…"


GREETINGS = {"en": ("Hello!", "Thank you"), "vi": ("xin chào", "Cảm ơn!"), "zh": ("你好", "谢谢"),
             "ko": ("안녕하세요", "감사합니다"), "pt": ("Olá", "obrigado"), "tl": ("kumusta", "Salamat po"),
             "ne": ("नमस्ते", "धन्यवाद"), "id": ("halo", "Terima kasih")}


def test_greetings_thanks_and_stickers_are_answered_in_the_greeting_language(faq, deliver, line_stub, session):
    """Before: 「xin chào」 was searched as a question and 「hello」 got the Japanese greeting. Now each
    gets the friendly reply in its own language, counted as 除外, and a sticker after it too."""
    assert set(GREETINGS) == set(FOREIGN)
    for language, (hello, thanks) in GREETINGS.items():
        for typed, key in ((hello, "hello"), (thanks, "welcome")):
            event = wh.text(typed)
            deliver(event)
            assert line_stub.texts(event["replyToken"]) == [foreign.TEXTS[language][key]], typed
        sticker = wh.sticker()
        deliver(sticker)
        assert line_stub.texts(sticker["replyToken"]) == [foreign.TEXTS[language]["text_only"]], language
    rows = messages(session)
    assert [(m.outcome, m.language) for m in rows] == [
        ("excluded", language) for language in GREETINGS for _ in range(3)]


def test_a_japanese_greeting_keeps_the_residents_language(faq, deliver, line_stub, session):
    deliver(wh.text("Where can I get a copy of my residence certificate?"))
    hello = wh.text("こんにちは")
    deliver(hello)
    assert line_stub.texts(hello["replyToken"]) == [foreign.TEXTS["en"]["hello"]]
    newcomer = wh.text("こんにちは", user_id="U" + "f" * 32)
    deliver(newcomer)
    assert line_stub.texts(newcomer["replyToken"])[0].startswith("こんにちは。")
