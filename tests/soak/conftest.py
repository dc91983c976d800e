"""The soak tests (crashes, database restarts, a full disk) run with `make soak`, not `make test`:
they start servers and kill them, mount file systems and restart PostgreSQL."""

from __future__ import annotations

import os

# Without COFINANCE_SOAK=1 (set by `make soak`), pytest does not even collect them.
collect_ignore_glob = [] if os.environ.get("COFINANCE_SOAK") == "1" else ["test_*.py"]
