"""The bot against a LINE stand-in that checks every reply against messaging-api.yml."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from analytics.models import Message
from bot.models import WebhookEvent
from faq.importer import import_faq, parse_faq_csv
from bot import line_webhook as wh

SECRET = "test-channel-secret"  # tests/conftest.py settings
FAQ_CSV = """id,category,question,alternates,answer,url,department
J01,住民票,住民票の写しを取りたい,"住民票はどこで取れますか
住民票の取り方",住民票の写しは、市民課の窓口またはコンビニ交付で取れます。コンビニ交付にはマイナンバーカードが必要です。,https://city.example.jp/juminhyo,市民課
G01,ごみ,粗大ごみの出し方,"ソファを捨てたい
大きいごみの捨て方",粗大ごみは、粗大ごみ受付センターへ電話で申し込んでください。,https://city.example.jp/sodai,環境課
C01,子育て,児童手当の申請方法,"児童手当の手続き
児童手当を申請したい",,,子育て支援課
T01,税金,住民税の納付方法,住民税の払い方,納付書で金融機関かコンビニで払えます。,,税務課
"""


@pytest.fixture
def settings(settings, line_stub):
    settings.line_api_base_url = line_stub.url
    return settings


@pytest.fixture
def faq(app, session):
    import_faq(session, parse_faq_csv(FAQ_CSV.encode("utf-8")))
    session.commit()
    yield
    live = app.extensions["cityfaq"]._live_index  # built by the test's first question, if any
    if live is not None:
        live.close()


@pytest.fixture
def deliver(app, client):
    """POST events to /callback signed as LINE signs; returns the response once the replies it
    queued have been sent (or given up)."""
    def deliver(*events, raw: str | None = None):
        data = raw if raw is not None else wh.body(*events)
        response = client.post("/callback", data=data.encode("utf-8"), headers=wh.headers(data, SECRET))
        assert app.extensions["cityfaq"].reply_sender.wait(timeout=30)
        return response
    return deliver


def messages(session) -> list[Message]:
    session.expire_all()
    return list(session.scalars(select(Message).order_by(Message.id)))


def event_count(session) -> int:
    return session.scalar(select(func.count()).select_from(WebhookEvent))
