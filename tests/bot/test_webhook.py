"""POST /callback end to end: real signature check, real search, replies checked against LINE's
spec by the stand-in, the message log in SQLite and PostgreSQL."""
from __future__ import annotations

import json
import threading
from urllib.parse import parse_qs

import pytest
import sqlalchemy
from sqlalchemy import inspect, select, text

from analytics.models import Message
from bot import events, replies
from bot.models import WebhookEvent
from bot import line_webhook as wh
from tests.bot.conftest import SECRET, event_count, messages


def quick_reply_data(reply) -> list[dict]:
    items = reply.messages[-1]["quickReply"]["items"]
    return [{k: v[0] for k, v in parse_qs(i["action"]["data"]).items()} for i in items]


# -- questions -------------------------------------------------------------------------------

def test_without_a_channel_no_webhook_is_accepted(configure, client, faq, line_stub, session):
    """Neither a channel nor local chat: even a body signed with the empty key is refused
    (line-bot-sdk alone would accept it)."""
    configure(line_channel_secret="", line_channel_access_token="")
    data = wh.body(wh.text("住民票はどこで取れますか？"))
    assert client.post("/callback", data=data.encode(), headers=wh.headers(data, "")).status_code == 400
    assert line_stub.replies == [] and messages(session) == []


def test_a_question_gets_its_answer_logged_before_the_reply(app, faq, deliver, line_stub, session):
    seen_at_reply = []

    def check_log(reply):
        with app.extensions["cityfaq"].sessionmaker() as s:
            seen_at_reply.append([(m.outcome, m.faq_id) for m in s.scalars(select(Message))])
    line_stub.on_reply = check_log

    event = wh.text("住民票はどこで取れますか？")
    assert deliver(event).status_code == 200

    assert seen_at_reply == [[("answered", "J01")]]
    [reply] = line_stub.replies_to(event["replyToken"])
    assert reply.authorization == "Bearer test-access-token"
    answer, ask = reply.messages
    assert answer["type"] == "flex"  # a card with a button to the city's page
    assert answer["altText"].startswith("住民票の写しは、市民課の窓口")  # what old clients show
    assert answer["altText"].endswith("詳しくはこちら: https://city.example.jp/juminhyo")
    assert answer["contents"]["body"]["contents"][0]["text"].startswith("住民票の写しは、市民課の窓口")
    [button] = answer["contents"]["footer"]["contents"]
    assert button["action"] == {"type": "uri", "label": "詳しく見る", "uri": "https://city.example.jp/juminhyo"}
    assert ask["text"].startswith("この回答は役に立ちましたか？")
    [row] = messages(session)
    assert [d.get("fb") for d in quick_reply_data(reply)][:2] == ["up", "down"]
    assert {d["m"] for d in quick_reply_data(reply)} == {str(row.id)}
    assert (row.outcome, row.faq_id, row.kind, row.source) == ("answered", "J01", "text", "line")
    assert row.text == "住民票はどこで取れますか？"
    assert row.score is not None and row.latency_ms > 0
    assert (row.reply_status, row.reply_count) == ("sent", 1)
    assert session.scalar(select(WebhookEvent.message_id)) == row.id


def test_feedback_buttons_store_up_and_down(faq, deliver, line_stub, session):
    first, second = wh.text("住民票の取り方を教えて"), wh.text("ソファを捨てたい")
    deliver(first)
    deliver(second)
    up = quick_reply_data(line_stub.replies_to(first["replyToken"])[0])[0]
    down = quick_reply_data(line_stub.replies_to(second["replyToken"])[0])[1]

    thanks = wh.postback(f"fb=up&m={up['m']}")
    review = wh.postback(f"fb=down&m={down['m']}")
    deliver(thanks)
    deliver(review)

    assert [m.feedback for m in messages(session)] == ["up", "down"]
    assert "ありがとうございます" in line_stub.texts(thanks["replyToken"])[0]
    assert "担当の職員が確認" in line_stub.texts(review["replyToken"])[0]
    assert len(messages(session)) == 2  # a postback is not a question


def test_feedback_on_someone_elses_message_changes_nothing(faq, deliver, line_stub, session):
    deliver(wh.text("住民票の取り方を教えて"))
    [row] = messages(session)
    forged = wh.postback(f"fb=down&m={row.id}", user_id="U" + "9" * 32)
    assert deliver(forged).status_code == 200
    assert messages(session)[0].feedback is None
    assert line_stub.replies_to(forged["replyToken"]) == []


