"""The check before publishing: the editor's draft is queued as a job (admin/check_jobs.py) and
this page follows it; the request never scores anything itself, so it returns at once."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from admin.blueprint import bp
from admin.auth import role_required
from admin.check_jobs import STATE_LABELS, enqueue
from admin.forms import EntryForm
from admin.models import CheckJob
from admin.try_views import BANDS
from faq import services as faq
from faq.entries import EntryError, validate
from web import db_session, services

METRIC_LABELS = (("hit@1", "1位正解率（正しい FAQ が1位）"), ("hit@3", "3位以内に正しい FAQ"),
                 ("reached", "住民に正しい FAQ が届く率（回答またはボタン）"),
                 ("answered_right", "正しい FAQ で回答した率"), ("answered_wrong", "違う FAQ で回答した率"))


@bp.route("/faq/check", methods=["POST"])
@role_required("editor")
def faq_check():
    form = EntryForm()
    if not form.validate_on_submit():
        flash("入力に誤りがあります。編集画面で直してください。", "error")
        return _back_to_editor(form)
    try:
        row = validate(form.row())
    except EntryError as exc:
        flash(str(exc), "error")
        return _back_to_editor(form)
    s = db_session()
    job, created = enqueue(s, row, current_user.username)  # changes nothing: not in the audit trail
    s.commit()
    services().wake_check_worker()
    if not created:
        flash(f"ほかのチェック（{job.started_by} さんの FAQ {job.faq_id}）が{STATE_LABELS[job.state]}です。"
              "同時に実行できるのは 1 件だけなので、終わってからもう一度チェックしてください。", "error")
    return redirect(url_for("admin.faq_check_job", job_id=job.id))


def _back_to_editor(form: EntryForm):
    """The draft kept in the page, with a button back to the editor, which shows what is wrong."""
    entry = faq.get_entry(db_session(), form.faq_id.data or "")
    return render_template("admin/check.html", job=None, form=form, labels=STATE_LABELS, bands=BANDS,
                           metrics=METRIC_LABELS, entry=entry), 400


@bp.route("/faq/check/<id:job_id>")
@role_required("editor")
def faq_check_job(job_id: int):
    job = db_session().get(CheckJob, job_id) or abort(404)
    if job.state == "queued":  # queued by a process that died before running it: run it here
        services().wake_check_worker()
    draft = dict(job.draft)
    form = EntryForm(data={**{k: v for k, v in draft.items() if k != "translations"},
                           "alternates": "\n".join(draft.get("alternates", [])),
                           **(draft.get("translations") or {})})
    return render_template("admin/check.html", job=job, form=form, labels=STATE_LABELS, bands=BANDS,
                           metrics=METRIC_LABELS, entry=faq.get_entry(db_session(), job.faq_id),
                           separate=services().settings.check_worker == "separate")


@bp.route("/faq/check/<id:job_id>/progress")
@role_required("editor")
def faq_check_progress(job_id: int):
    """What the page polls (admin.js) while the job is queued or running."""
    job = db_session().get(CheckJob, job_id) or abort(404)
    return jsonify(state=job.state, label=STATE_LABELS[job.state], done=job.done, total=job.total,
                   finished=job.state in ("done", "failed"))
