"""Command line (to be written)."""
from flask import Flask


def register(app: Flask) -> None:
    pass
