"""Helpers shared by the jobs and durability tests: databases, users, stored photos."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pymysql
from PIL import Image
from sqlalchemy import text

from restora.config import Settings
from restora.db import Base, make_engine
from restora.imaging.io import save_image
from restora.jobs.runner import RunnerConfig

MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root"}
POSTGRESQL = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def mariadb_available() -> bool:
    try:
        pymysql.connect(**MARIADB, connect_timeout=2).close()
        return True
    except pymysql.MySQLError:
        return False


def create_mariadb_database(prefix: str) -> tuple[str, str]:
    """A new private database on the real MariaDB: (name, SQLAlchemy URL)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection = pymysql.connect(**MARIADB)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    finally:
        connection.close()
    return name, f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"


def drop_mariadb_database(name: str) -> None:
    connection = pymysql.connect(**MARIADB)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        connection.close()


def _postgresql_server():
    import psycopg

    return psycopg.connect(**POSTGRESQL, dbname="postgres", autocommit=True, connect_timeout=5)


def postgresql_available() -> bool:
    import psycopg

    try:
        _postgresql_server().close()
        return True
    except psycopg.OperationalError:
        return False


def create_postgresql_database(prefix: str) -> tuple[str, str]:
    """A new private database on the real PostgreSQL: (name, SQLAlchemy URL)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _postgresql_server() as server:
        server.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    return name, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_postgresql_database(name: str) -> None:
    with _postgresql_server() as server:
        server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # FORCE: a connection a test leaked


def create_tables(url: str):
    import restora.accounts.models  # noqa: F401  (the users table the jobs refer to)
    import restora.jobs.models  # noqa: F401  (the jobs table)

    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    return engine


def runner_config(data_dir: Path, lease_seconds: float = 30.0, retry_base_seconds: float = 2.0, **settings) -> RunnerConfig:
    """How the runner runs jobs on ``data_dir``: a worker's Settings with this lease."""
    return RunnerConfig(Settings(data_dir=Path(data_dir), job_lease_seconds=lease_seconds, **settings), retry_base_seconds)


def run_fenced_off(sessions, data_dir: Path) -> str | None:
    """Claim the next job (a slow one) and run it while the reaper, with a clock 60 s ahead, decides its worker
    is dead: the runner's answer (None when the attempt was fenced off)."""
    import threading
    from datetime import timedelta

    from restora.jobs.models import utcnow
    from restora.jobs.queue import claim_next_job, reap_expired_leases
    from restora.jobs.runner import run_claimed_job

    claim = claim_next_job(sessions, "slow-worker", lease_seconds=30)
    threading.Timer(0.3, reap_expired_leases, args=(sessions, utcnow() + timedelta(seconds=60))).start()
    return run_claimed_job(sessions, claim, runner_config(data_dir, lease_seconds=0.9))


def add_user(sessions, name: str = "alice") -> int:
    from restora.accounts.models import User

    with sessions.begin() as session:
        user = User(username=name, username_key=name.lower(), email=f"{name}@example.org", password_hash="-")
        session.add(user)
        session.flush()
        return user.id


def photo(seed: int = 0, size=(48, 32)) -> Image.Image:
    """A photo-like picture: a gradient with noise, different for every seed."""
    rng = np.random.default_rng(seed)
    gradient = np.linspace(0, 255, size[0], dtype=np.float64)[None, :, None]
    pixels = np.clip(gradient + rng.normal(0, 20, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


def store_photo(data_dir: Path, user_id: int, seed: int = 0, size=(48, 32)) -> str:
    """Store a photo as an upload would be stored; returns its path under the data root."""
    relative = f"uploads/{user_id}/{uuid.uuid4()}.png"
    save_image(photo(seed, size), data_dir / relative)
    return relative


def job_row(sessions, job_id: str):
    from restora.jobs.models import Job

    with sessions() as session:
        return session.get(Job, job_id)


def count_jobs(sessions, where: str = "1=1") -> int:
    with sessions() as session:
        return session.execute(text(f"SELECT COUNT(*) FROM jobs WHERE {where}")).scalar_one()
