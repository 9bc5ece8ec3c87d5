/* Small I/O helpers: EINTR is retried here and nowhere else. */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cleanup_free(void *p) { free(*(void **)p); }

void cleanup_close(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
    }
}

/* Read until end-of-file or until cap bytes; *truncated is set when more data was waiting. */
ssize_t read_all(int fd, char *buf, size_t cap, bool *truncated)
{
    size_t got = 0;
    *truncated = false;
    for (;;) {
        if (got == cap) {
            char extra;
            ssize_t n;
            do {
                n = read(fd, &extra, 1);
            } while (n < 0 && errno == EINTR);
            if (n > 0) {
                *truncated = true;
            }
            return n < 0 ? -1 : (ssize_t)got;
        }
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            return (ssize_t)got;
        }
        got += (size_t)n;
    }
}

bool write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

bool write_file(const char *path, const char *text)
{
    autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    return write_all(fd, text, strlen(text));
}
