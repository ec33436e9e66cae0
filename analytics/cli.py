"""Command line: `report monthly`, `logs import|export`, `review apply` (flask --app wsgi …)."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import Flask

import web
from analytics import estimate, logcsv, report as report_service, retention, review as review_service
from analytics.periods import parse_month
from audit import trail
from cli import InputFile, StaffError, StaffGroup
from common.csvio import CsvError
from common.jst import JST
from faq.entries import EntryError

report_cli = StaffGroup("report", help="正答率の報告（月次）")
logs_cli = StaffGroup("logs", help="質問ログの取り込みと書き出し")
review_cli = StaffGroup("review", help="職員の判定（正答・再学習要・除外）")
REVIEW_AUTHOR = "判定CSVの反映"  # who a judgement from `review apply` is recorded as, unless named


def register(app: Flask) -> None:
    for group in (report_cli, logs_cli, review_cli):
        app.cli.add_command(group)


@report_cli.command("monthly", help="年度の月別応答状況（協議会資料の表）")
@click.option("--fiscal-year", type=int, required=True, help="年度（西暦、4月始まり）例: 2022")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "xlsx"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="書き出すファイル")
def report_monthly(fiscal_year: int, fmt: str, output: Path | None) -> None:
    if fmt == "xlsx" and output is None:
        raise click.UsageError("xlsx は -o でファイル名を指定してください（例: -o report.xlsx）")
    with web.services().sessionmaker() as session:
        report = report_service.monthly_report(session, fiscal_year)
        status = review_service.review_status(session, fiscal_year)
        estimates = estimate.year_estimates(session, fiscal_year) if fmt == "xlsx" else None
    if fmt == "xlsx":
        from analytics.chart import FontMissing
        from analytics.xlsx import report_xlsx

        try:
            report_xlsx(report, output, estimates)
        except FontMissing as exc:
            raise StaffError(str(exc)) from None
    elif fmt == "csv":
        if output:
            report_service.report_csv(report, output)
        else:
            report_service.write_csv_plain(report, sys.stdout)
    else:
        text = report_service.report_text(report) + (
            f"\n未判定の回答: {status.unreviewed:,} 件（正答として数えています） / 👎: {status.thumbs_down:,} 件\n")
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
    with web.services().sessionmaker() as session:  # once written: a failed write is no download
        trail.record(session, trail.command_line_actor(), "report_download", f"{fiscal_year}年度",
                     f"{fmt}（{output.name if output else '標準出力'}）")
        session.commit()
    if output:
        click.echo(f"{output} に書き出しました。", err=True)


@logs_cli.command("export", help="質問ログを CSV に書き出す（UTF-8 BOM付き）")
@click.option("--month", help="日本時間の月 YYYY-MM（省略時はすべて）")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def logs_export(month: str | None, file: Path) -> None:
    try:
        selected = parse_month(month) if month else None
    except ValueError as exc:
        raise click.UsageError(f"--month: {exc}") from None
    with web.services().sessionmaker() as session:
        count = logcsv.export_log(session, file, selected)
        trail.record(session, trail.command_line_actor(), "log_download", month or "全期間", f"{file.name} {count}件")
        session.commit()
    click.echo(f"{count:,} 件を {file} に書き出しました。")


@logs_cli.command("import", help="以前のチャットボットの履歴 CSV を取り込む（1行でも誤りがあれば何も取り込みません）")
@click.argument("file", type=InputFile())
def logs_import(file: Path) -> None:
    services = web.services()
    with services.sessionmaker() as session:
        try:
            result = logcsv.import_log(session, file, services.settings.secret_key)
        except (CsvError, logcsv.LogError) as exc:
            session.rollback()
            raise StaffError(str(exc)) from None
        trail.record(session, trail.command_line_actor(), "log_import", file.name, result.describe())
        session.commit()
    click.echo(result.describe())


@logs_cli.command("purge", help="古い質問の本文と利用者の仮名を消す（報告の集計は変わりません）")
@click.option("--before", "before", required=True, help="この月（日本時間、YYYY-MM）より前を消す。今月以降は不可")
@click.option("--yes", is_flag=True, help="確認せずに実行する")
def logs_purge(before: str, yes: bool) -> None:
    try:
        cutoff = retention.purge_cutoff(parse_month(before), datetime.now(JST).date())
    except ValueError as exc:  # a bad month, or the current month or later
        raise click.UsageError(f"--before: {exc}") from None
    with web.services().sessionmaker() as session:
        count = retention.count_purgeable(session, cutoff)
        if not count:
            click.echo(f"{before} より前に、本文や仮名が残っている質問はありません。何も変更していません。")
            return
        prompt = (f"{before} より前の質問 {count:,} 件の本文と利用者の仮名を消します。元に戻せません"
                  "（正答率の報告の集計はそのまま残ります）。よろしいですか？")
        if not yes and not _confirmed(prompt):
            click.echo("中止しました。何も変更していません。")
            return
        from bot.retention import forget_event_users  # the LINE side keeps the pseudonym on events too

        changed = retention.purge_before(session, cutoff)
        forget_event_users(session, cutoff)
        session.commit()
    click.echo(f"{changed:,} 件の質問の本文と利用者の仮名を消しました（集計に使う項目は残しています）。")


def _confirmed(prompt: str) -> bool:
    try:
        return click.confirm(prompt, default=False, err=True)
    except click.Abort:  # no answer (end of input, Ctrl-C): as "no"
        click.echo("", err=True)
        return False


@review_cli.command("apply", help="表計算ソフトで付けた判定（書き出したログ）を反映する")
@click.argument("file", type=InputFile())
@click.option("--author", default=REVIEW_AUTHOR, show_default=True, help="判定者として記録する名前")
def review_apply(file: Path, author: str) -> None:
    with web.services().sessionmaker() as session:
        try:
            summary = review_service.apply_reviews(session, file, author)
        except (CsvError, logcsv.LogError, EntryError) as exc:
            session.rollback()
            raise StaffError(str(exc)) from None
        trail.record(session, trail.command_line_actor(), "review_apply", file.name,
                     f"判定者「{author}」として: {summary.describe()}")
        session.commit()
    click.echo(summary.describe())
