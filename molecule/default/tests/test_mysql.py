"""The mysql role: hardened MariaDB with the app's database and its least-privilege user.

Expected values are the ones the converge used, rendered by Ansible from the scenario's inventory,
the repository's group_vars and the local vault, with the role's defaults for what is unset; so
these tests fail when the server differs from what was asked.
"""

import ipaddress
import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

# The role's defaults that these tests check; a value set for the host wins.
ROLE_DEFAULTS = {
    "mysql_bind_address": "127.0.0.1",
    "mysql_port": 3306,
    "mysql_max_connections": 150,
    "mysql_character_set_server": "utf8mb4",
    "mysql_collation_server": "utf8mb4_unicode_ci",
    "mysql_innodb_buffer_pool_ratio": 0.5,
    "mysql_innodb_buffer_pool_size": None,
    "mysql_innodb_log_file_size": "128M",
    "mysql_local_infile": False,
    "mysql_secure_file_priv": "/var/lib/mysql-files",
}
# What playbooks/database.yml builds the app's database and user from.
APP_DB_VARS = ["app_db_name", "app_db_user", "app_db_password", "app_db_client_hosts"]
LOCAL_VAULT = REPO / "inventories/local/group_vars/all/vault.yml"
# What playbooks/database.yml grants the app user on its database, and nothing more.
APP_PRIVILEGES = {
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "ALTER",
    "INDEX",
    "DROP",
    "REFERENCES",
    "CREATE TEMPORARY TABLES",  # the bulk import's staging table
}
CONFIG_FILE = "/etc/mysql/mariadb.conf.d/90-djstack.cnf"
ERROR_LOG = "/var/log/mysql/error.log"
DATADIR = "/var/lib/mysql"


@pytest.fixture(autouse=True)
def only_dbservers(host):
    if "dbservers" not in host.ansible.get_variables()["group_names"]:
        pytest.skip("not in group dbservers")


@pytest.fixture(scope="module")
def settings(host) -> dict:
    """The values a play on this host sees: the inventory, the group_vars beside playbooks/ and the
    local vault, rendered by Ansible itself (testinfra's inventory view renders nothing)."""
    name = host.ansible.get_variables()["inventory_hostname"]
    names = [*ROLE_DEFAULTS, *APP_DB_VARS]
    pairs = ", ".join(f"'{n}': ({n} if {n} is defined else none)" for n in names)
    command = ["ansible", name, "-i", os.environ["MOLECULE_INVENTORY_FILE"]]
    command += ["--playbook-dir", str(REPO / "playbooks"), "-m", "ansible.builtin.debug"]
    command += ["-a", "msg={{ {" + pairs + "} }}"]
    if LOCAL_VAULT.exists():
        command += ["-e", f"@{LOCAL_VAULT}"]
    env = {
        **os.environ,
        "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
    }
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    # stdout holds the password: report stderr only.
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)["plays"][0]["tasks"][0]["hosts"][name]["msg"]
    for app_var in APP_DB_VARS:
        assert values[app_var] is not None, f"{app_var} is not set for {name}"
    return {n: ROLE_DEFAULTS[n] if values[n] is None else values[n] for n in names}


def to_bytes(size) -> int:
    size = str(size)
    factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(size[-1].upper(), 1)
    return int(size.rstrip("KMGkmg")) * factor


def sql(host, query: str, user_flags: str = "") -> list[list[str]]:
    """Rows of a query run as root through the unix socket (root's only way in)."""
    with host.sudo():
        result = host.run(f"mariadb {user_flags} -N -B -e {shlex.quote(query)}")
    assert result.rc == 0, f"{query}\n{result.stderr}"
    return [line.split("\t") for line in result.stdout.splitlines()]


def one(host, query: str) -> list[str]:
    rows = sql(host, query)
    assert len(rows) == 1, rows
    return rows[0]


def error_log_tail(host) -> str:
    with host.sudo():
        return "\n--- " + ERROR_LOG + "\n" + host.run(f"tail -n 40 {ERROR_LOG}").stdout


def server_pids(host) -> list[str]:
    out = host.run("grep -lx mariadbd /proc/[0-9]*/comm").stdout.split()
    return [path.split("/")[2] for path in out]


def test_packages(host):
    for name in ["mariadb-server", "python3-pymysql"]:
        assert host.package(name).is_installed, name


