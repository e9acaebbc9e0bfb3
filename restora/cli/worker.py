"""``restora worker``: run web jobs on this machine, sharing the web site's database and data root.

With ``executor = "celery"`` it is a Celery worker on ``broker_url`` plus a reaper thread; otherwise it runs
the same worker threads (and reaper) the web process embeds, claiming jobs straight from the database. It does not migrate the database:
`restora serve` (or `restora user`) prepares it at start-up.
"""

from __future__ import annotations

import os
import signal
import time

import click


@click.command()
@click.option(
    "--concurrency", type=click.IntRange(1, 64), default=None, help="Jobs at once (default: thread_workers)."
)
@click.option(
    "--lease-seconds",
    type=click.FloatRange(0.5, 3600),
    default=None,
    help="How long a silent worker keeps a job before another may take it over "
    "(default: the job_lease_seconds setting, 60).",
)
def worker(concurrency: int | None, lease_seconds: float | None) -> None:
    """Run queued web jobs (a Celery worker when RESTORA_EXECUTOR=celery)."""
    import logging

    from restora.config import ConfigError, load_settings
    from restora.db import open_database
    from restora.jobs.runner import RunnerConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if lease_seconds is not None:
        settings = settings.replace(job_lease_seconds=lease_seconds)
    concurrency = concurrency or settings.thread_workers
    if settings.torch_threads:
        import torch

        torch.set_num_threads(settings.torch_threads)
    if settings.executor == "celery":
        from restora.jobs.celery_app import CeleryExecutor, make_celery

        # The worker reaps by itself, as the site does, so recovery never waits for the site: a thread in
        # this (the Celery parent) process requeues jobs whose lease ran out (a killed pool process, or a
        # whole worker killed earlier) and announces them again, and at start announces every queued job
        # (a message lost between its delivery and the job's claim comes back at the next start).
        database = open_database(settings)
        # Pool processes forked later must not share this process's connections (they open their own).
        os.register_at_fork(after_in_child=lambda: database.engine.dispose(close=False))
        reaper = CeleryExecutor(database.sessions, RunnerConfig(settings)).start()
        app = make_celery(settings)
        try:
            app.worker_main(
                ["worker", "--loglevel=INFO", "--pool=prefork", f"--concurrency={concurrency}", "-n",
                 f"restora-{os.getpid()}@%h"]
            )
        finally:
            reaper.stop(timeout=2.0)
        return

    from restora.jobs.executors import ThreadExecutor

    sessions = open_database(settings).sessions
    config = RunnerConfig(settings)
    executor = ThreadExecutor(sessions, config, workers=concurrency).start()
    # A plain flag, not threading.Event: Event.set() in a signal handler can deadlock on the Event's own
    # lock when the signal lands while the main thread is inside Event.wait().
    stop_requested: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: stop_requested.append(number))
    click.echo(f"restora worker: {concurrency} thread(s) on {settings.data_dir}; Ctrl+C stops", err=True)
    while not stop_requested:
        time.sleep(0.2)
    # A job cut short here is still 'running'; the reaper of any live worker requeues it when its lease ends.
    executor.stop(timeout=5.0)
