"""``flask --app registry cases effectiveness --month YYYY-MM --out FILE.xlsx``."""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from registry.cases.effectiveness import effectiveness_list, effectiveness_xlsx
from registry.cases.quota import parse_month
from registry.core.errors import ValidationFailed


class MonthParam(click.ParamType):
    """A calendar month ``YYYY-MM``; anything else is a usage error (exit status 2)."""

    name = "month"

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM"

    def convert(self, value, param, ctx):
        if isinstance(value, tuple):
            return value
        try:
            return parse_month(value)
        except ValidationFailed as error:
            self.fail(str(error.message), param, ctx)


cases_cli = AppGroup("cases", help="Joint reward and punishment cases.")


@cases_cli.command("effectiveness")
@click.option("--month", "month", type=MonthParam(), required=True, help="The month, as YYYY-MM.")
@click.option(
    "--out", "out", type=click.Path(dir_okay=False, writable=True), required=True, help="The XLSX file to write."
)
@with_appcontext
def effectiveness_command(month, out):
    """Write the monthly effectiveness list (奖惩成效清单) of MONTH as an XLSX file."""
    year, number = month
    data = effectiveness_xlsx(year, number)
    with open(out, "wb") as handle:
        handle.write(data)
    cases = sum(len(group.cases) for group in effectiveness_list(year, number))
    click.echo(f"{year:04d}-{number:02d}: {cases} published cases written to {out}")


COMMANDS = [cases_cli]
