// sdnotify-send: the test image's sd_notify client (busybox has no datagram sender). It sends its FIELD arguments,
// joined by newlines, as one datagram to $NOTIFY_SOCKET (a path, or @name for an abstract socket), as sd_notify(3)
// does; built static by scripts/test-image.sh, so it runs in the image's bare root filesystem.
//
//     sdnotify-send [-n COUNT] [-i MICROSECONDS] [-t] FIELD...
//
//   -n COUNT         send the datagram COUNT times (default 1)
//   -i MICROSECONDS  wait this long between two sends (default 0)
//   -t               print CLOCK_REALTIME in nanoseconds on stdout just before the first send (for latency figures)
//
// Exit 0 when every datagram was sent; 1 with a message on stderr otherwise; 2 on a usage error.
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int usage(void) {
    fputs("usage: sdnotify-send [-n COUNT] [-i MICROSECONDS] [-t] FIELD...\n", stderr);
    return 2;
}

int main(int argc, char **argv) {
    long count = 1, interval = 0;
    int stamp = 0, option;
    while ((option = getopt(argc, argv, "+n:i:t")) != -1) {
        switch (option) {
        case 'n': count = strtol(optarg, NULL, 10); break;
        case 'i': interval = strtol(optarg, NULL, 10); break;
        case 't': stamp = 1; break;
        default: return usage();
        }
    }
    if (optind >= argc || count < 1 || interval < 0) return usage();

    const char *address = getenv("NOTIFY_SOCKET");
    if (address == NULL || (address[0] != '/' && address[0] != '@') || address[1] == '\0') {
        fputs("sdnotify-send: NOTIFY_SOCKET is not a path or an @abstract name\n", stderr);
        return 1;
    }
    struct sockaddr_un to = {.sun_family = AF_UNIX};
    size_t length = strlen(address);
    if (length >= sizeof(to.sun_path)) {
        fputs("sdnotify-send: NOTIFY_SOCKET is too long\n", stderr);
        return 1;
    }
    memcpy(to.sun_path, address, length);
    if (to.sun_path[0] == '@') to.sun_path[0] = '\0';
    socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);

    size_t total = 0;
    for (int i = optind; i < argc; i++) total += strlen(argv[i]) + 1;
    char *message = malloc(total);
    if (message == NULL) return 1;
    size_t used = 0;
    for (int i = optind; i < argc; i++) {
        size_t n = strlen(argv[i]);
        memcpy(message + used, argv[i], n);
        used += n;
        if (i + 1 < argc) message[used++] = '\n';
    }

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("sdnotify-send: socket");
        return 1;
    }
    if (stamp) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        printf("%lld%09ld\n", (long long)now.tv_sec, now.tv_nsec);
        fflush(stdout);
    }
    for (long sent = 0; sent < count; sent++) {
        if (sent > 0 && interval > 0) usleep((useconds_t)interval);
        if (sendto(fd, message, used, MSG_NOSIGNAL, (struct sockaddr *)&to, size) < 0) {
            fprintf(stderr, "sdnotify-send: sendto %s: %s\n", address, strerror(errno));
            return 1;
        }
    }
    return 0;
}
