from django.core.management.base import BaseCommand, CommandError

from mtqg.frontpage.demo import seed_all
from mtqg.geo.models import UnitVersion


class Command(BaseCommand):
    help = "Nạp dữ liệu minh họa (Điện Biên, Cao Bằng) và tài khoản mẫu. Chạy sau load_admin_units; chạy lại an toàn."

    def handle(self, *args: object, **options: object) -> None:
        if not UnitVersion.objects.filter(code="11", level=1).exists():
            raise CommandError("Chưa có đơn vị hành chính: chạy `manage.py load_admin_units` trước.")
        for line in seed_all(stdout=self.stdout):
            self.stdout.write(line)
