"""The process's live FAQ index (to be written)."""
