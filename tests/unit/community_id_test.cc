// src/enrich/community_id: the Community ID v1 against the specification's published vectors
// (corelight/community-id-spec, baseline/README.md tables and baseline/baseline_*.json, made by
// the reference implementation from pcaps/combined.pcap.gz). ICMP rows of the JSON baselines give
// the (type, counter-type/code) pair already mapped to ports, as the hash takes them.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "common/endpoint.h"
#include "enrich/community_id.h"

namespace auditlens {
namespace {

struct Vector {
  int proto;
  const char* saddr;
  const char* daddr;
  int sport;  // -1: a protocol without ports
  int dport;
  const char* id;
};

std::string Id(const Vector& v, uint16_t seed = 0, bool base64 = true) {
  Endpoint src, dst;
  EXPECT_TRUE(EndpointFromText(v.saddr, static_cast<uint16_t>(v.sport < 0 ? 0 : v.sport), &src))
      << v.saddr;
  EXPECT_TRUE(EndpointFromText(v.daddr, static_cast<uint16_t>(v.dport < 0 ? 0 : v.dport), &dst))
      << v.daddr;
  char out[kCommunityIdBufferSize];
  size_t n = CommunityIdV1({src, dst, static_cast<uint8_t>(v.proto), v.sport >= 0}, out, seed,
                           base64);
  EXPECT_EQ(out[n], '\0');
  return std::string(out, n);
}

// baseline/baseline_deflt.json (seed 0).
constexpr Vector kDefault[] = {
    {58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 135, "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="},
    {58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
    {58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 136, 135, "1:zavyT/cezQr1fmImYCwYnMXbgck="},
    {58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:2ObVBgIn28oZvibYZhZMBgh7WdQ="},
    {58, "3ffe:501:410:0:2c0:dfff:fe47:33e", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, "1:hLZd0XGWojozrvxqE0dWB1iM6R0="},
    {58, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:0:1001::2", 128, 129, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
    {58, "3ffe:501:0:1001::2", "3ffe:507:0:1:200:86ff:fe05:80da", 129, 128, "1:+TW+HtLHvV1xnGhV1lv7XoJrqQg="},
    {58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
    {58, "fe80::260:97ff:fe07:69ea", "ff02::1", 134, 133, "1:pkvHqCL88/tg1k4cPigmZXUtL00="},
    {1, "192.168.0.89", "192.168.0.1", 8, 0, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {1, "192.168.0.1", "192.168.0.89", 0, 8, "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="},
    {1, "10.0.0.1", "10.0.0.2", 11, 0, "1:YHxtAirCG//0OzkcVAukqKQN9xM="},
    {6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
    {132, "192.168.170.8", "192.168.170.56", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {132, "192.168.170.56", "192.168.170.8", 7, 7, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs="},
    {6, "128.232.110.120", "66.35.250.204", 34855, 80, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
    {17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {17, "8.8.8.8", "192.168.1.52", 53, 54585, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
    {46, "10.1.12.1", "10.1.12.2", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    {46, "10.1.12.2", "10.1.12.1", -1, -1, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw="},
    // baseline/README.md, "Default settings" (TCP, UDP, SCTP, RSVP rows).
    {6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
    {6, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:wCb3OG7yAFWelaUydu0D+125CLM="},
    {17, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
    {17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:0Mu9InQx6z4ZiCZM/7HXi2WMhOg="},
    {132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="},
    {132, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:EKt4MsxuyaE6mL+hmrEkQ9csDD8="},
    {46, "1.2.3.4", "5.6.7.8", -1, -1, "1:ikv3kmf89luf73WPz1jOs49S768="},
    {46, "5.6.7.8", "1.2.3.4", -1, -1, "1:ikv3kmf89luf73WPz1jOs49S768="},
    {46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", -1, -1, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="},
    {46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", -1, -1, "1:wQ/2mwrnXP4lmJcHdGL5ePjR+e0="},
};

// baseline/baseline_seed1.json and the README's "A custom seed=1 value" table.
constexpr Vector kSeed1[] = {
    {58, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 136, "1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY="},
    {58, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 135, 136, "1:2hSqmsDZ2kdcY9kbiUzOEBic0iM="},
    {58, "3ffe:501:1800:2345::2", "3ffe:507:0:1:200:86ff:fe05:80da", 3, 0, "1:lVEtCZpYu84Xqaa++3lXFyuu2n4="},
    {58, "fe80::200:86ff:fe05:80da", "ff02::2", 133, 134, "1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8="},
    {1, "192.168.0.89", "192.168.0.1", 8, 0, "1:03g6IloqVBdcZlPyX8r0hgoE7kA="},
    {1, "10.0.0.1", "10.0.0.2", 11, 0, "1:XjUibYHaafLQ3pxQeiMI8g25q20="},
    {6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, "1:eJYTW6AOzFLlSUoESovMjnu7rMw="},
    {132, "192.168.170.56", "192.168.170.8", 7, 7, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg="},
    {6, "66.35.250.204", "128.232.110.120", 80, 34855, "1:3V71V58M3Ksw/yuFALMcW0LAHvc="},
    {17, "192.168.1.52", "8.8.8.8", 54585, 53, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI="},
    {46, "10.1.12.2", "10.1.12.1", -1, -1, "1:rYir8gphR31noO9iDRQmF/BteEI="},
    {6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:HhA1B+6CoLbiKPEs5nhNYN4XWfk="},
    {17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:OShq+iKDAMVouh/4bMxB9Sz4amw="},
    {132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:uitchpn5MMGAQKBJh7bIr/bAr7s="},
    {46, "1.2.3.4", "5.6.7.8", -1, -1, "1:/buhqeOmaRCopOZFy9HnoJd5XW8="},
    {46, "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", -1, -1, "1:j6EyyfBzL4vWKHFXgUqb5Az3OxM="},
};

// The README's "No base64-encoding" table (seed 0): the SHA-1 in hex.
constexpr Vector kHex[] = {
    {6, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:c026f7386ef200559e95a53276ed03fb5db908b3"},
    {17, "5.6.7.8", "1.2.3.4", 3344, 1122, "1:d0cbbd227431eb3e1988264cffb1d78b658c84e8"},
    {132, "1.2.3.4", "5.6.7.8", 1122, 3344, "1:10ab7832cc6ec9a13a98bfa19ab12443d72c0c3f"},
    {46, "5.6.7.8", "1.2.3.4", -1, -1, "1:8a4bf79267fcf65b9fef758fcf58ceb38f52efaf"},
    {46, "fe80:0001:0203:0405:0607:0809:0A0B:0C0D", "fe80:1011:1213:1415:1617:1819:1A1B:1C1D", -1, -1, "1:c10ff69b0ae75cfe259897077462f978f8d1f9ed"},
};

TEST(CommunityId, SpecBaselineDefaultSeed) {
  for (const Vector& v : kDefault) {
    EXPECT_EQ(Id(v), v.id) << v.proto << " " << v.saddr << ":" << v.sport << " -> " << v.daddr
                           << ":" << v.dport;
  }
}

TEST(CommunityId, SpecBaselineSeed1) {
  for (const Vector& v : kSeed1) {
    EXPECT_EQ(Id(v, 1), v.id) << v.proto << " " << v.saddr << ":" << v.sport << " -> " << v.daddr;
  }
}

TEST(CommunityId, SpecBaselineWithoutBase64) {
  for (const Vector& v : kHex) {
    EXPECT_EQ(Id(v, 0, false), v.id) << v.proto << " " << v.saddr << " -> " << v.daddr;
  }
}

TEST(CommunityId, BothDirectionsHashTheSameOnlyWhenTheEndpointsSwapTogether) {
  // Same addresses: the ports decide the order.
  Vector a{6, "127.0.0.1", "127.0.0.1", 50000, 8080, ""};
  Vector b{6, "127.0.0.1", "127.0.0.1", 8080, 50000, ""};
  EXPECT_EQ(Id(a), Id(b));
  // Swapping only the ports is another flow.
  Vector c{6, "127.0.0.1", "127.0.0.2", 8080, 50000, ""};
  Vector d{6, "127.0.0.1", "127.0.0.2", 50000, 8080, ""};
  EXPECT_NE(Id(c), Id(d));
  // The protocol and the seed count.
  Vector e{17, "127.0.0.1", "127.0.0.1", 50000, 8080, ""};
  EXPECT_NE(Id(a), Id(e));
  EXPECT_NE(Id(a, 0), Id(a, 1));
  EXPECT_EQ(Id(a).size(), 30u);  // "1:" + 28 base64 characters
}

}  // namespace
}  // namespace auditlens
