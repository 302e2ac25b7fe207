from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from jijie.areas.models import Area, Compound


@admin.register(Area)
class AreaAdmin(TreeAdmin):  # type: ignore[misc]
    form = movenodeform_factory(Area)
    list_display = ["name", "kind", "code", "dwelling_count"]
    search_fields = ["name", "code"]
    raw_id_fields = ["compound"]


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin[Compound]):
    list_display = ["name", "code", "community"]
    search_fields = ["name", "code"]
    raw_id_fields = ["community"]
