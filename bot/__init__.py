"""LINE side: the /callback webhook, event dispatch and reply building, and the local chat page.

Command line: `flask --app wsgi chat serve` (the blueprint's CLI group is `chat`).
"""
from flask import Blueprint

bp = Blueprint("bot", __name__, cli_group="chat", template_folder="templates")

from bot import chat, cli, routes  # noqa: E402,F401
