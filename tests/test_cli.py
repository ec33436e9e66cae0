"""What the commands tell staff when something is wrong: Japanese, never click's English or a traceback."""
import re

import pytest

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize("args, said", [
    (["logs", "import", "nope.csv"], "FILE: 「nope.csv」というファイルはありません。"),
    (["review", "apply", "nope.csv"], "FILE: 「nope.csv」というファイルはありません。"),
    (["faq", "import", "nope.csv"], "FILE: 「nope.csv」というファイルはありません。"),
    (["report", "monthly"], "--fiscal-year を指定してください。"),
    (["report", "monthly", "--fiscal-year", "R4"], "--fiscal-year には整数を指定してください。"),
    (["report", "monthly", "--fiscal-year", "2022", "--format", "pdf"], "--format は text / csv / xlsx のどれかにしてください。"),
    (["users", "create", "clerk", "--role", "boss"], "--role は admin / editor / viewer のどれかにしてください。"),
    (["logs", "export", "--month", "2022-13", "x.csv"], "--month: 月は YYYY-MM の形で指定してください"),
    (["logs", "export", "--all", "x.csv"], "--all というオプションはありません。"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else "")
def test_usage_errors_are_told_in_japanese_with_the_way_to_the_help(runner, args, said):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert result.output.startswith("エラー: ") and said in result.output, result.output
    assert re.search(rf"\n使い方: \S+ {' '.join(args[:2])} --help\n$", result.output), result.output
    assert not re.search(r"Error|Usage|Invalid|Missing|does not exist", result.output)


def test_errors_of_the_commands_themselves_have_a_japanese_prefix(runner):
    result = runner.invoke(args=["users", "create", "clerk", "--password", "short"])
    assert result.exit_code == 1 and result.output == "エラー: パスワードは8文字以上にしてください。\n"


@pytest.mark.parametrize("args", [["faq", "export"], ["logs", "export"],
                                  ["report", "monthly", "--fiscal-year", "2022", "--format", "csv", "-o"]])
def test_an_output_file_that_cannot_be_written_is_told_not_traced(runner, tmp_path, args):
    target = tmp_path / "no-such-folder" / "out.csv"
    result = runner.invoke(args=[*args, str(target)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # not an OSError
    assert f"エラー: 「{target}」を読み書きできません（ファイルまたはフォルダがありません）。" in result.output
