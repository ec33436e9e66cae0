"""faq import / export on both databases: one transaction, history, --replace, --if-empty."""
from __future__ import annotations

import csv

from sqlalchemy import select

from faq import services
from faq.entries import EntryRow, snapshot
from faq.exporter import export_faq
from faq.importer import import_faq, parse_faq_csv, preview_import
from faq.models import FaqEntry, FaqRevision
from tests.faq.conftest import FAQ_CSV, HEADER, write_csv


def _contents(session) -> dict:
    session.expire_all()
    return {e.faq_id: snapshot(e) for e in session.scalars(select(FaqEntry))}


def test_import_creates_entries_records_history_and_bumps_the_version_once(session, faq_csv):
    summary = import_faq(session, parse_faq_csv(faq_csv), author="tester")
    session.commit()
    assert (summary.created, summary.updated, summary.unchanged, summary.removed) == (4, 0, 0, 0)
    entry = services.get_entry(session, "A01")
    assert [alt.text for alt in entry.alternates] == ["住民票 取り方", "住民票はどこでもらえますか"]
    assert {alt.source for alt in entry.alternates} == {"csv"}
    assert services.get_entry(session, "C01").answer == ""
    assert services.current_version(session) == 1
    (revision,) = services.history(session, "A01")
    assert (revision.action, revision.author) == ("import", "tester")
    assert revision.snapshot["alternates"] == ["住民票 取り方", "住民票はどこでもらえますか"]

    again = import_faq(session, parse_faq_csv(faq_csv))
    session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert services.current_version(session) == 1  # nothing changed: no rebuild anywhere


def test_export_then_import_gives_the_same_data(session, faq_csv, tmp_path):
    import_faq(session, parse_faq_csv(faq_csv))
    services.relearn(session, "B01", "ベッドを処分したい")
    session.commit()
    before = _contents(session)

    exported = tmp_path / "out.csv"
    assert export_faq(session, exported) == 4
    data = exported.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    parsed = parse_faq_csv(exported)
    assert parsed.encoding_label == "UTF-8 (BOM付き)"
    summary = import_faq(session, parsed)
    session.commit()
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 4)
    assert _contents(session) == before

    for row in parsed.rows:  # and into an empty FAQ, entry for entry
        services.delete_entry(session, row.faq_id)
    import_faq(session, parsed)
    session.commit()
    assert _contents(session) == before


