#!/usr/bin/env bash
# A backup monitor, as a user writes one against MongoDB Atlas or Ops Manager: given a project's NAME, it
# finds the project, discovers its sharded clusters on legacy (continuous) backup and prints the newest
# restorable checkpoint of each, one line per cluster: NAME<TAB>CHECKPOINT_ID<TAB>TIMESTAMP, or NAME<TAB>none.
#
#   API_PUBLIC_KEY=… API_PRIVATE_KEY=… ./monitor.sh BASE_URL API PROJECT_NAME
#
# API is atlas-v2, atlas-v1 or ops-manager. Needs curl (HTTP Digest) and jq.
set -euo pipefail
base=$1 api=$2 project=$3
case $api in
  atlas-v2) prefix=/api/atlas/v2 accept='application/vnd.atlas.2023-01-01+json' clusters_accept='application/vnd.atlas.2024-08-05+json' ;;
  atlas-v1) prefix=/api/atlas/v1.0 accept=application/json clusters_accept=application/json ;;
  ops-manager) prefix=/api/public/v1.0 accept=application/json clusters_accept=application/json ;;
  *) echo "monitor: unknown API $api (atlas-v2, atlas-v1 or ops-manager)" >&2; exit 2 ;;
esac

# call URL ACCEPT: sets STATUS and BODY.
call() {
  local out
  out=$(curl -sS --digest -u "$API_PUBLIC_KEY:$API_PRIVATE_KEY" -H "Accept: $2" -w '\n%{http_code}' "$1")
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
}

# get URL ACCEPT: the body of a 200, or exit with the error.
get() {
  call "$1" "$2"
  if [[ $STATUS != 200 ]]; then echo "monitor: GET $1 answered $STATUS: $BODY" >&2; exit 1; fi
  printf '%s' "$BODY"
}

# Every result of a list, following its `next` links.
all_results() {
  local url=$1 page
  while [[ -n $url ]]; do
    page=$(get "$url" "$2")
    jq -c '.results[]' <<<"$page"
    url=$(jq -r 'first(.links[] | select(.rel == "next") | .href) // empty' <<<"$page")
  done
}

group_id=$(get "$base$prefix/groups/byName/$(jq -rn --arg v "$project" '$v|@uri')" "$accept" | jq -r .id)
clusters="$base$prefix/groups/$group_id/clusters"

# The sharded clusters on legacy backup: NAME<TAB>how the checkpoint path names the cluster.
case $api in
  ops-manager)
    candidates=$(all_results "$clusters?itemsPerPage=100" "$accept" | jq -r 'select(.typeName == "SHARDED_REPLICA_SET") | [.clusterName, .id] | @tsv')
    sharded=""
    while IFS=$'\t' read -r name id; do
      [[ -z $name ]] && continue
      status=$(get "$base$prefix/groups/$group_id/backupConfigs/$id" "$accept" | jq -r .statusName)
      if [[ $status == STARTED ]]; then sharded+="$name"$'\t'"$id"$'\n'; fi
    done <<<"$candidates"
    collection=checkpoints ;;
  atlas-v1)
    sharded=$(all_results "$clusters?itemsPerPage=100" "$clusters_accept" | jq -r 'select(.clusterType == "SHARDED" and .backupEnabled) | [.name, .name] | @tsv')
    collection=backupCheckpoints ;;
  atlas-v2)
    # v2 has no legacy-backup flag: a Cloud Backup cluster answers the checkpoint list with 400.
    sharded=$(all_results "$clusters?itemsPerPage=100" "$clusters_accept" | jq -r 'select(.clusterType == "SHARDED") | [.name, .name] | @tsv')
    collection=backupCheckpoints ;;
esac

{
  while IFS=$'\t' read -r name ref; do
    [[ -z $name ]] && continue
    url="$clusters/$ref/$collection?itemsPerPage=100"
    call "$url" "$accept"
    if [[ $STATUS == 400 && $(jq -r .errorCode <<<"$BODY") == CHECKPOINTS_ONLY_ON_CONTINOUS_BACKUP ]]; then continue; fi
    newest=""
    while [[ -n $url ]]; do
      page=$(get "$url" "$accept")
      newest=$(jq -r 'first(.results[] | select(.restorable) | [.id, .timestamp] | @tsv) // empty' <<<"$page")
      [[ -n $newest ]] && break
      url=$(jq -r 'first(.links[] | select(.rel == "next") | .href) // empty' <<<"$page")
    done
    printf '%s\t%s\n' "$name" "${newest:-none}"
  done <<<"$sharded"
} | LC_ALL=C sort
