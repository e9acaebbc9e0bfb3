"""The web app's job executor: built from the app's Settings, started once per serving process.

Any first request starts it (:func:`init_app`): after a restart, jobs left queued run without waiting for
someone to open a tool page, and a forking server starts it in the worker it forked, not in the master.
The tool pages call :func:`executor_for` to hand it a newly queued job.
"""

from __future__ import annotations

import atexit
import threading

from flask import Flask, current_app

from restora.jobs.celery_app import CeleryExecutor
from restora.jobs.executors import ThreadExecutor
from restora.jobs.runner import RunnerConfig
from restora.web.database import session_factory
from restora.web.extensions import settings_of

EXECUTOR_KEY = "restora.executor"
_executor_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.before_request(_start_executor)


def _start_executor() -> None:
    executor_for(current_app._get_current_object())


def executor_for(app: Flask):
    """The app's executor, started once per process (thread pool, or a Celery sender)."""
    executor = app.extensions.get(EXECUTOR_KEY)
    if executor is not None:
        return executor
    with _executor_lock:
        executor = app.extensions.get(EXECUTOR_KEY)
        if executor is None:
            executor = _make_executor(app).start()
            app.extensions[EXECUTOR_KEY] = executor
            atexit.register(executor.stop, 2.0)
    return executor


def _make_executor(app: Flask):
    settings = settings_of(app)
    sessions = session_factory(app)
    config = RunnerConfig(settings)
    if settings.executor == "celery":
        return CeleryExecutor(sessions, config)
    return ThreadExecutor(sessions, config, workers=settings.thread_workers)


def stop_executor(app: Flask) -> None:
    """Stop the app's executor, if it was started (tests, and a clean shutdown)."""
    executor = app.extensions.pop(EXECUTOR_KEY, None)
    if executor is not None:
        atexit.unregister(executor.stop)
        executor.stop(timeout=5.0)
