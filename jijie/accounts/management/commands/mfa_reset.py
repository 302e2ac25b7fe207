"""Reset a user's second factor as the system (audited): for users whom nobody above
manages, such as a city's command."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jijie.accounts.mfa import do_mfa_reset
from jijie.accounts.models import User
from jijie.audit.actors import SYSTEM


class Command(BaseCommand):
    help = "Remove USERNAME's authenticator so that they enrol again (recorded with the reason)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, e.g. the phone was lost")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        try:
            do_mfa_reset(actor=SYSTEM, user=user, reason=options["reason"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"{user.username}: second factor removed; they enrol again")
