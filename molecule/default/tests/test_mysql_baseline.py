"""dev-sec mysql-baseline controls shown by behaviour, beyond the settings test_mysql.py reads.

test_mysql.py covers conf-02 to conf-09 and db-03 to db-08 (one server process as mysql, the
settings, root:mysql configuration closed to others, the data directory and error log, no test
database, no anonymous or '%' account, root only at localhost). Here the server is asked to do what
those settings forbid, and must refuse.
"""

import shlex

import pytest
from conftest import APP


@pytest.fixture(autouse=True)
def only_dbservers(host):
    if "dbservers" not in host.ansible.get_variables()["group_names"]:
        pytest.skip("not in group dbservers")


def as_root(host, statements: str, flags: str = ""):
    with host.sudo():
        return host.run(f"mariadb {flags} -N -B {APP} -e {shlex.quote(statements)}")


def test_load_data_local_infile_is_refused(host):
    # local-infile=0: even a client that enables it (--local-infile=1) cannot make the server read
    # a file from the client side.
    result = as_root(
        host,
        "CREATE TEMPORARY TABLE probe (line TEXT);"
        " LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE probe; SELECT COUNT(*) FROM probe",
        flags="--local-infile=1",
    )
    assert result.rc == 1, result.stdout
    assert "ERROR 4166" in result.stderr or "ERROR 1148" in result.stderr, result.stderr


def test_server_files_stay_in_secure_file_priv(host):
    # secure-file-priv: no file written or read outside its folder, even by root.
    write = as_root(host, "SELECT 1 INTO OUTFILE '/tmp/mysql-baseline-probe'")
    assert write.rc == 1 and "secure-file-priv" in write.stderr, write.stderr
    assert not host.file("/tmp/mysql-baseline-probe").exists
    read = as_root(host, "SELECT LOAD_FILE('/etc/passwd') IS NULL")
    assert read.rc == 0 and read.stdout.strip() == "1", read.stdout + read.stderr


def test_backups_are_closed_to_others(host):
    with host.sudo():
        dumps = host.run("find /var/backups/mysql -type f ! -perm 0600 -printf '%p %m\\n'").stdout
        owners = host.run("find /var/backups/mysql ! -user root -printf '%p %u\\n'").stdout
    assert dumps == "" and owners == "", dumps + owners
