"""Review queue, dashboard and the users command through their pages."""
from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from admin.models import User
from analytics.models import Message
from analytics.periods import JST
from faq import services as faq_services
from tests.admin.conftest import post

MAY_2024 = datetime(2024, 5, 10, 3, 0, tzinfo=timezone.utc)  # 12:00 JST


def _message(session, text, outcome, **kw) -> Message:
    message = Message(created_at=kw.pop("created_at", MAY_2024), user="u_00000000000000aa", text=text,
                      outcome=outcome, **kw)
    session.add(message)
    session.commit()
    return message


def test_queue_shows_thumbs_down_first_and_judges(editor, faq, session):
    down = _message(session, "住民票はどこ？", "answered", faq_id="B01", score=0.7, feedback="down")
    _message(session, "ソファの捨て方", "answered", faq_id="B01", score=0.9)
    page = editor.get("/admin/review?month=2024-05").get_data(as_text=True)
    assert "住民票はどこ？" in page and "ソファの捨て方" not in page  # 👎 tab by default
    assert '役に立たなかった <span class="count">1</span>' in page
    post(editor, f"/admin/review/{down.id}/judge", {"review": "excluded", "back": "/admin/review?month=2024-05"},
         token_page="/admin/review?month=2024-05")
    session.expire_all()
    assert session.get(Message, down.id).review == "excluded"
    assert session.get(Message, down.id).reviewed_by == "editor"
    assert "住民票はどこ？" not in editor.get("/admin/review?month=2024-05").get_data(as_text=True)
    post(editor, f"/admin/review/{down.id}/judge", {"review": ""}, token_page="/admin/review")
    session.expire_all()
    assert session.get(Message, down.id).review is None


def test_a_page_past_the_last_shows_the_last_page(editor, faq, session):
    _message(session, "住民票はどこ？", "answered", faq_id="B01")
    for page in ("2", str(10**17), str(10**30), "-5"):
        response = editor.get(f"/admin/review?month=2024-05&tab=answered&page={page}")
        assert response.status_code == 200
        assert "住民票はどこ？" in response.get_data(as_text=True)


@pytest.mark.parametrize("row_id", [2**31, 10**30])
def test_an_id_beyond_any_row_is_not_found(administrator, faq, session, row_id):
    """Every admin URL with a row id (PostgreSQL's integer ends at 2^31 - 1)."""
    assert administrator.get(f"/admin/review/{row_id}").status_code == 404
    for action in (f"review/{row_id}/judge", f"review/{row_id}/relearn", f"users/{row_id}/role",
                   f"users/{row_id}/password", f"users/{row_id}/delete",
                   f"faq/revisions/{row_id}/restore"):
        assert post(administrator, f"/admin/{action}", token_page="/admin/review").status_code == 404


def test_relearn_picks_the_suggested_entry_and_teaches_it(editor, faq, session):
    wrong = _message(session, "ソファを処分したいのですが", "answered", faq_id="A01", score=0.61, feedback="down")
    page = editor.get(f"/admin/review/{wrong.id}").get_data(as_text=True)
    assert 'value="B01" checked' in page  # the retriever's suggestion comes first
    version = faq_services.current_version(session)
    post(editor, f"/admin/review/{wrong.id}/relearn", {"faq_id": "B01"}, token_page=f"/admin/review/{wrong.id}")
    session.expire_all()
    message = session.get(Message, wrong.id)
    assert (message.review, message.correct_faq_id) == ("relearn", "B01")
    assert "ソファを処分したいのですが" in [a.text for a in faq_services.get_entry(session, "B01").alternates]
    assert faq_services.current_version(session) == version + 1
    other = _message(session, "別の質問", "no_title")
    page = post(editor, f"/admin/review/{other.id}/relearn", {"faq_id": "ZZZ"}, token_page="/admin/review",
                follow_redirects=True).get_data(as_text=True)
    assert "ID「ZZZ」の FAQ はありません" in page


def _groups(page: str) -> list[list[int]]:
    """The message ids of each group on the 表題なし tab, as its 「まとめて除外」 form sends them."""
    import re

    sections = page.split('<section class="card group">')[1:]
    return [[int(i) for i in re.findall(r'name="message" value="(\d+)"', s.split(
        'action="/admin/review/exclude"')[1].split("</form>")[0])] for s in sections]


