"""Webhook events in, log rows and replies out (no Flask here: routes.py and chat.py call it).

Order for every question: decide (search), mask the text, claim the webhookEventId, log and
commit, then reply. Masking comes before the claim's insert, which on SQLite takes the database's
write lock until the commit: every other worker's question would wait on it.
The claim is an insert into webhook_event (unique): a redelivered event, even one arriving at
two workers at once, fails that insert in all but one of them and is skipped there.

A failed reply is written on the message (reply_status "failed", reply_error) and the webhook
still answers 200: LINE would otherwise redeliver an event we have already logged and whose reply
token is likely spent, and a question must not be counted twice.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhooks import (FollowEvent, MessageEvent, PostbackEvent, TextMessageContent,
                                 UnfollowEvent)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import retrieval
from analytics.exclusion import greeting_kind, is_meaningless
from analytics.log import complete_with_choice, record_feedback, record_question, record_reply
from analytics.masking import MAX_LENGTH, MaskedText, mask_personal_data, without_placeholders
from analytics.models import Message
from analytics.pseudonym import pseudonymize
from bot import replies
from bot.line_api import send_reply
from bot.models import WebhookEvent
from config import Settings
from faq.live import EntryView


# A greeting or thanks gets a kind word; anything else without a question, how to ask.
_EXCLUDED_REPLIES = {"greeting": replies.HELLO, "thanks": replies.YOU_ARE_WELCOME, None: replies.UNREADABLE}


class BadWebhook(Exception):
    """A body that is not from LINE (signature) or not a webhook (JSON): refuse, touch nothing."""


@dataclass
class Bot:
    settings: Settings
    session: Session
    live: Any  # faq.live.LiveIndex of this process
    source: str = "line"  # "chat" when the local chat page sent it

    def handle(self, body: str, signature: str) -> None:
        """Verify and parse a webhook body with line-bot-sdk, then handle each event."""
        if not self.settings.line_channel_secret:
            # No channel and no local chat: line-bot-sdk would accept a body signed with "".
            raise BadWebhook("signature")
        parser = WebhookParser(self.settings.line_channel_secret)
        try:
            events = parser.parse(body, signature)
        except InvalidSignatureError as exc:
            raise BadWebhook("signature") from exc
        except (ValueError, LookupError, TypeError, AttributeError) as exc:
            raise BadWebhook("body") from exc
        for event in events:
            self.dispatch(event)

    def dispatch(self, event) -> None:
        if getattr(event, "mode", None) == "standby":
            return  # another channel is answering this chat (module channels)
        if isinstance(event, MessageEvent):
            if isinstance(event.message, TextMessageContent):
                self.on_text(event)
            else:
                self.on_other_message(event)
        elif isinstance(event, PostbackEvent):
            self.on_postback(event)
        elif isinstance(event, FollowEvent):
            if self.claim(event):
                self.session.commit()
                self.reply(event, replies.plain(replies.GREETING))
        elif isinstance(event, UnfollowEvent):
            if self.claim(event):
                self.session.commit()
        # Any other event type (join, unsend, beacon, ...) is not for this bot.

    # -- questions -------------------------------------------------------------------------

    def on_text(self, event: MessageEvent) -> None:
        text = event.message.text[:MAX_LENGTH]  # LINE's limit; anything longer is not from LINE
        started = time.perf_counter()
        if is_meaningless(text):
            self.ask(event, text=text, kind="text", outcome="excluded",
                     started=started, reply=lambda _m: replies.plain(_EXCLUDED_REPLIES[greeting_kind(text)]))
            return
        text = mask_personal_data(text)
        # What a resident typed about themselves (a name, a phone number) must not steer the search.
        hits = self.live.search(without_placeholders(text))
        decision = retrieval.decide(hits, self.settings.answer_threshold,
                                    self.settings.candidate_threshold)
        top = decision.hits[0].score if decision.hits else (hits[0].score if hits else None)
        if decision.kind == "answer":
            entry = self.live.entry(decision.hits[0].faq_id)
            if entry is not None:
                if entry.answer.strip():
                    related = self.entries(decision.related)
                    self.ask(event, text=text, outcome="answered", faq_id=entry.faq_id, score=top,
                             candidates=[entry.faq_id, *(e.faq_id for e in related)] if related else None,
                             started=started, reply=lambda m: replies.answer(entry, m.id, related))
                else:
                    self.ask(event, text=text, outcome="no_answer", faq_id=entry.faq_id, score=top,
                             started=started,
                             reply=lambda _m: replies.not_ready(entry, self.settings.contact_text))
                return
        if decision.kind == "candidates":
            entries = self.entries(decision.hits)
            if entries:
                self.ask(event, text=text, outcome="no_title", score=top,
                         candidates=[e.faq_id for e in entries], started=started,
                         reply=lambda m: replies.candidates(entries, m.id))
                return
        self.ask(event, text=text, outcome="no_title", score=top, started=started,
                 reply=lambda _m: replies.no_answer(self.settings.contact_text))

    def entries(self, hits: list[retrieval.Hit]) -> list[EntryView]:
        """The hits' entries still published (one may have been unpublished since the search)."""
        return [e for e in (self.live.entry(h.faq_id) for h in hits) if e is not None]

    def on_other_message(self, event: MessageEvent) -> None:
        """Stickers, images, ... are questions too (除外), answered with how to ask."""
        self.ask(event, text="", kind=event.message.type, outcome="excluded",
                 started=time.perf_counter(), reply=lambda _m: replies.plain(replies.TEXT_ONLY))

    def ask(self, event, *, text: str, outcome: str, started: float, reply,
            kind: str = "text", faq_id: str | None = None, score: float | None = None,
            candidates: list[str] | None = None) -> None:
        """Log one question (committed before replying), then reply and note how that went."""
        masked = text if isinstance(text, MaskedText) else mask_personal_data(text)
        claimed = self.claim(event)
        if claimed is None:
            return
        message = record_question(
            self.session, created_at=_event_time(event), user=claimed.user, kind=kind, text=masked,
            outcome=outcome, faq_id=faq_id, score=score, candidates=candidates,
            latency_ms=(time.perf_counter() - started) * 1000, source=self.source,
        )
        claimed.message_id = message.id
        error = self.reply(event, reply(message))
        record_reply(self.session, message, error=error)

    # -- postbacks: a tapped candidate, 「どれでもない」, 👍/👎 ---------------------------------

    def on_postback(self, event: PostbackEvent) -> None:
        claimed = self.claim(event)
        if claimed is None:
            return
        data = {key: values[0] for key, values in parse_qs(event.postback.data).items()}
        message = self.own_message(data.get("m"), claimed.user)
        if message is None:
            self.session.commit()
            return
        claimed.message_id = message.id
        self.session.commit()
        if "pick" in data:
            self.on_pick(event, message, data["pick"])
        elif "none" in data:
            self.reply(event, replies.no_answer(self.settings.contact_text))
        elif data.get("fb") in ("up", "down"):
            record_feedback(self.session, message, data["fb"])
            self.reply(event, replies.plain(replies.THANKS_UP) if data["fb"] == "up"
                       else replies.thanks_down(self.settings.contact_text))

    def on_pick(self, event: PostbackEvent, message: Message, pick: str) -> None:
        """The tapped candidate (or related entry under an answer) completes the original
        question (not a new one); pick 0 is the entry the bot itself ranked first."""
        offered = message.candidates or []
        if not pick.isdigit() or int(pick) >= len(offered):
            return
        faq_id = offered[int(pick)]
        entry = self.live.entry(faq_id)
        if entry is None:  # unpublished since it was offered
            self.reply(event, replies.no_answer(self.settings.contact_text))
            return
        answered = bool(entry.answer.strip())
        complete_with_choice(self.session, message, faq_id=faq_id, answered=answered,
                             score=message.score if int(pick) == 0 else None)
        self.reply(event, replies.answer(entry, message.id) if answered
                   else replies.not_ready(entry, self.settings.contact_text))

    def own_message(self, message_id: str | None, user: str) -> Message | None:
        """The question a postback refers to, only if this same resident asked it."""
        if not message_id or not message_id.isdigit():
            return None
        message = self.session.get(Message, int(message_id))
        return message if message is not None and message.user == user else None

    # -- plumbing ----------------------------------------------------------------------------

    def claim(self, event) -> WebhookEvent | None:
        """Insert the event's webhookEventId (uncommitted); None if it was handled already."""
        user_id = getattr(event.source, "user_id", None) or ""
        row = WebhookEvent(webhook_event_id=event.webhook_event_id, type=event.type,
                           user=pseudonymize(user_id, self.settings.secret_key))
        self.session.add(row)
        try:
            self.session.flush()
        except IntegrityError:
            self.session.rollback()
            return None
        return row

    def reply(self, event, messages: list) -> str | None:
        if not event.reply_token:
            return "no reply token in the event"
        return send_reply(self.settings.line_api_base_url, self.settings.line_channel_access_token,
                          event.reply_token, messages)


def _event_time(event) -> datetime:
    return datetime.fromtimestamp(event.timestamp / 1000, tz=timezone.utc)
