// `auditlens web [--listen HOST:PORT] [--db FILE] [--postgres URL] [--config FILE]`: the store's
// sessions, timelines, process trees and traces as a web page, served by this program
// (src/web/web.h, docs/web.md). Read-only; every request needs the token.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "config/config.h"
#include "config/default_config.h"
#include "web/web.h"

namespace auditlens {
namespace {

struct WebArgs {
  std::string config_path;
  std::string listen;
  std::string db;
  std::string postgres;
  std::string token_path;
  std::string tls_cert, tls_key;
};

// The token file when none is configured: web-token beside the store (or the default store's
// directory when there is no store).
std::string DefaultTokenPath(const std::string& store_path) {
  const std::string& base = store_path.empty() ? DefaultConfig().store.path : store_path;
  const size_t slash = base.rfind('/');
  return (slash == std::string::npos ? std::string(".") : base.substr(0, slash == 0 ? 1 : slash)) +
         (slash == 0 ? "" : "/") + "web-token";
}

int RunWeb(const WebArgs& args) {
  Config config;
  std::string error;
  const bool ok = args.config_path.empty() ? ParseConfig(kDefaultConfig, &config, &error)
                                           : LoadConfig(args.config_path, &config, &error);
  if (!ok) {
    std::cerr << "auditlens web: " << error << "\n";
    return 1;
  }
  WebOptions o;
  o.listen = args.listen.empty() ? config.web.listen : args.listen;
  struct stat st;
  if (!args.db.empty()) {
    if (stat(args.db.c_str(), &st) != 0) {
      std::cerr << "auditlens web: no store at " << args.db << "\n";
      return 1;
    }
    o.store_path = args.db;
  } else if (config.store.enabled && !config.store.path.empty()) {
    // The config's store, when there is one yet (a host that only reads the fleet database has
    // none): without it the page shows the fleet database alone.
    if (stat(config.store.path.c_str(), &st) == 0) {
      o.store_path = config.store.path;
    } else {
      std::cerr << "auditlens web: no store at " << config.store.path << " ([store] path)\n";
    }
  }
  o.postgres = args.postgres.empty() ? config.store.postgres : args.postgres;
  if (o.store_path.empty() && o.postgres.empty()) {
    std::cerr << "auditlens web: nothing to show: no store ([store] path, --db FILE) and no fleet "
                 "database ([store] postgres, --postgres URL)\n";
    return 1;
  }
  o.token = config.web.token;
  o.token_path = !args.token_path.empty()          ? args.token_path
                 : !config.web.token_path.empty() ? config.web.token_path
                                                  : DefaultTokenPath(o.store_path);
  o.tls_cert = args.tls_cert.empty() ? config.web.tls_cert : args.tls_cert;
  o.tls_key = args.tls_key.empty() ? config.web.tls_key : args.tls_key;
  return RunWebServer(o);
}

}  // namespace

void AddWebCommand(CLI::App& app) {
  auto args = std::make_shared<WebArgs>();
  CLI::App* cmd = app.add_subcommand(
      "web", "Serve a read-only web page of sessions, timelines, process trees and traces");
  cmd->add_option("--listen", args->listen,
                  "HOST:PORT to listen on (default: [web] listen, 127.0.0.1:7683); port 0 picks a "
                  "free one. Any address but loopback needs TLS")
      ->type_name("HOST:PORT");
  cmd->add_option("--db", args->db, "the store file to read (default: [store] path)")
      ->type_name("FILE");
  cmd->add_option("--postgres", args->postgres,
                  "the fleet database's URL, for traces across hosts (default: [store] postgres)")
      ->type_name("URL");
  cmd->add_option("-c,--config", args->config_path,
                  "TOML config to read [web] and [store] from (default: the embedded defaults)")
      ->type_name("FILE");
  cmd->add_option("--token-file", args->token_path,
                  "the token file (default: [web] token_path, else web-token beside the store); "
                  "made 0600 at first start")
      ->type_name("FILE");
  cmd->add_option("--tls-cert", args->tls_cert, "PEM certificate: serve HTTPS (with --tls-key)")
      ->type_name("FILE");
  cmd->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert")->type_name("FILE");
  cmd->footer(
      "Every request needs the token ([web] token, else the token file's): open\n"
      "http://HOST:PORT/login?token=TOKEN once in the browser (it sets an HttpOnly cookie), or\n"
      "send 'Authorization: Bearer TOKEN'. GET only; the page's API is in docs/web.md.\n"
      "\n"
      "Exit status:\n"
      "  0  stopped by SIGINT or SIGTERM\n"
      "  1  could not start: no store or fleet database, the port is taken, the certificate or\n"
      "     the token file cannot be read or written\n"
      "  2  usage error; a non-loopback --listen without TLS, half a TLS pair, a [web] token\n"
      "     under 16 characters\n");
  cmd->callback([args]() {
    int rc = RunWeb(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
