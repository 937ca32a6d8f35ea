from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularSwaggerView

from mtqg.dashboards.api import Dashboard, Measures
from mtqg.poverty.api import classify_view
from mtqg.reports.api import report_redirect, report_view

from .router import router
from .schema import CachedSchemaView

# Report paths from before /api/v1/reports/<slug>/, kept one release as 301 redirects (deprecated, docs/api.md).
DEPRECATED_REPORT_PATHS = {
    "finance/disbursement/": "disbursement",
    "finance/outputs/": "outputs",
    "finance/alerts/": "finance-alerts",
    "ntm/summary/": "ntm-summary",
    "ntm/digital-gaps/": "ntm-digital-gaps",
    "ntm/white-communes/": "ntm-white-communes",
    "ocop/summary/": "ocop-summary",
    "planning/scenario/": "planning-scenario",
    "poverty/summary/": "poverty-summary",
    "poverty/by-province/": "poverty-by-province",
    "supervision/recurring-themes/": "supervision-recurring-themes",
    "supervision/briefing/": "briefing",
    "workflow/completeness/": "workflow-completeness",
    "workflow/validation/": "workflow-validation",
}

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/reports/<str:slug>/", report_view, name="api-report"),
    path("api/v1/dashboards/dashboard/", Dashboard.as_view(), name="dashboards-dashboard"),
    path("api/v1/dashboards/measures/", Measures.as_view(), name="dashboards-measures"),
    path("api/v1/poverty/classify/", classify_view, name="poverty-classify"),
    path("api/v1/survey/", include("mtqg.survey.api_urls")),
    *(
        path(f"api/v1/{old}", report_redirect, {"slug": slug})
        for old, slug in DEPRECATED_REPORT_PATHS.items()
    ),
    path("api/v1/", include(router.urls)),
    path("api/schema/", CachedSchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    re_path(
        r"^api/(?:.*/)?$", lambda request, *a, **k: api_not_found(request)
    ),  # slash-less: APPEND_SLASH first
]


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/ (e.g. an id that is not a number): 404 in the API's error format, not HTML."""
    message = _("Không tìm thấy.")
    return JsonResponse({"error": {"code": "not_found", "message": message, "fields": {}}}, status=404)
