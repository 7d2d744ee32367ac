/**
 * Starting ExifTool so that it ends with the process that started it, however that process ends.
 *
 * `exiftool -stay_open True -@ -` does not exit when its stdin closes: at end of file it polls the argument file every
 * 10 ms forever (measured in the bundled script's ReadStayOpen). So a parent killed with SIGKILL, or one that exits
 * without ending the tool, leaves a ~55 MB Perl process behind with PPID 1. The wrapper below forks a tiny watcher
 * and then execs Perl on ExifTool in the original process (same pid and pipes, so exiftool-vendored sees no
 * difference); the watcher checks every 200 ms that the starting process is alive and sends ExifTool SIGTERM when
 * it is not, and leaves as soon as ExifTool itself has gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * How long ExifTool may outlive a killed owner: the watcher looks every 200 ms. A host that killed an engine mid-write
 * waits this long before its last clean-up, because ExifTool may still rename its edit over the temp file.
 */
export const EXIFTOOL_WATCH_MS = 200;

const WATCHDOG = [
  'my $owner = getppid(); my $tool = $$;',
  'my $pid = fork();',
  'if (defined $pid && $pid == 0) {',
  '  open(STDIN, "<", "/dev/null"); open(STDOUT, ">", "/dev/null"); open(STDERR, ">", "/dev/null");',
  `  while (1) { select(undef, undef, undef, ${EXIFTOOL_WATCH_MS / 1000}); exit 0 if getppid() != $tool; unless (kill(0, $owner)) { kill("TERM", $tool); exit 0; } }`,
  '}',
  'exec { $^X } $^X, @ARGV or die "cannot run exiftool: $!";',
].join('\n');

/**
 * Spawns `perl <exiftool> <args>` behind the watchdog; the process factory for exiftool-vendored on POSIX systems.
 * (Windows runs exiftool.exe, which the OS job of the app ends.)
 */
export function spawnWatchedExifTool(perl: string, exiftool: string, args: readonly string[]): ChildProcess {
  return spawn(perl, ['-e', WATCHDOG, exiftool, ...args], { stdio: 'pipe', shell: false, detached: false, env: { ...process.env, LANG: 'C' } });
}
