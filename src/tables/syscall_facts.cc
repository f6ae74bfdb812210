#include "tables/syscall_facts.h"

#include <libaudit.h>

#include <algorithm>
#include <iterator>

#include "tables/auparse_tables.h"
#include "tables/syscall_table.h"

namespace auditlens::tables {
namespace {

struct ArchTable {
  const SyscallEntry* entries;
  int size;
};

template <size_t N>
constexpr ArchTable Arch(const SyscallEntry (&t)[N]) {
  return {t, static_cast<int>(N)};
}

// libaudit's machine → table, as its audit_syscall_to_name does.
ArchTable TableOf(int machine) {
  switch (machine) {
    case MACH_X86: return Arch(kSyscalls_i386);
    case MACH_86_64: return Arch(kSyscalls_x86_64);
    case MACH_PPC64:
    case MACH_PPC64LE:
    case MACH_PPC: return Arch(kSyscalls_ppc);
    case MACH_S390X: return Arch(kSyscalls_s390x);
    case MACH_S390: return Arch(kSyscalls_s390);
    case MACH_ARM: return Arch(kSyscalls_arm);
    case MACH_AARCH64: return Arch(kSyscalls_aarch64);
    default: return {nullptr, 0};
  }
}

constexpr bool FactsSorted() {
  for (size_t i = 2; i < std::size(kSyscallFacts); ++i) {
    if (!(kSyscallFacts[i - 1].name < kSyscallFacts[i].name)) return false;
  }
  return true;
}
static_assert(FactsSorted(), "kSyscallFacts rows 1.. must be sorted by name");

}  // namespace

const SyscallEntry* LookupSyscall(int machine, int number) {
  ArchTable t = TableOf(machine);
  if (number < 0 || number >= t.size || t.entries[number].name.empty()) return nullptr;
  return &t.entries[number];
}

const SyscallFacts& FactsOf(const SyscallEntry* entry) {
  return kSyscallFacts[entry ? entry->facts : 0];
}

const SyscallFacts& FactsOfName(std::string_view name) {
  auto begin = std::begin(kSyscallFacts) + 1;
  auto it = std::lower_bound(begin, std::end(kSyscallFacts), name,
                             [](const SyscallFacts& f, std::string_view n) { return f.name < n; });
  if (it == std::end(kSyscallFacts) || it->name != name) return kSyscallFacts[0];
  return *it;
}

const SyscallFacts* SocketcallFacts(uint64_t call) {
  std::string_view name = NameOf(kSocketcalls, call);
  if (name.empty()) return nullptr;
  return &FactsOfName(name);
}

}  // namespace auditlens::tables
