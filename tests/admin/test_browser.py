"""The admin in real Chromium against the app served over HTTP, with the bot answering through a
LINE stand-in: log in, edit and restore, relearn from the review queue and see the bot's answer
change, download the report. `make screenshots` saves the README's screenshots in docs/screenshots/."""
from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from admin.accounts import create_user
from analytics.models import Message
from analytics.periods import JST
from faq.importer import ParsedFaq, import_faq, parse_faq_csv
from bot import line_webhook as wh
from tests.conftest import ROOT, SAMPLE_FAQ
from bot.line_stub import LineStub

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"
# The README's screenshots are refreshed only on request (`make screenshots`); a plain test run
# writes them to a temporary folder, so running the suite leaves the work tree clean.
SHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("UPDATE_SCREENSHOTS")
         else Path(tempfile.gettempdir()) / "cityfaq-screenshots")
PASSWORD = "browser-pass-1"
TARGET = "A001"  # 燃えるごみはどのように出せばよいですか？
NEW_PHRASING = "ぴよぴよ広場にごみを出す方法"
pytestmark = [
    pytest.mark.slow,  # headless Chromium
    # On CI a missing browser is a failure, not a skip: `make test` installs it.
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                       reason="Debian's chromium is not installed"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def settings(settings, line_stub):
    settings.line_api_base_url = line_stub.url
    return settings


@pytest.fixture
def server(app, session):
    sample = parse_faq_csv(SAMPLE_FAQ)
    rows = [row for row in sample.rows if row.faq_id == TARGET] + sample.rows[1::6]  # a spread of topics
    import_faq(session, ParsedFaq(rows=rows, encoding=sample.encoding), author="import")
    for role in ("editor", "viewer"):
        create_user(session, f"{role}1", PASSWORD, role)
    _seed_messages(session)
    session.commit()
    # Built before the browser arrives, so that no page waits for the model on a loaded machine.
    app.extensions["cityfaq"].live_index.refresh()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=5)
    app.extensions["cityfaq"].live_index.close()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 760}, locale="ja-JP", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)  # the first search builds the index
    yield page
    context.close()


def _seed_messages(session) -> None:
    """A month of questions as the bot would have logged them (this month and earlier ones)."""
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    samples = [
        ("粗大ごみのソファはいくら？", "answered", "A002", 0.66, "down"),
        ("<b>ごみの日</b>を教えて<script>alert(1)</script>", "answered", "A002", 0.71, "down"),
        ("燃えるごみの袋は何色", "answered", TARGET, 0.82, None),
        ("市民プールは何時から", "no_title", None, 0.31, None),
        ("市民プールの営業時間", "no_title", None, 0.35, None),
        ("プールって冬もやってる？", "no_title", None, 0.29, None),
        ("花火大会の日程", "no_title", None, 0.22, None),
        ("ああああ", "excluded", None, None, None),
    ]
    for i, (text, outcome, faq_id, score, feedback) in enumerate(samples):
        session.add(Message(created_at=now - timedelta(minutes=i), user=f"u_{i:016x}", text=text,
                            outcome=outcome, faq_id=faq_id, score=score, feedback=feedback))
    this_month = datetime.now(JST).replace(day=1, hour=12)
    fy_start = this_month.replace(month=4, year=this_month.year if this_month.month >= 4 else this_month.year - 1)
    month = fy_start
    while month < this_month:
        for n, outcome in enumerate(["answered"] * 14 + ["no_title"] * 3 + ["no_answer", "excluded", "excluded"]):
            session.add(Message(created_at=month.astimezone(timezone.utc) + timedelta(hours=n), user="u_00000000000000ff",
                                text="過去の質問", outcome=outcome, review="relearn" if n in (0, 1) else None))
        month = (month + timedelta(days=32)).replace(day=1)


