"""Fault modes of the third hostile round (issue 21), kept out of the large server module.

``server._Handler._fault`` hands a mode of ``ROUND3_FAULT_MODES`` to ``answer``, which
writes the whole response through the handler (its ``_send`` and its socket).
"""

from __future__ import annotations

from typing import Any

TEXT = "text/plain; charset=utf-8"
#: what robots-private-padded's rule forbids (a path under /news/, no article of the replica)
PRIVATE_PREFIX = "/news/"
ROBOTS_PADDING_BYTES = 11 * 1024 * 1024  # comments after the rules, past the 10 MB page cap

ROUND3_FAULT_MODES = {
    "robots-padded": "(for /robots.txt) Disallow: /news/ then 11 MB of comments (RFC 9309 "
    "asks a crawler to read at least the first 500 KiB)",
    "robots-trickle": "(for /robots.txt) Disallow: / sent one byte every 0.2 s, past any "
    "short download timeout",
}


def answer(handler: Any, mode: str) -> bool:
    """Answer with ``mode``; False when the normal page should be served instead."""
    if mode == "robots-padded":
        _robots_padded(handler)
    elif mode == "robots-trickle":
        handler._trickle(b"User-agent: *\nDisallow: /\n" + b"#" * 4096 + b"\n", TEXT)
    else:
        return False
    return True


def _robots_padded(handler: Any) -> None:
    rules = f"User-agent: *\nDisallow: {PRIVATE_PREFIX}\n".encode()
    line = b"# " + b"x" * 1021 + b"\n"  # 1 KiB
    lines = ROBOTS_PADDING_BYTES // len(line)
    handler.send_response(200)
    handler.send_header("Content-Type", TEXT)
    handler.send_header("Content-Length", str(len(rules) + lines * len(line)))
    handler.end_headers()
    try:
        handler.wfile.write(rules)
        chunk = line * 64
        for _ in range(lines // 64):
            handler.wfile.write(chunk)
        handler.wfile.write(line * (lines % 64))
    except OSError:  # the crawler hung up once it read the size
        pass
    handler.close_connection = True
