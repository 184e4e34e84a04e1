"""The common role: what every host has after a converge."""

import time

from conftest import put_file

BASE_PACKAGES = ["acl", "ca-certificates", "tzdata", "unattended-upgrades", "sudo"]


def test_packages(host):
    for name in BASE_PACKAGES:
        assert host.package(name).is_installed, name


def test_shared_group_vars_arrive(host):
    """Values that only the top-level group_vars/all sets reach the host through the playbooks.

    The app's environment comes from group_vars/all/app.yml (the role's default is empty), and
    DJANGO_HSTS_SET_BY_PROXY is set nowhere else: without that folder the file would lack it.
    """
    if "webservers" not in host.ansible.get_variables().get("group_names", []):
        return
    with host.sudo():
        env = host.file("/srv/recruitment/shared/recruitment.env")
        assert env.exists, "the app's environment file is missing"
        lines = env.content_string.splitlines()
    assert "DJANGO_HSTS_SET_BY_PROXY='true'" in lines, lines
    assert "DJANGO_MEDIA_X_ACCEL_PREFIX='/media/'" in lines, lines


def test_inventory_outranks_shared_group_vars(host):
    """An environment's group_vars/all beats the project's (ansible.cfg's precedence).

    group_vars/all/main.yml sets stack_deploy_log to /var/log/djstack-deploys.log; this scenario's
    inventory sets /var/log/djstack-deploys.molecule.log, and group_vars/all/app.yml wires it into
    the mysql role's backup script. By Ansible's default order the project's value would win.
    """
    with host.sudo():
        script = host.file("/usr/local/sbin/djstack-mysql-backup").content_string
    assert "AUDIT=/var/log/djstack-deploys.molecule.log" in script.splitlines(), script[:800]


def test_apt_sources(host):
    sources = host.file("/etc/apt/sources.list.d/debian.sources")
    assert sources.exists and sources.mode == 0o644
    codename = host.system_info.codename
    assert f"Suites: {codename}-security" in sources.content_string
    legacy = host.file("/etc/apt/sources.list").content_string.splitlines()
    assert not [line for line in legacy if line.strip() and not line.startswith("#")], legacy
    # The proxy points at the controller's apt cache, and apt works through it.
    assert "apt-cache:3142" in host.file("/etc/apt/apt.conf.d/01proxy").content_string


def test_a_stalled_apt_fetch_fails_fast_and_is_retried(host):
    """A proxy that accepts and never answers: APT gives up after the role's timeout and retries.

    The scenario sets common_apt_timeout and common_apt_retries small (molecule.yml) so this runs
    in seconds; APT's own default would wait 120 s per try, and the hang once seen, forever.
    """
    network = host.file("/etc/apt/apt.conf.d/10djstack-network").content_string
    timeout = int(host.run("apt-config shell T Acquire::http::Timeout").stdout.split("'")[1])
    retries = int(host.run("apt-config shell R Acquire::Retries").stdout.split("'")[1])
    assert f'Acquire::http::Timeout "{timeout}";' in network and timeout <= 10, network
    assert retries >= 1, network
    port, work = 3199, "/tmp/stalled-apt"
    with host.sudo():
        host.run(f"rm -rf {work} && mkdir -p {work}/lists/partial")
        script = put_file(host, "stalled_proxy.py", work)
        started = host.run(
            f"systemd-run --unit=stalled-apt-proxy python3 {script} {port} {work}/accepted"
        )
        assert started.rc == 0, started.stderr
        try:
            listening = host.run(
                f"for i in $(seq 50); do ss -Hltn 'sport = :{port}' | grep -q . && exit 0; "
                "sleep 0.1; done; exit 1"
            )
            assert listening.rc == 0, "the stalled proxy never listened"
            host.run(f"echo 'deb http://deb.debian.org/debian stable main' > {work}/sources.list")
            begin = time.monotonic()
            fetch = host.run(
                f"timeout 300 apt-get update -o Acquire::http::Proxy=http://127.0.0.1:{port} "
                f"-o Dir::Etc::sourcelist={work}/sources.list -o Dir::Etc::sourceparts=- "
                f"-o Dir::State::lists={work}/lists"
            )
            elapsed = time.monotonic() - begin
        finally:
            host.run("systemctl stop stalled-apt-proxy")
        accepted = host.file(f"{work}/accepted").content_string.count("accepted")
        host.run(f"rm -rf {work}")
    output = fetch.stdout + fetch.stderr
    print(f"stalled fetch: {elapsed:.1f} s, {accepted} connections, timeout {timeout} s, "
          f"retries {retries}")  # fmt: skip
    assert fetch.rc != 124, "apt-get update hung behind a stalled proxy"
    assert "Failed to fetch" in output or "timed out" in output.lower(), output[-2000:]
    # Every try after the first opened a new connection: the retries happened.
    assert accepted >= retries + 1, (accepted, output[-2000:])
    # Well under APT's default 120 s for one try: the configured timeout held.
    assert elapsed < 120, (elapsed, output[-2000:])


def test_timezone(host):
    assert host.file("/etc/localtime").linked_to.endswith("Etc/UTC")


def test_unattended_upgrades(host):
    auto = host.file("/etc/apt/apt.conf.d/20auto-upgrades").content_string
    assert 'APT::Periodic::Unattended-Upgrade "1";' in auto
    policy = host.file("/etc/apt/apt.conf.d/52unattended-upgrades-djstack").content_string
    assert "-security" in policy
    # unattended-upgrades itself must accept the configuration.
    dry = host.run("unattended-upgrade --dry-run --debug 2>&1")
    assert dry.rc == 0, dry.stdout
    assert "Allowed origins are:" in dry.stdout and "security" in dry.stdout


def test_deploy_user(host):
    user = host.user("deploy")
    assert user.exists and user.shell == "/bin/bash"
    keys = host.file("/home/deploy/.ssh/authorized_keys")
    assert keys.user == "deploy" and keys.mode == 0o600
    assert keys.content_string.strip().endswith("molecule@djstack")
    sudoers = host.file("/etc/sudoers.d/deploy")
    assert sudoers.mode == 0o440 and sudoers.user == "root"
    # sudo really grants root to the deploy user without a password.
    assert host.run("sudo -u deploy sudo -n id -u").stdout.strip() == "0"


def test_journald_limits(host):
    conf = host.file("/etc/systemd/journald.conf.d/50-limits.conf").content_string
    assert "SystemMaxUse=500M" in conf
    # journald was restarted onto the persistent store: it keeps a journal folder under /var/log.
    assert host.service("systemd-journald").is_running
    journal = host.run("ls /var/log/journal").stdout.strip()
    assert journal, "journald does not write to /var/log/journal"
