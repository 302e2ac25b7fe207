from django.contrib import admin
from django.http import HttpRequest

from jijie.areas.models import Area, Compound


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Areas are written through the area pages (services check codes and audit)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
