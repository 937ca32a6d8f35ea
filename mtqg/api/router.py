"""Every API viewset, registered by hand."""

from rest_framework.routers import DefaultRouter

from mtqg.geo.api import UnitViewSet

router = DefaultRouter()
router.register("geo/units", UnitViewSet, basename="unit")