def test_service(host, assert_running):
    try:
        assert_running("mariadb")
    except AssertionError as error:
        raise AssertionError(str(error) + error_log_tail(host)) from None
    # mysql-conf-02: exactly one server process, running as mysql.
    pids = server_pids(host)
    assert len(pids) == 1, pids
    status = host.file(f"/proc/{pids[0]}/status").content_string
    uid = re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)
    assert uid == str(host.user("mysql").uid), status
    # mysql-conf-09: no MYSQL_PWD in the server's environment.
    with host.sudo():
        environ = host.run(f"tr '\\0' '\\n' < /proc/{pids[0]}/environ").stdout
    assert "MYSQL_PWD=" not in environ


def test_config_files(host):
    with host.sudo():
        conf = host.file(CONFIG_FILE)
        assert (conf.user, conf.group, conf.mode) == ("root", "mysql", 0o640)
        assert conf.content_string.startswith("# Ansible managed")
        # mysql-conf-07: my.cnf resolves to a file owned root:mysql and closed to others.
        my_cnf = host.file(host.file("/etc/mysql/my.cnf").linked_to)
        assert (my_cnf.user, my_cnf.group, my_cnf.mode & 0o007) == ("root", "mysql", 0), my_cnf.path
        # mysql-conf-08: every file and folder under /etc/mysql, not only the role's.
        listing = host.check_output("find /etc/mysql ! -type l -printf '%u %g %m %p\\n'")
        # A client run by another user skips what it cannot read and still reaches the server.
        client = host.run("su -s /bin/sh nobody -c \"mariadb -e 'SELECT 1'\"")
    entries = [line.split(" ", 3) for line in listing.splitlines()]
    assert len(entries) > 5, listing
    for user, group, mode, path in entries:
        assert (user, group) == ("root", "mysql"), path
        assert int(mode, 8) & 0o027 == 0, f"{path} is {mode}: group-writable or open to others"
    assert client.rc == 1, client.stderr
    assert "Access denied for user 'nobody'@'localhost'" in client.stderr, client.stderr


def test_data_and_log_files(host, settings):
    # mysql-conf-04/05: the data directory and ibdata1 belong to mysql, closed to others.
    with host.sudo():
        datadir = host.file(DATADIR)
        assert (datadir.user, datadir.group, datadir.mode) == ("mysql", "mysql", 0o750)
        ibdata = host.file(f"{DATADIR}/ibdata1")
        assert (ibdata.user, ibdata.group, ibdata.mode & 0o007) == ("mysql", "mysql", 0)
        # mysql-conf-06: the error log is mysql:adm and closed to others, and the server writes it.
        log = host.file(ERROR_LOG)
        assert (log.user, log.group, log.mode) == ("mysql", "adm", 0o640)
        assert "ready for connections" in log.content_string
        priv = host.file(settings["mysql_secure_file_priv"])
        assert (priv.user, priv.group, priv.mode) == ("mysql", "mysql", 0o750)
        world_writable = host.run(
            f"find {DATADIR} /var/log/mysql /etc/mysql ! -type l -perm /o=w"
        ).stdout
    assert world_writable == "", world_writable


