"""Grant a role as the system (audited): how the administrator appoints auditors and the
first command of a new city. A role that reveals or exports has its holder enrol a second
factor at their next sign-in."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jijie.accounts.mfa import mfa_enrolment_require
from jijie.accounts.models import User
from jijie.accounts.services import do_role_assign
from jijie.areas.models import Area
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM


class Command(BaseCommand):
    help = "Grant USERNAME the ROLE over the area with CODE (recorded in the audit log)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("code", help="area code, e.g. 441602")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        area = Area.objects.filter(code=options["code"]).first()
        if area is None:
            raise CommandError(f"no area with code {options['code']!r}")
        try:
            do_role_assign(actor=SYSTEM, user=user, role=options["role"], area=area)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        mfa_enrolment_require(user=user)
        self.stdout.write(f"{user.username}: {options['role']} over {area.name} ({area.code})")
