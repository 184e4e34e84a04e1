"""An HTTP proxy that accepts every connection and never answers: the stall APT must survive.

    python3 stalled_proxy.py PORT COUNT_FILE

Each accepted connection is counted in COUNT_FILE (one line each) and held open unanswered.
It exits by itself after 300 s, so a failed test never leaves it behind for long.
"""

import socket
import sys
import time

port, count_file = int(sys.argv[1]), sys.argv[2]
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", port))
server.listen(16)
server.settimeout(1)
held = []
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    try:
        conn, _ = server.accept()
    except TimeoutError:
        continue
    held.append(conn)
    with open(count_file, "a") as counts:
        counts.write("accepted\n")