def test_server_settings(host, settings):
    names = [
        "bind_address",
        "port",
        "max_connections",
        "skip_name_resolve",
        "character_set_server",
        "collation_server",
        "innodb_buffer_pool_size",
        "innodb_log_file_size",
        "log_error",
        "local_infile",
        "secure_file_priv",
        "have_symlink",
        "skip_show_database",
        "allow_suspicious_udfs",
        "skip_grant_tables",
    ]
    running = dict(
        zip(names, one(host, "SELECT " + ", ".join(f"@@{n}" for n in names)), strict=True)
    )

    memtotal_kb = int(re.search(r"MemTotal:\s+(\d+)", host.file("/proc/meminfo").content_string)[1])
    ratio = settings["mysql_innodb_buffer_pool_ratio"]
    pool_mb = max(128, int(memtotal_kb // 1024 * ratio) // 128 * 128)
    pool = to_bytes(settings["mysql_innodb_buffer_pool_size"] or f"{pool_mb}M")
    expected = {
        "bind_address": settings["mysql_bind_address"],
        "port": str(settings["mysql_port"]),
        "max_connections": str(settings["mysql_max_connections"]),
        "skip_name_resolve": "1",
        "character_set_server": settings["mysql_character_set_server"],
        "collation_server": settings["mysql_collation_server"],
        "innodb_buffer_pool_size": str(pool),
        "innodb_log_file_size": str(to_bytes(settings["mysql_innodb_log_file_size"])),
        "log_error": ERROR_LOG,
        # mysql-conf-03, as the running server applies it.
        "local_infile": "1" if settings["mysql_local_infile"] else "0",
        "secure_file_priv": settings["mysql_secure_file_priv"].rstrip("/") + "/",
        "have_symlink": "DISABLED",
        "skip_show_database": "1",
        "allow_suspicious_udfs": "0",
        "skip_grant_tables": "0",
    }
    assert running == expected
    # Grant tables are in force: root is root@localhost, not the skip-grants user.
    assert one(host, "SELECT CURRENT_USER()") == ["root@localhost"]


def test_startup_options(host):
    # Options the server exposes as no variable, as it reads them from its configuration at start.
    with host.sudo():
        out = host.check_output("/usr/sbin/mariadbd --help --verbose 2>/dev/null")
        args = host.check_output("/usr/sbin/mariadbd --print-defaults").split()
    table = out.split("Variables (--variable-name=value)")[1].splitlines()
    options = dict(line.split(None, 1) for line in table if len(line.split(None, 1)) == 2)
    assert options["safe-user-create"] == "TRUE"
    assert options["allow-suspicious-udfs"] == "FALSE"
    assert options["skip-grant-tables"] == "FALSE"
    assert options["symbolic-links"] == "FALSE"
    assert [arg for arg in args if arg.startswith("--user=")][-1] == "--user=mysql", args


def test_accounts(host):
    # mysql-db-03: no test database, and no grants left for test_* databases.
    assert sql(host, "SHOW DATABASES LIKE 'test%'") == []
    assert sql(host, r"SELECT Db FROM mysql.db WHERE Db LIKE 'test%'") == []
    # mysql-db-04: no anonymous account.
    assert sql(host, "SELECT Host FROM mysql.user WHERE User = ''") == []
    # mysql-db-07: no account open to every host, nor to any host pattern.
    assert sql(host, r"SELECT User, Host FROM mysql.user WHERE Host LIKE '%\%%'") == []
    # mysql-db-08: root only at localhost, through the unix socket; its password hash is the
    # impossible 'invalid', so no password logs it in.
    root = sql(host, "SELECT Host, Priv FROM mysql.global_priv WHERE User = 'root'")
    assert [row[0] for row in root] == ["localhost"], root
    priv = json.loads(root[0][1])
    plugins = {priv.get("plugin")} | {alt.get("plugin") for alt in priv.get("auth_or", [])}
    assert "unix_socket" in plugins, priv
    assert priv.get("plugin") == "unix_socket" or priv.get("authentication_string") == "invalid", (
        priv
    )
    # mysql-db-05: no account that logs in with an empty password. mariadb.sys has an empty hash but
    # is locked (it only owns the mysql.user view).
    empty = sql(
        host,
        "SELECT CONCAT(User, '@', Host) FROM mysql.global_priv"
        " WHERE JSON_VALUE(Priv, '$.authentication_string') = ''"
        " AND JSON_VALUE(Priv, '$.plugin') IN ('mysql_native_password', 'mysql_old_password')"
        " AND IFNULL(JSON_VALUE(Priv, '$.account_locked'), 0) = 0"
        " AND IFNULL(JSON_VALUE(Priv, '$.is_role'), 0) = 0",
    )
    assert empty == []
    # mysql-db-06: the grant option only for root and mysql@localhost, the unix-socket account of
    # the system user that runs the server.
    granting = {
        row[0]
        for row in sql(
            host, "SELECT CONCAT(User, '@', Host) FROM mysql.user WHERE Grant_priv = 'Y'"
        )
    }
    assert "root@localhost" in granting
    assert granting <= {"root@localhost", "mysql@localhost"}, granting


def test_root_access(host, settings):
    # The OS root gets in through the socket without a password ...
    assert one(host, "SELECT CURRENT_USER()") == ["root@localhost"]
    # ... any other OS user cannot be root, with or without a password ...
    for flags in ["-u root", "-u root --password=", "-u root --password=invalid"]:
        with host.sudo():
            other = host.run(f"su -s /bin/sh nobody -c \"mariadb {flags} -e 'SELECT 1'\"")
        assert other.rc == 1 and "Access denied for user 'root'@'localhost'" in other.stderr, (
            other.stderr
        )
    # ... and root has no account over TCP.
    port = settings["mysql_port"]
    bind = settings["mysql_bind_address"]
    tcp = host.run(f"mariadb -h {bind} -P {port} -u root --password= -e 'SELECT 1'")
    assert tcp.rc == 1 and "Access denied for user 'root'@" in tcp.stderr, tcp.stderr


def test_app_database(host, settings):
    name = settings["app_db_name"]
    rows = sql(
        host,
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
        f" WHERE SCHEMA_NAME = '{name}'",
    )
    assert rows == [["utf8mb4", "utf8mb4_unicode_ci"]]


def test_app_user_grants(host, settings):
    user, db = settings["app_db_user"], settings["app_db_name"]
    hosts = sql(host, f"SELECT Host FROM mysql.user WHERE User = '{user}'")
    assert sorted(row[0] for row in hosts) == sorted(settings["app_db_client_hosts"])
    for client in settings["app_db_client_hosts"]:
        grants = {}
        for (line,) in sql(host, f"SHOW GRANTS FOR '{user}'@'{client}'"):
            match = re.match(r"GRANT (.+) ON (\S+) TO ", line)
            assert match and "WITH GRANT OPTION" not in line, line
            grants[match[2]] = set(match[1].split(", "))
        assert grants == {"*.*": {"USAGE"}, f"`{db}`.*": APP_PRIVILEGES}, client


def test_app_user_login(host, settings):
    user, db, password = (settings[k] for k in ["app_db_user", "app_db_name", "app_db_password"])
    # Connecting from the host to its own bind address makes that address the client's.
    bind, port = settings["mysql_bind_address"], settings["mysql_port"]
    if bind not in settings["app_db_client_hosts"]:
        pytest.skip(f"the app user is not granted at the bind address {bind}")

    def client(secret: str, query: str):
        flags = f"-h {bind} -P {port} -u {user} --password={shlex.quote(secret)}"
        return host.run(f"mariadb {flags} -N -B -e {shlex.quote(query)}")

    login = client(
        password, "SELECT CURRENT_USER(); SELECT SCHEMA_NAME FROM information_schema.SCHEMATA"
    )
    assert login.rc == 0, login.stderr
    assert login.stdout.split() == [f"{user}@{bind}", "information_schema", db]
    # skip-show-database: SHOW DATABASES is refused to all but holders of that privilege.
    show = client(password, "SHOW DATABASES")
    assert show.rc == 1 and "Access denied" in show.stderr, show.stderr
    wrong = client(password + "x", "SELECT 1")
    assert wrong.rc == 1 and "Access denied" in wrong.stderr, wrong.stderr
    # Least privilege: no global privilege to read files or other accounts.
    denied = client(password, "SELECT User FROM mysql.user")
    assert denied.rc == 1 and "denied" in denied.stderr, denied.stderr


def test_listening(host, settings):
    # Listening TCP sockets from /proc (the images carry no ss or netstat): only bind:port.
    port = settings["mysql_port"]
    listening = set()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"]:
        for line in host.file(table).content_string.splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                listening.add(decode_address(address))
    assert listening == {settings["mysql_bind_address"]}


def decode_address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return ".".join(str(b) for b in reversed(raw))
    words = [raw[i : i + 4][::-1].hex() for i in range(0, 16, 4)]
    return str(ipaddress.IPv6Address(bytes.fromhex("".join(words))))


@pytest.mark.parametrize(
    ("client_host", "reason"),
    [("%", "'%' and other wildcards are refused"), ("web1.example.com", "host names never match")],
)
def test_bad_user_host_fails_naming_the_user(host, settings, client_host, reason):
    users = [{"name": "intruder", "password": "x", "priv": "x.*:SELECT", "hosts": [client_host]}]
    result = subprocess.run(
        [
            "ansible-playbook",
            "-i",
            os.environ["MOLECULE_INVENTORY_FILE"],
            str(REPO / "playbooks/database.yml"),
            "--limit",
            host.ansible.get_variables()["inventory_hostname"],
            "-e",
            json.dumps({"mysql_users": users}),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "user 'intruder'" in out and reason in out, out
    recap = re.search(r"ok=\d+\s+changed=(\d+)\s+unreachable=\d+\s+failed=(\d+)", out)
    assert recap and recap.groups() == ("0", "1"), out
