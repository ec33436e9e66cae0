"""Admin fixtures: staff of each role, logged-in clients that send real CSRF tokens, a small FAQ."""
from __future__ import annotations

import re

import pytest

from admin.accounts import create_user
from faq.importer import import_faq, parse_faq_csv

PASSWORD = "correct-horse-42"
HEADER = "id,category,question,alternates,answer,url,department"
FAQ_CSV = f'''{HEADER}
A01,住民票,住民票の写しがほしい,"住民票 取り方
住民票はどこでもらえますか",市民課の窓口かコンビニ交付で取れます。マイナンバーカードが必要です。,https://city.example.jp/juminhyo,市民課
B01,ごみ,粗大ごみの出し方,"ソファを捨てたい
大きいごみの捨て方",粗大ごみ受付センターに電話で申し込んでください。,https://city.example.jp/sodai,環境課
C01,子育て,児童手当の申請,児童手当 手続き,,,子育て支援課
D01,税金,住民税の納付方法,"住民税 払い方",納付書で金融機関かコンビニで払えます。,,税務課
'''
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
