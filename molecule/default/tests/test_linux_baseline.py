"""dev-sec linux-baseline: the kernel, file-permission and package controls the common role holds.

Each test names its controls. The waived ones (os-08, os-10's vfat, login.defs' UMASK and password
ageing, package-07 to package-09) are listed with their reasons in the README; the tests named
"..._instead" show what holds in their place.
"""

import pytest
from conftest import APP, ssh

SYSCTL_FILE = "/etc/sysctl.d/90-djstack-baseline.conf"

# The values dev-sec's sysctl controls accept, by control.
BASELINE_SYSCTL = {
    "sysctl-01": {"net.ipv4.ip_forward": {"0"}, "net.ipv4.conf.all.forwarding": {"0"}},
    "sysctl-02": {"net.ipv4.conf.all.rp_filter": {"1"}, "net.ipv4.conf.default.rp_filter": {"1"}},
    "sysctl-03": {"net.ipv4.icmp_ignore_bogus_error_responses": {"1"}},
    "sysctl-04": {"net.ipv4.icmp_echo_ignore_broadcasts": {"1"}},
    "sysctl-05": {"net.ipv4.icmp_ratelimit": {"100"}},
    "sysctl-06": {"net.ipv4.icmp_ratemask": {"88089"}},
    "sysctl-07": {"net.ipv4.tcp_timestamps": {"0"}},
    "sysctl-08": {"net.ipv4.conf.all.arp_ignore": {"1", "2"}},
    "sysctl-09": {"net.ipv4.conf.all.arp_announce": {"2"}},
    "sysctl-10": {"net.ipv4.tcp_rfc1337": {"1"}},
    "sysctl-11": {"net.ipv4.tcp_syncookies": {"1"}},
    "sysctl-12": {
        "net.ipv4.conf.all.shared_media": {"1"},
        "net.ipv4.conf.default.shared_media": {"1"},
    },
    "sysctl-13": {
        f"net.ipv{v}.conf.{scope}.accept_source_route": {"0"}
        for v in (4, 6)
        for scope in ("all", "default")
    },
    "sysctl-14": {f"net.ipv4.conf.{s}.accept_redirects": {"0"} for s in ("all", "default")},
    "sysctl-15": {f"net.ipv4.conf.{s}.secure_redirects": {"0"} for s in ("all", "default")},
    "sysctl-16": {f"net.ipv4.conf.{s}.send_redirects": {"0"} for s in ("all", "default")},
    "sysctl-17": {f"net.ipv4.conf.{s}.log_martians": {"1"} for s in ("all", "default")},
    "sysctl-19": {"net.ipv6.conf.all.forwarding": {"0"}},
    "sysctl-20": {f"net.ipv6.conf.{s}.accept_redirects": {"0"} for s in ("all", "default")},
    "sysctl-21": {"net.ipv6.conf.default.router_solicitations": {"0"}},
    "sysctl-22": {"net.ipv6.conf.default.accept_ra_rtr_pref": {"0"}},
    "sysctl-23": {"net.ipv6.conf.default.accept_ra_pinfo": {"0"}},
    "sysctl-24": {"net.ipv6.conf.default.accept_ra_defrtr": {"0"}},
    "sysctl-25": {f"net.ipv6.conf.{s}.accept_ra": {"0"} for s in ("all", "default")},
    "sysctl-26": {"net.ipv6.conf.default.autoconf": {"0"}},
    "sysctl-27": {"net.ipv6.conf.default.dad_transmits": {"0"}},
    "sysctl-28": {"net.ipv6.conf.default.max_addresses": {"1"}},
    "sysctl-30": {"kernel.sysrq": {"0"}},
    "sysctl-31a": {"fs.suid_dumpable": {"0", "2"}},
    "sysctl-32": {"kernel.randomize_va_space": {"2"}},
    "sysctl-34": {
        "fs.protected_fifos": {"1", "2"},
        "fs.protected_hardlinks": {"1"},
        "fs.protected_regular": {"2"},
        "fs.protected_symlinks": {"1"},
    },
}