def test_unanswered_questions_are_grouped_and_become_a_new_entry(editor, faq, session):
    for text in ("ソファを捨てたい", "大きい家具を捨てたい", "ベッドを処分したい"):
        _message(session, text, "no_title", score=0.3)
    _message(session, "住民票をとりたい", "no_title", score=0.3)
    page = editor.get("/admin/review?month=2024-05&tab=no_title").get_data(as_text=True)
    first, second = page.index("件</strong>"), page.rindex("件</strong>")
    assert "<strong>3 件</strong>" in page[first - 20:first + 10] and "B01" in page[first:second]
    ids = [m.id for m in session.scalars(select(Message).where(Message.text.in_(
        ["ソファを捨てたい", "大きい家具を捨てたい", "ベッドを処分したい"])).order_by(Message.id))]
    query = "&".join(f"message={i}" for i in ids)
    form = editor.get(f"/admin/faq/new?question=ベッドを処分したい&question=大きい家具を捨てたい&question=ソファを捨てたい&{query}")
    page = form.get_data(as_text=True)
    assert "表題なし」3 件の質問から" in page and "ベッドを処分したい</textarea>" in page
    post(editor, "/admin/faq/new", {"faq_id": "N01", "question": "ベッドを処分したい",
                                     "alternates": "大きい家具を捨てたい\nソファを捨てたい",
                                     "answer": "", "message": ids}, token_page="/admin/faq/new")
    session.expire_all()
    entry = faq_services.get_entry(session, "N01")
    assert entry.answer == "" and entry.published  # 回答未入力 until someone writes it
    assert [a.text for a in entry.alternates] == ["大きい家具を捨てたい", "ソファを捨てたい"]
    assert {(m.review, m.correct_faq_id) for m in session.scalars(select(Message).where(Message.id.in_(ids)))} \
        == {("relearn", "N01")}
    assert "<strong>3 件</strong>" not in editor.get("/admin/review?month=2024-05&tab=no_title").get_data(as_text=True)


def test_a_phrasing_deleted_from_the_new_entry_is_not_relearned_back(editor, faq, session):
    """Issue 14: staff took ソファを捨てたい out of the form; saving put it back as a relearned
    alternate and marked its question 再学習要."""
    ids = [_message(session, text, "no_title", score=0.3).id
           for text in ("ソファを捨てたい", "大きい家具を捨てたい", "ベッドを処分したい")]
    post(editor, "/admin/faq/new", {"faq_id": "N01", "question": "ベッドを処分したい", "alternates": "大きい家具を捨てたい",
                                     "answer": "", "message": ids}, token_page="/admin/faq/new")
    session.expire_all()
    entry = faq_services.get_entry(session, "N01")
    assert [a.text for a in entry.alternates] == ["大きい家具を捨てたい"]
    marked = {m.text: (m.review, m.correct_faq_id) for m in session.scalars(select(Message).where(Message.id.in_(ids)))}
    assert marked == {"ソファを捨てたい": (None, None), "大きい家具を捨てたい": ("relearn", "N01"),
                      "ベッドを処分したい": ("relearn", "N01")}
    page = editor.get("/admin/review?month=2024-05&tab=no_title").get_data(as_text=True)
    assert "ソファを捨てたい" in page  # still waiting in the queue


def test_redisplaying_the_new_entry_form_keeps_each_question_once(editor, faq, session):
    """Issue 14: the form posts to its own URL, whose query string repeats the hidden ids: 「2 件」
    became 「4 件」 on 「プレビュー」."""
    ids = [_message(session, text, "no_title", score=0.3).id for text in ("ソファを捨てたい", "ベッドを処分したい")]
    url = f"/admin/faq/new?question=ソファを捨てたい&question=ベッドを処分したい&message={ids[0]}&message={ids[1]}"
    page = post(editor, url, {"faq_id": "N01", "question": "ソファを捨てたい", "alternates": "ベッドを処分したい",
                              "answer": "", "message": ids, "action": "preview"},
                token_page="/admin/faq/new").get_data(as_text=True)
    assert "表題なし」2 件の質問から" in page
    import re
    assert re.findall(r'name="message" value="(\d+)"', page) == [str(i) for i in ids]


