from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularSwaggerView

from .router import router
from .schema import CachedSchemaView

urlpatterns = [
    path("api/v1/ntm/", include("mtqg.ntm.api_urls")),
    path("api/v1/poverty/", include("mtqg.poverty.api_urls")),
    path("api/v1/survey/", include("mtqg.survey.api_urls")),
    path("api/v1/finance/", include("mtqg.finance.api_urls")),
    path("api/v1/ocop/", include("mtqg.ocop.api_urls")),
    path("api/v1/workflow/", include("mtqg.workflow.api_urls")),
    path("api/v1/supervision/", include("mtqg.supervision.api_urls")),
    path("api/v1/dashboards/", include("mtqg.dashboards.api_urls")),
    path("api/v1/planning/", include("mtqg.planning.api_urls")),
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