# dev-sec's os-06 blacklist, as far as Debian ships any of it.
SUID_SGID_BLACKLIST = {
    "/usr/bin/rcp",
    "/usr/bin/rlogin",
    "/usr/bin/rsh",
    "/usr/lib/openssh/ssh-keysign",
    "/usr/sbin/pppd",
    "/usr/bin/lockfile",
    "/usr/bin/mail-lock",
    "/usr/bin/mail-unlock",
    "/usr/bin/mail-touchlock",
    "/usr/bin/dotlockfile",
    "/usr/bin/arping",
    "/usr/sbin/arping",
    "/usr/sbin/uuidd",
    "/usr/bin/mtr",
    "/usr/lib/pt_chown",
    "/usr/lib/eject/dmcrypt-get-device",
}


def sysctl_file(host) -> dict[str, str]:
    content = host.file(SYSCTL_FILE).content_string
    lines = [line for line in content.splitlines() if "=" in line and not line.startswith("#")]
    pairs = (line.split("=", 1) for line in lines)
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.mark.parametrize("control", sorted(BASELINE_SYSCTL))
def test_kernel_settings_hold_the_sysctl_controls(host, control):
    written = sysctl_file(host)
    wrong = {
        key: written.get(key)
        for key, accepted in BASELINE_SYSCTL[control].items()
        if written.get(key) not in accepted
    }
    assert not wrong, f"{control}: {SYSCTL_FILE} has {wrong}"


def test_the_running_kernel_has_the_settings_where_a_host_may_set_them(host):
    # systemd-sysctl loads the file at boot and on every change. In a container /proc/sys is
    # read-only and systemd skips it by ConditionPathIsReadWrite=/proc/sys: the host's kernel
    # decides there, as dev-sec's own controls assume (they skip in containers).
    condition = host.run("systemctl show -P ConditionResult systemd-sysctl").stdout.strip()
    proc_sys_ro = host.run("findmnt -n -o OPTIONS /proc/sys").stdout.split(",")[0] == "ro"
    if condition == "no":
        assert proc_sys_ro, "systemd-sysctl skipped although /proc/sys is writable"
        pytest.skip("a container: /proc/sys is read-only, the host's kernel keeps its values")
    written = sysctl_file(host)
    running = {}
    for key in written:
        path = host.file("/proc/sys/" + key.replace(".", "/"))
        if path.exists:  # a key this kernel lacks (no IPv6, no SysRq) is skipped by systemd too
            running[key] = path.content_string.split()[0]
    assert {k: v for k, v in running.items() if v != written[k]} == {}


def test_unused_file_systems_cannot_be_loaded(host):
    # os-10, without vfat (waived: a UEFI machine mounts its EFI system partition with it).
    conf = host.file("/etc/modprobe.d/djstack-unused-filesystems.conf")
    assert (conf.user, conf.mode) == ("root", 0o644)
    for fs in ["cramfs", "freevxfs", "jffs2", "hfs", "hfsplus", "squashfs", "udf"]:
        assert f"install {fs} /bin/true" in conf.content_string, fs
    assert "vfat" not in conf.content_string


@pytest.mark.parametrize(
    ("path", "group", "mode"),
    [
        ("/etc/shadow", "shadow", 0o640),  # os-02: Debian's group shadow reads it, others not
        ("/etc/gshadow", "shadow", 0o640),
        ("/etc/passwd", "root", 0o644),  # os-03
        ("/etc/group", "root", 0o644),
        ("/etc/login.defs", "root", 0o644),  # os-05
    ],
)
def test_account_files_are_owned_and_closed(host, path, group, mode):
    f = host.file(path)
    assert (f.user, f.group, f.mode) == ("root", group, mode)


def test_login_defs_holds_the_paths_and_limits(host):
    # os-05, except UMASK and the password ageing (waived below).
    defs = {}
    for line in host.file("/etc/login.defs").content_string.splitlines():
        fields = line.split()
        if len(fields) >= 2 and not fields[0].startswith("#"):
            defs[fields[0]] = fields[1]
    assert "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" in defs["ENV_SUPATH"]
    assert "/usr/local/bin:/usr/bin:/bin" in defs["ENV_PATH"]
    expected = {"LOGIN_RETRIES": "5", "LOGIN_TIMEOUT": "60", "UID_MIN": "1000", "GID_MIN": "1000"}
    assert {k: defs.get(k) for k in expected} == expected


