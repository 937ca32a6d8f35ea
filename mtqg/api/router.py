"""Every API viewset, registered by hand."""

from rest_framework.routers import DefaultRouter

from mtqg.dashboards.api import SummaryFactViewSet
from mtqg.finance.api import (
    AllocationViewSet,
    CapitalPlanViewSet,
    DisbursementViewSet,
    FinanceIndicatorValueViewSet,
    IndicatorTargetViewSet,
    IndicatorViewSet,
    ProgramViewSet,
    WorkProgressViewSet,
    WorkViewSet,
)
from mtqg.geo.api import UnitViewSet
from mtqg.ntm.api import (
    AssessmentViewSet,
    CriteriaSetViewSet,
    CriterionViewSet,
    DigitalInfrastructureViewSet,
    IndicatorValueViewSet,
    RecognitionViewSet,
    SchemeViewSet,
)
from mtqg.ocop.api import ProductViewSet, RatingViewSet, SalesChannelViewSet, SubjectViewSet
from mtqg.poverty.api import (
    HouseholdViewSet,
    ImportBatchViewSet,
    PovertyStandardViewSet,
    ReviewViewSet,
)
from mtqg.supervision.api import (
    AgreementViewSet,
    FindingViewSet,
    FollowUpViewSet,
    MissionViewSet,
    RecommendationViewSet,
    SnapshotViewSet,
)
from mtqg.workflow.api import ReportViewSet as WorkflowReportViewSet

router = DefaultRouter()
router.register("geo/units", UnitViewSet, basename="unit")
router.register("finance/works", WorkViewSet, basename="finance-work")
router.register("ocop/products", ProductViewSet, basename="ocop-product")
router.register("supervision/missions", MissionViewSet, basename="supervision-mission")
router.register("supervision/recommendations", RecommendationViewSet, basename="supervision-recommendation")
router.register("dashboards/facts", SummaryFactViewSet, basename="dashboards-fact")
router.register("workflow/reports", WorkflowReportViewSet, basename="workflow-report")
router.register("ntm/criteria-sets", CriteriaSetViewSet, basename="ntm-criteria-set")
router.register("ntm/criteria", CriterionViewSet, basename="ntm-criterion")
router.register("ntm/assessments", AssessmentViewSet, basename="ntm-assessment")
router.register("ntm/indicator-values", IndicatorValueViewSet, basename="ntm-indicator-value")
router.register("ntm/recognitions", RecognitionViewSet, basename="ntm-recognition")
router.register("ntm/schemes", SchemeViewSet, basename="ntm-scheme")
router.register("ntm/digital-infrastructure", DigitalInfrastructureViewSet, basename="ntm-digital")
router.register("finance/programs", ProgramViewSet, basename="finance-program")
router.register("finance/indicators", IndicatorViewSet, basename="finance-indicator")
router.register("finance/capital-plans", CapitalPlanViewSet, basename="finance-capital-plan")
router.register("finance/allocations", AllocationViewSet, basename="finance-allocation")
router.register("finance/disbursements", DisbursementViewSet, basename="finance-disbursement")
router.register("finance/work-progress", WorkProgressViewSet, basename="finance-work-progress")
router.register("finance/indicator-targets", IndicatorTargetViewSet, basename="finance-indicator-target")
router.register("finance/indicator-values", FinanceIndicatorValueViewSet, basename="finance-indicator-value")
router.register("ocop/subjects", SubjectViewSet, basename="ocop-subject")
router.register("ocop/ratings", RatingViewSet, basename="ocop-rating")
router.register("ocop/sales-channels", SalesChannelViewSet, basename="ocop-sales-channel")
router.register("poverty/standards", PovertyStandardViewSet, basename="poverty-standard")
router.register("poverty/households", HouseholdViewSet, basename="poverty-household")
router.register("poverty/reviews", ReviewViewSet, basename="poverty-review")
router.register("poverty/import-batches", ImportBatchViewSet, basename="poverty-import-batch")
router.register("supervision/findings", FindingViewSet, basename="supervision-finding")
router.register("supervision/follow-ups", FollowUpViewSet, basename="supervision-follow-up")
router.register("supervision/agreements", AgreementViewSet, basename="supervision-agreement")
router.register("supervision/snapshots", SnapshotViewSet, basename="supervision-snapshot")
