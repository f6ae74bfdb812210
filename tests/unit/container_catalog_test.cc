// enrich/container_state and enrich/container_catalog: a container's name, image and pod from the
// runtimes' own files (the real ones captured in tests/data/containers/, README.md there) and API
// socket, on the catalog's thread; hostile and broken state; a socket that never answers.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "enrich/container_catalog.h"
#include "enrich/container_state.h"

namespace auditlens {
namespace {

namespace fs = std::filesystem;

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(AUDITLENS_TEST_DATA) + "/containers/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr char kDockerId[] = "5a780610007f76cdc3182feebdad37e660c5819f132525f4dc19b6a17556847c";
constexpr char kPodmanId[] = "96fedb55b2d62b4aff3a02f7dc64ddcdef1ef655ee99c6193ce115b70983dacd";

TEST(ContainerState, DockerConfigNamesTheContainerAndItsPod) {
  ContainerDetails d;
  ASSERT_TRUE(ParseDockerInspect(ReadData("docker-config.v2.json"), &d));
  // The kubelet's label names the container: it beats docker's own name.
  EXPECT_EQ(d.name, "web");
  EXPECT_EQ(d.image, "localhost/auditlens-busybox:test");
  EXPECT_EQ(d.image_name(), "localhost/auditlens-busybox");
  EXPECT_EQ(d.image_tag(), "test");
  EXPECT_EQ(d.pod_name, "web-0");
  EXPECT_EQ(d.pod_namespace, "shop");
  EXPECT_EQ(d.pod_uid, "3f1c2a8e-5b7d-4e0a-9c61-2d8f4b7a9e10");
}

TEST(ContainerState, DockerApiAnswerReadsLikeItsStateFile) {
  ContainerDetails from_file, from_api;
  ASSERT_TRUE(ParseDockerInspect(ReadData("docker-config.v2.json"), &from_file));
  ASSERT_TRUE(ParseDockerInspect(ReadData("docker-api-container.json"), &from_api));
  EXPECT_EQ(from_api.image, from_file.image);
  EXPECT_EQ(from_api.pod_name, from_file.pod_name);
}

TEST(ContainerState, DockerNameLosesItsSlash) {
  ContainerDetails d;
  ASSERT_TRUE(ParseDockerInspect(R"({"Name":"/db","Config":{"Image":"postgres:16"}})", &d));
  EXPECT_EQ(d.name, "db");
  EXPECT_EQ(d.image_name(), "postgres");
}

TEST(ContainerState, PodmanStorageNamesTheContainerAndImage) {
  ContainerDetails d;
  bool listed = false;
  std::string image_id;
  ASSERT_TRUE(ParseStorageContainers(ReadData("podman-containers.json"), kPodmanId, &d, &listed,
                                     &image_id));
  EXPECT_TRUE(listed);
  EXPECT_EQ(d.name, "auditlens-capture-podman");
  EXPECT_EQ(d.image, "localhost/auditlens-busybox:test");
  // Another id is a good file without that container.
  ContainerDetails other;
  ASSERT_TRUE(ParseStorageContainers(ReadData("podman-containers.json"), kDockerId, &other,
                                     &listed, &image_id));
  EXPECT_FALSE(listed);
  EXPECT_TRUE(other.name.empty());
}

TEST(ContainerState, ImageIdIsNamedFromImagesJson) {
  ContainerDetails d;
  bool listed = false;
  std::string image_id;
  ASSERT_TRUE(ParseStorageContainers(R"([{"id":"c1","names":["x"],"image":"i1","metadata":"{}"}])",
                                     "c1", &d, &listed, &image_id));
  EXPECT_EQ(image_id, "i1");
  ASSERT_TRUE(ParseStorageImages(R"([{"id":"i0","names":["a:1"]},{"id":"i1","names":["b:2"]}])",
                                 image_id, &d));
  EXPECT_EQ(d.image, "b:2");
}

TEST(ContainerState, PodmanOwnConfigIsNotAPod) {
  ContainerDetails d;
  ASSERT_TRUE(ParseOciAnnotations(ReadData("podman-userdata-config.json"), &d));
  EXPECT_TRUE(d.name.empty());
  EXPECT_TRUE(d.pod_name.empty());
  EXPECT_TRUE(d.image.empty());
  ASSERT_TRUE(ParseOciAnnotations(ReadData("docker-containerd-bundle-config.json"), &d));
  EXPECT_TRUE(d.name.empty());
}

TEST(ContainerState, CriAnnotationsOfContainerdAndCriO) {
  ContainerDetails containerd;
  ASSERT_TRUE(ParseOciAnnotations(R"({"annotations":{
      "io.kubernetes.cri.container-type":"container","io.kubernetes.cri.container-name":"api",
      "io.kubernetes.cri.sandbox-name":"api-5f7","io.kubernetes.cri.sandbox-namespace":"prod",
      "io.kubernetes.cri.sandbox-uid":"u-1","io.kubernetes.cri.image-name":"registry.local:5000/api:v3"}})",
                                  &containerd));
  EXPECT_EQ(containerd.name, "api");
  EXPECT_EQ(containerd.pod_name, "api-5f7");
  EXPECT_EQ(containerd.pod_namespace, "prod");
  EXPECT_EQ(containerd.pod_uid, "u-1");
  // A registry's port is not a tag.
  EXPECT_EQ(containerd.image_name(), "registry.local:5000/api");
  EXPECT_EQ(containerd.image_tag(), "v3");
  ContainerDetails crio;
  ASSERT_TRUE(ParseOciAnnotations(R"({"annotations":{"io.kubernetes.container.name":"c",
      "io.kubernetes.pod.name":"p","io.kubernetes.pod.namespace":"n","io.kubernetes.pod.uid":"u",
      "io.kubernetes.cri-o.ImageName":"quay.io/x/y@sha256:abcd"}})",
                                  &crio));
  EXPECT_EQ(crio.name, "c");
  EXPECT_EQ(crio.pod_namespace, "n");
  EXPECT_EQ(crio.image_name(), "quay.io/x/y");
  EXPECT_EQ(crio.image_tag(), "");
}

