"""Admin fixtures: staff of each role, logged-in clients that send real CSRF tokens, a small FAQ."""
from __future__ import annotations

import re

import pytest

from admin.accounts import create_user
from faq.importer import import_faq, parse_faq_csv
from tests.faq.conftest import FAQ_CSV

PASSWORD = "correct-horse-42"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/admin/login") -> str:
    page = client.get(url).get_data(as_text=True)
    return _TOKEN.search(page).group(1)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/admin/login", data={
        "username": username, "password": password, "csrf_token": csrf_token(client)})


def post(client, url: str, data: dict | None = None, token_page: str = "/admin/dashboard", **kwargs):
    """POST as the browser would: with the token the session's pages carry."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, token_page)}, **kwargs)


@pytest.fixture
def staff(session):
    for role in ("admin", "editor", "viewer"):
        create_user(session, role, PASSWORD, role)
    session.commit()
    return {"admin": "admin", "editor": "editor", "viewer": "viewer"}


def _client(app, staff, role):
    client = app.test_client()
    response = login(client, role)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def editor(app, staff):
    return _client(app, staff, "editor")


@pytest.fixture
def viewer(app, staff):
    return _client(app, staff, "viewer")


@pytest.fixture
def administrator(app, staff):
    return _client(app, staff, "admin")


@pytest.fixture
def faq(session):
    import_faq(session, parse_faq_csv(FAQ_CSV.encode()))
    session.commit()
