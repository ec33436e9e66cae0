"""Local chat without a LINE channel: a page in LINE's look that talks to the real webhook.

/chat/send builds the webhook body LINE would send (webhook.yml), signs it with the channel secret
and hands it to the same handler as POST /callback; the bot's replies go through line-bot-sdk to
LINE_API_BASE_URL, which in local mode is the stand-in below, and the page shows what it recorded
once this worker's reply sender has sent them.
Everything here answers 404 unless settings.local_chat (LOCAL_CHAT=1, no LINE channel) is on.
Its messages are logged with source "chat" and never counted in the council report.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import OrderedDict
from functools import wraps

from flask import abort, jsonify, render_template, request, session

from analytics.models import LOCAL_CHAT_SOURCE
from bot.blueprint import bp
from bot.routes import handle_webhook
from config import LOCAL_CHAT_PATH
from web import services

MAX_TEXT = 5000  # what LINE lets a resident send in one message
_KEPT_REPLIES = 200


class _ReplyBox:
    """Replies the stand-in received, by reply token, until the page collects them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_token: OrderedDict[str, list[dict]] = OrderedDict()

    def put(self, token: str, messages: list[dict]) -> None:
        with self._lock:
            self._by_token[token] = messages
            while len(self._by_token) > _KEPT_REPLIES:
                self._by_token.popitem(last=False)

    def take(self, token: str) -> list[dict]:
        with self._lock:
            return self._by_token.pop(token, [])


replies = _ReplyBox()


def local_chat_only(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not services().settings.local_chat:
            abort(404)
        return view(*args, **kwargs)
    return wrapped


@bp.get("/chat")
@local_chat_only
def chat_page():
    return render_template("bot/chat.html")


@bp.post("/chat/send")
@local_chat_only
def chat_send():
    """{"text": "..."} or {"postback": "data", "label": "..."} → {"replies": [LINE messages]}."""
    payload = request.get_json(silent=True) or {}
    text, postback = payload.get("text"), payload.get("postback")
    if isinstance(text, str) and text.strip():
        if len(text) > MAX_TEXT:
            return jsonify(error=f"メッセージは{MAX_TEXT}文字までです。"), 400
        event = {"type": "message", "message": {"type": "text", "id": _id(), "text": text,
                                                "quoteToken": _id()}}
    elif isinstance(postback, str) and postback:
        event = {"type": "postback", "postback": {"data": postback[:300]}}
    else:
        return jsonify(error="メッセージを入力してください。"), 400
    reply_token = secrets.token_hex(16)
    body = webhook_body(event, user_id=_chat_user(), reply_token=reply_token)
    handle_webhook(body, sign(body, services().settings.line_channel_secret), source=LOCAL_CHAT_SOURCE)
    services().reply_sender.wait(reply_token, timeout=services().settings.reply_token_seconds)
    return jsonify(replies=replies.take(reply_token))


@bp.post(f"{LOCAL_CHAT_PATH}/v2/bot/message/reply")
@local_chat_only
def line_stand_in_reply():
    """The Messaging API's reply endpoint, kept in memory for the chat page."""
    body = request.get_json(silent=True) or {}
    token, messages = body.get("replyToken"), body.get("messages")
    if not isinstance(token, str) or not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return jsonify(message="The request body has 1 error(s)"), 400
    replies.put(token, messages)
    return jsonify(sentMessages=[{"id": _id()} for _ in messages])


def webhook_body(event: dict, *, user_id: str, reply_token: str) -> str:
    """One event wrapped the way LINE posts it to /callback (webhook.yml CallbackRequest)."""
    event = {
        **event,
        "timestamp": int(time.time() * 1000),
        "mode": "active",
        "webhookEventId": _id().upper()[:26],
        "deliveryContext": {"isRedelivery": False},
        "source": {"type": "user", "userId": user_id},
        "replyToken": reply_token,
    }
    return json.dumps({"destination": "U" + "0" * 32, "events": [event]}, ensure_ascii=False)


def sign(body: str, channel_secret: str) -> str:
    """X-Line-Signature: base64 of HMAC-SHA256 of the body, keyed by the channel secret."""
    digest = hmac.new(channel_secret.encode("utf-8"), body.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _chat_user() -> str:
    """A LINE-shaped user id per browser, kept in its session cookie."""
    if "chat_user" not in session:
        session["chat_user"] = "U" + secrets.token_hex(16)
    return session["chat_user"]


def _id() -> str:
    return secrets.token_hex(16)
