"""The common role: what every host has after a converge."""

BASE_PACKAGES = ["acl", "ca-certificates", "tzdata", "unattended-upgrades", "sudo"]


def test_packages(host):
    for name in BASE_PACKAGES:
        assert host.package(name).is_installed, name


def test_shared_group_vars_arrive(host):
    # curl is added only by the top-level group_vars/all: it proves playbooks load that folder.
    assert host.package("curl").is_installed


def test_apt_sources(host):
    sources = host.file("/etc/apt/sources.list.d/debian.sources")
    assert sources.exists and sources.mode == 0o644
    codename = host.system_info.codename
    assert f"Suites: {codename}-security" in sources.content_string
    legacy = host.file("/etc/apt/sources.list").content_string.splitlines()
    assert not [line for line in legacy if line.strip() and not line.startswith("#")], legacy
    # The proxy points at the controller's apt-cacher-ng, and apt works through it.
    assert "apt-cache:3142" in host.file("/etc/apt/apt.conf.d/01proxy").content_string


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
