"""Shared test helpers: the real-data folder beside the repository."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

# /work/shared/data/real when the repository is /work/main.
REAL = Path(__file__).resolve().parents[2] / "shared/data/real"


@pytest.fixture
def real_data() -> Path:
    """The real-data folder; skips the test when it is absent."""
    if not REAL.is_dir():
        pytest.skip("real data folder ../shared/data/real not present")
    return REAL


def _demo(tmp_path_factory: pytest.TempPathFactory, lang: str) -> Path:
    """Run ``gaoxin demo``; what it printed is kept beside the output as terminal.txt."""
    from gaoxin.cli import main

    out = tmp_path_factory.mktemp(f"demo-{lang}") / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = main(["demo", "--out", str(out), "--lang", lang])
    (out.parent / "terminal.txt").write_text(printed.getvalue(), encoding="utf-8")
    assert code == 0, printed.getvalue()
    return out


@pytest.fixture(scope="session")
def demo_zh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``gaoxin demo`` in Chinese, written once per test session (read only: do not modify)."""
    return _demo(tmp_path_factory, "zh")


@pytest.fixture(scope="session")
def demo_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``gaoxin demo`` in English, written once per test session (read only)."""
    return _demo(tmp_path_factory, "en")


# ---------------------------------------------------------------- a throwaway PostGIS server

PG_BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL + PostGIS cluster on loopback, started for the session and removed after.

    Debian's server (``make test`` installs postgresql-15-postgis-3) runs as an unprivileged
    user: ``postgres`` when the tests run as root (initdb refuses root), else the caller.
    Without the packages the tests skip, except under CI, where that is a failure.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    if not (PG_BIN / "initdb").exists() or not POSTGIS_CONTROL.exists():
        message = ("PostGIS is not installed: run 'sudo apt-get install postgresql "
                   "postgresql-15-postgis-3' (make test does it as root)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="gaoxin-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=60)

    run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
        "-E", "UTF8", "--locale=C.UTF-8")
    run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-o",
        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
        "-c full_page_writes=off -c synchronous_commit=off", "start")
    try:
        import psycopg

        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE landuse")
        url = f"postgresql://postgres@127.0.0.1:{port}/landuse"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield url
    finally:
        run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)
