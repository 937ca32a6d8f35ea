"""The whole URL map on one screen."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from mtqg.accounts.views import AdminLoginView

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "admin/login/", AdminLoginView.as_view(), name="admin_login"
    ),  # one login path, with the lockout (0906)
    path("admin/", admin.site.urls),
    path("accounts/", include("mtqg.accounts.urls")),
    path("units/", include("mtqg.geo.urls")),
    path("ntm/", include("mtqg.ntm.urls")),
    path("poverty/", include("mtqg.poverty.urls")),
    path("ra-soat/", include("mtqg.survey.urls")),
    path("finance/", include("mtqg.finance.urls")),
    path("ocop/", include("mtqg.ocop.urls")),
    path("workflow/", include("mtqg.workflow.urls")),
    path("supervision/", include("mtqg.supervision.urls")),
    path("notifications/", include("mtqg.notifications.urls")),
    path("dashboards/", include("mtqg.dashboards.urls")),
    path("cong-khai/", include("mtqg.portal.urls")),
    path("planning/", include("mtqg.planning.urls")),
    path("", include("mtqg.api.urls")),
    path("", include("mtqg.core.urls")),
    path("", include("mtqg.frontpage.urls")),
]
# the site's error pages (mtqg/core/errors.py); in development ErrorPagesMiddleware shows them too
handler400 = "mtqg.core.errors.bad_request"
handler403 = "mtqg.core.errors.permission_denied"
handler404 = "mtqg.core.errors.page_not_found"
handler500 = "mtqg.core.errors.server_error"
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
