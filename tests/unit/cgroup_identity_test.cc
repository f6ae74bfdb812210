// src/enrich/cgroup_identity: container, pod and systemd unit from /proc/PID/cgroup text. Lines
// as the runtimes write them (cgroup v2, v1 and hybrid), the files captured on this machine
// (tests/data/cgroup/, README.md there), and hostile text.
#include "enrich/cgroup_identity.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace auditlens {
namespace {

const std::string kId = "4c5e3b8f1a2d6e7f90817263544536271809a0b1c2d3e4f5a6b7c8d9e0f1a2b3";
const std::string kId2 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kPod = "5f0e9a3c-8b1d-4e2f-9a6b-7c8d9e0f1a2b";
const std::string kPodUnderscores = "5f0e9a3c_8b1d_4e2f_9a6b_7c8d9e0f1a2b";

CgroupIdentity Parse(const std::string& text) {
  CgroupIdentity identity;
  EXPECT_TRUE(ParseCgroupFile(text, &identity)) << text;
  return identity;
}

// A cgroup v2 file: the unified line alone.
std::string V2(const std::string& path) { return "0::" + path + "\n"; }

// A hybrid file as systemd's hybrid mode writes it: every v1 controller and name=systemd in the
// same place, and the unified line.
std::string Hybrid(const std::string& path) {
  std::string text;
  const char* controllers[] = {"12:name=systemd", "11:memory",  "10:pids",     "9:cpu,cpuacct",
                               "8:blkio",         "7:devices",  "6:freezer",   "5:net_cls,net_prio",
                               "4:perf_event",    "3:hugetlb",  "2:cpuset",    "1:rdma"};
  for (const char* c : controllers) text += std::string(c) + ":" + path + "\n";
  text += "0::" + path + "\n";
  return text;
}

// A pure v1 file (no unified line).
std::string V1(const std::string& path) {
  return "11:memory:" + path + "\n10:pids:" + path + "\n9:cpu,cpuacct:" + path +
         "\n1:name=systemd:" + path + "\n";
}

void ExpectContainer(const CgroupIdentity& got, ContainerRuntime runtime, const std::string& id,
                     const std::string& pod = "", const std::string& service = "") {
  EXPECT_EQ(ContainerRuntimeName(got.runtime), ContainerRuntimeName(runtime));
  EXPECT_EQ(got.container_id, id);
  EXPECT_EQ(got.pod_uid, pod);
  EXPECT_EQ(got.service, service);
  EXPECT_EQ(got.skipped_lines, 0u);
}

// Every path in v2, hybrid and v1 shape gives the same identity.
void ExpectEveryShape(const std::string& path, ContainerRuntime runtime, const std::string& id,
                      const std::string& pod = "", const std::string& service = "") {
  SCOPED_TRACE(path);
  for (const std::string& text : {V2(path), Hybrid(path), V1(path)}) {
    SCOPED_TRACE(text);
    ExpectContainer(Parse(text), runtime, id, pod, service);
  }
}

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(AUDITLENS_TEST_DATA) + "/cgroup/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(CgroupRuntimeName, EcsValues) {
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kNone), "");
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kDocker), "docker");
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kContainerd), "containerd");
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kCriO), "cri-o");
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kPodman), "podman");
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kLxc), "lxc");
  EXPECT_EQ(ContainerRuntimeName(ContainerRuntime::kNspawn), "systemd-nspawn");
}

TEST(CgroupDocker, CgroupfsAndSystemdDrivers) {
  ExpectEveryShape("/docker/" + kId, ContainerRuntime::kDocker, kId);
  ExpectEveryShape("/system.slice/docker-" + kId + ".scope", ContainerRuntime::kDocker, kId);
  // Sub-cgroups below the container are inside it.
  ExpectEveryShape("/system.slice/docker-" + kId + ".scope/init.scope", ContainerRuntime::kDocker,
                   kId);
  ExpectEveryShape("/docker/" + kId + "/payload", ContainerRuntime::kDocker, kId);
}

TEST(CgroupDocker, DockerdItselfIsAService) {
  ExpectEveryShape("/system.slice/docker.service", ContainerRuntime::kNone, "", "",
                   "docker.service");
  // A bare id not below docker or a kubepods pod is not taken as a container.
  ExpectEveryShape("/somewhere/" + kId, ContainerRuntime::kNone, "");
}

