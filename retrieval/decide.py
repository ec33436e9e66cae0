"""What the bot does with a ranking: answer, offer candidates (もしかして), or decline."""
from __future__ import annotations

from dataclasses import dataclass, field

from .index import Hit

MAX_CANDIDATES = 3


@dataclass
class Decision:
    kind: str  # "answer" | "candidates" | "none"
    hits: list[Hit] = field(default_factory=list)  # answer: 1 hit; candidates: 1 to 3; none: []


def decide(hits: list[Hit], answer_threshold: float, candidate_threshold: float) -> Decision:
    """score ≥ answer threshold → answer with the top hit; ≥ candidate threshold → up to three
    candidates at or above it; below → none."""
    if hits and hits[0].score >= answer_threshold:
        return Decision("answer", [hits[0]])
    candidates = [h for h in hits[:MAX_CANDIDATES] if h.score >= candidate_threshold]
    return Decision("candidates", candidates) if candidates else Decision("none", [])
