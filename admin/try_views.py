"""Try it (a question in, the bot's ranking and decision out) and the check before publishing."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import flash, render_template, request, session

import config
import retrieval
from admin.blueprint import bp
from admin.auth import role_required
from admin.draft_check import check_draft
from admin.forms import EntryForm, QueriesForm
from faq import services as faq
from faq.entries import EntryError, validate
from retrieval.evaluate import QueryFileError, load_queries
from web import db_session, services

SAVED_QUERIES = config.ROOT / "faq" / "sample" / "queries_tune.jsonl"
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


@bp.route("/faq/check", methods=["POST"])
@role_required("editor")
def faq_check():
    form = EntryForm()
    queries_form = QueriesForm()
    result = None
    if form.validate_on_submit():
        try:
            row = validate(form.row())
            queries = _queries(queries_form)
        except (EntryError, QueryFileError) as exc:
            flash(str(exc), "error")
        else:
            s = db_session()
            settings = services().settings
            embedder = retrieval.load_embedder(settings.embedding_model, settings.embedding_cache_dir)
            result = check_draft(faq.documents(s), row, queries, embedder, faq.synonyms(s),
                                 settings.answer_threshold, settings.candidate_threshold)
    else:
        flash("入力に誤りがあります。編集画面で直してください。", "error")
    entry = faq.get_entry(db_session(), form.faq_id.data or "")
    return render_template("admin/check.html", form=form, queries_form=queries_form, result=result,
                           entry=entry, bands=BANDS)


def _queries(form: QueriesForm) -> list[dict]:
    """The uploaded query set, or the saved one."""
    upload = form.file.data
    if not upload or not upload.filename:
        if not SAVED_QUERIES.exists():
            raise QueryFileError("保存済みの質問セットがありません。JSONL ファイルを選んでください。")
        return load_queries(SAVED_QUERIES)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "queries.jsonl"
        upload.save(path)
        try:
            queries = load_queries(path)
        except QueryFileError as exc:
            raise QueryFileError(str(exc).replace(str(path), upload.filename)) from None
    if not queries:
        raise QueryFileError("質問セットが空です。")
    return queries
