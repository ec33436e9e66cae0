"""Record staff actions and read them back. No Flask here; record() does not commit: the event
is part of the caller's unit of work, so it is written exactly when what it describes is."""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Iterator

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from common.csvio import write_table
from common.jst import JST

ACTIONS = {
    "login": "ログイン", "login_failed": "ログイン失敗", "logout": "ログアウト",
    "user_create": "ユーザー作成", "user_role": "役割の変更", "user_password": "パスワード再設定",
    "user_delete": "ユーザー削除", "user_departments": "担当課の変更",
    "faq_create": "FAQ作成", "faq_update": "FAQ編集", "faq_publish": "FAQ公開・非公開",
    "faq_restore": "FAQ復元", "faq_import": "FAQ取り込み", "faq_review": "FAQ内容確認",
    "synonym_set": "同義語の登録", "synonym_delete": "同義語の削除",
    "review_judge": "判定", "review_relearn": "再学習", "review_apply": "判定CSVの反映",
    "log_import": "質問ログの取り込み",
    "faq_download": "FAQの書き出し", "report_download": "報告の書き出し", "log_download": "質問ログの書き出し",
    "audit_download": "操作履歴の書き出し", "stale_download": "見直しリストの書き出し",
    "notice_draft": "お知らせの作成", "notice_approve": "お知らせの承認", "notice_cancel": "お知らせの取り消し",
    "notice_test": "お知らせの試し送信",
}
CSV_HEADER = ("日時", "ユーザー", "操作", "対象", "内容", "接続元")
CLI_CLIENT = "コマンド"
_NAME_SHOWN = 2  # characters of a typed login name kept in the trail


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str
    client: str = ""


@dataclass(frozen=True)
class Filters:
    start: date | None = None  # Japan dates, both ends included
    end: date | None = None
    actor: str = ""
    action: str = ""


def record(session: Session, actor: Actor, action: str, target: str = "", detail: str = "") -> AuditEvent:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    event = AuditEvent(actor_id=actor.id, actor_name=actor.name[:100], action=action, target=target[:200],
                       detail=detail, client=actor.client[:64])
    session.add(event)
    return event


def command_line_actor() -> Actor:
    """Who ran a command: the operating-system account (the database has no staff login there)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container without a passwd entry
        user = "不明"
    return Actor(None, f"{CLI_CLIENT}（{user}）", CLI_CLIENT)


def masked_login_name(typed: str) -> str:
    """A failed login's typed name, cut to its first characters: enough to tell one person's
    typos from a sweep of names, not enough to hold a password typed into the wrong box."""
    typed = "".join(c for c in typed.strip() if c.isprintable())
    if not typed:
        return "（空欄）"
    return typed[:_NAME_SHOWN if len(typed) > 3 else 1] + "＊＊＊"


def _query(filters: Filters) -> Select:
    query = select(AuditEvent)
    if filters.start:
        query = query.where(AuditEvent.created_at >= datetime.combine(filters.start, time(), JST))
    if filters.end:
        query = query.where(AuditEvent.created_at < datetime.combine(filters.end + timedelta(days=1), time(), JST))
    if filters.actor:
        query = query.where(AuditEvent.actor_name == filters.actor)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    return query


def count(session: Session, filters: Filters) -> int:
    return session.scalar(select(func.count()).select_from(_query(filters).subquery())) or 0


def events(session: Session, filters: Filters, limit: int | None = None, offset: int = 0) -> list[AuditEvent]:
    query = _query(filters).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def actor_names(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.actor_name).distinct().order_by(AuditEvent.actor_name)))


def export_csv(session: Session, filters: Filters, target: IO[str]) -> int:
    """The filtered trail as CSV for Excel (UTF-8 with BOM; a cell that looks like a formula is
    written as text, by common.csvio)."""
    rows = [(e.created_at.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, ACTIONS.get(e.action, e.action),
             e.target, e.detail, e.client) for e in _stream(session, filters)]
    write_table(target, CSV_HEADER, rows)
    return len(rows)


def _stream(session: Session, filters: Filters) -> Iterator[AuditEvent]:
    query = _query(filters).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    yield from session.scalars(query.execution_options(yield_per=1000))
