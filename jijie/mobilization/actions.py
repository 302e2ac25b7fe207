"""What may be done for the members deployed to a community, registered by the apps
above mobilization (supplies: issue protective kit to a member): the community's page
of deployed members asks once for the community, and each offer's link takes the
member as `member=<id>` added by the page, so a page of fifty members costs one ask,
not fifty. See `core.offers`."""

from __future__ import annotations

from jijie.areas.models import Area
from jijie.core.offers import Offers

DEPLOYED_MEMBERS: Offers[Area] = Offers()
offers_for_deployed_members = DEPLOYED_MEMBERS.register
actions_for_deployed_members = DEPLOYED_MEMBERS.for_user
