"""The rich menu (the buttons under the chat): the FAQ's main categories, 「通知設定」 and
「職員と話したい」, set up against the Messaging API by `flask --app wsgi line rich-menu`.

Each button sends its label as the resident's message, so a category is asked like any question
and the two commands work as typed. The image is drawn here (Noto Sans CJK) unless the city
gives its own (--image, 2500×843 PNG or JPEG).
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy import func, select

import web
from cli import InputFile, StaffError, StaffGroup
from faq.models import FaqEntry

WIDTH, HEIGHT, COLUMNS = 2500, 843, 3
FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
         "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SETTINGS_LABEL = "通知設定"
LINE_API = "https://api.line.me"
LINE_DATA_API = "https://api-data.line.me"  # where LINE takes images


def labels(categories: Sequence[str]) -> list[str]:
    """Six buttons: the four largest categories, then the two commands."""
    from bot.handoff import BUTTON_LABEL  # it imports line-bot-sdk: not when the CLI starts

    return [*categories[:4], SETTINGS_LABEL, BUTTON_LABEL]


def menu(button_labels: Sequence[str]) -> dict:
    """The rich menu object (RichMenuRequest): a 3×2 grid of message buttons."""
    rows = (len(button_labels) + COLUMNS - 1) // COLUMNS
    width, height = WIDTH // COLUMNS, HEIGHT // rows
    areas = [{"bounds": {"x": (i % COLUMNS) * width, "y": (i // COLUMNS) * height, "width": width, "height": height},
              "action": {"type": "message", "label": label[:20], "text": label}}
             for i, label in enumerate(button_labels)]
    return {"size": {"width": WIDTH, "height": HEIGHT}, "selected": True, "name": "FAQ メニュー",
            "chatBarText": "メニュー", "areas": areas}


def image(button_labels: Sequence[str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    font_path = next((f for f in FONTS if Path(f).exists()), None)
    if font_path is None:
        raise StaffError("日本語のフォント（Noto Sans CJK: Debian の fonts-noto-cjk）がありません。"
                         "インストールするか、--image で画像を指定してください。")
    font = ImageFont.truetype(font_path, 80)
    picture = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(picture)
    rows = (len(button_labels) + COLUMNS - 1) // COLUMNS
    width, height = WIDTH // COLUMNS, HEIGHT // rows
    for i, label in enumerate(button_labels):
        x, y = (i % COLUMNS) * width, (i // COLUMNS) * height
        draw.rectangle([x + 6, y + 6, x + width - 6, y + height - 6], fill="#06c755" if i >= 4 else "#e8f7ee")
        draw.text((x + width / 2, y + height / 2), label[:8], font=font, anchor="mm",
                  fill="#ffffff" if i >= 4 else "#111111")
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def set_up(host: str, access_token: str, request: dict, picture: bytes, content_type: str) -> str:
    """Create the menu, upload its image and make it every resident's default; its id."""
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, MessagingApiBlob, RichMenuRequest

    data_host = LINE_DATA_API if host.rstrip("/") == LINE_API else host
    api = MessagingApi(ApiClient(Configuration(access_token=access_token, host=host)))
    blob = MessagingApiBlob(ApiClient(Configuration(access_token=access_token, host=data_host)))
    menu_id = api.create_rich_menu(RichMenuRequest.from_dict(request)).rich_menu_id
    blob.set_rich_menu_image(menu_id, picture, _headers={"Content-Type": content_type})
    api.set_default_rich_menu(menu_id)
    return menu_id


line_cli = StaffGroup("line", help="LINE 公式アカウントの設定")


@line_cli.command("rich-menu", help="FAQ の主な分野と「通知設定」「職員と話したい」のリッチメニューを作り、"
                  "全員の既定にする")
@click.option("--image", "image_file", type=InputFile(), help="自前の画像（2500×843 の PNG か JPEG）")
def rich_menu_command(image_file: Path | None) -> None:
    settings = web.services().settings
    if not settings.line_channel_access_token:
        raise StaffError("LINE_CHANNEL_ACCESS_TOKEN が設定されていません。")
    with web.services().sessionmaker() as session:
        categories = list(session.scalars(select(FaqEntry.category).where(FaqEntry.category != "")
                                          .group_by(FaqEntry.category).order_by(func.count().desc(), FaqEntry.category)))
    button_labels = labels(categories)
    if image_file is not None:
        picture = image_file.read_bytes()
        content_type = "image/png" if picture.startswith(b"\x89PNG") else "image/jpeg"
    else:
        picture, content_type = image(button_labels), "image/png"
    from linebot.v3.messaging import ApiException
    try:
        menu_id = set_up(settings.line_api_base_url, settings.line_channel_access_token, menu(button_labels),
                         picture, content_type)
    except ApiException as exc:
        raise StaffError(f"LINE がリッチメニューを受け付けませんでした（{exc.status} {exc.body}）。") from None
    click.echo(f"リッチメニュー {menu_id} を作り、全員の既定にしました：{'・'.join(button_labels)}")
