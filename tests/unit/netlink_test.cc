// The kernel-free parts of src/netlink: datagram splitting, the SetKernelStatus guard, and that a
// receiving socket takes no datagram from another process (no registration, no kernel state changed).
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <cstring>
#include <string>
#include <vector>

#include "netlink/audit_netlink.h"
#include "netlink/netlink_datagram.h"

namespace auditlens {
namespace {

// One message: header with nlmsg_len = len_field, then the payload bytes.
std::string Message(uint16_t type, const std::string& payload, uint32_t len_field) {
  nlmsghdr h{};
  h.nlmsg_len = len_field;
  h.nlmsg_type = type;
  std::string out(reinterpret_cast<const char*>(&h), sizeof(h));
  out += payload;
  return out;
}

struct Split {
  std::vector<uint16_t> types;
  std::vector<std::string> payloads;
  bool malformed = false;
};

Split Read(const std::string& datagram, bool unicast) {
  Split s;
  DatagramReader reader(datagram.data(), datagram.size(), unicast);
  uint16_t type;
  std::string_view payload;
  while (reader.Next(&type, &payload)) {
    s.types.push_back(type);
    s.payloads.emplace_back(payload);
  }
  s.malformed = reader.malformed();
  return s;
}

const std::string kRecord = "audit(1700000000.123:42): arch=c000003e syscall=59 success=yes";

TEST(DatagramReader, UnicastPayloadLength) {
  // Unicast records: nlmsg_len is the payload length.
  auto s = Read(Message(AUDIT_SYSCALL, kRecord, kRecord.size()), true);
  ASSERT_EQ(s.payloads.size(), 1u);
  EXPECT_EQ(s.types[0], AUDIT_SYSCALL);
  EXPECT_EQ(s.payloads[0], kRecord);
  EXPECT_FALSE(s.malformed);
}

TEST(DatagramReader, MulticastFullLength) {
  auto s = Read(Message(AUDIT_SYSCALL, kRecord, NLMSG_HDRLEN + kRecord.size()), false);
  ASSERT_EQ(s.payloads.size(), 1u);
  EXPECT_EQ(s.payloads[0], kRecord);
}

TEST(DatagramReader, EitherConventionOnEitherSocket) {
  // The exact fit with the datagram decides, whatever the socket kind.
  EXPECT_EQ(Read(Message(AUDIT_PATH, kRecord, NLMSG_HDRLEN + kRecord.size()), true).payloads[0],
            kRecord);
  EXPECT_EQ(Read(Message(AUDIT_PATH, kRecord, kRecord.size()), false).payloads[0], kRecord);
}

TEST(DatagramReader, ShortPayloadBelowHeaderSize) {
  // A payload shorter than a header: nlmsg_len < NLMSG_HDRLEN must not look malformed.
  auto s = Read(Message(AUDIT_EOE, "audit(1.2:3): ", 14), true);
  ASSERT_EQ(s.payloads.size(), 1u);
  EXPECT_EQ(s.payloads[0], "audit(1.2:3): ");  // only NULs and newlines are stripped
}

TEST(DatagramReader, StripsTrailingNulAndNewline) {
  std::string body = kRecord + std::string("\n\0\0", 3);
  auto s = Read(Message(AUDIT_CWD, body, body.size()), true);
  ASSERT_EQ(s.payloads.size(), 1u);
  EXPECT_EQ(s.payloads[0], kRecord);
}

TEST(DatagramReader, NeverReadsPastTheDatagram) {
  // A length field larger than the datagram is clamped to it.
  auto s = Read(Message(AUDIT_SYSCALL, kRecord, 60000), false);
  ASSERT_EQ(s.payloads.size(), 1u);
  EXPECT_EQ(s.payloads[0], kRecord);
  // A datagram shorter than a header is malformed.
  auto t = Read(std::string("abc"), true);
  EXPECT_TRUE(t.payloads.empty());
  EXPECT_TRUE(t.malformed);
}

TEST(DatagramReader, SeveralFullLengthMessages) {
  std::string a = "audit(1.2:3): a=1";
  std::string b = "audit(1.2:3): b=22";
  std::string first = Message(AUDIT_SYSCALL, a, NLMSG_HDRLEN + a.size());
  first.resize(NLMSG_ALIGN(first.size()), '\0');
  std::string datagram = first + Message(AUDIT_PATH, b, NLMSG_HDRLEN + b.size());
  auto s = Read(datagram, false);
  ASSERT_EQ(s.payloads.size(), 2u);
  EXPECT_EQ(s.payloads[0], a);
  EXPECT_EQ(s.types[1], AUDIT_PATH);
  EXPECT_EQ(s.payloads[1], b);
}

TEST(DatagramReader, ControlReplies) {
  EXPECT_TRUE(IsAuditControlReply(NLMSG_ERROR));
  EXPECT_TRUE(IsAuditControlReply(NLMSG_DONE));
  EXPECT_TRUE(IsAuditControlReply(AUDIT_GET));
  EXPECT_TRUE(IsAuditControlReply(AUDIT_REPLACE));
  EXPECT_FALSE(IsAuditControlReply(AUDIT_SYSCALL));
  EXPECT_FALSE(IsAuditControlReply(AUDIT_LOGIN));
  EXPECT_FALSE(IsAuditControlReply(AUDIT_USER));
  EXPECT_FALSE(IsAuditControlReply(AUDIT_EOE));
  // An ACK on a unicast socket uses the full-length convention.
  nlmsgerr err{};
  std::string body(reinterpret_cast<const char*>(&err), sizeof(err));
  auto s = Read(Message(NLMSG_ERROR, body, NLMSG_HDRLEN + body.size()), true);
  ASSERT_EQ(s.types.size(), 1u);
  EXPECT_EQ(s.types[0], NLMSG_ERROR);
}

// The guard runs before any socket is opened: these never reach the kernel.
TEST(SetKernelStatus, RefusesImmutable) {
  KernelStatus values;
  values.enabled = 2;
  std::string error;
  EXPECT_FALSE(SetKernelStatus(values, AUDIT_STATUS_ENABLED, &error));
  EXPECT_NE(error.find("enabled=2"), std::string::npos) << error;
}

TEST(SetKernelStatus, RefusesPanic) {
  KernelStatus values;
  values.failure = 2;
  std::string error;
  EXPECT_FALSE(SetKernelStatus(values, AUDIT_STATUS_FAILURE, &error));
  EXPECT_NE(error.find("failure=2"), std::string::npos) << error;
  // Also when combined with harmless fields: nothing at all is sent.
  values.backlog_limit = 64;
  EXPECT_FALSE(SetKernelStatus(values, AUDIT_STATUS_FAILURE | AUDIT_STATUS_BACKLOG_LIMIT, &error));
}

TEST(SetKernelStatus, RefusesOutOfRangeAndPid) {
  KernelStatus values;
  std::string error;
  values.enabled = 7;
  EXPECT_FALSE(SetKernelStatus(values, AUDIT_STATUS_ENABLED, &error));
  values = KernelStatus{};
  values.failure = 3;
  EXPECT_FALSE(SetKernelStatus(values, AUDIT_STATUS_FAILURE, &error));
  values = KernelStatus{};
  values.pid = 1;
  EXPECT_FALSE(SetKernelStatus(values, AUDIT_STATUS_PID, &error));
}

TEST(SetKernelStatus, EmptyMaskIsANoOp) {
  std::string error;
  EXPECT_TRUE(SetKernelStatus(KernelStatus{}, 0, &error));
}

struct CountingHandler : RecordHandler {
  int records = 0;
  void OnRecord(uint16_t, std::string_view) override { ++records; }
};

// A process that knows the agent's port must not be able to feed it forged records.
TEST(AuditNetlink, RefusesDatagramsFromOtherProcesses) {
  std::string error;
  auto receiver = AuditNetlink::Open(AuditNetlink::Mode::kUnicast, 0, &error);
  if (!receiver) GTEST_SKIP() << "no NETLINK_AUDIT socket here: " << error;
  sockaddr_nl own{};
  socklen_t own_len = sizeof(own);
  ASSERT_EQ(getsockname(receiver->fd(), reinterpret_cast<sockaddr*>(&own), &own_len), 0);
  ASSERT_NE(own.nl_pid, 0u);

  int forger = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  ASSERT_GE(forger, 0);
  std::string forged = Message(AUDIT_SYSCALL, kRecord, kRecord.size());
  sockaddr_nl to{};
  to.nl_family = AF_NETLINK;
  to.nl_pid = own.nl_pid;
  ssize_t sent = sendto(forger, forged.data(), forged.size(), 0, reinterpret_cast<sockaddr*>(&to),
                        sizeof(to));
  int sent_errno = errno;
  close(forger);
  EXPECT_EQ(sent, -1);
  EXPECT_EQ(sent_errno, ECONNREFUSED);

  CountingHandler handler;
  EXPECT_EQ(receiver->ReceiveBatch(handler, &error), 0) << error;
  EXPECT_EQ(handler.records, 0);
}

}  // namespace
}  // namespace auditlens
