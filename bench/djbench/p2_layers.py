"""P2 and P2b: what the layers cost, and static files from nginx against Django.

For the "direct" side the bench starts a second gunicorn on web1 for the duration of the measure:
the deployed release, its environment file and user, sync workers, on 127.0.0.1:8001 (the
service itself listens only on its unix socket, and web1's firewall admits only the load
balancers, on 80 and 443). Its settings module
(bench/files/bench_settings.py) is the production one plus a /static/ route through Django.

- P2: the job list (read from MariaDB): from inside lb1's network namespace through lb1's nginx
  (TLS) to both web hosts' nginx (TLS) to their gunicorn (5 sync workers each, the default on
  2 cores), against the direct gunicorn with as many workers in all (10), from inside web1's
  namespace. Rounds alternate.
- P2b: one hashed static file from inside web1's namespace: web1's nginx (TLS, from disk) against
  the direct gunicorn's Django static view (plain HTTP).
"""

from __future__ import annotations

import json
import statistics
import time

from .common import BENCH, LB1, WEB1, docker, log, web1_answers, wrk

DIRECT_PORT = 8001
DIRECT_DIR = "/tmp/djbench"  # tmpfs on the fleet hosts
APP_ROOT = "/srv/recruitment"
DIRECT_HEADERS = {"HOST_HEADER": "localhost", "FORWARDED_PROTO": "https"}


def start_direct(workers: int) -> None:
    # The service user writes the pid file and the log there.
    docker("exec", WEB1, "install", "-d", "-o", "recruitment", "-m", "0755", DIRECT_DIR)
    for name in ("bench_settings.py", "bench_urls.py"):  # docker cp cannot write into a tmpfs
        code = (BENCH / "files" / name).read_text()
        docker("exec", "-i", WEB1, "sh", "-c", f"cat > {DIRECT_DIR}/{name}", input=code)
    docker("exec", WEB1, "chmod", "-R", "a+rX", DIRECT_DIR)
    script = f"""
set -eu
set -a; . {APP_ROOT}/shared/recruitment.env; set +a
export DJANGO_STATIC_ROOT={APP_ROOT}/current/static DJANGO_SETTINGS_MODULE=bench_settings
export PYTHONPATH={DIRECT_DIR}
exec runuser -u recruitment -- {APP_ROOT}/current/venv/bin/python -m gunicorn \
  --workers {workers} --bind 127.0.0.1:{DIRECT_PORT} --pid {DIRECT_DIR}/gunicorn.pid \
  --error-logfile {DIRECT_DIR}/gunicorn.log --chdir {DIRECT_DIR} recruitment.wsgi:application
"""
    docker("exec", "-d", WEB1, "sh", "-c", script)
    if web1_answers(
        f"http://127.0.0.1:{DIRECT_PORT}/healthz", "Host: localhost", "X-Forwarded-Proto: https"
    ):
        return
    log_tail = docker("exec", WEB1, "tail", "-30", f"{DIRECT_DIR}/gunicorn.log", check=False)
    raise RuntimeError(f"the direct gunicorn on web1 did not answer:\n{log_tail.stdout}")


def stop_direct() -> None:
    docker(
        "exec",
        WEB1,
        "sh",
        "-c",
        f"[ -f {DIRECT_DIR}/gunicorn.pid ] && kill $(cat {DIRECT_DIR}/gunicorn.pid) || true",
        check=False,
    )
    time.sleep(2)


def static_path() -> str:
    """A hashed CSS file from the release's collectstatic manifest (the admin's base.css)."""
    manifest = docker("exec", WEB1, "cat", f"{APP_ROOT}/current/static/staticfiles.json").stdout
    paths = json.loads(manifest)["paths"]
    return "/static/" + paths.get("admin/css/base.css", next(iter(paths.values())))


def measure(cfg: dict) -> dict:
    seconds, rounds, conns = cfg["p2_seconds"], cfg["p2_rounds"], cfg["p2_connections"]
    log(f"P2: direct gunicorn on web1 ({cfg['p2_direct_workers']} sync workers), {rounds} rounds")
    start_direct(cfg["p2_direct_workers"])
    try:
        page = {"PATHS": "/"}
        lb, direct = [], []
        for _ in range(rounds):
            lb.append(
                wrk(
                    "https://localhost/",
                    netns_host=LB1,
                    connections=conns,
                    duration=seconds,
                    env=page,
                    label="lb",
                )
            )
            direct.append(
                wrk(
                    f"http://127.0.0.1:{DIRECT_PORT}/",
                    netns_host=WEB1,
                    connections=conns,
                    duration=seconds,
                    env=page | DIRECT_HEADERS,
                    label="direct",
                )
            )
        asset = static_path()
        log(f"P2b: {asset} from nginx and from Django")
        nginx, django = [], []
        for _ in range(rounds):
            nginx.append(
                wrk(
                    "https://localhost/",
                    netns_host=WEB1,
                    connections=conns,
                    duration=seconds,
                    env={"PATHS": asset},
                    label="nginx",
                )
            )
            django.append(
                wrk(
                    f"http://127.0.0.1:{DIRECT_PORT}/",
                    netns_host=WEB1,
                    connections=conns,
                    duration=seconds,
                    env={"PATHS": asset} | DIRECT_HEADERS,
                    label="django",
                )
            )
    finally:
        stop_direct()

    def med(results):
        return statistics.median(r.ok_rps for r in results)

    return {
        "connections": conns,
        "seconds": seconds,
        "rounds": rounds,
        "direct_workers": cfg["p2_direct_workers"],
        "page": "/ (the job list, from MariaDB)",
        "lb_rps": [round(r.ok_rps, 1) for r in lb],
        "direct_rps": [round(r.ok_rps, 1) for r in direct],
        "lb_failed": sum(r.failed for r in lb),
        "direct_failed": sum(r.failed for r in direct),
        "ratio": med(lb) / med(direct) if med(direct) else 0.0,
        "asset": asset,
        "nginx_rps": [round(r.ok_rps, 1) for r in nginx],
        "django_rps": [round(r.ok_rps, 1) for r in django],
        "nginx_failed": sum(r.failed for r in nginx),
        "django_failed": sum(r.failed for r in django),
        "static_ratio": med(nginx) / med(django) if med(django) else 0.0,
    }
