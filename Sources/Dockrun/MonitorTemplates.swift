/// The examples of examples/ as templates, the one copy of their text: `dockrun generate` renders them for a run,
/// and GenerateTests renders them for the example's own run and compares with the files of examples/, which the
/// monitor tests run under the real monitors. `{{key}}` is a value of `Generate.values` (its quoting is the file's).
enum MonitorTemplates {
    /// examples/dockrun-example.supervisord.conf.
    static let supervisord = #"""
; A container as a supervisord program, through dockrun: a stop runs the container's own shutdown, its exit code is
; the program's, and nothing is left even when supervisord has to SIGKILL.
;
;   bash scripts/install.sh                                   # /usr/local/bin/dockrun
;   dockrun generate supervisord --rm --replace --name NAME [OPTIONS] IMAGE [COMMAND] > /etc/supervisor/conf.d/NAME.conf
;   supervisorctl update
;
; Printed by `dockrun generate supervisord` with the arguments of command= below. For the example's run it is
; examples/dockrun-example.supervisord.conf, tested as it is under a real supervisord by
; Tests/Monitors/test_supervisord.py (docs/monitors.md).

[program:{{name}}]
; --name: one container per program. --replace: a container of that name left by a crash is removed first, so a
; restart never fails with "name already in use" (125). --rm: dockrun removes the container itself, after it has
; read the exit code. --stop-timeout: docker stop's grace before KILL.
command={{dockrun}} {{arguments}}
; dockrun turns TERM into one docker stop: the container's own trap runs and dockrun exits with its code.
stopsignal=TERM
; More than --stop-timeout ({{stop_timeout}} s) plus docker's kill and the removal, so that supervisord's SIGKILL comes only when
; dockrun itself hangs; dockrun's guardian then still stops and removes the container.
stopwaitsecs={{stop_wait}}
; The TERM and the SIGKILL go to dockrun's process group. dockrun's docker clients have groups of their own, so
; dockrun still sees exactly one stop and decides it; a wrapper script in front of dockrun is reached too. The
; guardian has a session of its own: a SIGKILL of the group does not reach it, which is what it is there for.
; supervisord has no ExecStopPost=: should the guardian die too (the machine went down), `dockrun reap` at boot
; (examples/dockrun-reap.service) stops and removes what is left.
stopasgroup=true
killasgroup=true
; dockrun exits with the container's code: 0 is a job done; anything else (3, 137, docker's 125) is restarted.
autorestart=unexpected
exitcodes=0
; dockrun fails within a second when docker refuses the run (image missing, a bad option: 125): that is a failed
; start, given up after startretries. A container that ran for a second or more is restarted each time it exits.
startsecs=1
startretries=3
redirect_stderr=true
stdout_logfile=/var/log/supervisor/{{name}}.log

"""#

    /// examples/dockrun-example.god.
    static let god = #"""
# A container watched by god, through dockrun: a stop runs the container's own shutdown, an exit is restarted, and
# nothing is left even when god has to SIGKILL.
#
#   bash scripts/install.sh                                   # /usr/local/bin/dockrun
#   dockrun generate god --rm --replace --name NAME [OPTIONS] IMAGE [COMMAND] > NAME.god
#   god -c NAME.god                                           # or `god load` it into a god already running
#
# Printed by `dockrun generate god` with the arguments of the command below. For the example's run it is
# examples/dockrun-example.god, tested as it is under a real god by Tests/Monitors/test_god.py (docs/monitors.md).
require "shellwords"
require "timeout"

# Debian's god 0.13.7 calls the Kernel#timeout that Ruby 3 removed: on Ruby 3 every process_running check of a live
# process raises NoMethodError, the watch never gets past 'start', and a dockrun that exits is never started
# again. This gives god that method back.
unless God::System::SlashProcPoller.respond_to?(:timeout, true)
  God::System::SlashProcPoller.define_singleton_method(:timeout) { |seconds, &block| Timeout.timeout(seconds, &block) }
end