TEST(CgroupContainerd, KubepodsSystemdDriverEveryQos) {
  for (const std::string qos : {"besteffort", "burstable"}) {
    ExpectEveryShape("/kubepods.slice/kubepods-" + qos + ".slice/kubepods-" + qos + "-pod" +
                         kPodUnderscores + ".slice/cri-containerd-" + kId + ".scope",
                     ContainerRuntime::kContainerd, kId, kPod);
  }
  // Guaranteed pods have no QoS slice.
  ExpectEveryShape("/kubepods.slice/kubepods-pod" + kPodUnderscores + ".slice/cri-containerd-" +
                       kId + ".scope",
                   ContainerRuntime::kContainerd, kId, kPod);
}

TEST(CgroupContainerd, KubepodsCgroupfsDriverEveryQos) {
  ExpectEveryShape("/kubepods/besteffort/pod" + kPod + "/" + kId, ContainerRuntime::kContainerd,
                   kId, kPod);
  ExpectEveryShape("/kubepods/burstable/pod" + kPod + "/" + kId, ContainerRuntime::kContainerd,
                   kId, kPod);
  ExpectEveryShape("/kubepods/pod" + kPod + "/" + kId, ContainerRuntime::kContainerd, kId, kPod);
  // A static pod's uid is 32 hex digits.
  const std::string static_pod = "0d7c0a94d1c1e2f3a4b5c6d7e8f90a1b";
  ExpectEveryShape("/kubepods/burstable/pod" + static_pod + "/" + kId,
                   ContainerRuntime::kContainerd, kId, static_pod);
}

TEST(CgroupContainerd, UnexpandedSystemdCgroupsPath) {
  // containerd running with the cgroupfs driver while the kubelet asks for systemd's
  // "slice:prefix:name": the whole string becomes one directory below containerd.service.
  ExpectEveryShape("/system.slice/containerd.service/kubepods-burstable-pod" + kPodUnderscores +
                       ".slice:cri-containerd:" + kId,
                   ContainerRuntime::kContainerd, kId, kPod, "containerd.service");
  ExpectEveryShape("/kubepods-besteffort-pod" + kPodUnderscores + ".slice:crio:" + kId,
                   ContainerRuntime::kCriO, kId, kPod);
  // An unknown prefix, or no id, is not a container.
  ExpectEveryShape("/system.slice/containerd.service/x.slice:runc:" + kId, ContainerRuntime::kNone,
                   "", "", "containerd.service");
  ExpectEveryShape("/system.slice/containerd.service/x.slice:cri-containerd:abc",
                   ContainerRuntime::kNone, "", "", "containerd.service");
}

TEST(CgroupContainerd, DaemonAndShimsAreItsService) {
  ExpectEveryShape("/system.slice/containerd.service", ContainerRuntime::kNone, "", "",
                   "containerd.service");
}

TEST(CgroupContainerd, DockerScopeInKubepodsIsDocker) {
  // dockershim with the systemd driver.
  ExpectEveryShape("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" +
                       kPodUnderscores + ".slice/docker-" + kId + ".scope",
                   ContainerRuntime::kDocker, kId, kPod);
}

TEST(CgroupNested, OutermostContainerWins) {
  // docker-in-docker inside a pod: the host's runtime knows the pod's container.
  ExpectEveryShape("/kubepods/besteffort/pod" + kPod + "/" + kId + "/docker/" + kId2,
                   ContainerRuntime::kContainerd, kId, kPod);
  // kind: a Kubernetes node in a docker container.
  ExpectEveryShape("/docker/" + kId + "/kubepods/besteffort/pod" + kPod + "/" + kId2,
                   ContainerRuntime::kDocker, kId);
  ExpectEveryShape("/system.slice/docker-" + kId + ".scope/docker/" + kId2,
                   ContainerRuntime::kDocker, kId);
}

TEST(CgroupCriO, SystemdAndCgroupfs) {
  ExpectEveryShape("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                       kPodUnderscores + ".slice/crio-" + kId + ".scope",
                   ContainerRuntime::kCriO, kId, kPod);
  ExpectEveryShape("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                       kPodUnderscores + ".slice/crio-" + kId + ".scope/container",
                   ContainerRuntime::kCriO, kId, kPod);
  ExpectEveryShape("/kubepods/burstable/pod" + kPod + "/crio-" + kId, ContainerRuntime::kCriO, kId,
                   kPod);
}

