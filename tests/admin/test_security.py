"""Security of the admin: login everywhere, roles, CSRF, escaping, pseudonyms, login slowdown."""
from __future__ import annotations

import base64
import dataclasses
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
               "topic_id": 1, "notice_id": 1, "conversation_id": 1, "job_id": 1}


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


FAILED = "ユーザー名またはパスワードが違うか、ログインの失敗が続いたため一時的にログインできません。"
CLIENT_WAIT = "この端末からのログインの失敗が続いたため"


def _browser(app, address: str = "127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _flash(response) -> str:
    page = response.get_data(as_text=True)
    return page[page.index('class="flash'):].split("</p>", 1)[0] if 'class="flash' in page else ""


def test_repeated_failed_logins_make_the_account_wait_for_new_browsers(app, staff, session):
    guesser = _browser(app, "10.0.0.5")
    for _ in range(5):
        assert FAILED in _flash(login(guesser, "editor", "wrong password"))
    user = session.scalar(select(User).where(User.username == "editor"))
    assert user.failed_logins == 5 and user.locked_until > utcnow() + timedelta(seconds=20)
    # a browser that never logged in to the account waits, even with the right password, and is
    # told exactly what a wrong password is told
    newcomer = _browser(app, "10.0.0.6")
    response = login(newcomer, "editor", PASSWORD)
    assert response.status_code == 200 and FAILED in _flash(response)
    assert newcomer.get("/admin/dashboard").status_code == 302  # still logged out
    user.locked_until = utcnow() - timedelta(seconds=1)  # the wait is over
    session.commit()
    assert login(newcomer, "editor", PASSWORD).status_code == 302
    session.expire_all()
    assert session.get(User, user.id).failed_logins == 0


def test_a_third_party_cannot_lock_the_real_user_out(app, staff, session):
    owner = _browser(app, "192.0.2.10")
    assert login(owner, "editor").status_code == 302  # her usual browser: it gets a device cookie
    post(owner, "/admin/logout")
    for n in range(8):  # someone guesses her password from many addresses
        login(_browser(app, f"198.51.100.{n}"), "editor", f"guess {n}")
    session.expire_all()
    assert session.scalar(select(User.locked_until).where(User.username == "editor")) > utcnow()
    assert login(owner, "editor").status_code == 302  # she still gets in
    assert owner.get("/admin/dashboard").status_code == 200
    # and a device cookie made up or signed for another account does not help
    other = _browser(app, "192.0.2.11")
    other.set_cookie("admin_device", owner.get_cookie("admin_device", path="/admin/login").value + "x",
                     path="/admin/login")
    assert FAILED in _flash(login(other, "editor"))


def test_one_client_is_slowed_down_whatever_names_it_tries(app, staff, session):
    guesser = _browser(app, "10.0.0.7")
    for n in range(10):
        assert FAILED in _flash(login(guesser, f"name{n}", "wrong password"))
    response = login(guesser, "admin")  # even a right password now waits, on this client only
    assert CLIENT_WAIT in _flash(response) and guesser.get("/admin/dashboard").status_code == 302
    assert login(_browser(app, "10.0.0.8"), "admin").status_code == 302  # another address is not slowed
    # an IPv6 client is counted by its /64: a new address in it does not start afresh
    for n in range(10):
        login(_browser(app, f"2001:db8:1:2::{n + 1:x}"), "nobody", "wrong password")
    assert CLIENT_WAIT in _flash(login(_browser(app, "2001:db8:1:2::ffff"), "admin"))
    assert login(_browser(app, "2001:db8:1:3::1"), "admin").status_code == 302


def test_a_clients_failures_are_forgotten_after_a_day(app, staff, session):
    from admin.accounts import authenticate
    from admin.models import LoginThrottle

    start = utcnow()
    for n in range(12):
        authenticate(session, "nobody", "wrong password", "10.0.4.1", now=start)
    session.commit()
    assert authenticate(session, "admin", PASSWORD, "10.0.4.1", now=start).wait_seconds > 0
    later = start + timedelta(days=1, minutes=1)
    authenticate(session, "nobody", "wrong password", "10.0.4.2", now=later)  # another address fails
    session.commit()
    assert session.get(LoginThrottle, "10.0.4.1") is None  # the quiet one is gone
    assert authenticate(session, "admin", PASSWORD, "10.0.4.1", now=later).user is not None


def test_every_failed_login_gets_the_same_answer_and_runs_the_hash(app, staff, session, monkeypatch):
    import admin.accounts

    for _ in range(5):
        login(_browser(app, "10.0.1.1"), "viewer", "wrong password")  # viewer now waits
    hashed = []
    real = admin.accounts.check_password_hash
    monkeypatch.setattr(admin.accounts, "check_password_hash", lambda h, p: hashed.append(p) or real(h, p))
    answers = {}
    for case, (name, password) in {"unknown": ("nobody", PASSWORD), "wrong": ("editor", "wrong password"),
                                   "waiting": ("viewer", PASSWORD)}.items():
        answers[case] = _flash(login(_browser(app, "10.0.1.2"), name, password))
    assert len(set(answers.values())) == 1 and FAILED in answers["unknown"], answers
    assert len(hashed) == 3  # the unknown name and the waiting account are hashed too


def test_failed_logins_take_comparable_time(app, staff):
    import time

    for _ in range(5):
        login(_browser(app, "10.0.2.1"), "viewer", "wrong password")

    def fastest(name: str, password: str) -> float:
        times = []
        for n in range(5):
            client = _browser(app, f"10.0.3.{n}")
            token = csrf_token(client)
            started = time.perf_counter()
            client.post("/admin/login", data={"username": name, "password": password, "csrf_token": token})
            times.append(time.perf_counter() - started)
        return min(times)  # the least disturbed by other jobs on the machine

    wrong = fastest("editor", "wrong password")
    for case in (("nobody", PASSWORD), ("viewer", PASSWORD)):
        assert fastest(*case) > 0.4 * wrong, case  # generous: each runs one password hash


def test_a_copied_session_cookie_dies_at_logout(app, staff):
    client = _browser(app)
    login(client, "editor")
    copy = _browser(app)
    copy.set_cookie("session", client.get_cookie("session").value)
    assert copy.get("/admin/faq").status_code == 200  # a copy works while the session lives
    post(client, "/admin/logout")
    assert copy.get("/admin/faq").status_code == 302
    assert copy.get("/admin/faq").headers["Location"].startswith("/admin/login")


def test_a_password_reset_or_role_change_ends_the_users_sessions(app, staff, session, administrator):
    editor = _browser(app)
    login(editor, "editor")
    user_id = session.scalar(select(User.id).where(User.username == "editor"))
    post(administrator, f"/admin/users/{user_id}/password", {"password": "a-new-password-1"}, token_page="/admin/users")
    assert editor.get("/admin/faq").status_code == 302
    login(editor, "editor", "a-new-password-1")
    assert editor.get("/admin/faq").status_code == 200
    post(administrator, f"/admin/users/{user_id}/role", {"role": "viewer"}, token_page="/admin/users")
    assert editor.get("/admin/faq").status_code == 302  # not a viewer session with an editor's rights
    # an administrator who resets her own password stays logged in here
    admin_id = session.scalar(select(User.id).where(User.username == "admin"))
    post(administrator, f"/admin/users/{admin_id}/password", {"password": "a-new-password-2"}, token_page="/admin/users")
    assert administrator.get("/admin/users").status_code == 200


def test_an_old_style_session_id_is_not_accepted(app, staff, session):
    from admin.auth import load_staff

    user_id = session.scalar(select(User.id).where(User.username == "admin"))
    with app.test_request_context():
        assert load_staff(str(user_id)) is None and load_staff(f"{user_id}:forged") is None
        assert load_staff("99999999999999999999:x") is None


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
    for target in ("//evil.example/", "https://evil.example/", "/admin\\@evil.example", "/admin//evil.example",
                   "/admin/dashboard%0D%0ASet-Cookie:%20x=1", "/admin/%0Aa", "/admin/%09", "/admin/%20x"):
        response = client.post(f"/admin/login?next={target}", data={
            "username": "admin", "password": PASSWORD, "csrf_token": token})
        assert response.headers["Location"] == "/admin/", target
        post(client, "/admin/logout")
        token = csrf_token(client)


def test_login_follows_a_local_next(client, staff):
    response = client.post("/admin/login?next=/admin/dashboard%3Ffy%3D2025", data={
        "username": "admin", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/admin/dashboard?fy=2025"


def test_review_back_with_a_newline_is_not_followed(editor, faq, session):
    now = utcnow()
    session.add(Message(created_at=now, user="u_0123456789abcdef", text="粗大ごみ", outcome="answered", faq_id="A01"))
    session.commit()
    message_id = session.scalar(select(Message.id))
    response = post(editor, f"/admin/review/{message_id}/judge",
                    {"review": "correct", "back": "/admin/review\r\nSet-Cookie: x=1"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/review"


def test_a_failed_restore_never_follows_the_referer(editor, faq):
    response = post(editor, "/admin/faq/revisions/999999/restore", headers={"Referer": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/faq"


HEADERS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def _check_headers(response) -> str:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline' " not in csp.split(
        "script-src", 1)[1].split(";")[0]
    return csp


def test_every_admin_page_sends_the_security_headers_and_meets_its_policy(app, administrator, client, faq):
    import re

    _check_headers(client.get("/admin/login"))
    _check_headers(client.get("/admin/dashboard"))  # the redirect to the login too
    pages = [url for rule, url in _admin_rules(app) if "GET" in rule.methods and not rule.arguments] + [
        "/admin/faq/A01/edit", "/admin/faq/A01/history"]
    for url in pages:
        response = administrator.get(url)
        _check_headers(response)
        if response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            # the policy allows no inline script: every <script> has a src, no element an on… handler
            assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
            assert not re.search(r"<[^>]+\son[a-z]+\s*=", page), url


def test_the_chat_page_sends_the_headers_and_its_script_carries_the_nonce(settings):
    from wsgi import create_app

    settings = dataclasses.replace(settings, local_chat=True, line_channel_access_token="")
    response = create_app(settings).test_client().get("/chat")
    assert response.status_code == 200
    csp = _check_headers(response)
    nonce = csp.split("'nonce-", 1)[1].split("'", 1)[0]
    page = response.get_data(as_text=True)
    assert page.count("<script") == 1 and f'<script nonce="{nonce}">' in page
    assert create_app(settings).test_client().get("/chat").headers["Content-Security-Policy"] != csp  # per response
