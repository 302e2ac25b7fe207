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


class NobodyActor:
    """No one signed in: a failed sign-in, a volunteer's sign-up on the public page.
    Recorded with no account and no label. There is one, `NOBODY`; it acts only where
    a page is open to the public, and no write checks access for it."""

    pk = None
    label = ""

    def get_username(self) -> str:
        return self.label

    def __repr__(self) -> str:
        return "NOBODY"


NOBODY: Final = NobodyActor()

Actor: TypeAlias = "User | SystemActor"
# Who may be named in the audit chain: an actor, or nobody signed in.
Audited: TypeAlias = "User | SystemActor | NobodyActor"


def account_of(actor: Audited) -> User | None:
    """The account to store as a record's author (`created_by`, `recorded_by`): the
    user's, or none for the system or nobody signed in."""
    return None if isinstance(actor, (SystemActor, NobodyActor)) else actor
