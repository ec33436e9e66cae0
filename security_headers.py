"""Security headers on every response (admin pages, the local chat page, the webhook's answers).

The admin must not be framed (clickjacking of its buttons), and a page can only run scripts the
app serves: the admin's own admin.js, and the chat page's inline script by a per-response nonce.
Styles may be inline ('unsafe-inline' for style-src): the admin draws its bars with a style
attribute holding a width, and the chat page keeps its stylesheet inline; a style cannot run code.
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, g

_POLICY = ("default-src 'self'; script-src 'self'{nonce}; style-src 'self' 'unsafe-inline'; img-src 'self'; "
           "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def csp_nonce() -> str:
    """The nonce an inline <script> of this response carries (made when a template asks)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _add_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce")
    response.headers.setdefault("Content-Security-Policy",
                                _POLICY.format(nonce=f" 'nonce-{nonce}'" if nonce else ""))
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_add_headers)
