"""The REST API under /api/v1/; each app contributes its routes."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
