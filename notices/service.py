"""Notices: drafted (by staff or another system), approved by an administrator, then handed to
delivery (notices/delivery.py). Every step is noted on the notice with who and when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import flex
from db import utcnow
from notices.models import Notice, Topic

if TYPE_CHECKING:
    from linebot.v3.messaging import FlexMessage

MAX_TITLE = 40
MAX_TEXT = 1000  # a notice is read on a phone; the page behind the button holds the rest


class NoticeError(ValueError):
    """A notice that cannot be kept or a step not allowed now; the message is for staff."""


@dataclass
class Draft:
    title: str
    text: str
    topic_ids: list[int]
    url: str = ""
    image_url: str = ""
    send_at: datetime | None = None


def check(session: Session, draft: Draft, now: datetime | None = None) -> list[str]:
    """Everything wrong with a draft, in Japanese; [] when it can be kept."""
    problems = []
    if not draft.title.strip():
        problems.append("件名を入力してください。")
    elif len(draft.title.strip()) > MAX_TITLE:
        problems.append(f"件名は{MAX_TITLE}文字までです。")
    if not draft.text.strip():
        problems.append("本文を入力してください。")
    elif len(draft.text.strip()) > MAX_TEXT:
        problems.append(f"本文は{MAX_TEXT}文字までです。詳しい内容はリンク先に載せてください。")
    if draft.url.strip() and not flex.linkable(draft.url.strip()):
        problems.append("リンクは http:// か https:// で始まる1000文字までのURLにしてください。")
    if draft.image_url.strip() and not (draft.image_url.strip().startswith("https://")
                                        and flex.linkable(draft.image_url.strip())):
        problems.append("画像のURLは https:// で始まる1000文字までのURLにしてください（LINEの決まりです）。")
    if not draft.topic_ids:
        problems.append("配信する分野を1つ以上選んでください。")
    else:
        known = set(session.scalars(select(Topic.id).where(Topic.id.in_(draft.topic_ids))))
        if known != set(draft.topic_ids):
            problems.append("選んだ分野の中に、ない分野があります。")
    if draft.send_at is not None and draft.send_at.tzinfo is None:
        problems.append("配信日時にタイムゾーンがありません。")
    elif draft.send_at is not None and draft.send_at < (now or utcnow()):
        problems.append("配信日時が過ぎています。すぐに配信するなら空欄にしてください。")
    return problems


def draft_notice(session: Session, draft: Draft, by: str, source: str = "admin") -> Notice:
    problems = check(session, draft)
    if problems:
        raise NoticeError("\n".join(problems))
    notice = Notice(title=draft.title.strip(), text=draft.text.strip(), url=draft.url.strip(),
                    image_url=draft.image_url.strip(), topic_ids=sorted(set(draft.topic_ids)),
                    send_at=draft.send_at, status="draft", source=source, history=[])
    note(notice, "drafted", by)
    session.add(notice)
    session.flush()
    return notice


def approve(session: Session, notice: Notice, by: str) -> None:
    """An administrator's approval: the notice goes out at its time (now when it has none)."""
    if notice.status != "draft":
        raise NoticeError("承認待ちのお知らせだけを承認できます。")
    if notice.send_at is not None and notice.send_at < utcnow():
        raise NoticeError("配信日時が過ぎています。新しく作り直してください。")
    notice.status = "approved"
    note(notice, "approved", by)


def cancel(session: Session, notice: Notice, by: str) -> None:
    if notice.status not in ("draft", "approved"):
        raise NoticeError("配信を始めたお知らせは取り消せません。")
    notice.status = "cancelled"
    note(notice, "cancelled", by)


def note(notice: Notice, action: str, by: str) -> None:
    """One step in the notice's history (a new list, so the JSON column sees the change)."""
    notice.history = [*(notice.history or []), {"action": action, "by": by, "at": utcnow().isoformat()}]


def topic_names(session: Session, notice: Notice) -> list[str]:
    return list(session.scalars(select(Topic.name).where(Topic.id.in_(notice.topic_ids)).order_by(Topic.id)))


def message(notice: Notice | Draft) -> FlexMessage:
    """The notice as residents receive it: a card (image, title, text, button to the page), and
    the same as text for clients that cannot show cards."""
    from bot.replies import fit  # line-bot-sdk: loaded by the first notice built, not by the admin

    link = f"\n\n詳しくはこちら: {notice.url}" if notice.url else ""
    alt = fit(f"【{notice.title}】\n{notice.text}", flex.MAX_ALT_TEXT - len(link.encode("utf-16-le")) // 2) + link
    return flex.bubble(alt, notice.text, title=notice.title, url=notice.url, image_url=notice.image_url)
