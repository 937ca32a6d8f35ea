"""Server-Timing header (`app;dur=<ms>, cpu;dur=<ms>`): the wall time Django spent on the request and the CPU time
its thread used (independent of how busy the machine is: the capacity figure), read by the load test
(benchmarks/load.py) to separate server time from client latency. Cheap (four clock reads); installed by
benchmarks/load_settings.py, and harmless in production if the lead adds it to MIDDLEWARE."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started, cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        took = (time.perf_counter() - started) * 1000
        used = (time.thread_time() - cpu) * 1000
        response["Server-Timing"] = f"app;dur={took:.1f}, cpu;dur={used:.1f}"
        return response
