// auditlens: a Linux audit listener. See README.md and docs/.
//
// Exit status of every command: 0 success, 1 the command failed (its message says why), 2 a usage
// error (a one-line hint on stderr naming the --help to read). Some commands add their own codes
// (status: 3, 4, 5); each command's --help lists them. Bare `auditlens` (or a command that needs a
// subcommand, given none) prints its help on stdout and exits 2: it did nothing.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <exception>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "query/session_summaries.h"

namespace {

constexpr int kUsageError = 2;

// "auditlens rules check": the command line's subcommands as far as they were parsed.
std::string CommandPath(const CLI::App* app) {
  std::string path;
  for (const CLI::App* a = app; a != nullptr; a = a->get_parent()) {
    path = path.empty() ? a->get_name() : a->get_name() + " " + path;
  }
  return path;
}

// The deepest subcommand the parse reached (the main app when none).
CLI::App* Deepest(CLI::App* app) {
  while (!app->get_subcommands().empty()) app = app->get_subcommands().front();
  return app;
}

// CLI11's words for a usage error, made shorter for the one-line hint.
std::string Describe(const CLI::ParseError& e) {
  std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    // "The following argument(s) was/were not expected: A B"
    const size_t colon = what.find(": ");
    const std::string args = colon == std::string::npos ? what : what.substr(colon + 2);
    const bool option = !args.empty() && args[0] == '-';
    return (option ? "unknown option " : "unexpected argument ") + args;
  }
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  return what;
}

// Standard input, output and error opened on /dev/null where they are closed (`auditlens run >&-`,
// a careless service manager): otherwise the next file the program opens gets the number, and
// what is meant for standard output or error (the agent's stdout output, its log lines) goes into
// it: an output file, or the audit netlink socket.
void OpenClosedStandardStreams() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0 && null_fd != fd) close(null_fd);  // /dev/null missing: nothing to be done
  }
}

}  // namespace

int main(int argc, char** argv) {
  OpenClosedStandardStreams();
  // The store's writer summarizes ended sessions with the timeline's rules (docs/store.md).
  auditlens::InstallTimelineSummaries();
  CLI::App app{"auditlens: the kernel audit stream as one decoded JSON object per event"};
  app.name("auditlens");
  app.require_subcommand(1);
  app.set_version_flag("--version", "auditlens 0.1.0");
  auditlens::AddRunCommand(app);
  auditlens::AddParseCommand(app);
  auditlens::AddImportCommand(app);
  auditlens::AddStatusCommand(app);
  auditlens::AddRulesCommand(app);
  auditlens::AddSessionsCommand(app);
  auditlens::AddTimelineCommand(app);
  auditlens::AddContainersCommand(app);
  auditlens::AddTraceCommand(app);
  auditlens::AddFleetCommand(app);
  auditlens::AddWebCommand(app);
  app.footer(
      "Each command has its own --help, e.g. 'auditlens run --help', and man page,\n"
      "e.g. auditlens-run(1). Documentation: docs/ in the source tree.\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  the command failed (its message on standard error says why)\n"
      "  2  usage error (a one-line hint names the --help to read); bare 'auditlens' prints\n"
      "     this help and exits 2\n"
      "  3  'auditlens status': the agent is not running\n"
      "  4  'auditlens status': the agent's output is failing\n"
      "  5  'auditlens status': the kernel audit status cannot be read\n");
  if (argc <= 1) {
    std::cout << app.help();
    return kUsageError;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {  // a command ran and failed: it said why
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    CLI::App* where = Deepest(&app);
    const std::string path = CommandPath(where);
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
        where->get_require_subcommand_min() > 0 && where->get_subcommands().empty()) {
      // A command that needs a subcommand got none: `auditlens rules` alone prints its help (as
      // bare `auditlens` does); `auditlens rules --bogus` or `auditlens bogus` name what was wrong.
      int i = 1;
      if (where != &app) {
        while (i < argc && where->get_name() != argv[i]) ++i;
        ++i;
      }
      if (i >= argc) {
        std::cout << where->help(CommandPath(where->get_parent()));
        return kUsageError;
      }
      const std::string token = argv[i];
      std::cerr << path << ": " << (token[0] == '-' ? "unknown option " : "unknown command ")
                << token << "; see '" << path << " --help'\n";
      return kUsageError;
    }
    std::cerr << path << ": " << Describe(e) << "; see '" << path << " --help'\n";
    return kUsageError;
  } catch (const std::exception& e) {
    std::cerr << "auditlens: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
