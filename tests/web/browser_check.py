#!/usr/bin/env python3
"""The web page in a real browser (headless Chromium over the DevTools protocol, cdp.py), against
`auditlens web` serving a store made from a real SSH session (tests/kernel/test_web_ssh_session.sh).

    browser_check.py --url URL --token T --session ID --user U --commands JSON --hostile JSON
                     --shots DIR [--live-session ID --live-go FILE --live-marker TEXT]

Checks: the login through /login?token= (cookie), the sessions list shows the login and its user
(and the user filter keeps to it), the timeline lists the commands in order, one entry opens to its
event's JSON, each hostile command line shows as its own text and runs nothing (no element made of
it, no global set, the title unchanged), the process tree shows the commands, and the live view
shows an event that happens while it is open (the session waits for --live-go to exist). Saves a
screenshot of each page in DIR. Prints "ok - ..." / "not ok - ..." lines; exit 1 on any failure."""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, check, summary  # noqa: E402



def js(s):
    return json.dumps(s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--session", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--commands", required=True, help="JSON list: texts of the commands, in order")
    ap.add_argument("--hostile", required=True, help="JSON list: hostile texts that must show as text")
    ap.add_argument("--shots", required=True)
    ap.add_argument("--live-session")
    ap.add_argument("--live-go")
    ap.add_argument("--live-marker")
    a = ap.parse_args()
    commands = json.loads(a.commands)
    hostile = json.loads(a.hostile)
    b = Browser()
    try:
        b.eval("window.__pwned = undefined")
        # Login: the token once in the URL; the server sets the cookie and redirects to the page.
        b.navigate(a.url + "/login?token=" + a.token)
        b.wait_for("document.body && document.body.getAttribute('data-rendered')", what="the sessions page")
        check("the login by URL redirects to the page without the token",
              "token" not in b.eval("location.href"), b.eval("location.href"))
        rows = b.eval("[...document.querySelectorAll('#sessions tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
        mine = [r for r in rows if r[0] == a.session]
        check("the sessions list shows the login", len(mine) == 1, f"rows: {rows[:5]}")
        check("with its user, sshd, 127.0.0.1 and closed",
              bool(mine) and mine[0][1] == a.user and mine[0][3] == "sshd" and mine[0][4].startswith("127.0.0.1:")
              and mine[0][9] == "closed", f"{mine}")
        b.screenshot(os.path.join(a.shots, "sessions.png"))
        b.navigate(a.url + "/#/sessions?user=" + a.user)
        b.wait_for("document.body.getAttribute('data-rendered') === location.hash", what="the filtered list")
        users = b.eval("[...document.querySelectorAll('#sessions tbody tr')].map(r => r.cells[1].textContent)")
        check("the user filter keeps to the user's sessions", users and set(users) == {a.user}, f"{users}")

        # The timeline.
        b.navigate(a.url + "/#/session/" + a.session)
        b.wait_for("document.body.getAttribute('data-rendered') === location.hash && document.querySelector('#timeline')",
                   what="the timeline")
        entries = b.eval("[...document.querySelectorAll('#timeline .entry')].map(e => ({kind: [...e.classList].find(c => c.startsWith('k-')), text: e.querySelector('.text').firstChild.textContent, failed: e.classList.contains('failed')}))")
        cmd_texts = [e["text"] for e in entries if e["kind"] == "k-command"]
        pos = []
        for c in commands:
            pos.append(next((i for i, t in enumerate(cmd_texts) if c in t), -1))
        check("the timeline lists the commands in order", -1 not in pos and pos == sorted(pos),
              f"wanted {commands} in {cmd_texts}")
        check("the login is the first line", entries and entries[0]["kind"] == "k-login", f"{entries[:2]}")
        failed_cmds = [e["text"] for e in entries if e["failed"]]
        check("the failing command stands out (failed)", any("cat /nonexistent" in t for t in failed_cmds),
              f"{failed_cmds}")
        page_text = b.eval("document.getElementById('timeline').textContent")
        for h in hostile:
            check(f"the hostile text shows as text: {h[:40]}", h in page_text, "")
        check("no element was made of a command line (img, script, iframe in the timeline)",
              b.eval("document.querySelectorAll('#timeline img, #timeline script, #timeline iframe, #timeline svg').length") == 0)
        b.screenshot(os.path.join(a.shots, "timeline.png"))
        # The dark theme (prefers-color-scheme): the page's background turns dark.
        b.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        dark = b.eval("getComputedStyle(document.body).backgroundColor")
        check("the dark theme follows the system's setting", dark == "rgb(20, 23, 27)", dark)
        b.screenshot(os.path.join(a.shots, "timeline-dark.png"))
        b.call("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})

        # One event opens: the first command's line.
        b.eval("[...document.querySelectorAll('#timeline .entry.k-command .row')][0].click()")
        raw = b.wait_for("(document.querySelector('#timeline pre.event-json') || {}).textContent", what="the event's JSON")
        ev = json.loads(raw)
        check("an entry opens to its event's full JSON (exec, with args and its process)",
              ev.get("kind") == "exec" and ev.get("session_id") == a.session and isinstance(ev.get("detail", {}).get("args"), list)
              and ev.get("process", {}).get("pid") == ev.get("pid"), raw[:300])
        # The hostile command's event too: its args are the hostile text, exact.
        idx = b.eval("[...document.querySelectorAll('#timeline .entry.k-command')].findIndex(e => e.textContent.includes(" + js(hostile[0]) + "))")
        b.eval(f"[...document.querySelectorAll('#timeline .entry.k-command .row')][{idx}].click()")
        b.wait_for("document.querySelectorAll('#timeline pre.event-json').length >= 2", what="the hostile event's JSON")
        raw2 = b.eval("[...document.querySelectorAll('#timeline pre.event-json')].map(p => p.textContent).join('\\n')")
        check("the hostile command's event JSON holds its arguments exactly", all(json.dumps(h)[1:-1] in raw2 for h in hostile), raw2[:400])
        b.screenshot(os.path.join(a.shots, "event.png"))

        # The process tree.
        b.navigate(a.url + "/#/tree/" + a.session)
        b.wait_for("document.body.getAttribute('data-rendered') === location.hash && document.querySelector('#tree')", what="the tree")
        tree_text = b.eval("document.getElementById('tree').textContent")
        check("the process tree shows the commands", all(c.split(" ")[0] in tree_text for c in commands), tree_text[:300])
        check("the process tree shows the hostile text as text", hostile[0] in tree_text and
              b.eval("document.querySelectorAll('#tree img, #tree script').length") == 0)
        b.screenshot(os.path.join(a.shots, "tree.png"))

        # Live: an event made while the view is open appears.
        if a.live_session:
            b.navigate(a.url + "/#/live/" + a.live_session)
            b.wait_for("document.body.getAttribute('data-rendered') === location.hash && document.querySelectorAll('#live tbody tr').length > 0",
                       what="the live view's first events")
            before = b.eval("document.getElementById('live').textContent")
            check("the live view does not show the marker before it runs", a.live_marker not in before)
            with open(a.live_go, "w") as f:
                f.write("go\n")
            try:
                b.wait_for("document.getElementById('live').textContent.includes(" + js(a.live_marker) + ")", timeout=30,
                           what="the marker in the live view")
                got = True
            except TimeoutError:
                got = False
            check("the live view shows the command run while it was open", got)
            b.screenshot(os.path.join(a.shots, "live.png"))

        check("nothing ran: no global set by a hostile handler", b.eval("typeof window.__pwned") == "undefined")
        check("nothing ran: the title is unchanged", b.eval("document.title") == "auditlens", b.eval("document.title"))
        errors = b.console_errors()
        check("no JS errors on the page", not errors, f"{errors}")
    finally:
        b.close()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
