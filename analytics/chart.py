"""The report as a chart (PNG): monthly 全質問 as bars, 回答率 and 正答率 as lines in %.

Japanese labels need a Japanese font from the system (Debian: fonts-noto-cjk). matplotlib only
knows the fonts its cache listed when it was built, which on a fresh machine is often before the
font was installed: a font the cache lacks is looked up on disk (fontconfig, then Debian's paths)
and registered. Without one the chart is refused with an error rather than drawn with empty boxes
(tofu).
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess

import matplotlib

matplotlib.use("Agg")  # no display on a server; before anything draws

from matplotlib import font_manager, rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import StrMethodFormatter  # noqa: E402

from analytics.report import Counts, Report  # noqa: E402

# Gothic (sans) faces first: they read best in a projected council document.
PREFERRED_FONTS = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "IPAGothic", "TakaoGothic",
                   "VL Gothic", "Noto Serif CJK JP", "IPAexMincho", "IPAMincho")
# Where Debian's fonts-noto-cjk puts the font, for a machine without fontconfig's fc-match.
FONT_FILES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",)
_SAMPLE = "全質問回答率正答率月年度応答状況令和未集計"


class FontMissing(RuntimeError):
    pass


def cjk_font() -> font_manager.FontEntry:
    """The first font of PREFERRED_FONTS that has every glyph the chart writes, registering the
    font files on disk when matplotlib's font cache does not list one."""
    entry = _listed_font()
    if entry is None and _register(_font_files()):
        entry = _listed_font()
    if entry is None:
        raise FontMissing(
            "グラフに使える日本語フォントがありません。fonts-noto-cjk を入れてください"
            "（Debian/Ubuntu: sudo apt-get install fonts-noto-cjk）。")
    return entry


def _listed_font() -> font_manager.FontEntry | None:
    entries = font_manager.fontManager.ttflist
    for name in PREFERRED_FONTS:
        for entry in sorted((e for e in entries if e.name == name), key=lambda e: abs(_weight(e) - 400)):
            # The cache may also list a font removed since it was built.
            if os.path.exists(entry.fname) and _covers(entry.fname, _SAMPLE):
                return entry
    return None


def _font_files() -> list[str]:
    """Files of the preferred fonts as fontconfig finds them, then Debian's known paths."""
    found = []
    if shutil.which("fc-match"):
        for name in PREFERRED_FONTS:
            result = subprocess.run(["fc-match", "--format=%{file}", name], capture_output=True, text=True,
                                    timeout=10, check=False)
            found.append(result.stdout.strip())
    return [path for path in dict.fromkeys(found + list(FONT_FILES)) if path and os.path.exists(path)]


def _register(paths: list[str]) -> bool:
    """Add the files matplotlib does not know yet; whether any was added."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    added = [path for path in paths if path not in known]
    for path in added:
        font_manager.fontManager.addfont(path)
    return bool(added)


def _weight(entry: font_manager.FontEntry) -> int:
    return entry.weight if isinstance(entry.weight, int) else font_manager.weight_dict.get(entry.weight, 400)


def _covers(path: str, text: str) -> bool:
    font = font_manager.get_font(path)
    return all(font.get_char_index(ord(ch)) for ch in set(text))


def report_chart_png(report: Report) -> bytes:
    font = cjk_font()
    labels = [m.label for m in report.months]
    counted = [m.counts for m in report.months]
    totals = [c.total if c else 0 for c in counted]
    answer_rate = [_percent(c, "answered", "responded") for c in counted]
    correct_rate = [_percent(c, "correct", "answered") for c in counted]

    with rc_context({"font.family": font.name, "axes.unicode_minus": False}):
        fig = Figure(figsize=(10, 5.6), dpi=150, layout="constrained")
        bars_ax = fig.add_subplot()
        bars = bars_ax.bar(labels, totals, color="#9bbbd9", label="全質問（件）")
        bars_ax.bar_label(bars, labels=[f"{t:,}" if c else "" for t, c in zip(totals, counted)],
                          fontsize=8, padding=2)
        for x, c in enumerate(counted):
            if c is None:
                bars_ax.text(x, 0, "未集計", ha="center", va="bottom", fontsize=9, color="#777777")
        bars_ax.set_ylabel("全質問（件）")
        # Bars in the lower half, the ratio lines (usually 70–95%) above them: nothing overlaps.
        bars_ax.set_ylim(0, max(totals + [1]) * 1.9)
        bars_ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))

        rate_ax = bars_ax.twinx()
        for values, marker, color, label, offset in ((answer_rate, "o", "#e07b39", "回答率（%）", -11),
                                                     (correct_rate, "s", "#2e8b57", "正答率（%）", 6)):
            rate_ax.plot(labels, values, marker=marker, color=color, label=label)
            for x, value in enumerate(values):
                if value == value:  # not NaN
                    rate_ax.annotate(f"{value:.1f}", (x, value), textcoords="offset points", xytext=(0, offset),
                                     ha="center", fontsize=7, color=color)
        rate_ax.set_ylim(0, 100)
        rate_ax.set_ylabel("割合（%）")

        handles = [bars] + rate_ax.get_lines()
        fig.legend(handles, [h.get_label() for h in handles], loc="outside lower center", ncol=3,
                   fontsize=9, frameon=False)
        bars_ax.set_title(report.title, fontsize=13)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _percent(counts: Counts | None, numerator: str, denominator: str) -> float:
    """Truncated ratio as plotted (NaN leaves a gap for a month without data or denominator)."""
    permille = counts.permille(numerator, denominator) if counts else None
    return float("nan") if permille is None else permille / 10
