// Child of exiftool-orphans.test.ts: starts the metadata ExifTool, says so, then waits to be killed.
import { metadataTool } from '../../src-main/imaging/metadata';

void metadataTool()
  .version()
  .then((v) => {
    process.stdout.write(`ready ${v}\n`);
    setInterval(() => undefined, 1000);
  });