TEST(CgroupCriO, ConmonIsTheMonitorNotTheContainer) {
  ExpectEveryShape("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" +
                       kPodUnderscores + ".slice/crio-conmon-" + kId + ".scope",
                   ContainerRuntime::kNone, "", kPod, "crio-conmon-" + kId + ".scope");
  ExpectEveryShape("/kubepods/besteffort/pod" + kPod + "/crio-conmon-" + kId,
                   ContainerRuntime::kNone, "", kPod);
  // conmon_cgroup = "system.slice" (CRI-O's default).
  ExpectEveryShape("/system.slice/crio-conmon-" + kId + ".scope", ContainerRuntime::kNone, "", "",
                   "crio-conmon-" + kId + ".scope");
}

TEST(CgroupPodman, RootfulRootlessAndCgroupfs) {
  ExpectEveryShape("/machine.slice/libpod-" + kId + ".scope", ContainerRuntime::kPodman, kId);
  ExpectEveryShape("/machine.slice/libpod-" + kId + ".scope/container", ContainerRuntime::kPodman,
                   kId);
  ExpectEveryShape("/libpod_parent/libpod-" + kId, ContainerRuntime::kPodman, kId);
  // A podman pod's slice.
  ExpectEveryShape("/machine.slice/machine-libpod_pod_" + kId2 + ".slice/libpod-" + kId + ".scope",
                   ContainerRuntime::kPodman, kId);
  // Rootless: the user's manager is the host's unit holding it.
  ExpectEveryShape("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId +
                       ".scope/container",
                   ContainerRuntime::kPodman, kId, "", "user@1000.service");
}

TEST(CgroupPodman, SplitCgroupsOfAQuadletUnit) {
  // podman run --cgroups=split (quadlet's default): the payload and conmon's runtime/ below the
  // unit that runs podman, which is the container's service.
  ExpectEveryShape("/system.slice/nginx.service/libpod-payload-" + kId, ContainerRuntime::kPodman,
                   kId, "", "nginx.service");
  ExpectEveryShape("/system.slice/nginx.service/runtime", ContainerRuntime::kNone, "", "",
                   "nginx.service");
  ExpectEveryShape("/user.slice/user-1000.slice/user@1000.service/app.slice/redis.service/"
                   "libpod-payload-" + kId,
                   ContainerRuntime::kPodman, kId, "", "redis.service");
  ExpectEveryShape("/system.slice/nginx.service/libpod-payload-" + kId.substr(1),
                   ContainerRuntime::kNone, "", "", "nginx.service");
}

TEST(CgroupPodman, ConmonIsTheMonitorNotTheContainer) {
  ExpectEveryShape("/machine.slice/libpod-conmon-" + kId + ".scope", ContainerRuntime::kNone, "",
                   "", "libpod-conmon-" + kId + ".scope");
  ExpectEveryShape("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-conmon-" + kId +
                       ".scope",
                   ContainerRuntime::kNone, "", "", "libpod-conmon-" + kId + ".scope");
  // cgroupfs: conmon sits beside the containers.
  ExpectEveryShape("/libpod_parent/conmon", ContainerRuntime::kNone, "");
}

TEST(CgroupLxc, PayloadFormsAndMonitor) {
  ExpectEveryShape("/lxc.payload.web-01", ContainerRuntime::kLxc, "web-01");
  ExpectEveryShape("/lxc.payload.web-01/init.scope", ContainerRuntime::kLxc, "web-01");
  // Units of the container's own systemd are inside it, not the host's service.
  ExpectEveryShape("/lxc.payload.mail/system.slice/postfix.service", ContainerRuntime::kLxc,
                   "mail");
  ExpectEveryShape("/lxc.payload/web-01", ContainerRuntime::kLxc, "web-01");
  ExpectEveryShape("/lxc/web-01", ContainerRuntime::kLxc, "web-01");
  ExpectEveryShape("/lxc/web-01/system.slice/cron.service", ContainerRuntime::kLxc, "web-01");
  // The monitor is outside.
  ExpectEveryShape("/lxc.monitor.web-01", ContainerRuntime::kNone, "");
  ExpectEveryShape("/lxc.monitor/web-01", ContainerRuntime::kNone, "");
  // Started from a unit: the unit holds it.
  ExpectEveryShape("/system.slice/lxc@web.service/lxc.payload.web", ContainerRuntime::kLxc, "web",
                   "", "lxc@web.service");
  // "lxc" alone names nothing; "lxc.payload." with no name is not a container.
  ExpectEveryShape("/lxc", ContainerRuntime::kNone, "");
  ExpectEveryShape("/lxc.payload.", ContainerRuntime::kNone, "");
}

