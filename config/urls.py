"""URL wiring only: each app owns its own urls.py and API router."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from config.api import api
from jijie.core import views as core
from jijie.funds.urls import public as public_donations

urlpatterns = [
    path("", include("jijie.accounts.urls")),
    path("areas/", include("jijie.areas.urls")),
    path("responses/", include("jijie.responses.urls")),
    path("residents/", include("jijie.residents.urls")),
    path("screening/", include("jijie.screening.urls")),
    path("mobilization/", include("jijie.mobilization.urls")),
    path("gates/", include("jijie.gates.urls")),
    path("duty/", include("jijie.duty.urls")),
    path("care/", include("jijie.care.urls")),
    path("supplies/", include("jijie.supplies.urls")),
    path("funds/", include("jijie.funds.urls")),
    path("problems/", include("jijie.problems.urls")),
    path("inspections/", include("jijie.inspections.urls")),
    path("testing/", include("jijie.testing.urls")),
    path("recognition/", include("jijie.recognition.urls")),
    path("reports/", include("jijie.reports.urls")),
    # Pages the public reads without signing in.
    path("public/donations/", include((public_donations, "public"))),
    path("api/", api.urls),
    path("sync/", core.sync, name="sync"),
    path("sw.js", core.service_worker, name="service_worker"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

handler400 = "jijie.core.views.bad_request"
handler403 = "jijie.core.views.permission_denied"
handler404 = "jijie.core.views.page_not_found"
handler500 = "jijie.core.views.server_error"
