"""Small FAQ files written per test (the sample FAQ belongs to another package's tests)."""
from __future__ import annotations

from pathlib import Path

import pytest

HEADER = "id,category,question,alternates,answer,url,department"

FAQ_CSV = f'''{HEADER}
A01,住民票,住民票の写しがほしい,"住民票 取り方
住民票はどこでもらえますか",市民課の窓口かコンビニ交付で取れます。マイナンバーカードが必要です。,https://city.example.jp/juminhyo,市民課
B01,ごみ,粗大ごみの出し方,"ソファを捨てたい
大きいごみの捨て方",粗大ごみ受付センターに電話で申し込んでください。,https://city.example.jp/sodai,環境課
C01,子育て,児童手当の申請,児童手当 手続き,,,子育て支援課
D01,税金,住民税の納付方法,"住民税 払い方",納付書で金融機関かコンビニで払えます。,,税務課
'''


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def faq_csv(tmp_path) -> Path:
    return write_csv(tmp_path / "faq.csv", FAQ_CSV)
