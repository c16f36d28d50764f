"""A throw-away PostgreSQL primary with streaming replicas, for the replica tests and bench.

Everything lives in a temporary folder and on free ports of 127.0.0.1: ``initdb`` makes a primary
(wal_level replica, a ``replication`` line in its pg_hba.conf), ``pg_basebackup -R`` copies it into
each replica, which ``pg_ctl`` starts as a hot standby.  The shared PostgreSQL server is not
touched.  PostgreSQL refuses to run as root: as root, the commands run as the ``postgres`` user.

    with ReplicaCluster() as cluster:
        cluster.start_primary(); cluster.add_replica()
        cluster.primary_url, cluster.replica_urls
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import sqlalchemy as sa

DATABASE = "registry"
TOOLS = ("initdb", "pg_ctl", "pg_basebackup")


def _tool_folder() -> str | None:
    """The folder holding PostgreSQL's server tools (Debian keeps them off the PATH)."""
    on_path = os.path.dirname(shutil.which("initdb") or "/nonexistent/initdb")
    for folder in [*sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True), on_path]:
        if all(os.access(os.path.join(folder, tool), os.X_OK) for tool in TOOLS):
            return folder
    return None


def unavailable_reason() -> str | None:
    """Why no cluster can be started here, or None."""
    if _tool_folder() is None:
        return "PostgreSQL's initdb, pg_ctl and pg_basebackup are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ReplicaCluster:
    def __init__(self):
        self.tools = _tool_folder()
        self.folder = tempfile.mkdtemp(prefix="registry-replicas-")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self.primary_port: int | None = None
        self.replicas: list[tuple[str, int]] = []  # (data folder, port)
        self._started: list[str] = []

    def _run(self, tool: str, *args: str) -> None:
        command = [os.path.join(self.tools, tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.folder)
        if result.returncode:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr or result.stdout}")

    def _start(self, data: str) -> None:
        self._run("pg_ctl", "-D", data, "-l", os.path.join(self.folder, os.path.basename(data) + ".log"),
                  "-w", "-t", "60", "start")
        self._started.append(data)

    @staticmethod
    def url(port: int, database: str = DATABASE) -> str:
        return f"postgresql+psycopg://root@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_urls(self) -> list[str]:
        return [self.url(port) for _, port in self.replicas]

    def start_primary(self) -> str:
        data = os.path.join(self.folder, "primary")
        self.primary_port = _free_port()
        self._run("initdb", "-D", data, "-U", "root", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        with open(os.path.join(data, "postgresql.conf"), "a") as conf:
            conf.write(f"port = {self.primary_port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.folder}'\nwal_level = replica\n"
                       "max_wal_senders = 8\nhot_standby = on\nfsync = off\nsynchronous_commit = off\n"
                       "full_page_writes = off\nshared_buffers = 32MB\nmax_connections = 60\n")
        with open(os.path.join(data, "pg_hba.conf"), "a") as hba:
            hba.write("host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n")
        self._start(data)
        admin = sa.create_engine(self.url(self.primary_port, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
        admin.dispose()
        return self.primary_url

    def add_replica(self) -> str:
        """A hot standby streaming from the primary as it is now (schema and rows included)."""
        data = os.path.join(self.folder, f"replica{len(self.replicas) + 1}")
        port = _free_port()
        self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "root",
                  "-D", data, "-R", "-X", "stream", "-c", "fast", "--no-sync")
        with open(os.path.join(data, "postgresql.auto.conf"), "a") as conf:
            conf.write(f"port = {port}\n")
        self._start(data)
        self.replicas.append((data, port))
        return self.url(port)

    def wait_for_replay(self, timeout: float = 30) -> None:
        """Until every replica has replayed the primary's current WAL position."""
        primary = sa.create_engine(self.primary_url)
        with primary.connect() as connection:
            target = connection.exec_driver_sql("SELECT pg_current_wal_insert_lsn()::text").scalar()
        primary.dispose()
        for url in self.replica_urls:
            replica = sa.create_engine(url)
            deadline = time.monotonic() + timeout
            with replica.connect() as connection:
                while not connection.execute(sa.text(
                        "SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": target}).scalar():
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{url} did not replay up to {target}")
                    time.sleep(0.05)
                    connection.rollback()
            replica.dispose()

    def stop_replica(self, index: int) -> None:
        data, _ = self.replicas[index]
        self._run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        self._started.remove(data)

    def close(self) -> None:
        for data in reversed(self._started):
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        self._started.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ReplicaCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
