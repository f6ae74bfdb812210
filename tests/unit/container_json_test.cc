// output/container_json: the container, pod and unit of an event's process as ECS objects; the
// runtime's details once they arrive; nothing invented before.
#include <gtest/gtest.h>

#include "common/json_value.h"
#include "output/container_json.h"

namespace auditlens {
namespace {

std::string Render(ContainerJson& cj, const EventFacts& facts) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("x");
  w.Int(1);
  cj.Write(facts, w);
  w.EndObject();
  return out;
}

TEST(ContainerJson, IdFirstThenNameImageAndPod) {
  ProcessImage p;
  auto identity = std::make_shared<CgroupIdentity>();
  identity->runtime = ContainerRuntime::kContainerd;
  identity->container_id = std::string(64, 'c');
  identity->pod_uid = "0f9e-11";
  identity->service = "kubepods.slice";
  p.cgroup = identity;
  EventFacts facts;
  facts.process = &p;
  ContainerJson cj;
  JsonValue v;
  ASSERT_TRUE(JsonValue::Parse(Render(cj, facts), &v));
  EXPECT_EQ(v["container"].Str("id"), identity->container_id);
  EXPECT_EQ(v["container"].Str("runtime"), "containerd");
  EXPECT_FALSE(v["container"].Has("name"));
  EXPECT_EQ(v["orchestrator"]["resource"].Str("id"), "0f9e-11");
  EXPECT_FALSE(v["orchestrator"].Has("namespace"));
  EXPECT_EQ(v["service"].Str("name"), "kubepods.slice");

  auto details = std::make_shared<ContainerDetails>();
  details->name = "api";
  details->image = "registry.local:5000/api:v3";
  details->pod_name = "api-5f7";
  details->pod_namespace = "prod";
  facts.container = details;
  ASSERT_TRUE(JsonValue::Parse(Render(cj, facts), &v));
  EXPECT_EQ(v["container"].Str("name"), "api");
  EXPECT_EQ(v["container"]["image"].Str("name"), "registry.local:5000/api");
  ASSERT_EQ(v["container"]["image"]["tag"].items().size(), 1u);
  EXPECT_EQ(v["container"]["image"]["tag"].items()[0].text(), "v3");
  EXPECT_EQ(v["orchestrator"].Str("type"), "kubernetes");
  EXPECT_EQ(v["orchestrator"].Str("namespace"), "prod");
  EXPECT_EQ(v["orchestrator"]["resource"].Str("name"), "api-5f7");
  EXPECT_EQ(v["orchestrator"]["resource"].Str("type"), "pod");
}

TEST(ContainerJson, LxcIsNamedByItsIdAndHostileNamesStayJson) {
  ProcessImage p;
  auto identity = std::make_shared<CgroupIdentity>();
  identity->runtime = ContainerRuntime::kLxc;
  identity->container_id = "web";
  p.cgroup = identity;
  EventFacts facts;
  facts.process = &p;
  ContainerJson cj;
  JsonValue v;
  ASSERT_TRUE(JsonValue::Parse(Render(cj, facts), &v));
  EXPECT_EQ(v["container"].Str("name"), "web");
  auto docker = std::make_shared<CgroupIdentity>();
  docker->runtime = ContainerRuntime::kDocker;
  docker->container_id = std::string(64, 'd');
  p.cgroup = docker;
  auto details = std::make_shared<ContainerDetails>();
  details->name = "a\"b\nc\\d";
  details->image = "}{\"";
  facts.container = details;
  ASSERT_TRUE(JsonValue::Parse(Render(cj, facts), &v));
  EXPECT_EQ(v["container"].Str("name"), "a\"b\nc\\d");
  EXPECT_EQ(v["container"]["image"].Str("name"), "}{\"");
}

TEST(ContainerJson, NothingWithoutAProcessOrItsIdentity) {
  EventFacts facts;
  ContainerJson cj;
  EXPECT_EQ(Render(cj, facts), R"({"x":1})");
  ProcessImage p;
  facts.process = &p;
  EXPECT_EQ(Render(cj, facts), R"({"x":1})");
}

}  // namespace
}  // namespace auditlens
