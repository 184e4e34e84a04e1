"""P3: the async view (/async/sleep/?s=0.5) under uvicorn workers against sync gunicorn.

web1 is redeployed with ``playbooks/app.yml --limit web1 -e django_app_server=... -e
django_app_workers=N -e app_root_urlconf=recruitment.bench_urls`` (the role's ASGI switch, and the
bench's URLconf: production does not route the view), then wrk runs from inside web1's network
namespace against web1's nginx (TLS), which proxies to the app's unix socket. The limit at
C concurrent clients is C / 0.5 s. Between runs against sync workers the app's socket and
service are restarted: the requests still queued in the socket's backlog would otherwise be
served during the next run.
"""

from __future__ import annotations

import json

from .common import WEB1, docker, log, playbook, web1_answers, wrk

SLEEP_S = 0.5
URL = "https://localhost/"
PATHS = {"PATHS": f"/async/sleep/?s={SLEEP_S}"}


def deploy(server: str, workers: int) -> dict:
    log(f"P3: web1 to {server} with {workers} workers (playbooks/app.yml --limit web1)")
    # JSON, so the worker count arrives as a number (key=value extra vars are strings).
    # The bench's URLconf adds /async/sleep/, which production does not route; the restore's
    # app.yml (the group_vars' app_root_urlconf) takes it away again.
    extra = json.dumps(
        {
            "django_app_server": server,
            "django_app_workers": workers,
            "app_root_urlconf": "recruitment.bench_urls",
        }
    )
    run = playbook("playbooks/app.yml", "--limit", WEB1, "-e", extra)
    return run.summary()


def flush() -> None:
    """Drop the requests queued in the app's socket, then wait until the app answers again."""
    docker("exec", WEB1, "systemctl", "restart", "recruitment.socket", "recruitment.service")
    if not web1_answers("http://127.0.0.1/healthz", "Host: localhost"):
        raise RuntimeError("web1's app did not answer /healthz after a restart")


def one(concurrency: int, seconds: float, label: str):
    result = wrk(
        URL,
        netns_host=WEB1,
        connections=concurrency,
        duration=seconds,
        env=PATHS,
        timeout="120s",
        label=label,
    )
    return {
        "concurrency": concurrency,
        "rps": round(result.ok_rps, 2),  # answers that did not fail
        "limit_rps": concurrency / SLEEP_S,
        "requests": result.requests,
        "failed": result.failed,
        "p50_ms": round(result.percentile_ms(50), 1),
        "p99_ms": round(result.percentile_ms(99), 1),
    }


def measure(cfg: dict) -> dict:
    workers, clients = cfg["p3_workers"], cfg["p3_clients"]
    out = {"workers": workers, "clients": clients, "sleep_s": SLEEP_S, "deploys": []}
    # wrk's clients all come from one address: lift web1's per-address connection limit (100, a
    # protection against one client holding every connection) above the sweep's largest level.
    limit = max([clients, *cfg["p3_sweep"]]) * 2
    log(f"P3: web1's webserver_limit_conn_per_ip to {limit} (playbooks/web.yml --limit web1)")
    out["nginx"] = playbook(
        "playbooks/web.yml",
        "--limit",
        WEB1,
        "-e",
        json.dumps({"webserver_limit_conn_per_ip": limit}),
    ).summary()
    try:
        _measure(cfg, out)
    finally:
        log("P3: web1's nginx back to the role's defaults (playbooks/web.yml --limit web1)")
        playbook("playbooks/web.yml", "--limit", WEB1)
    return out


def _measure(cfg: dict, out: dict) -> None:
    workers, clients = cfg["p3_workers"], cfg["p3_clients"]
    for server in ("uvicorn", "gunicorn"):
        out["deploys"].append(deploy(server, workers))
        flush()
        wrk(URL, netns_host=WEB1, connections=8, duration=2, env=PATHS)  # warm the workers
        sync = server == "gunicorn"
        log(f"P3: {server}, {clients} clients for {cfg['p3_seconds']} s")
        out[server] = one(clients, cfg["p3_seconds"], server)
        sweep = []
        for level in cfg["p3_sweep"]:
            if sync:
                flush()
            sweep.append(one(level, cfg["p3_sweep_seconds"], server))
            log(f"P3: {server} c={level}: {sweep[-1]['rps']} req/s")
        out[f"{server}_sweep"] = sweep
        if sync:
            flush()
    out["limit_rps"] = clients / SLEEP_S
    out["ratio_limit"] = out["uvicorn"]["rps"] / out["limit_rps"]
    out["ratio_sync"] = (
        out["uvicorn"]["rps"] / out["gunicorn"]["rps"] if out["gunicorn"]["rps"] else 0.0
    )


def restore() -> dict:
    """Every web host back on the role's defaults (sync gunicorn, 2 x cores + 1 workers)."""
    log("restoring the web hosts: playbooks/app.yml with the role's defaults")
    return playbook("playbooks/app.yml").summary()
