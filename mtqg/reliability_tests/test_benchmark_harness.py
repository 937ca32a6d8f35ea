"""The benchmark harness itself: every timed figure is a median of ≥ 5 runs that keeps its spread,
ours and the baseline alternate, the database settings are read from the server, and docs/benchmarks.md's figures
are rendered from the results files (nothing between the markers survives a re-render)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import setup_test_environment

from benchmarks import render
from benchmarks.common import Timing, ensure_test_environment, paired, rates, result, timed
from benchmarks.demo_timing import rows_from_runs
from benchmarks.run import _db_settings, modules
from benchmarks.workflow_completeness import _cpu


class TimingTests(SimpleTestCase):
    def test_timed_runs_at_least_five_times_and_keeps_the_samples(self) -> None:
        calls: list[int] = []
        t = timed(lambda: calls.append(1), repeat=3)
        self.assertEqual(len(calls), 6)  # one warm-up + 5, although 3 were asked for
        self.assertEqual(len(t.samples), 5)
        self.assertEqual(float(t), sorted(t.samples)[2])

    def test_paired_alternates_ours_and_the_baseline(self) -> None:
        order: list[str] = []
        ours, theirs = paired(lambda: order.append("o"), lambda: order.append("t"), warmup=False)
        self.assertEqual(order, ["o", "t"] * 5)
        self.assertEqual((len(ours.samples), len(theirs.samples)), (5, 5))

    def test_result_records_median_min_max_of_value_and_baseline(self) -> None:
        row = result(
            "x.y",
            Timing([0.3, 0.1, 0.2, 0.5, 0.4]),
            "s",
            baseline=Timing([1.0, 2.0, 3.0, 4.0, 6.0]),
            target=0.25,
        )
        self.assertEqual((row["value"], row["n"], row["min"], row["max"]), (0.3, 5, 0.1, 0.5))
        self.assertEqual((row["baseline"], row["baseline_min"], row["baseline_max"]), (3.0, 1.0, 6.0))
        self.assertEqual(row["ratio"], 10.0)
        self.assertFalse(row["target_met"])
        single = result("x.z", 0.5, "s")
        self.assertEqual(single["n"], 1)
        self.assertNotIn("min", single)

    def test_cpu_figures_are_medians_of_five_with_their_samples(self) -> None:
        calls: list[int] = []
        t = _cpu(lambda: calls.append(1), repeat=3)
        self.assertEqual(len(calls), 6)  # one warm-up + 5, although 3 were asked for
        self.assertEqual(result("w.cpu", t, "s")["n"], 5)

    def test_make_bench_runs_only_modules_with_an_entry_point(self) -> None:
        names = modules()
        self.assertEqual(names[:2], ["benchmarks.geo_units", "benchmarks.scale"])
        self.assertIn("benchmarks.survey_campaign", names)  # an extra module with run(): picked up
        for tool in ("import_work", "test_timing", "demo_timing", "load", "render", "common"):
            self.assertNotIn(f"benchmarks.{tool}", names)  # standalone tools: no run()/results(), not steps

    def test_the_test_environment_can_be_asked_for_twice(self) -> None:
        # pytest-django has set it up already, like the first of two steps of benchmarks.dashboards
        with self.assertRaises(RuntimeError):
            setup_test_environment()  # what page_cpu() called after pages(): the dashboards module failed
        ensure_test_environment()
        ensure_test_environment()

    def test_rates_convert_each_sample(self) -> None:
        r = rates(100, Timing([1.0, 2.0, 4.0, 5.0, 10.0]))
        self.assertEqual(sorted(r.samples), [10.0, 20.0, 25.0, 50.0, 100.0])
        self.assertEqual(float(r), 25.0)


class SettingsTests(TestCase):
    def test_database_settings_are_read_from_the_server(self) -> None:
        (row,) = _db_settings()
        detail = row["detail"]
        self.assertEqual(row["unit"], "settings")
        self.assertEqual(detail["vendor"], connection.vendor)
        self.assertEqual(detail["django_debug"], settings.DEBUG)  # the in-process modules' DEBUG, stated
        if connection.vendor == "postgresql":
            for key in ("fsync", "synchronous_commit", "full_page_writes"):
                self.assertIn(detail[key], ("on", "off", "local", "remote_write", "remote_apply"))
        else:
            self.assertIn("journal_mode", detail)
            self.assertIn("synchronous", detail)


class RenderTests(SimpleTestCase):
    def _report(self, folder: Path) -> Path:
        rows = [
            {"name": "database.settings", "db": "postgresql", "value": None, "unit": "settings",
             "detail": {"vendor": "postgresql", "fsync": "on", "synchronous_commit": "on"}},
            {**result("scale.a", Timing([0.1, 0.2, 0.3, 0.4, 0.5]), "s", baseline=Timing([1, 2, 3, 4, 5]),
                      baseline_name="one grouped ORM query", target=0.2), "db": "postgresql"},
            {**result("scale.b", 1.2345, "s"), "db": "sqlite"},
        ]  # fmt: skip
        report = {"date": "2026-12-06T05:00:00+00:00", "scale": "province", "host": "2 CPU",
                  "load_average_start": "7.1 6.0 5.2", "load_average_end": "8.0 7.0 6.0", "method": "m",
                  "results": rows}  # fmt: skip
        path = folder / "2026-12-06-province.json"
        path.write_text(json.dumps(report), encoding="utf-8")
        return path

    def test_table_has_median_spread_baseline_settings_and_load(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            text = render.render([self._report(Path(tmp))])
        self.assertIn("| scale.a | postgresql | 0,300 | 0,100–0,500 (5) | s | one grouped ORM query: 3,000 "
                      "(1,000–5,000) | 10,000 | 0,200 | **NO** |", text)  # fmt: skip
        self.assertIn("| scale.b | sqlite | 1,234 | 1 run |", text)
        self.assertIn("fsync=on, synchronous_commit=on", text)
        self.assertIn("7.1 6.0 5.2", text)
        self.assertNotIn("database.settings |", text)
        self.assertNotIn("not recorded", text)

    def test_setup_steps_are_labelled_not_passed_off_as_medians(self) -> None:
        rows = [result("synthetic.generate_province", 120.0, "s"), result("geo.load_admin_units_fresh", 9.0, "s"),
                result("geo.load_admin_units_rerun", 2.0, "s")]  # fmt: skip
        text = render.table({"results": rows})
        self.assertIn(
            "| synthetic.generate_province |  | 120 | 1 run (setting up the database, once per run) |", text
        )
        self.assertIn("| geo.load_admin_units_fresh |  | 9,000 | 1 run (setting up", text)
        self.assertIn("| geo.load_admin_units_rerun |  | 2,000 | 1 run |", text)

    def test_a_file_without_settings_says_so(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "2026-12-06-test.json"
            report = {"date": "d", "scale": "test", "results": [result("test.x", 1.0, "s")]}
            path.write_text(json.dumps(report), encoding="utf-8")
            self.assertIn("- Database settings: not recorded in this file.", render.render([path]))

    def test_update_doc_replaces_only_the_generated_part(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            path = self._report(folder)
            doc = folder / "benchmarks.md"
            doc.write_text(f"head\n{render.BEGIN}\n| hand | written | 22,4× |\n{render.END}\ntail\n")
            self.assertTrue(render.update_doc(doc, [path]))
            text = doc.read_text()
            self.assertFalse(render.update_doc(doc, [path]))  # idempotent
        self.assertTrue(text.startswith("head\n") and text.endswith("tail\n"))
        self.assertNotIn("22,4×", text)
        self.assertIn("scale.a", text)


class DemoTimingTests(SimpleTestCase):
    @staticmethod
    def _run(total: float, answered: bool = True) -> dict[str, object]:
        return {"commit": "c", "clone_s": 0.5, "install_s": total / 3 if answered else None,
                "setup_and_serve_s": total * 2 / 3 - 0.5 if answered else None,
                "total_s": total if answered else None, "answered": answered, "log_tail": "make: *** Error 2",
                "pip_cache_dir": "/root/.cache/pip", "pip_cache_mib_before": 0.0, "pip_sources": []}  # fmt: skip

    def test_make_demo_figures_are_medians_of_every_fresh_clone(self) -> None:
        rows = rows_from_runs([self._run(t) for t in (90.0, 60.0, 75.0, 120.0, 81.0)])
        total = rows[0]
        self.assertEqual(total["name"], "demo.fresh_clone_to_answer")
        self.assertEqual((total["value"], total["n"], total["min"], total["max"]), (81.0, 5, 60.0, 120.0))
        self.assertTrue(total["target_met"])
        self.assertEqual(rows[1]["value"], 27.0)  # the install's own median
        self.assertEqual(len(total["detail"]["runs"]), 5)
        self.assertNotIn("log_tail", total["detail"]["runs"][0])
        self.assertNotIn("error", total)

    def test_a_run_whose_server_never_answered_is_an_error(self) -> None:
        rows = rows_from_runs([self._run(80.0), self._run(0.0, answered=False)])
        self.assertTrue(all("1 of 2 runs" in row["error"] for row in rows))
        self.assertIn("Error 2", rows[0]["error"])
        self.assertEqual(rows[0]["n"], 1)

    def test_the_demo_database_settings_are_a_row_of_the_file(self) -> None:
        run = {
            **self._run(80.0),
            "db_settings": {"vendor": "sqlite", "journal_mode": "wal", "synchronous": 1},
        }
        rows = rows_from_runs([run])
        self.assertEqual((rows[0]["name"], rows[0]["unit"]), ("database.settings", "settings"))
        self.assertEqual(rows[0]["detail"]["journal_mode"], "wal")
        self.assertNotIn("db_settings", rows[1]["detail"]["runs"][0])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "2026-12-06-demo.json"
            path.write_text(json.dumps({"date": "d", "scale": "demo", "results": rows}), encoding="utf-8")
            self.assertIn("- Database `sqlite`: vendor=sqlite, journal_mode=wal", render.render([path]))
