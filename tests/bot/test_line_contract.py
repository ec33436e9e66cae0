"""The stand-in refuses what LINE refuses, and the bot's messages stay within LINE's limits."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from linebot.v3.messaging import ReplyMessageRequest

from bot import replies
from bot.chat import webhook_body
from faq.live import EntryView
from bot import line_webhook as wh
from bot.line_stub import MESSAGING_SPEC, WEBHOOK_SPEC, LineStub, limit_errors, schema_errors

TEXT = {"type": "text", "text": "こんにちは"}


def _post(stub, body, token="test-access-token"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(f"{stub.url}/v2/bot/message/reply", json=body, headers=headers, timeout=5)


@pytest.mark.parametrize("body, token", [
    ({"replyToken": "t", "messages": [TEXT]}, None),  # no Bearer token
    ({"replyToken": "t", "messages": [TEXT]}, "wrong-token"),
    ({"replyToken": "t", "messages": [TEXT] * 6}, "test-access-token"),  # more than 5
    ({"replyToken": "t", "messages": []}, "test-access-token"),
    ({"messages": [TEXT]}, "test-access-token"),  # no replyToken
    ({"replyToken": "t", "messages": [{"type": "text"}]}, "test-access-token"),  # no text
    ({"replyToken": "t", "messages": [{"type": "txt", "text": "x"}]}, "test-access-token"),
    ({"replyToken": "t", "messages": [{"type": "text", "text": "あ" * 5001}]}, "test-access-token"),
    ({"replyToken": "t", "messages": [dict(TEXT, quickReply={"items": [
        {"type": "action", "action": {"type": "postback", "label": "x", "data": "d" * 301}}]})]},
     "test-access-token"),
    ({"replyToken": "t", "messages": [dict(TEXT, quickReply={"items": [
        {"type": "action", "action": {"type": "postback", "label": "あ" * 21, "data": "d"}}]})]},
     "test-access-token"),
    ({"replyToken": "t", "messages": [dict(TEXT, quickReply={"items": [
        {"type": "action", "action": {"type": "postback", "label": "x", "data": "d"}}] * 14})]},
     "test-access-token"),
])
def test_the_stand_in_refuses_what_line_refuses(body, token):
    stub = LineStub().start()
    try:
        assert _post(stub, body, token).status_code == 400
        assert stub.errors and stub.replies == []
        ok = _post(stub, {"replyToken": "t", "messages": [TEXT]})
        assert ok.status_code == 200 and len(ok.json()["sentMessages"]) == 1
    finally:
        stub.stop()


def test_the_webhook_builder_refuses_payloads_line_would_not_send():
    broken = wh.text("x")
    del broken["message"]["quoteToken"]
    with pytest.raises(AssertionError, match="webhook.yml"):
        wh.body(broken)


def test_the_chat_page_builds_webhooks_as_line_does():
    for event in ({"type": "message", "message": {"type": "text", "id": "1", "text": "住民票",
                                                   "quoteToken": "q"}},
                  {"type": "postback", "postback": {"data": "pick=0&m=1"}}):
        payload = json.loads(webhook_body(event, user_id=wh.USER_ID, reply_token="r"))
        assert schema_errors(payload, WEBHOOK_SPEC, "CallbackRequest") == []


def _reply_errors(messages) -> list[str]:
    body = json.loads(ReplyMessageRequest(reply_token="t", messages=messages).to_json())
    return schema_errors(body, MESSAGING_SPEC, "ReplyMessageRequest") + limit_errors(body)


def test_a_long_answer_is_cut_and_keeps_its_link():
    entry = EntryView("L01", "", "質問", "とても長い説明です。" * 1000 + "最後", "https://city.example.jp/long", "課")
    first, ask = replies.answer(entry, 42)
    assert _reply_errors([first, ask]) == []
    assert len(first.text.encode("utf-16-le")) // 2 <= 5000
    assert first.text.endswith("…\n\n詳しくはこちら: https://city.example.jp/long")
    assert "説明です。…" in first.text  # cut after a sentence, not inside a word


def test_emoji_count_double_toward_the_limit():
    cut = replies.fit("😀" * 3000, 5000)
    assert len(cut.encode("utf-16-le")) // 2 <= 5000 and cut.endswith("…")


def test_the_replies_offer_as_many_entries_as_the_decision():
    from retrieval.decide import MAX_CANDIDATES, MAX_RELATED

    assert (replies.MAX_CANDIDATES, replies.MAX_RELATED) == (MAX_CANDIDATES, MAX_RELATED)


def test_candidate_labels_are_cut_gracefully():
    long_question = "マイナンバーカードの電子証明書の有効期限が切れたときの更新手続きはどうすればよいですか"
    entries = [EntryView(f"X{i}", "", long_question + str(i), "a", "", "") for i in range(7)]
    [message] = replies.candidates(entries, 7)
    assert _reply_errors([message]) == []
    items = message.quick_reply.items
    assert len(items) == 6  # five candidates and どれでもない
    assert items[0].action.label == long_question[:19] + "…"
    assert items[0].action.display_text == long_question + "0"


# -- push, multicast, retry key, quota, rich menu ---------------------------------------------

AUTH = {"Authorization": "Bearer test-access-token"}
KEY = "123e4567-e89b-12d3-a456-426614174000"


def _send(stub, path, body, key=None):
    headers = dict(AUTH, **({"X-Line-Retry-Key": key} if key else {}))
    return requests.post(f"{stub.url}{path}", json=body, headers=headers, timeout=5)


@pytest.mark.parametrize("path, body, key", [
    ("/v2/bot/message/push", {"messages": [TEXT]}, None),  # no `to`
    ("/v2/bot/message/push", {"to": "U1", "messages": [TEXT] * 6}, None),
    ("/v2/bot/message/push", {"to": "U1", "messages": [TEXT]}, "not-a-uuid"),
    ("/v2/bot/message/multicast", {"to": [], "messages": [TEXT]}, None),
    ("/v2/bot/message/multicast", {"to": [f"U{i}" for i in range(501)], "messages": [TEXT]}, None),
    ("/v2/bot/message/multicast", {"to": ["U1"], "messages": [{
        "type": "flex", "altText": "x", "contents": {"type": "bubble", "footer": {
            "type": "box", "layout": "vertical", "contents": [{"type": "button", "action": {
                "type": "uri", "label": "詳しく", "uri": "javascript:alert(1)"}}]}}}]}, None),
    ("/v2/bot/message/multicast", {"to": ["U1"], "messages": [{
        "type": "flex", "altText": "", "contents": {"type": "bubble"}}]}, None),
])
def test_the_stand_in_refuses_pushes_line_refuses(path, body, key):
    stub = LineStub().start()
    try:
        assert _send(stub, path, body, key).status_code == 400
        assert stub.errors and stub.pushes == [] and stub.multicasts == []
    finally:
        stub.stop()


def test_a_retry_key_is_accepted_once():
    stub = LineStub().start()
    try:
        body = {"to": ["U1", "U2"], "messages": [TEXT]}
        assert _send(stub, "/v2/bot/message/multicast", body, KEY).status_code == 200
        again = _send(stub, "/v2/bot/message/multicast", body, KEY)
        assert again.status_code == 409 and again.headers["x-line-accepted-request-id"]
        assert len(stub.multicasts) == 1 and stub.delivered("U1") == [TEXT]
        pushed = _send(stub, "/v2/bot/message/push", {"to": "U3", "messages": [TEXT]}, str(uuid.uuid4()))
        assert pushed.status_code == 200 and pushed.json()["sentMessages"]
        quota = requests.get(f"{stub.url}/v2/bot/message/quota/consumption", headers=AUTH, timeout=5)
        assert quota.json() == {"totalUsage": 3}  # per recipient, as LINE counts
        assert not stub.errors
    finally:
        stub.stop()


def test_accept_then_drop_takes_the_send_but_never_answers():
    stub = LineStub(accept_then_drop=1).start()
    try:
        with pytest.raises(requests.ConnectionError):
            _send(stub, "/v2/bot/message/push", {"to": "U1", "messages": [TEXT]}, KEY)
        assert stub.delivered("U1") == [TEXT]
        assert _send(stub, "/v2/bot/message/push", {"to": "U1", "messages": [TEXT]}, KEY).status_code == 409
    finally:
        stub.stop()


def test_the_stand_in_serves_rich_menus():
    stub = LineStub().start()
    try:
        menu = {"size": {"width": 2500, "height": 843}, "selected": True, "name": "m", "chatBarText": "メニュー",
                "areas": [{"bounds": {"x": 0, "y": 0, "width": 2500, "height": 843},
                           "action": {"type": "message", "label": "ごみ", "text": "ごみ"}}]}
        created = _send(stub, "/v2/bot/richmenu", menu)
        assert created.status_code == 200, stub.errors
        menu_id = created.json()["richMenuId"]
        early = requests.post(f"{stub.url}/v2/bot/user/all/richmenu/{menu_id}", headers=AUTH, timeout=5)
        assert early.status_code == 400  # no image yet
        stub.errors.clear()
        image = requests.post(f"{stub.url}/v2/bot/richmenu/{menu_id}/content", data=b"\x89PNG...",
                              headers=dict(AUTH, **{"Content-Type": "image/png"}), timeout=5)
        assert image.status_code == 200, stub.errors
        assert requests.post(f"{stub.url}/v2/bot/user/all/richmenu/{menu_id}", headers=AUTH,
                             timeout=5).status_code == 200
        assert stub.rich_menus[menu_id]["default"] and not stub.errors
    finally:
        stub.stop()


# -- the answer as a Flex card ----------------------------------------------------------------

def test_an_answer_is_a_flex_card_line_accepts():
    entry = EntryView("J01", "", "住民票", "市民課で取れます。", "https://city.example.jp/juminhyo", "市民課")
    card, ask = replies.answer(entry, 42)
    assert _reply_errors([card, ask]) == []
    data = card.to_dict()
    assert data["type"] == "flex"
    assert data["altText"] == "市民課で取れます。\n\n詳しくはこちら: https://city.example.jp/juminhyo"
    assert data["contents"]["footer"]["contents"][0]["action"]["uri"] == "https://city.example.jp/juminhyo"


def test_a_page_line_cannot_open_stays_as_text_in_the_card():
    entry = EntryView("J01", "", "住民票", "市民課で取れます。", "city.example.jp/juminhyo", "市民課")
    card, _ask = replies.answer(entry, 42)
    data = card.to_dict()
    assert "footer" not in data["contents"] and _reply_errors([card]) == []
    assert data["contents"]["body"]["contents"][0]["text"].endswith("詳しくはこちら: city.example.jp/juminhyo")


def test_a_long_answer_card_keeps_its_link_in_the_alt_text():
    entry = EntryView("L01", "", "質問", "説明です。" * 390, "https://city.example.jp/long", "課")
    card, _ask = replies.answer(entry, 42)
    assert card.to_dict()["type"] == "flex" and _reply_errors([card]) == []
    assert card.alt_text.endswith("…\n\n詳しくはこちら: https://city.example.jp/long")
    assert len(card.alt_text) <= 1500


def test_the_rich_menu_command_sets_up_a_menu_line_accepts(configure, runner, session, line_stub):
    from faq.importer import import_faq, parse_faq_csv
    from tests.bot.conftest import FAQ_CSV

    configure(line_api_base_url=line_stub.url)
    import_faq(session, parse_faq_csv(FAQ_CSV.encode("utf-8")))
    session.commit()
    result = runner.invoke(args=["line", "rich-menu"])
    assert result.exit_code == 0, result.output
    [(menu_id, menu)] = line_stub.rich_menus.items()
    assert menu["default"] and menu["image"].startswith(b"\x89PNG") and menu_id in result.output
    texts = [area["action"]["text"] for area in menu["menu"]["areas"]]
    assert texts[-2:] == ["通知設定", "職員と話したい"] and set(texts[:4]) == {"住民票", "ごみ", "子育て", "税金"}
