"""The field app's offline rule (static/survey/engine.js, run by node) gives the same class, score, band and
deprivations as the Python engine on 300 random forms, both areas and two regions, under both form versions."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.test import TestCase

from mtqg.poverty.standards import load_standards
from mtqg.survey.definitions import evaluate, form_for, load_forms, questions, standard_of

ENGINE = Path(__file__).resolve().parents[1] / "static" / "survey" / "engine.js"


def _random_answers(rng: random.Random, qs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    answers: dict[str, Any] = {q["id"]: rng.random() < 0.04 for q in qs["a"]}
    for q in qs["b1"]:
        values = [o["value"] for o in q["options"]]
        if q["type"] == "multi":
            answers[q["id"]] = [v for v in values if rng.random() < 0.4]
        elif rng.random() < 0.95:
            answers[q["id"]] = rng.choice(values)
    for q in qs["b2"]:
        if rng.random() < 0.97:
            answers[q["id"]] = rng.random() < 0.3
    return answers


class EngineParityTest(TestCase):
    def test_js_engine_matches_python(self) -> None:
        node = shutil.which("node")
        self.assertIsNotNone(node, "node is needed to run the field app's engine")
        load_standards()
        load_forms()
        rng = random.Random(23)
        cases, expected = [], []
        for year in (2025, 2028):
            form = form_for(year)
            std = standard_of(form)
            qs = questions(form, std)
            payload = {
                "questions": qs,
                "definition": form.definition,
                "unconfirmed": form.unconfirmed,
                "unconfirmed_notes": form.unconfirmed_notes,
                "standard": {
                    "lines": std.lines,
                    "cutoff": std.deprivation_cutoff,
                    "indicators": std.indicators,
                },
            }
            for i in range(150):
                area, region = ("rural", "urban")[i % 2], ("", "tdmnpb")[i % 3 == 0]
                answers = _random_answers(rng, qs)
                result = evaluate(form, std, area=area, region=region, answers=answers)
                cases.append({"form": payload, "area": area, "region": region, "answers": answers})
                expected.append(
                    [
                        result.poverty_class,
                        result.b1_score,
                        result.band,
                        result.deprivations,
                        len(result.missing),
                        result.excluded_by_a,
                    ]
                )
        script = (
            f"const e = require({json.dumps(str(ENGINE))}); let s = ''; process.stdin.on('data', d => s += d);"
            "process.stdin.on('end', () => { const out = JSON.parse(s).map(c => { const r = e.evaluate(c.form, c.area, c.region, c.answers);"
            " return [r.class, r.b1_score, r.band, r.deprivations, r.missing.length, r.excluded_by_a]; });"
            " process.stdout.write(JSON.stringify(out)); });"
        )
        run = subprocess.run(
            [str(node), "-e", script],
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        got = json.loads(run.stdout)
        self.assertEqual(len(got), 300)
        classes = {e[0] for e in expected}
        self.assertGreaterEqual(len(classes), 3)  # the sample covers several classes
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            self.assertEqual(g, e, f"case {i}: {cases[i]['area']} {cases[i]['region']}")
