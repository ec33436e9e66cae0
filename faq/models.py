"""FAQ tables: entries, their alternate phrasings, revisions, synonyms, the index version."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, UTCDateTime, utcnow


class FaqEntry(Base):
    __tablename__ = "faq_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(64), unique=True)  # the city's own id
    category: Mapped[str] = mapped_column(String(200), default="")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")  # empty: 回答未入力
    url: Mapped[str] = mapped_column(String(1000), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    published: Mapped[bool] = mapped_column(Boolean, default=True)
    # Staff-written translations and やさしい日本語: {"question_en": …, "answer_en": …, "answer_easy": …}
    # (faq.entries.TRANSLATION_FIELDS); a language without one is answered in Japanese.
    translations: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When staff last saw the entry was right (saved it, pressed 「内容を確認した」, imported a
    # change); entries older than FAQ_STALE_MONTHS are listed for review (faq/freshness.py).
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    alternates: Mapped[list["FaqAlternate"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="FaqAlternate.id"
    )


class FaqAlternate(Base):
    __tablename__ = "faq_alternate"
    __table_args__ = (UniqueConstraint("entry_id", "text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entry.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="csv")  # csv | staff | relearn
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[FaqEntry] = relationship(back_populates="alternates")


class FaqRevision(Base):
    """A snapshot of an entry after each change, for history and restore."""

    __tablename__ = "faq_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(20))  # create | update | unpublish | restore | import | relearn | delete
    snapshot: Mapped[dict] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Synonym(Base):
    """A staff-edited synonym: `term` is read as `canonical` in questions and entries alike."""

    __tablename__ = "synonym"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(100), unique=True)
    canonical: Mapped[str] = mapped_column(String(100))


class IndexState(Base):
    """One row: bumped on every FAQ change so every worker knows to rebuild its index."""

    __tablename__ = "index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
