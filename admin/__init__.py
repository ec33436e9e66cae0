"""Staff web UI: login, FAQ curation, review queue, 正答率 dashboard, exports.

Cookies: the session cookie is HttpOnly and SameSite=Lax (wsgi.py), and Secure whenever the
request came over HTTPS. Behind a TLS-terminating reverse proxy, set TRUST_PROXY=1 so the
proxy's X-Forwarded-Proto is believed (werkzeug ProxyFix), or SESSION_COOKIE_SECURE=1 to force it.
"""
