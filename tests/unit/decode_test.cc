// src/decode: every field kind, decoded the way libauparse 3.0.9 decodes it (the expected strings
// are what auparse_interpret_field() returned for the same raw values on this machine; the
// differential test checks the same on real kernel logs).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>

#include "common/endpoint.h"
#include "decode/field_kind.h"
#include "decode/sockaddr.h"
#include "decode/value_decoder.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

constexpr uint16_t kSyscallType = 1300;
constexpr uint16_t kPathType = 1302;
constexpr uint16_t kConfigType = 1305;

class DecodeTest : public ::testing::Test {
 protected:
  // The decoded value of name=raw in a record of this type, in the context of ctx.
  std::string D(std::string_view name, std::string_view raw, uint16_t type = kConfigType) {
    std::string out;
    decoder_.Decode(KindOfField(type, name, raw), raw, ctx_, &out);
    return out;
  }
  // a0..a3 of a SYSCALL record with this arch and syscall number.
  std::string Arg(std::string_view arch, std::string_view nr, int index, std::string_view raw,
                  std::string_view a1 = "0") {
    SyscallContext ctx = decoder_.ContextOf(arch, nr, "0", a1);
    std::string out;
    static constexpr FieldKind kArgs[] = {FieldKind::kA0, FieldKind::kA1, FieldKind::kA2,
                                          FieldKind::kA3};
    decoder_.Decode(kArgs[index], raw, ctx, &out);
    return out;
  }
  std::string Syscall(std::string_view arch, std::string_view nr) {
    SyscallContext ctx = decoder_.ContextOf(arch, nr);
    std::string out;
    decoder_.Decode(FieldKind::kSyscall, nr, ctx, &out);
    return out;
  }

  ValueDecoder decoder_;
  SyscallContext ctx_;
};

constexpr std::string_view kX86_64 = "c000003e";
constexpr std::string_view kI386 = "40000003";
constexpr std::string_view kAarch64 = "c00000b7";

// --- ids ----------------------------------------------------------------------------------------

TEST_F(DecodeTest, Uid) {
  EXPECT_EQ(D("uid", "0"), "root");
  EXPECT_EQ(D("auid", "4294967295"), "unset");
  EXPECT_EQ(D("auid", "-1"), "unset");
  EXPECT_EQ(D("ouid", "65534"), "nobody");
  // No such user: auparse prints the id as a signed 32-bit number.
  EXPECT_EQ(D("uid", "54321"), "unknown(54321)");
  EXPECT_EQ(D("ouid", "4294967294"), "unknown(-2)");
  EXPECT_EQ(D("old-auid", "4294967295"), "unset");
  EXPECT_EQ(D("obj_uid", "0"), "root");
  // Cached: the second lookup answers the same.
  EXPECT_EQ(D("euid", "65534"), "nobody");
}

TEST_F(DecodeTest, Gid) {
  EXPECT_EQ(D("gid", "0"), "root");
  EXPECT_EQ(D("ogid", "65534"), "nogroup");
  EXPECT_EQ(D("egid", "4294967295"), "unset");
  EXPECT_EQ(D("sgid", "54321"), "unknown(54321)");
  // id is a uid, except in group management records.
  EXPECT_EQ(D("id", "65534"), "nobody");
  EXPECT_EQ(D("id", "65534", 1116 /* ADD_GROUP */), "nogroup");
}

TEST_F(DecodeTest, Session) {
  EXPECT_EQ(D("ses", "4294967295"), "unset");
  EXPECT_EQ(D("ses", "3"), "3");
  EXPECT_EQ(D("ses", "-1"), "-1");
}

// --- syscall, arch, exit --------------------------------------------------------------------------

