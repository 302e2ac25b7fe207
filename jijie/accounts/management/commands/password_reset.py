"""Set a user's password as the system (audited), for a forgotten one: the user replaces
it with one only they know at their next sign-in."""

from getpass import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jijie.accounts.models import User
from jijie.accounts.services import password_reset
from jijie.audit.actors import SYSTEM


class Command(BaseCommand):
    help = "Set USERNAME's password (asked for, twice); they change it at their next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, e.g. forgotten, identity checked")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        password = getpass("New password: ")
        if getpass("Again: ") != password:
            raise CommandError("the two passwords differ")
        try:
            password_reset(actor=SYSTEM, user=user, password=password, reason=options["reason"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{user.username}: password set; they change it at their next sign-in")
