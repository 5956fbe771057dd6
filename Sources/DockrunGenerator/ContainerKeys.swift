/// Every key of Quadlet's `[Container]` section (podman-systemd.unit(5)), and `DockerArgs=` of ours: what
/// each becomes in `docker run`, or why it is refused. One table, which the docs' table (docs/quadlet.md)
/// follows and a unit test holds it to; a key in no row is unknown.
public enum ContainerKey: Equatable, Sendable {
    /// `--option VALUE`, the value as one word (repeatable keys give one option each).
    case option(String)
    /// The value is a list of words (systemd's quoting): `--option WORD` for each.
    case words(String)
    /// The value is a list of `KEY=VALUE` words, as systemd's `Environment=`: `--option KEY=VALUE` for each.
    case assignments(String)
    /// A boolean: these arguments when true, nothing when false.
    case flag([String])
    /// `--option PREFIXVALUE` (the `--security-opt` family).
    case prefixed(String, String)
    /// A rule of its own in `ContainerCommand` (the image, the command, names, readiness, paths…).
    case special
    /// Not mapped: the reason, said in the file's message.
    case refused(String)

    public static let table: [String: ContainerKey] = [
        "AddCapability": .words("--cap-add"),
        "AddDevice": .special,
        "AddHost": .option("--add-host"),
        "Annotation": .assignments("--annotation"),
        "AppArmor": .prefixed("--security-opt", "apparmor="),
        "AutoUpdate": .refused("podman auto-update has no docker counterpart"),
        "CgroupsMode": .refused("it is conmon's cgroup layout; the docker engine places the container itself"),
        "ContainerName": .special,
        "ContainersConfModule": .refused("containers.conf modules are podman's"),
        "DNS": .option("--dns"),
        "DNSOption": .option("--dns-option"),
        "DNSSearch": .option("--dns-search"),
        "DockerArgs": .special,
        "DropCapability": .words("--cap-drop"),
        "Entrypoint": .special,
        "Environment": .assignments("--env"),
        "EnvironmentFile": .special,
        "EnvironmentHost": .refused("docker run has no --env-host"),
        "Exec": .special,
        "ExposeHostPort": .option("--expose"),
        "GIDMap": .refused(userNamespaces),
        "GlobalArgs": .refused("docker's global settings are variables: give DOCKER_HOST or DOCKER_CONTEXT in "
                               + "[Service] Environment="),
        "Group": .special,
        "GroupAdd": .option("--group-add"),
        "HealthCmd": .special,
        "HealthInterval": .special,
        "HealthLogDestination": .refused(healthLog),
        "HealthMaxLogCount": .refused(healthLog),
        "HealthMaxLogSize": .refused(healthLog),
        "HealthOnFailure": .special,
        "HealthRetries": .option("--health-retries"),
        "HealthStartPeriod": .option("--health-start-period"),
        "HealthStartupCmd": .refused(startupHealth),
        "HealthStartupInterval": .refused(startupHealth),
        "HealthStartupRetries": .refused(startupHealth),
        "HealthStartupSuccess": .refused(startupHealth),
        "HealthStartupTimeout": .refused(startupHealth),
        "HealthTimeout": .option("--health-timeout"),
        "HostName": .option("--hostname"),
        "HttpProxy": .refused("docker run has no --http-proxy"),
        "IP": .option("--ip"),
        "IP6": .option("--ip6"),
        "Image": .special,
        "Label": .assignments("--label"),
        "LogDriver": .option("--log-driver"),
        "LogOpt": .option("--log-opt"),
        "Mask": .refused("docker has no per-path masks (--security-opt systempaths=unconfined lifts them all: "
                         + "DockerArgs=)"),
        "Memory": .option("--memory"),
        "Mount": .special,
        "Network": .special,
        "NetworkAlias": .option("--network-alias"),
        "NoNewPrivileges": .flag(["--security-opt", "no-new-privileges"]),
        "Notify": .special,
        "PidsLimit": .option("--pids-limit"),
        "Pod": .refused("docker has no pods"),
        "PodmanArgs": .refused("it holds podman's options; give docker run's in DockerArgs= (words added to "
                               + "docker run)"),
        "PublishPort": .option("--publish"),
        "Pull": .option("--pull"),
        "ReadOnly": .special,
        "ReadOnlyTmpfs": .special,
        "ReloadCmd": .refused("give ExecReload= in [Service] (ReloadSignal= is supported)"),
        "ReloadSignal": .special,
        "RemapGid": .refused(userNamespaces),
        "RemapUid": .refused(userNamespaces),
        "RemapUidSize": .refused(userNamespaces),
        "RemapUsers": .refused(userNamespaces),
        "Retry": .refused("docker's pull has no retries"),
        "RetryDelay": .refused("docker's pull has no retries"),
        "Rootfs": .refused("docker runs images only"),
        "RunInit": .flag(["--init"]),
        "SeccompProfile": .prefixed("--security-opt", "seccomp="),
        "Secret": .refused("docker's secrets belong to swarm services, not to docker run"),
        "SecurityLabelDisable": .flag(["--security-opt", "label=disable"]),
        "SecurityLabelFileType": .refused("docker's --security-opt label= has no filetype"),
        "SecurityLabelLevel": .prefixed("--security-opt", "label=level:"),
        "SecurityLabelNested": .refused("docker's --security-opt label= has no nested"),
        "SecurityLabelType": .prefixed("--security-opt", "label=type:"),
        "ServiceName": .special,
        "ShmSize": .option("--shm-size"),
        "StartWithPod": .refused("docker has no pods"),
        "StopSignal": .option("--stop-signal"),
        "StopTimeout": .special,
        "SubGIDMap": .refused(userNamespaces),
        "SubUIDMap": .refused(userNamespaces),
        "Sysctl": .words("--sysctl"),
        "Timezone": .refused("docker run has no --tz: give Environment=TZ=… or "
                             + "Volume=/etc/localtime:/etc/localtime:ro"),
        "Tmpfs": .option("--tmpfs"),
        "UIDMap": .refused(userNamespaces),
        "Ulimit": .option("--ulimit"),
        "Unmask": .refused("docker has no per-path masks (--security-opt systempaths=unconfined lifts them all: "
                           + "DockerArgs=)"),
        "User": .special,
        "UserNS": .option("--userns"),
        "VolatileTmp": .refused("Quadlet deprecated it: give Tmpfs=/tmp"),
        "Volume": .special,
        "WorkingDir": .option("--workdir"),
    ]

    private static let userNamespaces = "docker maps users daemon-wide (userns-remap), not per container"
    private static let healthLog = "docker keeps the last results in the container's state and has no option for it"
    private static let startupHealth = "docker has no startup health check (HealthStartPeriod= is the nearest)"
}
