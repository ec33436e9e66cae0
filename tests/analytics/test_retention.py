"""`logs purge --before YYYY-MM`: old questions lose their words and pseudonym, every report stays."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from analytics.models import Message
from analytics.periods import JST
from bot.models import WebhookEvent

UTC = timezone.utc


def _report(runner, fmt: str) -> str:
    result = runner.invoke(args=["report", "monthly", "--fiscal-year", "2022", "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_purged_year_reports_exactly_as_before(runner, session, r4_log):
    path, rows = r4_log
    assert runner.invoke(args=["logs", "import", str(path)]).exit_code == 0
    before_csv, before_text = _report(runner, "csv"), _report(runner, "text")

    result = runner.invoke(args=["logs", "purge", "--before", "2023-04", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"{rows - 1:,} 件の質問の本文と利用者の仮名を消しました" in result.output

    assert _report(runner, "csv") == before_csv  # every count and ratio cell
    assert _report(runner, "text") == before_text  # with the unreviewed and 👎 counts
    session.expire_all()
    kept = session.execute(select(Message.text, Message.user).where(Message.text != "")).all()
    assert len(kept) == 1 and kept[0].text == "翌年度の質問" and kept[0].user  # 2023-04-01 00:30 JST
    assert session.scalar(select(Message.id).where(Message.user != "", Message.text == "")) is None

    again = runner.invoke(args=["logs", "purge", "--before", "2023-04", "--yes"])
    assert again.exit_code == 0 and "何も変更していません" in again.output


def test_purge_keeps_what_is_counted_and_blanks_the_event_pseudonym(runner, session):
    old = datetime(2024, 5, 31, 14, 59, tzinfo=UTC)  # 23:59 JST on 31 May
    new = datetime(2024, 5, 31, 15, 0, tzinfo=UTC)  # 00:00 JST on 1 June
    first = Message(created_at=old, user="u_old", text="山田の住民票", outcome="answered", faq_id="F1",
                    score=0.9, latency_ms=30.0, feedback="down", review="relearn", correct_faq_id="F2")
    second = Message(created_at=new, user="u_new", text="6月の質問", outcome="no_title")
    session.add_all([first, second])
    session.flush()
    session.add_all([WebhookEvent(webhook_event_id="e1", type="message", user="u_old", message_id=first.id,
                                  received_at=old),
                     WebhookEvent(webhook_event_id="e2", type="message", user="u_new", message_id=second.id,
                                  received_at=new)])
    session.commit()

    result = runner.invoke(args=["logs", "purge", "--before", "2024-06", "--yes"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    purged, kept = session.get(Message, first.id), session.get(Message, second.id)
    assert (purged.text, purged.user) == ("", "")
    assert (purged.created_at, purged.outcome, purged.faq_id, purged.score, purged.latency_ms, purged.feedback,
            purged.review, purged.correct_faq_id) == (old, "answered", "F1", 0.9, 30.0, "down", "relearn", "F2")
    assert (kept.text, kept.user) == ("6月の質問", "u_new")
    users = dict(session.execute(select(WebhookEvent.webhook_event_id, WebhookEvent.user)).all())
    assert users == {"e1": "", "e2": "u_new"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_purge_asks_first_and_no_is_no(runner, session):
    session.add(Message(created_at=datetime(2024, 4, 10, tzinfo=UTC), user="u1", text="質問", outcome="answered"))
    session.commit()
    for answer in ("n\n", "", "\n"):  # no, end of input, Enter (the default is no)
        result = runner.invoke(args=["logs", "purge", "--before", "2024-05"], input=answer)
        assert result.exit_code == 0, result.output
        assert "2024-05 より前の質問 1 件の本文と利用者の仮名を消します" in result.output
        assert "中止しました。何も変更していません。" in result.output
        session.expire_all()
        assert session.scalar(select(Message.text)) == "質問"
    result = runner.invoke(args=["logs", "purge", "--before", "2024-05"], input="y\n")
    assert result.exit_code == 0 and "1 件の質問" in result.output
    session.expire_all()
    assert session.scalar(select(Message.text)) == ""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_purge_refuses_the_current_month_and_a_bad_month(runner, session):
    now = datetime.now(JST)
    session.add(Message(created_at=datetime.now(UTC) - timedelta(minutes=1), user="u1", text="今月の質問",
                        outcome="answered"))
    session.commit()
    nxt = (now.year + now.month // 12, now.month % 12 + 1)
    for month in (f"{now.year}-{now.month:02d}", f"{nxt[0]}-{nxt[1]:02d}", "2999-01"):
        result = runner.invoke(args=["logs", "purge", "--before", month, "--yes"])
        assert result.exit_code == 2, result.output
        assert f"今月（{now.year}-{now.month:02d}）以降は指定できません" in result.output
        assert "使い方: flask logs purge --help" in result.output or "使い方:" in result.output
    for bad in ("2024/05", "May"):
        result = runner.invoke(args=["logs", "purge", "--before", bad, "--yes"])
        assert result.exit_code == 2 and "YYYY-MM" in result.output, result.output
    result = runner.invoke(args=["logs", "purge", "--yes"])
    assert result.exit_code == 2 and "--before を指定してください" in result.output
    session.expire_all()
    assert session.scalar(select(Message.text)) == "今月の質問"
