"""Split the sample query set into a tuning half and a held-out half, once and reproducibly.

    .venv/bin/python scripts/split-queries.py

Reads faq/sample/queries_all.jsonl and writes faq/sample/queries_tune.jsonl and
faq/sample/queries_holdout.jsonl. Answerable and unanswerable queries are shuffled and halved
separately so that both halves keep the same mix; the fixed seed makes the split repeatable.
Every id named in "relevant" must exist in faq/sample/city_faq.csv. Retrieval is tuned on the
tune half only; the holdout half is for the final, honest score.
"""
from __future__ import annotations

import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common.csvio import read_table  # noqa: E402

SAMPLE = ROOT / "faq" / "sample"
SEED = 20261121
FAQ_COLUMNS = ["id", "category", "question", "alternates", "answer", "url", "department"]


def load_queries(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def check_ids(queries: list[dict], faq_ids: set[str]) -> None:
    unknown = sorted({i for q in queries for i in q["relevant"]} - faq_ids)
    if unknown:
        raise SystemExit(f"relevant names ids missing from city_faq.csv: {', '.join(unknown)}")


def split(queries: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """Halve answerable and unanswerable queries separately (stratified), after one seeded shuffle each."""
    rng = random.Random(seed)
    tune: list[dict] = []
    holdout: list[dict] = []
    for stratum in ([q for q in queries if q["relevant"]], [q for q in queries if not q["relevant"]]):
        shuffled = stratum[:]
        rng.shuffle(shuffled)
        half = (len(shuffled) + 1) // 2
        tune += shuffled[:half]
        holdout += shuffled[half:]
    return tune, holdout


def write_jsonl(path: Path, queries: list[dict]) -> None:
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in queries), encoding="utf-8")


def describe(name: str, queries: list[dict]) -> str:
    answerable = sum(1 for q in queries if q["relevant"])
    styles = Counter(q.get("style", "?") for q in queries)
    return (f"{name}: {len(queries)} queries ({answerable} answerable, {len(queries) - answerable} unanswerable)\n"
            + "\n".join(f"  {style:<13}{n}" for style, n in sorted(styles.items())))


def main() -> None:
    table = read_table(SAMPLE / "city_faq.csv", FAQ_COLUMNS)
    queries = load_queries(SAMPLE / "queries_all.jsonl")
    check_ids(queries, {row["id"] for _, row in table.rows})
    tune, holdout = split(queries, SEED)
    write_jsonl(SAMPLE / "queries_tune.jsonl", tune)
    write_jsonl(SAMPLE / "queries_holdout.jsonl", holdout)
    for name, part in (("all", queries), ("tune", tune), ("holdout", holdout)):
        print(describe(name, part))


if __name__ == "__main__":
    main()
