"""Try it: a question in, the bot's ranking and decision out."""
from __future__ import annotations

from flask import render_template, request, session

import retrieval
from admin.blueprint import bp
from admin.auth import role_required
from web import services

BANDS = {"answer": "回答する", "candidates": "候補を出す（もしかして）", "none": "答えない（表題なし）"}


@bp.route("/try")
@role_required("editor")
def try_it():
    q = request.args.get("q", "").strip()
    result = previous = None
    if q:
        result = _try(q)
        # Keep the ranking from the FAQ's previous version of this question, to show before/after.
        state = session.get("try")
        runs = state["runs"] if state and state["q"] == q else []
        runs = [run for run in runs if run["version"] != result["version"]][-1:] + [result]
        session["try"] = {"q": q, "runs": runs}
        previous = runs[0] if len(runs) == 2 else None
    settings = services().settings
    return render_template("admin/try.html", q=q, result=result, previous=previous, bands=BANDS,
                           question=_question, answer_threshold=settings.answer_threshold,
                           candidate_threshold=settings.candidate_threshold)


def _try(q: str) -> dict:
    """The bot's top five and its decision, small enough to keep in the session cookie."""
    live = services().live_index
    settings = services().settings
    hits = live.search(q, k=5)
    decision = retrieval.decide(hits, settings.answer_threshold, settings.candidate_threshold)
    chosen = {hit.faq_id for hit in decision.hits + decision.related}  # what the resident sees
    return {"version": live.version, "decision": decision.kind,
            "hits": [[hit.faq_id, round(hit.score, 3), hit.faq_id in chosen] for hit in hits]}


def _question(faq_id: str) -> str:
    entry = services().live_index.entry(faq_id)
    if entry is None:
        return "（現在は公開されていない項目）"
    return entry.question + ("（回答未入力）" if not entry.answer else "")
