"""The staff UI's blueprint, its CSRF protection and session cookie (admin/__init__.py says why).

The view modules attach their routes to `bp` when imported; create_app imports them.
"""
from __future__ import annotations

import os

from flask import Blueprint, Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
               static_folder="static")
csrf = CSRFProtect()
UPLOAD_LIMIT = 20 * 1024 * 1024  # a whole city FAQ or month of log as CSV; the webhook keeps 1 MB


class _HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure when this request is HTTPS (or config forces it)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    from admin.auth import login_manager
    from api.views import bp as api_bp
    from bot.blueprint import bp as bot_bp

    login_manager.init_app(app)
    app.before_request(_allow_larger_uploads)  # before CSRFProtect, which reads the body
    csrf.init_app(app)
    csrf.exempt(bot_bp)  # LINE signs its webhook; it has no CSRF token
    csrf.exempt(api_bp)  # other systems send a Bearer token, not a cookie
    app.session_interface = _HttpsAwareSessionInterface()
    if os.environ.get("SESSION_COOKIE_SECURE", "").lower() in ("1", "true", "yes"):
        app.config["SESSION_COOKIE_SECURE"] = True
    if os.environ.get("TRUST_PROXY", "").lower() in ("1", "true", "yes"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.register_error_handler(CSRFError, _csrf_error)


def _allow_larger_uploads() -> None:
    if request.blueprint == "admin":
        request.max_content_length = UPLOAD_LIMIT


def _csrf_error(error: CSRFError):
    return render_template("admin/error.html", title="送信を受け付けられませんでした",
                           message="フォームの有効期限が切れたか、不正な送信です。ページを開き直してもう一度お試しください。"), 400

