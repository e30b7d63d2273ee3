import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// test/dist/soak/ -> test/soak/soak.mjs
const SOAK = fileURLToPath(new URL('../../soak/soak.mjs', import.meta.url));

describe('soak script', () => {
  it('a 20-s soak of source -> map -> sink delivers every electron and scrapes every /metrics (no memory verdict)', async () => {
    const child = spawn(process.execPath, [SOAK, '--duration-s', '20', '--warmup-s', '5', '--scrape-s', '5', '--rate', '2000', '--no-write', '--no-memory-check'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /delivery complete/);
    assert.match(output, /\| map \| \d+\.\d \|/);
  });
});
