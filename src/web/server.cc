#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <atomic>
#include <thread>

#include "common/parse_int.h"
#include "web/api.h"
#include "web/assets.h"
#include "web/auth.h"
#include "web/web.h"

namespace auditlens {
namespace {

constexpr char kCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

bool IsApi(const std::string& path) { return path.rfind("/api/", 0) == 0; }

void Deny(const httplib::Request& req, httplib::Response& res, int status,
          const std::string& message) {
  res.status = status;
  if (IsApi(req.path)) {
    res.set_content(ErrorJson(message), "application/json");
  } else {
    res.set_content(message + "\n", "text/plain; charset=utf-8");
  }
}

// The request's URL without its token parameter (where a login by URL redirects to).
std::string WithoutToken(const httplib::Request& req) {
  std::string query;
  for (const auto& [k, v] : req.params) {
    if (k == "token") continue;
    query += (query.empty() ? "?" : "&") + httplib::detail::encode_query_param(k) + "=" +
             httplib::detail::encode_query_param(v);
  }
  return (req.path == "/login" ? std::string("/") : req.path) + query;
}

}  // namespace

bool ParseListen(const std::string& listen, std::string* host, int* port, std::string* error) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) {
    *error = "--listen '" + listen + "': expected HOST:PORT (127.0.0.1:7683, [::1]:7683)";
    return false;
  }
  std::string h = listen.substr(0, colon);
  if (h.front() == '[') {
    if (h.back() != ']' || h.size() < 3) {
      *error = "--listen '" + listen + "': an IPv6 address goes in brackets ([::1]:7683)";
      return false;
    }
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    *error = "--listen '" + listen + "': an IPv6 address goes in brackets ([::1]:7683)";
    return false;
  }
  int64_t p = 0;
  if (!ParseI64(listen.substr(colon + 1), &p) || p < 0 || p > 65535) {
    *error = "--listen '" + listen + "': the port must be 0 to 65535";
    return false;
  }
  *host = h;
  *port = static_cast<int>(p);
  return true;
}

bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