def _shot(page, name: str, full_page: bool = False) -> None:
    """A screenshot for the README, reduced to 256 colours to stay small in git."""
    from PIL import Image

    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=path, full_page=full_page)
    Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def _login(page, server: str, username: str, shot: str | None = None) -> None:
    page.goto(f"{server}/admin/")
    assert page.url.startswith(f"{server}/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    if shot:
        _shot(page, shot)
    page.click("button.primary")
    page.wait_for_selector("text=ようこそ")


def _ask(server: str, stub: LineStub, secret: str, text: str) -> list[str]:
    """A resident's message through the signed webhook; what the bot replied."""
    event = wh.text(text)
    data = wh.body(event)
    response = requests.post(f"{server}/callback", data=data.encode(), headers=wh.headers(data, secret), timeout=60)
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    while not stub.texts(event["replyToken"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return stub.texts(event["replyToken"])


def test_log_in_edit_and_restore_an_earlier_version(server, page):
    _login(page, server, "editor1", shot="login.png")
    page.goto(f"{server}/admin/faq?q=生ごみの捨て方を知りたい")
    assert page.locator("table.list tbody tr").first.locator("td.mono").inner_text() == TARGET
    _shot(page, "faq-list.png")

    page.goto(f"{server}/admin/faq/{TARGET}/edit")
    original = page.input_value("textarea[name=answer]")
    page.fill("textarea[name=answer]", "燃えるごみは黄色の指定袋で、朝8時30分までに出してください。" * 15)
    page.click("button[value=preview]")
    assert "スマートフォンでは長く感じられます" in page.locator(".flash.warn").inner_text()
    assert "黄色の指定袋" in page.locator(".bubble.bot").first.inner_text()  # then each translation
    _shot(page, "faq-edit.png", full_page=True)
    page.fill("textarea[name=answer]", "間違えて書き換えた回答")
    page.click("button[value=save]")
    page.wait_for_selector("text=保存しました")
    assert page.input_value("textarea[name=answer]") == "間違えて書き換えた回答"

    page.click("text=履歴・元に戻す")
    assert "間違えて書き換えた回答" in page.locator("section.revision").first.inner_text()
    page.locator("section.revision").nth(1).locator("button", has_text="この内容に戻す").click()
    page.wait_for_selector("text=この時点の内容に戻しました")
    assert page.input_value("textarea[name=answer]") == original

    page.goto(f"{server}/admin/try?q=燃えるごみって何曜日？")
    assert page.locator(".band").count() == 1
    _shot(page, "try.png")


def test_relearn_from_the_review_queue_changes_the_bots_answer(server, page, line_stub, settings):
    before = _ask(server, line_stub, settings.line_channel_secret, NEW_PHRASING)
    assert before and not any("指定ごみ袋（黄色）" in text for text in before)

    _login(page, server, "editor1")
    page.goto(f"{server}/admin/review")
    assert page.locator("td", has_text="<b>ごみの日</b>を教えて<script>alert(1)</script>").count() == 1  # as text
    _shot(page, "review.png")
    page.click(".tabs a:has-text('表題なし')")
    _shot(page, "review-groups.png", full_page=True)
    page.locator("li", has_text=NEW_PHRASING).locator("text=再学習…").click()
    page.fill("input[name=faq_id_other]", TARGET)
    page.check("#other-choice")
    page.click("text=この FAQ で再学習")
    page.wait_for_selector(f"text=FAQ「{TARGET}」の言い換えとして学習しました")

    deadline = time.monotonic() + 60
    while True:  # every worker picks the new version up on its next searches
        after = _ask(server, line_stub, settings.line_channel_secret, NEW_PHRASING)
        if any("指定ごみ袋（黄色）" in text for text in after) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert any("指定ごみ袋（黄色）" in text for text in after), after


def test_the_check_before_publishing_page_follows_its_job_to_the_result(server, page, monkeypatch):
    import admin.check_jobs as check_jobs

    release = threading.Event()
    real = check_jobs.check_draft

    def held(*args, **kwargs):  # the job waits until the page has shown it running
        release.wait(120)
        return real(*args, **kwargs)

    monkeypatch.setattr(check_jobs, "check_draft", held)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    _login(page, server, "editor1")
    page.goto(f"{server}/admin/faq/{TARGET}/edit")
    page.fill("textarea[name=question]", "犬の登録")
    page.click("button[value=check]")
    page.wait_for_selector("progress")
    assert page.locator("#check-state").inner_text() in ("待機中", "実行中")
    release.set()
    # no reload by the test: admin.js polls the progress and shows the result when it is done
    page.wait_for_selector("text=1位正解率", timeout=180_000)
    assert page.locator("#check-state").inner_text() == "完了"
    assert "hit@1" not in page.content() and "JSONL" not in page.content()
    assert not refused, refused


def test_a_viewer_reads_the_dashboard_and_downloads_the_report(server, page, tmp_path):
    refused = []  # what the Content-Security-Policy blocked (security_headers.py)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    _login(page, server, "viewer1")
    assert page.url.endswith("/admin/dashboard")
    # a function, not a string: the page's policy refuses eval, and Playwright evals a string
    page.wait_for_function("() => document.querySelector('img.chart') && document.querySelector('img.chart').naturalWidth > 0")
    _shot(page, "dashboard.png", full_page=True)
    page.keyboard.press("Tab")  # the first stop: the skip link, shown on screen
    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
    assert page.locator("a.skip").bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    with page.expect_download() as download:
        page.click("text=表を CSV でダウンロード")
    path = tmp_path / "report.csv"
    download.value.save_as(path)
    text = path.read_bytes().decode("utf-8-sig")
    assert text.startswith("row,definition,4月") and "正答率" in text
    with page.expect_download() as download:
        page.click("text=この月の質問ログ（CSV）")
    assert download.value.suggested_filename.startswith("log-")
    earliest = page.eval_on_selector("select[name=fy]", "s => s.options[0].value")
    page.select_option("select[name=fy]", earliest)  # admin.js sends the form, as the inline handler did
    page.wait_for_url(re.compile(rf"/admin/dashboard\?fy={earliest}(#main)?$"))
    assert not refused, refused
    page.goto(f"{server}/admin/faq")
    assert "権限がありません" in page.content()


def test_draw_the_months_sample_and_judge_it_for_the_estimate(server, page):
    _login(page, server, "editor1")
    page.goto(f"{server}/admin/dashboard")
    form = page.locator("#estimate form").first  # the first month of the year with answers
    form.locator("input[name=size]").fill("5")
    with page.expect_navigation():
        form.locator("button", has_text="標本を抽出").click()
    assert "件を無作為に抽出しました" in page.locator(".flash").inner_text()
    n = page.locator("table.queue tbody tr").count()
    assert n == 5
    for i in range(n):  # one 再学習要, the rest 正答
        with page.expect_navigation():
            page.locator("table.queue tbody tr").nth(i).locator("button.j-relearn" if i == 0 else "button.j-correct").click()
    assert page.locator("#judged").inner_text() == "5 / 5"
    assert page.locator("#estimate").inner_text().replace("\n", "") == "80.0%"
    _shot(page, "estimate-sample.png", full_page=True)
    page.goto(f"{server}/admin/dashboard")
    row = page.locator("#estimate tbody tr").filter(has_text="標本を見る")
    assert row.count() == 1 and "80.0%" in row.inner_text() and "37.5〜96.4%" in row.inner_text()  # Wilson, 4 of 5


def test_upload_a_judged_log_preview_and_apply(server, page, session, tmp_path):
    """判定済みログの一括取り込み: an .xlsx judged in Excel, its preview, then applied."""
    from openpyxl import Workbook
    from sqlalchemy import select

    ids = dict(session.execute(select(Message.text, Message.id).where(Message.text.in_(
        ["燃えるごみの袋は何色", "花火大会の日程", "市民プールは何時から"]))).all())
    book = Workbook()
    book.active.append(["id", "text", "review", "correct_faq_id"])
    book.active.append([ids["燃えるごみの袋は何色"], "燃えるごみの袋は何色", "正答", None])
    book.active.append([ids["花火大会の日程"], "花火大会の日程", "除外", None])
    book.active.append([ids["市民プールは何時から"], "市民プールは何時から", None, None])
    path = tmp_path / "判定済み.xlsx"
    book.save(path)

    _login(page, server, "editor1")
    page.goto(f"{server}/admin/review")
    page.click("text=判定済みログの一括取り込み")
    page.set_input_files("input[name=file]", str(path))
    page.click("text=変更内容を確認")
    summary = page.locator("section.card").first.inner_text()
    assert "Excel ブック（.xlsx）" in summary and "変更 2 件、変更なし 1 件" in summary
    rows = page.locator("table.preview tbody tr")
    assert rows.count() == 2
    assert "燃えるごみの袋は何色" in rows.nth(0).inner_text() and "未判定 → 正答" in rows.nth(0).inner_text()
    assert "花火大会の日程" in rows.nth(1).inner_text() and "未判定 → 除外" in rows.nth(1).inner_text()
    _shot(page, "review-upload.png", full_page=True)
    page.click("text=この内容で反映する")
    page.wait_for_selector("text=判定を反映しました")
    assert "更新 2 件" in page.locator(".flash.success").inner_text()
    session.expire_all()
    assert {text: session.get(Message, i).review for text, i in ids.items()} == {
        "燃えるごみの袋は何色": "correct", "花火大会の日程": "excluded", "市民プールは何時から": None}


def test_the_dashboard_leads_to_the_stale_entries_by_department(server, page, session, tmp_path):
    from db import utcnow
    from faq import services as faq_services

    entries = faq_services.list_entries(session, status="published")
    for entry in entries:
        entry.reviewed_at = utcnow() - timedelta(days=400)
    session.commit()
    departments = {entry.department for entry in entries}
    _login(page, server, "editor1")
    page.goto(f"{server}/admin/dashboard")
    page.click(f"text=見直し期限切れ {len(entries)} 件")
    page.wait_for_url(re.compile(r"/admin/faq/stale$"))
    assert f"{len(entries)} 件" in page.locator("h1").inner_text()
    assert page.locator("section.stale").count() == len(departments)
    _shot(page, "faq-stale.png")
    first = page.locator("section.stale").first
    faq_id = first.locator("td.mono").first.inner_text()
    with page.expect_navigation():
        first.locator("button", has_text="内容を確認した").first.click()
    assert f"FAQ「{faq_id}」を確認済みにしました" in page.locator(".flash").inner_text()
    assert f"{len(entries) - 1} 件" in page.locator("h1").inner_text()
    with page.expect_download() as download:
        page.click("text=CSV でダウンロード（Excel 用）")
    path = tmp_path / "stale.csv"
    download.value.save_as(path)
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == "担当課,ID,分類,質問,最終確認日,経過日数" and len(lines) == len(entries)


def test_the_editor_shows_the_translation_fields_and_the_english_line_preview(server, page):
    _login(page, server, "editor1")
    page.goto(f"{server}/admin/faq/{TARGET}/edit")
    details = page.locator("details.translations")
    if details.get_attribute("open") is None:
        page.click("details.translations summary")
    # A question and an answer for each of the eight languages, and the やさしい日本語 answer.
    assert details.locator("textarea").count() == 17
    assert page.locator("label", has_text="質問（English）").count() == 1
    question_en = page.input_value("textarea[name=question_en]")
    assert question_en  # the sample FAQ's English question for this entry
    page.fill("textarea[name=answer_en]", "Put burnable garbage in the yellow city bag by 8:30 a.m.")
    page.click("button[value=preview]")
    english = page.locator("[aria-label='English での見え方']")
    english.wait_for()
    assert page.locator("aside h3", has_text="English で質問した住民には").count() == 1
    assert english.locator(".bubble.user").inner_text() == question_en
    reply = english.locator(".bubble.bot").inner_text()
    assert reply.startswith("Put burnable garbage in the yellow city bag by 8:30 a.m.")
    assert page.input_value("textarea[name=answer_en]").startswith("Put burnable garbage")  # nothing saved, nothing lost
