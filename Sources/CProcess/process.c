#define _GNU_SOURCE
#include "CProcess.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static void child_fail_at(int pipe_fd, int err, int step) {
    int report[2] = { err, step };
    while (write(pipe_fd, report, sizeof report) < 0 && errno == EINTR) {}
    _exit(127);
}

static void child_fail(int pipe_fd, int err) { child_fail_at(pipe_fd, err, CP_STEP_EXEC); }

// The mount flags a read-only bind remount must keep: a remount replaces them all.
static unsigned long kept_mount_flags(const char *path) {
    struct statvfs st;
    if (statvfs(path, &st) < 0) return 0;
    unsigned long flags = 0;
    if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

// A bind of target onto itself (or source onto target) made read-only: a remount replaces every flag, so the ones the
// mount had are kept.
static int bind_read_only(const char *source, const char *target) {
    if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0) return -1;
    return mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | kept_mount_flags(target), NULL);
}

// One step of the container's filesystems (cp_fs_step); -1 and errno on failure.
static int make_fs_step(const cp_fs_step *f) {
    struct stat st;
    if (f->optional && lstat(f->target, &st) < 0 && errno == ENOENT) return 0;
    switch (f->kind) {
    case CP_FS_MOUNT:
        if (mkdir(f->target, 0755) < 0 && errno != EEXIST) return -1;
        return mount(f->source, f->target, f->fstype, f->flags, f->data);
    case CP_FS_NODE:
        // As runc as root: mknod; where that is refused (no CAP_MKNOD), the host's node bound, as rootless runc does.
        if (mknod(f->target, S_IFCHR | (f->mode & 07777), makedev(f->major, f->minor)) == 0)
            return chmod(f->target, f->mode & 07777);   // mknod's mode went through the umask
        if (errno != EPERM) return -1;
        {
            int fd = open(f->target, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
            if (fd < 0) return -1;
            close(fd);
        }
        return mount(f->source, f->target, NULL, MS_BIND, NULL);
    case CP_FS_SYMLINK:
        return symlink(f->source, f->target);
    case CP_FS_READ_ONLY:
        return bind_read_only(f->target, f->target);
    case CP_FS_MASK:
        if (stat(f->target, &st) < 0) return -1;
        if (S_ISDIR(st.st_mode)) return mount("tmpfs", f->target, "tmpfs", MS_RDONLY, NULL);
        return mount(f->source, f->target, NULL, MS_BIND, NULL);
    }
    errno = EINVAL;
    return -1;
}

// Makes a bind's mount point where it is missing, as runc does inside the namespace (a bind under /dev lands in the
// container's /dev tmpfs, which the parent never sees): its missing parents directories, then a directory for a
// directory source, else an empty file. -1 and errno on failure.
static int make_mount_point(const char *source, const char *target) {
    struct stat st;
    if (lstat(target, &st) == 0) return 0;
    char path[PATH_MAX];
    size_t n = strlen(target);
    if (n >= sizeof path) { errno = ENAMETOOLONG; return -1; }
    memcpy(path, target, n + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (stat(source, &st) < 0) return -1;
    if (S_ISDIR(st.st_mode)) return mkdir(target, 0755) < 0 && errno != EEXIST ? -1 : 0;
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0755);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

// A mount namespace of the child's own with the container's filesystems and binds in it. Every mount is made a slave
// first (docker's rootfs propagation is rslave): the binds and whatever the container mounts later stay in this
// namespace, which ends with its last process, so nothing is left mounted on the host. Each bind is then rprivate, as
// docker's are.
static void make_mount_namespace(const cp_spawn_options *o, int pipe_fd) {
    if (unshare(CLONE_NEWNS) < 0) child_fail_at(pipe_fd, errno, CP_STEP_MOUNT_NAMESPACE);
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) child_fail_at(pipe_fd, errno, CP_STEP_MOUNT_NAMESPACE);
    for (int i = 0; i < o->fs_step_count; i++)
        if (!o->fs_steps[i].after_binds && make_fs_step(&o->fs_steps[i]) < 0)
            child_fail_at(pipe_fd, errno, CP_STEP_FILESYSTEM + i);
    for (int i = 0; i < o->bind_count; i++) {
        const cp_bind_mount *b = &o->binds[i];
        if (make_mount_point(b->source, b->target) < 0
            || mount(b->source, b->target, NULL, MS_BIND | MS_REC, NULL) < 0
            || mount(NULL, b->target, NULL, MS_REC | MS_PRIVATE, NULL) < 0
            || (b->read_only && mount(NULL, b->target, NULL,
                                      MS_BIND | MS_REMOUNT | MS_RDONLY | kept_mount_flags(b->target), NULL) < 0))
            child_fail_at(pipe_fd, errno, CP_STEP_BIND + i);
    }
    for (int i = 0; i < o->fs_step_count; i++)
        if (o->fs_steps[i].after_binds && make_fs_step(&o->fs_steps[i]) < 0)
            child_fail_at(pipe_fd, errno, CP_STEP_FILESYSTEM + i);
}

// A network namespace of the child's own with its loopback up (the kernel gives it 127.0.0.1 and ::1 then), as the
// engine's for a container without a network: -1 and errno on failure.
static int make_network_namespace(void) {
    if (unshare(CLONE_NEWNET) < 0) return -1;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP;
        rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

// The container's terminal, as runc makes it: a pty of the container's own devpts instance (so that `tty` names
// /dev/pts/0 inside), its stdin, stdout, stderr and controlling terminal, bound on /dev/console; the master is sent
// to the parent over the console socket. -1 and errno on failure.
static int make_console(const cp_spawn_options *o) {
    char path[PATH_MAX];
    const char *root = o->root ? o->root : "";
    if (snprintf(path, sizeof path, "%s/dev/pts/ptmx", root) >= (int)sizeof path) { errno = ENAMETOOLONG; return -1; }
    int master = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    int unlock = 0, number = -1;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &number) < 0) return -1;
    struct winsize w = { .ws_row = o->console_rows, .ws_col = o->console_cols };
    if ((w.ws_row || w.ws_col) && ioctl(master, TIOCSWINSZ, &w) < 0) return -1;
    if (snprintf(path, sizeof path, "%s/dev/pts/%d", root, number) >= (int)sizeof path) { errno = ENAMETOOLONG; return -1; }
    int slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) return -1;
    for (int i = 0; i < 3; i++) if (dup2(slave, i) < 0) return -1;
    if (o->new_session && ioctl(0, TIOCSCTTY, 0) < 0) return -1;
    char console[PATH_MAX];
    if (snprintf(console, sizeof console, "%s/dev/console", root) >= (int)sizeof console) { errno = ENAMETOOLONG; return -1; }
    int fd = open(console, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    close(fd);
    if (mount(path, console, NULL, MS_BIND, NULL) < 0) return -1;
    char byte = 0;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &master, sizeof master);
    ssize_t sent;
    do { sent = sendmsg(o->console_socket, &msg, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    if (sent < 0) return -1;
    close(master);
    return 0;
}

// execve with a PATH walk like execvpe, but with a caller-given PATH and no fallback to /bin/sh.
static int exec_search(const char *file, char *const *argv, char *const *envp, const char *search) {
    if (strchr(file, '/')) { execve(file, argv, envp); return errno; }
    if (!search) search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    size_t flen = strlen(file);
    int seen_eacces = 0;
    const char *p = search;
    char buf[PATH_MAX];
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t dlen = colon ? (size_t)(colon - p) : strlen(p);
        if (dlen == 0) { dlen = 1; p = "."; colon = colon ? colon : NULL; }
        if (dlen + 1 + flen + 1 <= sizeof buf) {
            memcpy(buf, p, dlen); buf[dlen] = '/'; memcpy(buf + dlen + 1, file, flen + 1);
            execve(buf, argv, envp);
            if (errno == EACCES) seen_eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ESTALE && errno != ELOOP && errno != ENAMETOOLONG)
                return errno;
        }
        if (!colon) break;
        p = colon + 1;
    }
    return seen_eacces ? EACCES : ENOENT;
}

