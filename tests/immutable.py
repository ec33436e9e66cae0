"""Files made really read-only for a while, even to root: ext4's immutable flag (chattr +i) also
refuses writes through descriptors already open, as a file system remounted read-only does."""
from __future__ import annotations

import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest


def skip_without_chattr(folder: Path) -> None:
    probe = folder / "chattr-probe"
    probe.touch()
    try:
        subprocess.run(["chattr", "+i", str(probe)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("chattr +i is not available here (needs root and a file system with the flag)")
    subprocess.run(["chattr", "-i", str(probe)], check=True, capture_output=True)
    probe.unlink()


@contextmanager
def immutable(*paths):
    names = [str(path) for path in paths]
    missing = [name for name in names if not Path(name).exists()]
    assert not missing, f"nothing to make read-only: {missing}"
    # Should this process die (SIGBUS, the bug the tests guard against), the flag still comes off.
    undo = subprocess.Popen(["sh", "-c", 'sleep 60; chattr -i "$@"', "undo", *names])
    try:
        subprocess.run(["chattr", "+i", *names], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["chattr", "-i", *names], check=True, capture_output=True)
        undo.kill()
        undo.wait()
