"""Handoff tests talk to the bot (with the bot tests' small FAQ) and to LINE's stand-in."""
from __future__ import annotations

import dataclasses

import pytest
from cryptography.fernet import Fernet

from tests.bot.conftest import faq  # noqa: F401 (the fixture, shared)

ALWAYS = "月-日 00:00-24:00"  # open whenever the test runs


@pytest.fixture
def settings(settings, line_stub):
    return dataclasses.replace(settings, line_api_base_url=line_stub.url,
                               line_id_keys=Fernet.generate_key().decode(), office_hours=ALWAYS)
