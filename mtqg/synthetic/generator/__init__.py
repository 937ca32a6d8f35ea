"""The synthetic country: deterministic records on the real administrative units of both structures.

Everything is built as RECORDS (indicator values, household reviews, payments, reports) from which the app's own
code computes the published figures: NTM statuses come from the engine's rule (`engine.evaluate`/`counts`, the same
rows `engine.recompute` writes — decision 0805), poverty classes from `poverty.standards.decide` (on PostgreSQL
through bands proven against it, decision 0804), recognitions from the computed assessments, tallies and dashboard
facts from the poverty and dashboards apps' own rebuilds. Parameters (scales, regional rates with citations, NTM
recognition curve) are data: mtqg/synthetic/data/profile.json.

Every synthetic row carries a marker (code prefix "SYN-" or a note/reference "SYN") so a re-run replaces exactly the
synthetic rows and nothing else; rows that would collide with existing (demo or real) records are skipped.

One step per domain, each a module with a function of the run's Context: clear, regions, poverty, ntm, finance,
workflow (then the poverty tallies, the NTM register recompute and the dashboard summaries); run.py is the
orchestrator.
"""

from ..rows import Row
from .base import MARK, SCALES, Commune, Context, Stats, load_profile
from .run import Generator, generate

__all__ = ["MARK", "SCALES", "Commune", "Context", "Generator", "Row", "Stats", "generate", "load_profile"]
