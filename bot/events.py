"""Webhook events in, log rows and replies out (no Flask here: routes.py and chat.py call it).

Order for every question: decide (search), mask the text, claim the webhookEventId, log and
commit, then queue the reply (committed as a pending_reply row) and wake this worker's sender,
which sends it off the request path (bot/sender.py): LINE gets its 200 without waiting for LINE.
Masking comes before the claim's insert, which on SQLite takes the database's write lock until the
commit: every other worker's question would wait on it. The claim is an insert into webhook_event
(unique): a redelivered event, even one arriving at two workers at once, fails that insert in all
but one of them and is skipped there.

A reply that cannot be delivered is written on the message (reply_status "failed", reply_error)
by the sender; the webhook has answered 200 regardless: LINE would otherwise redeliver an event we
have already logged, and a question must not be counted twice.

Group and room chats are not answered: what is said there is not a resident's question to the
city, and answers there would go to everyone in the chat. The bot says once per chat how to ask
1:1 (on join; or to the first message when the join got no notice through) and logs nothing as
a question.

Each event of a body is handled on its own, in its own transaction: one that fails is rolled back
and logged, and the others are still handled. LINE redelivers a failed batch whole, so one bad
event would otherwise cost its neighbours on every delivery.

When the database itself fails (away, read-only, I/O errors: db.is_fault), the events it failed
are rolled back and the body is answered 503 after the others are handled: LINE redelivers it,
the events already handled are skipped as claimed, and no resident's question is lost. The engine
has then dropped its pooled connections, so the redelivery after the fault gets fresh ones.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qs

from linebot.v3 import SignatureValidator
from linebot.v3.webhooks import (Event, FollowEvent, JoinEvent, LeaveEvent, MessageEvent,
                                 PostbackEvent, TextMessageContent, UnfollowEvent)
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import retrieval
from analytics.exclusion import greeting_kind, greeting_language, is_meaningless
from analytics.log import complete_with_choice, record_feedback, record_question, record_reply
from analytics.masking import MAX_LENGTH, MaskedText, mask_personal_data, without_placeholders
from analytics.models import Message
from analytics.pseudonym import pseudonymize
from bot import easy, foreign, replies
from bot import handoff as handoff_bot
from bot import subscriptions as topic_settings
from bot.models import GroupChat, PendingReply, WebhookEvent
from config import Settings
from db import MAX_ID, is_fault
from faq import easy_japanese
from faq.live import EntryView
from handoff import office_hours
from handoff import service as handoff
from notices import staff_links, subscriptions
from notices.crypto import id_box
from retrieval.language import JAPANESE, detect

log = logging.getLogger(__name__)

# An event's own time is kept when it is plausible: LINE redelivers for a while after a failure,
# and its clock may run a little ahead of ours. Anything else (0, negative, past the year 9999)
# is not when a question was asked: the receive time is logged instead.
OLDEST_EVENT = timedelta(days=7)
NEWEST_EVENT = timedelta(minutes=10)
MAX_EVENT_KEY = 64  # webhook_event.webhook_event_id; LINE's ids are 26-character ULIDs


# A greeting or thanks gets a kind word; anything else without a question, how to ask.
_EXCLUDED_REPLIES = {"greeting": replies.HELLO, "thanks": replies.YOU_ARE_WELCOME, None: replies.UNREADABLE}


class BadWebhook(Exception):
    """A body that is not from LINE (signature) or not a webhook (JSON): refuse, touch nothing."""


class DatabaseUnavailable(Exception):
    """Some event could not be handled for a database fault: answer so that LINE redelivers."""


@dataclass
class Bot:
    settings: Settings
    session: Session
    live: Any  # faq.live.LiveIndex of this process
    wake_sender: Callable[[], None]  # bot.sender.ReplySender.wake of this process
    source: str = "line"  # "chat" when the local chat page sent it

    def handle(self, body: str, signature: str) -> None:
        """Verify a webhook body, then handle each of its events on its own. Raises
        DatabaseUnavailable, after the others, when an event failed for a database fault."""
        failed = [raw for raw in self.events(body, signature) if not self.handle_event(raw)]
        if failed:
            raise DatabaseUnavailable(f"{len(failed)} event(s) to be redelivered")

    def events(self, body: str, signature: str) -> list:
        """The body's events as JSON values, once its signature is the channel's.

        The whole body is refused (BadWebhook: 400, nothing touched) when it is not signed by the
        channel or is no webhook: not JSON, JSON nested too deep to read (RecursionError), or
        without a list of events. What each event holds is judged per event (handle_event).
        """
        if not self.settings.line_channel_secret:
            # No channel and no local chat: line-bot-sdk would accept a body signed with "".
            raise BadWebhook("signature")
        if not SignatureValidator(self.settings.line_channel_secret).validate(body, signature):
            raise BadWebhook("signature")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise BadWebhook("body") from exc
        events = payload.get("events") if isinstance(payload, dict) else None
        if not isinstance(events, list):
            raise BadWebhook("body")
        return events

    def handle_event(self, raw: Any) -> bool:
        """One event in its own transaction. A shape line-bot-sdk refuses is skipped with a
        warning; a failure while handling is rolled back (so its redelivery is handled afresh)
        and logged with its traceback. Either way the batch's other events are handled.
        False when the event failed for a database fault and must come again."""
        try:
            event = _parse_event(raw)
        except Exception as exc:  # pydantic's ValueError, or RecursionError on deep nesting
            log.warning("webhook event %s skipped: line-bot-sdk refused it: %s",
                        _label(raw), str(exc)[:500])
            return True
        if event is None:
            return True  # a type this SDK does not know (LINE adds types); not for this bot
        try:
            self.dispatch(event)
        except Exception as exc:  # whatever went wrong, the other events of the batch go on
            self.session.rollback()
            if is_fault(exc):
                log.error("webhook event %s (%s) rolled back, to be redelivered: database fault: %s",
                          event.webhook_event_id, event.type, _first_line(exc))
                return False
            log.exception("webhook event %s (%s) failed and was rolled back",
                          event.webhook_event_id, event.type)
        return True

    def dispatch(self, event) -> None:
        if getattr(event, "mode", None) == "standby":
            return  # another channel is answering this chat (module channels)
        chat = _group_chat(event)
        if chat:
            self.on_group(event, pseudonymize(chat, self.settings.secret_key))
        elif isinstance(event, MessageEvent):
            if self.to_staff(event):
                return
            if isinstance(event.message, TextMessageContent):
                if handoff_bot.is_command(event.message.text):
                    self.on_handoff_request(event)
                elif topic_settings.is_command(event.message.text):
                    self.on_notice_settings(event)
                elif staff_links.COMMAND.match(event.message.text):
                    self.on_staff_link(event)
                else:
                    self.on_text(event)
            else:
                self.on_other_message(event)
        elif isinstance(event, PostbackEvent):
            self.on_postback(event)
        elif isinstance(event, FollowEvent):
            if self.claim(event):
                # A new friend's language is not known yet: say in each one that they may ask in it.
                self.reply(event, [*replies.plain(replies.GREETING), *replies.plain(foreign.CAN_ASK)])
        elif isinstance(event, UnfollowEvent):
            claimed = self.claim(event)
            if claimed:
                subscriptions.forget(self.session, claimed.user)  # blocked: the LINE user id goes
                handoff.forget(self.session, claimed.user)
                self.session.commit()
        # Any other event type (unsend, beacon, ...) is not for this bot.

    # -- group and room chats -------------------------------------------------------------

    def on_group(self, event, chat: str) -> None:
        """In a group or room: on join, say how to ask 1:1; to a message, only if the chat has
        not been told yet; on leave, forget the chat (invited again, it is told again)."""
        if not isinstance(event, (JoinEvent, LeaveEvent, MessageEvent)) or not self.claim(event):
            return
        if not isinstance(event, MessageEvent):  # join or leave: start afresh
            self.session.execute(delete(GroupChat).where(GroupChat.chat == chat))
        if isinstance(event, LeaveEvent) or not event.reply_token or self.told(chat):
            self.session.commit()  # without a reply token the next message is told
            return
        self.session.add(GroupChat(chat=chat))
        try:
            self.session.flush()
        except IntegrityError:  # another worker is telling this chat at this moment
            self.session.rollback()
            return
        # Should the notice not reach LINE, the sender forgets the chat for the next message.
        self.reply(event, replies.plain(replies.GROUP_NOTICE), chat=chat)

    def told(self, chat: str) -> bool:
        return self.session.scalar(select(GroupChat.id).where(GroupChat.chat == chat)) is not None

    # -- questions -------------------------------------------------------------------------

    def on_text(self, event: MessageEvent) -> None:
        text = storable(event.message.text[:MAX_LENGTH])  # LINE's limit; anything longer is not from LINE
        started = time.perf_counter()
        if (wanted := easy_japanese.request(text)) is not None:
            easy.remember(self.session, self.user(event), wanted)  # committed with the log row
            self.ask(event, text=text, kind="text", outcome="excluded", started=started,
                     reply=lambda _m: replies.plain(easy.TURNED_ON if wanted else easy.TURNED_OFF))
            return
        if is_meaningless(text):
            # 「xin chào」 is answered in Vietnamese even from a resident not heard from before.
            language = greeting_language(text) or self.resident_language(event)
            reply = ((lambda _m: foreign.excluded_reply(language, greeting_kind(text))) if foreign.speaks(language)
                     else (lambda _m: replies.plain(_EXCLUDED_REPLIES[greeting_kind(text)])))
            self.ask(event, text=text, kind="text", outcome="excluded", started=started, reply=reply,
                     language=language)
            return
        text = mask_personal_data(text)
        language = detect(without_placeholders(text))
        if foreign.speaks(language):
            self.on_foreign_text(event, text, language, started)
            return
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
                             started=started, reply=lambda m: self.japanese_answer(event, entry, m.id, related))
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
                 reply=lambda _m: self.offer_staff(replies.no_answer(self.contact())))

    def on_foreign_text(self, event: MessageEvent, text: MaskedText, language: str, started: float) -> None:
        """A question in another language: ranked and decided by the multilingual model alone
        (retrieval/foreign.py), answered with the bot's texts in that language."""
        hits = self.live.search_foreign(without_placeholders(text), language)
        decision = retrieval.foreign.decide(hits)
        top = hits[0].score if hits else None
        entry = self.live.entry(decision.hits[0].faq_id) if decision.kind == "answer" else None
        if entry is not None and entry.answer.strip():
            related = self.entries(decision.related)
            self.ask(event, text=text, outcome="answered", faq_id=entry.faq_id, score=top, language=language,
                     candidates=[entry.faq_id, *(e.faq_id for e in related)] if related else None,
                     started=started, reply=lambda m: foreign.answer(entry, m.id, language, related))
        elif entry is not None:
            self.ask(event, text=text, outcome="no_answer", faq_id=entry.faq_id, score=top, language=language,
                     started=started,
                     reply=lambda _m: foreign.not_ready(entry, self.settings.contact_text, language))
        elif entries := self.entries(decision.hits if decision.kind == "candidates" else []):
            self.ask(event, text=text, outcome="no_title", score=top, language=language,
                     candidates=[e.faq_id for e in entries], started=started,
                     reply=lambda m: foreign.candidates(entries, m.id, language))
        else:
            self.ask(event, text=text, outcome="no_title", score=top, language=language, started=started,
                     reply=lambda _m: foreign.no_answer(self.settings.contact_text, language))

    def japanese_answer(self, event, entry: EntryView, message_id: int,
                        related: list[EntryView] = ()) -> list:
        """The answer, in やさしい日本語 when the resident chose it and the entry has it; otherwise
        with a 「やさしい にほんご」 button when the entry has it. The choice is read only then."""
        if easy.has_easy(entry) and easy.wants_easy(self.session, self.user(event)):
            return replies.answer(easy.for_resident(entry, True), message_id, related)
        return easy.with_button(replies.answer(entry, message_id, related), entry, message_id)

    def user(self, event) -> str:
        return pseudonymize(getattr(event.source, "user_id", None) or "", self.settings.secret_key)

    def resident_language(self, event) -> str:
        """The language of the resident's last question (for a reply to a message with no words
        of its own: a sticker, a thanks); Japanese for a resident not heard from before."""
        return self.session.scalar(select(Message.language).where(Message.user == self.user(event))
                                   .order_by(Message.id.desc()).limit(1)) or JAPANESE

    def entries(self, hits: list[retrieval.Hit]) -> list[EntryView]:
        """The hits' entries still published (one may have been unpublished since the search)."""
        return [e for e in (self.live.entry(h.faq_id) for h in hits) if e is not None]

    def on_other_message(self, event: MessageEvent) -> None:
        """Stickers, images, ... are questions too (除外), answered with how to ask."""
        language = self.resident_language(event)
        self.ask(event, text="", kind=event.message.type, outcome="excluded", language=language,
                 started=time.perf_counter(),
                 reply=lambda _m: replies.plain(foreign.text(language, "text_only") if foreign.speaks(language)
                                                else replies.TEXT_ONLY))

    def ask(self, event, *, text: str, outcome: str, started: float, reply,
            kind: str = "text", faq_id: str | None = None, score: float | None = None,
            candidates: list[str] | None = None, language: str = JAPANESE) -> None:
        """Log one question (committed before replying), then reply and note how that went."""
        masked = text if isinstance(text, MaskedText) else mask_personal_data(text)
        claimed = self.claim(event)
        if claimed is None:
            return
        message = record_question(
            self.session, created_at=event_time(event.timestamp, claimed.received_at),
            user=claimed.user, kind=kind, text=masked,
            outcome=outcome, faq_id=faq_id, score=score, candidates=candidates,
            latency_ms=(time.perf_counter() - started) * 1000, source=self.source, language=language,
        )
        claimed.message_id = message.id
        self.reply(event, reply(message), question=message)

    # -- postbacks: a tapped candidate, 「どれでもない」, 👍/👎 ---------------------------------

    def on_postback(self, event: PostbackEvent) -> None:
        claimed = self.claim(event)
        if claimed is None:
            return
        data = {key: values[0] for key, values in parse_qs(event.postback.data).items()}
        if "topic" in data:
            self.on_topic_tap(event, claimed, data)
            return
        if "handoff" in data:
            self.on_handoff_request(event, claimed)
            return
        message = self.own_message(data.get("m"), claimed.user)
        if message is None:
            self.session.commit()
            return
        claimed.message_id = message.id
        self.session.commit()
        language = message.language if foreign.speaks(message.language) else None
        if "easy" in data:  # 「やさしい にほんご」 under an answer: remember it, answer again so
            entry = self.live.entry(message.faq_id) if message.faq_id else None
            easy.remember(self.session, claimed.user, True)
            self.reply(event, replies.plain(easy.NOT_YET) if entry is None or not easy.has_easy(entry)
                       else replies.answer(easy.for_resident(entry, True), message.id))
        elif "pick" in data:
            self.on_pick(event, message, data["pick"])
        elif "none" in data:
            self.reply(event, foreign.no_answer(self.contact(), language) if language
                       else self.offer_staff(replies.no_answer(self.contact())))
        elif data.get("fb") in ("up", "down"):
            record_feedback(self.session, message, data["fb"])
            if language:
                self.reply(event, foreign.thanks(data["fb"], self.contact(), language))
            else:
                self.reply(event, replies.plain(replies.THANKS_UP) if data["fb"] == "up"
                           else self.offer_staff(replies.thanks_down(self.contact())))

    def on_pick(self, event: PostbackEvent, message: Message, pick: str) -> None:
        """The tapped candidate (or related entry under an answer) completes the original
        question (not a new one); pick 0 is the entry the bot itself ranked first."""
        offered = message.candidates or []
        index = number(pick, below=len(offered))
        if index is None:
            return
        faq_id = offered[index]
        entry = self.live.entry(faq_id)
        language = message.language if foreign.speaks(message.language) else None
        if entry is None:  # unpublished since it was offered
            self.reply(event, foreign.no_answer(self.settings.contact_text, language) if language
                       else replies.no_answer(self.settings.contact_text))
            return
        answered = bool(entry.answer.strip())
        complete_with_choice(self.session, message, faq_id=faq_id, answered=answered,
                             score=message.score if index == 0 else None)
        if language:
            self.reply(event, foreign.answer(entry, message.id, language) if answered
                       else foreign.not_ready(entry, self.settings.contact_text, language))
        else:
            self.reply(event, self.japanese_answer(event, entry, message.id) if answered
                       else replies.not_ready(entry, self.settings.contact_text))

    def own_message(self, message_id: str | None, user: str) -> Message | None:
        """The question a postback refers to, only if this same resident asked it."""
        key = number(message_id, below=MAX_ID + 1)
        if not key:
            return None
        message = self.session.get(Message, key)
        return message if message is not None and message.user == user else None

    # -- 「通知設定」: opt-in topics (bot/subscriptions.py) -------------------------------------

    def on_notice_settings(self, event: MessageEvent) -> None:
        """The consent text and topic buttons; not a question (not logged, not counted)."""
        claimed = self.claim(event)
        if claimed is None:
            return
        if id_box(self.settings.line_id_keys) is None:
            self.reply(event, replies.plain(topic_settings.OFF))
        else:
            self.reply(event, topic_settings.menu(self.session, claimed.user))

    def on_staff_link(self, event: MessageEvent) -> None:
        """A staff member links their LINE for test sends (the code comes from the admin)."""
        claimed = self.claim(event)
        if claimed is None:
            return
        box = id_box(self.settings.line_id_keys)
        user_id = getattr(event.source, "user_id", None)
        code = staff_links.COMMAND.match(event.message.text).group(1)
        linked = bool(box and user_id and staff_links.link(self.session, box, code, user_id))
        self.reply(event, replies.plain(topic_settings.STAFF_LINKED if linked else topic_settings.STAFF_NOT_LINKED))

    # -- 「職員と話したい」: a person behind the bot (bot/handoff.py, handoff/) --------------------

    def hours(self) -> office_hours.OfficeHours:
        return office_hours.parse(self.settings.office_hours, self.settings.office_holidays)

    def contact(self) -> str:
        """The city's contact, saying so when the office is closed now."""
        if self.hours().is_open(datetime.now(timezone.utc)):
            return self.settings.contact_text
        return f"{self.settings.contact_text}\n（ただいま受付時間外です）"

    def offer_staff(self, messages: list) -> list:
        return handoff_bot.with_button(messages) if id_box(self.settings.line_id_keys) else messages

    def on_handoff_request(self, event, claimed: WebhookEvent | None = None) -> None:
        """Open a conversation with staff (not a question: not logged, not counted)."""
        claimed = claimed or self.claim(event)
        if claimed is None:
            return
        box = id_box(self.settings.line_id_keys)
        user_id = getattr(event.source, "user_id", None)
        if box is None or not user_id:
            self.reply(event, replies.plain(handoff_bot.OFF + self.settings.contact_text))
            return
        _conversation, new = handoff.start(self.session, box, claimed.user, user_id)
        now = datetime.now(timezone.utc)
        self.reply(event, replies.plain(handoff_bot.opened(self.hours(), now) if new else handoff_bot.ALREADY))

    def to_staff(self, event: MessageEvent) -> bool:
        """While a conversation with staff is open, the resident's messages go to the inbox and
        the bot does not answer them with FAQ entries; outside office hours it says when staff
        will read them. True when the message was taken so."""
        user_id = getattr(event.source, "user_id", None)
        if not user_id:
            return False
        user = pseudonymize(user_id, self.settings.secret_key)
        conversation = handoff.open_for(self.session, user)
        if conversation is None:
            return False
        claimed = self.claim(event)
        if claimed is None:
            return True
        text = event.message.text if isinstance(event.message, TextMessageContent) else f"（{event.message.type}）"
        handoff.receive(self.session, conversation, storable(text[:MAX_LENGTH]))
        now = datetime.now(timezone.utc)
        if self.hours().is_open(now):
            self.session.commit()
        else:
            self.reply(event, replies.plain(handoff_bot.out_of_hours(self.hours(), now)))
        return True

    def on_topic_tap(self, event: PostbackEvent, claimed: WebhookEvent, data: dict) -> None:
        box = id_box(self.settings.line_id_keys)
        user_id = getattr(event.source, "user_id", None)
        if box is None or not user_id:
            self.reply(event, replies.plain(topic_settings.OFF))
            return
        self.reply(event, topic_settings.on_tap(self.session, box, claimed.user, user_id, data))

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

    def reply(self, event, messages: list, *, question: Message | None = None,
              chat: str | None = None) -> None:
        """Queue a reply for the sender and commit it with everything pending in the session.
        `question`: the message whose reply status it is; `chat`: a group chat being told."""
        if event.reply_token:
            self.session.add(PendingReply(reply_token=event.reply_token, messages=[
                m.to_dict() for m in messages], message_id=question.id if question else None, chat=chat))
        elif question is not None:
            record_reply(self.session, question, error="no reply token in the event")
        self.session.commit()
        if event.reply_token:
            self.wake_sender()


