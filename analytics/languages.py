"""Questions per language per month (the dashboard's 言語別の質問数), as the report counts months:
fiscal year, Japan time, the local chat page left out; and the languages' names in the log CSV."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.models import LOCAL_CHAT_SOURCE, Message
from analytics.periods import fiscal_months, month_range
from retrieval.language import JAPANESE, LANGUAGES, NAMES

# What staff read in the log CSV's language column; these, the codes and the languages' own names
# (NAMES) are all read back.
LANGUAGE_LABELS = {"ja": "日本語", "en": "英語", "zh": "中国語", "ko": "韓国語", "vi": "ベトナム語",
                   "pt": "ポルトガル語", "tl": "フィリピノ語", "ne": "ネパール語", "id": "インドネシア語"}
_LANGUAGE_WORDS = ({label: code for code, label in LANGUAGE_LABELS.items()}
                   | {name.lower(): code for code, name in NAMES.items()} | {"タガログ語": "tl"})


@dataclass(frozen=True)
class LanguageRow:
    code: str
    name: str
    months: tuple[int, ...]  # April … March

    @property
    def total(self) -> int:
        return sum(self.months)


def questions_by_language(session: Session, fiscal_year: int) -> list[LanguageRow]:
    """One row per language asked in that year (Japanese first), with its count in each month."""
    counts: dict[str, list[int]] = {}
    months = fiscal_months(fiscal_year)
    for position, (year, month) in enumerate(months):
        start, end = month_range(year, month)
        for language, n in session.execute(
                select(Message.language, func.count())
                .where(Message.created_at >= start, Message.created_at < end, Message.source != LOCAL_CHAT_SOURCE)
                .group_by(Message.language)):
            counts.setdefault(language, [0] * len(months))[position] += n
    order = {code: i for i, code in enumerate(LANGUAGES)}
    return [LanguageRow(code, NAMES.get(code, code), tuple(counts[code]))
            for code in sorted(counts, key=lambda c: (order.get(c, len(order)), c))]


def parse_language(cell: str) -> str:
    """英語 / en / English … → the stored code; an empty cell is Japanese (what the bot spoke before
    it spoke anything else)."""
    word = cell.strip()
    if not word:
        return JAPANESE
    code = _LANGUAGE_WORDS.get(word, _LANGUAGE_WORDS.get(word.lower(), word.lower()))
    if code not in LANGUAGES:
        raise ValueError(f"language「{word}」は使えません（{' / '.join(LANGUAGE_LABELS.values())}、"
                         f"または {' / '.join(LANGUAGES)}）")
    return code
