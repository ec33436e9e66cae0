"""FAQ CSV in: parse and check the whole file first, preview, then apply in one transaction.

Header `id,category,question,alternates,answer,url,department`; `alternates` holds one phrasing
per line inside the cell; an empty answer is allowed (回答未入力). No Flask here.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from faq import services
from common.csvio import ENCODING_NAMES, CsvError, read_table
from faq.entries import (CONTENT_FIELDS, FIELD_LABELS, EntryError, EntryRow, differences, row_of,
                         split_alternates, validate, write, TRANSLATION_FIELDS)
from faq.models import FaqEntry

COLUMNS = ("id", "category", "question", "alternates", "answer", "url", "department")
# Optional columns after those: staff-written translations and やさしい日本語 (faq/entries.py).
TRANSLATION_COLUMNS = TRANSLATION_FIELDS

__all__ = ["COLUMNS", "Change", "CsvError", "EntryRow", "FieldChange", "ImportSummary", "ParsedFaq",
           "departments_touched", "import_faq", "parse_faq_csv", "preview_import"]


@dataclass
class ParsedFaq:
    rows: list[EntryRow]
    encoding: str  # a key of csvio.ENCODING_NAMES

    @property
    def encoding_label(self) -> str:
        return ENCODING_NAMES[self.encoding]


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str  # Japanese, for the preview page
    old: str
    new: str


@dataclass
class Change:
    faq_id: str
    action: str  # create | update | delete
    question: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    removed: int
    encoding: str  # label, e.g. "Shift_JIS (cp932)"

    def describe(self) -> str:
        return (f"新規 {self.created} 件、更新 {self.updated} 件、変更なし {self.unchanged} 件、"
                f"削除 {self.removed} 件")


def parse_faq_csv(source: Path | str | bytes) -> ParsedFaq:
    """Read and check every row; the first problem raises CsvError naming its line."""
    table = read_table(source, required=COLUMNS)
    rows: list[EntryRow] = []
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        try:
            row = validate(EntryRow(
                faq_id=cells["id"], category=cells["category"], question=cells["question"],
                alternates=split_alternates(cells["alternates"]), answer=cells["answer"],
                url=cells["url"], department=cells["department"],
                translations={name: cells[name] for name in TRANSLATION_COLUMNS if cells.get(name)}))
        except EntryError as exc:
            raise CsvError(str(exc), line) from None
        if row.faq_id in seen:
            raise CsvError(f"ID「{row.faq_id}」が重複しています（{seen[row.faq_id]}行目と同じ）。", line)
        seen[row.faq_id] = line
        rows.append(row)
    return ParsedFaq(rows=rows, encoding=table.encoding)


def _text(row: EntryRow, name: str) -> str:
    value = getattr(row, name)
    if isinstance(value, dict):
        return "\n".join(f"{key}: {text}" for key, text in sorted(value.items()))
    return "\n".join(value) if isinstance(value, list) else value


def _field_changes(old: EntryRow, new: EntryRow, names) -> list[FieldChange]:
    return [FieldChange(name, FIELD_LABELS[name], _text(old, name), _text(new, name)) for name in names]


def _existing(session: Session) -> dict[str, FaqEntry]:
    entries = session.scalars(select(FaqEntry).options(selectinload(FaqEntry.alternates)))
    return {entry.faq_id: entry for entry in entries}


def _target(entry: FaqEntry | None, row: EntryRow) -> EntryRow:
    """The entry as the file wants it. Phrasings learned in the bot (relearn, staff) are kept even
    when the file lacks them: a city re-importing its master file must not lose what was learned."""
    if entry is None:
        return row
    learned = [alt.text for alt in entry.alternates if alt.source != "csv"]
    return validate(dataclasses.replace(row, alternates=row.alternates + learned))


def _plan(existing: dict[str, FaqEntry], parsed: ParsedFaq,
          replace_all: bool) -> list[tuple[Change, EntryRow | None]]:
    """Each change with the row to write (None for a deletion)."""
    plan: list[tuple[Change, EntryRow | None]] = []
    for row in parsed.rows:
        entry = existing.get(row.faq_id)
        target = _target(entry, row)
        old = row_of(entry) if entry else EntryRow(faq_id=row.faq_id)
        if names := differences(old, target):
            action = "update" if entry else "create"
            fields = _field_changes(old, target, names)
            plan.append((Change(row.faq_id, action, row.question, fields), target))
    if replace_all:
        in_file = {row.faq_id for row in parsed.rows}
        for faq_id, entry in existing.items():
            if faq_id not in in_file:
                fields = _field_changes(row_of(entry), EntryRow(faq_id=faq_id), CONTENT_FIELDS)
                plan.append((Change(faq_id, "delete", entry.question, fields), None))
    return plan


def preview_import(session: Session, parsed: ParsedFaq, replace: bool = False) -> list[Change]:
    """What import_faq would do, field by field, without writing anything."""
    return [change for change, _ in _plan(_existing(session), parsed, replace)]


def departments_touched(session: Session, parsed: ParsedFaq, replace: bool = False) -> set[str]:
    """Every department an import would change an entry of: before and after (a moved entry)."""
    existing = _existing(session)
    touched: set[str] = set()
    for change, target in _plan(existing, parsed, replace):
        if change.faq_id in existing:
            touched.add(existing[change.faq_id].department)
        if target is not None:
            touched.add(target.department)
    return touched


def import_faq(session: Session, parsed: ParsedFaq, replace: bool = False,
               author: str = "") -> ImportSummary:
    """Upsert by id (with `replace`, entries missing from the file are deleted, history kept).

    Alternates learned in the bot (relearn, admin) stay even if the file lacks them; staff remove
    those in the admin pages. New and changed entries count as reviewed now (reviewed_at). Entries keep their published flag (the CSV has none); new entries
    are published. Everything happens in the caller's transaction: commit it, or roll back.
    """
    existing = _existing(session)
    plan = _plan(existing, parsed, replace)
    for change, target in plan:
        entry = existing.get(change.faq_id)
        if target is None:
            services.record(session, entry, "delete", author)
            session.delete(entry)
            continue
        if entry is None:
            entry = FaqEntry(faq_id=change.faq_id, published=True)
            session.add(entry)
        write(entry, target, source="csv")
        services.record(session, entry, "import", author)
    changes = [change for change, _ in plan]
    if changes:
        services.bump_version(session)
    session.flush()
    count = {action: sum(c.action == action for c in changes) for action in ("create", "update", "delete")}
    return ImportSummary(
        created=count["create"], updated=count["update"], removed=count["delete"],
        unchanged=len(parsed.rows) - count["create"] - count["update"], encoding=parsed.encoding_label)
