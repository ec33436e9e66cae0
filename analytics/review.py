"""Staff judgements on the log: bulk apply from a spreadsheet, and what is still to review.

`apply_reviews` reads an exported log that staff edited in Excel (CSV in UTF-8 or cp932, Excel's
「Unicode テキスト」 or an .xlsx book: common.spreadsheet; only the columns `id` and `review` are
required, `correct_faq_id` is optional). It is `plan_reviews` (what would change, or why a row is
refused) then `apply_plan`; the admin's upload shows the plan and applies it on a second request,
and `apply_plan` refuses when a planned row was judged differently in between. Per row:
- `review` empty and `correct_faq_id` empty: the row is left as it is (an old export applied late
  never erases newer judgements);
- `review` correct / relearn / excluded (or 正答 / 再学習要 / 除外) sets the judgement;
- `correct_faq_id` names the entry that should have answered: the question is relearned as an
  alternate phrasing of it (faq.services.relearn, which bumps the index version so every worker
  picks it up). With `review` empty this means relearn (or correct, when it is the entry the bot
  answered with); with review=excluded it is a contradiction and refused.
Every row is checked first (unknown id, unknown entry, bad value → its line number); any problem
and nothing is applied. The caller commits.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.logcsv import LogError
from analytics.models import REVIEWS, Message, Outcome, Review
from analytics.outcomes import REVIEW_LABELS, parse_review
from analytics.periods import fiscal_year_range
from db import MAX_ID, utcnow
from faq import services as faq_services
from faq.entries import EntryError
from common.csvio import ENCODING_NAMES, Table
from common.spreadsheet import read_spreadsheet
from faq.models import FaqEntry

_CHUNK = 1000


class ReviewStatus(NamedTuple):
    unreviewed: int  # answered questions no one has judged yet (they count as 正答 meanwhile)
    thumbs_down: int  # answers a resident marked 👎


@dataclass(frozen=True)
class Judgement:
    line: int
    message_id: int
    review: str | None
    correct_faq_id: str | None


@dataclass(frozen=True)
class Change:
    """One row that changes a judgement: the state the plan was made on, and what it sets."""
    line: int
    message_id: int
    old_review: str | None
    old_correct_faq_id: str | None
    review: str
    correct_faq_id: str | None
    relearn: bool  # the question becomes an alternate phrasing of correct_faq_id


@dataclass(frozen=True)
class ReviewPlan:
    changes: list[Change]
    problems: list[str]  # refused rows, each naming its line; any and nothing is applied
    unchanged: int
    encoding: str  # a key of csvio.ENCODING_NAMES


@dataclass(frozen=True)
class ReviewSummary:
    updated: Counter  # review value → rows changed
    relearned: int
    unchanged: int
    encoding: str  # a key of csvio.ENCODING_NAMES

    def describe(self) -> str:
        by_review = "・".join(f"{REVIEW_LABELS[r]} {n:,}" for r, n in sorted(self.updated.items()))
        updated = sum(self.updated.values())
        return (f"判定を反映しました（文字コード: {ENCODING_NAMES[self.encoding]}）: "
                f"更新 {updated:,} 件" + (f"（{by_review}）" if by_review else "")
                + f"、再学習 {self.relearned:,} 件、変更なし {self.unchanged:,} 件。")


def review_status(session: Session, fiscal_year: int) -> ReviewStatus:
    start, end = fiscal_year_range(fiscal_year)
    in_year = (Message.created_at >= start, Message.created_at < end)
    count = select(func.count()).select_from(Message).where(*in_year)
    return ReviewStatus(
        unreviewed=session.scalar(count.where(Message.outcome == Outcome.ANSWERED, Message.review.is_(None))),
        thumbs_down=session.scalar(count.where(Message.feedback == "down")),
    )


def apply_reviews(session: Session, source: str | Path | bytes, author: str) -> ReviewSummary:
    """Plan and apply at once (the command line); any refused row and nothing is applied."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    plan = plan_reviews(session, read_spreadsheet(data, REQUIRED))
    if plan.problems:
        raise LogError(plan.problems, "反映")
    return apply_plan(session, plan, author)


REQUIRED = ("id", "review")


def plan_reviews(session: Session, table: Table) -> ReviewPlan:
    """What the table would change, row by row, against the log as it is now; changes nothing."""
    judgements, problems = _read_judgements(table.rows)
    messages = _messages(session, [j.message_id for j in judgements])
    problems += _check(session, judgements, messages)
    changes: list[Change] = []
    unchanged = 0
    for j in judgements:
        message = messages.get(j.message_id)
        if message is None:
            continue  # refused above
        review = j.review or implied_review(message, j.correct_faq_id)
        if review is None or (review == message.review and j.correct_faq_id in (None, message.correct_faq_id)):
            unchanged += 1
            continue
        changes.append(Change(j.line, message.id, message.review, message.correct_faq_id, review,
                              j.correct_faq_id or message.correct_faq_id, relearn=bool(j.correct_faq_id)))
    return ReviewPlan(changes=changes, problems=problems, unchanged=unchanged, encoding=table.encoding)


