"""A server process reads its reference data before its first request and freezes it."""

from __future__ import annotations

import gc
import subprocess
import sys


def test_a_started_process_holds_the_reference_data_out_of_the_collectors_way() -> None:
    # In a process of its own: freezing is once per process, and this one's may have run.
    script = (
        "import gc\n"
        "from engine.startup import warm_up\n"
        "from engine.rulebook.communes import current_communes\n"
        "before = gc.get_freeze_count()\n"
        "warm_up(); warm_up()\n"
        "print(before, gc.get_freeze_count(), len(current_communes()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    before, frozen, communes = (int(x) for x in out)
    assert before == 0
    assert frozen > 50_000  # the rule registry and the reference lists among them
    assert communes > 34_000
    assert gc.isenabled()