TEST(CgroupNspawn, MachineScopeUnescaped) {
  ExpectEveryShape("/machine.slice/machine-web.scope", ContainerRuntime::kNspawn, "web");
  ExpectEveryShape("/machine.slice/machine-my\\x2dbox.scope/payload", ContainerRuntime::kNspawn,
                   "my-box");
  ExpectEveryShape("/machine.slice/machine-my\\x2dbox.scope/payload/system.slice/nginx.service",
                   ContainerRuntime::kNspawn, "my-box");
  // The supervisor (systemd-nspawn itself) is outside the payload.
  ExpectEveryShape("/machine.slice/machine-my\\x2dbox.scope/supervisor", ContainerRuntime::kNone,
                   "", "", "machine-my\\x2dbox.scope");
  // libvirt's VMs register there too: not containers.
  ExpectEveryShape("/machine.slice/machine-qemu\\x2d1\\x2dvm1.scope", ContainerRuntime::kNone, "",
                   "", "machine-qemu\\x2d1\\x2dvm1.scope");
  // Only directly below machine.slice.
  ExpectEveryShape("/system.slice/machine-web.scope", ContainerRuntime::kNone, "", "",
                   "machine-web.scope");
  // An escape that decodes to a control character is not a name.
  ExpectEveryShape("/machine.slice/machine-a\\x0ab.scope", ContainerRuntime::kNone, "", "",
                   "machine-a\\x0ab.scope");
  // A backslash that is not an escape stays.
  ExpectEveryShape("/machine.slice/machine-a\\x2.scope", ContainerRuntime::kNspawn, "a\\x2");
}

TEST(CgroupService, CommonUnits) {
  ExpectEveryShape("/system.slice/sshd.service", ContainerRuntime::kNone, "", "", "sshd.service");
  ExpectEveryShape("/system.slice/cron.service", ContainerRuntime::kNone, "", "", "cron.service");
  ExpectEveryShape("/user.slice/user-1000.slice/session-3.scope", ContainerRuntime::kNone, "", "",
                   "session-3.scope");
  ExpectEveryShape("/system.slice/system-getty.slice/getty@tty1.service", ContainerRuntime::kNone,
                   "", "", "getty@tty1.service");
  ExpectEveryShape("/system.slice/systemd-fsck@dev-disk-by\\x2dlabel-data.service",
                   ContainerRuntime::kNone, "", "",
                   "systemd-fsck@dev-disk-by\\x2dlabel-data.service");
  // The innermost unit of a user's manager.
  ExpectEveryShape("/user.slice/user-1000.slice/user@1000.service/app.slice/x.service",
                   ContainerRuntime::kNone, "", "", "x.service");
  // The manager itself runs in its init.scope.
  ExpectEveryShape("/user.slice/user-1000.slice/user@1000.service/init.scope",
                   ContainerRuntime::kNone, "", "", "user@1000.service");
  // PID 1.
  ExpectEveryShape("/init.scope", ContainerRuntime::kNone, "", "", "init.scope");
  // A unit's own sub-cgroups (Delegate=yes) are skipped.
  ExpectEveryShape("/system.slice/foo.service/worker/a", ContainerRuntime::kNone, "", "",
                   "foo.service");
  // Slices only, the root, and names that only look like units.
  ExpectEveryShape("/user.slice", ContainerRuntime::kNone, "");
  ExpectEveryShape("/", ContainerRuntime::kNone, "");
  ExpectEveryShape("/system.slice/.service", ContainerRuntime::kNone, "");
  ExpectEveryShape("/system.slice/a b.service", ContainerRuntime::kNone, "");
  ExpectEveryShape("/system.slice/ok.service/a\"b.service", ContainerRuntime::kNone, "", "",
                   "ok.service");
  ExpectEveryShape("/system.slice/" + std::string(256 - 8, 'a') + ".service",
                   ContainerRuntime::kNone, "");
  ExpectEveryShape("/system.slice/" + std::string(255 - 8, 'a') + ".service",
                   ContainerRuntime::kNone, "", "", std::string(255 - 8, 'a') + ".service");
}

