"""Run ON a web host: log in as the demo applicant over HTTPS, submit a resume with a photo and a
PDF through the real form, then fetch the photo back through its private URL and compare the bytes.

Usage: python3 upload_roundtrip.py BASE_URL USERNAME PASSWORD   (prints a JSON report)
Only the standard library: hosts have no extra Python packages.
"""

import hashlib
import http.cookiejar
import json
import re
import struct
import sys
import urllib.parse
import urllib.request
import uuid
import zlib


def png_bytes() -> bytes:
    """A real 2x2 RGB PNG, so Pillow's verification on the server accepts it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes([200, 30, 30]) * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Client:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, path, data=None, content_type=None):
        headers = {"Referer": self.base + path, "Origin": self.base}
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=data, headers=headers)
        with self.opener.open(req, timeout=30) as resp:
            return resp.status, resp.geturl(), dict(resp.headers), resp.read()

    def post_form(self, path, fields):
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        return self.request(path, data, "application/x-www-form-urlencoded")

    def post_multipart(self, path, fields, files):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {**fields, "csrfmiddlewaretoken": self.csrf()}.items():
            disposition = f'Content-Disposition: form-data; name="{name}"'
            parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
        for name, (filename, ctype, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(path, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def main(base, username, password):
    client = Client(base)
    client.request("/accounts/login/")
    _, after_login, _, _ = client.post_form(
        "/accounts/login/", {"username": username, "password": password}
    )
    _, _, _, listing = client.request("/")
    job = re.search(rb'href="(/jobs/\d+/)"', listing).group(1).decode()
    client.request(job + "apply/")
    photo = png_bytes()
    marker = uuid.uuid4().hex[:12]
    status, landed, _, _ = client.post_multipart(
        job + "apply/",
        {
            "name": f"Roundtrip {marker}",
            "phone": "13800000000",
            "email": f"{marker}@example.com",
            "city": "Beijing",
            "gender": "unspecified",
            "degree": "bachelor",
        },
        {
            "photo": (f"{marker}.png", "image/png", photo),
            "attachment": (f"{marker}.pdf", "application/pdf", PDF),
        },
    )
    _, _, _, mine = client.request("/resumes/")
    detail = re.search(rb'href="(/resumes/\d+/)"', mine)
    _, _, _, page = client.request(detail.group(1).decode()) if detail else (0, "", {}, b"")
    # Media is private: the page links the photo through Django's permission check, which hands the
    # bytes to nginx (X-Accel-Redirect) when nginx fronts it.
    media = re.search(rb'src="(/resumes/\d+/photo/)"', page)
    fetched, media_headers = b"", {}
    if media:
        _, _, media_headers, fetched = client.request(media.group(1).decode())
    report = {
        "logged_in": not after_login.endswith("/accounts/login/"),
        "job": job,
        "submit_status": status,
        "landed": landed,
        "media_url": media.group(1).decode() if media else None,
        "bytes_equal": fetched == photo,
        "media_headers": media_headers,
        # For a second host to fetch the same file with the same session (shared media).
        "photo_sha256": hashlib.sha256(photo).hexdigest(),
        "cookie": "; ".join(f"{c.name}={c.value}" for c in client.jar),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:4])
