"""Personal data never reaches the message log; ordinary numbers do."""
from __future__ import annotations

import pytest

from analytics.masking import mask_personal_data


@pytest.mark.parametrize("typed, expected", [
    ("電話は03-1234-5678です", "電話は〔電話番号〕です"),
    ("携帯09012345678まで", "携帯〔電話番号〕まで"),
    ("０９０－１２３４－５６７８に連絡ください", "〔電話番号〕に連絡ください"),
    ("090 1234 5678", "〔電話番号〕"),
    ("(03)1234-5678", "〔電話番号〕"),
    ("フリーダイヤル0120-123-456", "フリーダイヤル〔電話番号〕"),
    ("0800-123-4567", "〔電話番号〕"),
    ("返信はtaro.yamada+city@example.co.jpへ", "返信は〔メール〕へ"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐに送って", "〔メール〕に送って"),
    ("マイナンバーは1234 5678 9012です", "マイナンバーは〔マイナンバー〕です"),
    ("123456789012", "〔マイナンバー〕"),
    ("1234-5678-9012", "〔マイナンバー〕"),
    ("〒123-4567 あおば市", "〔郵便番号〕 あおば市"),
    ("〒1234567", "〔郵便番号〕"),
    ("郵便番号は123-4567", "郵便番号は〔郵便番号〕"),
    ("青葉町1丁目2番3号に住んでいます", "青葉町〔住所〕に住んでいます"),
    ("あおば市青葉町２丁目３番４号　山田", "あおば市青葉町〔住所〕　山田"),
    ("本町三丁目12番地の3", "本町〔住所〕"),
    ("青葉町1-2-3の家", "青葉町〔住所〕の家"),
    ("本町2番地", "本町〔住所〕"),
])
def test_personal_data_is_masked(typed, expected):
    assert mask_personal_data(typed) == expected


@pytest.mark.parametrize("typed", [
    "1通300円ですか", "3歳の子どもがいます", "2026年4月1日から", "令和8年度の住民税",
    "第3号被保険者", "窓口は1番です", "10時から17時まで", "0歳児クラス", "期限は2026-04-01",
    "人口は123456人", "住民票を2通ください",
])
def test_ordinary_numbers_are_kept(typed):
    assert mask_personal_data(typed) == typed