// As runc's ApplyBoundingSet before it takes the user: every capability not in `keep` leaves the bounding set, which
// is what root's permitted and effective sets become at the exec (and what a setuid program may get); a non-root
// user loses the permitted and effective sets at setuid. A capability asked for that the bounding set lacks (this
// process never had it) fails as runc's capset does, EPERM.
static int apply_bounding_set(unsigned long long keep) {
    for (int cap = 0; cap < 64; cap++) {
        int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present < 0) {                       // beyond the kernel's last capability
            if (keep >> cap) { errno = EPERM; return -1; }
            break;
        }
        if (keep & (1ULL << cap)) {
            if (!present) { errno = EPERM; return -1; }
        } else if (present && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
            return -1;
        }
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    return 0;
}

int cp_spawn(const cp_spawn_options *o, pid_t *pid_out) { return cp_spawn_at(o, pid_out, NULL); }

int cp_spawn_at(const cp_spawn_options *o, pid_t *pid_out, int *step) {
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0) return errno;
    sigset_t all, old;
    sigfillset(&all);
    // No signal handler of the parent may run in the child between fork and exec.
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        close(errpipe[0]); close(errpipe[1]);
        return e;
    }
    if (pid == 0) {
        // Keep the error pipe clear of descriptors 0..3, which are about to be rearranged.
        int ep = fcntl(errpipe[1], F_DUPFD_CLOEXEC, 10);
        if (ep >= 0) errpipe[1] = ep;
        int console_socket = o->console_socket >= 0 ? fcntl(o->console_socket, F_DUPFD_CLOEXEC, 10) : -1;
        if (o->console_socket >= 0 && console_socket < 0) child_fail(errpipe[1], errno);
        for (int s = 1; s < NSIG; s++) {
            if (s == SIGKILL || s == SIGSTOP) continue;
            signal(s, SIG_DFL);
        }
        for (int i = 0; i < o->ignored_count; i++) signal(o->ignored_signals[i], SIG_IGN);
        if (o->death_signal) {
            prctl(PR_SET_PDEATHSIG, o->death_signal);
            // The parent died before the prctl (its children go to init, or to a subreaper such as systemd). A child
            // in a new PID namespace sees its parent, outside it, as 0.
            pid_t now = getppid();
            if (now != parent && now != 0) _exit(127);
        }
        if (o->new_session) {
            if (setsid() < 0) child_fail(errpipe[1], errno);
            if (o->controlling_tty && o->stdin_fd >= 0 && ioctl(o->stdin_fd, TIOCSCTTY, 0) < 0)
                child_fail(errpipe[1], errno);
        } else if (o->process_group >= 0) {
            if (setpgid(0, o->process_group) < 0) child_fail(errpipe[1], errno);
        }
        // Move the sources out of 0..2 first so that any permutation (e.g. 1<->2) works.
        int src[3] = { o->stdin_fd, o->stdout_fd, o->stderr_fd };
        int moved[3];
        for (int i = 0; i < 3; i++) {
            moved[i] = -1;
            if (src[i] >= 0) {
                moved[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 10);
                if (moved[i] < 0) child_fail(errpipe[1], errno);
            }
        }
        int moved_pass = -1;
        if (o->pass_fd > 0) {
            moved_pass = fcntl(o->pass_fd, F_DUPFD_CLOEXEC, 10);
            if (moved_pass < 0) child_fail(errpipe[1], errno);
        }
        for (int i = 0; i < 3; i++)
            if (moved[i] >= 0 && dup2(moved[i], i) < 0) child_fail(errpipe[1], errno);
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
            long max = sysconf(_SC_OPEN_MAX);
            if (max < 0 || max > 65536) max = 65536;
            for (int fd = 3; fd < max; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        // dup2 leaves the new descriptor without FD_CLOEXEC, so fd 3 survives the exec.
        if (moved_pass >= 0 && dup2(moved_pass, 3) < 0) child_fail(errpipe[1], errno);
        if (o->host_name || o->domain_name) {
            if (unshare(CLONE_NEWUTS) < 0) child_fail(errpipe[1], errno);
            if (o->host_name && sethostname(o->host_name, strlen(o->host_name)) < 0) child_fail(errpipe[1], errno);
            if (o->domain_name && setdomainname(o->domain_name, strlen(o->domain_name)) < 0) child_fail(errpipe[1], errno);
        }
        if (o->new_ipc_namespace && unshare(CLONE_NEWIPC) < 0) child_fail_at(errpipe[1], errno, CP_STEP_MOUNT_NAMESPACE);
        if (o->new_network_namespace && make_network_namespace() < 0) child_fail_at(errpipe[1], errno, CP_STEP_NETWORK);
        if (o->network_namespace_fd > 0 && setns(o->network_namespace_fd, CLONE_NEWNET) < 0)
            child_fail_at(errpipe[1], errno, CP_STEP_NETWORK);
        if (o->new_mount_namespace) make_mount_namespace(o, errpipe[1]);
        if (console_socket >= 0) {
            cp_spawn_options with_socket = *o;
            with_socket.console_socket = console_socket;
            if (make_console(&with_socket) < 0) child_fail_at(errpipe[1], errno, CP_STEP_CONSOLE);
        }
        for (int i = 0; i < o->joined_count; i++)
            if (setns(o->joined_namespaces[i], 0) < 0) child_fail(errpipe[1], errno);
        if (o->root_fd > 0 && (fchdir(o->root_fd) < 0 || chroot(".") < 0)) child_fail(errpipe[1], errno);
        if (o->root && chroot(o->root) < 0) child_fail(errpipe[1], errno);
        if (o->cwd && chdir(o->cwd) < 0) child_fail(errpipe[1], errno);
        for (int i = 0; i < o->rlimit_count; i++) {
            struct rlimit limit = { (rlim_t)o->rlimits[i].soft, (rlim_t)o->rlimits[i].hard };
            if (setrlimit(o->rlimits[i].resource, &limit) < 0) child_fail_at(errpipe[1], errno, CP_STEP_RLIMIT + i);
        }
        if (o->set_capabilities && apply_bounding_set(o->capabilities) < 0)
            child_fail_at(errpipe[1], errno, CP_STEP_CAPABILITIES);
        // As runc: the groups first, then the group, then the user (after which none of them could change). Raw
        // system calls: glibc's wrappers signal every thread of the process, and after fork only this one exists.
        if (o->set_user && (syscall(SYS_setgroups, (size_t)o->group_count, o->groups) < 0
                            || syscall(SYS_setgid, o->gid) < 0 || syscall(SYS_setuid, o->uid) < 0))
            child_fail_at(errpipe[1], errno, CP_STEP_USER);
        sigset_t mask;
        sigemptyset(&mask);
        for (int i = 0; i < o->blocked_count; i++) sigaddset(&mask, o->blocked_signals[i]);
        pthread_sigmask(SIG_SETMASK, &mask, NULL);
        const char *search = o->search_path ? o->search_path : getenv("PATH");
        int e = exec_search(o->file, o->argv, o->envp ? o->envp : environ, search);
        child_fail(errpipe[1], e);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(errpipe[1]);
    int report[2] = { 0, CP_STEP_EXEC };
    ssize_t n;
    do { n = read(errpipe[0], report, sizeof report); } while (n < 0 && errno == EINTR);
    close(errpipe[0]);
    if (n == (ssize_t)sizeof report) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
        if (step) *step = report[1];
        return report[0] ? report[0] : EINVAL;
    }
    *pid_out = pid;
    return 0;
}