TEST(CgroupLines, V1ControllerLineWinsForTheContainer) {
  // Lines disagree: the first controller line that names a container wins.
  const std::string text = "12:name=systemd:/system.slice/sshd.service\n"
                           "11:memory:/docker/" + kId + "\n"
                           "10:pids:/docker/" + kId2 + "\n"
                           "0::/system.slice/sshd.service\n";
  ExpectContainer(Parse(text), ContainerRuntime::kDocker, kId, "", "sshd.service");
  // A controller line naming nothing does not stop the search.
  const std::string later = "11:memory:/\n10:pids:/system.slice/docker-" + kId2 + ".scope\n"
                            "1:name=systemd:/init.scope\n";
  ExpectContainer(Parse(later), ContainerRuntime::kDocker, kId2, "", "init.scope");
  // Controllers before named hierarchies before the unified line, whatever the file order.
  const std::string named = "12:name=systemd:/lxc.payload.a\n11:memory:/lxc.payload.b\n"
                            "0::/lxc.payload.c\n";
  ExpectContainer(Parse(named), ContainerRuntime::kLxc, "b");
  const std::string unified = "12:name=systemd:/\n11:memory:/\n0::/lxc.payload.c\n";
  ExpectContainer(Parse(unified), ContainerRuntime::kLxc, "c");
}

TEST(CgroupLines, ServiceFromNameSystemdElseUnified) {
  ExpectContainer(Parse("11:memory:/system.slice/a.service\n"
                        "1:name=systemd:/system.slice/b.service\n"
                        "0::/system.slice/c.service\n"),
                  ContainerRuntime::kNone, "", "", "b.service");
  ExpectContainer(Parse("11:memory:/system.slice/a.service\n0::/system.slice/c.service\n"),
                  ContainerRuntime::kNone, "", "", "c.service");
  // Pure v1 without systemd's hierarchy: no service.
  ExpectContainer(Parse("11:memory:/system.slice/a.service\n10:pids:/system.slice/a.service\n"),
                  ContainerRuntime::kNone, "");
}

TEST(CgroupLines, PodOfTheContainerLineElseTheFirstPod) {
  const std::string text = "11:memory:/kubepods/besteffort/pod" + kPod + "/crio-conmon-" + kId +
                           "\n1:name=systemd:/docker/" + kId2 + "\n";
  // The container's line names no pod: none (the conmon line's pod is another process's view).
  ExpectContainer(Parse(text), ContainerRuntime::kDocker, kId2);
  const std::string no_container = "11:memory:/\n10:pids:/kubepods/pod" + kPod + "\n";
  ExpectContainer(Parse(no_container), ContainerRuntime::kNone, "", kPod);
  // "pod..." is a pod only below kubepods, and only with a uid.
  ExpectEveryShape("/pod" + kPod, ContainerRuntime::kNone, "");
  ExpectEveryShape("/kubepods/besteffort/podnotauid", ContainerRuntime::kNone, "");
  ExpectEveryShape("/kubepods/besteffort/pod" + kPod.substr(1), ContainerRuntime::kNone, "");
}

TEST(CgroupCaptured, SelfShellOnThisMachine) {
  // memory:/process_api/<32 hex>: not a container id.
  ExpectContainer(Parse(ReadData("self.txt")), ContainerRuntime::kNone, "", "", "init.scope");
}

TEST(CgroupCaptured, RuntimeNamedTrees) {
  ExpectContainer(Parse(ReadData("docker_cgroupfs.txt")), ContainerRuntime::kDocker, kId);
  ExpectContainer(Parse(ReadData("docker_systemd.txt")), ContainerRuntime::kDocker, kId);
  ExpectContainer(Parse(ReadData("kubepods_systemd_containerd.txt")), ContainerRuntime::kContainerd,
                  kId, kPod);
  ExpectContainer(Parse(ReadData("kubepods_cgroupfs_crio_conmon.txt")), ContainerRuntime::kNone, "",
                  kPod);
  ExpectContainer(Parse(ReadData("podman_rootless.txt")), ContainerRuntime::kPodman, kId, "",
                  "user@1000.service");
  ExpectContainer(Parse(ReadData("lxc_payload.txt")), ContainerRuntime::kLxc, "web-01");
  ExpectContainer(Parse(ReadData("nspawn_payload.txt")), ContainerRuntime::kNspawn, "my-box");
  ExpectContainer(Parse(ReadData("user_service.txt")), ContainerRuntime::kNone, "", "",
                  "gpg-agent.service");
}

