// `auditlens web`: a read-only web page over the store (and the fleet database), served by the
// auditlens binary itself (cpp-httplib, TLS through OpenSSL), for people who would rather look than
// read: the sessions, a session's timeline (the CLI's folding and wording), one event whole, the
// session's process tree, a trace across hosts, and a live view of a session. docs/web.md.
//
// The folder, one concept a file:
//   web.h / server.cc  the listener, the routes, the security headers, the token check (this file)
//   auth.h             the token: made at first start into a 0600 file, or set in the config
//   api.h              the JSON API: each route's answer from the store, as the CLI's --json
//   assets.h           the page (assets/: HTML, CSS, JS) built into the binary (assets.cmake)
//
// Contract:
// - GET (and HEAD) only: no route writes anything; any other method is 405.
// - Every request, page and API, needs the token: `Authorization: Bearer TOKEN`, or the cookie that
//   /login?token=TOKEN (or any page URL with ?token=) sets (HttpOnly, SameSite=Strict); else 401.
// - Every response carries a strict Content-Security-Policy (scripts and styles from the page's
//   own origin only, nothing inline), nosniff, no-referrer, frame-ancestors 'none'.
// - It listens on loopback unless told otherwise; another address needs TLS (tls_cert, tls_key),
//   refused at start with exit status 2.
// - The JS treats every value from the audit stream as hostile: it puts text into the page as
//   text nodes only.
#pragma once

#include <cstdint>
#include <string>

namespace auditlens {

struct WebOptions {
  std::string listen;      // HOST:PORT (port 0: any free port, printed at start)
  std::string store_path;  // the SQLite store; "" none (fleet only)
  std::string postgres;    // the fleet database's URL; "" none
  std::string token;       // set: this token; else token_path's
  std::string token_path;
  std::string tls_cert, tls_key;
};

// A listen address split: host (brackets of an IPv6 address removed) and port.
bool ParseListen(const std::string& listen, std::string* host, int* port, std::string* error);
// 127.0.0.0/8, ::1, localhost.
bool IsLoopback(const std::string& host);

// Serves until SIGINT or SIGTERM. Returns the exit status: 0 stopped by a signal, 1 could not
// start (the port is taken, the certificate cannot be read, the token file cannot be written),
// 2 a configuration the command refuses (a non-loopback address without TLS, half a TLS pair, a
// bad listen address or a token under 16 characters). The first line on stdout names the URL.
int RunWebServer(const WebOptions& options);

}  // namespace auditlens
