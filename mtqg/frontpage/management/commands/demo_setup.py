from django.core.management import call_command
from django.core.management.base import BaseCommand

from mtqg.geo.loader import load_schemes
from mtqg.geo.models import UnitVersion
from mtqg.geo.reference import load_ntm_regions


class Command(BaseCommand):
    help = "Chuẩn bị bản minh họa: migrate, nạp đơn vị hành chính (nếu chưa có), nạp dữ liệu minh họa."

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if UnitVersion.objects.filter(level=3).count() < 13000:
            self.stdout.write("Nạp đơn vị hành chính…")
            call_command("load_admin_units")
        else:
            self.stdout.write("Đơn vị hành chính đã có, chỉ cập nhật danh mục phân loại và vùng NTM.")
            load_schemes()
            load_ntm_regions()
        call_command("seed_demo")
        self.stdout.write("Mở http://127.0.0.1:8000 để đăng nhập.")