TEST(CgroupHostile, NotCgroupFiles) {
  CgroupIdentity identity;
  identity.service = "left over";
  for (const std::string& text :
       {std::string(), std::string("\n\n"), std::string("hello"), std::string("0:/docker"),
        std::string("0::docker/x"), std::string(":memory:/"), std::string("x:memory:/"),
        std::string("-1:memory:/"), std::string("12345678901:memory:/"),
        std::string("4294967296:memory:/"), std::string("0:memory:/"), std::string("4::/"),
        std::string("4:mem ory:/"), std::string("4:\"memory\":/"), std::string("0::"),
        std::string("0::/a\0b", 7)}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseCgroupFile(text, &identity));
    EXPECT_TRUE(identity.empty());
    EXPECT_TRUE(identity.container_id.empty());
    EXPECT_EQ(identity.skipped_lines, 0u);
    identity.service = "left over";
  }
}

TEST(CgroupHostile, IdsThatAreNotIds) {
  const std::string upper = "4C5E3B8F1A2D6E7F90817263544536271809A0B1C2D3E4F5A6B7C8D9E0F1A2B3";
  std::string non_hex = kId;
  non_hex[10] = 'g';
  for (const std::string& bad : {kId.substr(1), kId + "0", upper, non_hex, std::string()}) {
    SCOPED_TRACE(bad);
    ExpectEveryShape("/docker/" + bad, ContainerRuntime::kNone, "");
    // Still a unit name: the process's service.
    ExpectEveryShape("/system.slice/docker-" + bad + ".scope", ContainerRuntime::kNone, "", "",
                     "docker-" + bad + ".scope");
    ExpectEveryShape("/machine.slice/libpod-" + bad + ".scope", ContainerRuntime::kNone, "", "",
                     "libpod-" + bad + ".scope");
    ExpectEveryShape("/kubepods/besteffort/pod" + kPod + "/" + bad, ContainerRuntime::kNone, "",
                     kPod);
  }
  // docker's systemd form needs its .scope; cri-containerd too.
  ExpectEveryShape("/system.slice/docker-" + kId, ContainerRuntime::kNone, "");
  ExpectEveryShape("/system.slice/cri-containerd-" + kId, ContainerRuntime::kNone, "");
  ExpectEveryShape("/system.slice/docker-" + kId + ".scope.x", ContainerRuntime::kNone, "");
}

TEST(CgroupHostile, QuotesAndOddBytesInNames) {
  ExpectEveryShape("/lxc.payload.we\"b", ContainerRuntime::kLxc, "we\"b");
  ExpectEveryShape("/lxc.payload.caf\xc3\xa9", ContainerRuntime::kLxc, "caf\xc3\xa9");
  ExpectEveryShape("/lxc.payload.a\tb", ContainerRuntime::kNone, "");
  ExpectEveryShape("/lxc.payload.a\rb", ContainerRuntime::kNone, "");
  ExpectEveryShape("/lxc.payload." + std::string(255, 'n'), ContainerRuntime::kLxc,
                   std::string(255, 'n'));
  ExpectEveryShape("/lxc.payload." + std::string(256, 'n'), ContainerRuntime::kNone, "");
  ExpectEveryShape("/machine.slice/machine-\\x22q\\x22.scope", ContainerRuntime::kNspawn, "\"q\"");
  // A colon inside the path is part of it.
  ExpectEveryShape("/system.slice/a:b.service", ContainerRuntime::kNone, "", "", "a:b.service");
}

