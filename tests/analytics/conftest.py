"""Fixtures for analytics: the city's R4 report (read from ../shared at test time) and a message
log CSV built to reproduce it, with staff overrides, rescues and rows at month boundaries."""
from __future__ import annotations

import csv
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from matplotlib import font_manager

from analytics import chart
from analytics.logcsv import HEADER
from analytics.periods import JST, fiscal_months
from tests.conftest import SHARED

REFERENCE = SHARED / "reference"
UTC = timezone.utc
QUESTIONS = ("住民票の写しはどこで取れますか", "粗大ごみの出し方", "マイナンバーカードの更新", "子育て支援の窓口",
             "転入届に必要なもの", "罹災証明の申請", "コンビニ交付は何時まで", "介護保険の相談先")


def seto_table() -> tuple[list[str], dict[str, list[str]]]:
    """(header, {row label: cells after the definition}) of seto-r4-chatbot-report.csv."""
    with open(REFERENCE / "seto-r4-chatbot-report.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], {row[0]: row for row in rows[1:]}


def progress_ratios() -> dict[str, tuple[str, str, str]]:
    """{month label or 年合計: (回答率, 正答率, 正答÷応答)} from PROGRESS-REPORT.md's monthly table."""
    text = (REFERENCE / "PROGRESS-REPORT.md").read_text(encoding="utf-8")
    found = re.findall(r"^\| (\d+月|年合計) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", text, re.M)
    return {label: (a, b, c) for label, a, b, c in found}


def _stamp(moment: datetime, style: int) -> str:
    """The same instant written with different offsets, as another system might."""
    if style == 0:
        return moment.astimezone(JST).isoformat()
    if style == 1:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if style == 2:
        return moment.astimezone(UTC).isoformat()
    return moment.astimezone(timezone(timedelta(hours=-5))).isoformat()


def _month_rows(counts: dict[str, int], rng: random.Random) -> list[dict]:
    """Rows whose report categories give exactly these counts, with every kind of judgement."""
    answered_excluded = min(5, counts["正答"] // 10)  # staff: an answered question was meaningless
    rescued = 3  # staff: a question the rule excluded was real → 表題なし
    rows: list[dict] = []

    def add(n: int, outcome: str, review: str = "", faq_id: str = "", correct_faq_id: str = "") -> None:
        rows.extend({"outcome": outcome, "review": review, "faq_id": faq_id, "correct_faq_id": correct_faq_id}
                    for _ in range(n))

    bot_excluded = counts["除外"] - answered_excluded - 1
    add(2, "excluded", "excluded")
    add(bot_excluded - 2, "excluded")
    add(1, "no_title", "excluded")
    add(answered_excluded, "answered", "excluded", "F001")
    add(2, "excluded", "correct")
    add(1, "excluded", "relearn", correct_faq_id="F002")
    add(2, "no_title", "relearn", correct_faq_id="F003")
    add(1, "no_title", "correct")
    add(counts["表題なし"] - rescued - 3, "no_title")
    add(1, "no_answer", "correct", "F004")
    add(counts["回答未入力"] - 1, "no_answer", faq_id="F004")
    add(counts["再学習要"], "answered", "relearn", "F005", "F006")
    reviewed = counts["正答"] // 2
    add(reviewed, "answered", "correct", "F007")
    add(counts["正答"] - reviewed, "answered", faq_id="F008")
    rng.shuffle(rows)
    return rows


def build_log(path: Path) -> int:
    """Write a log CSV reproducing every count of the R4 report; returns the number of rows."""
    _, table = seto_table()
    labels = ("除外", "表題なし", "回答未入力", "再学習要", "正答")
    rng = random.Random(4)
    out: list[list[str]] = []
    for index, (year, month) in enumerate(fiscal_months(2022)):
        cell = table["全質問"][2 + index]
        if not cell.isdigit():
            continue  # 未集計: no messages at all
        rows = _month_rows({label: int(table[label][2 + index]) for label in labels}, rng)
        start = datetime(year, month, 1, tzinfo=JST)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=JST)
        span = (end - start).total_seconds()
        for j, row in enumerate(rows):
            moment = start + timedelta(seconds=span * j // len(rows))
            if j == 1:
                moment = start + timedelta(minutes=30)  # 00:30 JST on the 1st: the previous day in UTC
            if j == len(rows) - 1:
                moment = end - timedelta(seconds=1)  # 23:59:59 JST on the last day
            user = f"U{rng.getrandbits(128):032x}" if j % 7 == 0 else f"u_{j % 500:016x}"
            score = "" if row["outcome"] in ("excluded", "no_title") else f"{0.6 + (j % 40) / 100:.2f}"
            style = 1 if j < 2 else j % 4  # the first instants of the month written in UTC
            out.append(["", _stamp(moment, style), user, QUESTIONS[j % len(QUESTIONS)], row["outcome"],
                        row["faq_id"], score, row["review"], row["correct_faq_id"]])
    # Outside the fiscal year by Japan time, though inside it (or its March) by UTC date.
    out.append(["", "2022-03-31T23:59:59+09:00", "u_outside", "昨年度の質問", "answered", "F001", "0.9", "", ""])
    out.append(["", "2023-03-31T15:30:00Z", "u_outside", "翌年度の質問", "answered", "F001", "0.9", "", ""])
    write_log(path, out)
    return len(out)


def write_log(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)


@pytest.fixture(scope="session")
def r4_log(tmp_path_factory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("r4") / "r4-log.csv"
    return path, build_log(path)


@pytest.fixture
def stale_font_cache(monkeypatch):
    """matplotlib's font list as cached before the Japanese fonts were installed (a fresh machine)."""
    japanese = {e.fname for e in font_manager.fontManager.ttflist if e.name in chart.PREFERRED_FONTS}
    entries = [e for e in font_manager.fontManager.ttflist if e.fname not in japanese]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", entries)
    font_manager.fontManager._findfont_cached.cache_clear()
    yield
    font_manager.fontManager._findfont_cached.cache_clear()


@pytest.fixture
def no_fontconfig(monkeypatch):
    monkeypatch.setattr(chart.shutil, "which", lambda name: None)
