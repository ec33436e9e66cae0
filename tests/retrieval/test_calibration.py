"""Per-FAQ calibration: the cosine range from the FAQ's own questions, scores as the share of the
FAQ's near misses beaten, measured once and read back on a restart."""
import numpy as np
import pytest

from retrieval import Document, build_index, calibration, confidence
from retrieval.calibration import Calibration
from retrieval.index import Index

from .conftest import DOCS

# Enough entries to be calibrated on their own (MIN_PROBES), on topics a city FAQ has.
TOPICS = ["住民票", "戸籍謄本", "印鑑登録", "転入届", "転出届", "婚姻届", "出生届", "死亡届", "国民健康保険",
          "国民年金", "児童手当", "保育園", "予防接種", "粗大ごみ", "資源ごみ", "犬の登録", "住民税",
          "固定資産税", "軽自動車税", "水道の開始", "図書館", "選挙", "パスポート", "市営住宅"]
FAQ = [Document(f"E{i:02d}", f"{topic}の手続きを教えてください", (), f"{topic}は市民課の窓口で受け付けます。")
       for i, topic in enumerate(TOPICS)]


def test_scores_are_the_share_of_near_misses_beaten():
    cal = Calibration(0.8, 0.9, (0.1, 0.2, 0.4, 0.8))
    assert cal.score(np.array([0.0, 0.1, 0.3, 0.8, 0.95])).tolist() == pytest.approx([0.0, 0.25, 0.625, 1.0, 1.0])
    assert Calibration.from_json(cal.to_json()) == cal


def test_the_dense_range_follows_the_background_of_the_questions():
    rng = np.random.default_rng(0)
    passages = rng.normal(size=(60, 8))
    passages /= np.linalg.norm(passages, axis=1, keepdims=True)
    owners = np.repeat(np.arange(20), 3)
    probes = passages[::3] + 0.1  # close to their own passages, not to the others
    floor, ceiling = calibration.dense_range(probes, passages, owners, np.arange(20))
    background = np.array([p @ passages[owners != e].T for e, p in enumerate(probes)]).ravel()
    assert floor == pytest.approx(background.mean() - 2 * background.std(), rel=1e-4)
    assert ceiling == pytest.approx(background.mean() + 6 * background.std(), rel=1e-4)


@pytest.mark.slow  # embeds and calibrates a whole city FAQ
def test_a_city_faq_is_calibrated_from_its_own_questions(embedder):
    index = build_index(FAQ, embedder)
    cal = index.calibration
    # each question, and each answer's opening sentence, asked without its own entry
    assert len(cal.near_miss) == 2 * len(FAQ)
    assert 0.6 < cal.dense_floor < cal.dense_ceiling < 1.0  # e5's narrow band (0.76–0.95 on the sample FAQ)
    assert index.search("犬の登録の手続きを教えてください")[0].score == 1.0  # its own question
    assert index.search("ドローンの飛行許可はどこで取れる")[0].score < 0.5  # below most near misses


def test_a_calibration_is_measured_once_and_read_back(embedder, monkeypatch):
    first = build_index(FAQ, embedder).calibration

    def measure_again(_index):
        raise AssertionError("measured again although the FAQ and models did not change")
    monkeypatch.setattr("retrieval.index.Index.measure_calibration", measure_again)
    assert build_index(FAQ, embedder).calibration == first


def test_a_calibration_measured_by_other_code_is_measured_again(embedder, monkeypatch):
    """After an upgrade, the FAQ and the models unchanged: a calibration another version measured
    (its dense range scales every feature) is not read back."""
    build_index(FAQ, embedder)
    monkeypatch.setattr(calibration, "code_fingerprint", lambda: b"another version")
    measured = []
    real = Index.measure_calibration
    monkeypatch.setattr(Index, "measure_calibration", lambda index: measured.append(1) or real(index))
    build_index(FAQ, embedder)
    assert measured == [1]


def test_an_index_read_back_with_its_calibration_loads_the_confidence_model_only_to_search(embedder, monkeypatch):
    """`faq index` on a warm cache: the trees (scikit-learn, about 2 s to import) wait for a search."""
    build_index(FAQ, embedder)  # calibrated once, and kept
    loads, real = [], confidence.load
    monkeypatch.setattr(confidence, "load", lambda *args: loads.append(args) or real(*args))
    index = build_index(FAQ, embedder)
    assert loads == []
    assert index.search("犬の登録の手続きを教えてください")[0].faq_id == "E15"
    assert len(loads) == 1


def test_a_small_faq_uses_the_prior(index):
    assert len(DOCS) < calibration.MIN_PROBES
    assert index.calibration.near_miss == calibration.prior() != ()