TEST(CgroupHostile, ForgedLinesAreSkipped) {
  // A cgroup named "x\n0::" (the kernel refuses it today) would print a second unified line after
  // the real one: out of order, skipped and counted.
  const std::string forged_unified = "0::/x\n0::/system.slice/docker-" + kId + ".scope\n";
  CgroupIdentity got;
  ASSERT_TRUE(ParseCgroupFile(forged_unified, &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kNone);
  EXPECT_EQ(got.skipped_lines, 1u);
  // After a v1 line: a higher or equal ID, or anything after the unified line.
  const std::string forged_v1 = "5:memory:/x\n9:name=systemd:/system.slice/evil.service\n"
                                "1:name=systemd:/system.slice/sshd.service\n0::/\n"
                                "3:pids:/docker/" + kId + "\n";
  ASSERT_TRUE(ParseCgroupFile(forged_v1, &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kNone);
  EXPECT_EQ(got.service, "sshd.service");
  EXPECT_EQ(got.skipped_lines, 2u);
  // Fragments without colons (what a line break leaves) are skipped; the rest is read.
  const std::string fragments = "11:memory:/docker/" + kId + "\nfragment/with/slashes\n\"quoted\"\n"
                                "0::/system.slice/a.service\n";
  ASSERT_TRUE(ParseCgroupFile(fragments, &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kDocker);
  EXPECT_EQ(got.container_id, kId);
  EXPECT_EQ(got.service, "a.service");
  EXPECT_EQ(got.skipped_lines, 2u);
}

TEST(CgroupHostile, NulBytesAndCarriageReturns) {
  const std::string with_nul = std::string("11:memory:/docker/") + kId + std::string("\0\n", 2) +
                               "0::/system.slice/a.service\n";
  CgroupIdentity got;
  ASSERT_TRUE(ParseCgroupFile(with_nul, &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kNone);
  EXPECT_EQ(got.service, "a.service");
  EXPECT_EQ(got.skipped_lines, 1u);
  // 63 hex digits and one other character: not an id.
  ExpectEveryShape("/docker/" + kId.substr(0, 63) + "x", ContainerRuntime::kNone, "");
  // CRLF: the '\r' stays in the path, so the last segment is no unit and no id.
  ASSERT_TRUE(ParseCgroupFile("0::/system.slice/docker-" + kId + ".scope\r\n", &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kNone);
  EXPECT_EQ(got.service, "");
}

TEST(CgroupHostile, LongPaths) {
  // 4 KiB: the longest path the kernel writes (4095 bytes) is read, one more is skipped.
  const std::string tail = "/docker/" + kId;
  const std::string longest = "/" + std::string(kMaxCgroupPath - 1 - tail.size(), 'a') + tail;
  ASSERT_EQ(longest.size(), kMaxCgroupPath);
  ExpectContainer(Parse("0::" + longest + "\n"), ContainerRuntime::kDocker, kId);
  CgroupIdentity got;
  const std::string too_long = "/a" + longest;
  ASSERT_TRUE(ParseCgroupFile("1:name=systemd:" + too_long + "\n0::/x.service\n", &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kNone);
  EXPECT_EQ(got.service, "x.service");
  EXPECT_EQ(got.skipped_lines, 1u);
  // Deep paths: 2000 segments.
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += "/a";
  ExpectContainer(Parse("0::" + deep.substr(0, kMaxCgroupPath - 20) + "/s.service\n"),
                  ContainerRuntime::kNone, "", "", "s.service");
  // 1 MiB in one line, and 1 MiB of lines: bounded, nothing read past the caps.
  const std::string mib_path(1 << 20, 'a');
  EXPECT_FALSE(ParseCgroupFile("0::/" + mib_path + "/docker/" + kId + "\n", &got));
  std::string many;
  while (many.size() < (1u << 20)) many += "0::/system.slice/docker-" + kId + ".scope\n";
  ASSERT_TRUE(ParseCgroupFile(many, &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kDocker);
  EXPECT_EQ(got.skipped_lines, kMaxCgroupLines - 1);
}

TEST(CgroupHostile, TextCutAtTheCapDropsTheCutLine) {
  // The line the cap cuts through is not read: its path would be shortened.
  std::string text = "1:name=systemd:/" + std::string(kMaxCgroupFileBytes, 'a') + "\n";
  CgroupIdentity got;
  EXPECT_FALSE(ParseCgroupFile(text, &got));
  std::string padded = "5:memory:/\n";
  while (padded.size() < kMaxCgroupFileBytes - 40) padded += "\n";
  padded += "0::/system.slice/docker-" + kId + ".scope\n";  // crosses the cap
  ASSERT_GT(padded.size(), kMaxCgroupFileBytes);
  ASSERT_TRUE(ParseCgroupFile(padded, &got));
  EXPECT_EQ(got.runtime, ContainerRuntime::kNone);
  EXPECT_EQ(got.skipped_lines, 0u);
}

}  // namespace
}  // namespace auditlens
