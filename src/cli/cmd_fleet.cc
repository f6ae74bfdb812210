// `auditlens fleet migrate [--postgres URL] [-c CONFIG]`: brings the fleet database's schema to
// this version (store/pg_schema.h) as an administrator's role, so that the hosts' agents can run as
// roles that may create nothing (docs/fleet.md, "Roles").
#include <libpq-fe.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "common/conninfo_mask.h"
#include "config/config.h"
#include "config/default_config.h"
#include "store/pg_schema.h"
#include "store/postgres_store.h"

namespace auditlens {
namespace {

struct FleetArgs {
  std::string postgres;
  std::string config_path;
};

int Migrate(const FleetArgs& args) {
  std::string url = args.postgres, error;
  if (url.empty()) {
    Config config;
    const bool ok = args.config_path.empty() ? ParseConfig(kDefaultConfig, &config, &error)
                                             : LoadConfig(args.config_path, &config, &error);
    if (!ok) {
      std::cerr << "auditlens fleet migrate: " << MaskConnectionStrings(error) << "\n";
      return 1;
    }
    url = config.store.postgres;
  }
  if (url.empty()) {
    std::cerr << "auditlens fleet migrate: no fleet database: give --postgres URL (or a config "
                 "with [store] postgres)\n";
    return 1;
  }
  const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
  const char* values[] = {"10", url.c_str(), "auditlens fleet migrate", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string why = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    std::cerr << "auditlens fleet migrate: cannot reach " << MaskConnInfo(url) << ": "
              << MaskConnInfoIn(why, url) << "\n";
    PQfinish(conn);
    return 1;
  }
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  uint64_t before = 0, after = 0;
  const bool ok =
      ReadPgSchemaVersion(conn, &before, &error) && ApplyPgMigrations(conn, &after, &error);
  PQfinish(conn);
  if (!ok) {
    std::cerr << "auditlens fleet migrate: " << MaskConnInfoIn(error, url) << "\n";
    return 1;
  }
  if (before == after) {
    std::cout << "fleet schema already at version " << before << "\n";
  } else {
    std::cout << "fleet schema migrated from version " << before << " to " << after << "\n";
  }
  return 0;
}

}  // namespace

void AddFleetCommand(CLI::App& app) {
  auto args = std::make_shared<FleetArgs>();
  CLI::App* fleet = app.add_subcommand("fleet", "The fleet's PostgreSQL database (docs/fleet.md)");
  fleet->require_subcommand(1);
  fleet->footer(
      "Run by the database's administrator (a role that owns the schema and may create roles),\n"
      "not by the agents; docs/fleet.md, \"Roles\".\n"
      "\n"
      "Exit status:\n"
      "  0  success: the schema is at this version\n"
      "  1  the database cannot be reached, or the migration failed (the message says why)\n"
      "  2  usage error; bare 'auditlens fleet' prints this help and exits 2\n");
  CLI::App* migrate = fleet->add_subcommand(
      "migrate", "Bring the fleet schema, its roles and row-level security to this version");
  migrate->add_option("--postgres", args->postgres,
                      "the database (default: [store] postgres of the config)")
      ->type_name("URL");
  migrate->add_option("-c,--config", args->config_path,
                      "TOML config whose [store] postgres to use (default: the embedded defaults)")
      ->type_name("FILE");
  migrate->callback([args]() {
    int rc = Migrate(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace auditlens