def test_formulas_are_exported_behind_a_quote_and_imported_back_unchanged(session, tmp_path):
    services.create_entry(session, EntryRow(
        faq_id="F01", category="@分類", question="=HYPERLINK(\"http://evil.example\",\"x\")",
        alternates=["+81の電話", "-1歳"], answer="-", department="=1+1"))
    session.commit()
    before = _contents(session)
    exported = tmp_path / "out.csv"
    export_faq(session, exported)
    with open(exported, encoding="utf-8-sig", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert [row[c][:2] for c in ("category", "question", "alternates", "answer", "department")] == \
        ["'@", "'=", "'+", "'-", "'="]
    services.delete_entry(session, "F01")
    import_faq(session, parse_faq_csv(exported))
    session.commit()
    assert _contents(session) == before


def test_preview_lists_changes_field_by_field_and_writes_nothing(session, faq_csv):
    import_faq(session, parse_faq_csv(faq_csv))
    session.commit()
    edited = FAQ_CSV.replace("税務課", "納税課").replace("C01,子育て,児童手当の申請,児童手当 手続き,,,",
                                                         "C01,子育て,児童手当の申請,児童手当 手続き,子育て支援課へ,,")
    edited = "\n".join(line for line in edited.splitlines() if not line.startswith("B01")
                       and not line.startswith("ソファ") and not line.startswith("大きいごみ"))
    parsed = parse_faq_csv(edited.encode())
    changes = {c.faq_id: c for c in preview_import(session, parsed, replace=True)}
    assert {k: c.action for k, c in changes.items()} == {"C01": "update", "D01": "update", "B01": "delete"}
    (field,) = changes["D01"].fields
    assert (field.name, field.label, field.old, field.new) == ("department", "担当課", "税務課", "納税課")
    assert [(f.name, f.old, f.new) for f in changes["C01"].fields] == [("answer", "", "子育て支援課へ")]
    session.rollback()
    assert services.get_entry(session, "D01").department == "税務課"
    assert services.current_version(session) == 1


def test_replace_deletes_missing_entries_and_history_can_restore_them(session, faq_csv):
    import_faq(session, parse_faq_csv(faq_csv))
    session.commit()
    only_a = parse_faq_csv(f"{HEADER}\nA01,住民票,住民票の写しがほしい,,窓口へ,,市民課\n".encode())
    summary = import_faq(session, only_a, replace=True, author="tester")
    session.commit()
    assert (summary.updated, summary.removed) == (1, 3)
    assert [e.faq_id for e in services.list_entries(session)] == ["A01"]
    deleted = services.history(session, "B01")[0]
    assert deleted.action == "delete" and deleted.snapshot["question"] == "粗大ごみの出し方"

    services.restore_revision(session, deleted.id, author="tester")
    session.commit()
    restored = services.get_entry(session, "B01")
    assert restored.published and restored.alternates[0].text == "ソファを捨てたい"
    assert services.history(session, "B01")[0].action == "restore"


def test_learned_phrasings_survive_a_reimport_of_the_master_file(session, faq_csv):
    import_faq(session, parse_faq_csv(faq_csv))
    services.relearn(session, "A01", "住民票どこ")
    session.commit()
    summary = import_faq(session, parse_faq_csv(faq_csv))
    session.commit()
    assert summary.unchanged == 4
    assert "住民票どこ" in [alt.text for alt in services.get_entry(session, "A01").alternates]


def test_unpublished_entries_stay_unpublished_after_import(session, faq_csv):
    import_faq(session, parse_faq_csv(faq_csv))
    services.set_published(session, "D01", False)
    session.commit()
    import_faq(session, parse_faq_csv(FAQ_CSV.replace("税務課", "納税課").encode()))
    session.commit()
    entry = services.get_entry(session, "D01")
    assert entry.department == "納税課" and not entry.published


# --- the command line ------------------------------------------------------------------------

def test_cli_import_reports_the_encoding_and_the_counts(runner, session, tmp_path):
    path = write_csv(tmp_path / "sjis.csv", FAQ_CSV, "cp932")
    result = runner.invoke(args=["faq", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "文字コード: Shift_JIS (cp932)" in result.output
    assert "新規 4 件" in result.output
    assert services.get_entry(session, "A01").question == "住民票の写しがほしい"
    assert set(session.scalars(select(FaqRevision.author))) == {"CSV取り込み"}  # as the history shows it


def test_cli_import_with_a_bad_row_in_the_middle_writes_nothing(runner, session, faq_csv, tmp_path):
    assert runner.invoke(args=["faq", "import", str(faq_csv)]).exit_code == 0
    before = _contents(session)
    revisions = session.scalar(select(FaqRevision.id).order_by(FaqRevision.id.desc()).limit(1))
    # line 2 would update A01, line 3 add Z01, line 4 breaks: none of it may land
    text = (f"{HEADER}\nA01,住民票,住民票の写しがほしい,,別の回答,,市民課\n"
            f"Z01,c,新しい質問,,a,,d\nZ02,c,,,a,,d\nZ03,c,q,,a,,d\n")
    result = runner.invoke(args=["faq", "import", "--replace", str(write_csv(tmp_path / "bad.csv", text))])
    assert result.exit_code == 1
    assert "4行目" in result.stderr and "質問が空" in result.stderr and "何も書き込んでいません" in result.stderr
    assert _contents(session) == before
    assert session.scalar(select(FaqRevision.id).order_by(FaqRevision.id.desc()).limit(1)) == revisions
    assert services.current_version(session) == 1


def test_cli_import_refuses_an_unknown_encoding(runner, session, tmp_path):
    path = write_csv(tmp_path / "euc.csv", FAQ_CSV, "euc_jp")
    result = runner.invoke(args=["faq", "import", str(path)])
    assert result.exit_code == 1
    assert "文字コード" in result.stderr
    assert services.entry_count(session) == 0


def test_cli_import_if_empty_loads_only_into_an_empty_faq(runner, session, faq_csv, tmp_path):
    first = runner.invoke(args=["faq", "import", "--if-empty", str(faq_csv)])
    assert first.exit_code == 0 and "新規 4 件" in first.output
    other = write_csv(tmp_path / "other.csv", f"{HEADER}\nX01,c,別の質問,,a,,d\n")
    second = runner.invoke(args=["faq", "import", "--if-empty", str(other)])
    assert second.exit_code == 0 and "取り込みませんでした" in second.output
    assert services.get_entry(session, "X01") is None and services.entry_count(session) == 4


def test_cli_export_writes_the_import_format(runner, session, faq_csv, tmp_path):
    runner.invoke(args=["faq", "import", str(faq_csv)])
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["faq", "export", str(out)])
    assert result.exit_code == 0 and "4 件" in result.output
    text = out.read_bytes().decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    assert parse_faq_csv(out).rows == parse_faq_csv(faq_csv).rows


def test_faq_index_fills_the_embedding_cache_so_workers_start_without_embedding(runner, faq_csv, tmp_path, app,
                                                                                configure):
    import retrieval
    from faq.live import LiveIndex

    settings = configure(embedding_cache_dir=tmp_path / "cold-cache")  # start cold: nothing embedded yet
    assert runner.invoke(args=["faq", "import", str(faq_csv)]).exit_code == 0
    result = runner.invoke(args=["faq", "index"])
    assert result.exit_code == 0, result.output
    assert "4 件の索引" in result.output

    embedder = retrieval.load_embedder(settings.embedding_model, settings.embedding_cache_dir)
    embedded_by_faq_index = embedder.encoder_calls
    assert embedded_by_faq_index > 0
    live = LiveIndex(app.extensions["cityfaq"].sessionmaker, settings)
    try:
        assert embedder.encoder_calls == embedded_by_faq_index  # every passage came from the cache
        assert live.search("住民票の写しがほしい")[0].faq_id == "A01"
    finally:
        live.close()



def test_faq_index_on_a_warm_cache_loads_no_model_and_the_server_loads_it_at_start(runner, faq_csv, tmp_path, app,
                                                                                  configure, monkeypatch):
    """`make run`: `faq index` then `chat serve`. Only the server needs the model, for questions,
    and it loads it with its index, not on the first question."""
    import shutil

    from faq.live import LiveIndex
    from retrieval import confidence
    from retrieval import embedder as embedder_module

    real_trees = confidence.load
    configure(embedding_cache_dir=tmp_path / "first-run")
    assert runner.invoke(args=["faq", "import", str(faq_csv)]).exit_code == 0
    assert runner.invoke(args=["faq", "index"]).exit_code == 0  # cold: embeds everything
    # The same cache on a later `make run`: a new process, so an embedder of its own.
    shutil.copytree(tmp_path / "first-run", tmp_path / "warm")
    settings = configure(embedding_cache_dir=tmp_path / "warm")
    loads, real = [], embedder_module._load_model
    monkeypatch.setattr(embedder_module, "_load_model", lambda *args: loads.append(args) or real(*args))

    result = runner.invoke(args=["faq", "index"])
    assert result.exit_code == 0, result.output
    assert "4 件の索引" in result.output and loads == []
    trees = []
    monkeypatch.setattr(confidence, "load", lambda *args: trees.append(args) or real_trees(*args))
    live = LiveIndex(app.extensions["cityfaq"].sessionmaker, settings)
    try:
        assert len(loads) == 1 and len(trees) == 1  # at start, before any question
        assert live.search("住民票の写しがほしい")[0].faq_id == "A01"
        assert len(loads) == 1
    finally:
        live.close()

TRANSLATED_CSV = f'''{HEADER},question_en,answer_en,answer_easy
A01,住民票,住民票の写しがほしい,,市民課の窓口で取れます。,,市民課,Getting a residence certificate,"You can get it at the Citizens Division counter.",しみんか の まどぐち で とれます。
B01,ごみ,粗大ごみの出し方,,粗大ごみ受付センターに電話してください。,,環境課,,,
'''


def test_translation_columns_import_export_and_a_bad_one_is_refused(session, tmp_path):
    import_faq(session, parse_faq_csv(write_csv(tmp_path / "t.csv", TRANSLATED_CSV)))
    session.commit()
    entry = services.get_entry(session, "A01")
    assert entry.translations == {"question_en": "Getting a residence certificate",
                                  "answer_en": "You can get it at the Citizens Division counter.",
                                  "answer_easy": "しみんか の まどぐち で とれます。"}
    assert services.get_entry(session, "B01").translations == {}
    exported = tmp_path / "out.csv"
    export_faq(session, exported)
    rows = list(csv.DictReader(exported.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["answer_easy"] == "しみんか の まどぐち で とれます。" and rows[1]["answer_en"] == ""
    assert "answer_ne" in rows[0]  # every translation column, for staff to fill in
    summary = import_faq(session, parse_faq_csv(exported))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    # A changed translation is a change of the entry (history, rebuild).
    changed = TRANSLATED_CSV.replace("しみんか の まどぐち で とれます。", "しやくしょ で とれます。")
    preview = preview_import(session, parse_faq_csv(write_csv(tmp_path / "c.csv", changed)))
    assert [(c.faq_id, [f.name for f in c.fields]) for c in preview] == [("A01", ["translations"])]


def test_export_without_translations_keeps_the_original_columns(session, faq_csv, tmp_path):
    import_faq(session, parse_faq_csv(faq_csv))
    session.commit()
    exported = tmp_path / "out.csv"
    export_faq(session, exported)
    assert exported.read_text(encoding="utf-8-sig").splitlines()[0] == HEADER
