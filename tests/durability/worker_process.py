"""A worker process for the durability tests: the real ThreadExecutor and queue, plus the test-only tools.

Run as ``python -m tests.durability.worker_process DB_URL DATA_DIR LEASE_SECONDS`` from the repository root.
It prints "ready" once it polls, logs to stderr, and stops on SIGTERM.
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from pathlib import Path

from restora.db import make_engine, make_session_factory
from restora.jobs.executors import ThreadExecutor
from tests.jobs.support import runner_config
from tests.jobs.tools_for_tests import register_test_tools


def main(db_url: str, data_dir: str, lease_seconds: str) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(process)d %(name)s: %(message)s")
    register_test_tools()
    sessions = make_session_factory(make_engine(db_url))
    lease = float(lease_seconds)
    config = runner_config(Path(data_dir), lease_seconds=lease, retry_base_seconds=0.1)
    # The reaper runs every third of a lease, as in production; polling is fast so tests stay short.
    executor = ThreadExecutor(sessions, config, workers=1, poll_seconds=0.2, reaper_seconds=lease / 3)
    # A plain flag, not threading.Event: Event.set() in a signal handler can deadlock on the Event's own
    # lock when the signal lands while the main thread is inside Event.wait().
    stop_requested: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stop_requested.append(signum))
    executor.start()
    print("ready", flush=True)
    while not stop_requested:
        time.sleep(0.1)
    executor.stop(timeout=5)


if __name__ == "__main__":
    main(*sys.argv[1:4])
