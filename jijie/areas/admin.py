from django.contrib import admin

from jijie.areas.models import Area, Compound
from jijie.audit.admin import ReadOnlyAdmin

# Areas are written through the area pages (services check codes and audit).


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "code", "dwelling_count", "depth"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]


@admin.register(Compound)
class CompoundAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "community"]
    search_fields = ["name", "code"]
