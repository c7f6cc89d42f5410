"""A plain HTTP client for the boot servers under test: the status and body, whatever the status."""

from __future__ import annotations

import urllib.error
import urllib.request


def get(url: str) -> tuple[int, bytes]:
    return _request(urllib.request.Request(url))


def post(url: str, body: bytes) -> tuple[int, bytes]:
    return _request(urllib.request.Request(url, data=body, method="POST"))


def _request(request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
