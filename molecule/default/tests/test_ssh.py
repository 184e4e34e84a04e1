"""sshd after the dev-sec ssh-baseline, proven with real SSH connections from inside each host.

The `key` fixture (conftest) authorizes a throwaway key for both root and the deploy user, so a
refused root login is refused by policy, not for want of a key; both files are restored after.
"""

import pytest
from conftest import SSH, ssh
from conftest import SSH_KEY_DIR as KEY_DIR


def test_sshd_config_is_whole_valid_and_closed(host):
    with host.sudo():
        conf = host.file("/etc/ssh/sshd_config")
        assert (conf.user, conf.group, conf.mode) == ("root", "root", 0o600)
        assert host.run("/usr/sbin/sshd -t").rc == 0
        effective = host.check_output("/usr/sbin/sshd -T")
    settings = dict(line.split(" ", 1) for line in effective.splitlines() if " " in line)
    expected = {
        "permitrootlogin": "no",
        "passwordauthentication": "no",
        "kbdinteractiveauthentication": "no",
        "permitemptypasswords": "no",
        "maxauthtries": "2",
        "logingracetime": "30",
        "allowtcpforwarding": "no",
        "allowagentforwarding": "no",
        "allowstreamlocalforwarding": "no",
        "x11forwarding": "no",
        "permittunnel": "no",
        "clientaliveinterval": "300",
        "clientalivecountmax": "3",
    }
    assert {k: settings.get(k) for k in expected} == expected
    assert "cbc" not in settings["ciphers"] and "sha1" not in settings["kexalgorithms"]
    assert all(mac.endswith("-etm@openssh.com") for mac in settings["macs"].split(","))


def test_deploy_user_logs_in_with_its_key_and_sudo_works(host, key):
    login = ssh(host, f"-i {key} deploy@127.0.0.1 'id -un; sudo -n id -u'")
    assert login.rc == 0, login.stderr
    assert login.stdout.split() == ["deploy", "0"]


def test_root_login_is_refused_even_with_an_authorized_key(host, key):
    root = ssh(host, f"-i {key} root@127.0.0.1 true")
    assert root.rc == 255, root.stdout
    assert "Permission denied (publickey)" in root.stderr, root.stderr


def test_password_login_is_refused(host, key):
    # The server offers no password or keyboard-interactive method: only publickey may continue.
    password = ssh(
        host,
        "-o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive"
        " -o NumberOfPasswordPrompts=1 deploy@127.0.0.1 true",
    )
    assert password.rc == 255
    assert "Permission denied (publickey)." in password.stderr, password.stderr


def test_two_failed_keys_end_the_connection(host, key):
    # MaxAuthTries 2: two refused keys, and the right one offered third is never tried ...
    third = ssh(host, f"-i {KEY_DIR}/bad1 -i {KEY_DIR}/bad2 -i {key} deploy@127.0.0.1 true")
    assert third.rc == 255
    assert "Too many authentication failures" in third.stderr, third.stderr
    # ... while offered second, after one refusal, it logs in.
    second = ssh(host, f"-i {KEY_DIR}/bad1 -i {key} deploy@127.0.0.1 id -un")
    assert second.rc == 0 and second.stdout.strip() == "deploy", second.stderr


def test_forwarding_is_refused(host, key):
    local = ssh(host, f"-i {key} -W 127.0.0.1:22 deploy@127.0.0.1 < /dev/null")
    assert local.rc != 0
    assert "administratively prohibited" in local.stderr, local.stderr
    forward = "-o ExitOnForwardFailure=yes -R 127.0.0.1:0:127.0.0.1:22"
    remote = ssh(host, f"-i {key} {forward} deploy@127.0.0.1 true")
    assert remote.rc == 255
    assert "remote port forwarding failed" in remote.stderr, remote.stderr
    # With an agent running on the client, -A asks for it; the server gives the session none.
    with host.sudo():
        agent = host.run(
            f"eval $(ssh-agent -s) >/dev/null; {SSH} -i {key} -A deploy@127.0.0.1"
            " 'echo ${SSH_AUTH_SOCK:-none}'; status=$?; ssh-agent -k >/dev/null; exit $status"
        )
    assert agent.rc == 0 and agent.stdout.strip() == "none", agent.stdout + agent.stderr


@pytest.mark.parametrize(
    ("option", "refusal"),
    [
        ("-o KexAlgorithms=diffie-hellman-group14-sha256", "no matching key exchange method"),
        ("-o KexAlgorithms=diffie-hellman-group-exchange-sha1", "no matching key exchange method"),
        ("-o Ciphers=aes128-cbc", "no matching cipher"),
        ("-o Ciphers=aes128-ctr -o MACs=hmac-sha1", "no matching MAC"),
        ("-o Ciphers=aes128-ctr -o MACs=hmac-sha2-256", "no matching MAC"),
    ],
)
def test_weak_algorithms_are_refused(host, key, option, refusal):
    weak = ssh(host, f"-i {key} {option} deploy@127.0.0.1 true")
    assert weak.rc == 255
    assert refusal in weak.stderr, weak.stderr