TEST_F(DecodeTest, SyscallPerArch) {
  EXPECT_EQ(Syscall(kX86_64, "257"), "openat");
  EXPECT_EQ(Syscall(kX86_64, "59"), "execve");
  EXPECT_EQ(Syscall(kI386, "5"), "open");
  EXPECT_EQ(Syscall(kI386, "11"), "execve");
  EXPECT_EQ(Syscall(kAarch64, "56"), "openat");
  EXPECT_EQ(Syscall(kX86_64, "999"), "unknown-syscall(999)");
  // i386 socketcall names the call from a0.
  SyscallContext ctx = decoder_.ContextOf(kI386, "102", "3");
  std::string out;
  decoder_.Decode(FieldKind::kSyscall, "102", ctx, &out);
  EXPECT_EQ(out, "socketcall(connect)");
  // i386 ipc names the call from a0 too (auparse's ipctab.h); an unknown call: the name alone.
  out.clear();
  ctx = decoder_.ContextOf(kI386, "117", "2");
  decoder_.Decode(FieldKind::kSyscall, "117", ctx, &out);
  EXPECT_EQ(out, "ipc(semget)");
  EXPECT_EQ(ctx.context_fields, 1);
  out.clear();
  ctx = decoder_.ContextOf(kI386, "117", "63");
  decoder_.Decode(FieldKind::kSyscall, "117", ctx, &out);
  EXPECT_EQ(out, "ipc");
  // open: a2 depends on a1 (bit 1 + 2); openat's fields only on themselves.
  EXPECT_EQ(decoder_.ContextOf(kX86_64, "2").context_fields, 1 << 3);
  EXPECT_EQ(decoder_.ContextOf(kX86_64, "257").context_fields, 0);
  EXPECT_EQ(decoder_.ContextOf(kI386, "102", "3").context_fields, 1);  // socketcall
}

TEST_F(DecodeTest, Arch) {
  EXPECT_EQ(D("arch", "c000003e"), "x86_64");
  EXPECT_EQ(D("arch", "40000003"), "i386");
  EXPECT_EQ(D("arch", "c00000b7"), "aarch64");
  EXPECT_EQ(D("arch", "1"), "unknown-elf-type(1)");
}

TEST_F(DecodeTest, Exit) {
  EXPECT_EQ(D("exit", "-2"), "ENOENT(No such file or directory)");
  EXPECT_EQ(D("exit", "-13"), "EACCES(Permission denied)");
  EXPECT_EQ(D("exit", "-115"), "EINPROGRESS(Operation now in progress)");
  EXPECT_EQ(D("exit", "3"), "3");
  EXPECT_EQ(D("exit", "0"), "0");
  EXPECT_EQ(D("exit", "abc"), "abc");
  // No errno of that number: kept as the kernel wrote it (auparse: "(null)(Unknown error 512)").
  EXPECT_EQ(D("exit", "-512"), "-512");
}

// --- escaped strings ----------------------------------------------------------------------------

TEST_F(DecodeTest, Escaped) {
  EXPECT_EQ(D("name", "\"/etc/passwd\""), "/etc/passwd");
  EXPECT_EQ(D("name", "2F746D702F6120622E747874"), "/tmp/a b.txt");
  EXPECT_EQ(D("name", "2f746d70"), "/tmp");  // lower-case hex too
  EXPECT_EQ(D("name", "(null)"), "(null)");
  EXPECT_EQ(D("name", "\"(null)\""), "(null)");  // a file really named (null)
  EXPECT_EQ(D("name", "?"), "?");
  EXPECT_EQ(D("name", "\"\""), "");
  EXPECT_EQ(D("comm", "(null)"), "(null)");
  EXPECT_EQ(D("cwd", "2F746D702FFF"), std::string("/tmp/\xff"));
  EXPECT_EQ(D("exe", "\"/usr/bin/bash\""), "/usr/bin/bash");
  EXPECT_EQ(D("ocomm", "\"x y\""), "x y");
  EXPECT_EQ(D("watch", "2F612062"), "/a b");
  EXPECT_EQ(D("new-disk", "2F6465762F736461"), "/dev/sda");
  EXPECT_EQ(D("apparmor", "\"DENIED\""), "DENIED");
}