int cp_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int cp_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }

int cp_signalfd(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int cp_signalfd_read(int fd, pid_t *sender) {
    struct signalfd_siginfo info;
    ssize_t n;
    do { n = read(fd, &info, sizeof info); } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof info) return 0;
    if (sender) *sender = (pid_t)info.ssi_pid;
    return (int)info.ssi_signo;
}

int cp_openpty(int *master, int *slave) {
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m < 0) return errno;
    if (grantpt(m) < 0 || unlockpt(m) < 0) { int e = errno; close(m); return e; }
    char name[128];
    if (ptsname_r(m, name, sizeof name) != 0) { int e = errno; close(m); return e; }
    int s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s < 0) { int e = errno; close(m); return e; }
    *master = m; *slave = s;
    return 0;
}

int cp_tty_raw(int fd, void *saved, int saved_size) {
    if (saved_size < (int)sizeof(struct termios)) return EINVAL;
    struct termios t;
    if (tcgetattr(fd, &t) < 0) return errno;
    memcpy(saved, &t, sizeof t);
    cfmakeraw(&t);
    if (tcsetattr(fd, TCSADRAIN, &t) < 0) return errno;
    return 0;
}

int cp_tty_restore(int fd, const void *saved) {
    return tcsetattr(fd, TCSADRAIN, (const struct termios *)saved) < 0 ? errno : 0;
}

