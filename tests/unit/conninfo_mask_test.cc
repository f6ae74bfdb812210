// Masking of PostgreSQL passwords in messages (common/conninfo_mask.h), on awkward connection
// strings and on the text libpq itself writes about them.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <string>

#include "common/conninfo_mask.h"
#include "store/postgres_store.h"

namespace auditlens {
namespace {

TEST(ConnInfoMask, KeyValue) {
  EXPECT_EQ(MaskConnInfo("host=db user=al password=s3cret dbname=x"),
            "host=db user=al password=*** dbname=x");
  EXPECT_EQ(MaskConnInfo("password = s3cret host=db"), "password = *** host=db");
  EXPECT_EQ(MaskConnInfo("host=db password='s3 cr\\'et' port=5"), "host=db password=*** port=5");
  EXPECT_EQ(MaskConnInfo("host=db password=s\\ 3\\\\cret port=5"), "host=db password=*** port=5");
  // Several password keys (libpq takes the last): all masked.
  EXPECT_EQ(MaskConnInfo("password=one host=db password='two'"), "password=*** host=db password=***");
  // libpq's keywords are lower case; any case is masked all the same.
  EXPECT_EQ(MaskConnInfo("PassWord=x1"), "PassWord=***");
  // A bare space inside an unquoted value: the words up to the next key=value are masked.
  EXPECT_EQ(MaskConnInfo("host=db password=se'cr et more port=1"), "host=db password=*** port=1");
  // After '=' libpq skips white space: the next word is the value.
  EXPECT_EQ(MaskConnInfo("password= host=db"), "password= ***");
  // Unterminated quote, trailing backslash: to the end.
  EXPECT_EQ(MaskConnInfo("host=db password='abc def"), "host=db password=***");
  EXPECT_EQ(MaskConnInfo("host=db password=abc\\"), "host=db password=***");
  // Nothing to mask.
  EXPECT_EQ(MaskConnInfo("host=db user=al dbname=x"), "host=db user=al dbname=x");
  EXPECT_EQ(MaskConnInfo("passwordfile=/x passfile=/y"), "passwordfile=/x passfile=/y");
  EXPECT_EQ(MaskConnInfo("host=db password="), "host=db password=");
  EXPECT_EQ(MaskConnInfo(""), "");
  // A key=value string inside dbname (expanded by libpq): its password too.
  EXPECT_EQ(MaskConnInfo("dbname='host=db password=pw1'"), "dbname='host=db password=***");
}

TEST(ConnInfoMask, Uri) {
  EXPECT_EQ(MaskConnInfo("postgresql://al:s3cret@db:5432/x?sslmode=require"),
            "postgresql://al:***@db:5432/x?sslmode=require");
  EXPECT_EQ(MaskConnInfo("postgres://al:s%40c%2Fret@db/x"), "postgres://al:***@db/x");
  EXPECT_EQ(MaskConnInfo("postgresql://:pw@db"), "postgresql://:***@db");
  // A raw '@' or '/' in the password: to the last '@' before the query.
  EXPECT_EQ(MaskConnInfo("postgresql://al:p@ss/w@db/x"), "postgresql://al:***@db/x");
  EXPECT_EQ(MaskConnInfo("postgresql://al@db/x?password=q%20q&sslmode=disable"),
            "postgresql://al@db/x?password=***&sslmode=disable");
  EXPECT_EQ(MaskConnInfo("postgresql://db/x?passw%6Frd=abc&password=def&user=u"),
            "postgresql://db/x?passw%6Frd=***&password=***&user=u");
  EXPECT_EQ(MaskConnInfo("postgresql://al:one@db/x?password=two"),
            "postgresql://al:***@db/x?password=***");
  EXPECT_EQ(MaskConnInfo("POSTGRESQL://al:pw@db"), "POSTGRESQL://al:***@db");
  // No password: unchanged, the port's colon included.
  EXPECT_EQ(MaskConnInfo("postgresql://al@db:5432/x"), "postgresql://al@db:5432/x");
  EXPECT_EQ(MaskConnInfo("postgresql://db:5432/x?sslmode=require"),
            "postgresql://db:5432/x?sslmode=require");
  EXPECT_EQ(MaskConnInfo("postgresql://"), "postgresql://");
  EXPECT_EQ(MaskConnInfo("postgresql://al:pw@"), "postgresql://al:***@");
  // In a message, the words after a password are the message's.
  EXPECT_EQ(MaskConnectionStrings("db password=pw: connection refused"),
            "db password=*** connection refused");
  EXPECT_EQ(MaskConnInfoIn("db host=h password=pw: connection refused", "host=h password=pw"),
            "db host=h password=***: connection refused");
  EXPECT_EQ(MaskConnectionStrings(MaskConnInfo("host=h password=pw") + ": refused"),
            "host=h password=***: refused");
  EXPECT_EQ(MaskConnectionStrings(MaskConnInfo("postgresql://u:a@h/d?password=b") + ": refused"),
            "postgresql://u:***@h/d?password=***: refused");
  // Several in one text, quoted by a message.
  EXPECT_EQ(MaskConnectionStrings("a \"postgresql://u:p1@h\" and postgres://v:p2@k, password=p3"),
            "a \"postgresql://u:***@h\" and postgres://v:***@k, password=***");
}

TEST(ConnInfoMask, HostileBytes) {
  std::string s = std::string("host=db password=a\0b c", 23);
  EXPECT_EQ(MaskConnInfo(s), "host=db password=***");
  EXPECT_EQ(MaskConnInfo("password=\xff\xfe\xc3"), "password=***");
  EXPECT_EQ(MaskConnInfo("password=p\xc3\xa4ss host=x"), "password=*** host=x");
  EXPECT_EQ(MaskConnInfo("\\\\\\'''password"), "\\\\\\'''password");
}

// What libpq itself writes about a malformed string quotes pieces of it: none of the password gets
// through, checked against libpq's real messages.
TEST(ConnInfoMask, LibpqErrorText) {
  const struct {
    const char* conninfo;
    const char* secret_piece;
  } cases[] = {
      {"host=127.0.0.1 port=1 password=se'cr etx", "etx"},
      {"host=127.0.0.1 password='se cr' xyz", "xyz"},
      {"postgresql://u:s%zzcret@127.0.0.1:1/db", "zzcret"},
      {"postgresql://u:secret@[::1/db", "secret"},
      {"postgresql://u:secret@127.0.0.1:1/db?password=s%zzq", "zzq"},
  };
  for (const auto& c : cases) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(c.conninfo, &err);
    ASSERT_EQ(opts, nullptr) << c.conninfo;
    ASSERT_NE(err, nullptr);
    const std::string raw = err;
    PQfreemem(err);
    EXPECT_NE(raw.find(c.secret_piece), std::string::npos) << "libpq no longer echoes: " << raw;
    const std::string masked = MaskConnInfoIn(raw, c.conninfo);
    EXPECT_EQ(masked.find(c.secret_piece), std::string::npos) << c.conninfo << " -> " << masked;
    EXPECT_NE(masked.find("***"), std::string::npos) << masked;
  }
  // A password with a raw '/': libpq reads its head as the port and says so at connect.
  const char* keys[] = {"dbname", nullptr};
  const char* values[] = {"postgresql://u:sec/ret@127.0.0.1:1/db", nullptr};
  PGconn* conn = PQconnectdbParams(keys, values, 1);
  const std::string raw = PQerrorMessage(conn);
  PQfinish(conn);
  ASSERT_NE(raw.find("\"sec\""), std::string::npos) << raw;
  EXPECT_EQ(MaskConnInfoIn(raw, values[0]).find("sec\""), std::string::npos);
  // Text with no secret stays as it is; the password elsewhere (4+ bytes) is masked anywhere.
  EXPECT_EQ(MaskConnInfoIn("connection to server at \"127.0.0.1\", port 1 failed",
                           "host=127.0.0.1 port=1 password=zz"),
            "connection to server at \"127.0.0.1\", port 1 failed");
  EXPECT_EQ(MaskConnInfoIn("role x: hunter22 is wrong", "password=hunter22"), "role x: *** is wrong");
  EXPECT_EQ(MaskConnInfoIn("no secret here", "host=db"), "no secret here");
}

// The fleet writer's refusal of a bad string quotes no password.
TEST(ConnInfoMask, PostgresStoreOpenError) {
  PostgresOptions options;
  options.conninfo = "host=db password=hunter 2 sslmode";
  options.spool_path = ::testing::TempDir() + "/mask-spool";
  PostgresStore store;
  std::string error;
  ASSERT_FALSE(store.Open(options, &error));
  EXPECT_EQ(error.find("hunter"), std::string::npos) << error;
  EXPECT_NE(error.find("\"***\""), std::string::npos) << error;  // libpq quoted "2"
  EXPECT_EQ(error.find("\"2\""), std::string::npos) << error;
  options.conninfo = "postgresql://u:s%zzcret@db/x";
  ASSERT_FALSE(store.Open(options, &error));
  EXPECT_EQ(error.find("zzcret"), std::string::npos) << error;
  EXPECT_NE(error.find("not a valid connection string"), std::string::npos) << error;
}

}  // namespace
}  // namespace auditlens
