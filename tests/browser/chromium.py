"""The system's Chromium for the tests that need a browser, or a skip that says why.

Debian's Chromium (``/usr/bin/chromium``, or the path in ``COURSE_CHROMIUM``);
Playwright's and kaleido's own browser downloads are not used. Without it a
test is skipped with a message that says so, unless ``COURSE_REQUIRE_BROWSER=1``
(set by ``.ci/run``), which makes a missing browser an error. tests/browser,
tests/hub and the figure-image test share this one rule.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))


def chromium_or_skip(what: str) -> Path:
    """CHROMIUM if it is there and runs; else skip (or fail) ``what`` ("the hub test is")."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    install = "Install it (Debian/Ubuntu: sudo apt-get install chromium) or set COURSE_CHROMIUM."
    if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"Chromium not found at {CHROMIUM}, and {what} requires it here "
            f"(COURSE_REQUIRE_BROWSER=1). {install}"
        )
    pytest.skip(f"Chromium not found at {CHROMIUM}: {what} SKIPPED. {install}")
