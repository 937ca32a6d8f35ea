"""What every step of the synthetic country shares: the profile, the marker, name pools, the units it works on
(`Context`) and raw inserts (`Row`)."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtqg.geo.models import UnitVersion

PROFILE_FILE = Path(__file__).resolve().parent.parent / "data" / "profile.json"
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


class Context:
    """The run's parameters and units: each step reads them (and adds to `stats`); `old`/`new` are the communes of
    the pre-2025 and 2025 structures, set by the orchestrator before the steps run."""

    old: list[Commune]
    new: list[Commune]

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

    def rng(self, *key: Any) -> random.Random:
        return random.Random("-".join(map(str, (self.seed, *key))))
