"""Compare language identifiers raw on short chat messages, each restricted to our nine languages.

Needs the candidates, which the app does not install: in a separate venv,
    pip install lingua-language-detector==2.1.1 py3langid==0.4.0 langdetect==1.0.9
    python bench/language_libraries.py lingua|lingua-lazy|py3langid|langdetect bench/data/lang_detect.jsonl
"""
import json, resource, sys, time
from pathlib import Path

rows = [json.loads(l) for l in Path(sys.argv[2]).read_text().splitlines() if l.strip()]
which = sys.argv[1]
LANGS = ["ja", "en", "zh", "ko", "vi", "pt", "tl", "ne", "id"]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if which == "lingua":
    from lingua import Language, LanguageDetectorBuilder
    names = {Language.JAPANESE: "ja", Language.ENGLISH: "en", Language.CHINESE: "zh", Language.KOREAN: "ko",
             Language.VIETNAMESE: "vi", Language.PORTUGUESE: "pt", Language.TAGALOG: "tl",
             Language.HINDI: "ne", Language.INDONESIAN: "id"}  # no Nepali in lingua: Hindi stands for Devanagari
    det = LanguageDetectorBuilder.from_languages(*names).with_preloaded_language_models().build()
    def detect(t):
        l = det.detect_language_of(t); return names.get(l, "?")
elif which == "lingua-lazy":
    from lingua import Language, LanguageDetectorBuilder
    names = {Language.JAPANESE: "ja", Language.ENGLISH: "en", Language.CHINESE: "zh", Language.KOREAN: "ko",
             Language.VIETNAMESE: "vi", Language.PORTUGUESE: "pt", Language.TAGALOG: "tl",
             Language.HINDI: "ne", Language.INDONESIAN: "id"}
    det = LanguageDetectorBuilder.from_languages(*names).build()
    def detect(t):
        l = det.detect_language_of(t); return names.get(l, "?")
elif which == "py3langid":
    import py3langid
    py3langid.set_languages(LANGS)
    def detect(t): return py3langid.classify(t)[0]
elif which == "langdetect":
    from langdetect import DetectorFactory, detect_langs
    DetectorFactory.seed = 0
    m = {"zh-cn": "zh", "zh-tw": "zh"}
    def detect(t):
        try:
            for c in detect_langs(t):
                c = m.get(c.lang, c.lang)
                if c in LANGS: return c
        except Exception: pass
        return "?"
detect("warm up")
load = time.perf_counter() - t0
times, right, per = [], 0, {}
wrong = []
for r in rows:
    s = time.perf_counter(); got = detect(r["text"]); times.append((time.perf_counter() - s) * 1000)
    ok = got == r["lang"]; right += ok
    per.setdefault(r["lang"], [0, 0]); per[r["lang"]][0] += ok; per[r["lang"]][1] += 1
    if not ok: wrong.append(f'{r["lang"]}->{got}: {r["text"]}')
times.sort()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"lib": which, "accuracy": round(right / len(rows), 3), "n": len(rows),
                  "per": {k: f"{a}/{b}" for k, (a, b) in per.items()},
                  "ms_p50": round(times[len(times)//2], 3), "ms_p95": round(times[int(len(times)*.95)], 3),
                  "load_s": round(load, 2), "rss_mb_added": round((rss - before) / 1024, 1)}, ensure_ascii=False))
for w in wrong: print("   ", w)
