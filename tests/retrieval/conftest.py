"""The real Sudachi dictionary and the real bundled model, loaded once per test run."""
from __future__ import annotations

import pytest

from retrieval import Document, build_index, load_embedder

DOCS = [
    Document("R01", "住民票の写しを取りたい", ("住民票 取り方", "住民票はどこでもらえますか"),
             "市民課の窓口か、マイナンバーカードでコンビニ交付を利用できます。"),
    Document("R02", "マイナンバーカードを作りたい", ("マイナンバーカードの申請方法",),
             "通知カードに付いている申請書を郵送するか、スマートフォンで申請してください。"),
    Document("G01", "粗大ごみの出し方", ("ソファを捨てたい", "大きいごみの捨て方"),
             "粗大ごみ受付センターに電話で申し込んでください。"),
    Document("K01", "児童手当の申請", ("児童手当 手続き",), ""),
    Document("T01", "住民税の納付方法", ("住民税 払い方",), "納付書で金融機関かコンビニで払えます。"),
]


@pytest.fixture(scope="session")
def embedder(embedding_cache_dir):
    return load_embedder("", embedding_cache_dir)


@pytest.fixture(scope="session")
def index(embedder):
    return build_index(DOCS, embedder)
