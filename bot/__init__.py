"""LINE side: the /callback webhook, event dispatch and reply building."""
from flask import Blueprint

bp = Blueprint("bot", __name__)

from bot import routes  # noqa: E402,F401