TEST_F(DecodeTest, AcctDependsOnItsForm) {
  EXPECT_EQ(KindOfField(1101, "acct", "\"root\""), FieldKind::kEscaped);
  EXPECT_EQ(KindOfField(1101, "acct", "726F6F74"), FieldKind::kEscaped);
  EXPECT_EQ(KindOfField(1101, "acct", "root"), FieldKind::kPlain);
  EXPECT_EQ(D("acct", "\"root\"", 1101), "root");
  EXPECT_EQ(D("acct", "726F6F74", 1101), "root");
  EXPECT_EQ(D("acct", "root", 1101), "root");
  EXPECT_EQ(D("acct", "?", 1101), "?");
}

TEST_F(DecodeTest, ExecveArguments) {
  EXPECT_EQ(KindOfField(rectype::kExecve, "a0", "\"ls\""), FieldKind::kExecveArg);
  EXPECT_EQ(KindOfField(rectype::kExecve, "a1[0]", "\"x\""), FieldKind::kExecveArg);
  EXPECT_EQ(KindOfField(rectype::kExecve, "a1_len", "9000"), FieldKind::kPlain);
  EXPECT_EQ(KindOfField(rectype::kExecve, "argc", "3"), FieldKind::kPlain);
  EXPECT_EQ(D("a1", "2D6C20612062", rectype::kExecve), "-l a b");
  EXPECT_EQ(D("a1", "(null)", rectype::kExecve), "(null)");
  EXPECT_EQ(D("a1_len", "9000", rectype::kExecve), "9000");
}

TEST_F(DecodeTest, KeysSplitOn0x01) {
  std::string storage;
  std::vector<uint32_t> ends;
  ValueDecoder::SplitEscaped("6B31016B32016B33", '\x01', &storage, &ends, true);
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(storage.substr(0, ends[0]), "k1");
  EXPECT_EQ(storage.substr(ends[0] + 1, ends[1] - ends[0] - 1), "k2");
  EXPECT_EQ(storage.substr(ends[1] + 1), "k3");
  // Leading and trailing separators make no empty keys (auparse shows one key "k1").
  storage.clear();
  ends.clear();
  ValueDecoder::SplitEscaped("016B3101", '\x01', &storage, &ends, true);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(storage, "k1");
  // A single quoted key, and a key with a space (hex).
  storage.clear();
  ends.clear();
  ValueDecoder::SplitEscaped("\"diff-net\"", '\x01', &storage, &ends, true);
  EXPECT_EQ(storage, "diff-net");
  EXPECT_EQ(D("key", "646966662065786563"), "diff exec");
}

TEST_F(DecodeTest, ProctitleSplitsAtNul) {
  std::string storage;
  std::vector<uint32_t> ends;
  // "bash\0-c\0\0echo hi": an empty argument in the middle stays.
  ValueDecoder::SplitEscaped("62617368002D6300006563686F206869", '\0', &storage, &ends);
  ASSERT_EQ(ends.size(), 4u);
  std::vector<std::string> args;
  uint32_t begin = 0;
  for (uint32_t end : ends) {
    args.push_back(storage.substr(begin, end - begin));
    begin = end + 1;
  }
  EXPECT_EQ(args, (std::vector<std::string>{"bash", "-c", "", "echo hi"}));
  // A quoted proctitle is one argument.
  storage.clear();
  ends.clear();
  ValueDecoder::SplitEscaped("\"bash\"", '\0', &storage, &ends);
  EXPECT_EQ(storage, "bash");
  EXPECT_EQ(ends.size(), 1u);
}

// --- perm, mode, res, caps, signal, list --------------------------------------------------------

TEST_F(DecodeTest, Perm) {
  EXPECT_EQ(D("perm", "2"), "write");
  EXPECT_EQ(D("perm", "10"), "write,attr");
  EXPECT_EQ(D("perm_mask", "15"), "read,write,exec,attr");
  EXPECT_EQ(D("perm", "0"), "read,write,exec,attr");  // the kernel treats none as all
}

