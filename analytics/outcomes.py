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

from analytics.models import OUTCOMES, REVIEWS, Outcome, Review

# The report rows a message ends in, named as the stored values they come from.
EXCLUDED, NO_TITLE, NO_ANSWER, RELEARN, CORRECT = \
    Outcome.EXCLUDED, Outcome.NO_TITLE, Outcome.NO_ANSWER, Review.RELEARN, Review.CORRECT
CATEGORIES = (EXCLUDED, NO_TITLE, NO_ANSWER, RELEARN, CORRECT)


def report_category(outcome: str, review: str | None) -> str:
    """One of CATEGORIES for a message with this bot outcome and staff review."""
    if review == Review.EXCLUDED:
        return EXCLUDED
    if outcome == Outcome.EXCLUDED:
        return NO_TITLE if review in (Review.CORRECT, Review.RELEARN) else EXCLUDED
    if outcome == Outcome.ANSWERED:
        return RELEARN if review == Review.RELEARN else CORRECT
    if outcome in (NO_TITLE, NO_ANSWER):
        return outcome
    raise ValueError(f"unknown outcome: {outcome!r}")


# What staff read in an exported log (the report's own row names); both these and the stored
# values are read back, so an export opened in Excel can be imported or applied as it is.
OUTCOME_LABELS = {Outcome.EXCLUDED: "除外", Outcome.NO_TITLE: "表題なし", Outcome.NO_ANSWER: "回答未入力",
                  Outcome.ANSWERED: "回答"}
REVIEW_LABELS = {Review.CORRECT: "正答", Review.RELEARN: "再学習要", Review.EXCLUDED: "除外"}
_OUTCOME_WORDS = {label: outcome for outcome, label in OUTCOME_LABELS.items()}
# Besides the labels, the shorter words staff may type in a spreadsheet's review column.
_REVIEW_WORDS = ({label: review for review, label in REVIEW_LABELS.items()}
                 | {"正解": Review.CORRECT, "再学習": Review.RELEARN})


def parse_outcome(cell: str) -> Outcome:
    """'answered' etc. or 回答/表題なし/回答未入力/除外 → the stored value."""
    word = cell.strip()
    outcome = _OUTCOME_WORDS.get(word, word.lower())
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome「{word}」は使えません（{' / '.join(OUTCOME_LABELS.values())}、"
                         f"または {' / '.join(OUTCOMES)}）")
    return Outcome(outcome)


def parse_review(cell: str) -> Review | None:
    """'' → None; 'correct'/'relearn'/'excluded' or 正答/再学習要/除外 → the stored value."""
    word = cell.strip()
    if not word:
        return None
    review = _REVIEW_WORDS.get(word, word.lower())
    if review not in REVIEWS:
        raise ValueError(f"review「{word}」は使えません（correct / relearn / excluded、または 正答 / 再学習要 / 除外、空欄）")
    return Review(review)
