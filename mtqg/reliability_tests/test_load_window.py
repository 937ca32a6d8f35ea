"""The load test's steady-state window (benchmarks.load, LOAD_WARMUP): requests that started during the warm-up
are counted apart and kept out of the latencies and the request rate; their errors still count."""

import time

from django.test import SimpleTestCase

from benchmarks.load import Stats, summary


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
