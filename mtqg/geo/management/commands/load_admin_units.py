import time

from django.core.management.base import BaseCommand

from mtqg.geo.loader import load_admin_units, load_schemes
from mtqg.geo.reference import load_ntm_regions


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính trước và sau 01/7/2025 từ gói vietnamadminunits, danh mục phân loại và vùng NTM của mọi xã (không cần mạng, chạy lại an toàn)."

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        result = load_admin_units()
        schemes = load_schemes()
        regions, regions_changed = load_ntm_regions()
        self.stdout.write(
            f"Đơn vị: tạo mới {result.created}, cập nhật {result.updated}; quan hệ kế thừa mới {result.lineage_created}; "
            f"danh mục phân loại {schemes}; vùng NTM: mới {regions}, cập nhật {regions_changed}; {time.monotonic() - started:.1f} giây."
        )
