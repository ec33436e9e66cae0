"""Greetings and thanks in the languages of foreign residents (retrieval.language.FOREIGN).

A word list per language, because one or two words are too short for a language detector
(py3langid reads "halo" or "salamat" as anything). The exclusion rule (exclusion.py) compares a
message's letters and digits only, lower case, without spaces or marks, so each word is listed
as residents type it and reduced the same way: 「Xin chào!」 and 「xin chao」 both match. Listed
with and without diacritics where phones often drop them. A word belongs to one language only
(tests check), so a greeting says which language to answer in.
"""
from __future__ import annotations

HELLOS: dict[str, tuple[str, ...]] = {
    "en": ("hello", "hi", "hey", "hiya", "good morning", "good afternoon", "good evening", "good night",
           "bye", "goodbye", "see you", "nice to meet you"),
    "zh": ("你好", "您好", "大家好", "早上好", "下午好", "晚上好", "晚安", "再见", "再見", "ni hao", "nihao"),
    "ko": ("안녕하세요", "안녕", "안녕하십니까", "처음 뵙겠습니다", "안녕히 계세요", "안녕히 가세요", "annyeonghaseyo"),
    "vi": ("xin chào", "chào", "chào bạn", "chào anh", "chào chị", "chào em", "tạm biệt",
           "xin chao", "chao", "chao ban"),
    "pt": ("olá", "ola", "oi", "bom dia", "boa tarde", "boa noite", "tudo bem", "tchau"),
    "tl": ("kumusta", "kamusta", "kumusta po", "kamusta po", "magandang umaga", "magandang hapon",
           "magandang gabi", "magandang umaga po", "magandang hapon po", "magandang gabi po", "paalam"),
    "ne": ("नमस्ते", "नमस्कार", "namaste", "namaskar"),
    "id": ("halo", "selamat pagi", "selamat siang", "selamat sore", "selamat malam", "sampai jumpa"),
}

THANKS: dict[str, tuple[str, ...]] = {
    "en": ("thanks", "thank you", "thankyou", "thx", "thank you very much", "thank you so much", "thanks a lot",
           "many thanks", "sorry"),
    "zh": ("谢谢", "謝謝", "谢谢你", "谢谢您", "多谢", "非常感谢", "感谢", "xiexie", "xie xie"),
    "ko": ("감사합니다", "고맙습니다", "감사해요", "고마워요", "고마워", "정말 감사합니다", "죄송합니다", "kamsahamnida"),
    "vi": ("cảm ơn", "cám ơn", "cảm ơn bạn", "xin cảm ơn", "cảm ơn nhiều", "cảm ơn rất nhiều", "cam on",
           "cam on ban", "xin loi", "xin lỗi"),
    "pt": ("obrigado", "obrigada", "muito obrigado", "muito obrigada", "valeu", "desculpa", "desculpe"),
    "tl": ("salamat", "salamat po", "maraming salamat", "maraming salamat po", "pasensya na"),
    "ne": ("धन्यवाद", "धेरै धन्यवाद", "dhanyabad", "dhanyawad"),
    "id": ("terima kasih", "terimakasih", "makasih", "terima kasih banyak", "maaf"),
}
