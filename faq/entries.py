"""What an FAQ entry is, independent of where it comes from (CSV, admin form): fields, checks,
snapshots for history, and writing the fields onto a FaqEntry row. No Flask here."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from urllib.parse import urlsplit

from db import utcnow
from errors import UserError
from faq.models import FaqAlternate, FaqEntry
from retrieval.language import FOREIGN, NAMES

# Column widths of faq.models: checked here so PostgreSQL never rejects a row halfway through.
MAX_LENGTHS = {"faq_id": 64, "category": 200, "url": 1000, "department": 200}
# An alternate is a phrasing, not a letter; PostgreSQL's unique index on it also caps its size.
MAX_ALTERNATE_CHARS = 500
FIELD_LABELS = {
    "faq_id": "ID", "category": "分類", "question": "質問", "alternates": "言い換え",
    "answer": "回答", "url": "URL", "department": "担当課", "published": "公開",
}
# Translations of an entry, each a CSV column of its own: question_en, answer_en, …, and
# answer_easy, the answer in やさしい日本語.
EASY = "answer_easy"
TRANSLATION_FIELDS = (*(f"{part}_{code}" for code in FOREIGN for part in ("question", "answer")), EASY)
TRANSLATION_LABELS = {**{f"{part}_{code}": f"{'質問' if part == 'question' else '回答'}（{NAMES[code]}）"
                         for code in FOREIGN for part in ("question", "answer")}, EASY: "回答（やさしい日本語）"}
FIELD_LABELS["translations"] = "翻訳・やさしい日本語"
CONTENT_FIELDS = ("category", "question", "alternates", "answer", "url", "department", "translations")


class EntryError(UserError, ValueError):
    """An entry that cannot be saved; the message is for staff, in Japanese."""


@dataclass(frozen=True)
class EntryRow:
    faq_id: str
    category: str = ""
    question: str = ""
    alternates: list[str] = field(default_factory=list)
    answer: str = ""  # empty: 回答未入力
    url: str = ""
    department: str = ""
    translations: dict[str, str] = field(default_factory=dict)  # TRANSLATION_FIELDS → text

    def cleaned(self) -> EntryRow:
        """Surrounding spaces trimmed; alternates without blanks, duplicates or the question itself."""
        question = self.question.strip()
        alternates: list[str] = []
        for text in self.alternates:
            text = text.strip()
            if text and text != question and text not in alternates:
                alternates.append(text)
        return replace(
            self, faq_id=self.faq_id.strip(), category=self.category.strip(), question=question,
            alternates=alternates, answer=self.answer.strip(), url=self.url.strip(),
            department=self.department.strip(),
            translations={k: v.strip() for k, v in self.translations.items() if v and v.strip()},
        )


def split_alternates(cell: str) -> list[str]:
    """One phrasing per line, as staff type them in an Excel cell (Alt+Enter)."""
    return [line.strip() for line in cell.splitlines() if line.strip()]


def validate(row: EntryRow) -> EntryRow:
    """Return the cleaned row, or raise EntryError saying what to fix."""
    row = row.cleaned()
    if not row.faq_id:
        raise EntryError("ID が空です。")
    if not row.question:
        raise EntryError(f"ID「{row.faq_id}」の質問が空です。")
    for name, limit in MAX_LENGTHS.items():
        if len(getattr(row, name)) > limit:
            raise EntryError(f"{FIELD_LABELS[name]}が長すぎます（{limit}文字まで）。")
    check_alternate(*row.alternates)
    unknown = sorted(set(row.translations) - set(TRANSLATION_FIELDS))
    if unknown:
        raise EntryError(f"翻訳の項目「{unknown[0]}」はありません（{', '.join(TRANSLATION_FIELDS)}）。")
    if row.url:
        parts = urlsplit(row.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise EntryError(f"URL「{row.url}」は http:// か https:// で始まる正しい URL ではありません。")
    return row


def check_alternate(*texts: str) -> None:
    for text in texts:
        if len(text) > MAX_ALTERNATE_CHARS:
            raise EntryError(f"言い換え「{text[:20]}…」が長すぎます（{MAX_ALTERNATE_CHARS}文字まで）。")


def row_of(entry: FaqEntry) -> EntryRow:
    return EntryRow(
        faq_id=entry.faq_id, category=entry.category, question=entry.question,
        alternates=[alt.text for alt in entry.alternates], answer=entry.answer, url=entry.url,
        department=entry.department, translations=dict(entry.translations or {}),
    )


def snapshot(entry: FaqEntry) -> dict:
    """The whole entry as plain data, stored in FaqRevision.snapshot."""
    return {**asdict(row_of(entry)), "published": entry.published}


def write(entry: FaqEntry, row: EntryRow, source: str) -> None:
    """Copy the row onto the entry. Alternates still present keep their origin (csv/staff/relearn).
    Whoever writes the content (staff, an import, a restore) vouches for it: it counts as reviewed."""
    entry.reviewed_at = utcnow()
    entry.category = row.category
    entry.question = row.question
    entry.answer = row.answer
    entry.url = row.url
    entry.department = row.department
    entry.translations = dict(row.translations)
    wanted = set(row.alternates)
    kept = {alt.text for alt in entry.alternates if alt.text in wanted}
    entry.alternates = [alt for alt in entry.alternates if alt.text in wanted] + [
        FaqAlternate(text=text, source=source) for text in row.alternates if text not in kept
    ]


def differences(old: EntryRow, new: EntryRow) -> list[str]:
    """Names of the fields that differ; the order of alternates does not matter."""
    def same(name: str) -> bool:
        if name == "alternates":
            return set(old.alternates) == set(new.alternates)
        return getattr(old, name) == getattr(new, name)

    return [name for name in CONTENT_FIELDS if not same(name)]
