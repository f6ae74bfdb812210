// src/tables: the generated syscall table (libaudit's numbers joined with syscalls.tsv) and its
// lookups; the columns each stage reads.
#include <gtest/gtest.h>

#include <libaudit.h>

#include <string>

#include "tables/auparse_tables.h"
#include "tables/syscall_facts.h"

namespace auditlens::tables {
namespace {

std::string NameOf(int machine, int number) {
  const SyscallEntry* e = LookupSyscall(machine, number);
  return e ? std::string(e->name) : std::string("<none>");
}

TEST(SyscallTable, NamesPerArchAsLibauditHasThem) {
  for (int machine : {MACH_X86, MACH_86_64, MACH_PPC64, MACH_PPC, MACH_S390X, MACH_S390, MACH_ARM,
                      MACH_AARCH64, MACH_PPC64LE}) {
    for (int nr = 0; nr < 4096; ++nr) {
      const char* want = audit_syscall_to_name(nr, machine);
      ASSERT_EQ(NameOf(machine, nr), want ? want : "<none>") << "machine " << machine << " " << nr;
    }
  }
  EXPECT_EQ(NameOf(MACH_86_64, 59), "execve");
  EXPECT_EQ(NameOf(MACH_X86, 11), "execve");
  EXPECT_EQ(NameOf(MACH_AARCH64, 221), "execve");
  EXPECT_EQ(NameOf(MACH_X86, 219), "madvise");  // listed twice upstream: the first name wins
  EXPECT_EQ(LookupSyscall(MACH_86_64, -1), nullptr);
  EXPECT_EQ(LookupSyscall(MACH_86_64, 100000), nullptr);
  EXPECT_EQ(LookupSyscall(-1, 59), nullptr);
  EXPECT_EQ(LookupSyscall(MACH_IA64, 59), nullptr);  // libaudit 3.0.9 has no table for it
}

TEST(SyscallTable, FactsPerSyscall) {
  const SyscallFacts& connect = FactsOf(LookupSyscall(MACH_86_64, 42));
  EXPECT_EQ(connect.name, "connect");
  EXPECT_EQ(connect.ecs_category, "network");
  EXPECT_EQ(connect.ecs_type, "connection");
  EXPECT_EQ(connect.cls, SyscallClass::kConnect);
  EXPECT_EQ(connect.net, NetOp::kConnect);

  const SyscallFacts& openat = FactsOf(LookupSyscall(MACH_AARCH64, 56));
  EXPECT_EQ(openat.name, "openat");
  EXPECT_EQ(openat.cls, SyscallClass::kOpen);
  EXPECT_EQ(openat.args[0], ArgKind::kDirfd);
  EXPECT_EQ(openat.args[2], ArgKind::kOpenFlags);

  EXPECT_EQ(FactsOf(LookupSyscall(MACH_X86, 213)).cls, SyscallClass::kSetId);  // setuid32
  EXPECT_EQ(FactsOf(LookupSyscall(MACH_86_64, 0)).name, "");  // read: not listed
  EXPECT_EQ(FactsOf(LookupSyscall(MACH_86_64, 0)).cls, SyscallClass::kOther);
  EXPECT_EQ(FactsOf(nullptr).net, NetOp::kNone);
  EXPECT_EQ(FactsOf(nullptr).args[1], ArgKind::kHex);

  EXPECT_EQ(FactsOfName("execveat").cls, SyscallClass::kExec);
  EXPECT_EQ(FactsOfName("kill").ecs_type, "end");
  EXPECT_EQ(FactsOfName("no_such_call").name, "");
  EXPECT_EQ(FactsOfName("").name, "");
}

TEST(SyscallTable, SocketcallCallsByName) {
  ASSERT_NE(SocketcallFacts(3), nullptr);
  EXPECT_EQ(SocketcallFacts(3)->net, NetOp::kConnect);
  EXPECT_EQ(SocketcallFacts(9)->net, NetOp::kSend);   // send: not a syscall on x86_64
  EXPECT_EQ(SocketcallFacts(10)->net, NetOp::kRecv);  // recv
  EXPECT_EQ(SocketcallFacts(1)->net, NetOp::kNone);   // socket
  EXPECT_EQ(SocketcallFacts(0), nullptr);
  EXPECT_EQ(SocketcallFacts(21), nullptr);
}

TEST(AuparseTables, LookupFollowsAuparse) {
  EXPECT_EQ(tables::NameOf(kCapabilities, 21), "sys_admin");
  EXPECT_EQ(tables::NameOf(kFamilies, 10), "inet6");
  EXPECT_EQ(tables::NameOf(kSockOptNames, 116), "SO_RCVLOWAT");  // the ppc numbers
  EXPECT_EQ(tables::NameOf(kPtraceRequests, 0x4206), "PTRACE_SEIZE");
  EXPECT_EQ(tables::NameOf(kSignals, 99), "");
  constexpr auto dense = DenseNames<8>(kSeekWhence);
  EXPECT_EQ(dense[4], "SEEK_HOLE");
  EXPECT_EQ(dense[5], "");
  EXPECT_EQ(dense[1000], "");
  // auparse keeps values in an int: a flag above bit 31 is 0 there and never printed.
  bool clear_sighand = false;
  for (const ValueName& f : kCloneFlags) {
    if (f.name == "CLONE_CLEAR_SIGHAND") clear_sighand = f.value == 0;
  }
  EXPECT_TRUE(clear_sighand);
}

}  // namespace
}  // namespace auditlens::tables
