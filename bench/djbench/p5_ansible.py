"""P5: what an Ansible run costs.

Full run: ``scripts/fleet destroy`` and ``up`` give four fresh hosts, and
``site.yml --flush-cache`` converges them cold (no cached facts; the Debian packages come from
the controller's apt-cacher-ng and the wheel from .artifacts/, as on any machine after
``make demo``); seed_demo loads the demo data; then ``site.yml`` runs again with nothing to
change, and twice more with one setting off: pipelining (``ANSIBLE_PIPELINING=False``), then
forks (``ANSIBLE_FORKS=1``).
Quick run: the fleet is kept; the same on/off comparison on ``playbooks/loadbalancer.yml``.
"""

from __future__ import annotations

from .common import REPO, log, playbook, run


def measure(cfg: dict) -> dict:
    out: dict = {"playbook": cfg["p5_playbook"]}
    if cfg["p5_cold"]:
        log("P5: scripts/fleet destroy && scripts/fleet up (fresh hosts)")
        run([REPO / "scripts/fleet", "destroy"])
        run([REPO / "scripts/fleet", "up"], timeout=900)
        log("P5: cold converge of site.yml")
        out["cold"] = playbook("site.yml", "--flush-cache", timeout=3600).summary()
        log(f"P5: cold converge {out['cold']['seconds']} s; loading the demo data")
        playbook("playbooks/manage.yml", "-e", "manage_command=seed_demo")
    target = cfg["p5_playbook"]
    log(f"P5: no-op re-run of {target} (pipelining on, forks from ansible.cfg)")
    out["noop"] = playbook(target).summary()
    log("P5: no-op re-run, pipelining off")
    out["noop_no_pipelining"] = playbook(target, env={"ANSIBLE_PIPELINING": "False"}).summary()
    log("P5: no-op re-run, one fork")
    out["noop_one_fork"] = playbook(target, env={"ANSIBLE_FORKS": "1"}).summary()
    if "cold" in out:
        out["ratio"] = out["noop"]["seconds"] / out["cold"]["seconds"]
    return out
