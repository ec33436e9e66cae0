"""`flask --app wsgi faq …`: import, export and evaluate the FAQ."""
from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask import Flask

import web
from cli import InputFile, StaffGroup
from audit import trail
from faq import services
from common.csvio import CsvError
from faq.exporter import export_faq
from faq.importer import import_faq, parse_faq_csv

faq_cli = StaffGroup("faq", help="FAQ の取り込み・書き出し・検索精度の評価")
IMPORT_AUTHOR = "CSV取り込み"  # who the FAQ's history says made a command-line import


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise SystemExit(1)


@faq_cli.command("import", help="FAQ の CSV を取り込む（不正な行があれば何も書き込まない）。"
                 "再学習や管理画面で加えた言い換えは CSV になくても残る")
@click.argument("file", type=InputFile())
@click.option("--replace", is_flag=True, help="CSV にない FAQ を削除する（履歴は残る）")
@click.option("--if-empty", is_flag=True, help="FAQ が 1 件もないときだけ取り込む（初回のサンプル読み込み用）")
def import_command(file: Path, replace: bool, if_empty: bool) -> None:
    with web.services().sessionmaker() as session:
        if if_empty and services.entry_count(session):
            click.echo("FAQ はすでに登録されているので取り込みませんでした。")
            return
        try:
            parsed = parse_faq_csv(file)
        except CsvError as exc:
            _fail(f"{file}: {exc}\n何も書き込んでいません。")
        click.echo(f"文字コード: {parsed.encoding_label}")
        summary = import_faq(session, parsed, replace=replace, author=IMPORT_AUTHOR)
        trail.record(session, trail.command_line_actor(), "faq_import", file.name, summary.describe())
        session.commit()
    click.echo(f"取り込みました: {summary.describe()}")


@faq_cli.command("index", help="索引を作り、埋め込みをディスクに保存する（初回や大量の取り込みの後、"
                 "サーバーを起動する前に。各ワーカーはその保存分を読むだけになる）")
def index_command() -> None:
    import retrieval

    settings = web.services().settings
    embedder = retrieval.load_embedder(settings.embedding_model, settings.embedding_cache_dir,
                                       settings.retrieval_threads)
    with web.services().sessionmaker() as session:
        docs = services.documents(session)
        synonyms = services.synonyms(session)
    started = time.perf_counter()
    retrieval.build_index(docs, embedder, synonyms=synonyms, progress=True)
    click.echo(f"{len(docs)} 件の索引を作りました（{time.perf_counter() - started:.0f} 秒）。")


@faq_cli.command("export", help="FAQ を CSV（UTF-8 BOM付き）に書き出す")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    with web.services().sessionmaker() as session:
        count = export_faq(session, file)
        trail.record(session, trail.command_line_actor(), "faq_download", file.name, f"CSV {count}件")
        session.commit()
    click.echo(f"{count} 件を {file} に書き出しました（UTF-8 BOM付き）。")


METRICS = (
    ("hit@1", "正解が1位"), ("hit@3", "正解が3位以内"), ("hit@5", "正解が5位以内"),
    ("mrr@10", "MRR@10"), ("no_answer_precision", "回答なし判定の適合率"),
    ("no_answer_recall", "回答なし判定の再現率"),
    ("reached", "正解が回答またはボタンで届いた"), ("answered_right", "回答そのものが正解"),
    ("answered_wrong", "違うFAQで回答した（回答できる質問のうち）"),
    ("oos_answered", "FAQにない質問に回答した"), ("oos_declined", "FAQにない質問に「分かりません」と答えた"),
)


@faq_cli.command("evaluate", help="CSV の FAQ に使い捨ての索引を作り、質問集で検索精度を測る（DB は使わない）")
@click.option("--faq", "faq_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="FAQ の CSV")
@click.option("--queries", "queries_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='評価用の質問（JSONL: {"query": "…", "relevant": ["id", …]}）')
@click.option("--json", "as_json", is_flag=True, help="結果を JSON 1 個で出力する")
@click.option("--method", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid", show_default=True,
              help="検索方式")
def evaluate_command(faq_file: Path, queries_file: Path, as_json: bool, method: str) -> None:
    import retrieval  # loads torch: only this command needs it
    from retrieval.evaluate import QueryFileError, evaluate, load_queries

    try:
        parsed = parse_faq_csv(faq_file)
    except CsvError as exc:
        _fail(f"{faq_file}: {exc}")
    try:
        queries = load_queries(queries_file)
    except QueryFileError as exc:
        _fail(str(exc))
    if not queries:
        _fail(f"{queries_file}: 質問が 1 件もありません。")
    settings = web.services().settings
    documents = [services.document_of(row) for row in parsed.rows]
    embedder = retrieval.load_embedder(settings.embedding_model, settings.embedding_cache_dir,
                                       settings.retrieval_threads)
    result = evaluate(documents, queries, embedder, settings.answer_threshold,
                      settings.candidate_threshold, method=method, progress=True)
    metrics = result.to_dict()  # the table names each metric as the JSON does
    if as_json:
        click.echo(json.dumps(metrics, ensure_ascii=False))
        return
    click.echo(f"FAQ {len(documents)} 件、質問 {result.n} 件、方式 {method}")
    for key, label in METRICS:
        value = "—" if metrics[key] is None else f"{metrics[key]:.3f}"
        click.echo(f"  {key:<20} {value:>6}  {label}")
    click.echo(f"  応答時間 p50 {result.latency_ms_p50:.1f} ms、p95 {result.latency_ms_p95:.1f} ms")
    if len(result.by_language) > 1 or "ja" not in result.by_language:
        click.echo("  言語別（判定した言語）:")
        for language, counts in result.by_language.items():
            reached = "—" if counts["reached"] is None else f"{counts['reached']:.3f}"
            click.echo(f"    {language:<3} 質問 {counts['n']:>4} 件  reached {reached:>6}")


@faq_cli.command("check-worker", help="公開前チェックを実行し続ける（住民に答えない別プロセスで。"
                 "CHECK_WORKER=separate のときは、これが動いていないとチェックが始まらない）")
@click.option("--once", is_flag=True, help="待機中のチェックをすべて実行したら終わる")
def check_worker_command(once: bool) -> None:
    from admin.check_jobs import CheckWorker  # the admin's job; loads the model only when a job runs

    worker = CheckWorker(web.services().sessionmaker, web.services().settings)
    if once:
        count = 0
        while worker.run_once():
            count += 1
        click.echo(f"公開前チェックを {count} 件実行しました。")
        return
    click.echo("公開前チェックを待っています（Ctrl+C で終了。実行中のチェックは次の起動時に「失敗」になります）。")
    worker.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def register(app: Flask) -> None:
    app.cli.add_command(faq_cli)
