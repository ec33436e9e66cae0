"""LiveSearch: the typed seam the bot and admin code against, which LiveIndex implements."""
from __future__ import annotations

import inspect
import typing

from faq.live import LiveIndex, LiveSearch

MEMBERS = ("version", "search", "search_foreign", "entry")


def test_live_index_implements_every_member_with_the_same_signature():
    for name in MEMBERS:
        wanted, given = getattr(LiveSearch, name), getattr(LiveIndex, name)
        if isinstance(wanted, property):
            assert isinstance(given, property), name
            wanted, given = wanted.fget, given.fget
        assert inspect.signature(given) == inspect.signature(wanted), name


def test_the_surfaces_are_typed_against_the_protocol():
    from bot.events import Bot
    from web import AppServices

    assert typing.get_type_hints(Bot)["live"] is LiveSearch
    # web.py names it for type checkers only (importing faq.live would load the search)
    assert AppServices.live_index.fget.__annotations__["return"] == "LiveSearch"
