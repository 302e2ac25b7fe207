"""Who acts: a signed-in user, or the system itself.

The system (a scheduled command, a migration, the demo loader, an operator's
management command that acts for no account) is an actor of its own, `SYSTEM`, named in
the audit chain as such. It is never spelled `None`: a `None` that meant "the system,
skip every check" let any caller that forgot its user skip the checks too.

Services come in two steps (docs/architecture.md): the checked entry (`area_create`)
takes a user, resolves what they may touch and raises 404/403, then calls the write
(`do_area_create`), which checks nothing and takes whoever acts, user or `SYSTEM`, for
the audit row alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeAlias

if TYPE_CHECKING:
    from jijie.accounts.models import User


class SystemActor:
    """The system acting for no account. There is one, `SYSTEM`."""

    pk = None
    label = "system"

    def get_username(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM: Final = SystemActor()

Actor: TypeAlias = "User | SystemActor"


def account_of(actor: Actor) -> User | None:
    """The account to store as a record's author (`created_by`, `recorded_by`): the
    user's, or none for the system."""
    return None if isinstance(actor, SystemActor) else actor
