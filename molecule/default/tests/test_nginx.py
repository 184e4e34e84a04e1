"""Roles nginx and webserver: real requests on the web host, with the host's own curl and openssl.

Every HTTPS request verifies the certificate against the host's trust store (no -k), so a
self-signed CA that is not installed, or a certificate without the name, fails the tests.
"""

import ipaddress
import json
import re
import shlex
import uuid

import pytest

# The roles' defaults, for variables the inventory does not set (get_variables sees only the
# inventory). Keep them equal to roles/{webserver,nginx}/defaults/main.yml.
DEFAULTS = {
    "webserver_app_socket": "/run/recruitment/gunicorn.sock",
    "webserver_static_root": "/srv/recruitment/current/static/",
    "webserver_media_root": "/srv/recruitment/shared/media/",
    "webserver_media_internal": True,
    "nginx_client_max_body_size": "10m",
    "webserver_metrics_allow": [],
    "webserver_health_allow": ["127.0.0.1/32"],
}
HSTS = "max-age=63072000; includeSubDomains"
SECURITY_HEADERS = {
    "strict-transport-security": HSTS,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "content-security-policy": None,  # present; its value is checked where it matters
}
# curl exit codes: no reply at all, and a TLS handshake that failed. A connection closed without
# a reply inside TLS is 52 (empty reply), 56 (curl 8 on trixie: "unexpected eof") or, in HTTP/2,
# 92 (stream not closed cleanly).
CURL_EMPTY_REPLY = 52
CURL_CLOSED_IN_TLS = (52, 56, 92)
CURL_SSL_CONNECT_ERROR = 35


@pytest.fixture(scope="module", autouse=True)
def only_webservers(host):
    if "webservers" not in host.ansible.get_variables().get("group_names", []):
        pytest.skip("nginx runs on web servers only")


@pytest.fixture(scope="module")
def var(host):
    inventory = host.ansible.get_variables()

    def get(name):
        return inventory.get(name, DEFAULTS.get(name))

    return get


@pytest.fixture(scope="module")
def server_name(host):
    names = host.ansible.get_variables().get("nginx_server_names", ["localhost"])
    return "localhost" if "localhost" in names else names[0]


@pytest.fixture(scope="module")
def own_address(host):
    """The host's own non-loopback IPv4 address: a client that is in no allow list."""
    address = host.run("hostname -I").stdout.split()[0]
    assert ipaddress.ip_address(address).version == 4, address
    return address


class Response:
    def __init__(self, result):
        self.rc = result.rc
        self.stderr = result.stderr
        raw = result.stdout
        # Skip interim responses (100 Continue) to the final header block.
        while True:
            head, _, raw = raw.partition("\r\n\r\n")
            lines = head.split("\r\n")
            status = lines[0].split()
            if len(status) < 2 or status[1] != "100":
                break
        self.status = int(status[1]) if len(status) > 1 and status[1].isdigit() else None
        self.body = raw
        self.headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers.append((name.strip().lower(), value.strip()))

    def all(self, name):
        return [value for key, value in self.headers if key == name]

    def one(self, name):
        values = self.all(name)
        assert len(values) == 1, f"{name}: {values}\n{self.headers}"
        return values[0]

    def __repr__(self):
        return f"<{self.status} rc={self.rc} {self.headers} {self.stderr[-300:]}>"


def curl(host, url, *args, via=None):
    """One request with the host's curl. via: the address to connect to instead of DNS."""
    options = ["-sS", "-4", "-i", "--max-time", "20"]
    if via:
        match = re.match(r"https?://([^/:]+)(?::(\d+))?", url)
        port = match.group(2) or ("443" if url.startswith("https") else "80")
        options += ["--resolve", f"{match.group(1)}:{port}:{via}"]
    command = "curl " + " ".join(shlex.quote(arg) for arg in [*options, *args, url])
    return Response(host.run(command))


def assert_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        actual = response.one(name)
        if value is not None:
            assert actual == value, (name, actual)
    # No version in the Server header (server_tokens off).
    assert response.one("server") == "nginx", response


