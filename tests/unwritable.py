"""Making a real file unwritable, even for root (who ignores file modes).

As root, ``chattr +i`` (immutable) refuses every write, also through descriptors that
are already open; otherwise the file mode is enough for files opened from then on.
Never used on SQLite's ``-shm`` file: it is memory-mapped, and an immutable mapping
kills the process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CAN_FREEZE_OPEN_FILES = os.geteuid() == 0 and shutil.which("chattr") is not None


@contextmanager
def unwritable(*paths: Path) -> Iterator[None]:
    present = [p for p in paths if p.exists()]
    if os.geteuid() == 0:
        if not CAN_FREEZE_OPEN_FILES:
            pytest.skip("running as root without chattr: cannot make a file unwritable")
        subprocess.run(["chattr", "+i", *map(str, present)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", *map(str, present)], check=True)
    else:
        modes = {p: p.stat().st_mode for p in present}
        for p in present:
            p.chmod(0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
