from __future__ import annotations

import io
from datetime import date, timedelta
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from openpyxl import Workbook

from mtqg.accounts.models import Assignment
from mtqg.core.models import ChangeRecord, Job
from mtqg.dashboards.models import PendingRefresh
from mtqg.poverty.importing import (
    MEMBER_HEADERS,
    StagedLines,
    batch_accept_rest,
    batch_approve,
    batch_commit_request,
    batch_reject,
    batch_stage,
    errors_csv,
    parallel,
    services,
    staged_row_decide,
    template_headers,
    validate,
)
from mtqg.poverty.importing.reader import MEMBER_SHEET
from mtqg.poverty.importing.staging import chunk_rows, compress, households_text, reviews_text, unpack_rows
from mtqg.poverty.importing.validate import register_matches, scope_paths
from mtqg.poverty.models import (
    Decision,
    Household,
    ImportBatch,
    Member,
    Review,
    StagedChunk,
    StagedDecision,
    StagedMember,
)
from mtqg.poverty.standards import load_standards, standard_for
from mtqg.testing import World, make_user, make_world

from .factories import first_commune, make_household


def csv_bytes(rows: list[list[str]], year: int = 2023, bom: bool = True) -> bytes:
    headers = template_headers(standard_for(year))
    lines = [",".join(headers)] + [",".join(r) for r in rows]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def members_bytes(rows: list[list[str]]) -> bytes:
    lines = [",".join(MEMBER_HEADERS)] + [",".join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def row(code: str, commune: str, income: str = "1200000", deprived: int = 3) -> list[str]:
    return (
        [code, commune, "Lò Văn A", "Bản 1", "Thái", "nông thôn", income]
        + ["x"] * deprived
        + [""] * (12 - deprived)
    )


def member(
    code: str, name: str = "Lò Thị B", born: str = "01/02/1985", id_number: str = "011185123456"
) -> list[str]:
    return [code, name, born, "Nữ", "Vợ", id_number, "Thái", "Lớp 9", "x", "", "Làm nông"]


class ImportTests(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        load_standards()
        cls.commune = first_commune(cls.world.dien_bien_old).code
        cls.maker = cls.world.dien_bien_officer

        cls.checker = make_user("db_checker", Assignment.Role.PROVINCE, cls.world.dien_bien)

    def stage(self, data: bytes, name: str = "a.csv", year: int = 2023, **kw: object) -> ImportBatch:
        return batch_stage(actor=self.maker, unit=self.world.dien_bien, year=year, data=data, name=name, **kw)  # type: ignore[arg-type]

    def test_the_commit_leaves_the_dashboards_refresh_to_a_job(self) -> None:
        batch = self.stage(csv_bytes([row("J1", self.commune)]))
        with self.captureOnCommitCallbacks() as callbacks:
            self.assertEqual(batch_approve(actor=self.checker, batch=batch), 1)
        job = Job.objects.get(kind="dashboards.refresh")  # committed: the register is written, the job waits
        self.assertEqual((job.status, job.params), (Job.Status.QUEUED, {"path": batch.unit.path}))
        self.assertTrue(PendingRefresh.objects.filter(unit_path=batch.unit.path).exists())  # a durable mark
        for callback in callbacks:  # the dispatch (the tests' task backend runs the job at once)
            callback()
        job.refresh_from_db()
        self.assertEqual(job.status, Job.Status.SUCCEEDED)
        self.assertFalse(PendingRefresh.objects.exists())

    def test_dry_run_stage_approve_and_idempotent_reimport(self) -> None:
        data = csv_bytes([row("H1", self.commune), row("H2", self.commune, "2000000", 0)])
        batch = self.stage(data)
        self.assertEqual(batch.status, ImportBatch.Status.STAGED)
        self.assertEqual(len(StagedLines(StagedChunk.objects.all(), batch.pk)), 2)
        self.assertEqual(Review.objects.count(), 0)  # nothing written before approval
        with self.assertRaises(PermissionDenied):
            batch_approve(actor=self.maker, batch=batch)  # maker ≠ checker
        self.assertEqual(batch_approve(actor=self.checker, batch=batch), 2)
        self.assertEqual(Review.objects.get(household__code="H1").poverty_class, "poor")
        self.assertEqual(Review.objects.get(household__code="H2").poverty_class, "average")
        self.assertEqual(Review.objects.get(household__code="H1").transition, "new")
        self.assertFalse(StagedChunk.objects.filter(batch=batch).exists())  # staging is emptied
        again = self.stage(data)  # same file, same unit and year → the same batch, nothing new
        self.assertEqual(again.pk, batch.pk)
        self.assertEqual(ImportBatch.objects.count(), 1)
        with self.assertRaises(ValidationError):
            batch_approve(actor=self.checker, batch=again)
        # a different file with the same households for the same year adds no duplicate review
        other = self.stage(csv_bytes([row("H1", self.commune), row("H3", self.commune)]), name="b.csv")
        self.assertEqual(batch_approve(actor=self.checker, batch=other), 1)
        self.assertEqual((Household.objects.count(), Review.objects.count()), (3, 3))
        committed = ChangeRecord.objects.filter(action="committed", object_id=str(batch.pk)).get()
        self.assertEqual(committed.changes["reviews"], [0, 2])

    def test_per_record_decisions_and_commit_as_background_job(self) -> None:
        data = csv_bytes([row(f"J{i}", self.commune) for i in range(1, 6)])
        batch = self.stage(data)
        with self.assertRaises(PermissionDenied):
            staged_row_decide(actor=self.maker, batch=batch, lines=[2], decision=Decision.ACCEPTED)
        staged_row_decide(actor=self.checker, batch=batch, lines=[2, 3], decision=Decision.ACCEPTED)
        staged_row_decide(actor=self.checker, batch=batch, lines=[4], decision=Decision.REJECTED)
        with self.assertRaises(ValidationError):  # lines 5 and 6 are undecided
            batch_commit_request(actor=self.checker, batch=batch)
        staged_row_decide(actor=self.checker, batch=batch, lines=[5, 6], decision=Decision.ACCEPTED)
        with self.captureOnCommitCallbacks(execute=True):
            job = batch_commit_request(actor=self.checker, batch=batch)
        job.refresh_from_db()
        self.assertEqual((job.status, job.progress), ("succeeded", 100))
        self.assertEqual(job.result["reviews"], 4)
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.checked_by), (ImportBatch.Status.COMMITTED, self.checker))
        self.assertEqual(
            sorted(Household.objects.values_list("code", flat=True)), ["J1", "J2", "J4", "J5"]
        )  # J3 (line 4) rejected

    def test_bulk_accept_rest_keeps_rejections(self) -> None:
        batch = self.stage(csv_bytes([row("K1", self.commune), row("K2", self.commune)]))
        staged_row_decide(actor=self.checker, batch=batch, lines=[3], decision=Decision.REJECTED)
        batch_accept_rest(actor=self.checker, batch=batch)
        with self.captureOnCommitCallbacks(execute=True):
            batch_commit_request(actor=self.checker, batch=batch)
        self.assertEqual(list(Household.objects.values_list("code", flat=True)), ["K1"])

    def test_bad_input_gives_line_errors_and_writes_nothing(self) -> None:
        data = csv_bytes(
            [
                row("H1", self.commune, "-5"),
                row("H2", self.commune, "9999999999999"),
                row("H3", "99999"),
                row("H3", self.commune),
                row("=HYPERLINK(1)", self.commune),
                ["H6", self.commune, "Lò"],
                [*row("H7", self.commune)[:-1], "maybe"],
                row("H8", self.commune),
            ],
            bom=False,
        )
        batch = self.stage(data, name="b.csv")
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        self.assertEqual(sorted({e["line"] for e in batch.errors}), [2, 3, 4, 5, 6, 7, 8])
        self.assertEqual(Household.objects.count(), 0)
        self.assertFalse(StagedChunk.objects.exists())
        self.assertIn("Dòng có 3 cột", errors_csv(batch).decode("utf-8"))
        with self.assertRaises(ValidationError):
            batch_approve(actor=self.checker, batch=batch)

    def test_truncated_file_and_wrong_headers(self) -> None:
        data = csv_bytes([row("T1", self.commune)])
        cut = self.stage(data[: len(data) - 20] + b'"unterminated', name="cut.csv")
        self.assertEqual(cut.status, ImportBatch.Status.INVALID)
        self.assertEqual(cut.errors[0]["line"], 2)
        wrong = self.stage("Mã,Tên\r\nH1,A\r\n".encode(), name="c.csv")
        self.assertEqual((wrong.errors[0]["line"], wrong.status), (1, ImportBatch.Status.INVALID))
        self.assertIn("Tiêu đề cột không đúng mẫu", wrong.errors[0]["message"])
        latin = self.stage("Mã hộ\r\n".encode("utf-16"), name="d.csv")
        self.assertEqual(latin.status, ImportBatch.Status.INVALID)

    def test_members_csv_validated_masked_and_committed(self) -> None:
        future = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
        households = csv_bytes([row("M1", self.commune), row("M2", self.commune)])
        bad = members_bytes(
            [
                member("M1"),
                member("M1", born=future, id_number="011185123457"),
                member("M9", id_number="011185123458"),
                member("M2", id_number="12ab"),
                member("M2", id_number="011185123456"),  # duplicate ID in the file
            ]
        )
        batch = self.stage(households, members=bad, members_name="tv.csv")
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        errors = {(e["line"], e["field"]) for e in batch.errors}
        self.assertEqual(errors, {(3, "Ngày sinh"), (4, "Mã hộ"), (5, "Số định danh"), (6, "Số định danh")})
        self.assertNotIn("011185123456", errors_csv(batch).decode("utf-8"))  # IDs masked in messages
        good = members_bytes([member("M1"), member("M2", name="Vừ A Dính", id_number="")])
        batch = self.stage(households, members=good, members_name="tv.csv")
        self.assertEqual((batch.status, batch.member_count), (ImportBatch.Status.STAGED, 2))
        self.assertEqual(StagedMember.objects.filter(batch=batch).count(), 2)
        result = batch_approve(actor=self.checker, batch=batch)
        self.assertEqual(result, 2)
        m = Member.objects.get(household__code="M1")
        self.assertEqual(
            (m.birth_date, m.sex, m.id_number, m.health_insurance),
            (date(1985, 2, 1), "F", "011185123456", True),
        )
        self.assertEqual(Member.objects.get(household__code="M2").search_name, "vu a dinh")

    def test_xlsx_with_members_sheet_and_reject(self) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(template_headers(standard_for(2023)))
        ws.append(row("X1", self.commune))
        ms = wb.create_sheet(MEMBER_SHEET)
        ms.append(MEMBER_HEADERS)
        ms.append(["X1", "Lò Thị C", date(1990, 5, 6), "Nữ", "Vợ", "011190123456", "Thái", "", "", "", ""])
        buf = io.BytesIO()
        wb.save(buf)
        batch = self.stage(buf.getvalue(), name="d.xlsx")
        self.assertEqual(
            (batch.status, batch.row_count, batch.member_count), (ImportBatch.Status.STAGED, 1, 1)
        )
        self.assertEqual(StagedMember.objects.get(batch=batch).birth_date, date(1990, 5, 6))
        batch_reject(actor=self.checker, batch=batch, reason="Sai số liệu")
        self.assertEqual(ImportBatch.objects.get(pk=batch.pk).status, ImportBatch.Status.REJECTED)
        self.assertEqual((Review.objects.count(), StagedChunk.objects.count()), (0, 0))

    def test_xlsx_over_the_row_cap_is_refused_before_parsing(self) -> None:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(template_headers(standard_for(2023)))
        for i in range(6):
            ws.append(row(f"C{i}", self.commune))
        buf = io.BytesIO()
        wb.save(buf)
        with mock.patch.object(services, "XLSX_MAX_ROWS", 5):  # the cap is a setting; 200.000 in production
            batch = self.stage(buf.getvalue(), name="big.xlsx")
        self.assertEqual(batch.status, ImportBatch.Status.INVALID)
        self.assertIn("quá nhiều dòng", batch.errors[0]["message"])
        self.assertIn("CSV", batch.errors[0]["message"])
        self.assertEqual((StagedChunk.objects.count(), Review.objects.count()), (0, 0))

    def test_second_year_import_records_transitions(self) -> None:
        first = self.stage(
            csv_bytes(
                [
                    row("Y1", self.commune),
                    row("Y2", self.commune, "1000000", 0),
                    row("Y3", self.commune, "3000000", 0),
                ],
                year=2022,
            ),
            year=2022,
        )
        batch_approve(actor=self.checker, batch=first)
        second = self.stage(
            csv_bytes(
                [
                    row("Y1", self.commune, "3000000", 0),  # poor → average: escaped poverty
                    row("Y2", self.commune, "3000000", 0),  # near-poor → average
                    row("Y3", self.commune, "1000000", 4),  # average → poor: new
                ]
            )
        )
        batch_approve(actor=self.checker, batch=second)
        got = dict(Review.objects.filter(year=2023).values_list("household__code", "transition"))
        self.assertEqual(got, {"Y1": "escaped_poor", "Y2": "escaped_near_poor", "Y3": "new"})
        third = self.stage(csv_bytes([row("Y1", self.commune)], year=2024), year=2024)
        batch_approve(actor=self.checker, batch=third)
        self.assertEqual(Review.objects.get(year=2024).transition, "fell_back")  # poor again after escaping

    def test_failed_commit_job_returns_batch_to_checker(self) -> None:
        batch = self.stage(csv_bytes([row("F1", self.commune)]))
        staged_row_decide(actor=self.checker, batch=batch, lines=[2], decision=Decision.ACCEPTED)
        with self.captureOnCommitCallbacks(execute=True):
            job = batch_commit_request(actor=self.checker, batch=batch)
            StagedDecision.objects.filter(batch=batch).delete()  # undecided again before the job runs
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("Còn dòng chưa xét", job.error)
        batch.refresh_from_db()
        self.assertEqual(batch.status, ImportBatch.Status.STAGED)
        self.assertEqual(Review.objects.count(), 0)


