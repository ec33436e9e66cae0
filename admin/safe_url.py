"""Where a redirect may go when the target comes from the request (?next=, a form's back=)."""
from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None, prefix: str) -> str | None:
    """`target` if it is a path on this site under `prefix`, else None: never another site
    (//host, a scheme, a backslash browsers read as /), never a control character or space (a
    newline in a Location header is refused by the server: a 500, or worse, a split header)."""
    if not target or not target.startswith(prefix):
        return None
    if "\\" in target or "//" in target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
