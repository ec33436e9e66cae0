"""The bot's blueprint: POST /callback (routes.py), the local chat page (chat.py) and the `chat`
command group (cli.py) attach to it when imported; create_app imports them."""
from flask import Blueprint

bp = Blueprint("bot", __name__, cli_group="chat", template_folder="templates")
