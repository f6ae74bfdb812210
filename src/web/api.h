// The JSON API of `auditlens web` (docs/web.md): each route's answer, from the store (and the fleet
// database), in the shapes the CLI's --json prints (query/timeline.h, query/trace.h).
//
//   /api/info                       the store, the host, whether a fleet database is configured
//   /api/sessions?user&host&source&since&until&failed&limit&cursor   a page, newest first
//   /api/timeline?id[&host]         a session's timeline (host: from the fleet database)
//   /api/event?time_ms&serial[&id&host]   one event: its stored row, detail and process
//   /api/tree?id[&host]             the session's processes as a tree
//   /api/events?id&after            the session's events after a cursor (the live view)
//   /api/trace?id&host[&window]     the trace across hosts (fleet database)
//
// Contract: no I/O but reading the store and the fleet database; a request's parameters are
// checked (400 naming the bad one), an id the store does not have is 404, a missing fleet database
// 404 too (saying so); a store error is 500 with its message (a URL's password never shown).
#pragma once

#include <map>
#include <string>

namespace auditlens {

struct ApiReply {
  int status = 200;
  std::string body;  // JSON
};

using ApiParams = std::map<std::string, std::string>;

class WebApi {
 public:
  WebApi(std::string store_path, std::string postgres) : store_(std::move(store_path)), pg_(std::move(postgres)) {}
  // path: "/api/sessions", ...; 404 for an unknown one.
  ApiReply Handle(const std::string& path, const ApiParams& params) const;

  ApiReply Info() const;
  ApiReply Sessions(const ApiParams& p) const;
  ApiReply Timeline(const ApiParams& p) const;
  ApiReply Event(const ApiParams& p) const;
  ApiReply Tree(const ApiParams& p) const;
  ApiReply Events(const ApiParams& p) const;
  ApiReply Trace(const ApiParams& p) const;

 private:
  std::string store_, pg_;
};

// {"error":MESSAGE}
std::string ErrorJson(const std::string& message);

}  // namespace auditlens
