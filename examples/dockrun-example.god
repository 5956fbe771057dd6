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
  w.name = "dockrun-example"
  # --name: one container per watch. --replace: a container of that name left by a crash is removed first, so a
  # restart never fails with "name already in use" (125). --rm: dockrun removes the container itself, after it has
  # read the exit code. --stop-timeout: docker stop's grace before KILL.
  command = ["/usr/local/bin/dockrun", "--rm", "--replace", "--name", "dockrun-example", "--stop-timeout", "10",
             "busybox:latest", "sh", "-c", 'trap "echo stopping; exit 0" TERM; echo started; while :; do sleep 1 & wait $!; done']
  # god 0.13 takes w.start only as a string, and runs one with shell characters under `sh -c`, then watches the
  # shell's PID: its stop signal would reach the shell and dockrun would run on. `exec` makes the shell become
  # dockrun, so the PID god watches and signals is dockrun's.
  w.start = "exec #{command.shelljoin}"
  w.log = "/var/log/dockrun-example.log"
  # dockrun turns TERM into one docker stop: the container's own trap runs.
  w.stop_signal = "TERM"
  # god SIGKILLs dockrun (dockrun alone) after this. More than --stop-timeout (10 s) plus docker's kill and the
  # removal, so that it comes only when dockrun itself hangs; dockrun's guardian then still stops and removes the
  # container. god has no ExecStopPost=: should the guardian die too (the machine went down), `dockrun reap` at boot
  # (examples/dockrun-reap.service) stops and removes what is left.
  w.stop_timeout = 30.seconds
  # Started when god starts, and started again as soon as dockrun exits (the container did). As root god hears of
  # the exit from the kernel (netlink process events) and logs the raw wait status (`exit_code=>768` for exit 3);
  # it never reaps dockrun itself (it double-forks the command). Without those events it polls every interval.
  w.keepalive(interval: 5.seconds)
end
