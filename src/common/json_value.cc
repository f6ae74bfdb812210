#include "common/json_value.h"

#include <cstdlib>


namespace auditlens {

class JsonParser {
 public:
  explicit JsonParser(std::string_view s) : s_(s) {}

  bool Document(JsonValue* out) {
    if (!Value(out, 0)) return false;
    Blank();
    return i_ == s_.size();
  }

 private:
  void Blank() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool Eat(char c) {
    Blank();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }
  bool Hex4(uint32_t* v) {
    if (i_ + 4 > s_.size()) return false;
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[i_++];
      *v <<= 4;
      if (c >= '0' && c <= '9') *v |= c - '0';
      else if (c >= 'a' && c <= 'f') *v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') *v |= c - 'A' + 10;
      else return false;
    }
    return true;
  }
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xd800 && cp < 0xdc00 && i_ + 6 <= s_.size() && s_[i_] == '\\' &&
              s_[i_ + 1] == 'u') {
            i_ += 2;
            uint32_t low;
            if (!Hex4(&low) || low < 0xdc00 || low > 0xdfff) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default: return false;
      }
    }
    return false;
  }
  bool Value(JsonValue* v, int depth) {
    if (depth > 64) return false;
    Blank();
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '"') {
      v->type_ = JsonValue::Type::kString;
      return String(&v->text_);
    }
    if (c == '{') {
      ++i_;
      v->type_ = JsonValue::Type::kObject;
      if (Eat('}')) return true;
      do {
        std::pair<std::string, JsonValue> m;
        if (!String(&m.first) || !Eat(':') || !Value(&m.second, depth + 1)) return false;
        v->members_.push_back(std::move(m));
      } while (Eat(','));
      return Eat('}');
    }
    if (c == '[') {
      ++i_;
      v->type_ = JsonValue::Type::kArray;
      if (Eat(']')) return true;
      do {
        JsonValue item;
        if (!Value(&item, depth + 1)) return false;
        v->items_.push_back(std::move(item));
      } while (Eat(','));
      return Eat(']');
    }
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(i_, word.size()) == word) {
        i_ += word.size();
        v->type_ = word == "null" ? JsonValue::Type::kNull : JsonValue::Type::kBool;
        if (word != "null") v->text_ = std::string(word);
        return true;
      }
    }
    size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.' || s_[i_] == 'e' ||
                              s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-'))
      ++i_;
    if (i_ == start) return false;
    v->type_ = JsonValue::Type::kNumber;
    v->text_ = std::string(s_.substr(start, i_ - start));
    char* end = nullptr;
    v->number_ = strtod(v->text_.c_str(), &end);
    return end != nullptr && *end == 0;
  }

  std::string_view s_;
  size_t i_ = 0;
};

bool JsonValue::Parse(std::string_view text, JsonValue* out) {
  *out = JsonValue();
  JsonParser p(text);
  if (p.Document(out)) return true;
  *out = JsonValue();
  return false;
}

const JsonValue& JsonValue::operator[](std::string_view key) const {
  static const JsonValue kNullValue;
  for (const auto& [k, v] : members_) {
    if (k == key) return v;
  }
  return kNullValue;
}

}  // namespace auditlens
