"""P1: availability during a rolling upgrade.

wrk drives the cluster test's mix (GET job pages, every tenth request a logged-in POST) through
lb1, in back-to-back slices of a few seconds, so the report has latency over time: first a steady
phase, then while ``playbooks/rolling_upgrade.yml`` moves every web host to a new release, then
the same with the drain step left out (``-e rollout_drain=false``).
"""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

from .common import (
    LB1,
    ORIGIN,
    REPO,
    WrkResult,
    log,
    login,
    merge,
    playbook,
    release_copy,
    served_versions,
    wrk,
)

LB_INSIDE = "https://localhost/"  # lb1's own nginx, from inside lb1's network namespace


class SlicedLoad:
    """Back-to-back wrk runs of ``slice_s`` seconds each, until stopped."""

    def __init__(self, env: dict, connections: int, slice_s: float, label: str):
        self.env, self.connections, self.slice_s, self.label = env, connections, slice_s, label
        self.slices: list[WrkResult] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.error: BaseException | None = None

    def _loop(self):
        try:
            while not self._stop.is_set():
                self.slices.append(
                    wrk(
                        LB_INSIDE,
                        netns_host=LB1,
                        connections=self.connections,
                        duration=self.slice_s,
                        script="mixed.lua",
                        env=self.env,
                        label=self.label,
                    )
                )
        except BaseException as exc:  # noqa: BLE001 - reported by stop()
            self.error = exc

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> list[WrkResult]:
        self._stop.set()
        self._thread.join()
        if self.error:
            raise self.error
        return self.slices


def steady(env: dict, connections: int, slice_s: float, seconds: float, label: str):
    slices = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        slices.append(
            wrk(
                LB_INSIDE,
                netns_host=LB1,
                connections=connections,
                duration=slice_s,
                script="mixed.lua",
                env=env,
                label=label,
            )
        )
    return slices


def upgrade_under_load(env, connections, slice_s, args, label) -> tuple[list[WrkResult], dict]:
    load = SlicedLoad(env, connections, slice_s, label).start()
    time.sleep(slice_s)  # the upgrade starts inside a slice already under load
    started = time.monotonic()
    run = playbook(*args, check=False)
    ended = time.monotonic()
    time.sleep(slice_s)
    slices = load.stop()
    if run.returncode != 0:
        raise RuntimeError(f"{label} failed:\n{run.output[-4000:]}")
    info = run.summary() | {"started": started, "ended": ended}
    return slices, info


def measure(cfg: dict, workdir: Path, t0: float) -> dict:
    connections, slice_s = cfg["p1_connections"], cfg["p1_slice_s"]
    try:
        cookie, csrf = login()
    except RuntimeError:  # no demo data yet (make demo loads it)
        log("P1: loading the demo data (playbooks/manage.yml -e manage_command=seed_demo)")
        playbook("playbooks/manage.yml", "-e", "manage_command=seed_demo")
        cookie, csrf = login()
    env = {"COOKIE": cookie, "CSRF": csrf, "ORIGIN": ORIGIN}
    before = served_versions()
    log(f"P1: steady load through lb1 for {cfg['p1_steady_s']} s ({connections} connections)")
    steady_slices = steady(env, connections, slice_s, cfg["p1_steady_s"], "steady")

    stamp = time.strftime("%Y%m%d%H%M%S")
    phases = {}
    for key, playbook_path, version in (
        ("drain", "playbooks/rolling_upgrade.yml", f"1.0.0.post{stamp}1"),
        ("no_drain", "playbooks/rolling_upgrade.yml", f"1.0.0.post{stamp}2"),
    ):
        if key == "no_drain" and not cfg["p1_no_drain"]:
            continue
        source = release_copy(workdir, version)
        args = [playbook_path, "-e", f"django_app_source_path={source}"]
        if key == "drain" and cfg.get("p1_skip_backup"):
            args += ["-e", "rollout_backup=false"]
        if key == "no_drain":
            args += ["-e", "rollout_drain=false"]
        log(f"P1: {playbook_path} to {version} under load")
        slices, info = upgrade_under_load(env, connections, slice_s, args, key)
        during = [s for s in slices if s.started + s.duration_s > info["started"]]
        during = [s for s in during if s.started < info["ended"]]
        after = served_versions()
        phases[key] = {
            "playbook": info,
            "version": version,
            "served_after": after,
            "during": merge(during, key).summary(),
            "all_slices": [_slice(s, t0) for s in slices],
            "window": [info["started"] - t0, info["ended"] - t0],
        }
        if set(after.values()) != {version}:
            raise RuntimeError(f"P1: after {playbook_path} the hosts serve {after}, not {version}")
    steady_total = merge(steady_slices, "steady")
    return {
        "connections": connections,
        "slice_s": slice_s,
        "served_before": before,
        "steady": steady_total.summary(),
        "steady_slices": [_slice(s, t0) for s in steady_slices],
        "phases": phases,
    }


def _slice(s: WrkResult, t0: float) -> dict:
    return {
        "t": round(s.started - t0, 2),
        "seconds": round(s.duration_s, 2),
        "requests": s.requests,
        "failed": s.failed,
        "p50_ms": round(s.percentile_ms(50), 2),
        "p99_ms": round(s.percentile_ms(99), 2),
    }


def git_head() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True)
    return out.stdout.decode().strip()
