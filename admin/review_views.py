"""Review queue: judge this month's questions (正答 / 再学習要 / 除外), relearn, and turn groups of
unanswered questions (表題なし) into new entries."""
from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import retrieval
from admin import review
from admin.blueprint import bp
from admin.audit_views import note
from admin.auth import require_department, role_required
from admin.safe_url import local_path
from analytics.masking import without_placeholders
from analytics.models import Message
from analytics.outcomes import REVIEW_LABELS
from analytics.estimate import interval_text, month_estimate, percent
from analytics.review import implied_review, judge
from analytics.sample import SampleError, draw_sample, find_sample, sample_messages
from analytics.periods import JST, parse_month
from retrieval.language import FOREIGN
from faq import services as faq_services
from faq.entries import EntryError
from web import db_session, services

PAGE_SIZE = 50
GROUPS_SHOWN = 30
GROUPED_AT_MOST = 1000  # the latest 表題なし questions of the month (a city sees ~200-500)
SUGGESTIONS = 5
SEARCHED = 10  # entries listed for staff's words on the relearn page


def _month() -> tuple[int, int]:
    try:
        return parse_month(request.args.get("month", ""))
    except ValueError:
        now = datetime.now(JST)
        return now.year, now.month


@bp.route("/review")
@role_required("editor")
def review_queue():
    year, month = _month()
    tab = request.args.get("tab", "down")
    if tab not in review.TABS:
        abort(404)
    unreviewed_only = request.args.get("all") != "1"
    s = db_session()
    counts = review.tab_counts(s, year, month, unreviewed_only)
    page = _page(counts[tab])
    groups, messages = [], []
    if tab == "no_title":
        groups = _groups(review.queue(s, year, month, tab, unreviewed_only, limit=GROUPED_AT_MOST))
    else:
        messages = review.queue(s, year, month, tab, unreviewed_only, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template(
        "admin/review.html", tab=tab, tabs=review.TABS, counts=counts, messages=messages, groups=groups,
        year=year, month=month, unreviewed_only=unreviewed_only, page=page, page_size=PAGE_SIZE,
        labels=REVIEW_LABELS, months=_neighbours(year, month), question=_question)


def _page(count: int) -> int:
    """The page asked for, within 1..the last page: a page past the last shows the last one (an
    offset of 10^17 pages overflows both databases' integers)."""
    last = max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return min(max(request.args.get("page", 1, type=int), 1), last)


def _groups(messages: list[Message]) -> list[review.Group]:
    with_text = [m for m in messages if m.text.strip()]
    return review.group_by_top_hit(with_text, _top_hit)[:GROUPS_SHOWN]


def _top_hit(message: Message) -> retrieval.Hit | None:
    """The entry the bot would have offered for a question, or None: ranked as the bot ranked it,
    and no second floor beside the bot's own. A Japanese question counts from the candidate
    threshold. A foreign one (the multilingual model alone) counts only where the bot would answer
    it: its candidate floor offers buttons for almost anything (an English question about the
    library met 住民票 at 0.06 in a 4-entry FAQ). Remembered for the index version being served (a
    month holds hundreds of 表題なし questions, many of them the same words)."""
    live, settings = services().live_index, services().settings
    cache = current_app.extensions.setdefault("admin_top_hits", {})
    if cache.get("version") != live.version:
        cache.clear()
        cache["version"] = live.version
    foreign = message.language in FOREIGN
    key = (foreign, message.text)
    if key not in cache:
        text = without_placeholders(message.text)  # searched as the bot searched it
        if foreign:
            decision = retrieval.foreign.decide(live.search_foreign(text, message.language, k=2))
            cache[key] = decision.hits[0] if decision.kind == "answer" else None
        else:
            decision = retrieval.decide(live.search(text, k=1), settings.answer_threshold,
                                        settings.candidate_threshold)
            cache[key] = decision.hits[0] if decision.hits else None
    return cache[key]


def _neighbours(year: int, month: int) -> dict[str, str]:
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    return {"prev": f"{prev[0]}-{prev[1]:02d}", "this": f"{year}-{month:02d}", "next": f"{nxt[0]}-{nxt[1]:02d}"}


def _question(faq_id: str | None) -> str:
    entry = services().live_index.entry(faq_id) if faq_id else None
    return entry.question if entry else ""


@bp.route("/review/<id:message_id>")
@role_required("editor")
def review_message(message_id: int):
    """Choose the entry that should have answered: the likely ones first (never the bot's own
    answer pre-selected: staff come here because it was wrong), or found by words."""
    message = _message(message_id)
    live = services().live_index
    own = message.faq_id if message.outcome == "answered" else None
    hits = live.search(message.text, k=SUGGESTIONS + 1) if message.text.strip() else []
    suggestions = [hit for hit in hits if hit.faq_id != own][:SUGGESTIONS]
    q = request.args.get("q", "").strip()[:200]
    found = _found(q) if q else []
    lists = {"found": [f[0] for f in found], "suggested": [h.faq_id for h in suggestions],
             "own": [own] if own else []}
    if message.correct_faq_id:  # an earlier choice, wherever it is listed (else typed in below)
        checked = next(((name, message.correct_faq_id) for name, ids in lists.items()
                        if message.correct_faq_id in ids), ("other", message.correct_faq_id))
    else:  # the first entry found for staff's words, else the best likely one; never the bot's own
        checked = next(((name, ids[0]) for name, ids in lists.items() if ids and name != "own"), ("other", ""))
    return render_template("admin/review_message.html", message=message, hits=suggestions, own=own, q=q,
                           found=found, checked=checked, labels=REVIEW_LABELS, question=_question, back=_back())


def _found(q: str) -> list[tuple[str, str, float | None]]:
    """Published entries for staff's words, (faq_id, question, score): as the bot ranks them, then
    entries that contain the words (an id, a word in an answer) that the ranking left out."""
    hits = services().live_index.search(q, k=SEARCHED)
    found = [(hit.faq_id, _question(hit.faq_id), hit.score) for hit in hits]
    seen = {hit.faq_id for hit in hits}
    for entry in faq_services.list_entries(db_session(), status="published", text=q):
        if len(found) >= SEARCHED:
            break
        if entry.faq_id not in seen:
            found.append((entry.faq_id, entry.question, None))
    return found


@bp.route("/review/<id:message_id>/judge", methods=["POST"])
@role_required("editor")
def review_judge(message_id: int):
    verdict = request.form.get("review") or None
    s = db_session()
    try:
        judge(s, _message(message_id), verdict, current_user.username)
        note("review_judge", f"質問 #{message_id}", f"「{REVIEW_LABELS[verdict]}」と判定" if verdict else "判定を取り消し")
        s.commit()
    except EntryError as exc:
        s.rollback()
        flash(str(exc), "error")
    else:
        flash(f"「{REVIEW_LABELS[verdict]}」と判定しました。" if verdict else "判定を取り消しました。", "success")
    return redirect(_back())


@bp.route("/review/<id:message_id>/relearn", methods=["POST"])
@role_required("editor")
def review_relearn(message_id: int):
    message = _message(message_id)
    faq_id = (request.form.get("faq_id") or request.form.get("faq_id_other") or "").strip()
    if not faq_id:
        flash("正しい FAQ を選ぶか、番号を入力してください。", "error")
        return redirect(url_for("admin.review_message", message_id=message_id, back=_back()))
    s = db_session()
    target = faq_services.get_entry(s, faq_id)
    if target is not None:  # relearning changes that entry: its department's editors only
        require_department(target.department)
    try:
        judge(s, message, implied_review(message, faq_id), current_user.username, faq_id)
        note("review_relearn", f"質問 #{message_id}", f"FAQ {faq_id} の言い換えとして学習")
        s.commit()
    except EntryError as exc:
        s.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.review_message", message_id=message_id, back=_back()))
    flash(f"この質問を FAQ「{faq_id}」の言い換えとして学習しました。ボットには数秒で反映されます。", "success")
    return redirect(_back())


@bp.route("/review/exclude", methods=["POST"])
@role_required("editor")
def review_exclude_group():
    ids = [int(i) for i in request.form.getlist("message") if i.isdigit()]
    s = db_session()
    messages = list(s.scalars(select(Message).where(Message.id.in_(ids)))) if ids else []
    for message in messages:
        judge(s, message, "excluded", current_user.username)
    if messages:
        note("review_judge", f"質問 {len(messages)} 件", "まとめて「除外」と判定（#" + ", #".join(str(m.id) for m in messages[:20])
             + (" ほか" if len(messages) > 20 else "") + "）")
    s.commit()
    flash(f"{len(messages)} 件を「除外」と判定しました。", "success")
    return redirect(_back())


@bp.route("/review/sample")
@role_required("editor")
def review_sample():
    """The month's random review sample as a review list: judge every one of them."""
    year, month = _month()
    s = db_session()
    sample = find_sample(s, year, month)
    return render_template(
        "admin/review_sample.html", year=year, month=month, sample=sample,
        messages=sample_messages(s, sample) if sample else [], estimate=month_estimate(s, year, month),
        percent=percent, interval_text=interval_text, labels=REVIEW_LABELS, question=_question,
        months=_neighbours(year, month))


@bp.route("/review/sample/draw", methods=["POST"])
@role_required("editor")
def review_sample_draw():
    try:
        year, month = parse_month(request.form.get("month", ""))
        size = int(request.form.get("size", "").strip())
    except ValueError:
        flash("月（YYYY-MM）と標本の件数（整数）を指定してください。", "error")
        return redirect(url_for("admin.dashboard"))
    s = db_session()
    try:
        sample = draw_sample(s, year, month, size, current_user.username)
        s.commit()
    except (SampleError, IntegrityError) as exc:  # IntegrityError: another member of staff drew it just now
        s.rollback()
        flash(str(exc) if isinstance(exc, SampleError) else "この月の標本はすでに抽出されています。", "error")
        return redirect(url_for("admin.review_sample", month=f"{year}-{month:02d}"))
    drawn = len(sample_messages(s, sample))
    flash(f"{year}年{month}月の回答 {sample.population:,} 件から {drawn} 件を無作為に抽出しました。"
          "すべて判定すると、本当の正答率を推定できます。", "success")
    return redirect(url_for("admin.review_sample", month=f"{year}-{month:02d}"))


def _message(message_id: int) -> Message:
    return db_session().get(Message, message_id) or abort(404)


def _back() -> str:
    """Return to the queue page staff came from (only ever a local /admin/review path)."""
    return local_path(request.values.get("back"), "/admin/review") or url_for("admin.review_queue")