class _MakerCheckerWorld(TestCase):
    """The standards, a world, a commune of Điện Biên and a provincial maker and checker (`prefix`_maker/_checker)."""

    world: World
    prefix = "mc"

    @classmethod
    def setUpTestData(cls) -> None:
        load_standards()
        cls.world = make_world()
        cls.commune = first_commune(cls.world.dien_bien).code
        cls.maker = make_user(f"{cls.prefix}_maker", Assignment.Role.PROVINCE, cls.world.dien_bien)
        cls.checker = make_user(f"{cls.prefix}_checker", Assignment.Role.PROVINCE, cls.world.dien_bien)


class PackedStagingTests(_MakerCheckerWorld):
    """Staging packs a thousand rows to a chunk as COPY text (decision 0816): texts with tabs, backslashes and
    line breaks survive to the register, the checker's pages cross chunks, and decisions cut rows out."""

    prefix = "pk"

    def stage(self, data: bytes) -> ImportBatch:
        return batch_stage(actor=self.maker, unit=self.world.dien_bien, year=2023, data=data, name="p.csv")  # type: ignore[arg-type]

    def test_tabs_backslashes_and_line_breaks_reach_the_register_unchanged(self) -> None:
        odd = row("T\\1", self.commune)
        odd[2] = '"Lò\tVăn \\N A"'  # a tab, and a backslash that looks like COPY's NULL
        odd[3] = '"Bản 1\r\nxóm\\2"'  # a line break inside a quoted cell
        batch = self.stage(csv_bytes([odd, row("T2", self.commune)]))
        self.assertEqual(batch.status, ImportBatch.Status.STAGED, batch.errors)
        page = StagedLines(StagedChunk.objects.all(), batch.pk)[0:100]
        self.assertEqual(
            [(r.code, r.head_name) for r in page], [("T\\1", "Lò\tVăn \\N A"), ("T2", "Lò Văn A")]
        )
        self.assertEqual(batch_approve(actor=self.checker, batch=batch), 2)
        household = Household.objects.get(code="T\\1")
        self.assertEqual((household.head_name, household.address), ("Lò\tVăn \\N A", "Bản 1\r\nxóm\\2"))
        self.assertEqual(Review.objects.get(household=household).poverty_class, "poor")

    def test_a_thousand_rows_to_a_chunk_pages_across_chunks_and_decisions_cut_rows(self) -> None:
        batch = self.stage(csv_bytes([row(f"C{i:04d}", self.commune) for i in range(2_500)]))
        self.assertEqual(
            list(StagedChunk.objects.filter(batch=batch).values_list("size", flat=True)), [1000, 1000, 500]
        )
        lines = StagedLines(StagedChunk.objects.all(), batch.pk)
        self.assertEqual(len(lines), 2_500)
        page = lines[950:1050]  # the end of the first chunk and the start of the second
        self.assertEqual([r.line for r in page], list(range(952, 1052)))
        self.assertEqual(
            staged_row_decide(
                actor=self.checker, batch=batch, lines=[1001, 1002, 99_999], decision=Decision.REJECTED
            ),
            2,
        )
        batch_accept_rest(actor=self.checker, batch=batch)
        self.assertEqual(
            [r.get_decision_display() for r in lines[998:1002]], ["Chưa xét", "Loại", "Loại", "Chưa xét"]
        )
        self.assertEqual(batch_approve(actor=self.checker, batch=batch), 2_498)
        self.assertFalse(Household.objects.filter(code__in=["C0999", "C1000"]).exists())  # lines 1001, 1002
        self.assertEqual(Household.objects.filter(code__startswith="C").count(), 2_498)
        self.assertFalse(StagedChunk.objects.exists())


