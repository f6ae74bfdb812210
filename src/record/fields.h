// Splits a record body into name=value fields, as views into the body.
//
// Values keep their raw form: quoted values keep their quotes, so the decoder can tell a quoted
// string from a hex-encoded one. A value in single quotes (the msg='...' of user-space records) is
// flattened: its inner name=value pairs become fields of the record, as libauparse does. Tokens
// without '=' are skipped, except the prefix of AVC texts: "avc:  denied  { read write } for"
// gives seresult=denied and seperms=read write (libauparse's names; the permissions keep their
// spaces, as the value is a view). "(seqno=2)" gives seqno=2.
#pragma once

#include <string_view>
#include <vector>

namespace auditlens {

struct Field {
  std::string_view name;
  std::string_view value;
};

// Appends the fields of body to *out (which is not cleared: callers reuse one vector per event).
void SplitFields(std::string_view body, std::vector<Field>* out);

}  // namespace auditlens
