import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagLogger } from '#lib/flags/source';
import { AppConfigAgentSource, FileFlagSource } from '#lib/flags/source';
import { flagsCheck } from '#lib/health/flags-check';
import { type FakeAppConfigAgent, startFakeAppConfigAgent } from '#test/support/fake-appconfig-agent';

const quiet: FlagLogger = { warn: () => {}, error: () => {} };
let dir: string;
let agent: FakeAppConfigAgent;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aurum-flags-check-'));
  agent = await startFakeAppConfigAgent({ application: 'aurum', environment: 'prod', profile: 'flags' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await agent.close();
});

const agentSource = (baseUrl = agent.baseUrl) =>
  new AppConfigAgentSource({
    application: 'aurum',
    environment: 'prod',
    profile: 'flags',
    baseUrl,
    timeoutMs: 300,
    logger: quiet,
  });

describe('flagsCheck', () => {
  it("is ok with the repo's flags file, naming the source and version", async () => {
    const result = await flagsCheck(async () => new FileFlagSource({ logger: quiet })).check(
      Date.now() + 1_000,
    );
    expect(result.status).toBe('ok');
    expect(result.detail).toMatch(/^file version \S+$/);
  });

  it('stays ok, saying so, while an earlier good document is in force and the latest read fails', async () => {
    const path = join(dir, 'flags.json');
    await writeFile(path, JSON.stringify({ 'v1-iso': { enabled: false } }));
    const source = new FileFlagSource({ path, pollMs: 0, logger: quiet });
    expect((await flagsCheck(async () => source).check(Date.now() + 1_000)).status).toBe('ok');
    await writeFile(path, '{"v1-iso": {');
    const result = await flagsCheck(async () => source).check(Date.now() + 1_000);
    expect(result.status).toBe('ok');
    expect(result.detail).toMatch(/^file version \S+; latest read failed \(invalid document\)$/);
  });

  it('fails when only the built-in defaults are served because the file cannot be read', async () => {
    const source = new FileFlagSource({ path: join(dir, 'missing.json'), logger: quiet });
    const result = await flagsCheck(async () => source).check(Date.now() + 1_000);
    expect(result).toMatchObject({
      status: 'failed',
      detail: 'serving built-in defaults (unreachable)',
    });
  });

  it('is ok with the AppConfig agent’s document and fails when the agent refuses from the start', async () => {
    agent.serve({ 'v1-iso': { enabled: true } }, { version: '12' });
    expect(await flagsCheck(async () => agentSource()).check(Date.now() + 1_000)).toMatchObject({
      status: 'ok',
      detail: 'appconfig version 12',
    });
    agent.fail(503);
    expect(await flagsCheck(async () => agentSource()).check(Date.now() + 1_000)).toMatchObject({
      status: 'failed',
      detail: 'serving built-in defaults (unreachable)',
    });
  });

  it('fails without naming the agent address when nothing listens there', async () => {
    const result = await flagsCheck(async () => agentSource('http://127.0.0.1:9')).check(Date.now() + 1_000);
    expect(result.status).toBe('failed');
    expect(result.detail).toBe('serving built-in defaults (unreachable)');
  });
});
