"""What the bot does with a ranking: answer, offer candidates (もしかして), or decline."""
from __future__ import annotations

from dataclasses import dataclass, field

from .index import Hit

MAX_CANDIDATES = 3


@dataclass
class Decision:
    kind: str  # "answer" | "candidates" | "none"
    hits: list[Hit] = field(default_factory=list)  # answer: 1 hit; candidates: 1 to 3; none: []
    # With an answer: the next hits that would have been candidates, offered under the answer so
    # that a resident whose question the top entry misses is one tap from the right one.
    related: list[Hit] = field(default_factory=list)


def decide(hits: list[Hit], answer_threshold: float, candidate_threshold: float) -> Decision:
    """score ≥ answer threshold → answer with the top hit (and the next ones at or above the
    candidate threshold as related); ≥ candidate threshold → up to three candidates at or above
    it; below → none."""
    likely = [h for h in hits[:MAX_CANDIDATES] if h.score >= candidate_threshold]
    if hits and hits[0].score >= answer_threshold:
        return Decision("answer", [hits[0]], likely[1:])
    return Decision("candidates", likely) if likely else Decision("none", [])
