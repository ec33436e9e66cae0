"""common/ sits below the domain packages: it imports none of them, nor Flask or the LINE SDK."""
from __future__ import annotations

import subprocess
import sys


def test_common_imports_no_domain_package():
    code = ("import sys, common.csvio, common.spreadsheet, common.jst, common.line_text; "
            "print(sorted(m for m in ('faq', 'analytics', 'admin', 'bot', 'retrieval', 'flask', 'linebot') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