@mock.patch.object(parallel, "MIN_BYTES", 0)
@mock.patch.object(parallel, "BLOCK_LINES", 1000)
class ParallelValidationTests(_MakerCheckerWorld):
    """A large clean CSV is validated by worker processes, a block each (decision 0830): it stages exactly what the
    serial validator stages, and a file the fast path does not take (an error, a code repeated across blocks, a
    quoted line break, a blank line) gets the serial validator's report, line for line."""

    prefix = "pv"

    def rows(self, n: int) -> list[list[str]]:
        out = []
        for i in range(n):
            r = row(f"P{i:05d}", self.commune, str(500_000 + i * 997 % 3_000_000), i % 7)
            r[4] = ["Thái", "Mông", "Kinh"][i % 3]
            r[5] = "thành thị" if i % 9 == 0 else "nông thôn"
            out.append(r)
        return out

    def stage(self, data: bytes, workers: int) -> tuple[tuple[object, ...], bool]:
        """The outcome of staging `data` with `workers` processes, and whether the parallel path staged it."""
        took: list[object] = []

        def spy(*args: object, **kwargs: object) -> object:
            took.append(parallel.stage_parallel(*args, **kwargs))  # type: ignore[arg-type]
            return took[-1]

        with (
            mock.patch.object(parallel, "WORKERS", workers),
            mock.patch.object(services, "stage_parallel", spy),
        ):
            batch = batch_stage(
                actor=self.maker, unit=self.world.dien_bien, year=2023, data=data, name=f"w{workers}.csv"
            )
        packed = StagedChunk.objects.filter(batch=batch).order_by("seq")
        chunks = list(packed.values_list("seq", "first_line", "last_line", "size"))
        rows = [
            tuple(r[:13])
            for p in packed.values_list("lines", "households", "reviews")
            for r in chunk_rows(*p)
        ]
        outcome = (batch.status, batch.row_count, sorted(map(tuple, batch.tally)), batch.errors, chunks, rows)
        if batch.status == ImportBatch.Status.STAGED:
            batch_reject(actor=self.checker, batch=batch, reason="so sánh")
        return outcome, took[-1] is not None

    def test_a_clean_file_is_staged_by_the_workers_exactly_as_serially(self) -> None:
        data = csv_bytes(self.rows(3_500))
        serial, fast = self.stage(data, 1), self.stage(data, 2)
        self.assertEqual((serial[1], fast[1]), (False, True))
        self.assertEqual(serial[0], fast[0])
        status, count, tally, errors, chunks, _rows = fast[0]
        self.assertEqual((status, count, errors), (ImportBatch.Status.STAGED, 3_500, []))
        self.assertEqual([c[3] for c in chunks], [1000, 1000, 1000, 500])
        self.assertEqual(sum(t[-1] for t in tally), 3_500)
        batch = batch_stage(actor=self.maker, unit=self.world.dien_bien, year=2023, data=data, name="c.csv")
        self.assertEqual(batch_approve(actor=self.checker, batch=batch), 3_500)
        self.assertEqual(Review.objects.filter(household__code__startswith="P").count(), 3_500)

    def test_files_the_fast_path_does_not_take_get_the_serial_report(self) -> None:
        rows = self.rows(2_500)
        duplicate = [*rows[:1_800], rows[10], *rows[1_801:]]  # line 1.802 repeats line 12, another block
        bad = [*rows[:1_500], row("", "99999", "abc"), *rows[1_501:]]
        quoted = [list(r) for r in rows]
        quoted[2_100][3] = '"Bản 1\r\nxóm 2"'
        for case in (duplicate, bad, quoted):
            data = csv_bytes(case)
            serial, fast = self.stage(data, 1), self.stage(data, 2)
            self.assertFalse(fast[1])  # the workers gave up; the serial pass reported
            self.assertEqual(serial[0], fast[0])
        self.assertEqual(
            [(e["line"], e["field"]) for e in self.stage(csv_bytes(duplicate), 2)[0][3]], [(1_802, "Mã hộ")]
        )
        blank = csv_bytes(rows).replace(b"\r\nP01200,", b"\r\n\r\nP01200,")
        serial, fast = self.stage(blank, 1), self.stage(blank, 2)
        self.assertEqual((serial[0][:2], fast[1]), ((ImportBatch.Status.STAGED, 2_500), False))
        self.assertEqual(serial[0], fast[0])
        self.assertFalse(StagedChunk.objects.exists())

    def test_codes_on_the_register_are_probed_block_by_block_as_serially(self) -> None:
        make_household(first_commune(self.world.dien_bien), "P00100", "Lò Văn Cũ", year=2022)  # a re-review
        make_household(first_commune(self.world.cao_bang_old), "P02300", "Nông Văn Khác", year=2022)
        rows = self.rows(2_500)
        serial, fast = self.stage(csv_bytes(rows[:2_000]), 1), self.stage(csv_bytes(rows[:2_000]), 2)
        self.assertEqual((serial[0], serial[1], fast[1]), (fast[0], False, True))
        self.assertEqual(ImportBatch.objects.get(file_name="w2.csv").existing_households, 1)
        serial, fast = self.stage(csv_bytes(rows), 1), self.stage(csv_bytes(rows), 2)
        self.assertEqual((serial[0], fast[1]), (fast[0], True))  # the workers staged; the probe found it
        self.assertEqual(fast[0][0], ImportBatch.Status.INVALID)
        self.assertEqual([(e["line"], e["field"]) for e in fast[0][3]], [(2_302, "Mã hộ")])