@pytest.fixture(scope="module")
def static_file(host, var):
    """A collected static file large enough to be compressed: (URL path, content)."""
    root = var("webserver_static_root")
    found = host.run(f"find {shlex.quote(root)} -type f -name '*.css' -size +300c -printf '%P\\n'")
    names = sorted(found.stdout.split())
    assert names, f"no static .css file over 300 bytes under {root}: {found.stderr}"
    return "/static/" + names[0], host.file(root + names[0]).content_string


@pytest.fixture
def app_socket_absent(host, var):
    """Nothing on the app's socket for the test: the app's socket unit (named after the socket's
    folder, /run/<app>/) and service are stopped, then started again afterwards."""
    socket = var("webserver_app_socket")
    app = socket.rsplit("/", 2)[-2]
    running = host.socket(f"unix://{socket}").is_listening
    if running:
        host.run_expect([0], f"systemctl stop {app}.socket {app}.service && rm -f {socket}")
    yield
    if running:
        host.run_expect([0], f"rm -f {socket} && systemctl start {app}.socket")
        assert host.socket(f"unix://{socket}").is_listening


FAKE_APP = r"""
import json, os, socketserver, sys
from http.server import BaseHTTPRequestHandler

class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path.startswith("/accel/"):
            # What the app's private-file view answers after its permission check.
            self.send_response(200)
            self.send_header("X-Accel-Redirect", "/media/" + self.path[len("/accel/"):])
            self.send_header("Content-Disposition", "inline")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # A misconfigured app: nginx must hide these and send its own, once.
        self.send_header("Strict-Transport-Security", "max-age=60")
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

path = sys.argv[1]
# Threads: each nginx worker keeps its own idle keep-alive connection open.
server = socketserver.ThreadingUnixStreamServer(path, Echo)
os.chmod(path, 0o666)
server.serve_forever()
"""


@pytest.fixture
def fake_app(host, var, app_socket_absent):
    """A stand-in app on the socket that echoes the request headers it receives."""
    socket = var("webserver_app_socket")
    folder = socket.rsplit("/", 1)[0]
    created = not host.file(folder).exists
    host.run(f"mkdir -p {folder} && chmod 0755 {folder}")
    host.run(f"cat > /tmp/nginx-test-app.py <<'EOF'\n{FAKE_APP}\nEOF")
    unit = "--unit nginx-test-app --collect --quiet"
    started = host.run(f"systemd-run {unit} python3 /tmp/nginx-test-app.py {socket}")
    assert started.rc == 0, started.stderr
    waited = host.run(f"for i in $(seq 50); do [ -S {socket} ] && exit 0; sleep 0.1; done; exit 1")
    assert waited.rc == 0, host.run("journalctl --no-pager -n 20 -u nginx-test-app").stdout
    yield
    host.run("systemctl stop nginx-test-app; rm -f /tmp/nginx-test-app.py")
    host.run(f"rm -f {socket}" + (f"; rmdir {folder}" if created else ""))


def test_service(host, assert_running):
    assert_running("nginx")
    check = host.run("nginx -t")
    assert check.rc == 0, check.stderr
    assert "[warn]" not in check.stderr, check.stderr
    processes = host.run("ps -C nginx -o user=,group=,args=").stdout.splitlines()
    masters = [line for line in processes if "master process" in line]
    workers = [line.split() for line in processes if "worker process" in line]
    assert len(masters) == 1, processes
    assert workers, processes
    for user, group, *_ in workers:
        assert user == "www-data" and group != "root", processes


def test_files(host):
    conf = host.file("/etc/nginx/nginx.conf")
    assert conf.user == "root" and conf.group == "root"
    assert conf.mode & 0o007 == 0, oct(conf.mode)
    assert not host.file("/etc/nginx/sites-enabled/default").exists
    assert not host.file("/etc/nginx/conf.d/default.conf").exists
    key = host.file("/etc/nginx/tls/site.key")
    assert key.user == "root" and key.mode == 0o600, oct(key.mode)


def test_http_redirects_to_https(host, server_name):
    response = curl(host, f"http://{server_name}/some/page?q=1")
    assert response.status == 308, response
    assert response.one("location") == f"https://{server_name}/some/page?q=1"


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_tls_version_accepted(host, server_name, static_file, version):
    response = curl(
        host, f"https://{server_name}{static_file[0]}", f"--tlsv{version}", "--tls-max", version
    )
    assert response.rc == 0 and response.status == 200, response


