"""The object store on cl-db1 (SeaweedFS, S3 API) as the web hosts reach it.
Precondition: the converged cluster; the probe writes, lists, reads and removes an object of its
own, so it does not depend on what other tests uploaded."""

from cluster import host

S3_PROBE = """
import sys
import boto3
import botocore.exceptions

key, secret = sys.argv[1], sys.argv[2]


def client(secret):
    return boto3.client("s3", endpoint_url="http://10.79.0.13:8333", region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret)


def error(call):
    try:
        call()
    except botocore.exceptions.ClientError as exc:
        return exc.response["Error"]["Code"]
    return "none"


app = client(secret)
app.put_object(Bucket="recruitment-media", Key="probe/s3-probe.txt", Body=b"probe")
print(app.list_objects_v2(Bucket="recruitment-media", Prefix="probe/")["KeyCount"])
print(app.get_object(Bucket="recruitment-media", Key="probe/s3-probe.txt")["Body"].read().decode())
app.delete_object(Bucket="recruitment-media", Key="probe/s3-probe.txt")
print(error(lambda: client("wrong-" + secret).list_objects_v2(Bucket="recruitment-media")))
print(error(lambda: app.create_bucket(Bucket="not-ours")))
"""


def test_object_storage_refuses_a_wrong_key_and_bucket_creation(vault):
    """From a web host (the firewall admits no one else), with the app's own boto3."""
    web1 = host("cl-web1")
    web1.run_expect([0], f"cat > /tmp/s3_probe.py <<'EOF'\n{S3_PROBE}\nEOF")
    out = web1.run(
        "/srv/recruitment/current/venv/bin/python /tmp/s3_probe.py "
        f"{vault['vault_app_s3_access_key']} {vault['vault_app_s3_secret_key']}"
    )
    assert out.rc == 0, out.stderr
    objects, body, wrong_key, create_bucket = out.stdout.split()
    assert int(objects) == 1 and body == "probe", out.stdout
    assert wrong_key == "SignatureDoesNotMatch"
    assert create_bucket == "AccessDenied"
    # The master, volume and filer servers (HTTP and gRPC) listen on loopback only; the S3 API on
    # the private address. (ss without -p: the service's sandbox hides its process.)
    sockets = host("cl-db1").check_output("ss -Hltn | awk '{print $4}'").split()
    assert "10.79.0.13:8333" in sockets, sockets
    for port in (9333, 19333, 8080, 18080, 8888, 18888):
        bound = [a for a in sockets if a.rsplit(":", 1)[1] == str(port)]
        assert bound == [f"127.0.0.1:{port}"], (port, bound)