def test_only_questions_with_a_plausible_top_hit_are_grouped(app, editor, faq, session):
    """Issue 14: a Tagalog and an English question met at a score near 0 on the same entry and were
    one group, so 「まとめて除外」 excluded both. Below the bot's own floor a question stays alone."""
    # The floor is the bot's candidate threshold, set here between the furniture questions (0.47 and
    # up) and the others (0.15 and under): in a 4-entry FAQ, scored against the development FAQs'
    # near misses (the prior), 「猫の名前」 gets 0.11 and would be offered 粗大ごみ at the shipped 0.02.
    services = app.extensions["cityfaq"]
    services.settings = dataclasses.replace(services.settings, candidate_threshold=0.2)
    sofa = [_message(session, text, "no_title", score=0.3).id
            for text in ("ソファを捨てたい", "大きい家具を捨てたい", "ベッドを処分したい")]
    tagalog = _message(session, "Saan ako kukuha ng sertipiko ng paninirahan?", "no_title", language="tl").id
    english = _message(session, "What time does the library open?", "no_title", language="en").id
    weather = _message(session, "今日の天気は", "no_title").id
    cat = _message(session, "猫の名前", "no_title").id
    page = editor.get("/admin/review?month=2024-05&tab=no_title").get_data(as_text=True)
    groups = _groups(page)
    assert sorted(groups[0]) == sorted(sofa)
    assert sorted(groups[1:]) == sorted([[tagalog], [english], [weather], [cat]])
    assert page.count("<button>まとめて除外</button>") == 1 and page.count("<button>除外</button>") == 4
    post(editor, "/admin/review/exclude", {"message": [tagalog]}, token_page="/admin/review")
    session.expire_all()
    assert [session.get(Message, i).review for i in (tagalog, english)] == ["excluded", None]


def test_dashboard_table_counts_and_downloads(viewer, session):
    _message(session, "a", "answered", faq_id="B01", feedback="down")
    _message(session, "b", "answered", faq_id="B01", review="relearn")
    _message(session, "c", "no_title")
    _message(session, "d", "excluded")
    page = viewer.get("/admin/dashboard?fy=2024").get_data(as_text=True)
    assert "令和6年度" in page and "未集計" in page
    assert "50.0" in page  # 正答率 1/2
    assert 'src="/admin/dashboard/chart.png?fy=2024"' in page
    png = viewer.get("/admin/dashboard/chart.png?fy=2024")
    assert png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    csv = viewer.get("/admin/dashboard/report.csv?fy=2024").get_data().decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("row,definition,4月,5月") and "全質問" in csv
    xlsx = viewer.get("/admin/dashboard/report.xlsx?fy=2024")
    assert load_workbook(io.BytesIO(xlsx.data)).sheetnames[0] == "応答状況"
    log = viewer.get("/admin/dashboard/log.csv?month=2024-05").get_data().decode("utf-8-sig")
    assert log.startswith("id,timestamp,user") and len(log.splitlines()) == 5
    bad = viewer.get("/admin/dashboard/log.csv?month=2024-13", follow_redirects=True).get_data(as_text=True)
    assert "flash error" in bad


def test_dashboard_offers_this_months_log_first(viewer):
    now = datetime.now(JST)
    page = viewer.get("/admin/dashboard").get_data(as_text=True)
    assert f'<option value="{now:%Y-%m}" selected>' in page
    past = viewer.get("/admin/dashboard?fy=2022").get_data(as_text=True)
    assert '<option value="2023-03" selected>' in past and past.count(" selected>") == 2  # and the 年度 select


def test_the_log_download_quotes_formulas(viewer, session):
    _message(session, '=HYPERLINK("http://evil.example","x")', "no_title")
    log = viewer.get("/admin/dashboard/log.csv?month=2024-05").get_data().decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://evil.example"",""x"")"' in log


def test_users_create_command_makes_the_first_administrator(runner, session):
    result = runner.invoke(args=["users", "create", "boss", "--password", "long-enough-1"])
    assert result.exit_code == 0 and "管理者" in result.output
    assert session.scalar(select(User.role).where(User.username == "boss")) == "admin"
    result = runner.invoke(args=["users", "create", "clerk", "--role", "viewer"], input="pw-12345678\npw-12345678\n")
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["users", "create", "boss", "--password", "long-enough-1"]).exit_code != 0
    short = runner.invoke(args=["users", "create", "x", "--password", "short"])
    assert short.exit_code != 0 and "8文字以上" in short.output


