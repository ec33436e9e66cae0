"""What the bot does with a ranking: answer, offer candidates (もしかして), or decline."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the index module loads numpy
    from .index import Hit

# もしかして offers up to five entries: on the development sets the right entry is in the top three
# for 0.91-0.96 of the questions and in the top five for 0.93-0.98 (README); a button costs a tap.
MAX_CANDIDATES = 5
# Under a direct answer, which is rarely wrong, two related entries keep the answer uncluttered.
MAX_RELATED = 2


class DecisionKind(StrEnum):
    """What the bot does with a question (the values appear in `faq evaluate --json` rows)."""
    ANSWER = "answer"
    CANDIDATES = "candidates"
    NONE = "none"


@dataclass
class Decision:
    kind: DecisionKind
    hits: list[Hit] = field(default_factory=list)  # answer: 1 hit; candidates: 1 to 5; none: []
    # With an answer: the next hits, offered under the answer so that a resident whose question
    # the top entry misses is one tap from the right one.
    related: list[Hit] = field(default_factory=list)


def decide(hits: list[Hit], answer_threshold: float, candidate_threshold: float) -> Decision:
    """Top score ≥ answer threshold → answer with the top hit, the next two as related;
    ≥ candidate threshold → the top five as candidates; below → none.

    Once the top hit is worth offering, the next ones are offered whatever their score: a button
    costs the resident nothing, and the right entry is often a low-scored second or third (on the
    development sets of the time: 90.1% reached without a per-hit bar, 89.2% with it, the same
    questions declined)."""
    if not hits or hits[0].score < candidate_threshold:
        return Decision(DecisionKind.NONE, [])
    if hits[0].score >= answer_threshold:
        return Decision(DecisionKind.ANSWER, [hits[0]], hits[1:1 + MAX_RELATED])
    return Decision(DecisionKind.CANDIDATES, hits[:MAX_CANDIDATES])
