"""Notices to residents who opted in: the topics they choose from (and later the notices)."""
from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin.blueprint import bp
from admin.audit_views import note
from admin.auth import role_required
from admin.notice_forms import NoticeForm, TopicForm
from bot import line_api
from notices import service, staff_links, subscriptions
from notices.crypto import id_box
from notices.models import NOTICE_STATUSES, Notice, StaffLink, Topic
from web import db_session, services

ACTION_LABELS = {"drafted": "作成", "approved": "承認", "cancelled": "取り消し", "sending": "配信開始",
                 "sent": "配信完了", "failed": "配信失敗", "test_sent": "試し送信"}


@bp.route("/topics", methods=["GET", "POST"])
@role_required("editor")
def topics():
    form = TopicForm()
    s = db_session()
    if form.validate_on_submit():
        try:
            topic = subscriptions.save_topic(s, form.name.data, form.description.data or "",
                                             active=form.active.data)
            s.commit()
        except subscriptions.TopicError as exc:
            s.rollback()
            form.name.errors.append(str(exc))
        else:
            flash(f"分野「{topic.name}」を追加しました。住民は「通知設定」から選べます。", "success")
            return redirect(url_for("admin.topics"))
    return render_template("admin/topics.html", form=form, topics=subscriptions.all_topics(s),
                           counts=subscriptions.subscriber_counts(s),
                           enabled=id_box(services().settings.line_id_keys) is not None)


@bp.route("/topics/<id:topic_id>", methods=["POST"])
@role_required("editor")
def topic_edit(topic_id: int):
    s = db_session()
    topic = s.get(Topic, topic_id)
    form = TopicForm()
    if topic is None:
        flash("その分野は見つかりません。", "error")
    elif not form.validate_on_submit():
        flash("".join(e for errors in form.errors.values() for e in errors) or "入力を確かめてください。", "error")
    else:
        try:
            subscriptions.save_topic(s, form.name.data, form.description.data or "", topic_id=topic_id,
                                     active=form.active.data)
            s.commit()
        except subscriptions.TopicError as exc:
            s.rollback()
            flash(str(exc), "error")
        else:
            flash(f"分野「{form.name.data.strip()}」を保存しました。", "success")
    return redirect(url_for("admin.topics"))


# -- notices ----------------------------------------------------------------------------------

@bp.route("/notices")
@role_required("editor")
def notices():
    s = db_session()
    rows = list(s.scalars(select(Notice).order_by(Notice.id.desc()).limit(200)))
    settings = services().settings
    used = line_api.quota(settings.line_api_base_url, settings.line_channel_access_token) \
        if settings.line_channel_access_token else None
    return render_template("admin/notices.html", notices=rows, statuses=NOTICE_STATUSES, quota=used,
                           enabled=id_box(settings.line_id_keys) is not None)


@bp.route("/notices/new", methods=["GET", "POST"])
@role_required("editor")
def notice_new():
    s = db_session()
    form = NoticeForm()
    form.topics.choices = [(t.id, t.name) for t in subscriptions.active_topics(s)]
    preview = None
    if form.validate_on_submit():
        draft = form.draft()
        problems = service.check(s, draft)
        if problems:
            form.text.errors.extend(problems)
        elif request.form.get("action") == "preview":
            preview = service.message(draft).to_dict()
        else:
            notice = service.draft_notice(s, draft, by=current_user.username)
            s.flush()
            note("notice_draft", f"お知らせ #{notice.id}", notice.title)
            s.commit()
            flash("お知らせを保存しました。管理者が承認すると配信されます。", "success")
            return redirect(url_for("admin.notice", notice_id=notice.id))
    return render_template("admin/notice_new.html", form=form, preview=preview)


@bp.route("/notices/<id:notice_id>")
@role_required("editor")
def notice(notice_id: int):
    s = db_session()
    row = s.get(Notice, notice_id) or abort(404)
    link = s.scalar(select(StaffLink).where(StaffLink.staff_id == current_user.id))
    return render_template("admin/notice.html", notice=row, statuses=NOTICE_STATUSES,
                           topics=service.topic_names(s, row), card=service.message(row).to_dict(),
                           linked=bool(link and link.line_user_id), actions=ACTION_LABELS)


@bp.route("/notices/<id:notice_id>/approve", methods=["POST"])
@role_required("admin")
def notice_approve(notice_id: int):
    return _step(notice_id, service.approve, "承認しました。配信日時になると配信します。", "notice_approve")


@bp.route("/notices/<id:notice_id>/cancel", methods=["POST"])
@role_required("editor")
def notice_cancel(notice_id: int):
    return _step(notice_id, service.cancel, "取り消しました。", "notice_cancel")


def _step(notice_id: int, step, done: str, action: str):
    s = db_session()
    row = s.get(Notice, notice_id) or abort(404)
    try:
        step(s, row, current_user.username)
        note(action, f"お知らせ #{row.id}", row.title)
        s.commit()
    except service.NoticeError as exc:
        s.rollback()
        flash(str(exc), "error")
    else:
        flash(done, "success")
        services().notice_sender.wake()
    return redirect(url_for("admin.notice", notice_id=notice_id))


@bp.route("/notices/<id:notice_id>/test", methods=["POST"])
@role_required("editor")
def notice_test(notice_id: int):
    """A test send to the staff member's own LINE (linked on the 試し送信先 page)."""
    s = db_session()
    row = s.get(Notice, notice_id) or abort(404)
    settings = services().settings
    box = id_box(settings.line_id_keys)
    link = s.scalar(select(StaffLink).where(StaffLink.staff_id == current_user.id))
    user_id = box.open(link.line_user_id) if box and link and link.line_user_id else None
    if user_id is None:
        flash("試し送信先のLINEが登録されていません。「試し送信先」のページで登録してください。", "error")
        return redirect(url_for("admin.notice", notice_id=notice_id))
    error = line_api.send_push(settings.line_api_base_url, settings.line_channel_access_token, user_id,
                               [service.message(row).to_dict()], str(uuid.uuid4()))
    if error:
        flash(f"試し送信できませんでした（{error.reason[:200]}）。", "error")
    else:
        service.note(row, "test_sent", current_user.username)
        note("notice_test", f"お知らせ #{row.id}", row.title)
        s.commit()
        flash("あなたのLINEに試し送信しました。", "success")
    return redirect(url_for("admin.notice", notice_id=notice_id))


@bp.route("/notices/link", methods=["GET", "POST"])
@role_required("editor")
def notice_link():
    """Link the staff member's own LINE for test sends: a one-time code they send to the bot."""
    s = db_session()
    code = None
    if request.method == "POST":
        code = staff_links.new_code(s, current_user.id)
        s.commit()
    link = s.scalar(select(StaffLink).where(StaffLink.staff_id == current_user.id))
    return render_template("admin/notice_link.html", code=code, linked=bool(link and link.line_user_id),
                           minutes=int(staff_links.CODE_LIFETIME.total_seconds() // 60))
