"""Which report row a question ends in: the bot's `outcome`, overridden by staff `review`.

Every message counts in exactly one of five rows (the other three rows of the report are sums):

| bot outcome | review: none       | correct      | relearn      | excluded |
|-------------|--------------------|--------------|--------------|----------|
| excluded    | 除外               | 表題なし (*) | 表題なし (*) | 除外     |
| no_title    | 表題なし           | 表題なし     | 表題なし     | 除外     |
| no_answer   | 回答未入力         | 回答未入力   | 回答未入力   | 除外     |
| answered    | 正答 (unreviewed)  | 正答         | 再学習要     | 除外     |

- review=excluded always wins: staff judged the message meaningless, whatever the bot did.
- The report counts what the bot did (ARCHITECTURE: "a relearned no_title question stays 表題なし"),
  so on no_title and no_answer rows a correct/relearn judgement changes nothing in the report;
  its correct_faq_id teaches the entry instead.
- (*) A rescue: staff judged a question the rule excluded to be a real one. The bot gave it no
  prepared answer, so it counts where such questions count, 表題なし (a new title or a better
  exclusion rule is to be considered), never as 正答 the bot did not give.
- An answered question nobody reviewed counts as 正答, as the city's report does (正答 = 回答 − 再学習要).
"""
from __future__ import annotations

from analytics.models import REVIEWS

EXCLUDED, NO_TITLE, NO_ANSWER, RELEARN, CORRECT = "excluded", "no_title", "no_answer", "relearn", "correct"
CATEGORIES = (EXCLUDED, NO_TITLE, NO_ANSWER, RELEARN, CORRECT)


def report_category(outcome: str, review: str | None) -> str:
    """One of CATEGORIES for a message with this bot outcome and staff review."""
    if review == "excluded":
        return EXCLUDED
    if outcome == "excluded":
        return NO_TITLE if review in ("correct", "relearn") else EXCLUDED
    if outcome == "answered":
        return RELEARN if review == "relearn" else CORRECT
    if outcome in (NO_TITLE, NO_ANSWER):
        return outcome
    raise ValueError(f"unknown outcome: {outcome!r}")


# What staff may type in a spreadsheet's review column, besides the stored values.
_REVIEW_WORDS = {"正答": "correct", "正解": "correct", "再学習要": "relearn", "再学習": "relearn", "除外": "excluded"}


def parse_review(cell: str) -> str | None:
    """'' → None; 'correct'/'relearn'/'excluded' or 正答/再学習要/除外 → the stored value."""
    word = cell.strip()
    if not word:
        return None
    review = _REVIEW_WORDS.get(word, word.lower())
    if review not in REVIEWS:
        raise ValueError(f"review「{word}」は使えません（correct / relearn / excluded、または 正答 / 再学習要 / 除外、空欄）")
    return review