def _group_chat(event) -> str | None:
    """The groupId or roomId of an event from a group or room chat; None from a 1:1 chat."""
    return getattr(event.source, "group_id", None) or getattr(event.source, "room_id", None)


def _parse_event(raw: Any) -> Event | None:
    """line-bot-sdk's model of one event, claimed under event_key(raw) in place of its
    webhookEventId; None for a type the SDK does not know. Raises for a known type in a shape
    the SDK refuses (it would turn those into UnknownEvent, hiding the mistake)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise ValueError("not an event object")
    if not Event.get_discriminator_value(raw):
        return None
    event = Event.from_dict(raw)
    event.webhook_event_id = event_key(raw)
    return event


def event_key(raw: dict) -> str:
    """What an event is claimed under: its webhookEventId when it is up to 64 ASCII letters and
    digits (LINE sends 26); any other id as a hash of it, so it fits the column and holds no NUL
    or lone surrogate. An event with an empty id is keyed by a hash of its content without
    deliveryContext: its own redelivery is still answered once, and unrelated events without an
    id are not taken for each other. Hashes start with "~", which no ULID holds."""
    event_id = raw.get("webhookEventId")
    if event_id.isascii() and event_id.isalnum() and len(event_id) <= MAX_EVENT_KEY:
        return event_id
    if not event_id:
        event_id = json.dumps({k: v for k, v in raw.items() if k != "deliveryContext"},
                              sort_keys=True)
    digest = hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()
    return "~" + digest[:MAX_EVENT_KEY - 1]


def event_time(timestamp: int, received: datetime) -> datetime:
    """When a question was asked: the event's timestamp (ms) if it lies between OLDEST_EVENT
    before and NEWEST_EVENT after its receipt, else the receive time."""
    received_ms = received.timestamp() * 1000
    oldest = received_ms - OLDEST_EVENT.total_seconds() * 1000
    newest = received_ms + NEWEST_EVENT.total_seconds() * 1000
    if not oldest <= timestamp <= newest:
        return received
    return datetime.fromtimestamp(timestamp / 1000, tz=timezone.utc)


def storable(text: str) -> str:
    """The text as both databases can keep it: NUL dropped (PostgreSQL's text refuses it) and
    each lone surrogate (valid JSON, not valid UTF-8) replaced by U+FFFD; pairs are joined."""
    text = text.replace("\x00", "")
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def number(value: str | None, *, below: int) -> int | None:
    """A count written in ASCII digits below `below`, else None. str.isdigit() also accepts
    「²」 and Arabic-Indic digits, and int() refuses more than 4,300 digits."""
    if not value or not value.isascii() or not value.isdigit() or len(value) > len(str(below)):
        return None
    parsed = int(value)
    return parsed if parsed < below else None


def _first_line(exc: BaseException) -> str:
    """The driver's own message (no statement, no parameters) for a log line."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"


def _label(raw: Any) -> str:
    """An event for a log line: its id and type, cut short and ASCII-escaped (never its user or
    text, and never the repr of a value that may be nested too deep to print)."""
    if not isinstance(raw, dict):
        return f"of JSON type {type(raw).__name__}"
    return " ".join(ascii(value[:40]) if isinstance(value, str) else type(value).__name__
                    for value in (raw.get("webhookEventId"), raw.get("type")))
