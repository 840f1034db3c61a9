from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import metrics, security, views

urlpatterns = [
    path("", include("drafts.urls")),
    path("", include("interop.urls")),
    path("", include("comments.urls")),
    path("", include("desk.urls")),
    path("", include("packets.urls")),
    path("", include("public.urls")),
    path("accounts/", include("stakeholders.urls")),
    # allauth's flows (sign-up, confirming an address, password reset and change,
    # email change) under the same prefix; the portal's own sign-in and sign-out
    # above take precedence over allauth's of the same path.
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("audit/", include("audit.urls")),
    path("", include("search.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", security.api_docs, name="api-docs"),
    path("health/", views.liveness, name="health"),
    path("ready/", views.readiness, name="ready"),
    # The older name, kept for existing load balancers: it always checked the
    # database, so it stays a readiness probe.
    path("healthz", views.readiness, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("ping", views.trivial, name="ping"),
]

handler403 = "portal.views.permission_denied"
# allauth's throttling answers with this page (429).
handler429 = "stakeholders.views.too_many_requests"