God.watch do |w|
  w.name = "{{name}}"
  # --name: one container per watch. --replace: a container of that name left by a crash is removed first, so a
  # restart never fails with "name already in use" (125). --rm: dockrun removes the container itself, after it has
  # read the exit code. --stop-timeout: docker stop's grace before KILL.
  command = [{{dockrun}}, {{arguments}}]
  # god 0.13 takes w.start only as a string, and runs one with shell characters under `sh -c`, then watches the
  # shell's PID: its stop signal would reach the shell and dockrun would run on. `exec` makes the shell become
  # dockrun, so the PID god watches and signals is dockrun's.
  w.start = "exec #{command.shelljoin}"
  w.log = "/var/log/{{name}}.log"
  # dockrun turns TERM into one docker stop: the container's own trap runs.
  w.stop_signal = "TERM"
  # god SIGKILLs dockrun (dockrun alone) after this. More than --stop-timeout ({{stop_timeout}} s) plus docker's kill and the
  # removal, so that it comes only when dockrun itself hangs; dockrun's guardian then still stops and removes the
  # container. god has no ExecStopPost=: should the guardian die too (the machine went down), `dockrun reap` at boot
  # (examples/dockrun-reap.service) stops and removes what is left.
  w.stop_timeout = {{stop_wait}}.seconds
  # Started when god starts, and started again as soon as dockrun exits (the container did). As root god hears of
  # the exit from the kernel (netlink process events) and logs the raw wait status (`exit_code=>768` for exit 3);
  # it never reaps dockrun itself (it double-forks the command). Without those events it polls every interval.
  w.keepalive(interval: 5.seconds)
end

"""#

    /// The end of runit's and s6's ./run: the run itself, and why it has the options it has.
    private static let serviceExec = #"""
# --name: one container per service, which ./finish cleans up by name. --replace: a container of that name left by a
# crash is removed first, so a restart never fails with "name already in use" (125). --rm: dockrun removes the
# container itself, after it has read the exit code. --stop-timeout: docker stop's grace before KILL.
exec {{dockrun}} {{arguments}}

"""#

    /// examples/runit/run.
    static let runitRun = #"""
#!/bin/sh
# A container as a runit service, through dockrun: a stop runs the container's own shutdown, ./finish is told how
# it ended, and nothing is left even when runit has to SIGKILL. This is ./run of the service directory:
#
#   bash scripts/install.sh                                   # /usr/local/bin/dockrun
#   dockrun generate runit --rm --replace --name NAME [OPTIONS] IMAGE [COMMAND] | sh -s /etc/sv/NAME
#   ln -s /etc/sv/NAME /etc/service/                          # runsvdir starts it
#   sv -w {{stop_wait}} stop NAME                                        # sv force-stop: SIGKILL after the {{stop_wait}} s
#
# Printed by `dockrun generate runit` with the arguments of the exec line below. For the example's run it is
# examples/runit/, tested as it is under a real runsvdir by Tests/Monitors/test_runit.py (docs/monitors.md).

# The container's stderr goes with its stdout to the log service (log/run).
exec 2>&1
# exec: the shell becomes dockrun, so dockrun is the process runsv supervises and signals. `sv stop` sends it TERM
# (then CONT, which dockrun passes to the container: harmless), and dockrun turns the TERM into one docker stop: the
# container's own trap runs and dockrun exits with its code. runsv never SIGKILLs on its own; `sv force-stop` does,
# after sv's wait (-w, default 7 s): make it more than --stop-timeout ({{stop_timeout}} s) plus docker's kill and the removal
# ({{stop_wait}} s), so the SIGKILL comes only when dockrun itself hangs; dockrun's guardian then still stops and removes the
# container.
\#(serviceExec)
"""#

    /// examples/runit/finish.
    static let runitFinish = #"""
#!/bin/sh
# Runs after every end of ./run, however it ended, before runsv starts ./run again (unless the service is down).
# runsv gives it how dockrun ended: $1 is dockrun's exit code, which is the container's (-1 when dockrun died of a
# signal: dockrun ends by the signal its container died of, and a SIGKILL of dockrun ends it by SIGKILL), and $2 the
# signal's number (0 when dockrun exited).
echo "{{name}} ended: exit code $1, signal $2"
# As systemd's ExecStopPost=: after a SIGKILL of dockrun (`sv force-stop`, `sv kill`) its guardian stops and
# removes the container; should the guardian be gone too, this does it. The run's --rm and --name, with --cleanup:
# it exits 0, at once, when dockrun has left nothing. A machine that went down runs no ./finish: `dockrun reap` at
# boot (examples/dockrun-reap.service) stops and removes what is left.
exec {{dockrun}} {{cleanup}}

