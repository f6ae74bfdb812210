// The one JSON reader, for JSON read off the hot path: the store's `detail` and `args` columns
// (`auditlens timeline`), the agent's status file (`auditlens status`), and container runtimes'
// state files and API answers (enrich/container_catalog.h), which are untrusted: nesting deeper
// than 64 is refused.
//
// Contract: Parse() accepts RFC 8259 JSON (numbers are kept as their text and as a double);
// returns false on anything else. \u escapes become UTF-8 (surrogate pairs joined).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace auditlens {

class JsonValue {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  static bool Parse(std::string_view text, JsonValue* out);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // The string (kString), the number's text (kNumber), "true"/"false"; "" otherwise.
  const std::string& text() const { return text_; }
  double number() const { return number_; }
  bool boolean() const { return type_ == Type::kBool && text_ == "true"; }
  const std::vector<JsonValue>& items() const { return items_; }
  // Members in the order they were written.
  const std::vector<std::pair<std::string, JsonValue>>& members() const { return members_; }
  // The member named key, or a null value.
  const JsonValue& operator[](std::string_view key) const;
  // text() of member key ("" when absent).
  const std::string& Str(std::string_view key) const { return (*this)[key].text(); }
  bool Has(std::string_view key) const { return !(*this)[key].is_null(); }

 private:
  friend class JsonParser;
  Type type_ = Type::kNull;
  std::string text_;
  double number_ = 0;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

}  // namespace auditlens
