"""FAQ curation: entries, their history, relearning, synonyms, and the index version.

The caller owns the transaction: these functions add and flush, and the caller commits (one
request or one command = one commit), so a bulk operation is all-or-nothing. Every change to an
entry records a FaqRevision snapshot and bumps IndexState.version, which tells every worker's
LiveIndex to rebuild. No Flask here.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db import utcnow
from faq.entries import (EntryError, EntryRow, check_alternate, differences, row_of, snapshot, validate,
                         write)
from faq.models import FaqAlternate, FaqEntry, FaqRevision, IndexState, Synonym
from retrieval.language import FOREIGN

if TYPE_CHECKING:  # importing retrieval loads torch: only the index builders pay for it
    import retrieval

STATUSES = ("published", "unpublished", "empty_answer")
STATE_ID = 1


# --- the index version ---------------------------------------------------------------------

def current_version(session: Session) -> int:
    return session.scalar(select(IndexState.version).where(IndexState.id == STATE_ID)) or 0


def bump_version(session: Session) -> None:
    bumped = session.execute(
        update(IndexState).where(IndexState.id == STATE_ID).values(version=IndexState.version + 1))
    if bumped.rowcount:
        return
    try:
        with session.begin_nested():  # two processes may create the row at once
            session.add(IndexState(id=STATE_ID, version=1))
    except IntegrityError:
        bump_version(session)


# --- what the search index is built from ------------------------------------------------------

def document_of(row: EntryRow) -> retrieval.Document:
    from retrieval import Document

    translated = tuple((code, row.translations[f"question_{code}"]) for code in FOREIGN
                       if row.translations.get(f"question_{code}", "").strip())
    return Document(faq_id=row.faq_id, question=row.question, alternates=tuple(row.alternates),
                    answer=row.answer, translated_questions=translated)


def documents(session: Session) -> list[retrieval.Document]:
    """Published entries, empty answers included: the bot must recognise them to say 回答未入力."""
    return [document_of(row_of(entry)) for entry in list_entries(session, status="published")]


def synonyms(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Synonym.term, Synonym.canonical).order_by(Synonym.term)).all())


# --- reading entries -----------------------------------------------------------------------

def get_entry(session: Session, faq_id: str) -> FaqEntry | None:
    return session.scalar(select(FaqEntry).where(FaqEntry.faq_id == faq_id))


def require_entry(session: Session, faq_id: str) -> FaqEntry:
    entry = get_entry(session, faq_id)
    if entry is None:
        raise EntryError(f"ID「{faq_id}」の FAQ はありません。")
    return entry


def list_entries(session: Session, *, category: str = "", department: str = "", status: str = "",
                 text: str = "") -> list[FaqEntry]:
    """Entries in the city's order, filtered; `status` is one of STATUSES or empty for all."""
    query = select(FaqEntry).options(selectinload(FaqEntry.alternates)).order_by(FaqEntry.id)
    if category:
        query = query.where(FaqEntry.category == category)
    if department:
        query = query.where(FaqEntry.department == department)
    if status == "published":
        query = query.where(FaqEntry.published.is_(True))
    elif status == "unpublished":
        query = query.where(FaqEntry.published.is_(False))
    elif status == "empty_answer":
        query = query.where(FaqEntry.answer == "")
    elif status:
        raise ValueError(f"unknown status {status!r}")
    if text:
        pattern = f"%{text}%"
        in_alternates = select(FaqAlternate.id).where(
            FaqAlternate.entry_id == FaqEntry.id, FaqAlternate.text.like(pattern)).exists()
        query = query.where(or_(FaqEntry.faq_id.like(pattern), FaqEntry.question.like(pattern),
                                FaqEntry.answer.like(pattern), in_alternates))
    return list(session.scalars(query))


def categories(session: Session) -> list[str]:
    return list(session.scalars(select(FaqEntry.category).distinct().order_by(FaqEntry.category)))


def departments(session: Session) -> list[str]:
    return list(session.scalars(select(FaqEntry.department).distinct().order_by(FaqEntry.department)))


def entry_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(FaqEntry)) or 0


def history(session: Session, faq_id: str) -> list[FaqRevision]:
    """Revisions of one entry, newest first (deleted entries keep theirs)."""
    return list(session.scalars(
        select(FaqRevision).where(FaqRevision.faq_id == faq_id)
        .order_by(FaqRevision.created_at.desc(), FaqRevision.id.desc())))