int RunWebServer(const WebOptions& o) {
  std::string host, error;
  int port = 0;
  if (!ParseListen(o.listen, &host, &port, &error)) {
    std::cerr << "auditlens web: " << error << "; see 'auditlens web --help'\n";
    return 2;
  }
  const bool tls = !o.tls_cert.empty() || !o.tls_key.empty();
  if (tls && (o.tls_cert.empty() || o.tls_key.empty())) {
    std::cerr << "auditlens web: TLS needs both a certificate and its key ([web] tls_cert and "
                 "tls_key, or --tls-cert and --tls-key); see 'auditlens web --help'\n";
    return 2;
  }
  if (!tls && !IsLoopback(host)) {
    std::cerr << "auditlens web: refusing to listen on " << o.listen
              << " without TLS: only a loopback address (127.0.0.1, [::1]) may serve plain HTTP; "
                 "configure [web] tls_cert and tls_key (see docs/web.md)\n";
    return 2;
  }
  if (!o.token.empty() && o.token.size() < 16) {
    std::cerr << "auditlens web: [web] token must be at least 16 characters (or \"\" for the "
                 "token file's); see docs/web.md\n";
    return 2;
  }
  std::string token = o.token;
  if (token.empty() && !LoadOrCreateToken(o.token_path, &token, &error)) {
    std::cerr << "auditlens web: " << error << "\n";
    return 1;
  }

  std::unique_ptr<httplib::Server> server;
  if (tls) {
    for (const std::string& f : {o.tls_cert, o.tls_key}) {
      if (access(f.c_str(), R_OK) != 0) {
        std::cerr << "auditlens web: cannot read " << f << ": " << strerror(errno) << "\n";
        return 1;
      }
    }
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!ssl->is_valid()) {
      std::cerr << "auditlens web: the certificate " << o.tls_cert << " or the key " << o.tls_key
                << " is not a valid PEM pair\n";
      return 1;
    }
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }

  const WebApi api(o.store_path, o.postgres);
  server->set_default_headers({
      {"Content-Security-Policy", kCsp},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cache-Control", "no-store"},
  });
  server->set_payload_max_length(64 * 1024);
  const std::string cookie_flags =
      std::string("; Path=/; HttpOnly; SameSite=Strict") + (tls ? "; Secure" : "");

  server->set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    if (req.method != "GET" && req.method != "HEAD") {
      res.set_header("Allow", "GET, HEAD");
      Deny(req, res, 405, "read-only: only GET and HEAD are served");
      return R::Handled;
    }
    // A login by URL: /login?token=T, or any page URL with ?token=T, sets the cookie and sends
    // the browser to the same URL without the token (it leaves the address bar and history).
    if (req.has_param("token") && !IsApi(req.path)) {
      if (!TokenEquals(req.get_param_value("token"), token)) {
        Deny(req, res, 401, "wrong token");
        return R::Handled;
      }
      res.set_header("Set-Cookie", std::string(kTokenCookie) + "=" + token + cookie_flags);
      res.set_redirect(WithoutToken(req), 303);
      return R::Handled;
    }
    const std::string given = req.has_header("Authorization")
                                  ? BearerToken(req.get_header_value("Authorization"))
                                  : CookieToken(req.get_header_value("Cookie"));
    if (given.empty()) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"auditlens\"");
      Deny(req, res, 401,
           "a token is needed: open /login?token=TOKEN once (the token is in the token file, "
           "docs/web.md), or send 'Authorization: Bearer TOKEN'");
      return R::Handled;
    }
    if (!TokenEquals(given, token)) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"auditlens\", error=\"invalid_token\"");
      Deny(req, res, 401, "wrong token");
      return R::Handled;
    }
    return R::Unhandled;
  });

  server->Get("/api/.*", [&](const httplib::Request& req, httplib::Response& res) {
    ApiParams params;
    for (const auto& [k, v] : req.params) params.emplace(k, v);
    ApiReply reply = api.Handle(req.path, params);
    res.status = reply.status;
    res.set_content(reply.body, "application/json");
  });
  server->Get("/.*", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/login") {  // logged in already (the cookie): to the page
      res.set_redirect("/", 303);
      return;
    }
    const WebAsset* asset = FindAsset(req.path);
    if (asset == nullptr) {
      Deny(req, res, 404, "not found");
      return;
    }
    res.set_content(std::string(asset->bytes), std::string(asset->content_type).c_str());
  });
  server->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Deny(req, res, 500, what);
      });

  // SIGINT and SIGTERM stop the server; a thread waits for them (blocked in every thread).
  signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  if (port == 0) {
    port = server->bind_to_any_port(host);
    if (port < 0) port = 0;
  } else if (!server->bind_to_port(host, port)) {
    port = 0;
  }
  if (port == 0) {
    std::cerr << "auditlens web: cannot listen on " << o.listen
              << " (the port is taken, or the address is not this host's)\n";
    return 1;
  }
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::cout << "auditlens web: serving " << (tls ? "https" : "http") << "://" << shown_host << ":"
            << port << "/ (" << (o.store_path.empty() ? "no store" : "store " + o.store_path)
            << (o.postgres.empty() ? "" : ", fleet database") << "; token "
            << (o.token.empty() ? "in " + o.token_path : std::string("from the config")) << ")"
            << std::endl;

  std::atomic<bool> stopped_by_signal{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    stopped_by_signal = true;
    server->stop();
  });
  const bool listened = server->listen_after_bind();
  if (!stopped_by_signal) kill(getpid(), SIGTERM);  // wakes the waiter (the signal is blocked)
  waiter.join();
  if (!listened && !stopped_by_signal) {
    std::cerr << "auditlens web: the server stopped\n";
    return 1;
  }
  return 0;
}

}  // namespace auditlens
