"""Every API viewset, registered by hand."""

from rest_framework.routers import DefaultRouter

from mtqg.dashboards.api import SummaryFactViewSet
from mtqg.finance.api import WorkViewSet
from mtqg.geo.api import UnitViewSet
from mtqg.ocop.api import ProductViewSet
from mtqg.supervision.api import MissionViewSet, RecommendationViewSet
from mtqg.workflow.api import ReportViewSet as WorkflowReportViewSet

router = DefaultRouter()
router.register("geo/units", UnitViewSet, basename="unit")
router.register("finance/works", WorkViewSet, basename="finance-work")
router.register("ocop/products", ProductViewSet, basename="ocop-product")
router.register("supervision/missions", MissionViewSet, basename="supervision-mission")
router.register("supervision/recommendations", RecommendationViewSet, basename="supervision-recommendation")
router.register("dashboards/facts", SummaryFactViewSet, basename="dashboards-fact")
router.register("workflow/reports", WorkflowReportViewSet, basename="workflow-report")
