"""Backups that restore: back up the test database (real units, ~25.000 rows) and uploaded files, restore into a
fresh database of the same kind, compare every table's row count and checksum; a tampered backup is refused."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase, override_settings

from mtqg.core.backup import backup_create, backup_restore
from mtqg.geo.models import UnitVersion

from .processes import manage


class BackupRestoreTest(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="mtqg-backup-test-"))
        self.media = self.tmp / "media"
        (self.media / "evidence").mkdir(parents=True)
        (self.media / "evidence" / "bien-ban.pdf").write_bytes(b"%PDF-1.4 bien ban giam sat\n%%EOF")

    def _target(self) -> tuple[str, object]:
        if connection.vendor == "sqlite":
            return f"sqlite:///{self.tmp / f'restored-{uuid.uuid4().hex[:6]}.sqlite3'}", None
        conf = connection.settings_dict
        name = f"mtqg_restore_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            host=conf["HOST"], port=conf["PORT"], user=conf["USER"], dbname="postgres", autocommit=True
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://{conf['USER']}@{conf['HOST']}:{conf['PORT']}/{name}", (admin, name)

    def test_backup_restores_with_identical_tables_and_files(self) -> None:
        with override_settings(MEDIA_ROOT=self.media):
            manifest = backup_create(self.tmp / "backup")
        self.assertGreater(manifest["tables"]["geo_unitversion"]["rows"], 14000)
        self.assertEqual(manifest["tables"]["geo_unitversion"]["rows"], UnitVersion.objects.count())
        url, cleanup = self._target()
        try:
            restored_media = self.tmp / "restored-media"
            outcome = backup_restore(self.tmp / "backup", target_url=url, media_root=restored_media)
            self.assertEqual(outcome["mismatches"], [])
            self.assertGreater(outcome["rows"], 25000)
            original = (self.media / "evidence" / "bien-ban.pdf").read_bytes()
            copy = (restored_media / "evidence" / "bien-ban.pdf").read_bytes()
            self.assertEqual(hashlib.sha256(original).digest(), hashlib.sha256(copy).digest())
            # restoring twice into the same SQLite file is refused rather than merged
            if connection.vendor == "sqlite":
                with self.assertRaises(ValidationError):
                    backup_restore(self.tmp / "backup", target_url=url, media_root=restored_media)
            # the commands, in their own processes, on the restored database: backup (SQLite online backup API /
            # pg_dump of a live database), then restore into a third database, verified table by table
            env = {"DATABASE_URL": url, "MEDIA_ROOT": str(restored_media), "DEBUG": "1"}
            run = manage(env, "backup", "--output", str(self.tmp / "again"))
            self.assertEqual(run.returncode, 0, run.stderr[-2000:])
            self.assertIn("Đã sao lưu", run.stdout)
            url3, cleanup3 = self._target()
            try:
                run = manage(
                    env,
                    "restore",
                    str(self.tmp / "again"),
                    "--target-url",
                    url3,
                    "--media-root",
                    str(self.tmp / "media3"),
                )
                self.assertEqual(run.returncode, 0, run.stderr[-2000:])
                self.assertIn("khớp", run.stdout)
                self.assertTrue((self.tmp / "media3" / "evidence" / "bien-ban.pdf").exists())
            finally:
                self._drop(cleanup3)
        finally:
            self._drop(cleanup)

    def _drop(self, cleanup: object) -> None:
        if cleanup is not None:
            admin, name = cleanup  # type: ignore[misc]
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

    def test_tampered_backup_is_refused(self) -> None:
        with override_settings(MEDIA_ROOT=self.media):
            backup_create(self.tmp / "b2", checksums=False)
        dump = next(p for p in (self.tmp / "b2").iterdir() if p.name.startswith("database"))
        with dump.open("ab") as fh:
            fh.write(b"garbage")
        with self.assertRaisesMessage(ValidationError, "bị thiếu hoặc đã bị thay đổi"):
            backup_restore(
                self.tmp / "b2",
                target_url="sqlite:///" + str(self.tmp / "x.sqlite3"),
                media_root=self.tmp / "m",
            )
        with self.assertRaisesMessage(ValidationError, "manifest.json"):
            backup_restore(
                self.tmp, target_url="sqlite:///" + str(self.tmp / "x.sqlite3"), media_root=self.tmp / "m"
            )

    def test_command_refuses_a_non_empty_directory(self) -> None:
        (self.tmp / "full").mkdir()
        (self.tmp / "full" / "x").write_text("x")

        with self.assertRaisesMessage(CommandError, "đã có dữ liệu"):
            call_command("backup", "--output", str(self.tmp / "full"))
        self.assertTrue(settings.MEDIA_ROOT)
