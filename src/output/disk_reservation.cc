#include "output/disk_reservation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace auditlens {

uint64_t DiskReservation::Reserve(int fd, uint64_t written, uint64_t about, uint64_t ahead,
                                  uint64_t limit) {
  if (!can_ || fd < 0 || written + about <= end_) return written;
  // Where the file really ends: another writer may have appended, or logrotate's copytruncate
  // emptied it.
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    can_ = false;  // a FIFO, a terminal, /dev/null...
    return written;
  }
  const uint64_t real_end = static_cast<uint64_t>(st.st_size);
  uint64_t want = ahead;
  if (limit > 0) want = limit > real_end ? std::min(want, limit - real_end) : 0;
  want = std::max(want, about);
  if (fallocate(fd, FALLOC_FL_KEEP_SIZE, static_cast<off_t>(real_end), static_cast<off_t>(want)) !=
      0) {
    // Not supported here, or no room left: writes go on as they would without it; a full disk
    // shows in the writes themselves. Tried again after the next Reset().
    can_ = false;
    return real_end;
  }
  end_ = real_end + want;
  return real_end;
}

void DiskReservation::Release(int fd, uint64_t written) {
  if (end_ == 0 || fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) == written && written < end_) {
    // ext4 gives blocks past the end back only on a truncation (a hole punched past the end is a
    // no-op there); one to the same size drops them and changes nothing else. If it fails, nothing
    // is lost: the blocks stay allocated past the end until the file is deleted.
    [[maybe_unused]] int ignored = ftruncate(fd, st.st_size);
  }
  end_ = 0;
}

}  // namespace auditlens
