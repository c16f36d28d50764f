"""``flask --app registry apikeys create|list|revoke``: keys for operations and scripts."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from registry.accounts.apikeys import DEFAULT_RATE, ApiKey, ApiScope, issue_key, revoke_key
from registry.core.errors import ValidationFailed
from registry.extensions import db

apikeys_cli = AppGroup("apikeys", help="Issue, list and revoke API keys.")


@apikeys_cli.command("create")
@click.option("--name", required=True, help="The system that will use the key.")
@click.option("--scope", "scopes", multiple=True, default=[ApiScope.CREDIT_READ.value], show_default=True,
              help="credit:read, changes:read or report:read; repeat for several.")
@click.option("--rate", default=DEFAULT_RATE, show_default=True, help='Rate limit, e.g. "600/minute".')
def create_command(name, scopes, rate):
    """Issue a key and print it (it is not stored and cannot be shown again)."""
    try:
        key, raw_key = issue_key(name=name, scopes=scopes, rate_limit=rate)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        raise click.UsageError(str(error.message)) from None
    click.echo(f"issued key {key.id} for {key.name} ({key.scopes}; {key.rate_limit}):", err=True)
    click.echo(raw_key)


@apikeys_cli.command("list")
def list_command():
    """List the keys (never the keys themselves)."""
    for key in db.session.scalars(sa.select(ApiKey).order_by(ApiKey.id)):
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"{key.id}\thcr_{key.prefix}…\t{state}\t{key.scopes}\t{key.rate_limit}\t{key.name}")


@apikeys_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_command(key_id):
    """Revoke a key by its number (see ``apikeys list``)."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.UsageError(f"There is no API key {key_id}.")
    revoke_key(key)
    db.session.commit()
    click.echo(f"revoked key {key.id} ({key.name})")


COMMANDS = [apikeys_cli]
