"""``restora serve``: the web site under gunicorn, on embedded defaults (SQLite and files in ./instance,
mail to instance/outbox, jobs on a thread pool), printing the address to open."""

from __future__ import annotations

import click

# One process keeps the embedded defaults correct: the in-memory rate limits and the thread-pool job
# executor live in it. Threads serve requests concurrently; models run in the executor, not in requests.
DEFAULT_THREADS = 4
REQUEST_TIMEOUT_S = 60


def address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def run_gunicorn(settings, host: str, port: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from restora.web import create_app

    class RestoraServer(BaseApplication):
        def load_config(self) -> None:
            options = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": 1,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": REQUEST_TIMEOUT_S,
                "accesslog": "-",
                "control_socket_disable": True,  # not used, and two servers on one machine would share it
                "when_ready": lambda _server: click.echo(f"Restora is running at {address(host, port)}"),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(settings)

    RestoraServer().run()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1, 64),
              help="Requests served at once.")
def serve(host: str, port: int, threads: int) -> None:
    """Run the web site (a production WSGI server, gunicorn)."""
    from sqlalchemy.engine import make_url

    from restora.config import ConfigError, load_settings
    from restora.migrations import migrate

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shown = make_url(settings.resolved_database_url()).render_as_string(hide_password=True)
    # Migrate here, once, before the server process starts: a database problem is one clear line instead of
    # a worker that fails to boot, and the site's create_app only checks the schema.
    try:
        migrate(settings)
    except Exception as exc:  # noqa: BLE001 - any database failure ends start-up with its message
        raise click.ClickException(f"cannot prepare the database {shown}: {exc}") from None
    click.echo(f"Restora: data in {settings.data_dir.resolve()}, database {shown}")
    if not settings.mail_host:
        click.echo(f"No mail server set (RESTORA_MAIL_HOST): emails go to {(settings.data_dir / 'outbox').resolve()}")
    click.echo(f"Restora will be at {address(host, port)}")
    run_gunicorn(settings, host, port, threads)
