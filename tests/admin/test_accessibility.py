"""WCAG AA in the admin: text contrast computed from admin.css, and a skip link past the navigation."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

CSS = (ROOT / "admin" / "static" / "admin.css").read_text(encoding="utf-8")
AA = 4.5
# Rules that set a background and take their text colour from another rule.
INHERITED = {"button.primary:hover": "button.primary", ".button.primary:hover": ".button.primary"}


def _variables() -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", CSS).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", root))


def _rules() -> dict[str, dict[str, str]]:
    """selector → {property: value}, each selector of a comma list on its own."""
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", CSS, flags=re.S)):
        declarations = dict(d.split(":", 1) for d in body.split(";") if ":" in d)
        for selector in selectors.split(","):
            rules.setdefault(selector.strip(), {}).update({k.strip(): v.strip() for k, v in declarations.items()})
    return rules


def _colour(value: str | None) -> str | None:
    """A solid colour (#hex, var(--x)) or None."""
    if value is None:
        return None
    name = re.fullmatch(r"var\(--([\w-]+)\)", value)
    value = _variables().get(name.group(1)) if name else value
    return value if value and re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", value) else None


def _luminance(colour: str) -> float:
    digits = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _pairs() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) for every rule that paints both."""
    rules = _rules()
    pairs = []
    for selector, declarations in rules.items():
        text = _colour(declarations.get("color") or rules.get(INHERITED.get(selector), {}).get("color"))
        background = _colour(declarations.get("background") or declarations.get("background-color"))
        if text and background:
            pairs.append((selector, text, background))
    return pairs


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#06a54b", "#fff") == pytest.approx(3.24, abs=0.01)  # the old accent under white


def test_text_on_its_own_background_reaches_aa():
    pairs = _pairs()
    assert len(pairs) > 15 and ("button.primary:hover", "#fff", _variables()["accent-dark"]) in pairs
    low = [(s, t, b, round(contrast(t, b), 2)) for s, t, b in pairs if contrast(t, b) < AA]
    assert low == []


def test_every_text_colour_reaches_aa_on_the_page_and_the_cards():
    variables = _variables()
    colours = {_colour(d["color"]) for d in _rules().values() if "color" in d} - {None, "#fff"}
    low = [(c, surface, round(contrast(c, variables[surface]), 2))
           for c in sorted(colours) for surface in ("bg", "card") if contrast(c, variables[surface]) < AA]
    assert low == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_page_starts_with_a_link_to_its_main_content(client, viewer):
    for page in (client.get("/admin/login"), viewer.get("/admin/dashboard")):
        html = page.get_data(as_text=True)
        first_link = re.search(r"<body>\s*(<a [^>]*>[^<]*</a>)", html).group(1)
        assert first_link == '<a class="skip" href="#main">本文へ移動</a>'
        assert '<main id="main" tabindex="-1">' in html
