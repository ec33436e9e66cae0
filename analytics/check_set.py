"""The city's own questions for the check before publishing (admin/check_jobs.py): every logged
question staff judged 正答 (the entry that answered) or relearned to an entry, one per masked text,
the newest judgement winning. With too few, the FAQ's own phrasings stand in: one alternate of each
entry is held out of the index and asked as a question. Never the sample city's questions. No Flask.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.models import LOCAL_CHAT_SOURCE, Message, Review
from faq import services as faq_services

MIN_JUDGED = 20  # below this the log says too little about a change: the alternates stand in


def text_key(text: str) -> str:
    """The same question whatever its spacing (how questions are deduplicated and held out)."""
    return " ".join(text.split())


@dataclass(frozen=True)
class CheckSet:
    queries: list[dict]  # {"query": …, "relevant": [faq_id]} as retrieval.evaluate takes them
    source: str  # "log" | "alternates"
    judged: int  # judged questions in the log naming an entry, one per text
    duplicates: int  # judged rows with the text of a newer one
    missing: int  # judged questions whose entry has been deleted or unpublished since
    held_out: frozenset[str]  # text_key of each question: kept out of the index while it is asked

    def describe(self) -> str:
        """What the questions are, for staff."""
        skipped = f"（削除・非公開になった FAQ の質問 {self.missing:,} 問は除外）" if self.missing else ""
        if self.source == "log":
            return (f"市の記録から、職員が「正答」または「再学習」と判定した質問 {len(self.queries):,} 問を"
                    f"使いました{skipped}。")
        return (f"判定済みの質問が {self.judged - self.missing:,} 問と少ない（{MIN_JUDGED} 問未満）ため、"
                f"代わりに各 FAQ の言い換えを 1 つずつ索引から外して質問にしました（{len(self.queries):,} 問）"
                f"{skipped}。回答の判定が進むと、市民の実際の質問で確かめられます。")


def build(session: Session) -> CheckSet:
    """The check set from the judged log, or from the FAQ's alternates when the log has too few."""
    published = {entry.faq_id: entry for entry in faq_services.list_entries(session, status="published")}
    rows = session.execute(
        select(Message.text, Message.review, Message.faq_id, Message.correct_faq_id)
        .where(Message.review.in_((Review.CORRECT, Review.RELEARN)), Message.kind == "text",
               Message.source != LOCAL_CHAT_SOURCE)  # staff trying the bot are not residents
        .order_by(Message.id.desc()))
    seen: set[str] = set()
    queries: list[dict] = []
    duplicates = missing = 0
    for text, review, faq_id, correct_faq_id in rows:
        key = text_key(text)
        target = correct_faq_id or (faq_id if review == Review.CORRECT else None)
        if not key or not target:
            continue  # a relearn judgement that names no entry says nothing to score against
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        if target not in published:
            missing += 1
            continue
        queries.append({"query": key, "relevant": [target]})
    queries.reverse()  # oldest first, as they were asked
    if len(queries) >= MIN_JUDGED:
        return CheckSet(queries, "log", len(seen), duplicates, missing,
                        frozenset(q["query"] for q in queries))
    stand_ins = [{"query": text_key(entry.alternates[-1].text), "relevant": [entry.faq_id]}
                 for entry in published.values() if entry.alternates]
    return CheckSet(stand_ins, "alternates", len(seen), duplicates, missing,
                    frozenset(q["query"] for q in stand_ins))