TEST_F(DecodeTest, Mode) {
  EXPECT_EQ(D("mode", "0100644", kPathType), "file,644");
  EXPECT_EQ(D("mode", "040755", kPathType), "dir,755");
  EXPECT_EQ(D("mode", "0104755", kPathType), "file,suid,755");
  EXPECT_EQ(D("mode", "043777", kPathType), "dir,sgid,sticky,777");
  EXPECT_EQ(D("mode", "0120777", kPathType), "link,777");
  EXPECT_EQ(D("mode", "020666", kPathType), "character,666");
  EXPECT_EQ(D("mode", "060660", kPathType), "block,660");
  EXPECT_EQ(D("mode", "010640", kPathType), "fifo,640");
  EXPECT_EQ(D("mode", "0140777", kPathType), "socket,777");
  EXPECT_EQ(D("mode", "04755", kPathType), "000,suid,755");  // no type bits
  // MQ_OPEN's mode is permission bits only.
  EXPECT_EQ(D("mode", "0644", 1312), "0644");
}

TEST_F(DecodeTest, Success) {
  EXPECT_EQ(D("res", "1"), "yes");
  EXPECT_EQ(D("res", "0"), "no");
  EXPECT_EQ(D("res", "2"), "unset");
  EXPECT_EQ(D("res", "success"), "success");
  EXPECT_EQ(D("result", "failed"), "failed");
}

TEST_F(DecodeTest, Capabilities) {
  EXPECT_EQ(D("cap_fp", "0"), "none");
  EXPECT_EQ(D("cap_pe", "3"), "chown,dac_override");
  EXPECT_EQ(D("cap_pp", "40000000"), "audit_control");
  EXPECT_EQ(D("cap_pi", "ffffffffffffffff").substr(0, 30), "chown,dac_override,dac_read_se");
  EXPECT_EQ(D("capability", "21"), "sys_admin");
  EXPECT_EQ(D("capability", "40"), "checkpoint_restore");
  EXPECT_EQ(D("capability", "41"), "unknown-capability(41)");
  // Names auparse does not classify stay as they are.
  EXPECT_EQ(D("cap_fe", "1"), "1");
  EXPECT_EQ(D("new_pa", "1"), "1");
}

TEST_F(DecodeTest, Signal) {
  EXPECT_EQ(D("sig", "9"), "SIGKILL");
  EXPECT_EQ(D("sig", "0"), "SIG0");
  EXPECT_EQ(D("sig", "31"), "SIGSYS");
  EXPECT_EQ(D("sig", "30"), "IGPWR");  // auparse 3.0.9's signaltab.h spells it so
  EXPECT_EQ(D("sig", "64"), "unknown-signal(64)");
  EXPECT_EQ(D("sigev_signo", "15"), "SIGTERM");
}

TEST_F(DecodeTest, List) {
  EXPECT_EQ(D("list", "4"), "exit");
  EXPECT_EQ(D("list", "5"), "exclude");
  EXPECT_EQ(D("list", "0"), "user");
  EXPECT_EQ(D("list", "7"), "unknown-list(7)");
}

