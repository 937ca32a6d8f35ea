"""The scoped base viewset: every router viewset over a scoped model restricts its rows through it (fail-closed
by review: a new viewset that forgets the base fails here, before the guard test has data to catch a leak)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.test import RequestFactory, SimpleTestCase, TestCase

from mtqg.api.router import router
from mtqg.core.api.viewsets import ScopedViewSetMixin
from mtqg.finance.api import DisbursementViewSet
from mtqg.finance.models import Disbursement
from mtqg.finance.tests.factories import commune_of, ensure_programs, make_allocation, make_work
from mtqg.ocop.api import ProductViewSet
from mtqg.testing import make_world

# scoped by their own selector (which starts from visible_to), with the reason
SCOPED_ELSEWHERE = {ProductViewSet: "ocop.selectors.product_list(user, filters) starts from visible_to"}


class EveryScopedViewSetUsesTheBase(SimpleTestCase):
    def test_router_viewsets_over_scoped_models_derive_from_the_base(self) -> None:
        scoped = 0
        for prefix, viewset, _basename in router.registry:
            model = viewset.get_serializer_class(viewset(action="list")).Meta.model
            if viewset in SCOPED_ELSEWHERE or not getattr(model, "scope_path", None):
                continue
            self.assertTrue(
                issubclass(viewset, ScopedViewSetMixin), f"{prefix}: {viewset.__name__} is not scoped"
            )
            self.assertEqual(viewset.queryset.model, model, prefix)
            scoped += 1
        self.assertEqual(scoped, 27)


class BaseRestrictsBeforeRefining(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        ensure_programs()
        cls.world = make_world()
        cls.payments = {}
        for province in (cls.world.dien_bien_old, cls.world.cao_bang_old):
            allocation = make_allocation(make_work(commune_of(province)), 1_000_000)
            cls.payments[province.code] = Disbursement.objects.create(
                allocation=allocation, paid_on=date(2023, 5, 5), amount=Decimal(1_000)
            )

    def _queryset(self, user: object, action: str) -> QuerySet[Disbursement]:
        request = RequestFactory().get("/")
        request.user = user  # type: ignore[assignment]
        return DisbursementViewSet(request=request, action=action, format_kwarg=None).get_queryset()

    def test_rows_in_scope_with_the_declared_joins_and_order(self) -> None:
        qs = self._queryset(self.world.cao_bang_officer, "list")
        self.assertEqual(list(qs), [self.payments["04"]])
        self.assertEqual(qs.query.order_by, ("paid_on", "pk"))
        self.assertEqual(qs.query.select_related, {"allocation": {"unit": {}, "work": {}}})
        self.assertEqual(
            list(self._queryset(self.world.dien_bien_officer, "retrieve")), [self.payments["11"]]
        )
        self.assertEqual(len(self._queryset(self.world.central, "list")), 2)
