"""Notices to residents who opted in: the topics they choose from (and later the notices)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from admin import bp
from admin.auth import role_required
from admin.notice_forms import TopicForm
from notices import subscriptions
from notices.crypto import id_box
from notices.models import Topic
from web import db_session, services


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
