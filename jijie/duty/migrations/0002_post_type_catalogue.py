"""The catalogue of post types every installation starts with (the posts of the
吹哨报到 of 2020): who may hold each. Communities post demands against these."""

from django.db import migrations

from jijie.duty.catalogue import install


def create(apps, schema_editor):
    install(apps.get_model("duty", "PostType"))


class Migration(migrations.Migration):
    dependencies = [("duty", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