def test_entry_without_answer_says_it_is_being_prepared(faq, deliver, line_stub, session):
    event = wh.text("児童手当を申請したい")
    deliver(event)
    [reply_text] = line_stub.texts(event["replyToken"])
    assert "準備中" in reply_text and "子育て支援課" in reply_text
    assert "あおば市役所 代表" in reply_text
    for other in ("市民課の窓口", "粗大ごみ受付センター", "納付書"):
        assert other not in reply_text  # never another entry's answer
    [row] = messages(session)
    assert (row.outcome, row.faq_id) == ("no_answer", "C01")


def test_candidates_then_a_pick_completes_the_same_question(faq, configure, deliver, line_stub,
                                                              session):
    configure(answer_threshold=1.01, candidate_threshold=0.0)  # always もしかして
    event = wh.text("住民票と住民税のこと")
    deliver(event)
    [reply] = line_stub.replies_to(event["replyToken"])
    [message] = reply.messages
    assert message["text"].startswith("もしかして、次のどれかですか？")
    items = message["quickReply"]["items"]
    assert 2 <= len(items) <= replies.MAX_CANDIDATES + 1 and items[-1]["action"]["label"] == "どれでもない"
    [row] = messages(session)
    assert row.outcome == "no_title" and row.faq_id is None and 1 <= len(row.candidates) <= replies.MAX_CANDIDATES

    chosen = items[0]["action"]
    assert chosen["displayText"] in message["text"]
    pick = wh.postback(chosen["data"])
    deliver(pick)

    [row] = messages(session)  # still one question
    assert (row.outcome, row.faq_id) == ("answered", row.candidates[0])
    answer_texts = line_stub.texts(pick["replyToken"])
    assert answer_texts[1] == "この回答は役に立ちましたか？"


def test_an_answer_offers_the_next_likely_entries_and_a_tap_answers_with_one(
        faq, configure, deliver, line_stub, session):
    configure(answer_threshold=0.0, candidate_threshold=0.0)  # answer, related below it
    event = wh.text("住民票と住民税のこと")
    deliver(event)
    [reply] = line_stub.replies_to(event["replyToken"])
    answer, ask = reply.messages
    assert ask["text"] == "この回答は役に立ちましたか？\nお探しの内容と違うときは、下のボタンの質問もご覧ください。"
    buttons = ask["quickReply"]["items"]
    assert [d.get("fb") for d in quick_reply_data(reply)] == ["up", "down", None, None]
    [row] = messages(session)
    assert row.outcome == "answered" and row.candidates[0] == row.faq_id and len(row.candidates) == 3

    tap = wh.postback(buttons[2]["action"]["data"])  # the second-ranked entry
    deliver(tap)
    [row] = messages(session)  # still one question, now answered with the tapped entry
    assert (row.outcome, row.faq_id, row.score) == ("answered", row.candidates[1], None)
    texts = line_stub.texts(tap["replyToken"])
    assert texts[1] == "この回答は役に立ちましたか？"  # no related entries the second time


def test_none_of_these_keeps_the_question_unanswered(faq, configure, deliver, line_stub, session):
    configure(answer_threshold=1.01, candidate_threshold=0.0)
    event = wh.text("住民票と住民税のこと")
    deliver(event)
    none = line_stub.replies_to(event["replyToken"])[0].messages[0]["quickReply"]["items"][-1]
    tap = wh.postback(none["action"]["data"])
    deliver(tap)
    assert "お答えできる情報が見つかりませんでした" in line_stub.texts(tap["replyToken"])[0]
    assert messages(session)[0].outcome == "no_title"


def test_nothing_found_gives_the_city_contact(faq, configure, deliver, line_stub, session):
    configure(candidate_threshold=1.01, answer_threshold=1.01, contact_text="あおば市役所 代表 012-345-6789",
              office_hours="月-日 00:00-24:00")  # open whenever the test runs
    event = wh.text("宇宙船の操縦免許はどこで取れますか")
    deliver(event)
    [reply_text] = line_stub.texts(event["replyToken"])
    assert "見つかりませんでした" in reply_text and reply_text.endswith("012-345-6789")
    assert messages(session)[0].outcome == "no_title"


def test_the_contact_says_when_the_office_is_closed(faq, configure, deliver, line_stub, session):
    from datetime import datetime

    from handoff.office_hours import JST
    configure(candidate_threshold=1.01, answer_threshold=1.01, contact_text="あおば市役所 代表 012-345-6789",
              office_holidays=str(datetime.now(JST).date()))  # closed all day today
    event = wh.text("宇宙船の操縦免許はどこで取れますか")
    deliver(event)
    [reply_text] = line_stub.texts(event["replyToken"])
    assert reply_text.endswith("012-345-6789\n（ただいま受付時間外です）")


