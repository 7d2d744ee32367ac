/**
 * The examples `revive --help` and each command's `--help` end with: the commands a person would type first, each
 * with what it does. Kept in one table so the top-level list and the commands' own lists say the same thing.
 */

/** Examples per command ('' = the top level), as [command line, what it does]. */
export const EXAMPLES: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  '': [
    ['revive enhance photo.jpg', 'restore and enlarge one photo 4×, result next to it'],
    ['revive enhance scans/ -r -s 2 -o restored/', 'a folder and its subfolders, 2×, into restored/'],
    ['revive queue list', 'batches waiting in the queue'],
    ['revive resume', 'continue a batch that was interrupted'],
    ['revive models', 'the installed models'],
    ['revive serve', 'the Revive interface in a browser'],
  ],
  enhance: [
    ['revive enhance photo.jpg', '4× with the default model, result next to the photo'],
    ['revive enhance scans/ -r -s 2 -o restored/', 'a folder and its subfolders, 2×, into restored/'],
    ['revive enhance photo.jpg -f png --name "{name}_{model}_{scale}x"', 'PNG, named photo_<model>_4x.png'],
    ['revive enhance old.tif --metadata no-gps --suffix _web', 'drop the GPS position, named old_web.tif'],
  ],
  queue: [
    ['revive queue list', 'unfinished batches: id, photos waiting, model, scale'],
    ['revive queue drop 12', 'drop batch 12 (its photos are not made)'],
    ['revive queue clear', 'drop every waiting batch'],
  ],
  models: [
    ['revive models', 'installed packs with their speed, size and licence'],
    ['revive models add ~/Downloads/osediff-pack', 'install a pack from a folder (or an http(s) URL)'],
    ['revive models remove osediff-sd21', 'remove a pack you installed'],
  ],
  resume: [['revive resume', 'continue every unfinished batch; photos already made are kept']],
  history: [
    ['revive history', 'the 50 latest results'],
    ['revive history beach --failed', 'photos named like "beach" that failed'],
    ['revive history --camera canon --taken-from 1987 --json', 'by camera and date, as JSON lines'],
  ],
  serve: [
    ['revive serve', 'open the printed URL in a browser on this machine'],
    ['revive serve -p 8080 --output-root ~/Pictures', 'another port; results only under ~/Pictures'],
  ],
};

/** The "Examples:" block for a command ('' = the top level), as commander's addHelpText appends it. */
export function examplesText(command: string): string {
  const rows = EXAMPLES[command] ?? [];
  if (!rows.length) return '';
  const width = Math.max(...rows.map(([line]) => line.length));
  return `\nExamples:\n${rows.map(([line, what]) => `  ${line.padEnd(width)}  # ${what}`).join('\n')}\n`;
}
