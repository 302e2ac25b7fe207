"""Problems on home: the card of what waits at the user's level, the overdue named."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijie.areas import access
from jijie.problems import home
from jijie.problems.tests.fixtures import raise_problem

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOUR = timedelta(hours=1)


def _card(user, at):
    access.assignments(user)  # read before every page's view, not the card's
    with time_machine.travel(at, tick=False), CaptureQueriesContext(connection) as queries:
        cards = home.waiting(user)
    return cards, len(queries.captured_queries)


def test_the_waiting_and_the_overdue_are_counted_in_one_statement(tree, supplies, actors):
    raise_problem(tree.grid, urgency="urgent", now=AT)  # the street's, due in 2 h
    raise_problem(tree.grid, urgency="urgent", now=AT + 2 * HOUR)  # due at AT + 4 h

    cards, statements = _card(actors.street, AT + HOUR)
    assert [(c.key, c.count, str(c.note)) for c in cards] == [("problems-waiting", 2, "")]
    assert statements == 1

    cards, statements = _card(actors.street, AT + 3 * HOUR)
    assert [(c.count, str(c.note)) for c in cards] == [(2, "其中超期 1 件")]
    assert statements == 1


def test_nothing_waiting_is_no_card(tree, supplies, actors):
    raise_problem(tree.grid, urgency="urgent", now=AT)  # the street's, not the community's
    assert _card(actors.manager, AT + 3 * HOUR)[0] == []