@pytest.mark.parametrize("typed, reply", [
    ("😊😊😊", "読み取れませんでした"), ("   　 \n", "読み取れませんでした"), ("\u200b\u200b\u200b", "読み取れませんでした"),
    ("ありがとうございました！", "こちらこそ"), ("こんにちは", "こんにちは。"), ("よろしくお願いします", "こんにちは。"),
])
def test_meaningless_messages_are_excluded_gently(faq, deliver, line_stub, session, typed, reply):
    event = wh.text(typed)
    deliver(event)
    assert reply in line_stub.texts(event["replyToken"])[0]
    [row] = messages(session)
    assert (row.outcome, row.kind) == ("excluded", "text")


def test_zero_width_characters_do_not_hide_the_question(faq, deliver, line_stub, session):
    deliver(wh.text("住\u200b民\u200b票はどこで取れますか"))
    assert messages(session)[0].faq_id == "J01"


def test_html_in_a_message_is_stored_as_text(faq, deliver, session):
    typed = '<script>alert("x")</script><b>住民票</b>'
    deliver(wh.text(typed))
    assert messages(session)[0].text == typed


def test_a_5000_character_message_gets_a_valid_reply(faq, deliver, line_stub, session):
    typed = ("住民票の写しを取りたいのですが、" * 400)[:5000]
    event = wh.text(typed)
    assert deliver(event).status_code == 200
    assert line_stub.replies_to(event["replyToken"])  # the stand-in validated it
    assert len(messages(session)[0].text) == 5000


def test_a_name_and_phone_number_in_a_question_do_not_change_what_is_found(faq, deliver, session):
    deliver(wh.text("住民票はどこで取れますか？"))
    deliver(wh.text("山田太郎です。090-1234-5678 住民票はどこで取れますか？"))
    plain, personal = messages(session)
    assert (personal.outcome, personal.faq_id) == (plain.outcome, plain.faq_id) == ("answered", "J01")
    assert "山田" not in personal.text and "5678" not in personal.text


def test_personal_data_is_masked_in_the_log(faq, deliver, session):
    deliver(wh.text("090-1234-5678に電話して。住民票を送ってほしい。青葉町1丁目2番3号"))
    stored = messages(session)[0].text
    assert "1234" not in stored and "〔電話番号〕" in stored and "〔住所〕" in stored