def test_tls_old_versions_and_cbc_ciphers_refused(host, server_name):
    def s_client(*args):
        command = f"openssl s_client -connect 127.0.0.1:443 -servername {server_name} "
        return host.run(command + " ".join(args) + " </dev/null")

    # The client allows anything (SECLEVEL=0), so a refusal can only come from the server.
    weak = "-cipher 'DEFAULT:@SECLEVEL=0'"
    assert s_client("-tls1_2", weak).rc == 0, "control: TLS 1.2 with the same client options"
    for version in ["-tls1", "-tls1_1"]:
        result = s_client(version, weak)
        assert result.rc != 0, f"{version} was accepted"
        assert "alert protocol version" in result.stdout + result.stderr, result.stderr
    cbc = s_client("-tls1_2", "-cipher 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA'")
    assert cbc.rc != 0, "a CBC suite was accepted (not the Mozilla intermediate list)"


def test_static_file_served_by_nginx(host, server_name, static_file):
    path, content = static_file
    url = f"https://{server_name}{path}"
    response = curl(host, url)
    assert response.status == 200, response
    assert response.body == content, "not the file on disk"
    assert response.one("cache-control") == "public, max-age=31536000, immutable"
    assert response.one("x-served-by") == "nginx-static"
    assert_security_headers(response)
    compressed = curl(host, url, "--compressed")
    assert compressed.one("content-encoding") == "gzip", compressed
    assert compressed.body == content
    assert "accept-encoding" in compressed.one("vary").lower()
    version = host.run(f"curl -sS -4 -o /dev/null -w '%{{http_version}}' {url}")
    assert version.stdout == "2", f"HTTP/{version.stdout}, not HTTP/2"


def test_missing_static_file_has_security_headers(host, server_name):
    response = curl(host, f"https://{server_name}/static/no-such-{uuid.uuid4().hex}.css")
    assert response.status == 404, response
    assert response.one("x-served-by") == "nginx-static", "the 404 did not come from nginx"
    # A missing file must not be cached for a year.
    assert not response.all("cache-control"), response
    assert_security_headers(response)


@pytest.fixture
def media_file(host, var):
    """An uploaded HTML file with a script in it: (name, content)."""
    name = f"nginx-test-{uuid.uuid4().hex}.html"
    path = var("webserver_media_root") + name
    content = "<script>alert(1)</script>\n"
    host.run(f"printf '%s' {shlex.quote(content)} > {path} && chmod 0644 {path}")
    yield name, content
    host.run(f"rm -f {path}")


def assert_sandboxed(response, content):
    assert response.status == 200, response
    assert response.body == content
    assert response.one("x-served-by") == "nginx-media"
    assert "sandbox" in response.one("content-security-policy")
    assert response.one("cache-control") == "private, max-age=3600"
    assert_security_headers(response)


def test_media_is_not_public(host, server_name, var, media_file):
    name, content = media_file
    response = curl(host, f"https://{server_name}/media/{name}")
    if var("webserver_media_internal"):
        # Internal: only the app's X-Accel-Redirect reaches the file.
        assert response.status == 404, response
        assert content not in response.body
        assert_security_headers(response)
    else:
        assert_sandboxed(response, content)


def test_media_through_the_app(host, server_name, media_file, fake_app):
    name, content = media_file
    response = curl(host, f"https://{server_name}/accel/{name}")
    assert_sandboxed(response, content)
    assert response.one("content-disposition") == "inline"


def test_app_unreachable_gives_502_with_security_headers(host, server_name, app_socket_absent):
    response = curl(host, f"https://{server_name}/")
    assert response.status == 502, response
    assert_security_headers(response)


