"""The synonym dictionary staff edit (マイナ → マイナンバーカード), applied to questions and entries."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from admin.blueprint import bp
from admin.audit_views import note
from admin.auth import role_required
from admin.forms import SynonymForm
from faq import services as faq
from faq.entries import EntryError
from web import db_session


@bp.route("/synonyms", methods=["GET", "POST"])
@role_required("editor")
def synonyms():
    form = SynonymForm()
    s = db_session()
    if form.validate_on_submit():
        try:
            faq.set_synonym(s, form.term.data, form.canonical.data)
            note("synonym_set", form.term.data.strip(), f"「{form.term.data.strip()}」→「{form.canonical.data.strip()}」")
            s.commit()
        except EntryError as exc:
            s.rollback()
            flash(str(exc), "error")
        else:
            flash(f"「{form.term.data.strip()}」を「{form.canonical.data.strip()}」として読むようにしました。"
                  "ボットには数秒で反映されます。", "success")
            return redirect(url_for("admin.synonyms"))
    return render_template("admin/synonyms.html", form=form, synonyms=faq.synonyms(s))


@bp.route("/synonyms/delete", methods=["POST"])
@role_required("editor")
def synonym_delete():
    term = request.form.get("term", "")
    s = db_session()
    try:
        faq.delete_synonym(s, term)
        note("synonym_delete", term.strip(), "削除")
        s.commit()
    except EntryError as exc:
        s.rollback()
        flash(str(exc), "error")
    else:
        flash(f"同義語「{term}」を削除しました。", "success")
    return redirect(url_for("admin.synonyms"))