def test_admin_manages_users(administrator, session):
    post(administrator, "/admin/users", {"username": "newbie", "password": "pw-12345678", "role": "editor"},
         token_page="/admin/users")
    user = session.scalar(select(User).where(User.username == "newbie"))
    assert user.role == "editor"
    post(administrator, f"/admin/users/{user.id}/role", {"role": "viewer"}, token_page="/admin/users")
    session.expire_all()
    assert session.get(User, user.id).role == "viewer"
    me = session.scalar(select(User).where(User.username == "admin"))
    page = post(administrator, f"/admin/users/{me.id}/delete", token_page="/admin/users",
                follow_redirects=True).get_data(as_text=True)
    assert "自分自身は削除できません" in page


def _radios(page: str) -> list[tuple[str, bool]]:
    """(value, checked) of the relearn page's faq_id radio buttons, in order."""
    import re

    return [(value, bool(checked)) for value, checked in
            re.findall(r'<input type="radio" name="faq_id" value="([^"]*)"[^>]*?( checked)?\s*>', page)]


def test_relearn_never_preselects_the_bots_own_wrong_answer(editor, faq, session):
    """The bot answered B01 for a question about 粗大ごみ; its own entry ranks first for the text,
    but staff come here because it was wrong: the best other entry is chosen, the bot's is marked."""
    wrong = _message(session, "ソファを捨てたい", "answered", faq_id="B01", score=0.9, feedback="down")
    page = editor.get(f"/admin/review/{wrong.id}").get_data(as_text=True)
    radios = _radios(page)
    checked = [value for value, on in radios if on]
    assert len(checked) == 1 and checked[0] not in ("B01", "")
    assert radios[0][0] != "B01"  # the likely entries first, without the bot's own
    assert ("B01", False) in radios and "ボットが答えた FAQ" in page


def test_relearn_page_finds_entries_by_words(editor, faq, session):
    wrong = _message(session, "手続きのこと", "answered", faq_id="A01", score=0.6)
    page = editor.get(f"/admin/review/{wrong.id}?q=児童手当").get_data(as_text=True)
    assert "「児童手当」で見つかった FAQ" in page
    found = page.split('id="found"', 1)[1].split("</ul>", 1)[0]
    assert "C01" in found
    assert [value for value, on in _radios(page) if on] == ["C01"]  # the first entry found is chosen
    by_text = editor.get(f"/admin/review/{wrong.id}?q=納付書").get_data(as_text=True)  # a word of an answer only
    assert "D01" in by_text.split('id="found"', 1)[1].split("</ul>", 1)[0]
    nothing = editor.get(f"/admin/review/{wrong.id}?q=zzzzqqqq").get_data(as_text=True)
    assert "見つかりませんでした" in nothing or 'id="found"' in nothing
    post(editor, f"/admin/review/{wrong.id}/relearn", {"faq_id": "C01"}, token_page=f"/admin/review/{wrong.id}")
    session.expire_all()
    assert session.get(Message, wrong.id).correct_faq_id == "C01"
    again = editor.get(f"/admin/review/{wrong.id}").get_data(as_text=True)
    assert [value for value, on in _radios(again) if on] in (["C01"], [""])  # the earlier choice stays chosen
    if [value for value, on in _radios(again) if on] == [""]:
        assert 'value="C01" placeholder' in again  # typed in, when no list shows it


def test_dashboard_counts_questions_per_language_per_month(viewer, session):
    from analytics.languages import questions_by_language

    _message(session, "住民票", "answered", faq_id="B01")
    _message(session, "Where is city hall?", "no_title", language="en")
    _message(session, "Garbage day", "no_title", language="en",
             created_at=datetime(2024, 6, 30, 16, 0, tzinfo=timezone.utc))  # 7月1日 1:00 JST
    _message(session, "垃圾", "no_title", language="zh", source="chat")  # the local chat: not counted
    rows = questions_by_language(session, 2024)
    assert [(r.code, r.months[1:4], r.total) for r in rows] == [("ja", (1, 0, 0), 1), ("en", (1, 0, 1), 2)]
    page = viewer.get("/admin/dashboard?fy=2024").get_data(as_text=True)
    assert "言語別の質問数" in page and '<th lang="en">English</th>' in page and "中文" not in page