TEST(ContainerState, HostileTextIsRefusedOrBounded) {
  ContainerDetails d;
  EXPECT_FALSE(ParseDockerInspect("", &d));
  EXPECT_FALSE(ParseDockerInspect("not json", &d));
  EXPECT_FALSE(ParseDockerInspect("[1,2]", &d));
  EXPECT_FALSE(ParseDockerInspect(std::string(100000, '['), &d));  // nesting past the bound
  bool listed = true;
  EXPECT_FALSE(ParseStorageContainers("{}", "x", &d, &listed, nullptr));
  EXPECT_FALSE(ParseOciAnnotations("[]", &d));
  EXPECT_TRUE(d.name.empty());
  // A 4 KiB name with a newline and quotes is kept as text, cut to the bound.
  std::string name = "a\"b\nc" + std::string(4096, 'x');
  std::string text = R"({"Name":"/)" + std::string("a\\\"b\\nc") + std::string(4096, 'x') +
                     R"(","Config":{"Image":"i"}})";
  ASSERT_TRUE(ParseDockerInspect(text, &d));
  EXPECT_EQ(d.name.size(), kMaxContainerText);
  EXPECT_EQ(d.name.substr(0, 5), name.substr(0, 5));
}

// A state tree in a temporary directory, laid out as the runtimes lay theirs out.
class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("auditlens-catalog-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    options_.docker_root = (root_ / "docker").string();
    options_.docker_socket = (root_ / "docker.sock").string();
    options_.containers_storage = (root_ / "storage").string();
    options_.podman_socket = (root_ / "podman.sock").string();
    options_.containerd_state = (root_ / "containerd").string();
    options_.rootless_storage = false;
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const fs::path& rel, const std::string& text) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << text;
  }
  static CgroupIdentity Identity(ContainerRuntime runtime, const std::string& id) {
    CgroupIdentity c;
    c.runtime = runtime;
    c.container_id = id;
    return c;
  }
  // Asks, lets the worker answer, asks again.
  std::shared_ptr<const ContainerDetails> Resolve(ContainerCatalog& catalog,
                                                  const CgroupIdentity& c) {
    EXPECT_EQ(catalog.Find(c, 0, 1000), nullptr);  // not known yet: the id alone
    catalog.Drain();
    return catalog.Find(c, 0, 1001);
  }

  fs::path root_;
  ContainerCatalogOptions options_;
};

