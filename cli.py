"""Command-line glue the packages share: what goes wrong is told to staff in Japanese.

click words its own errors in English ("Error: Missing option '--fiscal-year'.", "File 'x' does
not exist.") and an unwritable output file ends in a traceback; the commands of a StaffGroup say
these in Japanese, each with where to find the command's usage.
"""
from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from errors import UserError

_OS_ERRORS = {errno.ENOENT: "ファイルまたはフォルダがありません", errno.EACCES: "権限がありません",
              errno.EPERM: "権限がありません", errno.EISDIR: "フォルダです", errno.ENOSPC: "ディスクに空きがありません"}


class StaffError(click.ClickException):
    """An error shown as 「エラー: …」 (click's own prefix is "Error: ")."""

    def show(self, file: Any = None) -> None:
        click.echo(f"エラー: {self.format_message()}", file=file, err=True)


class StaffGroup(AppGroup):
    """An AppGroup whose commands' usage and file errors are told in Japanese."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else ctx.command_path
            error = StaffError(f"{usage_message(exc)}\n使い方: {command} --help")
            error.exit_code = exc.exit_code
            raise error from None
        except OSError as exc:
            if exc.filename is None:  # not about a file staff named
                raise
            reason = _OS_ERRORS.get(exc.errno, exc.strerror)
            raise StaffError(f"「{exc.filename}」を読み書きできません（{reason}）。") from None
        except UserError as exc:  # any the command did not word itself: the message is for staff already
            raise StaffError(str(exc)) from None


class InputFile(click.Path):
    """A file to read that must exist, refused in Japanese naming the file."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = super().convert(value, param, ctx)
        if not path.is_file():
            self.fail(f"「{value}」というファイルはありません。", param, ctx)
        return path


def usage_message(exc: click.UsageError) -> str:
    """The usage error in Japanese; a message our own code wrote (Japanese already) is kept."""
    param = getattr(exc, "param", None)
    name = _name(param) if param is not None else ""
    if isinstance(exc, click.MissingParameter):
        return f"{name} を指定してください。"
    if isinstance(exc, click.NoSuchOption):
        return f"{exc.option_name} というオプションはありません。"
    if not exc.message.isascii():
        return f"{name}: {exc.message}" if name else exc.message
    if isinstance(exc, click.BadParameter) and param is not None:
        return _bad_value(param, name)
    return f"コマンドの書き方が正しくありません（{exc.message}）。"


def _name(param: click.Parameter) -> str:
    return param.human_readable_name if isinstance(param, click.Argument) else " / ".join(param.opts)


def _bad_value(param: click.Parameter, name: str) -> str:
    if isinstance(param.type, click.Choice):
        return f"{name} は {' / '.join(map(str, param.type.choices))} のどれかにしてください。"
    if isinstance(param.type, click.types.IntParamType):
        return f"{name} には整数を指定してください。"
    if isinstance(param.type, click.Path):
        return f"{name} のファイルを開けません。"
    return f"{name} の値が正しくありません。"
