"""Scan-store databases for the tests: a real SQLite file, and a real PostgreSQL server started here.

The PostgreSQL server is a throw-away cluster (initdb into a temporary directory) listening only on a
Unix socket in that directory, so it needs no port, no password and no system service. Run as root
(CI), the server runs as the unprivileged ``postgres`` user through ``runuser``, as PostgreSQL
refuses to run as root. The tests are skipped only when no PostgreSQL binaries are installed."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PG_PORT = 5433  # only names the socket file inside our private directory


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def postgres_server():
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries are not installed (apt-get install postgresql)")
    # under /tmp when root: the server user must be able to reach the directory (TMPDIR may be private),
    # and a short path keeps the socket name under the 107-character limit
    base = Path(tempfile.mkdtemp(prefix="nobackdoor-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        try:
            pg = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root needs the 'postgres' user (created by the postgresql package)")
        for p in (base, sock):
            os.chown(p, pg.pw_uid, pg.pw_gid)
    env = {**os.environ, "LC_ALL": "C"}
    subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                    "-E", "UTF8", "--no-sync"]), check=True, capture_output=True, env=env)
    options = f"-k {sock} -p {PG_PORT} -c listen_addresses='' -c fsync=off"
    start = subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                                            "-l", str(base / "server.log"), "start"]), capture_output=True, text=True,
                           env=env)
    if start.returncode != 0:
        log = (base / "server.log").read_text(errors="replace") if (base / "server.log").exists() else ""
        pytest.fail(f"PostgreSQL did not start: {start.stderr}\n{log}")
    try:
        yield {"socket_dir": str(sock), "port": PG_PORT}
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, env=env)
        shutil.rmtree(base, ignore_errors=True)


def _new_pg_database(server: dict) -> str:
    import psycopg

    name = f"nbd_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host=server["socket_dir"], port=server["port"], user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    # the plain postgresql:// form a user would type; the store picks the psycopg 3 driver itself
    return f"postgresql://postgres@/{name}?host={server['socket_dir']}&port={server['port']}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return _new_pg_database(request.getfixturevalue("postgres_server"))
