"""Backups that restore: the database (SQLite online backup API, PostgreSQL pg_dump/pg_restore) plus uploaded
files, with a manifest of row counts and per-table checksums that a restore is verified against.

A backup directory holds `database.sqlite3` or `database.dump` (pg_dump custom format), `media.tar.gz`, and
`manifest.json` {created_at, vendor, tables: {table: {rows, sha256}}, files: {name: sha256}}."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url
import psycopg
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_fingerprints(alias: str = "default", *, checksums: bool = True) -> dict[str, dict[str, Any]]:
    """Row count and a checksum of every model table (rows ordered by primary key, every concrete column)."""
    out: dict[str, dict[str, Any]] = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        if table in out:
            continue
        qs = model._base_manager.using(alias).order_by("pk")
        entry: dict[str, Any] = {"rows": qs.count()}
        if checksums:
            digest = hashlib.sha256()
            columns = [f.attname for f in model._meta.concrete_fields]
            for row in qs.values_list(*columns).iterator(chunk_size=5000):
                digest.update(repr(row).encode())
                digest.update(b"\n")
            entry["sha256"] = digest.hexdigest()
        out[table] = entry
    return out


def _pg_env_args(conf: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-h", str(conf.get("HOST") or "127.0.0.1"), "-p", str(conf.get("PORT") or 5432)]
    if conf.get("USER"):
        args += ["-U", str(conf["USER"])]
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin"}
    if conf.get("PASSWORD"):
        env["PGPASSWORD"] = str(conf["PASSWORD"])
    return args, env


def _url_of(conf: dict[str, Any]) -> str:
    """A DATABASE_URL for the connection settings (handed to the child process that fingerprints a copy)."""

    if conf["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{conf['NAME']}"
    auth = quote(str(conf.get("USER") or ""), safe="")
    if conf.get("PASSWORD"):
        auth += ":" + quote(str(conf["PASSWORD"]), safe="")
    host = f"{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}"
    return f"postgres://{auth}@{host}/{quote(str(conf['NAME']), safe='')}"


def backup_create(output: Path, *, checksums: bool = True) -> dict[str, Any]:
    """Write a backup of the default database and the media directory into `output` (created, must be empty).

    The manifest describes exactly what was copied (decision 0915): SQLite is copied first (online backup API, one
    consistent snapshot) and the manifest is computed from the copy; PostgreSQL is dumped from a snapshot exported
    by a REPEATABLE READ transaction (`pg_dump --snapshot`) and the manifest is computed in that same snapshot. Users
    writing during the backup therefore cannot make the restore's verification fail."""
    output.mkdir(parents=True, exist_ok=True)
    if any(output.iterdir()):
        raise ValidationError(
            _("Thư mục sao lưu %(dir)s đã có dữ liệu; chọn thư mục trống.") % {"dir": output}
        )
    connection = connections["default"]
    vendor = connection.vendor
    manifest: dict[str, Any] = {"created_at": timezone.now().isoformat(), "vendor": vendor, "files": {}}
    if vendor == "sqlite":
        connection.ensure_connection()
        db_file = output / "database.sqlite3"
        target = sqlite3.connect(db_file)
        if connection.in_atomic_block:
            # the online backup API waits forever on a shared in-memory database whose own connection holds a
            # write transaction (a test run); copy through that connection's view instead
            with target:
                target.executescript("\n".join(connection.connection.iterdump()))
        else:
            with target:
                connection.connection.backup(target)
        target.close()
        manifest["tables"] = fingerprints_of(f"sqlite:///{db_file}", checksums=checksums)
    elif vendor == "postgresql":
        conf = connection.settings_dict
        args, env = _pg_env_args(conf)
        db_file = output / "database.dump"
        manifest["tables"] = _pg_dump_snapshot(conf, db_file, args, env, checksums=checksums)
    else:  # pragma: no cover - only the two supported vendors
        raise ValidationError(_("Chưa hỗ trợ sao lưu cơ sở dữ liệu %(v)s.") % {"v": vendor})
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(output / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(str(media), arcname="media")
    for path in sorted(output.iterdir()):
        manifest["files"][path.name] = _file_sha256(path)
    (output / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return manifest


def _pg_dump_snapshot(
    conf: dict[str, Any], db_file: Path, args: list[str], env: dict[str, str], *, checksums: bool
) -> dict[str, dict[str, Any]]:
    """pg_dump and the fingerprints from one exported snapshot, held open by a separate connection."""

    holder = psycopg.connect(
        host=conf.get("HOST") or "127.0.0.1",
        port=conf.get("PORT") or 5432,
        user=conf.get("USER") or None,
        password=conf.get("PASSWORD") or None,
        dbname=conf["NAME"],
    )
    try:
        holder.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = holder.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        snapshot = str(row[0])
        subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                f"--snapshot={snapshot}",
                "-f",
                str(db_file),
                *args,
                str(conf["NAME"]),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        return fingerprints_of(_url_of(dict(conf)), checksums=checksums, snapshot=snapshot)
    finally:
        holder.rollback()
        holder.close()


def fingerprints_of(url: str, *, checksums: bool, snapshot: str = "") -> dict[str, dict[str, Any]]:
    """Fingerprints of another database, computed by the same code in a child process pointed at it (so the
    values pass through exactly the conversions the backup's manifest went through). `snapshot`: a PostgreSQL
    exported snapshot to read in."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "mtqg.settings"}
    args = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "table_fingerprints"]
    if not checksums:
        args.append("--no-checksums")
    if snapshot:
        args += ["--snapshot", snapshot]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=3600)
    if done.returncode != 0:
        raise ValidationError(
            _("Không kiểm tra được cơ sở dữ liệu đích: %(err)s") % {"err": done.stderr[-500:]}
        )
    return json.loads(done.stdout)


def _read_manifest(path: Path) -> dict[str, Any]:
    """The manifest, or a clear message when it is truncated or not ours (not a raw JSONDecodeError)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not {"vendor", "files", "tables"} <= set(manifest):
            raise ValueError("keys")
        return manifest
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError(
            _(
                "Tệp manifest.json trong %(dir)s bị hỏng hoặc không đầy đủ (có thể bị cắt khi sao chép); "
                "không khôi phục. Hãy dùng một bản sao lưu khác."
            )
            % {"dir": path.parent}
        ) from exc


def _sqlite_integrity(path: Path) -> None:
    """SQLite's own check of the copied database file (PRAGMA integrity_check) before anything is restored."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = db.execute("PRAGMA integrity_check").fetchall()
        finally:
            db.close()
        problems = [str(r[0]) for r in rows if str(r[0]) != "ok"]
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems:
        raise ValidationError(
            _("Tệp cơ sở dữ liệu của bản sao lưu bị hỏng (kiểm tra toàn vẹn SQLite): %(p)s. Không khôi phục.")
            % {"p": "; ".join(problems[:3])[:300]}
        )


def backup_restore(source: Path, *, target_url: str, media_root: Path, verify: bool = True) -> dict[str, Any]:
    """Restore a backup into the (empty) database at `target_url` and `media_root`; verify against the manifest.
    Returns {"tables": n, "rows": n, "mismatches": [...]}; raises ValidationError on a damaged backup."""
    manifest_path = source / "manifest.json"
    if not manifest_path.exists():
        raise ValidationError(
            _("Không tìm thấy manifest.json trong %(dir)s: không phải bản sao lưu MTQG.") % {"dir": source}
        )
    manifest = _read_manifest(manifest_path)
    for name, digest in manifest["files"].items():
        if not (source / name).exists() or _file_sha256(source / name) != digest:
            raise ValidationError(
                _("Tệp %(name)s của bản sao lưu bị thiếu hoặc đã bị thay đổi.") % {"name": name}
            )
    conf = dj_database_url.parse(target_url)
    engine = conf["ENGINE"]
    if manifest["vendor"] == "sqlite":
        if "sqlite" not in engine:
            raise ValidationError(_("Bản sao lưu SQLite chỉ khôi phục được vào SQLite."))
        target_file = Path(str(conf["NAME"]))
        if target_file.exists() and target_file.stat().st_size > 0:
            raise ValidationError(
                _("Tệp cơ sở dữ liệu đích %(f)s đã tồn tại; chọn tệp mới.") % {"f": target_file}
            )
        _sqlite_integrity(source / "database.sqlite3")
        src = sqlite3.connect(source / "database.sqlite3")
        dst = sqlite3.connect(target_file)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        if "postgresql" not in engine:
            raise ValidationError(_("Bản sao lưu PostgreSQL chỉ khôi phục được vào PostgreSQL."))
        args, env = _pg_env_args(dict(conf))
        listed = subprocess.run(  # reads the whole archive's table of contents: a damaged dump fails here
            ["pg_restore", "--list", str(source / "database.dump")],
            capture_output=True,
            text=True,
            check=False,
        )
        if listed.returncode != 0:
            raise ValidationError(
                _("Tệp sao lưu PostgreSQL bị hỏng, không khôi phục: %(err)s")
                % {"err": listed.stderr.strip()[:300]}
            )
        done = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "-d",
                str(conf["NAME"]),
                *args,
                str(source / "database.dump"),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ValidationError(
                _("Khôi phục PostgreSQL thất bại: %(err)s") % {"err": done.stderr.strip()[:500]}
            )
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz", "r:gz") as tar:
        staging = media_root.parent / f".restore-{media_root.name}"
        shutil.rmtree(staging, ignore_errors=True)
        tar.extractall(staging, filter="data")
        restored = staging / "media"
        if restored.exists():
            shutil.copytree(restored, media_root, dirs_exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    mismatches: list[str] = []
    total_rows = 0
    if verify:
        expected = manifest["tables"]
        actual = fingerprints_of(target_url, checksums=all("sha256" in t for t in expected.values()))
        for table, want in expected.items():
            got = actual.get(table)
            if got != want:
                mismatches.append(table)
            total_rows += want["rows"]
    return {"tables": len(manifest["tables"]), "rows": total_rows, "mismatches": mismatches}
