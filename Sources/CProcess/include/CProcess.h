#ifndef CPROCESS_H
#define CPROCESS_H
// The syscall seam shared by dockrun and fake-docker: everything that must happen between fork and
// exec (where only async-signal-safe calls are allowed, so it cannot be written in Swift), and thin
// wrappers over Linux calls that Swift's Glibc module does not import.
#include <sys/types.h>
#include <signal.h>

// A bind mount made in the child's own mount namespace, before its chroot (as runc mounts a container's binds).
typedef struct {
    const char *source;            // host path
    const char *target;            // host path of the mount point (under root when root is set), made when missing
    int read_only;                 // remounted read-only after the bind
} cp_bind_mount;

// A step that builds the container's own filesystems (/proc, /dev, /sys) in its mount namespace, before its binds and
// its chroot, as runc's mounts, devices and masked paths. Every path is the host's (under root).
enum {
    CP_FS_MOUNT = 0,               // mount(source, target, fstype, flags, data), the target made a directory if missing
    CP_FS_NODE = 1,                // a character device (major, minor) with mode; where mknod is refused, source bound
    CP_FS_SYMLINK = 2,             // target -> source
    CP_FS_READ_ONLY = 3,           // target bound onto itself, read-only (runc's readonlyPaths)
    CP_FS_MASK = 4,                // a directory: a read-only tmpfs over it; else source (a /dev/null) bound over it
};

typedef struct {
    int kind;                      // a CP_FS_ value
    const char *source;
    const char *target;
    const char *fstype;
    unsigned long flags;
    const char *data;
    unsigned int mode;
    unsigned int major, minor;
    int optional;                  // a target that does not exist skips the step (a path this kernel lacks)
    int after_binds;               // made after the binds (runc's masked and read-only paths), else before them
} cp_fs_step;

// A resource limit the child sets (setrlimit), as runc sets a container's `--ulimit`s.
typedef struct {
    int resource;                  // RLIMIT_*
    unsigned long long soft, hard; // RLIM_INFINITY (all bits set) for unlimited
} cp_rlimit;

typedef struct {
    const char *file;              // program; without '/', looked up in search_path
    char *const *argv;
    char *const *envp;             // NULL: the parent's environment
    const char *search_path;       // PATH used for lookup; NULL: the parent's PATH
    const char *root;              // NULL: unchanged; else chroot() here first (cwd is then inside it)
    const char *cwd;               // NULL: unchanged
    int stdin_fd, stdout_fd, stderr_fd; // -1: inherited as is
    int new_session;               // setsid(): own session and process group
    int process_group;             // -1: parent's; 0: a new group of its own; >0: join that group
    int controlling_tty;           // with new_session: make stdin the controlling terminal
    int death_signal;              // PR_SET_PDEATHSIG; 0: none
    const int *ignored_signals;    // set to SIG_IGN in the child (survives exec)
    int ignored_count;
    const int *blocked_signals;    // blocked in the child's signal mask at exec (survives exec)
    int blocked_count;
    int pass_fd;                   // <= 0: none; else placed at descriptor 3 in the child
    const char *host_name;         // with domain_name, NULL both: unchanged; else a new UTS namespace
    const char *domain_name;       // (CLONE_NEWUTS, root only) with these names (NULL: left as they were)
    int new_mount_namespace;       // unshare(CLONE_NEWNS) (root only), every mount made a slave first, so that nothing
                                   // mounted in the child (the binds, its own mounts) reaches the parent's table
    const cp_bind_mount *binds;    // with new_mount_namespace: bind-mounted in order, rprivate, before the chroot
    int bind_count;
    const cp_fs_step *fs_steps;    // with new_mount_namespace: made in order, before the binds (or after: after_binds)
    int fs_step_count;
    int new_ipc_namespace;         // unshare(CLONE_NEWIPC) (root only): the container's own queues and shared memory
    int new_network_namespace;     // unshare(CLONE_NEWNET) (root only), its loopback brought up: a container's network
    int network_namespace_fd;      // > 0, without new_network_namespace: setns() into this network namespace (a
                                   // /proc/PID/ns/net descriptor) at that step: another container's network
    int console_socket;            // >= 0, with new_mount_namespace and root: a pty taken from root's /dev/pts/ptmx is
                                   // the child's stdin, stdout, stderr and controlling terminal (new_session) and its
                                   // /dev/console; its master is sent over this unix socket (SCM_RIGHTS), as runc's
                                   // --console-socket. -1: none
    unsigned short console_rows, console_cols; // the pty's size before the exec
    int set_user;                  // after chroot and chdir: setgroups(groups), setgid(gid), setuid(uid)
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    int group_count;
    const int *joined_namespaces;  // setns() into each (descriptors of /proc/PID/ns/*), after the mount namespace
    int joined_count;              // step and before the chroot: a process entering a running container (exec)
    int root_fd;                   // > 0: after joining, fchdir() here and chroot(".") (a /proc/PID/root descriptor)
    const cp_rlimit *rlimits;      // set in order before the user is taken (raising a hard limit needs root)
    int rlimit_count;
    int set_capabilities;          // before the user is taken: the bounding set cut to `capabilities` (root only),
    unsigned long long capabilities; // each of them required in it, the ambient set cleared; bit N: capability N
} cp_spawn_options;

