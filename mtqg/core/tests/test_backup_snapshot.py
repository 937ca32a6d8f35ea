"""Backups under load, damaged backups (decision 0915).

The manifest is computed from the copy, so users logging in during `backup` do not make the restore report a
mismatch; a truncated manifest.json and a corrupt database file are refused with a message.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase, override_settings

from mtqg.core.backup import backup_create, backup_restore

from .processes import manage


class BackupSnapshotTest(TestCase):
    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="mtqg-backup-load-"))
        self.media = self.tmp / "media"
        self.media.mkdir()
        self.cleanups: list[Any] = []

    def tearDown(self) -> None:
        for admin, name in self.cleanups:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

    def _target(self) -> str:
        if connection.vendor == "sqlite":
            return f"sqlite:///{self.tmp / f'db-{uuid.uuid4().hex[:6]}.sqlite3'}"
        conf = connection.settings_dict
        name = f"mtqg_load_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(
            host=conf["HOST"], port=conf["PORT"], user=conf["USER"], dbname="postgres", autocommit=True
        )
        admin.execute(f'CREATE DATABASE "{name}"')
        self.cleanups.append((admin, name))
        return f"postgres://{conf['USER']}@{conf['HOST']}:{conf['PORT']}/{name}"

    def _logins(self, url: str, stop: threading.Event, counter: list[int]) -> None:
        """Users logging in: one new session row every few milliseconds, each committed."""
        if url.startswith("sqlite"):
            db: Any = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30, isolation_level=None)
            sql = "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (?, ?, ?)"
        else:
            db = psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)
            sql = "INSERT INTO django_session (session_key, session_data, expire_date) VALUES (%s, %s, %s)"
        while not stop.is_set():
            try:
                db.execute(sql, (uuid.uuid4().hex, "x", "2030-01-01 00:00:00+00:00"))
                counter[0] += 1
            except (sqlite3.OperationalError, psycopg.OperationalError):
                pass  # the backup holds the database for a moment
            time.sleep(0.003)
        db.close()

    def test_backup_while_users_log_in_restores_verified(self) -> None:
        with override_settings(MEDIA_ROOT=self.media):
            backup_create(self.tmp / "seed", checksums=False)
        live = self._target()
        backup_restore(self.tmp / "seed", target_url=live, media_root=self.tmp / "m1", verify=False)
        stop, counter = threading.Event(), [0]
        writer = threading.Thread(target=self._logins, args=(live, stop, counter))
        writer.start()
        try:
            time.sleep(0.2)
            env = {"DATABASE_URL": live, "DEBUG": "1", "MEDIA_ROOT": str(self.media)}
            run = manage(env, "backup", "--output", str(self.tmp / "under-load"))
            time.sleep(0.2)
        finally:
            stop.set()
            writer.join()
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        self.assertGreater(counter[0], 20, "the writer did not write during the backup")
        outcome = backup_restore(
            self.tmp / "under-load", target_url=self._target(), media_root=self.tmp / "m2"
        )
        self.assertEqual(outcome["mismatches"], [])

    def _backup(self, name: str) -> Path:
        with override_settings(MEDIA_ROOT=self.media):
            backup_create(self.tmp / name, checksums=False)
        return self.tmp / name

    def test_truncated_manifest_is_a_clear_message(self) -> None:
        source = self._backup("truncated")
        manifest = source / "manifest.json"
        text = manifest.read_text(encoding="utf-8")
        manifest.write_text(text[: len(text) // 2], encoding="utf-8")
        with self.assertRaisesMessage(ValidationError, "manifest.json"):
            backup_restore(source, target_url=self._target(), media_root=self.tmp / "m")
        try:
            backup_restore(source, target_url=self._target(), media_root=self.tmp / "m")
        except ValidationError as exc:
            self.assertIn("bị hỏng hoặc không đầy đủ", exc.messages[0])

    def test_a_corrupt_database_file_is_refused_by_the_integrity_check(self) -> None:
        """Damaged before the manifest was written (a bad disk): the checksums match, the database's own check
        does not."""
        source = self._backup("corrupt")
        db_file = next(p for p in source.iterdir() if p.name.startswith("database"))
        data = bytearray(db_file.read_bytes())
        start = 8192 if connection.vendor == "sqlite" else 64
        data[start : start + 4096] = b"\xab" * 4096
        db_file.write_bytes(bytes(data))
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
        manifest["files"][db_file.name] = hashlib.sha256(bytes(data)).hexdigest()
        (source / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        with self.assertRaisesMessage(ValidationError, "bị hỏng"):
            backup_restore(source, target_url=self._target(), media_root=self.tmp / "m")