TEST_F(DecodeTest, TtyData) {
  // "ls -l", Enter: text in quotes, named keys in angle brackets.
  EXPECT_EQ(D("data", "6C73202D6C0D", 1319), R"("ls -l",<ret>)");
  // Arrow up (ESC [ A), a lone ESC, a quote and a byte that is not ASCII (octal).
  EXPECT_EQ(D("data", "1B5B41611B22FF", 1319), R"(<up>,"a",<esc>,"\"\377")");
  // The first key in auparse's list that matches wins (the list has longer sequences first).
  EXPECT_EQ(D("data", "1B5B323B327E", 1319), "<shift-insert>");
  EXPECT_EQ(D("data", "1B5B32", 1319), R"(<esc>,"[2")");
  EXPECT_EQ(D("data", "notHex", 1319), "notHex");
}

TEST_F(DecodeTest, NetfilterAndFriends) {
  EXPECT_EQ(D("family", "2"), "ipv4");
  EXPECT_EQ(D("family", "10"), "ipv6");
  EXPECT_EQ(D("family", "4"), "unknown-netfilter-protocol(4)");
  EXPECT_EQ(D("proto", "6"), "tcp");
  EXPECT_EQ(D("proto", "17"), "udp");
  EXPECT_EQ(D("icmptype", "8"), "echo");
  EXPECT_EQ(D("hook", "1"), "INPUT");
  EXPECT_EQ(D("action", "2"), "REJECT");
  EXPECT_EQ(D("macproto", "0x0800"), "IP");
  EXPECT_EQ(D("prom", "256"), "yes");
  EXPECT_EQ(D("old_prom", "0"), "no");
  EXPECT_EQ(D("code", "0x7fff0000"), "allow");
  EXPECT_EQ(D("code", "0x50001"), "errno");
  EXPECT_EQ(D("code", "0x7fc00000"), "user-notify");  // not in the hand table
  EXPECT_EQ(D("code", "0x7fff0001"), "allow");
  EXPECT_EQ(D("code", "0x10000"), "unknown-seccomp-code(0x10000)");
  EXPECT_EQ(D("oflag", "0x42"), "O_RDWR|O_CREAT");
  EXPECT_EQ(D("flags", "22"), "MAP_PRIVATE|MAP_ANONYMOUS");
  EXPECT_EQ(D("flags", "0", kPathType), "none");
  EXPECT_EQ(D("resolve", "3"), "RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS");
  EXPECT_EQ(D("resolve", "0"), "0x0");
  EXPECT_EQ(D("resp", "2"), "deny");
  EXPECT_EQ(D("nl-mcgrp", "1"), "audit-netlink-multicast");
  // AVC's saddr is not a sockaddr; NETFILTER_PKT's is an address.
  EXPECT_EQ(KindOfField(1400, "saddr", "1.2.3.4"), FieldKind::kPlain);
  EXPECT_EQ(KindOfField(1324, "saddr", "1.2.3.4"), FieldKind::kPlain);
  EXPECT_EQ(KindOfField(1306, "saddr", "0200"), FieldKind::kSockaddr);
}

// --- syscall arguments --------------------------------------------------------------------------

TEST_F(DecodeTest, SyscallArguments) {
  EXPECT_EQ(Arg(kX86_64, "257", 0, "ffffff9c"), "AT_FDCWD");      // openat dirfd
  EXPECT_EQ(Arg(kX86_64, "257", 0, "ffffffffffffff9c"), "AT_FDCWD");
  EXPECT_EQ(Arg(kX86_64, "257", 0, "3"), "0x3");
  EXPECT_EQ(Arg(kX86_64, "257", 2, "80241"), "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
  EXPECT_EQ(Arg(kX86_64, "257", 2, "0"), "O_RDONLY");
  EXPECT_EQ(Arg(kX86_64, "257", 3, "1a4"), "0x1a4");              // openat's mode: not named
  EXPECT_EQ(Arg(kX86_64, "2", 2, "1a4", "41"), "0644");           // open: mode with O_CREAT
  EXPECT_EQ(Arg(kX86_64, "2", 2, "1a4", "0"), "0x1a4");           // ... not without
  EXPECT_EQ(Arg(kX86_64, "90", 1, "9ed"), "suid,0755");           // chmod
  EXPECT_EQ(Arg(kX86_64, "268", 2, "3c0"), "sticky,0700");        // fchmodat
  EXPECT_EQ(Arg(kX86_64, "133", 1, "11a0"), "fifo,640");          // mknod: full mode
  EXPECT_EQ(Arg(kX86_64, "62", 1, "f"), "SIGTERM");               // kill
  EXPECT_EQ(Arg(kX86_64, "62", 1, "20"), "unknown-signal(0x20)");
  EXPECT_EQ(Arg(kX86_64, "105", 0, "fffe"), "nobody");            // setuid
  EXPECT_EQ(Arg(kX86_64, "117", 2, "ffffffff"), "unset");         // setresuid
  EXPECT_EQ(Arg(kX86_64, "106", 0, "fffe"), "nogroup");           // setgid
  EXPECT_EQ(Arg(kX86_64, "41", 0, "a"), "inet6");                 // socket
  EXPECT_EQ(Arg(kX86_64, "41", 1, "80801"), "SOCK_STREAM");
  EXPECT_EQ(Arg(kX86_64, "41", 2, "6"), "tcp");
  EXPECT_EQ(Arg(kX86_64, "44", 3, "40"), "MSG_DONTWAIT");         // sendto
  EXPECT_EQ(Arg(kX86_64, "44", 3, "0"), "0x0");
  EXPECT_EQ(Arg(kX86_64, "56", 2, "1200011"),
            "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");   // clone
  EXPECT_EQ(Arg(kX86_64, "9", 2, "0"), "PROT_NONE");              // mmap
  EXPECT_EQ(Arg(kX86_64, "9", 3, "22"), "MAP_PRIVATE|MAP_ANONYMOUS");
  EXPECT_EQ(Arg(kX86_64, "21", 1, "4"), "R_OK");                  // access
  EXPECT_EQ(Arg(kX86_64, "21", 1, "0"), "F_OK");
  EXPECT_EQ(Arg(kX86_64, "231", 0, "1"), "EXIT_FAILURE");         // exit_group
  EXPECT_EQ(Arg(kX86_64, "59", 0, "55d0c0a0"), "0x55d0c0a0");     // execve: pointers
  EXPECT_EQ(Arg(kI386, "5", 1, "8241"), "O_WRONLY|O_CREAT|O_TRUNC");  // i386 open
}

TEST_F(DecodeTest, MoreSyscallArguments) {
  EXPECT_EQ(Arg(kX86_64, "101", 0, "10"), "PTRACE_ATTACH");            // ptrace
  EXPECT_EQ(Arg(kX86_64, "101", 0, "4206"), "PTRACE_SEIZE");
  EXPECT_EQ(Arg(kX86_64, "101", 0, "a"), "unknown-ptrace(0xa)");
  EXPECT_EQ(Arg(kX86_64, "157", 0, "f"), "PR_SET_NAME");               // prctl
  EXPECT_EQ(Arg(kX86_64, "157", 0, "0"), "unknown-prctl-option(0x0)");
  SyscallContext pdeath = decoder_.ContextOf(kX86_64, "157", "1", "9");
  std::string out;
  decoder_.Decode(FieldKind::kA1, "9", pdeath, &out);
  EXPECT_EQ(out, "SIGKILL");                                           // PR_SET_PDEATHSIG's a1
  EXPECT_EQ(Arg(kX86_64, "72", 1, "406"), "F_DUPFD_CLOEXEC");          // fcntl
  EXPECT_EQ(Arg(kX86_64, "72", 1, "30"), "unknown-fcntl-command(48)");
  EXPECT_EQ(Arg(kX86_64, "165", 3, "1020"), "MS_REMOUNT|MS_BIND");     // mount
  EXPECT_EQ(Arg(kX86_64, "135", 0, "8"), "PER_LINUX32");               // personality
  EXPECT_EQ(Arg(kX86_64, "135", 0, "40008"), "PER_LINUX32|~ADDR_NO_RANDOMIZE");
  EXPECT_EQ(Arg(kX86_64, "29", 2, "3c0"), "IPC_CREAT|0700");           // shmget
  EXPECT_EQ(Arg(kX86_64, "144", 1, "40000001"), "SCHED_FIFO|SCHED_RESET_ON_FORK");
  EXPECT_EQ(Arg(kX86_64, "321", 0, "5"), "BPF_PROG_LOAD");             // bpf
  EXPECT_EQ(Arg(kX86_64, "16", 1, "ffffffffffffff9c"), "0xffffff9c");  // ioctl: 32 bits
  EXPECT_EQ(D("per", "0040008"), "PER_LINUX32|~ADDR_NO_RANDOMIZE");
  // setsockopt: the level names the option.
  EXPECT_EQ(Arg(kX86_64, "54", 1, "1"), "SOL_SOCKET");
  EXPECT_EQ(Arg(kX86_64, "54", 1, "6"), "tcp");
  EXPECT_EQ(Arg(kX86_64, "54", 1, "107"), "SOL_PACKET");
  EXPECT_EQ(Arg(kX86_64, "54", 2, "2", "1"), "SO_REUSEADDR");
  EXPECT_EQ(Arg(kX86_64, "54", 2, "1", "6"), "TCP_NODELAY");
  EXPECT_EQ(Arg(kX86_64, "54", 2, "1a", "29"), "IPV6_V6ONLY");
  EXPECT_EQ(Arg(kX86_64, "54", 2, "50", "29"), "IP6T_SO_ORIGINAL_DST");  // not in the hand table
  // clock_settime: auparse names clocks 0-6 only.
  EXPECT_EQ(Arg(kX86_64, "227", 0, "6"), "CLOCK_MONOTONIC_COARSE");
  EXPECT_EQ(Arg(kX86_64, "227", 0, "b"), "unknown-clk_id(0xb)");
  // shmget flags: IPC_CREAT/IPC_EXCL, SHM_HUGETLB/SHM_NORESERVE, then the mode (IPC_NOWAIT and
  // SHM_DEST bits are not named).
  EXPECT_EQ(Arg(kX86_64, "29", 2, "7fb6"), "IPC_CREAT|IPC_EXCL|SHM_HUGETLB|SHM_NORESERVE|0666");
  EXPECT_EQ(Arg(kX86_64, "29", 2, "1ff"), "0777");
  // ioctl requests auparse names (ioctlreqtab.h), else 32-bit hex.
  EXPECT_EQ(Arg(kX86_64, "16", 1, "5401"), "TCGETS");
  EXPECT_EQ(Arg(kX86_64, "16", 1, "12345"), "0x12345");
  // clone: a flag above bit 31 (CLONE_CLEAR_SIGHAND) is not named, as in auparse.
  EXPECT_EQ(Arg(kX86_64, "56", 2, "100000011"), "SIGCHLD");
  EXPECT_EQ(Arg(kX86_64, "54", 2, "0", "0"), "unknown-ipopt-name(0x0)");
  EXPECT_EQ(Arg(kX86_64, "54", 2, "5", "2"), "0x5");  // igmp: no option names
}

// --- sockaddr -----------------------------------------------------------------------------------

std::string AsGiven(const SockAddr& sa) {
  char buf[Endpoint::kIpTextSize];
  return std::string(buf, sa.address.FormatIpAsGiven(buf));
}

std::string Path(const SockAddr& sa) {
  char buf[Endpoint::kUnixTextSize];
  return std::string(buf, sa.path_text(buf));
}

TEST(SockAddr, Inet) {
  SockAddr sa;
  ASSERT_TRUE(DecodeSockAddr("02001F907F0000010000000000000000", &sa));
  EXPECT_EQ(sa.family_name, "inet");
  EXPECT_TRUE(sa.error.empty());
  EXPECT_TRUE(sa.address.is_ip());
  EXPECT_EQ(AsGiven(sa), "127.0.0.1");
  EXPECT_EQ(sa.address.port, 8080);
}

TEST(SockAddr, Inet6) {
  SockAddr sa;
  ASSERT_TRUE(DecodeSockAddr("0A00D16F000000000000000000000000000000000000000100000000", &sa));
  EXPECT_EQ(sa.family_name, "inet6");
  EXPECT_EQ(AsGiven(sa), "::1");
  EXPECT_EQ(sa.address.port, 0xD16F);
  // A v4-mapped address: IPv4 to the enrichers, and rendered as the record gives it.
  ASSERT_TRUE(DecodeSockAddr("0A008F290000000000000000000000000000FFFF7F00000100000000", &sa));
  EXPECT_EQ(AsGiven(sa), "::ffff:127.0.0.1");
  EXPECT_FALSE(sa.address.ipv6);
  EXPECT_TRUE(sa.address.v4_mapped());
}

TEST(SockAddr, UnixPathAndAbstract) {
  SockAddr sa;
  // A path, NUL-terminated, with a byte that is not UTF-8.
  ASSERT_TRUE(DecodeSockAddr("01002F746D702F736F636B20FF00", &sa));
  EXPECT_EQ(sa.family_name, "local");
  EXPECT_EQ(Path(sa), "/tmp/sock \xff");
  EXPECT_FALSE(sa.abstract_name());
  // Abstract: a leading NUL, shown as '@'; every byte counts.
  ASSERT_TRUE(DecodeSockAddr("0100006175646974", &sa));
  EXPECT_TRUE(sa.abstract_name());
  EXPECT_EQ(Path(sa), "@audit");
  ASSERT_TRUE(DecodeSockAddr("01000061006200", &sa));
  EXPECT_EQ(Path(sa), std::string("@a\0b\0", 5));
  // A leading NUL and nothing after it: an empty path (auparse's rendering), not abstract.
  ASSERT_TRUE(DecodeSockAddr("010000", &sa));
  EXPECT_TRUE(sa.error.empty());
  EXPECT_EQ(Path(sa), "");
  EXPECT_FALSE(sa.abstract_name());
  // A path without its NUL, filling sun_path (108 bytes): all of it.
  ASSERT_TRUE(DecodeSockAddr("0100" + std::string(216, '6'), &sa));
  EXPECT_EQ(Path(sa), std::string(108, 'f'));
}

TEST(SockAddr, Netlink) {
  SockAddr sa;
  ASSERT_TRUE(DecodeSockAddr("100000000100000002000000", &sa));
  EXPECT_EQ(sa.family_name, "netlink");
  EXPECT_EQ(sa.netlink_pid, 1u);
  EXPECT_EQ(sa.netlink_groups, 2u);
}

TEST(SockAddr, TruncatedUnsupportedUnknown) {
  SockAddr sa;
  ASSERT_TRUE(DecodeSockAddr("02008F297F00", &sa));  // 6 bytes of sockaddr_in
  EXPECT_EQ(sa.family_name, "inet");
  EXPECT_EQ(sa.error, "sockaddr len too short");
  ASSERT_TRUE(DecodeSockAddr("0A001F9000000000", &sa));
  EXPECT_EQ(sa.error, "sockaddr6 len too short");
  ASSERT_TRUE(DecodeSockAddr("0100", &sa));  // unnamed unix socket
  EXPECT_EQ(sa.family_name, "local");
  EXPECT_EQ(sa.error, "sockaddr len too short");
  ASSERT_TRUE(DecodeSockAddr("1000000001000000", &sa));
  EXPECT_EQ(sa.error, "len too short");
  ASSERT_TRUE(DecodeSockAddr("11000300", &sa));
  EXPECT_EQ(sa.family_name, "packet");
  EXPECT_EQ(sa.error, "unsupported");
  ASSERT_TRUE(DecodeSockAddr("00000000000000000000000000000000", &sa));  // AF_UNSPEC
  EXPECT_TRUE(sa.family_name.empty());
  EXPECT_EQ(sa.family_number, 0);
  EXPECT_FALSE(DecodeSockAddr("xyz", &sa));
  EXPECT_FALSE(DecodeSockAddr("020", &sa));
}

}  // namespace
}  // namespace auditlens