def test_forwarded_headers_are_overwritten(host, server_name, fake_app):
    spoofed = ["X-Forwarded-For: 203.0.113.9", "X-Real-IP: 203.0.113.9"]
    spoofed += ["X-Forwarded-Proto: http", "X-Forwarded-Host: evil.example"]
    args = [arg for header in spoofed for arg in ("-H", header)]
    response = curl(host, f"https://{server_name}/echo", *args)
    assert response.status == 200, response
    seen = json.loads(response.body)
    assert seen["host"] == server_name
    assert seen["x-forwarded-for"] == "127.0.0.1", seen
    assert seen["x-real-ip"] == "127.0.0.1", seen
    assert seen["x-forwarded-proto"] == "https", seen
    assert "x-forwarded-host" not in seen, seen
    # The app's own HSTS and X-Frame-Options are replaced by nginx's: one of each.
    assert_security_headers(response)
    # A health check over plain HTTP tells the app so.
    health = curl(host, f"http://{server_name}/healthz")
    assert health.status == 200, health
    assert json.loads(health.body)["x-forwarded-proto"] == "http"


def test_health_checks_over_http(host, server_name, var, own_address):
    allowed = [ipaddress.ip_network(cidr) for cidr in var("webserver_health_allow")]
    for client in ["127.0.0.1", own_address]:
        for path in ["/healthz", "/readyz"]:
            response = curl(host, f"http://{server_name}{path}", via=client)
            if any(ipaddress.ip_address(client) in net for net in allowed):
                # Proxied to the app: its answer, or 502 while it is not running.
                assert response.status in (200, 502, 503), (client, response)
            else:
                assert response.status == 308, (client, response)
                assert response.one("location") == f"https://{server_name}{path}"


def test_readyz_over_https_only_for_health_checkers(host, server_name, var, own_address):
    allowed = [ipaddress.ip_network(cidr) for cidr in var("webserver_health_allow")]
    assert not any(ipaddress.ip_address(own_address) in net for net in allowed), own_address
    denied = curl(host, f"https://{server_name}/readyz", via=own_address)
    assert denied.status == 403, denied
    assert_security_headers(denied)
    # /healthz stays open: it touches nothing behind the app.
    assert curl(host, f"https://{server_name}/healthz", via=own_address).status == 200
    local = curl(host, f"https://{server_name}/readyz")
    assert local.status in (200, 503) and "checks" in local.body, local


def test_metrics_only_from_allowed_addresses(host, server_name, var, own_address):
    allowed = [ipaddress.ip_network(cidr) for cidr in var("webserver_metrics_allow")]
    assert not any(ipaddress.ip_address(own_address) in net for net in allowed), own_address
    for path in ["/metrics", "/metrics/", "//metrics"]:
        denied = curl(host, f"https://{server_name}{path}", "--path-as-is", via=own_address)
        assert denied.status == 403, (path, denied)
        assert_security_headers(denied)
    local = curl(host, f"https://{server_name}/metrics")
    if any(ipaddress.ip_address("127.0.0.1") in net for net in allowed):
        assert local.status != 403, local
    else:
        assert local.status == 403, local


def test_unknown_host_gets_no_response(host, server_name):
    plain = curl(host, "http://unknown.example/", via="127.0.0.1")
    assert plain.rc == CURL_EMPTY_REPLY and plain.status is None, plain
    handshake = curl(host, "https://unknown.example/", via="127.0.0.1")
    assert handshake.rc == CURL_SSL_CONNECT_ERROR, handshake
    assert "unrecognized name" in handshake.stderr, handshake
    # No SNI at all (an address instead of a name) is refused the same way.
    no_sni = curl(host, "https://127.0.0.1/")
    assert no_sni.rc == CURL_SSL_CONNECT_ERROR, no_sni
    # A known name in the handshake with an unknown Host header: the connection is closed.
    for version in ["--http1.1", "--http2"]:
        mismatch = curl(host, f"https://{server_name}/", version, "-H", "Host: unknown.example")
        assert mismatch.rc in CURL_CLOSED_IN_TLS, (version, mismatch)
        assert mismatch.status is None, mismatch


def size_in_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit.lower()]


def test_request_body_limit(host, server_name, var):
    limit = size_in_bytes(var("nginx_client_max_body_size"))
    body = "/tmp/nginx-test-body"
    try:
        for size, too_large in [(limit + 1, True), (limit // 2, False)]:
            host.run(f"rm -f {body} && truncate -s {size} {body}")
            response = curl(
                host, f"https://{server_name}/upload", "--data-binary", f"@{body}", "--http1.1"
            )
            assert (response.status == 413) is too_large, (size, response)
    finally:
        host.run(f"rm -f {body}")
