"""FAQ CSV out, in the format faq import reads (UTF-8 with BOM for Excel). No Flask here."""
from __future__ import annotations

from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from common.csvio import write_table
from faq.importer import COLUMNS, TRANSLATION_COLUMNS
from faq.models import FaqEntry


def export_faq(session: Session, target: str | Path | IO[str]) -> int:
    """Write every entry (unpublished ones too, so export → edit → import --replace loses nothing).

    Returns the number of entries written.
    """
    entries = list(session.scalars(
        select(FaqEntry).options(selectinload(FaqEntry.alternates)).order_by(FaqEntry.id)))
    # The translation columns only when some entry has one: a city without them keeps its file as it was.
    extra = TRANSLATION_COLUMNS if any(e.translations for e in entries) else ()
    write_table(target, (*COLUMNS, *extra), (
        (e.faq_id, e.category, e.question, "\n".join(alt.text for alt in e.alternates), e.answer,
         e.url, e.department, *((e.translations or {}).get(name, "") for name in extra))
        for e in entries))
    return len(entries)
