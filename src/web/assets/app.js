// auditlens web: the page. Every value that comes from the audit stream (commands, file names,
// host and user names) is hostile: it goes into the page as text only (text nodes, textContent,
// attribute values set one by one), never as markup. No innerHTML, no eval, nothing inline.
"use strict";

(function () {
  const main = document.getElementById("main");
  const SVG = "http://www.w3.org/2000/svg";
  let info = { fleet: false };
  let liveTimer = null;

  // el("div", {class: "x", title: t}, child, "text", ...): strings become text nodes.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "onclick") node.addEventListener("click", v);
      else if (k === "onsubmit") node.addEventListener("submit", v);
      else node.setAttribute(k, String(v));
    }
  }
  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    }
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  // Times: the viewer's zone, UTC on hover.
  function toMs(t) { return typeof t === "number" ? t : Date.parse(t); }
  function pad(n, w) { return String(n).padStart(w || 2, "0"); }
  function fmtDateTime(t) {
    const d = new Date(toMs(t));
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }
  function fmtClock(t) {
    const d = new Date(toMs(t));
    return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." +
      pad(d.getMilliseconds(), 3);
  }
  function utc(t) { return new Date(toMs(t)).toISOString().replace("T", " ").replace("Z", " UTC"); }
  function timeEl(t, clock) {
    return el("time", { datetime: new Date(toMs(t)).toISOString(), title: utc(t) },
      clock ? fmtClock(t) : fmtDateTime(t));
  }
  function duration(ms) {
    if (ms < 10000) return (ms / 1000).toFixed(1) + " s";
    if (ms < 60000) return Math.floor(ms / 1000) + " s";
    if (ms < 3600000) return Math.floor(ms / 60000) + " min " + Math.floor(ms / 1000) % 60 + " s";
    if (ms < 86400000) return Math.floor(ms / 3600000) + " h " + Math.floor(ms / 60000) % 60 + " min";
    return Math.floor(ms / 86400000) + " d " + Math.floor(ms / 3600000) % 24 + " h";
  }

  async function api(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
    const url = "/api/" + path + (q.toString() ? "?" + q.toString() : "");
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    let body = null;
    try { body = await res.json(); } catch (e) { body = { error: res.statusText }; }
    if (!res.ok) {
      const err = new Error((body && body.error) || ("HTTP " + res.status));
      err.status = res.status;
      throw err;
    }
    return body;
  }
  function showError(e) {
    clear(main);
    main.appendChild(el("p", { class: "error", role: "alert" },
      e.status === 401 ? "Not logged in: open /login?token=TOKEN once (the token file is named where auditlens web started)." : String(e.message)));
  }

  // The route: "#/path?query".
  function route() {
    const h = location.hash.replace(/^#/, "") || "/";
    const q = h.indexOf("?");
    const path = q < 0 ? h : h.slice(0, q);
    const params = new URLSearchParams(q < 0 ? "" : h.slice(q + 1));
    return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params };
  }
  function href(parts, params) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") p.set(k, v);
    return "#/" + parts.map(encodeURIComponent).join("/") + (p.toString() ? "?" + p.toString() : "");
  }
  function nav(which) {
    for (const id of ["nav-sessions", "nav-trace"]) {
      document.getElementById(id).classList.toggle("on", id === "nav-" + which);
    }
  }

  async function render() {
    if (liveTimer) { clearTimeout(liveTimer); liveTimer = null; }
    const { parts, params } = route();
    try {
      if (parts.length === 0 && !info.store && info.fleet) { nav("trace"); await traceView(undefined, params); }
      else if (parts.length === 0 || parts[0] === "sessions") { nav("sessions"); await sessionsView(params); }
      else if (parts[0] === "session" && parts[1]) { nav("sessions"); await timelineView(parts[1], params); }
      else if (parts[0] === "tree" && parts[1]) { nav("sessions"); await treeView(parts[1], params); }
      else if (parts[0] === "live" && parts[1]) { nav("sessions"); await liveView(parts[1]); }
      else if (parts[0] === "trace") { nav("trace"); await traceView(parts[1], params); }
      else { clear(main); main.appendChild(el("p", { class: "error" }, "No such page.")); }
    } catch (e) { showError(e); }
    // For tests and scripts: which view has finished drawing.
    document.body.setAttribute("data-rendered", location.hash || "#/");
  }

  // ---- Sessions ----
  async function sessionsView(params) {
    const f = {
      user: params.get("user") || "", host: params.get("host") || "", source: params.get("source") || "",
      since: params.get("since") || "", until: params.get("until") || "", failed: params.get("failed") || "",
      cursor: params.get("cursor") || "", back: params.get("back") || "",
    };
    const page = await api("sessions", {
      user: f.user, host: f.host, source: f.source, failed: f.failed, cursor: f.cursor, limit: 50,
      since: f.since ? Date.parse(f.since) : "", until: f.until ? Date.parse(f.until) : "",
    });
    clear(main);
    const input = (name, label, type) => el("label", {}, label,
      el("input", { type: type || "text", name, value: f[name], id: "f-" + name }));
    const form = el("form", { class: "filters", id: "filters", onsubmit: (ev) => {
      ev.preventDefault();
      const fd = new FormData(form);
      location.hash = href(["sessions"], {
        user: fd.get("user"), host: fd.get("host"), source: fd.get("source"),
        since: fd.get("since"), until: fd.get("until"), failed: fd.get("failed") ? "1" : "",
      });
    } },
      input("user", "User"), input("host", "Host"), input("source", "Source address"),
      input("since", "Active since", "datetime-local"), input("until", "Started before", "datetime-local"),
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "failed", value: "1", checked: f.failed ? "checked" : null }), "Failures only"),
      el("button", { type: "submit" }, "Filter"),
      el("a", { href: "#/" }, "Clear"));
    main.appendChild(el("h1", {}, "Sessions"));
    main.appendChild(form);
    if (page.sessions.length === 0) {
      main.appendChild(el("p", { class: "note" }, "No sessions match."));
    } else {
      const rows = page.sessions.map((s) => {
        const failed = s.state === "failed" || s.failures > 0 || s.auth_failures > 0;
        const src = s.source ? s.source.ip + (s.source.port ? ":" + s.source.port : "") : "–";
        const dur = s.state === "failed" ? "–" : duration(s.duration_ms) + (s.end ? "" : "+");
        return el("tr", { class: failed ? "failed" : null },
          el("td", { class: "id" }, el("a", { href: href(["session", s.id]) }, s.id)),
          el("td", {}, s.user || "?"),
          el("td", {}, s.host || ""),
          el("td", {}, s.service || "?"),
          el("td", { class: "mono" }, src),
          el("td", {}, timeEl(s.start_ms)),
          el("td", { class: "num" }, dur),
          el("td", { class: "num" }, String(s.commands)),
          el("td", { class: "num" + (s.failures > 0 ? " fail" : "") }, String(s.failures)),
          el("td", { class: "state" + (s.state === "failed" ? " fail" : "") }, s.state),
          el("td", {}, (s.containers || []).map((c) => el("span", { class: "tag" }, c.name || c.id.slice(0, 12)))));
      });
      main.appendChild(el("table", { class: "list", id: "sessions" },
        el("thead", {}, el("tr", {}, ["Session", "User", "Host", "Via", "From", "Start", "Duration", "Commands", "Failures", "State", "Containers"].map((h) => el("th", {}, h)))),
        el("tbody", {}, rows)));
    }
    // Keyset paging: "next" continues after this page's last session; "back" is the stack of the
    // cursors that led here.
    const back = f.back ? f.back.split(",") : [];
    const base = { user: f.user, host: f.host, source: f.source, since: f.since, until: f.until, failed: f.failed };
    const prev = back.length ? href(["sessions"], Object.assign({}, base, { cursor: back[back.length - 1] === "-" ? "" : back[back.length - 1], back: back.slice(0, -1).join(",") })) : null;
    const next = page.next ? href(["sessions"], Object.assign({}, base, { cursor: page.next, back: back.concat([f.cursor || "-"]).join(",") })) : null;
    main.appendChild(el("div", { class: "pager" },
      prev ? el("a", { href: prev, id: "prev" }, "← Newer") : el("span", { class: "note" }, "← Newer"),
      el("span", { class: "note" }, "page " + (back.length + 1) + ", " + page.sessions.length + " sessions"),
      next ? el("a", { href: next, id: "next" }, "Older →") : el("span", { class: "note" }, "Older →")));
  }

  // ---- A session: header and tabs ----
  function sessionHeader(s, id, host, tab) {
    const who = s.user || "unknown user";
    const src = s.source ? s.source.ip + (s.source.port ? ":" + s.source.port : "") : "";
    const head = el("div", {},
      el("h1", {}, "Session ", el("span", { class: "mono" }, s.id), ": " + who,
        s.service ? " via " + s.service : "", src ? " from " + src : "", s.host ? " on " + s.host : ""),
      el("p", { class: "sub" },
        s.state === "failed" ? ["Failed login at ", timeEl(s.start_ms), "; " + s.auth_failures + " attempts refused"]
          : ["Started ", timeEl(s.start_ms),
            s.end ? [", ended ", timeEl(s.end), " after " + duration(s.duration_ms)] : ", still open",
            "; " + s.commands + " commands, ", el("span", { class: s.failures > 0 ? "fail" : "" }, s.failures + " failures")]));
    const q = host ? { host } : {};
    const tabs = el("div", { class: "tabs" },
      el("a", { href: href(["session", id], q), class: tab === "timeline" ? "on" : null }, "Timeline"),
      el("a", { href: href(["tree", id], q), class: tab === "tree" ? "on" : null }, "Process tree"),
      host ? null : el("a", { href: href(["live", id]), class: tab === "live" ? "on" : null }, "Live"),
      info.fleet ? el("a", { href: href(["trace", id], { host: host || s.host }) }, "Trace across hosts") : null);
    return [head, tabs];
  }

  const LABELS = { login: "login", logout: "logout", shell: "shell", command: "$", "exec-failed": "$",
    network: "net", bind: "net", file: "file", privilege: "priv", auth: "auth", "login-scripts": "…" };

  function entryRow(e, index, opts) {
    const node = el("div", { class: "entry k-" + e.kind + (e.failed ? " failed" : ""), "data-index": index });
    const text = el("span", { class: "text" }, e.text);
    if (e.count > 1) text.appendChild(el("span", { class: "tag" }, "×" + e.count));
    if (e.container) text.appendChild(el("span", { class: "tag" }, "container " + (e.container.name || e.container.id.slice(0, 12))));
    if (e.session) text.appendChild(el("span", { class: "tag" }, "session " + e.session));
    if (e.unit) text.appendChild(el("span", { class: "tag" }, "unit " + e.unit));
    const link = opts.links && opts.links.get(index);
    if (link) {
      text.appendChild(el("a", { class: "hop", href: href(["session", link.id], { host: link.host }),
        onclick: (ev) => ev.stopPropagation() }, "→ session on " + link.host));
    }
    const row = el("div", { class: "row", role: "button", tabindex: "0" },
      el("span", { class: "time" }, timeEl(e.time, true)),
      el("span", { class: "label" }, LABELS[e.kind] || e.kind),
      el("span", { style: null }, text),
      el("span", { class: "status" }, e.failed ? "FAILED" + (e.status ? ": " + e.status : "") : (e.status || "")));
    // Nesting: indent the text by depth (a style property, not markup).
    text.style.paddingLeft = (e.depth * 1.4) + "rem";
    text.style.display = "inline-block";
    let open = null;
    const toggle = async () => {
      if (open) { open.remove(); open = null; return; }
      open = el("div", { class: "detail" }, el("p", { class: "note" }, "loading…"));
      node.appendChild(open);
      let shown;
      try {
        shown = e.event ? await api("event", Object.assign({ time_ms: e.event.time_ms, serial: e.event.serial }, opts.host ? { host: opts.host, id: opts.id } : {}))
          : { entry: e.detail, note: "this line stands for no one event" };
      } catch (err) { shown = { error: err.message, entry: e.detail }; }
      if (!open) return;
      clear(open);
      open.appendChild(el("pre", { class: "event-json" }, JSON.stringify(shown, null, 2)));
    };
    row.addEventListener("click", toggle);
    row.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); toggle(); } });
    node.appendChild(row);
    return node;
  }

  async function timelineView(id, params) {
    const host = params.get("host") || "";
    const t = await api("timeline", { id, host });
    clear(main);
    append(main, sessionHeader(t.session, id, host, "timeline"));
    if (t.from) {
      main.appendChild(el("p", { class: "sub" }, "This login came over a connection from ",
        el("a", { href: href(["session", t.from.id], { host: t.from.host }) }, "a session on " + t.from.host), "."));
    }
    if (t.fleet_error) main.appendChild(el("p", { class: "note" }, "Fleet database: " + t.fleet_error));
    const links = new Map((t.links || []).map((l) => [l.entry, l]));
    main.appendChild(el("div", { class: "entries", id: "timeline" },
      t.entries.map((e, i) => entryRow(e, i, { links, host, id }))));
    if (t.hidden > 0) {
      main.appendChild(el("p", { class: "note" }, t.hidden + (t.hidden === 1 ? " event" : " events") +
        " folded away (login scripts, PAM bookkeeping); the CLI's --json lists them."));
    }
  }

  // ---- Process tree ----
  function argsText(p) {
    if (Array.isArray(p.args)) return p.args.map(shellQuote).join(" ");
    return p.args || p.exe || "?";
  }
  function shellQuote(a) {
    if (a === "") return "''";
    if (/^[A-Za-z0-9@%+=:,.\/_-]+$/.test(a) || /[^\x00-\x7f]/.test(a) && !/['\s]/.test(a)) return a;
    return "'" + a.replace(/'/g, "'\\''") + "'";
  }
  function procNode(p) {
    const failed = p.exited && p.exit_code !== 0;
    const meta = ["pid " + p.pid, p.uid !== undefined ? "uid " + p.uid : null,
      p.euid !== undefined && p.euid !== p.uid ? "euid " + p.euid : null,
      p.exited ? "exit " + p.exit_code : "running or unknown", p.exec ? "exec (same pid)" : null,
      p.role || null].filter(Boolean).join(" · ");
    return el("li", { class: "proc" + (failed ? " failed" : "") },
      el("span", { class: "time" }, timeEl(p.start_ms, true)), " ",
      el("span", { class: "args", title: p.exe || "" }, argsText(p)),
      el("span", { class: "meta" }, meta),
      p.container ? el("span", { class: "tag" }, "container " + p.container.slice(0, 12)) : null,
      p.children.length ? el("ul", {}, p.children.map(procNode)) : null);
  }
  async function treeView(id, params) {
    const host = params.get("host") || "";
    const [t, tree] = await Promise.all([api("timeline", { id, host }), api("tree", { id, host })]);
    clear(main);
    append(main, sessionHeader(t.session, id, host, "tree"));
    main.appendChild(el("p", { class: "sub" }, tree.processes + " processes; a program exec'd by a process is shown under the image it replaced."));
    main.appendChild(el("ul", { class: "tree", id: "tree" }, tree.roots.map(procNode)));
  }

  // ---- Live ----
  function eventText(ev) {
    const d = ev.detail || {};
    if (ev.kind === "exec") return Array.isArray(d.args) ? d.args.map(shellQuote).join(" ") : (d.path || d.exe || "exec");
    if (ev.kind === "network" || ev.kind === "bind") {
      const r = d.remote ? d.remote.ip + ":" + d.remote.port : "";
      return (d.op || ev.kind) + " " + r + (d.error ? " (" + d.error + ")" : "");
    }
    if (ev.kind === "file") return (d.op || "file") + " " + (d.path || "") + (d.to ? " → " + d.to : "");
    if (ev.kind === "exit") return "exit " + (d.code !== undefined ? d.code : "");
    if (ev.kind === "privilege") return (d.via || "") + " " + (d.op || "") + " " + (d.to || "");
    return (ev.action || "") + (d.acct ? " acct=" + d.acct : "") + (d.op ? " op=" + d.op : "");
  }
  async function liveView(id) {
    const t = await api("timeline", { id });
    clear(main);
    append(main, sessionHeader(t.session, id, "", "live"));
    const state = el("span", { class: "live-state on", id: "live-state" }, "following");
    main.appendChild(el("p", { class: "sub" }, "The session's events as the agent stores them (polled every 1.5 s).", state));
    const body = el("tbody", {});
    main.appendChild(el("table", { class: "list", id: "live" },
      el("thead", {}, el("tr", {}, ["Time", "Kind", "Action", "pid", "What", "Outcome"].map((h) => el("th", {}, h)))), body));
    let after = "";
    const mine = location.hash;
    const poll = async () => {
      if (location.hash !== mine) return;
      try {
        for (;;) {
          const r = await api("events", { id, after });
          after = r.next;
          for (const ev of r.events) {
            const failed = ev.outcome === "failure";
            const tr = el("tr", { class: failed ? "failed" : null },
              el("td", {}, timeEl(ev.time_ms, true)), el("td", {}, ev.kind), el("td", {}, ev.action || ""),
              el("td", { class: "num" }, ev.pid !== undefined ? String(ev.pid) : ""),
              el("td", { class: "mono" }, eventText(ev)), el("td", { class: failed ? "fail" : "" }, ev.outcome || ""));
            tr.addEventListener("click", () => {
              const next = tr.nextSibling;
              if (next && next.classList.contains("json")) { next.remove(); return; }
              body.insertBefore(el("tr", { class: "json" }, el("td", { colspan: "6" }, el("pre", {}, JSON.stringify(ev, null, 2)))), next);
            });
            body.appendChild(tr);
          }
          if (!r.more) {
            state.textContent = r.state === "ended" || r.end_ms ? "session ended" : "following";
            state.classList.toggle("on", !(r.state === "ended" || r.end_ms));
            break;
          }
        }
      } catch (e) { state.textContent = "error: " + e.message; state.classList.remove("on"); }
      if (location.hash === mine) liveTimer = setTimeout(poll, 1500);
    };
    await poll();
  }

  // ---- Trace ----
  async function traceView(id, params) {
    const host = params.get("host") || "";
    clear(main);
    main.appendChild(el("h1", {}, "Trace across hosts"));
    const form = el("form", { class: "filters", onsubmit: (ev) => {
      ev.preventDefault();
      const fd = new FormData(form);
      location.hash = href(["trace", fd.get("id")], { host: fd.get("host") });
    } },
      el("label", {}, "Host", el("input", { type: "text", name: "host", value: host })),
      el("label", {}, "Session id", el("input", { type: "text", name: "id", value: id || "" })),
      el("button", { type: "submit" }, "Trace"));
    main.appendChild(form);
    if (!info.fleet) { main.appendChild(el("p", { class: "note" }, "No fleet database configured (auditlens web --postgres URL).")); return; }
    if (!id) { main.appendChild(el("p", { class: "note" }, "Give a session (and its host) to follow it across hosts.")); return; }
    const t = await api("trace", { id, host });
    main.appendChild(traceSvg(t));
    for (const h of t.hops) {
      const s = h.session;
      main.appendChild(el("h2", { id: "hop-" + h.hop }, "[" + h.hop + "] " + h.host + ": " + (s.user || "?") +
        (s.source ? " from " + s.source.ip : "") + " ", el("a", { href: href(["session", s.id], { host: h.host }) }, "timeline")));
      main.appendChild(el("div", { class: "entries" }, h.entries.map((e, i) => entryRow(e, i, { host: h.host, id: s.id }))));
    }
    for (const n of t.notes || []) main.appendChild(el("p", { class: "note" }, "note: " + n));
  }
  function traceSvg(t) {
    const W = 250, H = 74, GX = 90, GY = 26, M = 16;
    const rows = {};
    const pos = t.hops.map((h) => {
      const d = h.depth;
      rows[d] = (rows[d] || 0) + 1;
      return { x: M + d * (W + GX), y: M + (rows[d] - 1) * (H + GY) };
    });
    const width = M * 2 + (Math.max(...t.hops.map((h) => h.depth)) + 1) * (W + GX) - GX;
    const height = M * 2 + Math.max(...Object.values(rows)) * (H + GY) - GY;
    const open = (h) => () => { location.hash = href(["session", h.session.id], { host: h.host }); };
    const root = svg("svg", { class: "trace", id: "trace-svg", viewBox: "0 0 " + width + " " + height, width, height, role: "img" },
      svg("defs", {}, svg("marker", { id: "arrowhead", markerWidth: 10, markerHeight: 8, refX: 9, refY: 4, orient: "auto" },
        svg("path", { d: "M0,0 L10,4 L0,8 z" }))));
    t.hops.forEach((h, i) => {
      if (h.from_hop === null) return;
      const a = pos[h.from_hop - 1], b = pos[i];
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 2, y2 = b.y + H / 2;
      const via = h.via || {};
      const g = svg("g", { class: "arrow", "data-hop": h.hop, onclick: open(h) },
        svg("title", {}, "connect " + (via.local_ip || "") + " → " + (via.remote_ip || "") + ":" + (via.remote_port || "") + " — open " + h.host + "'s timeline"),
        svg("path", { d: "M" + x1 + "," + y1 + " C" + (x1 + GX / 2) + "," + y1 + " " + (x2 - GX / 2) + "," + y2 + " " + x2 + "," + y2, "marker-end": "url(#arrowhead)" }),
        svg("text", { x: x1 + 6, y: Math.min(y1, y2) - 6 }, "ssh " + (via.remote_port || "")));
      root.appendChild(g);
    });
    t.hops.forEach((h, i) => {
      const p = pos[i], s = h.session;
      const g = svg("g", { class: "hopbox" + (h.focus ? " focus" : ""), "data-hop": h.hop, onclick: open(h) },
        svg("title", {}, "open " + h.host + "'s timeline"),
        svg("rect", { x: p.x, y: p.y, width: W, height: H, rx: 6 }),
        svg("text", { class: "host", x: p.x + 10, y: p.y + 20 }, "[" + h.hop + "] " + h.host),
        svg("text", { x: p.x + 10, y: p.y + 40 }, (s.user || "?") + " via " + (s.service || "?") + (s.source ? " from " + s.source.ip : "")),
        svg("text", { class: "dim", x: p.x + 10, y: p.y + 58 }, fmtDateTime(s.start_ms) + " · " + s.commands + " commands"));
      root.appendChild(g);
    });
    return root;
  }

  async function start() {
    try {
      info = await api("info");
      document.getElementById("where").textContent =
        (info.host ? info.host + " · " : "") + (info.store || "no store") + (info.fleet ? " · fleet" : "");
    } catch (e) { showError(e); return; }
    window.addEventListener("hashchange", () => {
      document.body.removeAttribute("data-rendered");
      render();
    });
    await render();
    document.body.setAttribute("data-ready", "1");
  }
  start();
})();
