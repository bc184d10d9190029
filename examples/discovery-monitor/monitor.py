"""A backup monitor, as a user writes one against MongoDB Atlas or Ops Manager (see monitor.sh, which does the
same with curl): given a project's NAME, it discovers the project's sharded clusters on legacy backup and prints
the newest restorable checkpoint of each: NAME<TAB>CHECKPOINT_ID<TAB>TIMESTAMP, or NAME<TAB>none.

    API_PUBLIC_KEY=… API_PRIVATE_KEY=… python3 monitor.py BASE_URL API PROJECT_NAME

API is atlas-v2, atlas-v1 or ops-manager. Needs the requests package.
"""
import os
import sys
from urllib.parse import quote

import requests
from requests.auth import HTTPDigestAuth

APIS = {
    "atlas-v2": ("/api/atlas/v2", "application/vnd.atlas.2023-01-01+json", "application/vnd.atlas.2024-08-05+json"),
    "atlas-v1": ("/api/atlas/v1.0", "application/json", "application/json"),
    "ops-manager": ("/api/public/v1.0", "application/json", "application/json"),
}


def main(base, api, project):
    prefix, accept, clusters_accept = APIS[api]
    session = requests.Session()
    session.auth = HTTPDigestAuth(os.environ["API_PUBLIC_KEY"], os.environ["API_PRIVATE_KEY"])

    def get(url, media=accept):
        response = session.get(url, headers={"Accept": media})
        response.raise_for_status()
        return response.json()

    def pages(url, media=accept):
        while url:
            page = get(url, media)
            yield page
            url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)

    group_id = get(f"{base}{prefix}/groups/byName/{quote(project, safe='')}")["id"]
    clusters = f"{base}{prefix}/groups/{group_id}/clusters"
    entries = [c for page in pages(clusters + "?itemsPerPage=100", clusters_accept) for c in page["results"]]

    if api == "ops-manager":
        sharded = [
            (c["clusterName"], c["id"])
            for c in entries
            if c["typeName"] == "SHARDED_REPLICA_SET"
            and get(f"{base}{prefix}/groups/{group_id}/backupConfigs/{c['id']}")["statusName"] == "STARTED"
        ]
        collection = "checkpoints"
    elif api == "atlas-v1":
        sharded = [(c["name"], c["name"]) for c in entries if c["clusterType"] == "SHARDED" and c["backupEnabled"]]
        collection = "backupCheckpoints"
    else:
        # v2 has no legacy-backup flag: a Cloud Backup cluster answers the checkpoint list with 400.
        sharded = [(c["name"], c["name"]) for c in entries if c["clusterType"] == "SHARDED"]
        collection = "backupCheckpoints"

    lines = []
    for name, ref in sharded:
        url = f"{clusters}/{ref}/{collection}?itemsPerPage=100"
        first = session.get(url, headers={"Accept": accept})
        if first.status_code == 400 and first.json().get("errorCode") == "CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP":
            continue
        first.raise_for_status()
        newest = None
        for page in pages(url):
            newest = next((c for c in page["results"] if c["restorable"]), None)
            if newest:
                break
        lines.append(f"{name}\t{newest['id']}\t{newest['timestamp']}" if newest else f"{name}\tnone")
    for line in sorted(lines, key=lambda line: line.encode()):
        print(line)


if __name__ == "__main__":
    main(*sys.argv[1:4])
