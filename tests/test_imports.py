"""What importing costs: the models and the command line start without the heavy libraries.

Each check runs in a fresh interpreter, since this test process has long imported everything. It
asserts which modules are loaded, not how long it took (the README has the times).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each case starts a fresh interpreter

ROOT = Path(__file__).resolve().parent.parent
# Seconds to import each (measured in the README); the model, the index, LINE's SDK, the chart.
HEAVY = ("torch", "sentence_transformers", "transformers", "faiss", "sklearn", "sudachipy", "linebot",
         "matplotlib", "openpyxl")
# Lighter (tens of ms to 0.15 s each), still nothing a command's start needs: the index's arrays, the
# HTTP client that talks to LINE, the cipher of stored LINE user ids.
LIGHTER = ("numpy", "urllib3", "cryptography")


def _loaded_after(code: str, tmp_path: Path) -> dict:
    """Run `code` in a new interpreter in the project root; the top-level modules it loaded."""
    probe = f"""
import json, sys
try:
{''.join('    ' + line + chr(10) for line in code.strip().splitlines())}
except SystemExit:
    pass
print("\\n" + json.dumps(sorted({{name.split(".")[0] for name in sys.modules}})))
"""
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "SECRET_KEY": "test"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return {"output": done.stdout, "modules": set(json.loads(done.stdout.rstrip().rsplit("\n", 1)[-1]))}


def test_importing_the_models_loads_no_view_and_no_heavy_library(tmp_path):
    loaded = _loaded_after("import db\ndb.import_models()", tmp_path)["modules"]
    assert not loaded & {*HEAVY, *LIGHTER}
    assert "flask" not in loaded  # no package __init__ pulls in its blueprint and views


@pytest.mark.parametrize("args", [["--help"], ["report", "monthly", "--help"], ["users", "create", "--help"],
                                  ["db", "upgrade", "--help"]], ids=" ".join)
def test_the_command_line_starts_without_the_model_or_line_sdk(tmp_path, args):
    run = _loaded_after(f"sys.argv = ['flask', '--app', 'wsgi', *{args!r}]\n"
                        "from flask.cli import main\nmain()", tmp_path)
    assert "Usage:" in run["output"]  # the command was found and answered
    assert not run["modules"] & {*HEAVY, *LIGHTER}


def test_the_heavy_libraries_still_load_where_they_are_used(tmp_path):
    """The lazy imports are reached: one webhook path and one index path pull in what they need."""
    loaded = _loaded_after("from bot import events\nfrom retrieval import tokenize\ntokenize.tokens('住民票')\n"
                           "from retrieval import dense\nimport numpy\ndense.DenseIndex(numpy.eye(2, dtype='float32'), "
                           "[0, 1], [0, 0], 2)", tmp_path)["modules"]
    assert {"linebot", "sudachipy", "faiss"} <= loaded


def test_the_retrieval_package_loads_its_parts_on_first_use(tmp_path):
    """`import retrieval` gives the language names and the decision alone; the index and the
    embedder load when first named, and decide/normalize stay functions, not their modules."""
    run = _loaded_after("import retrieval\nfrom retrieval.decide import DecisionKind\n"
                        "from retrieval.normalize import has_content\n"
                        "print(callable(retrieval.decide), callable(retrieval.normalize))", tmp_path)
    assert "True True" in run["output"] and "numpy" not in run["modules"]
    run = _loaded_after("import retrieval\nfrom retrieval import Document, foreign\n"
                        "print(retrieval.build_index.__module__, foreign.__name__, retrieval.Embedder.__name__)",
                        tmp_path)
    assert "retrieval.index retrieval.foreign Embedder" in run["output"] and "numpy" in run["modules"]
    assert not run["modules"] & {"torch", "sentence_transformers"}  # the model loads when first used


def test_the_bundled_model_encodes_without_torch(tmp_path):
    """sentence-transformers and torch (about 8 s) load only for an EMBEDDING_MODEL folder."""
    run = _loaded_after(f"from retrieval.embedder import Embedder\n"
                        f"print(Embedder('', None).queries(['住民票']).shape)", tmp_path)
    assert "(1, 384)" in run["output"]
    assert not run["modules"] & {"torch", "sentence_transformers", "transformers"}