# --- changing entries ----------------------------------------------------------------------

def record(session: Session, entry: FaqEntry, action: str, author: str) -> FaqRevision:
    """Snapshot the entry after a change (flushing first so alternates are as saved)."""
    session.flush()
    revision = FaqRevision(faq_id=entry.faq_id, action=action, snapshot=snapshot(entry), author=author)
    session.add(revision)
    return revision


def create_entry(session: Session, row: EntryRow, author: str = "") -> FaqEntry:
    row = validate(row)
    if get_entry(session, row.faq_id) is not None:
        raise EntryError(f"ID「{row.faq_id}」はすでに使われています。")
    entry = FaqEntry(faq_id=row.faq_id, published=True)
    write(entry, row, source="staff")
    session.add(entry)
    record(session, entry, "create", author)
    bump_version(session)
    return entry


def update_entry(session: Session, row: EntryRow, author: str = "") -> FaqEntry:
    """Replace the content of the entry `row.faq_id` (the id itself never changes). Saving
    without a change still counts as a review (faq/freshness.py)."""
    row = validate(row)
    entry = require_entry(session, row.faq_id)
    if differences(row_of(entry), row):
        write(entry, row, source="staff")
        record(session, entry, "update", author)
        bump_version(session)
    else:
        entry.reviewed_at = utcnow()
    return entry


def set_published(session: Session, faq_id: str, published: bool, author: str = "") -> FaqEntry:
    entry = require_entry(session, faq_id)
    if entry.published != published:
        entry.published = published
        record(session, entry, "publish" if published else "unpublish", author)
        bump_version(session)
    return entry


def delete_entry(session: Session, faq_id: str, author: str = "") -> None:
    """Remove the entry; its history stays, ending with a "delete" revision it can be restored from."""
    entry = require_entry(session, faq_id)
    record(session, entry, "delete", author)
    session.delete(entry)
    bump_version(session)


def restore_revision(session: Session, revision_id: int, author: str = "") -> FaqEntry:
    """Bring the entry back to a snapshot, recreating it if it was deleted."""
    revision = session.get(FaqRevision, revision_id)
    if revision is None:
        raise EntryError(f"履歴 {revision_id} はありません。")
    saved = revision.snapshot
    row = validate(EntryRow(**{name: saved[name] for name in (
        "faq_id", "category", "question", "alternates", "answer", "url", "department")},
        translations=saved.get("translations", {})))  # snapshots from before translations have none
    entry = get_entry(session, row.faq_id)
    if entry is None:
        entry = FaqEntry(faq_id=row.faq_id)
        session.add(entry)
    write(entry, row, source="staff")
    entry.published = saved.get("published", True)
    record(session, entry, "restore", author)
    bump_version(session)
    return entry


def relearn(session: Session, faq_id: str, text: str, author: str = "") -> None:
    """Teach the entry a resident's phrasing. Already known (as question or alternate): no change."""
    text = text.strip()
    if not text:
        raise EntryError("再学習する文が空です。")
    check_alternate(text)
    entry = require_entry(session, faq_id)
    if text == entry.question or any(alt.text == text for alt in entry.alternates):
        return
    entry.alternates.append(FaqAlternate(text=text, source="relearn"))
    record(session, entry, "relearn", author)
    bump_version(session)


# --- synonyms ------------------------------------------------------------------------------

def set_synonym(session: Session, term: str, canonical: str) -> Synonym:
    """Read `term` as `canonical` in questions and entries alike (e.g. マイナ → マイナンバーカード)."""
    term, canonical = term.strip(), canonical.strip()
    if not term or not canonical:
        raise EntryError("同義語と置き換え先の両方を入力してください。")
    if term == canonical:
        raise EntryError("同義語と置き換え先が同じです。")
    if len(term) > 100 or len(canonical) > 100:
        raise EntryError("同義語は100文字までです。")
    synonym = session.scalar(select(Synonym).where(Synonym.term == term))
    if synonym is None:
        synonym = Synonym(term=term, canonical=canonical)
        session.add(synonym)
    elif synonym.canonical == canonical:
        return synonym
    synonym.canonical = canonical
    session.flush()
    bump_version(session)
    return synonym


def delete_synonym(session: Session, term: str) -> None:
    synonym = session.scalar(select(Synonym).where(Synonym.term == term.strip()))
    if synonym is None:
        raise EntryError(f"同義語「{term}」はありません。")
    session.delete(synonym)
    bump_version(session)