def apply_plan(session: Session, plan: ReviewPlan, author: str) -> ReviewSummary:
    """Apply every change; if any planned row is no longer as the plan found it (judged by someone
    else meanwhile, or gone), refuse them all: LogError naming each. The caller commits."""
    messages = _messages(session, [c.message_id for c in plan.changes])
    moved = [_moved(c, messages.get(c.message_id)) for c in plan.changes]
    if any(moved):
        raise LogError([m for m in moved if m], "反映")
    updated: Counter = Counter()
    for change in plan.changes:
        judge(session, messages[change.message_id], change.review, author, change.correct_faq_id,
              relearn=change.relearn)
        updated[change.review] += 1
    return ReviewSummary(updated=updated, relearned=sum(c.relearn for c in plan.changes),
                         unchanged=plan.unchanged, encoding=plan.encoding)


def _moved(change: Change, message: Message | None) -> str | None:
    if message is None:
        return f"{change.line}行目: 質問 #{change.message_id} の記録がなくなりました"
    if (message.review, message.correct_faq_id) != (change.old_review, change.old_correct_faq_id):
        def state(review: str | None, faq_id: str | None) -> str:
            return (REVIEW_LABELS.get(review, "未判定") if review else "未判定") + (f"（{faq_id}）" if faq_id else "")
        return (f"{change.line}行目: 質問 #{change.message_id} は確認の後に判定が変わりました"
                f"（{state(change.old_review, change.old_correct_faq_id)} → "
                f"{state(message.review, message.correct_faq_id)}）")
    return None


def _read_judgements(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[Judgement], list[str]]:
    judgements: list[Judgement] = []
    problems: list[str] = []
    first_line: dict[int, int] = {}
    for line, row in rows:
        try:
            j = _judgement(line, row)
        except ValueError as exc:
            problems.append(f"{line}行目: {exc}")
            continue
        if j.message_id in first_line:
            problems.append(f"{line}行目: id {j.message_id} が {first_line[j.message_id]}行目と重複しています")
            continue
        first_line[j.message_id] = line
        judgements.append(j)
    return judgements, problems


def _check(session: Session, judgements: list[Judgement], messages: dict[int, Message]) -> list[str]:
    """Problems only the database can tell: unknown rows, unknown entries, nothing to relearn."""
    entries = _known_entries(session, {j.correct_faq_id for j in judgements if j.correct_faq_id})
    problems = []
    for j in judgements:
        message = messages.get(j.message_id)
        if message is None:
            problems.append(f"{j.line}行目: id {j.message_id} の記録はありません")
        elif j.correct_faq_id and j.correct_faq_id not in entries:
            problems.append(f"{j.line}行目: correct_faq_id「{j.correct_faq_id}」の FAQ はありません")
        elif j.correct_faq_id and not message.text.strip():
            problems.append(f"{j.line}行目: 本文のない記録（スタンプなど）は再学習できません")
    return problems


def _judgement(line: int, row: dict[str, str]) -> Judgement:
    raw_id = row["id"].strip()
    if not raw_id.isascii() or not raw_id.isdigit():
        raise ValueError(f"id「{raw_id}」は記録の番号ではありません")
    review = parse_review(row["review"])
    correct_faq_id = row.get("correct_faq_id", "").strip() or None
    if review == Review.EXCLUDED and correct_faq_id:
        raise ValueError("除外と判定した質問に correct_faq_id は指定できません")
    return Judgement(line, int(raw_id), review, correct_faq_id)


def implied_review(message: Message, correct_faq_id: str | None) -> str | None:
    """Naming the right entry without a verdict: relearn, unless the bot answered with that entry."""
    if not correct_faq_id:
        return None
    answered_right = message.outcome == Outcome.ANSWERED and message.faq_id == correct_faq_id
    return Review.CORRECT if answered_right else Review.RELEARN


def judge(session: Session, message: Message, review: str | None, author: str,
          correct_faq_id: str | None = None, relearn: bool = True) -> None:
    """Record one staff judgement (None clears it). With relearn, the question becomes an
    alternate phrasing of correct_faq_id, live in every worker (relearn bumps the index version)."""
    if review is not None and review not in REVIEWS:
        raise EntryError("不明な判定です。")
    if correct_faq_id and relearn:
        if review == Review.EXCLUDED:
            raise EntryError("除外した質問は再学習できません。")
        if not message.text.strip():
            raise EntryError("本文のない質問（スタンプなど）は再学習できません。")
        faq_services.relearn(session, correct_faq_id, message.text, author)
    message.review = review
    message.correct_faq_id = correct_faq_id
    message.reviewed_by = author if review else None
    message.reviewed_at = utcnow() if review else None
    session.flush()


def _messages(session: Session, ids: list[int]) -> dict[int, Message]:
    found: dict[int, Message] = {}
    unique = sorted(i for i in set(ids) if i <= MAX_ID)  # beyond: no row (and the databases refuse to compare it)
    for i in range(0, len(unique), _CHUNK):
        for message in session.scalars(select(Message).where(Message.id.in_(unique[i:i + _CHUNK]))):
            found[message.id] = message
    return found


def _known_entries(session: Session, faq_ids: set[str]) -> set[str]:
    return set(session.scalars(select(FaqEntry.faq_id).where(FaqEntry.faq_id.in_(faq_ids)))) if faq_ids else set()
