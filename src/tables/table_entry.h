// The shapes of the generated value tables (auparse_tables.h): a value and its name, a byte
// sequence and its name, a field name and its kind. Lookup follows auparse: the first entry with the value wins, and flag
// tables are walked in their order.
#pragma once

#include <cstdint>
#include <string_view>

namespace auditlens::tables {

struct ValueName {
  uint32_t value;  // auparse keeps values in an int
  std::string_view name;
};

struct SequenceName {
  std::string_view seq;
  std::string_view name;
};

enum class AuparseType : uint8_t;  // auparse_tables.h

struct FieldType {
  std::string_view name;
  AuparseType type;
};

// The name of the first entry with value v, or "" when none has it.
template <size_t N>
constexpr std::string_view NameOf(const ValueName (&table)[N], uint64_t v) {
  for (const ValueName& e : table) {
    if (e.value == v) return e.name;
  }
  return {};
}

// The largest value of a table.
template <size_t N>
constexpr uint32_t MaxValue(const ValueName (&table)[N]) {
  uint32_t m = 0;
  for (const ValueName& e : table) m = e.value > m ? e.value : m;
  return m;
}

// Names indexed by value, 0..M-1, built at compile time from a table ("" where none): for the
// tables looked up on every event.
template <size_t M, size_t N>
constexpr auto DenseNames(const ValueName (&table)[N]) {
  struct Dense {
    std::string_view names[M] = {};
    constexpr std::string_view operator[](uint64_t v) const { return v < M ? names[v] : ""; }
    static constexpr size_t size() { return M; }
  } d;
  for (size_t i = N; i-- > 0;) {  // backwards: the first entry of a value is the one kept
    if (table[i].value < M) d.names[table[i].value] = table[i].name;
  }
  return d;
}

}  // namespace auditlens::tables
