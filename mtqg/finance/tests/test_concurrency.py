"""Two officers paying on the same allocation at the same moment: one payment wins, the other is refused, none is
lost. On PostgreSQL this runs in two real threads (own connections, committed rows, cleaned up afterwards); SQLite
serialises writers on the database lock, so there the same two calls run one after the other."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import TestCase

from mtqg.core.models import ChangeRecord
from mtqg.finance.models import (
    Allocation,
    Disbursement,
    DisbursementDeadline,
    InvestorLevel,
    Program,
    Source,
    Work,
)
from mtqg.finance.services import disbursement_record
from mtqg.geo.models import UnitVersion

YEAR = 2099  # no clash with the loader's deadline rows (2021-2035) held by the test transaction


def _in_thread(fn: Any) -> Any:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except Exception as exc:
            box["error"] = exc
        finally:
            connections.close_all()

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _setup() -> Allocation:
    commune = UnitVersion.objects.filter(structure="pre2025", level=3).order_by("pk").first()
    assert commune is not None
    program = Program.objects.create(code="TEST-CONC", name="Concurrency", kind=Program.Kind.PROGRAM)
    DisbursementDeadline.objects.create(
        plan_year=YEAR,
        applies_to="current",
        kind="statutory",
        deadline=date(YEAR + 1, 1, 31),
        legal_basis="test",
    )
    work = Work.objects.create(
        code="TEST-CONC-1",
        name="c",
        kind=Work.Kind.INFRASTRUCTURE,
        program=program,
        commune=commune,
        investor_level=InvestorLevel.COMMUNE,
        year=YEAR,
        total_investment=Decimal(100),
    )
    return Allocation.objects.create(
        unit=commune,
        work=work,
        program=program,
        year=YEAR,
        source=Source.CENTRAL_INVESTMENT,
        investor_level=InvestorLevel.COMMUNE,
        amount=Decimal(100),
    )


def _cleanup() -> None:
    ids = [str(pk) for pk in Disbursement.objects.filter(allocation__year=YEAR).values_list("pk", flat=True)]
    ChangeRecord.objects.filter(object_id__in=ids, content_type__model="disbursement").delete()
    Disbursement.objects.filter(allocation__year=YEAR).delete()
    Allocation.objects.filter(year=YEAR).delete()
    Work.objects.filter(code="TEST-CONC-1").delete()
    DisbursementDeadline.objects.filter(plan_year=YEAR).delete()
    Program.objects.filter(code="TEST-CONC").delete()


class ConcurrentPaymentTests(TestCase):
    def test_two_concurrent_payments_never_overdraw_or_vanish(self) -> None:
        if not connection.features.has_select_for_update:
            alloc = _setup()
            disbursement_record(actor=None, allocation=alloc, paid_on=date(YEAR, 3, 1), amount=60)
            with self.assertRaises(ValidationError):
                disbursement_record(actor=None, allocation=alloc, paid_on=date(YEAR, 3, 1), amount=60)
            self.assertEqual(Disbursement.objects.filter(allocation=alloc).count(), 1)
            return
        alloc = _in_thread(_setup)
        try:
            barrier = threading.Barrier(2)
            outcomes: list[str] = []

            def pay(ref: str) -> None:
                try:
                    barrier.wait()
                    disbursement_record(
                        actor=None, allocation=alloc, paid_on=date(YEAR, 3, 1), amount=60, reference=ref
                    )
                    outcomes.append("ok")
                except ValidationError:
                    outcomes.append("refused")
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=pay, args=(f"T{i}",)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(sorted(outcomes), ["ok", "refused"])
            rows = _in_thread(
                lambda: list(
                    Disbursement.objects.filter(allocation_id=alloc.pk).values_list("amount", flat=True)
                )
            )
            self.assertEqual(rows, [Decimal(60)])
        finally:
            _in_thread(_cleanup)
