"""Follow-ups are dated by their local day even when they fill no slot (made outside
the period), so that a day's list finds every follow-up made that day."""

from django.db import migrations
from django.utils import timezone


def date_follow_ups(apps, schema_editor):
    FollowUp = apps.get_model("care", "FollowUp")
    undated = FollowUp.objects.filter(slot_on__isnull=True).only("pk", "recorded_at")
    for follow_up in undated.iterator(chunk_size=2000):
        follow_up.slot_on = timezone.localtime(follow_up.recorded_at).date()
        follow_up.save(update_fields=["slot_on"])


class Migration(migrations.Migration):
    dependencies = [("care", "0002_visit_client_ref")]

    operations = [migrations.RunPython(date_follow_ups, migrations.RunPython.noop)]
