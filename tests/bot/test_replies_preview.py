"""replies.preview: the reply the bot gives for an entry, as the admin preview shows it, built by
the same code that sends it (so the preview cannot drift from the bot's link and length rules)."""
from __future__ import annotations

from bot import replies
from common.line_text import line_length
from faq.live import EntryView

CONTACT = "市民課 0000-00-0000"


def _entry(answer: str, url: str = "") -> EntryView:
    return EntryView("A01", "手続き", "住民票の写しはどこで取れますか", answer, url, "市民課")


def test_the_preview_is_the_first_message_the_bot_sends():
    entry = _entry("市民課の窓口で取れます。", "https://city.example.jp/juminhyo")
    shown = replies.preview(entry, CONTACT)
    assert shown.text == replies.shown(replies.answer(entry, 0))
    assert shown.text.endswith("詳しくはこちら: https://city.example.jp/juminhyo")
    assert shown.length == line_length("市民課の窓口で取れます。" + replies.link_line(entry.url)) and not shown.cut


def test_an_empty_answer_previews_the_not_ready_reply():
    shown = replies.preview(_entry("  "), CONTACT)
    assert (shown.text, shown.length, shown.cut) == (replies.not_ready(_entry(""), CONTACT)[0].text, 0, False)
    assert CONTACT in shown.text


def test_cut_exactly_where_the_bot_cuts_counting_emoji_double():
    url = "https://city.example.jp/x"
    room = replies.MAX_TEXT - line_length(replies.link_line(url))
    assert not replies.preview(_entry("あ" * room, url), CONTACT).cut
    assert replies.preview(_entry("あ" * (room - 1) + "😀", url), CONTACT).cut  # 😀 counts 2 in LINE
    assert replies.preview(_entry("あ" * (room + 1), url), CONTACT).cut


def test_line_length_counts_as_line_does():
    assert line_length("") == 0
    assert line_length("住民票") == 3
    assert line_length("😀a") == 3  # outside the BMP: two UTF-16 units
