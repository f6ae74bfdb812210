#include "common/boot_id.h"

#include "common/proc_reader.h"

namespace auditlens {

std::string ReadBootId(const std::string& path) {
  std::string id = ReadSmallFile(path);
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

}  // namespace auditlens
