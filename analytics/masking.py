"""Personal data masked out of residents' messages before they are stored.

Residents sometimes paste their phone number, address or My Number into a question. The log keeps
the question, not those: each is replaced by a placeholder such as 〔電話番号〕. Digits may be
full-width or, for phone numbers and My Number, kanji (〇九〇ー一二三四…), and separators any kind of
dash, as phones type them. Ordinary numbers (「1通300円」「3歳」「2026年4月1日」「二〇二六年」) are left
alone: only digit runs shaped like personal data are masked.
"""
from __future__ import annotations

import re

_D = "[0-9０-９]"
# Some residents spell a phone number or My Number out in kanji digits; nothing else runs 10-12 of them.
_N = "[0-9０-９〇一二三四五六七八九]"
_DASH = "[-‐‑‒–—―−－ｰー]"
_SEP = f"(?:{_DASH}|[ 　])"  # LINE users separate digit groups with dashes or spaces
_KANJI_NUM = "[0-9０-９一二三四五六七八九十〇]"

_ALNUM = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９"
_EMAIL = re.compile(f"[{_ALNUM}._%+\\-．＿＋－]+[@＠][{_ALNUM}\\-－]+(?:[.．][{_ALNUM}\\-－]+)+")
# My Number: 12 digits, as written on the card (4-4-4) or run together.
_MY_NUMBER = re.compile(f"(?<!{_N}){_N}{{4}}{_SEP}?{_N}{{4}}{_SEP}?{_N}{{4}}(?!{_N})")
# Phones start with 0 and hold 10 or 11 digits: 03-1234-5678, 090 1234 5678, 0120-123-456,
# (03)1234-5678, 09012345678. The digit count is checked in _mask_phone.
_PHONE = re.compile(
    f"(?<!{_N})[(（]?[0０〇]{_N}{{0,4}}[)）]?{_SEP}?{_N}{{1,4}}[)）]?{_SEP}?{_N}{{3,4}}(?!{_N})"
)
# The same numbers written for abroad: +81 90-1234-5678, +81 (0)3 1234 5678, +819012345678.
_INTL_PHONE = re.compile(
    f"[+＋] ?[8８][1１]{_SEP}?(?:[(（][0０][)）])?{_SEP}?{_D}{{1,4}}(?:{_SEP}?{_D}{{1,4}}){{1,3}}(?!{_D})"
)
_POSTAL = re.compile(f"〒 ?{_D}{{3}}{_DASH}?{_D}{{4}}(?!{_D})|(?<!{_D}){_D}{{3}}{_DASH}{_D}{{4}}(?!{_D})")
# Street part of an address after the town name: 1丁目2番3号, 2番地の5, 三丁目4-5, 青葉町1-2-3.
_BLOCK = (
    f"{_KANJI_NUM}+丁目(?:(?:{_SEP}|の)?{_KANJI_NUM}+(?:番地?|号|{_DASH})?)*"
    f"|{_D}+番地(?:(?:の|{_DASH}){_D}+)?(?:{_D}+号)?"
    f"|{_D}+番{_D}+号"
    f"|(?<=[\u4e00-\u9fff々ヶケ]){_D}{{1,2}}{_DASH}{_D}{{1,4}}(?:{_DASH}{_D}{{1,4}})?(?!{_D})"
)
_ADDRESS = re.compile(_BLOCK)
_DIGITS = re.compile(_N)


def mask_personal_data(text: str) -> str:
    """The text with e-mail addresses, My Numbers, phone numbers, postal codes and street
    addresses replaced by 〔メール〕〔マイナンバー〕〔電話番号〕〔郵便番号〕〔住所〕."""
    text = _EMAIL.sub("〔メール〕", text)
    text = _INTL_PHONE.sub(_mask_intl_phone, text)  # before My Number: +81 and 10 digits make 12
    text = _MY_NUMBER.sub("〔マイナンバー〕", text)
    text = _PHONE.sub(_mask_phone, text)
    text = _POSTAL.sub("〔郵便番号〕", text)
    return _ADDRESS.sub("〔住所〕", text)


def _mask_phone(match: re.Match) -> str:
    found = match.group()
    return "〔電話番号〕" if len(_DIGITS.findall(found)) in (10, 11) else found


def _mask_intl_phone(match: re.Match) -> str:
    """+81 and the national number without its leading 0: 9 or 10 digits after the 81."""
    found = match.group()
    national = _DIGITS.findall(re.sub("[(（][0０][)）]", "", found))[2:]
    return "〔電話番号〕" if len(national) in (9, 10) else found