"""#

    /// examples/runit/log/run.
    static let runitLog = #"""
#!/bin/sh
# The log service: runsv pipes ./run's and ./finish's output into it. svlogd keeps it in $dir/current, each line
# stamped with its time (-tt), and rotates it.
dir=/var/log/{{name}}
mkdir -p "$dir"
exec svlogd -tt "$dir"

"""#

    /// examples/s6/run.
    static let s6Run = #"""
#!/bin/sh
# A container as an s6 service, through dockrun: a stop runs the container's own shutdown, ./finish is told how it
# ended, and nothing is left even when s6 has to SIGKILL. This is ./run of the service directory:
#
#   bash scripts/install.sh                                   # /usr/local/bin/dockrun
#   dockrun generate s6 --rm --replace --name NAME [OPTIONS] IMAGE [COMMAND] | sh -s /etc/s6/sv/NAME
#   ln -s /etc/s6/sv/NAME /run/service/ && s6-svscanctl -a /run/service     # the directory s6-svscan scans
#   s6-svc -wD -d /run/service/NAME                           # stop it; -wD: return once ./finish has run
#
# Printed by `dockrun generate s6` with the arguments of the exec line below. For the example's run it is
# examples/s6/, tested as it is under a real s6-svscan by Tests/Monitors/test_s6.py (docs/monitors.md).

# The container's stderr goes with its stdout to the log service (log/run).
exec 2>&1
# exec: the shell becomes dockrun, so dockrun is the process s6-supervise supervises and signals. `s6-svc -d` sends
# it TERM (then CONT, which dockrun passes to the container: harmless), and dockrun turns the TERM into one docker
# stop: the container's own trap runs and dockrun exits with its code. s6-supervise SIGKILLs dockrun when it is
# still there after ./timeout-kill milliseconds ({{stop_wait_ms}}: more than --stop-timeout, {{stop_timeout}} s, plus docker's kill and
# the removal, so only when dockrun itself hangs); `s6-svc -k` SIGKILLs it at once. Either way dockrun's guardian
# still stops and removes the container.
\#(serviceExec)
"""#

    /// examples/s6/finish.
    static let s6Finish = #"""
#!/bin/sh
# Runs after every end of ./run, however it ended, before s6-supervise starts ./run again (unless the service is
# down). s6-supervise gives it how dockrun ended: $1 is dockrun's exit code, which is the container's (256 when
# dockrun died of a signal: dockrun ends by the signal its container died of, and a SIGKILL of dockrun ends it by
# SIGKILL), and $2 the signal's number. s6-supervise kills ./finish after ./timeout-finish milliseconds (5000 when
# absent): {{stop_wait_ms}} here, room for the stop of a container that ignores TERM.
echo "{{name}} ended: exit code $1, signal $2"
# As systemd's ExecStopPost=: after a SIGKILL of dockrun (`s6-svc -k`, ./timeout-kill) its guardian stops and
# removes the container; should the guardian be gone too, this does it. The run's --rm and --name, with --cleanup:
# it exits 0, at once, when dockrun has left nothing. A machine that went down runs no ./finish: `dockrun reap` at
# boot (examples/dockrun-reap.service) stops and removes what is left.
exec {{dockrun}} {{cleanup}}

"""#

    /// examples/s6/log/run.
    static let s6Log = #"""
#!/bin/sh
# The log service: s6-svscan pipes ./run's and ./finish's output into it. s6-log keeps it in $dir/current, each
# line stamped with its time (T), and rotates it.
dir=/var/log/{{name}}
mkdir -p "$dir"
exec s6-log T "$dir"

"""#

    /// examples/s6/timeout-kill and examples/s6/timeout-finish (their reasons are in ./run and ./finish).
    static let s6Milliseconds = "{{stop_wait_ms}}\n"
}
