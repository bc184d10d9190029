"""A small checkpoint monitor: it alerts when the newest restorable checkpoint of a sharded cluster is older
than an hour. It reads the Atlas Admin API v2 with an API key (HTTP Digest), as it would read the real
service; the tests run it against Waymark (conftest.py, test_monitor.py)."""

from __future__ import annotations

import datetime as dt
import os
import sys

import requests
from requests.auth import HTTPDigestAuth

ACCEPT = "application/vnd.atlas.2023-01-01+json"
MAX_AGE = dt.timedelta(hours=1)
PAGE = 100


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def newest_restorable(session: requests.Session, base_url: str, group_id: str, cluster: str) -> dict | None:
    """The newest restorable checkpoint of a cluster (the list is newest first), or None."""
    url = f"{base_url}/api/atlas/v2/groups/{group_id}/clusters/{cluster}/backupCheckpoints"
    page = 1
    while True:
        response = session.get(url, params={"pageNum": page, "itemsPerPage": PAGE}, headers={"Accept": ACCEPT}, timeout=10)
        response.raise_for_status()
        body = response.json()
        for checkpoint in body["results"]:
            if checkpoint["restorable"]:
                return checkpoint
        if page * PAGE >= body["totalCount"]:
            return None
        page += 1


def check(base_url: str, group_id: str, cluster: str, public_key: str, private_key: str, now: dt.datetime | None = None) -> str | None:
    """None when the cluster's newest restorable checkpoint is at most an hour old, else the alert.

    `now` is the monitor's clock: the wall clock in production; a test passes the server's."""
    now = now or dt.datetime.now(dt.timezone.utc)
    with requests.Session() as session:
        session.auth = HTTPDigestAuth(public_key, private_key)
        newest = newest_restorable(session, base_url, group_id, cluster)
    if newest is None:
        return f"{cluster}: no restorable checkpoint"
    age = now - parse_time(newest["timestamp"])
    if age > MAX_AGE:
        return f"{cluster}: the newest restorable checkpoint ({newest['id']}) is {int(age.total_seconds() // 60)} minutes old"
    return None


if __name__ == "__main__":
    alert = check(
        os.environ.get("ATLAS_BASE_URL", "https://cloud.mongodb.com"),
        os.environ["ATLAS_GROUP_ID"],
        os.environ["ATLAS_CLUSTER"],
        os.environ["ATLAS_PUBLIC_KEY"],
        os.environ["ATLAS_PRIVATE_KEY"],
    )
    if alert:
        print(alert)
        sys.exit(1)
    print("ok")
