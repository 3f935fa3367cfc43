#ifndef TILLFLOW_CLINUXIO_H
#define TILLFLOW_CLINUXIO_H

#include <stdint.h>

/// Starts writing the dirty page-cache pages of bytes [offset, offset + length) of `fd`
/// to the device and returns without waiting (Linux `sync_file_range` with
/// `SYNC_FILE_RANGE_WRITE`; glibc declares it only under `_GNU_SOURCE`, which Swift's
/// Glibc module is built without). Returns 0, or -1 with `errno` set; on systems
/// without it, does nothing and returns 0.
int tillflow_start_writeback(int fd, int64_t offset, int64_t length);

#endif
