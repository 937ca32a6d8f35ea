"""The load test's steady-state window (benchmarks.load, LOAD_WARMUP): requests that started during the warm-up
are counted apart and kept out of the latencies and the request rate; their errors still count. The window's CPU
is measured on both sides, the load generator's own included (decision 0851)."""

import subprocess
import time

from django.test import SimpleTestCase

from benchmarks.load import Stats, cpu_rows, cpu_snapshot, cpu_window, summary


class LoadWindowTests(SimpleTestCase):
    def test_warmup_requests_are_kept_out_of_the_figures_but_errors_count(self) -> None:
        stats = Stats()
        stats.since = time.perf_counter() - 1.0  # the window opened a second ago
        stats.add("dash.unit", 200, {"server-timing": "app;dur=900"}, 5.0, True)  # started before: warm-up
        stats.add("dash.unit", 599, {}, 5.0, False)  # a warm-up time-out
        stats.add("dash.unit", 200, {"server-timing": "app;dur=40, cpu;dur=8"}, 0.05, True)  # in the window
        self.assertEqual(stats.warmup_requests, 2)
        self.assertEqual(stats.requests, 1)
        self.assertEqual(stats.client["dash.unit"], [0.05])
        self.assertEqual(stats.server["dash.unit"], [0.04])
        self.assertEqual(stats.errors, {"dash.unit 599": 1})
        self.assertEqual(summary(stats)["dash.unit"]["errors"], 1)

    def test_without_warmup_every_request_is_measured(self) -> None:
        stats = Stats()
        stats.add("dash.index", 302, {"location": "/dashboards/u/1/"}, 0.01, True)
        self.assertEqual((stats.requests, stats.warmup_requests), (1, 0))


class LoadCpuTests(SimpleTestCase):
    databases = {"default"}  # on PostgreSQL the snapshot also reads the backends serving the load (none here)

    def test_the_windows_cpu_is_given_per_side_in_cores_and_share_of_the_machine(self) -> None:
        before = {"app": 10.0, "db": 4.0, "worker": 1.0, "client": 3.0, "wall": 100.0}
        after = {"app": 70.0, "db": 22.0, "worker": 2.5, "client": 66.0, "wall": 190.0}  # a 90-s window
        window = cpu_window(before, after, cores=2)
        self.assertEqual(window["cpu_window_s"], 90.0)
        self.assertEqual(window["client_cpu_s"], 63.0)
        self.assertEqual(window["client_cpu_cores"], 0.7)
        self.assertEqual(window["client_cpu_share"], 0.35)
        self.assertEqual(window["server_cpu_cores"], 0.867)  # (60 + 18) / 90
        self.assertEqual(window["server_cpu_share"], 0.433)
        self.assertEqual(window["worker_cpu_s"], 1.5)
        rows = {r["name"]: (r["value"], r["unit"]) for r in cpu_rows(window)}
        self.assertEqual(
            rows, {"load.client_cpu_cores": (0.7, "cores"), "load.server_cpu_cores": (0.867, "cores")}
        )

    def test_the_snapshot_counts_this_process_as_the_client_and_not_the_servers(self) -> None:
        # a tiny "server" that only sleeps: whatever CPU this process burns is the client's, none is the app's
        server = subprocess.Popen(["sleep", "5"])
        try:
            before = cpu_snapshot(server, None)
            busy = time.process_time() + 0.2
            while time.process_time() < busy:
                pass
            window = cpu_window(before, cpu_snapshot(server, None), cores=2)
        finally:
            server.kill()
            server.wait()
        self.assertGreaterEqual(window["client_cpu_s"], 0.2)
        self.assertLess(window["server_cpu_cores"] * 10, window["client_cpu_cores"])
