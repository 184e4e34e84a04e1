"""Sessions and media across the two web hosts, through the load balancer.
Precondition: the converged cluster; the session fixture loads the demo data and logs in."""

from cluster import host, upload_roundtrip


def test_session_holds_across_web_hosts(session):
    cookie, _ = session
    for name in ("cl-web1", "cl-web2"):
        page = (
            host("cl-lb1")
            .run(
                "curl -s --resolve localhost:443:"
                + host(name).ansible.get_variables()["private_ip"]
                + " "
                f"-H 'Cookie: {cookie}' https://localhost/resumes/ -o /dev/null -w '%{{http_code}}'"
            )
            .stdout
        )
        assert page == "200", (name, page)


def test_upload_through_one_host_is_read_through_the_other(session, vault):
    """Media lives in the object storage on cl-db1 (SeaweedFS, S3 API), not on a web host's disk."""
    report = upload_roundtrip("cl-web1", vault)
    assert report["bytes_equal"] and report["media_url"], report
    url = "https://localhost" + report["media_url"]
    fetched = host("cl-web2").run(f"curl -sf -H 'Cookie: {report['cookie']}' {url} | sha256sum")
    assert fetched.stdout.split()[0] == report["photo_sha256"], fetched
    for name in ("cl-web1", "cl-web2"):
        local = host(name).run("find /srv/recruitment/shared/media -type f | wc -l").stdout.strip()
        assert local == "0", (name, local)
