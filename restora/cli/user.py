"""``restora user create|list|disable|enable``: manage web accounts from the command line.

It uses :mod:`restora.accounts` and never loads the web site (no Flask). It migrates the database first:
an administrator may create the first account before the site has ever started.
"""

from __future__ import annotations

import sys

import click


def _open_database():
    """A session on the configured database, migrated to the current schema."""
    from sqlalchemy.orm import Session

    from restora.config import ConfigError, load_settings
    from restora.db import open_database
    from restora.migrations import migrate

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    migrate(settings)

    class ClosingSession(Session):
        """Closing it also closes its engine's pool: a command's connection never outlives the command (a
        pooled psycopg connection left to the garbage collector is a ResourceWarning, and a server slot)."""

        def close(self) -> None:
            super().close()
            self.bind.dispose()

    return settings, ClosingSession(bind=open_database(settings).engine, expire_on_commit=False)


@click.group("user")
def user() -> None:
    """Create, list, disable or enable web site accounts."""


@user.command("create")
@click.argument("username")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def create(username: str, email: str, password_stdin: bool) -> None:
    """Create a verified account USERNAME (no email code needed)."""
    from restora.accounts.users import AccountError, create_account

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings, session = _open_database()
    with session:
        try:
            account = create_account(session, username, email, password, settings.password_policy)
            session.commit()
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"created {account.username} <{account.email}>")


@user.command("list")
def list_users() -> None:
    """List every account."""
    from restora.accounts.users import list_accounts

    _settings, session = _open_database()
    with session:
        accounts = list_accounts(session)
        click.echo(f"{'id':>5}  {'username':<32}  {'email':<40}  {'state':<10}  created (UTC)")
        for account in accounts:
            state = "active" if account.active else "disabled"
            if not account.email_verified:
                state += "*"
            click.echo(f"{account.id:>5}  {account.username:<32}  {account.email:<40}  {state:<10}  "
                       f"{account.created_at:%Y-%m-%d %H:%M}")
        if any(not a.email_verified for a in accounts):
            click.echo("* email not verified yet")


def _set_active(username: str, active: bool) -> None:
    from restora.accounts.users import AccountError, set_active

    _settings, session = _open_database()
    with session:
        try:
            account = set_active(session, username, active)
            session.commit()
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{'enabled' if active else 'disabled'} {account.username}")


@user.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable USERNAME: it can no longer log in, and its open sessions end now."""
    _set_active(username, False)


@user.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Enable USERNAME again."""
    _set_active(username, True)
