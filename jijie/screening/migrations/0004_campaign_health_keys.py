"""Every campaign remembers the keys of its health questions, so that unticking one
(or dropping it and adding it back) never sends its answers to those who may not see
health data, nor keeps them from the purge."""

from django.db import migrations, models


def remember_health_keys(apps, schema_editor):
    Campaign = apps.get_model("screening", "Campaign")
    for campaign in Campaign.objects.only("pk", "questions").iterator():
        campaign.health_keys = sorted(q["key"] for q in campaign.questions if q.get("health"))
        campaign.save(update_fields=["health_keys"])


class Migration(migrations.Migration):
    dependencies = [("screening", "0003_campaign_health_purged_at")]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="health_keys",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(remember_health_keys, migrations.RunPython.noop),
    ]