// Which step of cp_spawn_at failed (its errno says how).
enum {
    CP_STEP_EXEC = 0,              // the exec, or any step not named here
    CP_STEP_MOUNT_NAMESPACE = 1,   // the mount namespace, or making its mounts slaves
    CP_STEP_USER = 2,              // setgroups, setgid or setuid
    CP_STEP_BIND = 16,             // CP_STEP_BIND + i: bind i
    CP_STEP_CONSOLE = 3,           // the pty of console_socket
    CP_STEP_NETWORK = 4,           // the network namespace or its loopback
    CP_STEP_CAPABILITIES = 5,      // the capability bounding set (set_capabilities)
    CP_STEP_RLIMIT = 1 << 19,      // CP_STEP_RLIMIT + i: rlimit i
    CP_STEP_FILESYSTEM = 1 << 20,  // CP_STEP_FILESYSTEM + i: fs step i
};

// Options with every descriptor inherited, the parent's process group, nothing ignored.
cp_spawn_options cp_spawn_options_default(void);

// Forks and execs. Returns 0 and sets *pid, or returns the errno of the failed exec/fork (the child
// has then been reaped). In the child every signal is set to default except the ignored ones, and unblocked
// except the blocked ones; every descriptor above 2 is closed.
int cp_spawn(const cp_spawn_options *options, pid_t *pid);
// cp_spawn that also says, on failure, which step failed (a CP_STEP_ value) in *step.
int cp_spawn_at(const cp_spawn_options *options, pid_t *pid, int *step);

// Ends the calling process by `sig` (its default action, unblocked, with no core dump: PR_SET_DUMPABLE 0 and
// RLIMIT_CORE 0), as a process killed by it. Returns only if the signal did not end it.
void cp_die_by_signal(int sig);

int cp_pidfd_open(pid_t pid);                    // -1 and errno on failure
int cp_pidfd_send_signal(int pidfd, int sig);    // -1 and errno on failure
// Blocks the given signals in the calling thread (call before any thread exists) and returns a
// non-blocking, close-on-exec signalfd that reads them; -1 on failure.
int cp_signalfd(const int *signals, int count);
// Reads one pending signal from a signalfd: its number, or 0 when none is pending.
int cp_signalfd_read(int fd, pid_t *sender);
// Opens a pseudo-terminal pair; returns 0 or errno.
int cp_openpty(int *master, int *slave);
// setns(fd, type): joins the namespace `fd` refers to (a /proc/PID/ns/* descriptor); 0 or errno.
int cp_setns(int fd, int type);
// Puts a terminal into raw mode, saving its previous mode in *saved (sizeof(struct termios) bytes).
int cp_tty_raw(int fd, void *saved, int saved_size);
int cp_tty_restore(int fd, const void *saved);
int cp_tty_winsize(int fd, unsigned short *rows, unsigned short *cols);
int cp_tty_set_winsize(int fd, unsigned short rows, unsigned short cols);
// unshare(CLONE_NEWPID): the next child of the caller is PID 1 of a new PID namespace. Returns 0
// and a descriptor of the caller's own PID namespace in *saved (for cp_restore_pid_namespace), or errno.
int cp_unshare_pid_namespace(int *saved);
// Makes the caller's later children be born in its own PID namespace again (setns on *saved), so
// that it can still fork after the new namespace's init has exited. Closes saved.
int cp_restore_pid_namespace(int saved);
// Receives one descriptor sent with SCM_RIGHTS over a unix socket (a console socket): it, or -1 and errno.
int cp_receive_descriptor(int socket);
// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): 0 or -1 and errno.
int cp_socketpair_cloexec(int fds[2]);
// pipe2(O_CLOEXEC): 0 or -1 and errno.
int cp_pipe_cloexec(int fds[2]);
// Exit status helpers (the macros are not importable).
int cp_wifexited(int status);
int cp_wexitstatus(int status);
int cp_wifsignaled(int status);
int cp_wtermsig(int status);
// Sends one datagram to a unix socket: a path, or an abstract name written with a leading '@' (as in
// systemd's NOTIFY_SOCKET). 0, or errno.
int cp_send_datagram(const char *address, const void *data, size_t length);
// gethostname into buf (NUL-terminated, truncated to size); 0 or errno.
int cp_hostname(char *buf, size_t size);
#endif