TEST_F(CatalogTest, DockerFromItsStateFile) {
  Write(fs::path("docker/containers") / kDockerId / "config.v2.json",
        ReadData("docker-config.v2.json"));
  ContainerCatalog catalog(options_);
  auto d = Resolve(catalog, Identity(ContainerRuntime::kDocker, kDockerId));
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->source, "docker-state");
  EXPECT_EQ(d->pod_name, "web-0");
  EXPECT_EQ(catalog.counts().found, 1u);
}

TEST_F(CatalogTest, PodmanAndCriOFromContainersStorage) {
  Write("storage/overlay-containers/containers.json", ReadData("podman-containers.json"));
  Write("storage/vfs-containers/containers.json",
        R"([{"id":"c2","names":["k8s_c_p"],"image":"i2","metadata":"{\"pod-name\":\"p\"}"}])");
  Write("storage/vfs-images/images.json", R"([{"id":"i2","names":["quay.io/app:1"]}])");
  Write("storage/vfs-containers/c2/userdata/config.json",
        R"({"annotations":{"io.kubernetes.container.name":"c","io.kubernetes.pod.namespace":"n"}})");
  ContainerCatalog catalog(options_);
  auto podman = Resolve(catalog, Identity(ContainerRuntime::kPodman, kPodmanId));
  ASSERT_NE(podman, nullptr);
  EXPECT_EQ(podman->name, "auditlens-capture-podman");
  EXPECT_EQ(podman->image, "localhost/auditlens-busybox:test");
  EXPECT_EQ(podman->source, "podman-state");
  auto crio = Resolve(catalog, Identity(ContainerRuntime::kCriO, "c2"));
  ASSERT_NE(crio, nullptr);
  EXPECT_EQ(crio->name, "c");
  EXPECT_EQ(crio->image, "quay.io/app:1");
  EXPECT_EQ(crio->pod_name, "p");
  EXPECT_EQ(crio->pod_namespace, "n");
  EXPECT_EQ(crio->source, "crio-state");
}

TEST_F(CatalogTest, ContainerdFromItsBundleInAnyNamespace) {
  Write("containerd/io.containerd.runtime.v2.task/k8s.io/abc/config.json",
        R"({"annotations":{"io.kubernetes.cri.container-name":"api",
            "io.kubernetes.cri.image-name":"api:v3","io.kubernetes.cri.sandbox-name":"api-0"}})");
  ContainerCatalog catalog(options_);
  auto d = Resolve(catalog, Identity(ContainerRuntime::kContainerd, "abc"));
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "api");
  EXPECT_EQ(d->pod_name, "api-0");
  EXPECT_EQ(d->source, "containerd-state");
}

TEST_F(CatalogTest, BrokenStateIsCountedAndNotFound) {
  Write(fs::path("docker/containers/bad/config.v2.json"), "{\"Name\": ");  // cut short
  Write("storage/overlay-containers/containers.json", "\x01\x02 not json");
  ContainerCatalog catalog(options_);
  EXPECT_EQ(Resolve(catalog, Identity(ContainerRuntime::kDocker, "bad")), nullptr);
  EXPECT_EQ(Resolve(catalog, Identity(ContainerRuntime::kPodman, "bad2")), nullptr);
  ContainerCatalogCounts c = catalog.counts();
  EXPECT_EQ(c.lookups, 2u);
  EXPECT_EQ(c.not_found, 2u);
  EXPECT_EQ(c.bad_state, 2u);
}

