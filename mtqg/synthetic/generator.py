"""The synthetic country: deterministic records on the real administrative units of both structures.

Everything is built as RECORDS (indicator values, household reviews, payments, reports) from which the app's own
code computes the published figures: NTM statuses come from the engine's rule (`engine.evaluate`/`counts`, the same
rows `engine.recompute` writes — decision 0805), poverty classes from `poverty.standards.decide` (on PostgreSQL
through bands proven against it, decision 0804), recognitions from the computed assessments, tallies and dashboard
facts from the poverty and dashboards apps' own rebuilds. Parameters (scales, regional rates with citations, NTM
recognition curve) are data: mtqg/synthetic/data/profile.json.

Every synthetic row carries a marker (code prefix "SYN-" or a note/reference "SYN") so a re-run replaces exactly the
synthetic rows and nothing else; rows that would collide with existing (demo or real) records are skipped.
"""

from __future__ import annotations

import functools
import json
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from mtqg.core.audit import record_change
from mtqg.core.text import fold
from mtqg.geo.models import ClassificationScheme, UnitClassification, UnitVersion

from . import bulk
from .rows import Row

PROFILE_FILE = Path(__file__).resolve().parent / "data" / "profile.json"
MARK = "SYN"
SCALES = ("tiny", "province", "national")
POVERTY_REGION = {"btb": "btb", "dhntb": "btb"}  # poverty rates are per GSO region: BTB&DHMT together

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Lò", "Quàng", "Lường", "Cà", "Vàng",
          "Giàng", "Sùng", "Mùa", "Hà", "Nông", "Triệu", "Đinh"]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Minh", "Đức", "Ngọc", "Thanh", "A", "Seo"]
GIVEN = ["An", "Bình", "Chiến", "Dung", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Phong", "Quân", "Sơn",
         "Thắm", "Tú", "Vân", "Xuân", "Páo", "Sinh", "Tòng"]  # fmt: skip
RELATIONS = ["Chủ hộ", "Vợ/chồng", "Con", "Con", "Con", "Bố/mẹ", "Cháu"]  # the first is the head of household
MEMBER_COLUMNS = ["household", "full_name", "search_name", "birth_date", "sex", "relation", "ethnicity",
                  "health_insurance"]  # fmt: skip
ETHNIC = {
    "tdmnpb": ["Thái", "Mông", "Kinh", "Tày", "Nùng", "Dao", "Khơ Mú"],
    "tn": ["Kinh", "Ê Đê", "Gia Rai", "Ba Na", "Kinh"],
    "dbscl": ["Kinh", "Kinh", "Kinh", "Khmer"],
}


def load_profile(path: Path = PROFILE_FILE) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass
class Commune:
    id: int
    code: str
    kind: str
    structure: str
    province_code: str
    region: str  # one of the 7 NTM regions


@dataclass
class Stats:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seconds: dict[str, float] = field(default_factory=dict)


