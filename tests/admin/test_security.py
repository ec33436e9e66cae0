"""Security of the admin: login everywhere, roles, CSRF, escaping, pseudonyms, login slowdown."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import select

from admin.models import User
from analytics.logcsv import import_log
from analytics.models import Message
from db import utcnow
from faq import services as faq_services
from tests.admin.conftest import PASSWORD, csrf_token, login, post

PUBLIC = {"admin.login", "admin.static"}
SAMPLE_ARGS = {"faq_id": "A01", "user_id": 1, "message_id": 1, "revision_id": 1, "filename": "admin.css",
               "topic_id": 1, "notice_id": 1, "conversation_id": 1}


def _admin_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and rule.endpoint not in PUBLIC:
            url = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments})[1]
            yield rule, url


def test_every_admin_route_requires_login(app, faq):
    app.config["WTF_CSRF_ENABLED"] = False  # so that the login check is what answers
    client = app.test_client()
    rules = list(_admin_rules(app))
    assert len(rules) > 20
    for rule, url in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/admin/login"), (method, url)


def test_a_viewer_cannot_change_anything(app, viewer, faq, session):
    app.config["WTF_CSRF_ENABLED"] = False
    before = faq_services.current_version(session)
    posts = [(rule, url) for rule, url in _admin_rules(app) if "POST" in rule.methods]
    assert len(posts) > 10
    for rule, url in posts:
        if rule.endpoint == "admin.logout":
            continue
        response = viewer.post(url, data={"review": "excluded", "faq_id": "A01", "term": "x", "canonical": "y",
                                          "question": "q", "role": "admin", "password": "p" * 12})
        assert response.status_code == 403, url
    session.expire_all()
    assert faq_services.current_version(session) == before
    assert session.scalar(select(User.role).where(User.username == "viewer")) == "viewer"


def test_a_viewer_sees_the_dashboard_and_exports_only(viewer, faq):
    assert viewer.get("/admin/dashboard").status_code == 200
    assert viewer.get("/admin/dashboard/report.csv").status_code == 200
    assert viewer.get("/admin/faq/export.csv").status_code == 200
    for url in ("/admin/faq", "/admin/faq/A01/edit", "/admin/review", "/admin/try", "/admin/users",
                "/admin/synonyms"):
        assert viewer.get(url).status_code == 403, url
    assert "FAQ</a>" not in viewer.get("/admin/dashboard").get_data(as_text=True)  # not in the menu


def test_an_editor_cannot_manage_users(editor):
    assert editor.get("/admin/users").status_code == 403
    assert post(editor, "/admin/users", {"username": "x", "password": "p" * 12, "role": "admin"}).status_code == 403


def test_a_form_without_csrf_token_is_refused(app, editor, faq, session):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    data = {"faq_id": "Z01", "question": "新しい質問", "answer": "答え"}
    response = editor.post("/admin/faq/new", data=data)
    assert response.status_code == 400
    assert "送信を受け付けられませんでした" in response.get_data(as_text=True)
    assert faq_services.get_entry(session, "Z01") is None
    response = editor.post("/admin/faq/new", data={**data, "csrf_token": "forged"})
    assert response.status_code == 400
    # the same form with the page's token goes through
    assert post(editor, "/admin/faq/new", data, token_page="/admin/faq/new").status_code == 302
    session.expire_all()
    assert faq_services.get_entry(session, "Z01") is not None


def test_login_itself_needs_the_csrf_token(client, staff):
    response = client.post("/admin/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400


def test_the_line_webhook_is_exempt_from_csrf(client, settings):
    body = b'{"destination": "Uxxxxxxxx", "events": []}'
    digest = hmac.new(settings.line_channel_secret.encode(), body, hashlib.sha256).digest()
    response = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": base64.b64encode(digest).decode()})
    assert response.status_code == 200


SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_resident_text_is_shown_as_text_everywhere(editor, faq, session):
    now = utcnow()
    for outcome, feedback in (("answered", "down"), ("no_title", None), ("no_answer", None), ("excluded", None)):
        session.add(Message(created_at=now, user="u_0123456789abcdef", text=f"{SCRIPT}{outcome}",
                            outcome=outcome, faq_id="A01" if outcome == "answered" else None,
                            feedback=feedback, score=0.7))
    session.commit()
    message = session.scalar(select(Message).where(Message.outcome == "answered"))
    post(editor, f"/admin/review/{message.id}/relearn", {"faq_id": "B01"})  # now an alternate of B01
    session.expire_all()
    assert SCRIPT + "answered" in [a.text for a in faq_services.get_entry(session, "B01").alternates]
    pages = [f"/admin/review?tab={tab}&all=1" for tab in ("down", "answered", "no_title", "no_answer", "excluded")]
    pages += [f"/admin/review/{message.id}", "/admin/faq/B01/edit", "/admin/faq/B01/history",
              "/admin/faq?q=%3Cscript%3Ealert(", "/admin/try?q=%3Cscript%3Ealert(1)"]
    for url in pages:
        page = editor.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(" in page, url  # the text is there, as text


def test_user_ids_are_shown_only_as_pseudonyms(editor, faq, session, settings):
    raw = "U" + "0123456789abcdef" * 2
    log = ("id,timestamp,user,text,outcome,faq_id,score,review,correct_faq_id\n"
           f",{utcnow().isoformat()},{raw},粗大ごみは?,answered,B01,0.8,,\n"
           f",{utcnow().isoformat()},{raw},ぴよぴよ,no_title,,,,\n")
    import_log(session, log.encode(), settings.secret_key)
    session.commit()
    stored = set(session.scalars(select(Message.user)))
    assert len(stored) == 1 and raw not in stored
    pseudonym = stored.pop()
    for url in ("/admin/review?tab=answered", "/admin/review?tab=no_title"):
        page = editor.get(url).get_data(as_text=True)
        assert raw not in page and pseudonym in page, url


def test_repeated_failed_logins_are_slowed_down(client, staff, session):
    for attempt in range(5):
        page = login(client, "editor", "wrong password").get_data(as_text=True)
        # the fifth failure already starts the wait
        assert ("秒後にもう一度お試しください" if attempt == 4 else "ユーザー名またはパスワードが違います") in page
    # the sixth try, even with the right password, has to wait
    response = login(client, "editor", PASSWORD)
    assert response.status_code == 200
    assert "秒後にもう一度お試しください" in response.get_data(as_text=True)
    assert client.get("/admin/dashboard").status_code == 302  # still logged out
    user = session.scalar(select(User).where(User.username == "editor"))
    assert user.failed_logins == 5 and user.locked_until > utcnow() + timedelta(seconds=20)
    user.locked_until = utcnow() - timedelta(seconds=1)  # the wait is over
    session.commit()
    assert login(client, "editor", PASSWORD).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).failed_logins == 0


def test_an_unknown_user_gets_the_same_message(client, staff):
    page = login(client, "nobody", PASSWORD).get_data(as_text=True)
    assert "ユーザー名またはパスワードが違います" in page


def test_session_cookie_is_httponly_samesite_and_secure_under_https(app, staff):
    client = app.test_client()
    login(client, "admin")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    https = app.test_client()
    token_page = https.get("/admin/login", base_url="https://localhost")
    assert "Secure" in token_page.headers["Set-Cookie"]


def test_login_never_redirects_off_site(client, staff):
    token = csrf_token(client)
    for target in ("//evil.example/", "https://evil.example/", "/admin\\@evil.example"):
        response = client.post(f"/admin/login?next={target}", data={
            "username": "admin", "password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/admin/", target
        post(client, "/admin/logout")
        token = csrf_token(client)
