from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from jijie.accounts.models import User


def actor(request: HttpRequest) -> User:
    """The signed-in user of a request (views behind login_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
