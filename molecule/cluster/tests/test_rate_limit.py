"""The load balancer's rate limit on the login path. Precondition: the converged cluster."""

from cluster import host


def test_rate_limit_returns_429():
    codes = (
        host("cl-lb1")
        .run(
            "for i in $(seq 60); do curl -s -o /dev/null -w '%{http_code}\\n' "
            "https://localhost/accounts/login/; done"
        )
        .stdout.split()
    )
    print(f"\n[rate limit] {codes.count('429')} of {len(codes)} login requests got 429")
    assert "429" in codes and "200" in codes
