"""Personal data masked out of residents' messages before they are stored.

Residents sometimes paste their phone number, address, My Number, card or bank account, or write
their name and birthday into a question. The log keeps the question, not those: each is replaced by
a placeholder such as 〔電話番号〕. Digits may be full-width or, for phone numbers and My Number, kanji
(〇九〇ー一二三四…), and separators any kind of dash, a space or a dot, as phones type them. Ordinary
numbers (「1通300円」「3歳」「2026年4月1日から」「二〇二六年」) and place names (山田町) are left alone:
only digit runs shaped like personal data, numbers after the word that names them (被保険者番号,
普通 …), dates said to be a birth date, and names Sudachi's dictionary marks as a person's are masked.

Every pattern is anchored on its left (a look-behind, a keyword or a bounded prefix), so the regex
engine tries each run of digits or letters once rather than from every character of it: masking
takes time linear in the text (bench/masking_speed.py), and a message is cut to LINE's 5,000
characters first.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from retrieval.tokenize import morphemes

MAX_LENGTH = 5000  # LINE's limit for one text message

_D = "[0-9０-９]"
# Some residents spell a phone number or My Number out in kanji digits; nothing else runs 10-12 of them.
_N = "[0-9０-９〇一二三四五六七八九]"
_DASH = "[-‐‑‒–—―−－ｰー]"
_SEP = f"(?:{_DASH}|[ 　.．])"  # LINE users separate digit groups with dashes, spaces or dots
_KANJI_NUM = "[0-9０-９一二三四五六七八九十〇]"
_ALNUM = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９"
_PARTICLE = "(?:は|が|の|:|：)?"  # between a keyword and its number: 「口座番号は」「番号：」

_EMAIL_LOCAL = f"[{_ALNUM}._%+\\-．＿＋－]"
_EMAIL_LABEL = f"[{_ALNUM}\\-－]+"
_EMAIL = re.compile(f"(?<!{_EMAIL_LOCAL}){_EMAIL_LOCAL}+[@＠]{_EMAIL_LABEL}(?:[.．]{_EMAIL_LABEL})+")
# The same written out so that it is not a link: taro at example dot com, taro[at]example.jp,
# taro アットマーク example.co.jp.
_AT = ("(?:[ 　]{0,3}(?:[@＠]|[\\[(（［<＜](?i:at)[\\])）］>＞]|アットマーク|アット|あっとまーく|あっと)[ 　]{0,3}"
       "|[ 　]{1,3}(?i:at)[ 　]{1,3})")
_DOT = ("(?:[ 　]{0,3}(?:[.．]|[\\[(（［<＜](?i:dot)[\\])）］>＞]|ドット|どっと)[ 　]{0,3}"
        "|[ 　]{1,3}(?i:dot)[ 　]{1,3})")
_SPELLED_EMAIL = re.compile(f"(?<!{_EMAIL_LOCAL}){_EMAIL_LOCAL}+{_AT}{_EMAIL_LABEL}(?:{_DOT}{_EMAIL_LABEL})+")

# A birth date: a whole date (year, month and day; western or era year) after 生年月日/誕生日 or
# before 生まれ/生. A date alone (「2026年4月1日から」) or a birth month (「4月生まれ」) is kept.
_ERA = "(?:明治|大正|昭和|平成|令和|[MTSHRmtshrＭＴＳＨＲ])"
_DATE = (f"(?<![{_ALNUM}])(?:{_ERA}[ 　]?(?:{_D}{{1,2}}|元)|{_D}{{4}})"
         f"(?:[ 　]?年[ 　]?{_D}{{1,2}}[ 　]?月[ 　]?{_D}{{1,2}}[ 　]?日"
         f"|[./／\\-－]{_D}{{1,2}}[./／\\-－]{_D}{{1,2}}(?!{_D}))")
_BIRTHDAY_AFTER_WORD = re.compile(f"((?:生年月日|誕生日|たんじょうび){_PARTICLE}[ 　]{{0,2}}){_DATE}")
_BIRTHDAY_BEFORE_WORD = re.compile(
    f"{_DATE}(?=[ 　]?(?:生まれ|うまれ|産まれ|誕生|生(?:$|[ 　。、,.，．）)の])))")

# Cards: 14-19 digits run together, or grouped 4-4-4-4(-1..3), 4-6-5 (Amex), 4-6-4 (Diners);
# only numbers that pass the Luhn check (_mask_card).
_CARD = re.compile(
    f"(?<!{_D})(?:{_D}{{14,19}}|{_D}{{4}}(?P<sep>{_SEP})"
    f"(?:{_D}{{4}}(?P=sep){_D}{{4}}(?P=sep){_D}{{4}}(?:(?P=sep){_D}{{1,3}})?|{_D}{{6}}(?P=sep){_D}{{4,5}}))"
    f"(?!{_D})")

# Numbers after the word that names them; the word stays, so the question keeps its meaning.
_ID_VALUE = f"[{_ALNUM}](?:{_SEP}?[{_ALNUM}]){{0,19}}"
_KEYED_NUMBERS = {
    "〔年金番号〕": "基礎年金番号|年金番号|年金手帳の番号",
    "〔保険証番号〕": "被保険者番号|被保険者証の?(?:記号)?番号|保険者番号|保険証の?(?:記号)?番号",
    "〔旅券番号〕": "パスポート番号|パスポートの番号|旅券番号",
    "〔免許証番号〕": "免許証の?番号",
}
# 記号 and 番号 of a health insurance card or a ゆうちょ account: 「記号12 番号345」「記号12345、番号12345678」.
_MARK_AND_NUMBER = re.compile(
    f"記号{_PARTICLE}[ 　]{{0,2}}{_ID_VALUE}(?:[ 　]{{0,2}}[、,，]?[ 　]{{0,2}}番号{_PARTICLE}[ 　]{{0,2}}{_ID_VALUE})?")
# A bank account: 7 digits (6-8 accepted) after 普通/当座 or 口座番号, not an amount or a count.
_ACCOUNT = re.compile(
    f"((?:(?:普通|当座|貯蓄|総合)(?:預金)?(?:口座)?|口座)(?:番号)?{_PARTICLE}{_SEP}{{0,2}})"
    f"{_D}{{6,8}}(?!{_D}|[円万千億人件歳年月日時分回個枚%％])")
_YUCHO_ACCOUNT = re.compile(f"(?<!{_D})[1１]{_D}{{4}}{_DASH}{_D}{{8}}(?!{_D})")  # 記号-番号 of ゆうちょ
_PENSION = re.compile(f"(?<!{_D}){_D}{{4}}{_DASH}{_D}{{6}}(?!{_D})")  # 基礎年金番号 1234-567890
_PASSPORT = re.compile(f"(?<![{_ALNUM}])[A-Za-zＡ-Ｚａ-ｚ]{{2}}{_D}{{7}}(?![{_ALNUM}])")  # TK1234567

# My Number: 12 digits, as written on the card (4-4-4) or run together.
_MY_NUMBER = re.compile(f"(?<!{_N}){_N}{{4}}{_SEP}?{_N}{{4}}{_SEP}?{_N}{{4}}(?!{_N})")
# Phones start with 0 and hold 10 or 11 digits: 03-1234-5678, 090 1234 5678, 090.1234.5678,
# 0120-123-456, (03)1234-5678, 09012345678. The digit count is checked in _mask_phone.
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
    f"(?<!{_KANJI_NUM}){_KANJI_NUM}+丁目(?:(?:{_SEP}|の)?{_KANJI_NUM}+(?:番地?|号|{_DASH})?)*"
    f"|(?<!{_D}){_D}+番地(?:(?:の|{_DASH}){_D}+)?(?:{_D}+号)?"
    f"|(?<!{_D}){_D}+番{_D}+号"
    f"|(?<=[\u4e00-\u9fff々ヶケ]){_D}{{1,2}}{_DASH}{_D}{{1,4}}(?:{_DASH}{_D}{{1,4}})?(?!{_D})"
)
_ADDRESS = re.compile(_BLOCK)
_DIGITS = re.compile(_N)


class MaskedText(str):
    """Text that went through mask_personal_data: the only text the message log stores."""


def mask_personal_data(text: str) -> MaskedText:
    """The text (cut to LINE's 5,000 characters) with e-mail addresses, birth dates, card numbers,
    numbers named by their word (pension, insurance, passport, licence, bank account), My Numbers,
    phone numbers, postal codes, street addresses and people's names replaced by 〔メール〕
    〔生年月日〕〔カード番号〕〔年金番号〕〔保険証番号〕〔記号番号〕〔旅券番号〕〔免許証番号〕〔口座番号〕
    〔マイナンバー〕〔電話番号〕〔郵便番号〕〔住所〕〔氏名〕."""
    return MaskedText(_mask_names(_mask_patterns(text[:MAX_LENGTH])))


_PLACEHOLDER = re.compile("〔[^〔〕]{1,8}〕")


def without_placeholders(masked: str) -> str:
    """The masked text with its placeholders blanked: what is searched, so that a name or number a
    resident typed neither finds nor hides an entry."""
    return _PLACEHOLDER.sub(" ", masked)


def _mask_patterns(text: str) -> str:
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def _mask_card(match: re.Match) -> str:
    digits = [int(c) for c in match.group() if c.isdigit()]
    return "〔カード番号〕" if _luhn_valid(digits) else match.group()


def _luhn_valid(digits: list[int]) -> bool:
    total = 0
    for i, digit in enumerate(reversed(digits)):
        if i % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _keyed(placeholder: str) -> Callable[[re.Match], str]:
    """Keep the keyword and what joins it (「被保険者番号は」), mask the number if it has a digit."""
    def replace(match: re.Match) -> str:
        keyword, value = match.group(1), match.group(2)
        return keyword + placeholder if _DIGITS.search(value) else match.group()
    return replace


def _mask_mark_and_number(match: re.Match) -> str:
    return "〔記号番号〕" if _DIGITS.search(match.group()) else match.group()


def _mask_phone(match: re.Match) -> str:
    found = match.group()
    return "〔電話番号〕" if len(_DIGITS.findall(found)) in (10, 11) else found


def _mask_intl_phone(match: re.Match) -> str:
    """+81 and the national number without its leading 0: 9 or 10 digits after the 81."""
    found = match.group()
    national = _DIGITS.findall(re.sub("[(（][0０][)）]", "", found))[2:]
    return "〔電話番号〕" if len(national) in (9, 10) else found


# In this order: an e-mail or a date holds digits the number patterns would take; +81 and 10
# digits make 12 (My Number), and a card's first 12 digits would too; a keyword names its number
# better than its shape does (a 10-digit 介護保険 number is not a phone).
_RULES: tuple[tuple[re.Pattern, str | Callable[[re.Match], str]], ...] = (
    (_EMAIL, "〔メール〕"),
    (_SPELLED_EMAIL, "〔メール〕"),
    (_BIRTHDAY_AFTER_WORD, "\\1〔生年月日〕"),
    (_BIRTHDAY_BEFORE_WORD, "〔生年月日〕"),
    (_INTL_PHONE, _mask_intl_phone),
    (_CARD, _mask_card),
    *((re.compile(f"((?:{words}){_PARTICLE}[ 　]{{0,2}})({_ID_VALUE})"), _keyed(placeholder))
      for placeholder, words in _KEYED_NUMBERS.items()),
    (_MARK_AND_NUMBER, _mask_mark_and_number),
    (_ACCOUNT, "\\1〔口座番号〕"),
    (_YUCHO_ACCOUNT, "〔口座番号〕"),
    (_MY_NUMBER, "〔マイナンバー〕"),
    (_PHONE, _mask_phone),
    (_PENSION, "〔年金番号〕"),
    (_PASSPORT, "〔旅券番号〕"),
    (_POSTAL, "〔郵便番号〕"),
    (_ADDRESS, "〔住所〕"),
)

# --- names ------------------------------------------------------------------------------------

_HONORIFICS = "さん|様|さま|くん|君|ちゃん|氏|殿"
# A surname or given name alone is masked only where the words around it say it is one
# (「山田さん」「名前は佐藤」「鈴木です」); a full name (山田太郎, ヤマダ タロウ) always.
_NAME_BEFORE = re.compile(f"(?:名前|なまえ|氏名|名義){_PARTICLE}[ 　]{{0,2}}$")
_NAME_AFTER = re.compile(f"[ 　]?(?:{_HONORIFICS}|と申します|といいます|と言います|です)")
# 長谷川町子美術館 and 今あおば市 (Sudachi: 今 surname, あおば given name) are places, not people.
_NAMED_AFTER_A_PERSON = re.compile(
    "[市町村区郡県都府駅]|美術館|記念館|文学館|資料館|博物館|会館|公園|通り|広場|ホール|文庫|賞|像|碑|橋|神社")
# Sudachi reads words in hiragana as names by guess (10かげつけんしん: かげつ, けんしん).
_KANA_GUESS = re.compile("[ぁ-ゖー 　]+")
_PERSON = {"姓": "surname", "名": "given"}
_PLACE_WORD = re.compile("[市町村区郡県都府]")  # あおば市|山田太郎: an address may run into a name


def _mask_names(text: str) -> str:
    """People's names by Sudachi's part of speech (名詞,固有名詞,人名,姓/名), last first so that
    earlier offsets stay valid."""
    for start, end in reversed(_name_spans(text)):
        text = text[:start] + "〔氏名〕" + text[end:]
    return text


def _name_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    words = _words(text)
    i = 0
    while i < len(words):
        if words[i][2] in _PERSON.values():
            j = _run_end(words, i)
            if _is_a_person(text, words, i, j):
                spans.append((words[i][0], words[j - 1][1]))
            i = j
        else:
            i += 1
    return spans


def _is_a_person(text: str, words: list[tuple[int, int, str]], i: int, j: int) -> bool:
    """Whether the name words i..j-1 name a person here (see _NAME_BEFORE and what follows it)."""
    start, end = words[i][0], words[j - 1][1]
    names = [(kind, text[a:b]) for a, b, kind in words[i:j] if kind != "space"]
    # A given name in hiragana needs the words around it: 百日せき is a cough, not 百日 せき.
    full = len(names) > 1 and any(kind == "given" and not _KANA_GUESS.fullmatch(word) for kind, word in names)
    named = _NAME_AFTER.match(text, end) or _NAME_BEFORE.search(text, max(0, start - 8), start)
    glued = i > 0 and words[i - 1][2] == "noun"  # 保|健師さん, 利用者|登緑: pieces of another word
    return bool(full or named) and not glued and not _KANA_GUESS.fullmatch(text, start, end) \
        and not _NAMED_AFTER_A_PERSON.match(text, end)


def _run_end(words: list[tuple[int, int, str]], i: int) -> int:
    """End of the run of name words from i; one space may join them (ヤマダ タロウ)."""
    j = i + 1
    while j < len(words):
        if words[j][2] in _PERSON.values():
            j += 1
        elif words[j][2] == "space" and j + 1 < len(words) and words[j + 1][2] in _PERSON.values():
            j += 2
        else:
            break
    return j


def _words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each Sudachi word: surname, given, space, noun (not a place) or other."""
    from sudachipy import SplitMode  # with the first message, not with the package

    words = []
    offset = 0
    for m in morphemes(text, SplitMode.C):
        pos = m.part_of_speech()
        end = offset + len(m.surface())
        if pos[:3] == ("名詞", "固有名詞", "人名") and pos[3] in _PERSON:
            kind = _PERSON[pos[3]]
        elif pos[0] == "空白":
            kind = "space"
        elif pos[0] in ("名詞", "接頭辞") and pos[2] != "地名" and not _PLACE_WORD.fullmatch(m.surface()):
            kind = "noun"
        else:
            kind = "other"
        words.append((offset, end, kind))
        offset = end
    return words
