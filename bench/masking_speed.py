"""How long masking takes on long adversarial messages (runs that patterns used to rescan).

    .venv/bin/python bench/masking_speed.py [--sizes 5000 100000] [--kinds digits ...]

For each input kind and size, times mask_personal_data (best of --repeat runs). A linear masker
takes about 20 times longer on 100,000 characters than on 5,000, a quadratic one about 400 times;
mask_personal_data cuts a message to LINE's 5,000 characters first, so the last column times the
patterns alone over the whole largest text. Run in an export of an older commit, the script times
that commit's masking (without the last column where it has no _mask_patterns).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import masking  # noqa: E402

# Each repeats one short unit: a pattern without a left anchor retries the whole run from every
# position of it.
UNITS = {
    "digits": "1",
    "full-width digits": "１",
    "kanji digits": "一",
    "digits and dashes": "1-",
    "digits and spaces": "0 ",
    "e-mail local part": "a",
    "a.a@": "a.a@",
    "taro at ": "taro at ",
    "surnames": "山田",
    "ordinary question": "住民票の写しは2026年4月1日から何時まで取れますか？",
}


def adversarial(kind: str, size: int) -> str:
    unit = UNITS[kind]
    return (unit * (size // len(unit) + 1))[:size]


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 100000])
    parser.add_argument("--kinds", nargs="+", default=list(UNITS), choices=list(UNITS))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    masking.mask_personal_data("山田太郎")  # load the dictionary outside the timings
    has_rules = hasattr(masking, "_mask_patterns")
    print("| input | " + " | ".join(f"{n:,} chars" for n in args.sizes)
          + (" | patterns alone, uncut, largest size |" if has_rules else " |"))
    print("|---|" + "---|" * (len(args.sizes) + has_rules))
    for kind in args.kinds:
        cells = [f"{best_of(args.repeat, lambda: masking.mask_personal_data(adversarial(kind, n))):,.1f} ms"
                 for n in args.sizes]
        if has_rules:
            text = adversarial(kind, max(args.sizes))
            cells.append(f"{best_of(args.repeat, lambda: masking._mask_patterns(text)):,.1f} ms")
        print(f"| {kind} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
