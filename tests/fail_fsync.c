/* fail_fsync.c — an LD_PRELOAD library whose fsync() fails with EIO, as a
 * dying disk or a full network file system reports it at the last moment.
 * cli_interrupt_test.sh runs `mbz --rm` under it: the input must be kept. */
#include <errno.h>

int fsync(int fd) {
  (void)fd;
  errno = EIO;
  return -1;
}
