"""Start a throwaway MariaDB server for the test suite (Debian's mariadb-server binaries).

Usage::

    with temporary_mariadb() as server:
        os.environ["DATABASE_URL"] = server.url

The server gets a fresh datadir, listens on 127.0.0.1 on a free port with ``--local-infile=1``,
uses real grants (a user with a password, no skip-grant-tables) and is stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DATABASE = "recruitment"
USER = "recruitment"


@dataclass
class MariaDBServer:
    host: str
    port: int
    socket: str
    user: str
    password: str
    database: str
    datadir: str
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"mysql://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name) or (
            f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None
        )
        if found:
            return found
    raise RuntimeError(
        f"none of {', '.join(names)} found: install Debian's mariadb-server "
        "(apt-get install -y mariadb-server)"
    )


def _client_sql(server_socket: str, sql: str) -> None:
    """Run SQL as root over the socket; only used before root gets its password."""
    client = _binary("mariadb", "mysql")
    args = [client, "--no-defaults", f"--socket={server_socket}", "--user=root"]
    subprocess.run(args, input=sql, text=True, check=True, capture_output=True)


@contextlib.contextmanager
def temporary_mariadb(startup_timeout: float = 60.0):
    base = tempfile.mkdtemp(prefix="recruitment-mariadb-")
    datadir = os.path.join(base, "data")
    sock = os.path.join(base, "mysqld.sock")
    log = os.path.join(base, "mariadbd.log")
    port = _free_port()
    password = secrets.token_hex(12)
    root_password = secrets.token_hex(12)
    install = _binary("mariadb-install-db", "mysql_install_db")
    server_bin = _binary("mariadbd", "mysqld")
    subprocess.run(
        [
            install,
            "--no-defaults",
            "--user=root",
            f"--datadir={datadir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ],
        check=True,
        capture_output=True,
    )
    log_handle = open(log, "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [
            server_bin,
            "--no-defaults",
            "--user=root",
            f"--datadir={datadir}",
            f"--socket={sock}",
            f"--port={port}",
            "--bind-address=127.0.0.1",
            "--local-infile=1",
            f"--pid-file={os.path.join(base, 'mariadbd.pid')}",
            "--skip-name-resolve",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_unicode_ci",
            "--innodb-buffer-pool-size=256M",
            "--innodb-flush-log-at-trx-commit=2",
            "--innodb-doublewrite=0",
            "--skip-log-bin",
        ],
        stdout=log_handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    "mariadbd exited during startup:\n" + Path(log).read_text(errors="replace")
                )
            if os.path.exists(sock):
                try:
                    _client_sql(sock, "SELECT 1;")
                    break
                except subprocess.CalledProcessError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "mariadbd did not start in time:\n" + Path(log).read_text(errors="replace")
                )
            time.sleep(0.2)
        _client_sql(
            sock,
            f"""
            ALTER USER 'root'@'localhost' IDENTIFIED BY '{root_password}';
            CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
            CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{password}';
            -- The test runner creates and drops test_{DATABASE}; the suite toggles local_infile.
            GRANT ALL PRIVILEGES ON *.* TO '{USER}'@'127.0.0.1';
            FLUSH PRIVILEGES;
            """,
        )
        yield MariaDBServer(
            host="127.0.0.1",
            port=port,
            socket=sock,
            user=USER,
            password=password,
            database=DATABASE,
            datadir=datadir,
            process=process,
        )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log_handle.close()
        shutil.rmtree(base, ignore_errors=True)
