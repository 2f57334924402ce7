/** What the CLI's exit status means; `--help` prints this table and the README repeats it. */
export const EXIT = Object.freeze({
  /** Done; for `sink` and `bridge`, stopped by SIGINT or SIGTERM after draining. */
  ok: 0,
  /** Ran to the end, but not all of it succeeded: replay left messages undelivered or lines unread, plan check found violations. */
  incomplete: 1,
  /** The command line or an option is wrong: unknown command or option, a bad value, a missing write key or file. */
  usage: 2,
  /** Could not run: the system refused (port in use, permission denied) or an unexpected error. */
  failed: 3,
});

/** The exit codes as `--help` shows them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  done (sink, bridge: stopped by SIGINT or SIGTERM)
  1  ran, but not all of it succeeded (replay: messages not delivered or lines that are
     not messages; plan check: violations)
  2  the command line or an option is wrong (unknown option, bad value, missing key or file)
  3  could not run (port in use, permission denied, an unexpected error)`;
