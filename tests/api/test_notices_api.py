"""POST /api/notices: other systems draft notices with a token; an administrator approves them."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from notices import subscriptions
from notices.models import Notice

TOKEN = "a-long-random-token-for-the-bousai-system"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, notice_api_token=TOKEN)


@pytest.fixture
def topic(session):
    topic = subscriptions.save_topic(session, "防災")
    session.commit()
    return topic


def test_another_system_drafts_a_notice(client, session, topic):
    response = client.post("/api/notices", headers=AUTH, json={
        "title": "大雨警報", "text": "大雨警報が出ました。", "topics": ["防災"],
        "url": "https://city.example.jp/bousai", "send_at": "2099-01-01T09:00:00+09:00"})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "draft" and response.json["admin_url"].endswith(f"/admin/notices/{response.json['id']}")
    notice = session.scalars(select(Notice)).one()
    assert (notice.source, notice.topic_ids, notice.history[0]["by"]) == ("api", [topic.id], "外部システム")
    assert notice.send_at.isoformat() == "2099-01-01T00:00:00+00:00"
    state = client.get(f"/api/notices/{notice.id}", headers=AUTH)
    assert state.status_code == 200 and state.json["status_label"] == "承認待ち"


@pytest.mark.parametrize("body, error", [
    ({"title": "t", "text": "x", "topics": ["ない分野"]}, "分野「ない分野」はありません"),
    ({"title": "t", "text": "x", "topics": "防災"}, "topics は分野名の配列"),
    ({"title": 1, "text": "x", "topics": ["防災"]}, "title は文字列"),
    ({"title": "t", "text": "x", "topics": ["防災"], "send_at": "明日"}, "ISO 8601"),
    ({"title": "t", "text": "x", "topics": ["防災"], "send_at": "2099-01-01T09:00:00"}, "タイムゾーン"),
    ({"title": "t", "text": "", "topics": ["防災"]}, "本文を入力"),
    ([1, 2], "JSONのオブジェクト"),
])
def test_bad_requests_get_reasons_and_change_nothing(client, session, topic, body, error):
    response = client.post("/api/notices", headers=AUTH, json=body)
    assert response.status_code == 400 and any(error in e for e in response.json["errors"])
    assert session.scalar(select(Notice)) is None


def test_a_wrong_token_is_refused(client, session, topic):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = client.post("/api/notices", headers=headers, json={"title": "t", "text": "x", "topics": ["防災"]})
        assert response.status_code == 401
    assert client.post("/api/notices", headers=AUTH, data=b"\xff\xfe", content_type="application/json").status_code == 400
    assert session.scalar(select(Notice)) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_a_token_the_api_is_off(configure, client):
    configure(notice_api_token="")
    assert client.post("/api/notices", json={}).status_code == 404