int cp_tty_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize w;
    if (ioctl(fd, TIOCGWINSZ, &w) < 0) return errno;
    *rows = w.ws_row; *cols = w.ws_col;
    return 0;
}

int cp_tty_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize w = { .ws_row = rows, .ws_col = cols };
    return ioctl(fd, TIOCSWINSZ, &w) < 0 ? errno : 0;
}

int cp_unshare_pid_namespace(int *saved) {
    int fd = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    if (unshare(CLONE_NEWPID) < 0) { int e = errno; close(fd); return e; }
    *saved = fd;
    return 0;
}

int cp_setns(int fd, int type) { return setns(fd, type) < 0 ? errno : 0; }

int cp_restore_pid_namespace(int saved) {
    int rc = setns(saved, CLONE_NEWPID) < 0 ? errno : 0;
    close(saved);
    return rc;
}
int cp_wifexited(int s) { return WIFEXITED(s); }
int cp_wexitstatus(int s) { return WEXITSTATUS(s); }
int cp_wifsignaled(int s) { return WIFSIGNALED(s); }
int cp_wtermsig(int s) { return WTERMSIG(s); }
int cp_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int cp_socketpair_cloexec(int fds[2]) { return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds); }

int cp_receive_descriptor(int socket) {
    char byte;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    ssize_t n;
    do { n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (n == 0 || !c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) { errno = EBADMSG; return -1; }
    int fd;
    memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

cp_spawn_options cp_spawn_options_default(void) {
    cp_spawn_options o;
    memset(&o, 0, sizeof o);
    o.stdin_fd = o.stdout_fd = o.stderr_fd = -1;
    o.process_group = -1;
    o.pass_fd = -1;
    o.console_socket = -1;
    return o;
}

int cp_send_datagram(const char *address, const void *data, size_t length) {
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strlen(address);
    if (n == 0 || n >= sizeof sa.sun_path) return EINVAL;
    memcpy(sa.sun_path, address, n);
    // An abstract address starts with a NUL byte and is not NUL-terminated: its length is exact.
    if (address[0] == '@') sa.sun_path[0] = '\0';
    socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (address[0] == '@' ? 0 : 1));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    ssize_t sent;
    do { sent = sendto(fd, data, length, MSG_NOSIGNAL, (struct sockaddr *)&sa, size); } while (sent < 0 && errno == EINTR);
    int e = sent < 0 ? errno : 0;
    close(fd);
    return e;
}

int cp_hostname(char *buf, size_t size) {
    if (gethostname(buf, size) < 0) return errno;
    buf[size - 1] = '\0';
    return 0;
}

void cp_die_by_signal(int sig) {
    prctl(PR_SET_DUMPABLE, 0);
    struct rlimit none = { 0, 0 };
    setrlimit(RLIMIT_CORE, &none);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}
