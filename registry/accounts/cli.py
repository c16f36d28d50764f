import click
from flask.cli import AppGroup

from registry.accounts import operations
from registry.core.errors import ValidationFailed
from registry.extensions import db

users_cli = AppGroup("users", help="Manage officer accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--unit", "unit_code", required=True, help="Unit code or name, e.g. FGC or 法规处.")
@click.option("--role", required=True, help="clerk, reviewer, admin or auditor.")
@click.option("--name", default=None, help="Display name (defaults to the email's local part).")
@click.password_option(envvar="REGISTRY_NEW_USER_PASSWORD")
def create_user_command(email, unit_code, role, name, password):
    """Create an officer account."""
    try:
        user = operations.create_user(
            email=email, name=name or email.split("@")[0], unit=operations.find_unit(unit_code),
            role=role, password=password,
        )
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        raise click.UsageError(str(error.message)) from None
    click.echo(f"created {user.email} ({user.role.value}, {user.unit.name})")
COMMANDS = [users_cli]
