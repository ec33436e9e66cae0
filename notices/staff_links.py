"""A staff member links their own LINE for test sends: the admin shows a one-time code, they
send 「職員連携 12345678」 to the bot, and their LINE user id is kept encrypted on the link."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import utcnow
from notices.crypto import IdBox
from notices.models import StaffLink

CODE_LIFETIME = timedelta(minutes=10)
COMMAND = re.compile(r"^\s*職員連携\s*(\d{8})\s*$")


def new_code(session: Session, staff_id: int) -> str:
    """A fresh 8-digit code for this staff member (only its hash is kept)."""
    code = f"{secrets.randbelow(10**8):08d}"
    link = session.scalar(select(StaffLink).where(StaffLink.staff_id == staff_id)) or StaffLink(staff_id=staff_id)
    link.code_hash, link.code_expires = _hash(code), utcnow() + CODE_LIFETIME
    session.add(link)
    return code


def link(session: Session, box: IdBox, code: str, line_user_id: str) -> bool:
    """Keep the sender's LINE on the link whose live code this is; False for no such code."""
    row = session.scalar(select(StaffLink).where(StaffLink.code_hash == _hash(code)))
    if row is None or row.code_expires is None or row.code_expires < utcnow():
        return False
    row.line_user_id, row.code_hash, row.code_expires = box.seal(line_user_id), None, None
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()
