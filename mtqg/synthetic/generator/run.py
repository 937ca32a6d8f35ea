"""The orchestrator: loads the reference data, then runs the steps in order, each timed and (most) atomic.

clear → regions → poverty (on PostgreSQL in a thread of its own, decision 0804) ∥ ntm → finance → workflow →
analyze → poverty tally → ntm register → dashboard summaries; then one ChangeRecord on the country."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, transaction

from mtqg.core.audit import record_change
from mtqg.dashboards.services import summaries_rebuild
from mtqg.finance.loader import load_programs
from mtqg.finance.models import Program
from mtqg.geo.models import UnitVersion
from mtqg.ntm.loader import load_all
from mtqg.poverty.models import PovertyStandard
from mtqg.poverty.standards import load_standards
from mtqg.workflow.calendar import load_calendars

from . import clear, finance, ntm, poverty, regions, workflow
from .base import Context, Stats


class Generator(Context):
    def run(self) -> Stats:
        load_all()
        if not PovertyStandard.objects.exists():
            load_standards()
        if not Program.objects.exists():
            load_programs()
        load_calendars([self.profile["workflow"]["year"]])
        self.old = self.communes("pre2025")
        self.new = self.communes("2025")
        self._step("clear", clear.clear)
        self._step("regions", regions.regions)
        parallel = bool(self.cfg.get("parallel")) and connection.vendor == "postgresql"
        errors: list[BaseException] = []
        worker = None
        if (
            parallel
        ):  # poverty (server-side SQL) on its own connection while NTM runs in Python (decision 0804)
            worker = threading.Thread(target=self._step_in_thread, args=("poverty", poverty.build, errors))
            worker.start()
        try:
            if not parallel:
                self._step("poverty", poverty.build)
            self._step("ntm", ntm.build)
            self._step("finance", finance.build)
            self._step("workflow", workflow.build)
        finally:
            if worker is not None:
                worker.join()
        if errors:
            raise errors[0]
        self._step("analyze", analyze, atomic=False)
        self._step("poverty_tally", poverty.tally)
        self._step("ntm_register", ntm.register)
        if self.cfg.get("summaries", True):
            self._step("summaries", summaries, atomic=False)
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

    def _step(self, name: str, step: Callable[[Context], None], *, atomic: bool = True) -> None:
        started = time.perf_counter()
        self.say(f"{name}…")
        if atomic:
            with transaction.atomic():
                step(self)
        else:
            step(self)
        self.stats.seconds[name] = round(time.perf_counter() - started, 2)
        self.say(f"{name}: {self.stats.seconds[name]} s")

    def _step_in_thread(
        self, name: str, step: Callable[[Context], None], errors: list[BaseException]
    ) -> None:
        try:
            self._step(name, step)
        except BaseException as exc:  # re-raised by run() in the main thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection


def analyze(g: Context) -> None:
    """PostgreSQL: fresh planner statistics (sampled; VACUUM is left to autovacuum)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def summaries(g: Context) -> None:
    """The dashboards' summary facts, rebuilt for the whole country (`manage.py rebuild_summaries`)."""
    g.stats.counts["summary_facts"] += int(summaries_rebuild(actor=None)["facts"])


def generate(scale: str, seed: int = 1, progress: Callable[[str], None] | None = None) -> Stats:
    """Generate (or regenerate) the synthetic country at a scale; deterministic for a (scale, seed)."""
    started = time.perf_counter()
    stats = Generator(scale, seed, progress=progress).run()
    stats.seconds["total"] = round(time.perf_counter() - started, 2)
    return stats
