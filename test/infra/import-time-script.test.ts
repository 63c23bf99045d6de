import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NODE_OPTIONS } from '#infra/constructs/function-bundling';
import { importTimeEnv, importTimeScript } from '../../bench/cold-start.ts';

const run = promisify(execFile);

/**
 * Loaded before the bench's script: counts the calls of performance.now() and reports, on stderr, how many
 * there had been when process.stdout was first read (Node creates the stream then), without creating it.
 */
const WATCH_STDOUT = `import { writeSync } from 'node:fs';
writeSync(2, 'source maps ' + (process.sourceMapsEnabled ? 'on' : 'off') + '\\n');
const now = performance.now.bind(performance);
let calls = 0;
performance.now = () => { calls++; return now(); };
const stream = Object.getOwnPropertyDescriptor(process, 'stdout');
Object.defineProperty(process, 'stdout', {
  configurable: true,
  enumerable: stream.enumerable,
  get() {
    writeSync(2, 'stdout first read after ' + calls + ' clock reads\\n');
    Object.defineProperty(process, 'stdout', stream);
    return stream.get.call(process);
  },
});`;

describe('the cold-start bench’s import timing script', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aurum-import-script-'));
    writeFileSync(join(dir, 'empty.mjs'), 'export const handler = () => 1;\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs with the functions’ Node options, and stops the clock before it creates process.stdout', async () => {
    expect(importTimeEnv().NODE_OPTIONS).toBe(FUNCTION_NODE_OPTIONS);
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(WATCH_STDOUT)}`,
        '--input-type=module',
        '-e',
        importTimeScript(join(dir, 'empty.mjs')),
      ],
      { env: importTimeEnv() },
    );
    // As deployed: Node reads each loaded module's source map at import.
    expect(stderr).toContain('source maps on');
    // Both clock reads (start and end) came before the stream existed, so its creation is in no module's time.
    expect(stderr).toContain('stdout first read after 2 clock reads');
    expect(Number(stdout)).toBeGreaterThan(0);
  });
});