def test_masking_is_done_before_the_first_write(app, faq, deliver, session, monkeypatch):
    """On SQLite the claim's insert holds the write lock until the commit: a slow mask there made
    every other worker's question wait."""
    steps = []
    real_mask = events.mask_personal_data
    monkeypatch.setattr(events, "mask_personal_data", lambda text: steps.append("mask") or real_mask(text))

    def note_write(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            steps.append("write")
    engine = app.extensions["cityfaq"].sessionmaker.kw["bind"]
    sqlalchemy.event.listen(engine, "before_cursor_execute", note_write)
    try:
        deliver(wh.text("住民票は山田太郎の分も取れますか"))
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", note_write)
    assert steps[:2] == ["mask", "write"]
    assert messages(session)[0].text == "住民票は〔氏名〕の分も取れますか"


def test_a_longer_message_is_cut_to_lines_limit(faq, deliver, line_stub, session):
    """LINE sends at most 5,000 characters; a longer body is cut before search and masking."""
    event = wh.text("1" * 100_000)
    assert deliver(event).status_code == 200
    assert line_stub.replies_to(event["replyToken"])
    assert messages(session)[0].text == "1" * 5000


@pytest.mark.parametrize("make, kind", [(wh.sticker, "sticker"), (wh.image, "image"),
                                        (wh.location, "location")])
def test_stickers_and_images_are_excluded_questions(faq, deliver, line_stub, session, make, kind):
    event = make()
    deliver(event)
    assert "文字で送られた質問" in line_stub.texts(event["replyToken"])[0]
    [row] = messages(session)
    assert (row.outcome, row.kind, row.text) == ("excluded", kind, "")


# -- follow, unfollow, other events --------------------------------------------------------------

def test_follow_is_greeted_and_unfollow_only_recorded(faq, deliver, line_stub, session):
    hello = wh.follow()
    deliver(hello)
    greeting, languages = line_stub.texts(hello["replyToken"])  # then, in eight languages, "you may ask in it"
    assert "友だち追加ありがとうございます" in greeting and "（例）" in greeting
    assert "You can ask in English." in languages
    assert deliver(wh.unfollow()).status_code == 200
    assert len(line_stub.replies) == 1
    assert sorted(session.scalars(select(WebhookEvent.type))) == ["follow", "unfollow"]
    assert messages(session) == []


def test_unknown_event_types_are_ignored(faq, deliver, line_stub, session):
    assert deliver(wh.unsend()).status_code == 200
    raw = wh.body(wh.text("x"))
    raw = raw.replace('"type": "message"', '"type": "somethingNew"', 1)
    assert deliver(raw=raw).status_code == 200
    assert line_stub.replies == [] and messages(session) == []


def test_standby_events_are_left_to_the_active_channel(faq, deliver, line_stub, session):
    event = wh.text("住民票はどこで取れますか", token=None)
    event["mode"] = "standby"
    assert deliver(event).status_code == 200
    assert line_stub.replies == [] and messages(session) == []


def test_empty_events_confirm_the_webhook(deliver, line_stub, session):
    assert deliver().status_code == 200
    assert line_stub.replies == [] and event_count(session) == 0


# -- refused requests: 400/413, nothing logged, nothing sent ---------------------------------------

def _nothing_happened(line_stub, session):
    assert line_stub.replies == []
    assert messages(session) == [] and event_count(session) == 0


def test_forged_signature_is_refused(faq, client, line_stub, session):
    raw = wh.body(wh.text("住民票はどこで取れますか"))
    forged = wh.headers(raw, "not-the-channel-secret")
    assert client.post("/callback", data=raw.encode(), headers=forged).status_code == 400
    tampered = wh.headers(raw, SECRET)
    assert client.post("/callback", data=raw.replace("住民票", "戸籍").encode(),
                       headers=tampered).status_code == 400
    _nothing_happened(line_stub, session)


def test_missing_signature_is_refused(faq, client, line_stub, session):
    raw = wh.body(wh.text("住民票はどこで取れますか"))
    assert client.post("/callback", data=raw.encode(),
                       headers={"Content-Type": "application/json"}).status_code == 400
    _nothing_happened(line_stub, session)


@pytest.mark.parametrize("raw", ['{"events": [', "[]", '{"destination": "U"}', '{"events": {}}',
                                 "\xff\xfe"])
def test_malformed_bodies_are_refused(faq, deliver, line_stub, session, raw):
    assert deliver(raw=raw).status_code == 400
    _nothing_happened(line_stub, session)


def test_body_over_1_mb_is_refused(faq, client, line_stub, session):
    raw = wh.body(wh.text("住民票" * 360_000))  # about 3 MB of UTF-8
    assert client.post("/callback", data=raw.encode(), headers=wh.headers(raw, SECRET)).status_code == 413
    _nothing_happened(line_stub, session)


# -- redelivery and LINE failures ------------------------------------------------------------------

def test_a_redelivered_event_is_answered_once(faq, deliver, line_stub, session):
    event = wh.text("粗大ごみの出し方")
    deliver(event)
    again = dict(event, deliveryContext={"isRedelivery": True})
    assert deliver(again).status_code == 200
    assert len(line_stub.replies) == 1 and len(messages(session)) == 1


def test_two_simultaneous_deliveries_are_answered_once(app, faq, line_stub, session):
    app.extensions["cityfaq"].live_index.search("warm up")  # both threads then race the insert
    raw = wh.body(wh.text("粗大ごみの出し方"))
    start = threading.Barrier(2)
    statuses = []

    def post():
        client = app.test_client()
        start.wait()
        statuses.append(client.post("/callback", data=raw.encode(), headers=wh.headers(raw, SECRET)).status_code)
    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert app.extensions["cityfaq"].reply_sender.wait()
    assert statuses == [200, 200]
    assert len(line_stub.replies) == 1 and len(messages(session)) == 1


def test_line_api_failure_is_logged_and_the_question_kept(faq, deliver, line_stub, session):
    line_stub.fail_with = 500
    assert deliver(wh.text("住民票はどこで取れますか")).status_code == 200
    [row] = messages(session)
    assert (row.outcome, row.faq_id, row.reply_status) == ("answered", "J01", "failed")
    assert "500" in row.reply_error


def test_unreachable_line_api_is_logged(faq, configure, deliver, session):
    configure(line_api_base_url="http://127.0.0.1:9")  # nothing listens on the discard port
    assert deliver(wh.text("住民票はどこで取れますか")).status_code == 200
    [row] = messages(session)
    assert row.reply_status == "failed" and "unreachable" in row.reply_error


# -- the raw LINE user id is never stored ---------------------------------------------------------

def test_raw_user_id_is_stored_nowhere(app, faq, deliver, session):
    deliver(wh.text("住民票はどこで取れますか"))
    deliver(wh.sticker())
    deliver(wh.follow())
    [row] = messages(session)[:1]
    assert row.user.startswith("u_") and len(row.user) == 18
    engine = session.get_bind()
    found = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for values in conn.execute(text(f'SELECT * FROM "{table}"')):
                if any(wh.USER_ID in json.dumps(v, default=str) for v in values):
                    found.append(table)
    assert found == []
