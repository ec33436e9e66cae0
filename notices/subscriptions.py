"""Who receives which topic. A resident's LINE user id is kept (encrypted) only while they are
subscribed to at least one topic; nothing else about them is kept here."""
from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from errors import UserError
from notices.crypto import IdBox
from notices.models import Subscriber, Subscription, Topic

MAX_TOPIC_NAME = 14  # 「…を受け取る」 must fit LINE's 20-character button label


class TopicError(UserError, ValueError):
    """A topic staff entered that cannot be kept; the message is for staff."""


def active_topics(session: Session) -> list[Topic]:
    return list(session.scalars(select(Topic).where(Topic.active).order_by(Topic.id)))


def all_topics(session: Session) -> list[Topic]:
    return list(session.scalars(select(Topic).order_by(Topic.id)))


def subscriber_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(Subscription.topic_id, func.count()).group_by(Subscription.topic_id))
    return {topic_id: count for topic_id, count in rows}


def save_topic(session: Session, name: str, description: str = "", *, topic_id: int | None = None,
               active: bool = True) -> Topic:
    """Add a topic (topic_id None) or change one; the name must be unique and fit a button."""
    name, description = name.strip(), description.strip()
    if not name:
        raise TopicError("分野名を入力してください。")
    if len(name) > MAX_TOPIC_NAME:
        raise TopicError(f"分野名は{MAX_TOPIC_NAME}文字までです（LINEのボタンに表示されます）。")
    if len(description) > 200:
        raise TopicError("説明は200文字までです。")
    same = session.scalar(select(Topic).where(Topic.name == name))
    if same is not None and same.id != topic_id:
        raise TopicError(f"分野「{name}」はすでにあります。")
    topic = session.get(Topic, topic_id) if topic_id else Topic()
    if topic is None:
        raise TopicError("その分野は見つかりません。")
    topic.name, topic.description, topic.active = name, description, active
    session.add(topic)
    session.flush()
    return topic


def subscribed(session: Session, user: str) -> set[int]:
    """The ids of the topics this resident (pseudonym) receives."""
    return set(session.scalars(select(Subscription.topic_id).join(Subscriber).where(Subscriber.user == user)))


def subscribe(session: Session, box: IdBox, user: str, line_user_id: str, topic_id: int) -> bool:
    """Subscribe a resident to an active topic (their id kept encrypted from now on); False if
    there is no such active topic. Idempotent: a second tap, or two at once, keeps one row."""
    topic = session.get(Topic, topic_id)
    if topic is None or not topic.active:
        return False
    subscriber = session.scalar(select(Subscriber).where(Subscriber.user == user))
    if subscriber is None:
        subscriber = Subscriber(user=user, line_user_id=box.seal(line_user_id))
        if not _insert(session, subscriber):
            subscriber = session.scalar(select(Subscriber).where(Subscriber.user == user))
    if session.scalar(select(Subscription.id).where(Subscription.subscriber_id == subscriber.id,
                                                    Subscription.topic_id == topic_id)) is None:
        _insert(session, Subscription(subscriber_id=subscriber.id, topic_id=topic_id))
    return True


def unsubscribe(session: Session, user: str, topic_id: int | None = None) -> None:
    """Drop one topic (or all, topic_id None); with none left, the LINE user id is deleted."""
    subscriber_id = session.scalar(select(Subscriber.id).where(Subscriber.user == user))
    if subscriber_id is None:
        return
    query = delete(Subscription).where(Subscription.subscriber_id == subscriber_id)
    if topic_id is not None:
        query = query.where(Subscription.topic_id == topic_id)
    session.execute(query)
    if not session.scalar(select(func.count()).select_from(Subscription)
                          .where(Subscription.subscriber_id == subscriber_id)):
        session.execute(delete(Subscriber).where(Subscriber.id == subscriber_id))


def forget(session: Session, user: str) -> None:
    """The resident blocked the account: every subscription and the id go."""
    unsubscribe(session, user)


def recipients(session: Session, box: IdBox, topic_ids: list[int]) -> tuple[list[str], int]:
    """The LINE user ids subscribed to any of the topics, each once, and how many could not be
    decrypted (their key was dropped from LINE_ID_KEYS)."""
    tokens = session.scalars(select(Subscriber.line_user_id).where(Subscriber.id.in_(
        select(Subscription.subscriber_id).where(Subscription.topic_id.in_(topic_ids)))).order_by(Subscriber.id))
    ids, unreadable = [], 0
    for token in tokens:
        user_id = box.open(token)
        if user_id is None:
            unreadable += 1
        else:
            ids.append(user_id)
    return ids, unreadable


def rotate(session: Session, box: IdBox) -> int:
    """Re-encrypt every kept id with the first key; how many were re-encrypted."""
    count = 0
    for subscriber in session.scalars(select(Subscriber)):
        if box.open(subscriber.line_user_id) is not None:
            subscriber.line_user_id = box.rotate(subscriber.line_user_id)
            count += 1
    return count


def _insert(session: Session, row) -> bool:
    """Insert in a savepoint; False when a concurrent insert won the unique constraint."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True
