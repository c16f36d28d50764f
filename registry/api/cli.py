"""``flask --app registry apikeys create|list|revoke``: keys for operations and scripts."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from registry.accounts.apikeys import DEFAULT_RATE, ApiKey, ApiScope, issue_key, last_requests, revoke_key
from registry.accounts.models import User
from registry.api.admin_views import SHOWS, shown_keys
from registry.core import clock
from registry.core.changes import ChangeEvent
from registry.core.errors import ValidationFailed
from registry.core.permissions import Role
from registry.extensions import db
from registry.subjects.models import Subject
from registry.watch import operations

apikeys_cli = AppGroup("apikeys", help="Issue, list and revoke API keys.")


@apikeys_cli.command("create")
@click.option("--name", required=True, help="The system that will use the key.")
@click.option("--scope", "scopes", multiple=True, default=[ApiScope.CREDIT_READ.value], show_default=True,
              help="credit:read, changes:read or report:read; repeat for several.")
@click.option("--rate", default=DEFAULT_RATE, show_default=True, help='Rate limit, e.g. "600/minute".')
@click.option("--last-day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The last day the key works (default and latest: the api_key_lifetime_days setting's).")
def create_command(name, scopes, rate, last_day):
    """Issue a key and print it (it is not stored and cannot be shown again)."""
    try:
        key, raw_key = issue_key(name=name, scopes=scopes, rate_limit=rate,
                                 expires_on=last_day.date() if last_day else None)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        raise click.UsageError(str(error.message)) from None
    click.echo(f"issued key {key.id} for {key.name} ({key.scopes}; {key.rate_limit}; last day {key.last_day}):",
               err=True)
    click.echo(raw_key)


@apikeys_cli.command("list")
@click.option("--only", type=click.Choice(sorted(SHOWS)), default=None,
              help="Only the keys expiring within the warning setting's days, or those without a recent request.")
def list_command(only):
    """List the keys (never the keys themselves): state, last day, last request."""
    keys = db.session.scalars(shown_keys(only).order_by(None).order_by(ApiKey.id)).all()
    last = last_requests([key.id for key in keys])
    for key in keys:
        used = clock.local(last[key.id]).strftime("%Y-%m-%d %H:%M") if key.id in last else "never used"
        click.echo(f"{key.id}\thcr_{key.prefix}…\t{key.state}\tlast day {key.last_day}\tlast request {used}"
                   f"\t{key.scopes}\t{key.rate_limit}\t{key.name}")


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


@apikeys_cli.command("sandbox")
@click.option("--endpoint", default=None, help="Where notifications go (on this machine: allow loopback in "
              "OUTBOUND_ALLOWED_NETWORKS first).")
@click.option("--watch", "watch_count", default=5, show_default=True,
              help="How many subjects with public records the key watches from the start.")
def sandbox_command(endpoint, watch_count):
    """A test key with every scope for a local run with demo data (docs/INTEGRATION.md, "Sandbox"):
    it watches a few subjects that have public records, and notifies ENDPOINT when given."""
    try:
        key, raw_key = issue_key(name="sandbox", scopes=[scope.value for scope in ApiScope])
        watched = db.session.scalars(sa.select(Subject.identifier).where(
            Subject.id.in_(sa.select(ChangeEvent.subject_id))).order_by(Subject.id).limit(watch_count)).all()
        operations.add_identifiers(key, list(watched))
        secret = None
        if endpoint:
            admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN).order_by(User.id))
            if admin is None:
                raise click.UsageError("There is no administrator to set the endpoint: run `flask demo` first.")
            _endpoint, secret = operations.set_endpoint(key, endpoint, actor=admin)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        raise click.UsageError(str(error.message)) from None
    click.echo(f"sandbox key {key.id}, every scope, watching {len(watched)} subjects"
               + (f", notifying {endpoint} (signing secret {secret})" if endpoint else ""), err=True)
    click.echo(raw_key)


COMMANDS = [apikeys_cli]
