"""The counters' households recounted once from the registry: before this, a building
registered after its campaign began stayed out of the totals until someone ran a
rebuild. From here on the counters follow each household registered
(`counters.households_added`)."""

from django.db import migrations
from django.db.models import Count


def recount(apps, schema_editor):
    campaign_area = apps.get_model("screening", "CampaignArea")
    coverage = apps.get_model("screening", "BuildingCoverage")
    household = apps.get_model("residents", "Household")
    for campaign_id, scope in campaign_area.objects.values_list("campaign_id", "area_path"):
        counted = (
            household.objects.filter(area_path__startswith=scope)
            .values("building_id", "area_path")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in counted:
            updated = coverage.objects.filter(
                campaign_id=campaign_id, building_id=row["building_id"]
            ).update(households=row["n"])
            if not updated:
                coverage.objects.create(
                    campaign_id=campaign_id,
                    building_id=row["building_id"],
                    area_path=row["area_path"],
                    households=row["n"],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0004_campaign_health_keys"),
        ("residents", "0014_bytewise_keys"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