def test_no_account_has_a_password_so_ageing_has_nothing_to_age_instead(host):
    # Waiver of os-05's PASS_MAX_DAYS 60: no account here logs in with a password (sshd takes keys
    # only), and ageing a key-only account makes PAM refuse its SSH logins once the password
    # "expires": the deploy user would be locked out after 60 days.
    with host.sudo():
        shadow = host.file("/etc/shadow").content_string
    usable = [
        line.split(":")[0] for line in shadow.splitlines() if line.split(":")[1][:1] not in "!*"
    ]
    assert usable == []
    with host.sudo():
        ageing = host.check_output("chage -l deploy")
    assert "Password expires\t\t\t\t\t: never" in ageing, ageing


def test_deploy_sessions_get_no_core_dumps_and_a_clean_path(host, key):
    # sysctl-31 for login sessions (pam_limits), and os-04: no empty or "." entry in PATH.
    # Waiver of os-05's UMASK 027: Debian 13's PAM applies login.defs' UMASK to SSH sessions and
    # sudo keeps it, so Ansible's modules and pip would write a release's virtualenv closed to the
    # app user (molecule saw "django-admin: Permission denied" on trixie). Sessions keep others'
    # read and execute bits (022 on Debian 12; 002 on 13, whose pam_umask gives a user with a
    # private group 002); the units that write data set their own umask (next test).
    session = ssh(host, f"-i {key} deploy@127.0.0.1 'ulimit -Hc; echo $PATH; umask'")
    assert session.rc == 0, session.stderr
    hard_core, path, umask = session.stdout.split()
    assert hard_core == "0"
    assert "" not in path.split(":") and "." not in path.split(":"), path
    assert int(umask, 8) & 0o005 == 0, umask


def test_services_set_their_own_umask_instead(web):
    # In place of UMASK 027: the app writes uploads and logs with UMask=0027 from its unit.
    assert web.run(f"systemctl show -P UMask {APP}.service").stdout.strip() == "0027"


def test_no_trusted_host_or_netrc_files(host):
    # os-01, os-09
    with host.sudo():
        found = host.run(
            "find / -xdev \\( -name .rhosts -o -name hosts.equiv -o -iname .netrc \\) -print"
        )
    assert found.stdout == ""


def test_no_blacklisted_suid_or_sgid_program(host):
    # os-06
    with host.sudo():
        found = host.check_output("find / -xdev -type f \\( -perm -4000 -o -perm -2000 \\) -print")
    assert set(found.split()) & SUID_SGID_BLACKLIST == set()


def test_an_upgrade_does_not_bring_the_suid_bit_back(host):
    # dpkg-statoverride holds the mode: reinstalling the package of ssh-keysign keeps it off.
    with host.sudo():
        overrides = host.check_output("dpkg-statoverride --list /usr/lib/openssh/ssh-keysign")
        reinstall = host.run(
            "DEBIAN_FRONTEND=noninteractive apt-get install -qq -o DPkg::Lock::Timeout=120"
            " --reinstall openssh-client"
        )
        mode = host.file("/usr/lib/openssh/ssh-keysign").mode
    owner, group, override_mode, path = overrides.split()
    assert (owner, group, int(override_mode, 8), path) == (
        "root",
        "root",
        0o755,
        "/usr/lib/openssh/ssh-keysign",
    )
    assert reinstall.rc == 0, reinstall.stderr
    assert mode == 0o755


def test_user_and_group_ids_are_unique(host):
    # os-07
    uids = host.check_output("cut -d: -f3 /etc/passwd").split()
    gids = host.check_output("cut -d: -f3 /etc/group").split()
    assert len(uids) == len(set(uids)) and len(gids) == len(set(gids))


@pytest.mark.parametrize(
    "package",
    # package-01 to package-06 and package-10, with Debian's names for them
    ["openbsd-inetd", "inetutils-inetd", "xinetd", "telnetd", "inetutils-telnetd", "rsh-server"]
    + ["rsh-redone-server", "nis", "tftpd-hpa", "tftpd", "atftpd", "prelink"],
)
def test_no_legacy_network_service_is_installed(host, package):
    assert not host.package(package).is_installed
