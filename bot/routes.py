"""POST /callback: the webhook LINE calls for every event."""
from __future__ import annotations

from flask import abort, request

from bot.blueprint import bp
from web import db_session, services


@bp.post("/callback")
def callback():
    signature = request.headers.get("X-Line-Signature")
    if not signature:
        abort(400)
    body = request.get_data(as_text=True)  # over MAX_CONTENT_LENGTH: 413 before we read it
    handle_webhook(body, signature, source="line")
    return "OK"


def handle_webhook(body: str, signature: str, *, source: str) -> None:
    """The one path every webhook takes, from LINE or from the local chat page."""
    # Here, not at the top: bot.events imports line-bot-sdk and retrieval, which a CLI command or
    # an admin page need not wait for (gunicorn's post_worker_init imports it before a worker
    # takes a request).
    from bot.events import BadWebhook, Bot, DatabaseUnavailable

    app_services = services()
    bot = Bot(app_services.settings, db_session(), app_services.live_index,
              app_services.reply_sender.wake, source=source)
    try:
        bot.handle(body, signature)
    except BadWebhook:
        abort(400)
    except DatabaseUnavailable:
        abort(503)  # not 2xx: LINE redelivers the body, and its handled events are skipped