class RegisterProbeTests(_MakerCheckerWorld):
    """The staging's probe of the register (`register_matches`, decision 0855): reading the range of a part's codes
    (PostgreSQL, when the range is small) and probing code by code find the same households, in the unit and
    outside it, whatever else lies between the codes."""

    prefix = "rp"

    def test_the_range_read_and_the_code_probe_find_the_same_households(self) -> None:
        here, there = first_commune(self.world.dien_bien), first_commune(self.world.cao_bang_old)
        for code in ("K010", "K011", "K012", "K013", "K020", "K021", "K030", "k040", "Đ050"):
            make_household(here, code, "Lò Văn A", year=2022)
        for code in ("K015", "K025"):
            make_household(there, code, "Nông Văn B", year=2022)
        codes = {"K010": 2, "K015": 3, "K020": 4, "K025": 5, "K999": 6, "Đ050": 7, "k040": 8, "K030x": 9}
        paths = scope_paths(self.world.dien_bien)
        expected = (6, 2, [(3, "K015"), (5, "K025")])
        for range_rows in (0, 2, 1_000):  # 0: never the range; 1.000: always
            for per_query in (3, 20_000):
                with (
                    mock.patch.object(validate, "RANGE_ROWS", range_rows),
                    mock.patch.object(validate, "CODES_PER_QUERY", per_query),
                ):
                    self.assertEqual(register_matches(codes, paths, 10), expected, (range_rows, per_query))
                    self.assertEqual(register_matches(codes, paths, 1), (6, 2, [(3, "K015")]))
                    self.assertEqual(register_matches({"Z1": 2, "Z2": 3}, paths, 10), (0, 0, []))
                    self.assertEqual(register_matches({"K0105": 2, "K0125": 3}, paths, 10), (0, 0, []))


