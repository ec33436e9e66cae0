"""The message log as CSV: export for staff and import of a previous chatbot's history.

Header `id,timestamp,user,text,outcome,faq_id,score,review,correct_faq_id,language`; timestamps
ISO 8601 with an offset (written in Japan time, +09:00); outcome, review and language written as
staff read them (回答, 再学習要, 英語, …) and read back as those labels or as the stored values
(answered, relearn, en, …). `language` is the language the bot spoke; a file without that column
(a previous chatbot's history, an export from before it existed) still imports, as Japanese.
Import checks the whole file first: any bad row is reported with its line number and nothing is
stored. On the way in, text is masked and a raw LINE user id (U + 32 hex digits) is replaced by its
pseudonym: the log never holds either.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from analytics.languages import LANGUAGE_LABELS, parse_language
from analytics.masking import mask_personal_data
from analytics.models import Message
from analytics.outcomes import OUTCOME_LABELS, REVIEW_LABELS, parse_outcome, parse_review
from analytics.periods import JST, month_range
from analytics.pseudonym import pseudonymize
from faq.csvio import ENCODING_NAMES, read_table, write_table

HEADER = ("id", "timestamp", "user", "text", "outcome", "faq_id", "score", "review", "correct_faq_id")
LANGUAGE = "language"  # optional on import, so older files still import
EXPORT_HEADER = (*HEADER, LANGUAGE)
MAX_REPORTED = 20  # problems listed before "…and N more"
_LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")
_ID_LENGTH = 64  # user, faq_id and correct_faq_id columns


class LogError(ValueError):
    """Rows that cannot be taken; each problem names its line. Nothing was stored."""

    def __init__(self, problems: list[str], action: str = "取り込み"):
        shown = problems[:MAX_REPORTED]
        if len(problems) > MAX_REPORTED:
            shown.append(f"…ほか {len(problems) - MAX_REPORTED} 件")
        super().__init__(f"{action}を中止しました（何も保存していません）:\n" + "\n".join(shown))
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    inserted: int
    encoding: str  # a key of csvio.ENCODING_NAMES

    def describe(self) -> str:
        return f"{self.inserted:,} 件の履歴を取り込みました（文字コード: {ENCODING_NAMES[self.encoding]}）。"


# --- export --------------------------------------------------------------------------------

def export_log(session: Session, target: str | Path | IO[str], month: tuple[int, int] | None = None) -> int:
    """Write the log (one JST month, or all of it) oldest first; returns the number of rows."""
    query = select(Message.id, Message.created_at, Message.user, Message.text, Message.outcome,
                   Message.faq_id, Message.score, Message.review, Message.correct_faq_id, Message.language)
    if month:
        start, end = month_range(*month)
        query = query.where(Message.created_at >= start, Message.created_at < end)
    written = 0

    def rows():
        nonlocal written
        for row in session.execute(query.order_by(Message.created_at, Message.id)).yield_per(2000):
            written += 1
            yield (row.id, row.created_at.astimezone(JST).isoformat(), row.user, row.text,
                   OUTCOME_LABELS[row.outcome], row.faq_id or "", "" if row.score is None else repr(row.score),
                   REVIEW_LABELS.get(row.review, ""), row.correct_faq_id or "",
                   LANGUAGE_LABELS.get(row.language, row.language or ""))

    write_table(target, EXPORT_HEADER, rows())
    return written


# --- import --------------------------------------------------------------------------------

def import_log(session: Session, source: str | Path | bytes, key: str) -> ImportResult:
    """Check every row, then insert them all in bulk; the caller commits. `key` pseudonymizes."""
    table = read_table(source, HEADER)
    problems: list[str] = []
    records: list[dict] = []
    lines_by_id: dict[int, int] = {}
    for line, row in table.rows:
        try:
            record = _record(row, key)
        except ValueError as exc:
            problems.append(f"{line}行目: {exc}")
            continue
        if "id" in record:
            if record["id"] in lines_by_id:
                problems.append(f"{line}行目: id {record['id']} が {lines_by_id[record['id']]}行目と重複しています")
            lines_by_id[record["id"]] = line
        records.append(record)
    problems += _taken_ids(session, lines_by_id)
    if problems:
        raise LogError(problems)
    _insert(session, records)
    return ImportResult(inserted=len(records), encoding=table.encoding)


def _record(row: dict[str, str], key: str) -> dict:
    record = {
        "created_at": parse_timestamp(row["timestamp"]),
        "user": _user(row["user"].strip(), key),
        "kind": "text",
        "text": mask_personal_data(row["text"]),
        "outcome": parse_outcome(row["outcome"]),
        "faq_id": _entry_id(row["faq_id"], "faq_id"),
        "score": _score(row["score"]),
        "review": parse_review(row["review"]),
        "correct_faq_id": _entry_id(row["correct_faq_id"], "correct_faq_id"),
        "source": "import",
        "language": parse_language(row.get(LANGUAGE, "")),
    }
    if row["id"].strip():
        record["id"] = _message_id(row["id"])
    return record


def parse_timestamp(cell: str) -> datetime:
    """ISO 8601 with any UTC offset; a time without one is refused rather than guessed."""
    value = cell.strip()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"timestamp「{value}」を読めません（例: 2022-04-01T09:30:00+09:00）") from None
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp「{value}」に時差がありません。+09:00（日本時間）などを付けてください")
    return parsed


def _message_id(cell: str) -> int:
    value = cell.strip()
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise ValueError(f"id「{value}」は正の整数ではありません（新しい番号を振るなら空欄に）")
    return int(value)


def _score(cell: str) -> float | None:
    value = cell.strip()
    if not value:
        return None
    try:
        score = float(value)
    except ValueError:
        raise ValueError(f"score「{value}」は数値ではありません") from None
    if not math.isfinite(score):
        raise ValueError(f"score「{value}」は数値ではありません")
    return score


def _entry_id(cell: str, column: str) -> str | None:
    value = cell.strip()
    if len(value) > _ID_LENGTH:
        raise ValueError(f"{column} が長すぎます（{_ID_LENGTH}文字まで）")
    return value or None


def _user(value: str, key: str) -> str:
    """A raw LINE user id becomes its pseudonym; anything else is already one."""
    if _LINE_USER_ID.fullmatch(value):
        return pseudonymize(value, key)
    if len(value) > _ID_LENGTH:
        raise ValueError(f"user が長すぎます（{_ID_LENGTH}文字まで）")
    return value


def _taken_ids(session: Session, lines_by_id: dict[int, int]) -> list[str]:
    ids = sorted(lines_by_id)
    taken: list[int] = []
    for i in range(0, len(ids), 1000):
        taken += session.scalars(select(Message.id).where(Message.id.in_(ids[i:i + 1000])))
    return [f"{lines_by_id[i]}行目: id {i} は既に記録にあります（新しい番号を振るなら id を空欄に）"
            for i in sorted(taken, key=lines_by_id.get)]


def _insert(session: Session, records: list[dict]) -> None:
    """Core executemany on the table: the ORM's bulk path costs several times more per row
    (measured in bench/logs_import.py). Rows with and without an id go separately."""
    table = Message.__table__
    with_id = [r for r in records if "id" in r]
    without_id = [r for r in records if "id" not in r]
    if with_id:
        session.execute(table.insert(), with_id)
        if session.get_bind().dialect.name == "postgresql":
            # Explicit ids do not move PostgreSQL's sequence: move it past them before new rows.
            session.execute(text("SELECT setval(pg_get_serial_sequence('message', 'id'), :top)"),
                            {"top": session.scalar(select(func.max(Message.id)))})
    if without_id:
        session.execute(table.insert(), without_id)
