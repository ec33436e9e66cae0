"""The local chat page: its messages take the signed webhook path, replies come back through
line-bot-sdk to the in-app LINE stand-in. Only in local mode."""
from __future__ import annotations

import dataclasses
import threading

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from analytics.models import Message
from config import LOCAL_CHAT_PATH
from wsgi import create_app


@pytest.fixture
def chat_server(settings, faq):
    """The app served over real HTTP, as `flask chat serve` does (threaded)."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    settings = dataclasses.replace(settings, local_chat=True, line_channel_access_token="",
                                   line_api_base_url=f"http://127.0.0.1:{server.server_port}{LOCAL_CHAT_PATH}")
    server.app = create_app(settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", server.app
    server.shutdown()
    server.app.extensions["cityfaq"].live_index.close()
    server.app.extensions["cityfaq"].reply_sender.stop()


def test_chatting_locally_goes_through_the_webhook(chat_server, session):
    base, app = chat_server
    browser = requests.Session()
    page = browser.get(f"{base}/chat", timeout=10)
    assert page.status_code == 200 and "メッセージを入力" in page.text

    asked = browser.post(f"{base}/chat/send", json={"text": "住民票はどこで取れますか"}, timeout=60)
    answer, ask = asked.json()["replies"]
    assert "市民課の窓口" in answer["altText"] and ask["text"].startswith("この回答は役に立ちましたか？")
    up = ask["quickReply"]["items"][0]["action"]
    assert browser.post(f"{base}/chat/send", json={"postback": up["data"]}, timeout=60).json()[
        "replies"][0]["text"].startswith("ありがとうございます")

    with app.extensions["cityfaq"].sessionmaker() as s:
        [row] = s.scalars(select(Message))
    assert (row.outcome, row.faq_id, row.source, row.feedback) == ("answered", "J01", "chat", "up")
    assert row.reply_status == "sent"


def test_chat_refuses_empty_and_too_long_messages(chat_server):
    base, _ = chat_server
    empty = requests.post(f"{base}/chat/send", json={"text": "  "}, timeout=10)
    assert empty.status_code == 400 and "入力してください" in empty.json()["error"]
    long = requests.post(f"{base}/chat/send", json={"text": "あ" * 5001}, timeout=10)
    assert long.status_code == 400 and "5000文字" in long.json()["error"]


def test_no_chat_page_or_line_stand_in_with_a_line_channel(client):
    assert client.get("/chat").status_code == 404
    assert client.post("/chat/send", json={"text": "住民票"}).status_code == 404
    assert client.post(f"{LOCAL_CHAT_PATH}/v2/bot/message/reply",
                       json={"replyToken": "t", "messages": [{"type": "text", "text": "x"}]}).status_code == 404


def test_local_mode_is_explicit(monkeypatch, tmp_path):
    import config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    for name in ("LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_BASE_URL", "LINE_CHANNEL_SECRET", "LOCAL_CHAT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORT", "5123")
    nothing = config.from_env()
    assert not nothing.local_chat and nothing.line_channel_secret == ""  # never inferred
    monkeypatch.setenv("LOCAL_CHAT", "1")
    local = config.from_env()
    assert local.local_chat and local.line_channel_secret
    assert local.line_api_base_url == f"http://127.0.0.1:5123{LOCAL_CHAT_PATH}"
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "token")
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "secret")
    with pytest.raises(config.ConfigError, match="LOCAL_CHAT"):
        config.check(config.from_env())
    monkeypatch.delenv("LOCAL_CHAT")
    production = config.from_env()
    assert not production.local_chat and production.line_api_base_url == "https://api.line.me"


@pytest.mark.parametrize("secret", [None, "", "  "])
def test_a_channel_without_its_secret_does_not_start(monkeypatch, tmp_path, secret):
    """line-bot-sdk accepts any body signed with an empty key: the app must refuse to start."""
    import config

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("LOCAL_CHAT", raising=False)
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "token")
    if secret is None:
        monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    else:
        monkeypatch.setenv("LINE_CHANNEL_SECRET", secret)
    with pytest.raises(config.ConfigError, match="LINE_CHANNEL_SECRET"):
        create_app()


def test_chat_messages_are_not_in_the_council_report(chat_server, session):
    from analytics.periods import JST
    from analytics.report import month_counts

    base, _ = chat_server
    requests.post(f"{base}/chat/send", json={"text": "住民票はどこで取れますか"}, timeout=60)
    [when] = session.scalars(select(Message.created_at).where(Message.source == "chat"))
    when = when.astimezone(JST)
    assert month_counts(session, when.year, when.month) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.skipif(not __import__("os").path.exists("/usr/bin/chromium") and not __import__("os").environ.get("CI"),
                    reason="Debian's chromium is not installed")
def test_the_chat_page_shows_an_answer_card_with_its_button(chat_server, tmp_path):
    from playwright.sync_api import sync_playwright

    base, _app = chat_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 420, "height": 760}, locale="ja-JP")
        page.set_default_timeout(60_000)
        page.goto(f"{base}/chat")
        page.fill("#text", "住民票はどこで取れますか")
        page.press("#text", "Enter")
        button = page.locator("a.card-button")
        button.wait_for()
        assert button.inner_text() == "詳しく見る"
        assert button.get_attribute("href") == "https://city.example.jp/juminhyo"
        assert "市民課の窓口" in page.locator(".row.bot .bubble").first.inner_text()
        page.screenshot(path=str(tmp_path / "chat-card.png"))
        browser.close()
