"""The HTTP client for the providers' APIs (WhatsApp's Graph API, Twilio's recordings), on urllib3.

The ingestion worker sends an acknowledgement for every new WhatsApp request, hundreds a
second in a campaign, and requests' session machinery cost 0.6 ms of CPU a call against 0.25 ms
for urllib3 alone, against the local Graph API stub of make bench-ingest. What requests
would take from the environment is taken the same way, once per host instead of on every call:
the proxy (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) and the CA bundle
(REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else certifi's). As with requests: no retries, redirects
followed, and the Authorization header dropped on a redirect to another host.
"""

from __future__ import annotations

import json as jsonlib
import os
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import certifi
import urllib3
from requests.utils import get_environ_proxies, select_proxy

# No retry of any kind here: the callers' tasks retry with backoff. Up to 10 redirects.
_RETRIES = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=10, raise_on_redirect=True)


class Unreachable(Exception):
    """No answer: refused, reset, timed out, a TLS or proxy failure, too many redirects."""


@dataclass
class Response:
    status_code: int
    headers: urllib3.HTTPHeaderDict
    content: bytes

    def json(self):
        return jsonlib.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    timeout: float,
    json: object = None,
    fields: dict | None = None,
) -> Response:
    """One call: `json` as the body, or `fields` as multipart/form-data (files as (name, bytes, type))."""
    headers = dict(headers)
    body = None
    if json is not None:
        body = jsonlib.dumps(json, allow_nan=False).encode()
        headers["Content-Type"] = "application/json"
    try:
        answer = _manager(url).request(
            method,
            url,
            body=body,
            fields=fields,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=_RETRIES,
        )
    except urllib3.exceptions.HTTPError as exc:
        raise Unreachable(str(exc)) from exc
    return Response(answer.status, answer.headers, answer.data)


def _manager(url: str) -> urllib3.PoolManager:
    parts = urlsplit(url)
    return _managers(os.getpid(), _proxy(parts.scheme, parts.netloc))  # per process: no sockets shared across fork


@lru_cache(maxsize=64)
def _proxy(scheme: str, netloc: str) -> str | None:
    url = f"{scheme}://{netloc}/"
    return select_proxy(url, get_environ_proxies(url))


@lru_cache(maxsize=16)
def _managers(pid: int, proxy: str | None) -> urllib3.PoolManager:
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    # Up to 10 kept-alive connections a host, as requests keeps: a threaded caller reuses them too.
    options = {"maxsize": 10, "ca_cert_dir" if os.path.isdir(bundle) else "ca_certs": bundle}
    if proxy:
        return urllib3.ProxyManager(proxy, **options)
    return urllib3.PoolManager(**options)