class StagedFormatTests(_MakerCheckerWorld):
    """Chunks hold typed rows (decision 0855); a batch staged before (COPY texts, 0816) still shows on the checker's
    page and commits the same households and reviews, rejected rows left out."""

    prefix = "sf"

    def stage(self, name: str) -> ImportBatch:
        rows = [
            row(f"{name}{i:04d}", self.commune, str(700_000 + 9_973 * i % 2_000_000), i % 5)
            for i in range(1_200)
        ]
        rows[7][2] = '"Lò\tVăn \\N A"'  # a tab and a backslash: escaped in the texts made at the commit
        return batch_stage(  # type: ignore[arg-type]
            actor=self.maker, unit=self.world.dien_bien, year=2023, data=csv_bytes(rows), name=f"{name}.csv"
        )

    def register(self, prefix: str) -> list[tuple[object, ...]]:
        fields = ("household__head_name", "household__address", "income_per_capita_month", "deprivations",
                  "deprivation_count", "poverty_class", "transition", "standard_id", "ethnicity", "area")  # fmt: skip
        return [
            (code[len(prefix) :], *rest)
            for code, *rest in Review.objects.filter(household__code__startswith=prefix)
            .order_by("household__code")
            .values_list("household__code", *fields)
        ]

    def test_a_batch_of_copy_texts_staged_before_reads_and_commits_as_a_typed_one(self) -> None:
        typed, old = self.stage("A"), self.stage("B")
        self.assertTrue(
            all(
                unpack_rows(h)
                for h in StagedChunk.objects.filter(batch=typed).values_list("households", flat=True)
            )
        )
        for chunk in StagedChunk.objects.filter(batch=old):  # as 0816 staged them
            constants, rows = unpack_rows(chunk.households)  # type: ignore[misc]
            chunk.households = compress(households_text(rows))
            chunk.reviews = compress(reviews_text(rows, constants))
            chunk.save()
        page = [
            (r.line, r.code[1:], r.head_name, r.poverty_class)
            for r in StagedLines(StagedChunk.objects.all(), old.pk)[0:1_200]
        ]
        self.assertEqual(
            page,
            [
                (r.line, r.code[1:], r.head_name, r.poverty_class)
                for r in StagedLines(StagedChunk.objects.all(), typed.pk)[0:1_200]
            ],
        )
        for batch in (typed, old):
            staged_row_decide(actor=self.checker, batch=batch, lines=[5, 1_100], decision=Decision.REJECTED)
            batch_accept_rest(actor=self.checker, batch=batch)
            self.assertEqual(batch_approve(actor=self.checker, batch=batch), 1_198)
        self.assertEqual(self.register("A"), self.register("B"))
        self.assertEqual(len(self.register("A")), 1_198)
        self.assertEqual(Household.objects.get(code="A0007").head_name, "Lò\tVăn \\N A")