TEST_F(CatalogTest, NotFoundIsAskedAgainOnlyAfterRetry) {
  options_.retry_s = 60;
  ContainerCatalog catalog(options_);
  CgroupIdentity c = Identity(ContainerRuntime::kDocker, "late");
  EXPECT_EQ(Resolve(catalog, c), nullptr);
  EXPECT_EQ(catalog.counts().lookups, 1u);
  Write(fs::path("docker/containers/late/config.v2.json"),
        R"({"Name":"/late","Config":{"Image":"x"}})");
  EXPECT_EQ(catalog.Find(c, 0, 30000), nullptr);  // within retry_s: not asked again
  catalog.Drain();
  EXPECT_EQ(catalog.counts().lookups, 1u);
  EXPECT_EQ(catalog.Find(c, 0, 62000), nullptr);  // past it: asked again
  catalog.Drain();
  auto d = catalog.Find(c, 0, 62001);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "late");
}

TEST_F(CatalogTest, TheCacheIsBounded) {
  options_.max_entries = 8;
  ContainerCatalog catalog(options_);
  for (int i = 0; i < 100; ++i) {
    catalog.Find(Identity(ContainerRuntime::kDocker, "id" + std::to_string(i)), 0, 1000);
    catalog.Drain();
  }
  EXPECT_LE(catalog.counts().cached, 8u);
  EXPECT_EQ(catalog.counts().lookups, 100u);
}

TEST_F(CatalogTest, DockerApiOverItsSocket) {
  httplib::Server server;
  server.set_address_family(AF_UNIX);
  server.Get(R"(/containers/([0-9a-f]+)/json)", [](const httplib::Request& req,
                                                  httplib::Response& res) {
    if (req.matches[1] == kDockerId) {
      res.set_content(ReadData("docker-api-container.json"), "application/json");
    } else {
      res.status = 404;
    }
  });
  std::thread serving([&] { server.listen(options_.docker_socket, 80); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  {
    ContainerCatalog catalog(options_);
    auto d = Resolve(catalog, Identity(ContainerRuntime::kDocker, kDockerId));
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->source, "docker-api");
    EXPECT_EQ(d->name, "web");
    EXPECT_EQ(Resolve(catalog, Identity(ContainerRuntime::kDocker, "0bad")), nullptr);
    ContainerCatalogCounts c = catalog.counts();
    EXPECT_EQ(c.found, 1u);
    EXPECT_EQ(c.not_found, 1u);
    EXPECT_EQ(c.socket_errors + c.timeouts, 0u);
  }
  server.stop();
  serving.join();
}

TEST_F(CatalogTest, ASocketThatNeverAnswersIsATimeoutNotAWait) {
  // Accepts connections (the kernel's backlog) but never reads or answers.
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", options_.docker_socket.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  options_.socket_timeout_ms = 200;
  ContainerCatalog catalog(options_);
  CgroupIdentity c = Identity(ContainerRuntime::kDocker, "slow");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(catalog.Find(c, 0, 1000), nullptr);  // the caller never waits for the socket
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  catalog.Drain();
  EXPECT_EQ(catalog.counts().timeouts, 1u);
  EXPECT_EQ(catalog.counts().not_found, 1u);
  close(fd);
  // A socket file nobody listens on is an error, counted.
  EXPECT_EQ(Resolve(catalog, Identity(ContainerRuntime::kDocker, "refused")), nullptr);
  EXPECT_EQ(catalog.counts().socket_errors, 1u);
}

TEST_F(CatalogTest, AFullQueueIsCountedAndAskedAgainLater) {
  // A socket that never answers keeps the worker busy while the queue fills.
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", options_.docker_socket.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 64), 0);
  options_.socket_timeout_ms = 50;
  options_.max_queue = 2;
  {
    ContainerCatalog catalog(options_);
    for (int i = 0; i < 10; ++i) {
      catalog.Find(Identity(ContainerRuntime::kDocker, "q" + std::to_string(i)), 0, 1000);
    }
    EXPECT_GE(catalog.counts().queue_full, 7u);
    catalog.Drain();
    EXPECT_LE(catalog.counts().lookups, 3u);
    // Asked again by a later event: queued this time.
    uint64_t before = catalog.counts().lookups;
    catalog.Find(Identity(ContainerRuntime::kDocker, "q9"), 0, 2000);
    catalog.Drain();
    EXPECT_EQ(catalog.counts().lookups, before + 1);
  }
  close(fd);
}

}  // namespace
}  // namespace auditlens
