// Which container and which systemd unit a process belongs to, read from the text of its
// /proc/PID/cgroup (the kernel has no container id of its own: NOTES.md). Pure: the caller reads
// the file; this only parses it. Becomes ECS container.id, container.runtime, orchestrator's pod
// uid and service.name.
//
// The file: one line per hierarchy, "hierarchy-ID:controller-list:cgroup-path". cgroup v1 lines
// have an ID > 0 and controllers ("4:memory:/...", "9:name=systemd:/..."); the unified (v2) line
// is "0::/...". A v2 host has only the 0:: line, a v1 or hybrid host v1 lines and maybe a 0:: line.
// The kernel writes the lines newest hierarchy first, so IDs strictly decrease and 0:: is last
// (kernel/cgroup: roots are added at the head of the roots list, IDs are allocated cyclically).
//
// Which line is trusted:
//   container and pod: v1 controller lines in file order, then named v1 hierarchies
//     (name=systemd, ...), then 0::; the first line that names a container wins (so when lines
//     disagree, the first controller line does). With no container anywhere, the pod of the first
//     line in that order that names one.
//   service: the name=systemd line, else the 0:: line (a v1 host without either has no service).
// On one line, the outermost container wins (a docker inside a kubepods container, kind's nodes,
// docker-in-docker: the host's runtime knows the outer one); what lies below its segment
// (/init.scope, /container, /payload, a nested runtime) is inside it.
//
// Container segments (64 lowercase hex ids; exactly 64, else not an id):
//   docker      /docker/<id> (cgroupfs driver), docker-<id>.scope (systemd driver)
//   containerd  cri-containerd-<id>.scope (systemd); a bare <id> below a kubepods pod (cgroupfs:
//               /kubepods[/<qos>]/pod<uid>/<id>; dockershim wrote the same before Kubernetes 1.24,
//               it is taken as containerd); "<pod>.slice:cri-containerd:<id>", the runtime's
//               systemd cgroupsPath left unexpanded when containerd runs with the cgroupfs driver
//               (seen below /system.slice/containerd.service); likewise ":crio:" and ":docker:"
//   cri-o       crio-<id>.scope (systemd), crio-<id> (cgroupfs)
//   podman      libpod-<id>.scope (machine.slice, or a rootless user's user@UID.service),
//               libpod-<id> (cgroupfs: /libpod_parent/libpod-<id>), libpod-payload-<id>
//               (--cgroups=split, quadlet's default: below the unit that runs podman, whose
//               runtime/ sub-cgroup holds conmon)
//   lxc         /lxc.payload.<name> (LXC 4+), /lxc.payload/<name>, /lxc/<name> (LXC 1-3)
//   nspawn      machine-<name>.scope directly below machine.slice; the name unescaped (systemd
//               writes "my-box" as my\x2dbox); qemu-* machines are libvirt VMs, not containers
// Monitors are outside their container: crio-conmon-<id>, libpod-conmon-<id>(.scope),
// /lxc.monitor.<name>, /lxc.monitor/<name> and nspawn's machine-<name>.scope/supervisor name no
// container (and nothing below them does); a monitor's own scope is its service.
// Container names (lxc, nspawn) are 1..255 bytes without control characters, else not a container.
//
// Pod uid: a segment pod<uid> below a kubepods segment (cgroupfs), kubepods[-<qos>]-pod<uid>.slice
// (systemd, which writes '-' as '_': restored), or the pod slice of the colon form; a uid is 36
// characters 8-4-4-4-12 lowercase hex, or 32 lowercase hex (static pods).
//
// Service: on the service line, the last segment that is a unit name (*.service or *.scope, only
// [A-Za-z0-9:_.@\-] characters, at most 255 bytes) above the container's segment, or in the whole
// path when the line names no container. The unit as systemd spells it, escapes included. Slices
// and sub-cgroups a unit made itself (/system.slice/foo.service/worker) are skipped. So:
//   /system.slice/sshd.service                                        sshd.service
//   /user.slice/user-1000.slice/session-3.scope                        session-3.scope
//   /user.slice/user-1000.slice/user@1000.service/app.slice/x.service  x.service (the innermost)
//   .../user@1000.service/init.scope (the user's manager)              user@1000.service: a
//     nested init.scope gives its enclosing unit; a top-level /init.scope is PID 1's: init.scope
//   rootless podman .../user@1000.service/user.slice/libpod-<id>.scope user@1000.service
//   quadlet /system.slice/nginx.service/libpod-payload-<id>            nginx.service
//   /system.slice/docker-<id>.scope, kubepods                          none (only slices above)
//   /machine.slice/libpod-conmon-<id>.scope                            libpod-conmon-<id>.scope
//
// Hostile text (cgroup names are chosen by whoever may create cgroups): a line that is not
// "decimal ID:controllers:/path" is skipped; so is a line whose ID does not decrease from the
// previous line's (a line break inside a cgroup name could forge a following line; the kernel
// here refuses such names, mkdir fails with EINVAL, but the text is not trusted to come from
// one). Paths longer than the kernel can write (4095 bytes) are skipped. Only the first
// kMaxCgroupFileBytes and kMaxCgroupLines non-empty lines are looked at; a line the byte cap cuts
// is dropped. Work is linear in what is looked at; nothing throws; the only allocations are the
// output's strings. Anyone who may create cgroups can still name one docker-<id>.scope: the
// answer says where the process is, not who put it there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

enum class ContainerRuntime : uint8_t {
  kNone,
  kDocker,
  kContainerd,
  kCriO,
  kPodman,
  kLxc,
  kNspawn,
};

// The ECS container.runtime value: "docker", "containerd", "cri-o", "podman", "lxc",
// "systemd-nspawn"; "" for kNone.
std::string_view ContainerRuntimeName(ContainerRuntime runtime);

struct CgroupIdentity {
  ContainerRuntime runtime = ContainerRuntime::kNone;
  // 64 lowercase hex for docker, containerd, cri-o and podman; the container's name for lxc and
  // nspawn. Empty when the process is in no container (runtime kNone).
  std::string container_id;
  // Kubernetes pod uid with its dashes; empty when not below kubepods.
  std::string pod_uid;
  // The systemd unit (see above); empty when there is none.
  std::string service;
  // Lines skipped as not cgroup lines or out of order (for a status counter); 0 for a real file.
  uint32_t skipped_lines = 0;

  bool empty() const {
    return runtime == ContainerRuntime::kNone && pod_uid.empty() && service.empty();
  }
};

constexpr size_t kMaxCgroupFileBytes = 256 * 1024;
constexpr size_t kMaxCgroupLines = 64;
constexpr size_t kMaxCgroupPath = 4095;

// Parses a whole /proc/PID/cgroup text. Returns false, with *out reset to {}, when no line is a
// cgroup line (empty text included); true otherwise, with *out filled (possibly all empty: "0::/").
bool ParseCgroupFile(std::string_view text, CgroupIdentity* out);

}  // namespace auditlens