class Generator:
    def __init__(
        self,
        scale: str,
        seed: int = 1,
        *,
        progress: Callable[[str], None] | None = None,
        profile: dict[str, Any] | None = None,
    ) -> None:
        if scale not in SCALES:
            raise ValueError(scale)
        self.scale = scale
        self.seed = seed
        self.profile = profile or load_profile()
        self.cfg = self.profile["scales"][scale]
        self.say = progress or (lambda _m: None)
        self.stats = Stats()
        region_of: dict[str, str] = {}
        for region, codes in self.profile["regions"].items():
            if isinstance(codes, list):
                for code in codes:
                    region_of[code] = region
        self.region_of = region_of

    # --- units -------------------------------------------------------------------------------------
    def provinces(self, structure: str) -> list[UnitVersion]:
        qs = UnitVersion.objects.filter(structure=structure, level=UnitVersion.Level.PROVINCE).order_by(
            "code"
        )
        if self.cfg["provinces"] != "all":
            qs = qs.filter(code__in=self.cfg["provinces"])
        return list(qs)

    def communes(self, structure: str) -> list[Commune]:
        provinces = {p.pk: p.code for p in self.provinces(structure)}
        out: list[Commune] = []
        rows = (
            UnitVersion.objects.filter(structure=structure, level=UnitVersion.Level.COMMUNE)
            .order_by("path")
            .values_list("pk", "code", "kind", "path")
        )
        per_province: dict[int, int] = defaultdict(int)
        limit = self.cfg["max_communes"]
        for pk, code, kind, path in rows.iterator(chunk_size=5000):
            province_id = int(path.strip("/").split("/")[1])
            if province_id not in provinces:
                continue
            if limit is not None and per_province[province_id] >= limit:
                continue
            per_province[province_id] += 1
            pcode = provinces[province_id]
            out.append(Commune(pk, code, kind, structure, pcode, self.region_of.get(pcode, "dbsh")))
        return out

    # --- orchestration -----------------------------------------------------------------------------
    def run(self) -> Stats:
        from mtqg.finance.loader import load_programs
        from mtqg.finance.models import Program
        from mtqg.ntm.loader import load_all
        from mtqg.poverty.models import PovertyStandard
        from mtqg.poverty.standards import load_standards
        from mtqg.workflow.calendar import load_calendars

        load_all()
        if not PovertyStandard.objects.exists():
            load_standards()
        if not Program.objects.exists():
            load_programs()
        load_calendars([self.profile["workflow"]["year"]])
        self.old = self.communes("pre2025")
        self.new = self.communes("2025")
        self._step("clear", self.clear)
        self._step("regions", self.regions)
        parallel = bool(self.cfg.get("parallel")) and connection.vendor == "postgresql"
        errors: list[BaseException] = []
        worker = None
        if (
            parallel
        ):  # poverty (server-side SQL) on its own connection while NTM runs in Python (decision 0804)
            worker = threading.Thread(target=self._step_in_thread, args=("poverty", self.poverty, errors))
            worker.start()
        try:
            if not parallel:
                self._step("poverty", self.poverty)
            self._step("ntm", self.ntm)
            self._step("finance", self.finance)
            self._step("workflow", self.workflow)
        finally:
            if worker is not None:
                worker.join()
        if errors:
            raise errors[0]
        self._step("analyze", self.analyze, atomic=False)
        self._step("poverty_tally", self.poverty_tally)
        self._step("ntm_register", self.ntm_register)
        if self.cfg.get("summaries", True):
            self._step("summaries", self.summaries, atomic=False)
        with transaction.atomic():
            country = UnitVersion.objects.filter(level=UnitVersion.Level.COUNTRY).first()
            if country is not None:
                record_change(
                    actor=None,
                    obj=country,
                    action="imported",
                    changes={
                        "synthetic": [None, {"scale": self.scale, "seed": self.seed, **self.stats.counts}],
                    },
                    reason="generate_synthetic",
                )
        return self.stats

    def _step(self, name: str, step: Callable[[], None], *, atomic: bool = True) -> None:
        started = time.perf_counter()
        self.say(f"{name}…")
        if atomic:
            with transaction.atomic():
                step()
        else:
            step()
        self.stats.seconds[name] = round(time.perf_counter() - started, 2)
        self.say(f"{name}: {self.stats.seconds[name]} s")

    def _step_in_thread(self, name: str, step: Callable[[], None], errors: list[BaseException]) -> None:
        try:
            self._step(name, step)
        except BaseException as exc:  # re-raised by run() in the main thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    # --- after the records: statistics, tallies, dashboard facts -----------------------------------
    def analyze(self) -> None:
        """PostgreSQL: fresh planner statistics (sampled; VACUUM is left to autovacuum)."""
        if connection.vendor != "postgresql":
            return

        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    def poverty_tally(self) -> None:
        """The poverty app's review tallies (if that app has them): rebuilt from the reviews just loaded."""
        try:
            from mtqg.poverty.tally import tally_refresh
        except ImportError:
            return
        self.stats.counts["poverty_tally_rows"] += tally_refresh()

    def summaries(self) -> None:
        """The dashboards' summary facts, rebuilt for the whole country (`manage.py rebuild_summaries`)."""
        try:
            from mtqg.dashboards.services import summaries_rebuild
        except ImportError:
            return
        self.stats.counts["summary_facts"] += int(summaries_rebuild(actor=None)["facts"])

    def rng(self, *key: Any) -> random.Random:
        return random.Random("-".join(map(str, (self.seed, *key))))

    # --- clear -------------------------------------------------------------------------------------
    def clear(self) -> None:
        from mtqg.finance.models import Allocation, CapitalPlan, Disbursement, Work
        from mtqg.ntm.models import Assessment, CriterionResult, IndicatorValue, Recognition
        from mtqg.poverty.models import Household, Member, Review
        from mtqg.workflow.models import Report, ReportDecision, ReportValue

        def raw(qs: models.QuerySet[Any]) -> None:
            qs._raw_delete(qs.db)

        syn_assessments = Assessment.objects.filter(note=MARK).values("pk")
        raw(CriterionResult.objects.filter(assessment__in=syn_assessments))
        raw(IndicatorValue.objects.filter(assessment__in=syn_assessments))
        raw(Assessment.objects.filter(note=MARK))
        raw(Recognition.objects.filter(decision_no__startswith=f"{MARK}-"))
        households = Household.objects.filter(code__startswith=f"{MARK}-").values("pk")
        raw(Review.objects.filter(household__in=households))
        raw(Member.objects.filter(household__in=households))
        raw(Household.objects.filter(code__startswith=f"{MARK}-"))
        raw(Disbursement.objects.filter(reference=MARK))
        raw(Allocation.objects.filter(decision_ref=MARK))
        raw(Work.objects.filter(code__startswith=f"{MARK}-"))
        raw(CapitalPlan.objects.filter(note=MARK))
        reports = Report.objects.filter(note=MARK).values("pk")
        raw(ReportValue.objects.filter(report__in=reports))
        raw(ReportDecision.objects.filter(report__in=reports))
        raw(Report.objects.filter(note=MARK))

    # --- regions -----------------------------------------------------------------------------------
    def regions(self) -> None:
        """NTM thresholds are per region (ntm_region classification): give every generated commune lacking one
        the region of its province, flagged unconfirmed and marked as synthetic."""
        scheme, _ = ClassificationScheme.objects.get_or_create(
            code="ntm_region", defaults={"name": "Vùng áp dụng ngưỡng tiêu chí NTM"}
        )
        ids = [c.id for c in self.old + self.new]
        have: set[int] = set()
        for start in range(0, len(ids), 5000):
            have.update(
                UnitClassification.objects.filter(
                    scheme=scheme, unit_id__in=ids[start : start + 5000]
                ).values_list("unit_id", flat=True)
            )
        rows = [
            UnitClassification(
                unit_id=c.id,
                scheme=scheme,
                value=c.region,
                legal_basis=f"{MARK}: vùng theo tỉnh (generate_synthetic)",
                unconfirmed=True,
            )
            for c in self.old + self.new
            if c.id not in have
        ]
        UnitClassification.objects.bulk_create(rows, batch_size=5000)
        self.stats.counts["region_classifications"] += len(rows)

    # --- NTM ---------------------------------------------------------------------------------------
    def ntm(self) -> None:
        """Indicator values per commune and year; statuses and counts by the engine's own rule (`engine.evaluate`,
        `engine.counts`) on the values just drawn, written with the rows (COPY) instead of read back and updated
        (`engine.recompute` gives the same rows: tested). Decision 0805."""
        from mtqg.ntm import engine
        from mtqg.ntm.models import Assessment, CriteriaSet, CriterionResult, IndicatorValue

        prof = self.profile["ntm"]
        assessment_row = Row(
            Assessment,
            ["id", "commune", "year", "criteria_set", "assessed_on", "note", "region", "criteria_met",
             "criteria_basic", "criteria_unknown", "criteria_total", "computed_at", "provisional"],
        )  # fmt: skip
        value_row = Row(IndicatorValue, ["assessment", "indicator", "value", "not_applicable", "source"])
        result_row = Row(
            CriterionResult,
            [
                "assessment",
                "criterion",
                "computed_status",
                "status",
                "explanation",
                "overridden",
                "provisional",
            ],
        )
        now = timezone.now()
        for entry in prof["plan"]:
            cset = CriteriaSet.objects.get(code=entry["set"], version=1)
            book = engine.Book(cset.pk)
            book.rule = functools.lru_cache(maxsize=None)(book.rule)  # type: ignore[method-assign]
            communes = self.old if entry["structure"] == "pre2025" else self.new
            month, day = (int(x) for x in entry.get("assessed_on", "12-31").split("-"))
            for year in entry["years"]:
                on = date(year, month, day)
                existing = set(
                    Assessment.objects.filter(year=year, criteria_set=cset).values_list(
                        "commune_id", flat=True
                    )
                )
                todo = [c for c in communes if c.id not in existing]
                if not todo:
                    continue
                regions = engine.resolve_regions(cset, [c.id for c in todo], on)
                share = prof["recognised_share"][str(year)]
                first = bulk.reserve_ids(Assessment, len(todo))
                for start in range(0, len(todo), 2000):
                    assessments: list[tuple[Any, ...]] = []
                    values: list[tuple[Any, ...]] = []
                    results: list[tuple[Any, ...]] = []
                    for i, commune in enumerate(todo[start : start + 2000], start=start):
                        aid, region = first + i, regions.get(commune.id, "")
                        rows = self._ntm_values(
                            book, commune, aid, year, region, share, prof["region_offset"]
                        )
                        values += rows
                        given = {r[1]: (r[2], r[3]) for r in rows}
                        statuses = []
                        provisional = False
                        for crit_id, status, notes in engine.evaluate(book, region, year, given):
                            statuses.append(status)
                            flagged = any(engine.UNCONFIRMED_FLAG in n for n in notes)  # "tạm tính" (0113)
                            provisional = provisional or flagged
                            results.append(
                                (aid, crit_id, str(status), str(status), json.dumps(notes, ensure_ascii=False),
                                 False, flagged)
                            )  # fmt: skip
                        met, basic, unknown = engine.counts(statuses)
                        assessments.append(
                            (aid, commune.id, year, cset.pk, on, MARK, region, met, basic, unknown, book.total,
                             now, provisional)
                        )  # fmt: skip
                    assessment_row.insert(assessments)
                    self.stats.counts["ntm_indicator_values"] += value_row.insert(values)
                    result_row.insert(results)
                bulk.sync_sequence(Assessment)
                self.stats.counts["ntm_assessments"] += len(todo)
        self._recognitions()

    def ntm_register(self) -> None:
        """Criterion 11 comes from the household register where its review covers the commune (decision 0115):
        the tallies exist only now, so the assessments of sets with a register indicator and a covered
        commune-year are recomputed by the engine (the statuses then equal what `engine.recompute` writes)."""
        from django.db.models import Exists, OuterRef

        from mtqg.ntm import engine
        from mtqg.ntm.models import Assessment
        from mtqg.poverty.models import ReviewTally

        covered = ReviewTally.objects.filter(commune_id=OuterRef("commune_id"), year=OuterRef("year"))
        qs = Assessment.objects.filter(
            note=MARK, criteria_set__criteria__indicators__register_measure__gt=""
        ).filter(Exists(covered))
        ids = list(qs.values_list("pk", flat=True).distinct())
        for start in range(0, len(ids), 5000):
            engine.recompute(
                Assessment.objects.filter(pk__in=ids[start : start + 5000]), refresh_regions=False
            )
        self.stats.counts["ntm_register_recomputed"] = len(ids)

    def _ntm_values(
        self,
        book: Any,
        commune: Commune,
        aid: int,
        year: int,
        region: str,
        share: float,
        offsets: dict[str, float],
    ) -> list[tuple[Any, ...]]:
        """One commune's indicator values for a year: a fixed latent score per commune and the year's
        recognition share decide how many criteria it meets; each failing criterion gets one value below its
        threshold row (for the commune's region and year)."""
        total = book.total
        criteria = [c[0] for c in book.criteria]
        latent = self.rng("ntm", commune.code, commune.structure).random()
        rng = self.rng("ntm", commune.code, commune.structure, year)
        recognised = min(0.99, max(0.01, share + offsets.get(commune.region, 0.0)))
        if latent > 1 - recognised:
            met = total
        else:
            gap = ((1 - recognised) - latent) / (1 - recognised)
            met = max(4, total - 1 - int(gap * (total - 5)))
        failing = set(rng.sample(criteria, max(0, total - met)))
        out: list[tuple[Any, ...]] = []
        for crit_id in criteria:
            fail_done = crit_id not in failing
            for ind in book.indicators.get(crit_id, []):
                rule = book.rule(ind.id, region, year)
                fail = not fail_done and rule is not None
                if fail:
                    fail_done = True
                if ind.if_applicable and not fail and rng.random() < 0.2:
                    out.append((aid, ind.id, None, True, MARK))
                    continue
                out.append((aid, ind.id, _value(rng, ind.value_type, rule, fail), False, MARK))
        return out

    def _recognitions(self) -> None:
        from mtqg.ntm.models import Assessment, Recognition, RecognitionTier

        taken = set(
            Recognition.objects.exclude(decision_no__startswith=f"{MARK}-").values_list(
                "commune_id", flat=True
            )
        )
        firsts: dict[int, tuple[int, int]] = {}
        rows = (
            Assessment.objects.filter(
                note=MARK, criteria_total__gt=0, criteria_met=models.F("criteria_total")
            )
            .order_by("year")
            .values_list("commune_id", "year", "criteria_set_id")
        )
        for commune_id, year, set_id in rows.iterator(chunk_size=20000):
            if commune_id not in taken and commune_id not in firsts:
                firsts[commune_id] = (year, set_id)
        row = Row(
            Recognition, ["commune", "tier", "decision_no", "decision_date", "standard_year", "criteria_set"]
        )
        self.stats.counts["ntm_recognitions"] += row.insert(
            (cid, RecognitionTier.STANDARD.value, f"{MARK}-{cid}-{year}", date(year, 12, 20), year, set_id)
            for cid, (year, set_id) in sorted(firsts.items())
        )

    # --- poverty -----------------------------------------------------------------------------------
    def _commune_draw(self, commune: Commune, years: list[int]) -> tuple[int, str, list[str], dict[int, Any]]:
        """(households, area, ethnic groups, {year: (p_poor, p_near)}) of a commune: the same draws on both paths."""
        rates = self.profile["poverty_rates"]
        rng = self.rng("hh", commune.code)
        n = max(1, round(self.cfg["households_per_commune"] * rng.uniform(0.5, 1.5)))
        area = "urban" if commune.kind in ("phuong", "thi_tran") else "rural"
        factor = rng.uniform(0.3, 1.7)
        region = POVERTY_REGION.get(commune.region, commune.region)
        year_rates = {}
        for year in years:
            table = rates.get(str(year)) or rates[max(rates.keys() - {"source", "note"})]
            poor, near = table.get(region, table["dbsh"])
            year_rates[year] = (poor * factor / 100, near * factor / 100)
        return n, area, ETHNIC.get(commune.region, ["Kinh"]), year_rates

    def poverty(self) -> None:
        if connection.vendor == "postgresql":
            self._poverty_sql()
        else:
            self._poverty_python()

    def _poverty_sql(self) -> None:
        """PostgreSQL: households and reviews generated server-side (sqlgen, decision 0804)."""
        from mtqg.poverty.models import Household, Member, Review
        from mtqg.poverty.standards import standard_for

        from . import sqlgen

        years = self.cfg["review_years"]
        standards = {y: standard_for(y) for y in years}
        next_id = bulk.reserve_ids(Household, 0)
        specs = []
        for commune in self.old:
            n, area, ethnic, year_rates = self._commune_draw(commune, years)
            specs.append(sqlgen.CommuneSpec(commune.id, commune.code, next_id, n, area, ethnic, year_rates))
            next_id += n
        rebuild: list[str] = []
        fast = bool(self.cfg.get("rebuild_indexes"))
        skip_fk = fast and bulk.is_superuser()
        if fast:
            started = time.perf_counter()
            if bulk.truncate_if_empty([Household, Review]):
                self.stats.counts["poverty_tables_truncated"] = 1
            if (
                skip_fk
            ):  # keep the foreign keys (dropping one locks the referenced table); skip their triggers
                bulk.skip_foreign_key_checks()
            tables = [Household, Review, *([Member] if self.cfg.get("members") else [])]
            rebuild = bulk.secondary_indexes(tables, foreign_keys=not skip_fk)
            self.stats.seconds["poverty_drop_indexes"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        households, reviews, members = sqlgen.generate_register(
            specs,
            standards,
            (FAMILY, MIDDLE, GIVEN),
            self.seed,
            MARK,
            chunk_communes=self.cfg.get("sql_chunk", 1000),
            members=self.cfg.get("members"),
            relations=RELATIONS,
            say=self.say,
        )
        if members:
            self.stats.counts["members"] += members
        self.stats.seconds["poverty_insert"] = round(time.perf_counter() - started, 2)
        if rebuild:
            started = time.perf_counter()
            bulk.recreate(rebuild, say=self.say)
            self.stats.seconds["poverty_indexes"] = round(time.perf_counter() - started, 2)
        if skip_fk:  # the references the skipped triggers would have checked, proven with one anti-join each
            started = time.perf_counter()
            first = specs[0].first_id if specs else 0
            bad = {
                **bulk.orphans(Household, f"t.id >= {first}"),
                **{f"review.{k}": v for k, v in bulk.orphans(Review, f"t.household_id >= {first}").items()},
                **{f"member.{k}": v for k, v in bulk.orphans(Member, f"t.household_id >= {first}").items()},
            }
            if any(bad.values()):
                raise RuntimeError(f"synthetic register: dangling references {bad}")
            self.stats.seconds["poverty_check_references"] = round(time.perf_counter() - started, 2)
        self.stats.counts["households"] += households
        self.stats.counts["reviews"] += reviews
        bulk.sync_sequence(Household)
        bulk.sync_sequence(Review)

    def _poverty_python(self) -> None:
        from mtqg.poverty.models import Household, Member, Review
        from mtqg.poverty.standards import standard_for

        years = self.cfg["review_years"]
        standards = {y: standard_for(y) for y in years}
        household_row = Row(
            Household,
            ["id", "code", "commune", "village_name", "head_name", "head_search", "ethnicity", "area"],
        )
        has_ethnicity = any(f.name == "ethnicity" for f in Review._meta.concrete_fields)
        review_row = Row(
            Review,
            [
                "household", "commune", "year", "area", "income_per_capita_month", "deprivations",
                "deprivation_count", "standard", "poverty_class", "transition", "approved_on",
                *(["ethnicity"] if has_ethnicity else []),
            ],
        )  # fmt: skip
        names = [(f"{f} {m} {g}", fold(f"{f} {m} {g}")) for f in FAMILY for m in MIDDLE for g in GIVEN]
        draws = {(y, a): Draw(standards[y], a, self.seed) for y in years for a in ("rural", "urban")}
        member_row = Row(Member, MEMBER_COLUMNS)
        member_range = self.cfg.get("members")
        folded_middle, folded_given = [fold(m) for m in MIDDLE], [fold(g) for g in GIVEN]
        per_commune = self.cfg["households_per_commune"]
        chunk = 40 if per_commune > 1000 else 400
        next_id = bulk.reserve_ids(Household, 0)
        for start in range(0, len(self.old), chunk):
            households: list[tuple[Any, ...]] = []
            reviews: list[tuple[Any, ...]] = []
            members: list[tuple[Any, ...]] = []
            for commune in self.old[start : start + chunk]:
                rng = self.rng("hh", commune.code)
                n, area, ethnic, year_rates = self._commune_draw(commune, years)
                rng = self.rng("hh", commune.code)
                rng.random(), rng.random()  # the two draws _commune_draw made (n, factor)
                for k in range(n):
                    name, search = names[int(rng.random() * len(names))]
                    ethnicity = ethnic[int(rng.random() * len(ethnic))]
                    households.append(
                        (next_id, f"{MARK}-{commune.code}-{k:05d}", commune.id, f"Thôn {k % 12 + 1}",
                         name, search, ethnicity, area)
                    )  # fmt: skip
                    if member_range:
                        lo, hi = member_range
                        mrng = random.Random(f"{self.seed}-mem-{households[-1][1]}")
                        family, family_folded = name.split(" ", 1)[0], search.split(" ", 1)[0]
                        for j in range(lo + int(mrng.random() * (hi - lo + 1))):
                            if j == 0:
                                full, folded, relation = name, search, RELATIONS[0]
                                born = date(1950, 1, 1) + timedelta(days=int(mrng.random() * 18262))
                            else:
                                mi, gi = int(mrng.random() * len(MIDDLE)), int(mrng.random() * len(GIVEN))
                                full = f"{family} {MIDDLE[mi]} {GIVEN[gi]}"
                                folded = f"{family_folded} {folded_middle[mi]} {folded_given[gi]}"
                                relation = RELATIONS[1 + int(mrng.random() * (len(RELATIONS) - 1))]
                                born = date(1940, 1, 1) + timedelta(days=int(mrng.random() * 30681))
                            sex = "M" if mrng.random() < 0.5 else "F"
                            members.append(
                                (next_id, full, folded, born, sex, relation, ethnicity, mrng.random() < 0.85)
                            )
                    before = ""
                    for year in years:
                        poor, near = year_rates[year]
                        cls, income, deps, count = draws[(year, area)](rng, poor, near)
                        review = (next_id, commune.id, year, area, income, deps, count,
                                  standards[year].pk, cls, _transition(before, cls), date(year, 12, 15))  # fmt: skip
                        reviews.append((*review, ethnicity) if has_ethnicity else review)
                        before = cls
                    next_id += 1
            self.stats.counts["households"] += household_row.insert(households)
            self.stats.counts["reviews"] += review_row.insert(reviews)
            if members:
                self.stats.counts["members"] += member_row.insert(members)
            self.say(f"  poverty {min(start + chunk, len(self.old))}/{len(self.old)} communes")
        bulk.sync_sequence(Household)

    # --- finance -----------------------------------------------------------------------------------
    def finance(self) -> None:
        from mtqg.finance.models import Allocation, CapitalPlan, Disbursement, InvestorLevel, Program, Work

        prof = self.profile["finance"]
        nodes = list(
            Program.objects.filter(kind__in=["project", "subproject"])
            .order_by("code")
            .values_list("pk", flat=True)
        )
        if not nodes:
            return
        kinds = [k.value for k in Work.Kind]
        sources = ["nstw_dtpt", "nstw_sn", "nsdp_doi_ung"]
        statuses = [s.value for s in Work.Status]
        low, high = prof["work_investment_million"]
        works, allocs, pays = [], [], []
        plan: dict[tuple[int, int, str, int], int] = defaultdict(int)
        work_id = bulk.reserve_ids(Work, 0)
        alloc_id = bulk.reserve_ids(Allocation, 0)
        provinces = {p.code: p.pk for p in self.provinces("pre2025")}
        provinces_new = {p.code: p.pk for p in self.provinces("2025")}
        for year in prof["years"]:
            communes = self.old if year < 2025 else self.new
            province_ids = provinces if year < 2025 else provinces_new
            for commune in communes:
                rng = self.rng("fin", commune.code, commune.structure, year)
                for k in range(self.cfg["works_per_commune"]):
                    total = rng.randint(low, high) * 1_000_000
                    node = nodes[rng.randrange(len(nodes))]
                    source = sources[rng.randrange(3)]
                    works.append(
                        (work_id, f"{MARK}-{year}-{commune.structure}-{commune.code}-{k}",
                         f"Công trình tổng hợp {k + 1}", kinds[rng.randrange(len(kinds))], node, commune.id,
                         InvestorLevel.COMMUNE.value, year, total, statuses[rng.randrange(len(statuses))],
                         date(year, 3, 1), date(year, 12, 31))
                    )  # fmt: skip
                    amount = total * rng.randint(40, 100) // 100
                    allocs.append((alloc_id, commune.id, work_id, node, year, source, "xa", amount, MARK))
                    province_id = province_ids.get(commune.province_code)
                    if province_id:
                        plan[(province_id, year, source, node)] += amount
                    paid_share = rng.uniform(0.3, 1.0)
                    for _p in range(self.cfg["payments_per_work"]):
                        part = int(amount * paid_share / self.cfg["payments_per_work"])
                        if part > 0:
                            day = date(year, 1, 15) + timedelta(days=rng.randint(0, 380))
                            pays.append((alloc_id, day, part, MARK))
                    work_id += 1
                    alloc_id += 1
        Row(
            Work,
            ["id", "code", "name", "kind", "program", "commune", "investor_level", "year", "total_investment",
             "status", "planned_start", "planned_end"],
        ).insert(works)  # fmt: skip
        Row(
            Allocation,
            ["id", "unit", "work", "program", "year", "source", "investor_level", "amount", "decision_ref"],
        ).insert(allocs)
        Row(Disbursement, ["allocation", "paid_on", "amount", "reference"]).insert(pays)
        Row(CapitalPlan, ["unit", "program", "year", "source", "vintage", "amount", "note"]).insert(
            (unit, node, year, source, "initial", amount * 6 // 5, MARK)
            for (unit, year, source, node), amount in sorted(plan.items())
        )
        for model in (Work, Allocation, Disbursement, CapitalPlan):
            bulk.sync_sequence(model)
        self.stats.counts["works"] += len(works)
        self.stats.counts["disbursements"] += len(pays)
        self.stats.counts["capital_plan_lines"] += len(plan)

    # --- workflow ----------------------------------------------------------------------------------
    def workflow(self) -> None:
        from mtqg.workflow.models import Report, ReportDecision, ReportingPeriod, ReportType, ReportValue

        prof = self.profile["workflow"]
        rt = ReportType.objects.filter(code=prof["report_type"]).first()
        if rt is None:
            return
        year = prof["year"]
        periods = [p for p in ReportingPeriod.objects.filter(year=year).order_by("start") if rt.expects(p)]
        taken = set(Report.objects.filter(report_type=rt).values_list("unit_id", "period_id"))
        report_id = bulk.reserve_ids(Report, 0)
        reports, values, decisions = [], [], []
        for commune in self.new:
            rng = self.rng("wf", commune.code)
            for period in periods:
                if (commune.id, period.pk) in taken:
                    continue
                state = rng.choice(prof["states"])
                if state == "missing":
                    continue
                deadline = rt.deadline_for(period)
                assert deadline is not None
                at = datetime(deadline.year, deadline.month, deadline.day, 9, tzinfo=UTC) + timedelta(
                    days=rng.randint(-10, 12)
                )
                submitted = state != "draft"
                reports.append(
                    (report_id, rt.pk, commune.id, period.pk, state, deadline, at if submitted else None,
                     "Thiếu minh chứng tiêu chí" if state == "returned" else "", MARK)
                )  # fmt: skip
                met = rng.randint(8, 19)
                plan = rng.randint(1_000, 9_000) * 1_000_000
                values += [
                    (report_id, "so_tieu_chi_dat", met),
                    (report_id, "so_tieu_chi_bo", 19),
                    (report_id, "von_ke_hoach", plan),
                    (report_id, "von_giai_ngan", plan * rng.randint(30, 100) // 100),
                ]
                if submitted:
                    decisions.append((report_id, "submit", "draft", "submitted", ""))
                if state in ("approved", "returned"):
                    action = "approve" if state == "approved" else "return"
                    decisions.append((report_id, action, "submitted", state, reports[-1][7]))
                report_id += 1
        Row(
            Report,
            ["id", "report_type", "unit", "period", "status", "deadline", "submitted_at", "reason", "note"],
        ).insert(reports)
        Row(ReportValue, ["report", "code", "value"]).insert(values)
        Row(ReportDecision, ["report", "action", "from_status", "to_status", "reason"]).insert(decisions)
        bulk.sync_sequence(Report)
        self.stats.counts["reports"] += len(reports)


def _value(rng: random.Random, value_type: str, rule: Any, fail: bool) -> Decimal:
    """An indicator value that meets (or, when `fail`, misses) its threshold row."""
    if rule is None:
        return Decimal(rng.randint(0, 1) if value_type == "bool" else rng.randint(0, 100))
    op, limit = rule.op, rule.value
    if op == "true":
        return Decimal(0 if fail else 1)
    if op == "zero":
        return Decimal(rng.randint(1, 5) if fail else 0)
    limit = Decimal(limit if limit is not None else 0)
    cap = Decimal(100) if value_type == "percent" else max(limit * 2, Decimal(10))
    if op == "ge":
        if fail:
            return (limit * Decimal(rng.uniform(0.5, 0.99))).quantize(Decimal("0.01"))
        return (limit + (cap - limit) * Decimal(rng.random())).quantize(Decimal("0.01"))
    if fail:
        return (limit * Decimal(rng.uniform(1.05, 1.6)) + 1).quantize(Decimal("0.01"))
    return (limit * Decimal(rng.random())).quantize(Decimal("0.01"))


class Draw:
    """Household draws under one standard and area: income and deprivations for a target class, classified by the
    standard's own rule (`poverty.standards.decide`, memoised per (income, count)). Deprivation lists come from a
    fixed pool per count (seeded), so a draw costs four random numbers."""

    POOL = 32

    def __init__(self, standard: Any, area: str, seed: int) -> None:
        from mtqg.poverty.standards import decide

        self.decide = decide
        self.lines = standard.lines[area]
        self.line = int(self.lines["line"])
        self.upper = int(self.lines.get("average_upper") or self.line * 3 // 2)
        self.cutoff = standard.deprivation_cutoff
        codes = [i["code"] for i in standard.indicators]
        self.n = len(codes)
        pool_rng = random.Random(f"{seed}-deps-{standard.code}-{area}")
        self.pools = [
            [json.dumps(pool_rng.sample(codes, count)) for _ in range(self.POOL)]
            for count in range(self.n + 1)
        ]
        self.cache: dict[tuple[int, int], str] = {}

    def __call__(self, rng: random.Random, p_poor: float, p_near: float) -> tuple[str, int, str, int]:
        rand = rng.random
        line, upper, cutoff = self.line, self.upper, self.cutoff or 0
        r = rand()
        if r < p_poor:
            lo, hi, c_lo, c_hi = line * 4 // 10, line, cutoff, min(self.n, cutoff + 3)
        elif r < p_poor + p_near:
            lo, hi, c_lo, c_hi = line * 5 // 10, line, 0, max(cutoff - 1, 0)
        elif r < p_poor + p_near + 0.08:
            lo, hi, c_lo, c_hi = line + 1, upper, 0, 3
        else:
            lo, hi, c_lo, c_hi = upper + 1, upper * 4, 0, 2
        income = (lo + int(rand() * (hi - lo + 1))) // 1000 * 1000
        count = min(self.n, c_lo + int(rand() * (c_hi - c_lo + 1)))
        deps = self.pools[count][int(rand() * self.POOL)]
        key = (income, count)
        cls = self.cache.get(key)
        if cls is None:
            cls = self.cache[key] = self.decide(self.lines, self.cutoff, income, count)
        return cls, income, deps, count


def _transition(before: str, now: str) -> str:
    if not before:
        return ""
    if before == "poor" and now != "poor":
        return "escaped_poor"
    if before == "near_poor" and now not in ("poor", "near_poor"):
        return "escaped_near_poor"
    if before not in ("poor", "near_poor") and now in ("poor", "near_poor"):
        return "new"
    return ""


def generate(scale: str, seed: int = 1, progress: Callable[[str], None] | None = None) -> Stats:
    """Generate (or regenerate) the synthetic country at a scale; deterministic for a (scale, seed)."""
    started = time.perf_counter()
    stats = Generator(scale, seed, progress=progress).run()
    stats.seconds["total"] = round(time.perf_counter() - started, 2)
    return stats
