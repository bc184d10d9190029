"""The monitor against Waymark: a recent history, then time passing with and without backups."""

from monitor import check

GROUP = "5f0c00000000000000000002"
CLUSTER_ID = "5f0c00000000000000000003"
CLUSTER = "payments-prod"
KEY = ("monitors", "7c9e6679-7425-40de-944b-e07fc1f90ae7")


def run_monitor(waymark):
    return check(waymark.url, GROUP, CLUSTER, *KEY, now=waymark.now())


def test_a_recent_history_raises_no_alert(waymark):
    written = waymark.history(GROUP, CLUSTER_ID, "-3h")
    assert written["written"] == 12
    assert run_monitor(waymark) is None


def test_no_alert_while_the_backup_runs(waymark):
    waymark.history(GROUP, CLUSTER_ID, "-3h")
    waymark.advance("PT2H")
    # The producer made every checkpoint of those two hours before the clock call answered.
    assert run_monitor(waymark) is None


def test_an_alert_once_the_backup_stopped_for_over_an_hour(waymark):
    waymark.history(GROUP, CLUSTER_ID, "-3h")
    waymark.admin("PATCH", f"/groups/{GROUP}/clusters/{CLUSTER_ID}", {"backup": "NONE"})
    waymark.advance("PT45M")
    assert run_monitor(waymark) is None, "45 minutes without a checkpoint: not yet"
    waymark.advance("PT30M")
    alert = run_monitor(waymark)
    assert alert is not None and alert.startswith("payments-prod: the newest restorable checkpoint"), alert
    assert "minutes old" in alert
