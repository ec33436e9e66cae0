"""Language detection on short chat messages (bench/data/lang_detect.jsonl): accuracy per language,
time per call and memory, for the project's detector (retrieval/language.py).

    .venv/bin/python bench/language_detection.py
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy  # noqa: F401,E402  (loaded by the app anyway: not counted against the detector)

from retrieval import language  # noqa: E402

DATA = Path(__file__).with_name("data") / "lang_detect.jsonl"


def main() -> None:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    language.detect("warm up the model")
    load_s = time.perf_counter() - start
    added_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    times, per, wrong = [], {}, []
    for row in rows:
        start = time.perf_counter()
        got = language.detect(row["text"])
        times.append((time.perf_counter() - start) * 1000)
        right, total = per.get(row["lang"], (0, 0))
        per[row["lang"]] = (right + (got == row["lang"]), total + 1)
        if got != row["lang"]:
            wrong.append(f"{row['lang']} → {got}: {row['text']}")
    times.sort()
    right = sum(r for r, _ in per.values())
    print(f"accuracy {right}/{len(rows)} = {right / len(rows):.3f}")
    print(" ".join(f"{lang} {r}/{t}" for lang, (r, t) in per.items()))
    print(f"per call p50 {times[len(times) // 2]:.3f} ms, p95 {times[int(len(times) * 0.95)]:.3f} ms; "
          f"first call (loads the model) {load_s:.2f} s, +{added_mb:.0f} MB RSS")
    for line in wrong:
        print("  wrong:", line)


if __name__ == "__main__":
    main()
