"""Reaching residents who asked for it: opt-in topics, notices sent to them, and the encrypted
LINE user ids that make both possible (no Flask here; admin/ and bot/ are the surfaces)."""
