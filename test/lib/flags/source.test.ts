import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FLAG_DEFAULTS, FLAG_KEYS } from '#lib/flags/document';
import { CountingFlagMetrics } from '#lib/flags/metrics';
import { AppConfigAgentSource, createFlagSource, FileFlagSource, type FlagSnapshot } from '#lib/flags/source';
import { type FakeAppConfigAgent, startFakeAppConfigAgent } from '#test/support/fake-appconfig-agent';
import { eventually, RecordingLogger } from './recording-logger.ts';

const isoOff = { 'v1-iso': { enabled: false }, 'scenario-outputs': { enabled: true, rolloutPercent: 100 } };
const isoHalf = { 'v1-iso': { enabled: true, rolloutPercent: 50, denyTenants: ['globex'] } };

describe('AppConfigAgentSource', () => {
  let agent: FakeAppConfigAgent;
  let logger: RecordingLogger;
  let metrics: CountingFlagMetrics;

  beforeEach(async () => {
    agent = await startFakeAppConfigAgent({ application: 'aurum', environment: 'prod', profile: 'flags' });
    logger = new RecordingLogger();
    metrics = new CountingFlagMetrics();
  });
  afterEach(() => agent.close());

  const source = (options: { timeoutMs?: number; baseUrl?: string } = {}) =>
    new AppConfigAgentSource({
      application: 'aurum',
      environment: 'prod',
      profile: 'flags',
      baseUrl: options.baseUrl ?? agent.baseUrl,
      pollSeconds: 1,
      timeoutMs: options.timeoutMs ?? 500,
      logger,
      metrics,
    });

  it("serves the agent's document under the configuration version the agent reports", async () => {
    agent.serve(isoOff, { version: '7' });
    const snapshot = await source().current();
    expect(snapshot).toMatchObject({ source: 'appconfig', version: '7', fetchedAt: expect.any(Number) });
    expect(snapshot.lastError).toBeUndefined();
    expect(snapshot.document.flags['v1-iso']?.enabled).toBe(false);
    expect(snapshot.document.flags['v1-eia']).toEqual(FLAG_DEFAULTS.flags['v1-eia']);
    expect(metrics.readCount('appconfig')).toBe(1);
  });

  it('names the version by content hash when the agent sends none', async () => {
    agent.serve(isoOff);
    expect((await source().current()).version).toMatch(/^sha256:[0-9a-f]{12}$/);
  });

  it('asks the agent once per poll interval, and a new document takes effect after it', async () => {
    agent.serve(isoOff, { version: '1' });
    const flags = source();
    expect((await flags.current()).version).toBe('1');

    agent.serve(isoHalf, { version: '2' });
    const cached = await Promise.all([flags.current(), flags.current(), flags.current()]);
    expect(cached.map((snapshot) => snapshot.version)).toEqual(['1', '1', '1']);
    expect(agent.requests).toBe(1);

    const updated = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.version === '2',
    );
    expect(updated.document.flags['v1-iso']).toMatchObject({
      enabled: true,
      rolloutPercent: 50,
      denyTenants: ['globex'],
    });
    expect(agent.requests).toBe(2);
  });

  it('shares one agent request between concurrent first reads', async () => {
    agent.serve(isoOff, { version: '1' });
    const flags = source();
    const snapshots = await Promise.all(Array.from({ length: 10 }, () => flags.current()));
    expect(new Set(snapshots.map((snapshot) => snapshot.version))).toEqual(new Set(['1']));
    expect(agent.requests).toBe(1);
  });

  it('keeps the last good document through an outage, says why, and recovers', async () => {
    agent.serve(isoOff, { version: '1' });
    const flags = source();
    const good = await flags.current();

    agent.fail(500);
    const during = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.lastError !== undefined,
    );
    expect(during).toMatchObject({
      source: 'appconfig',
      version: '1',
      lastError: 'AppConfig agent answered HTTP 500',
    });
    expect(during.document).toEqual(good.document);
    expect(metrics.readFailureCount('appconfig', 'unreachable')).toBeGreaterThanOrEqual(1);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({ origin: 'appconfig', failure: 'unreachable', inForce: '1' }),
      }),
    );

    agent.serve(isoHalf, { version: '2' });
    const recovered = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.version === '2',
    );
    expect(recovered.lastError).toBeUndefined();
  });

  it('gives up on a hanging agent at the read timeout and keeps the last good document', async () => {
    agent.serve(isoOff, { version: '1' });
    const flags = source({ timeoutMs: 200 });
    await flags.current();

    agent.hang();
    const requestsBefore = agent.requests;
    const during = await eventually(
      async () => {
        const startedAt = Date.now();
        const snapshot = await flags.current();
        expect(Date.now() - startedAt).toBeLessThan(3_000);
        return snapshot;
      },
      (snapshot) => snapshot.lastError !== undefined,
    );
    expect(agent.requests).toBe(requestsBefore + 1);
    expect(during).toMatchObject({ version: '1', lastError: 'AppConfig agent did not answer within 200 ms' });
    expect(during.document.flags['v1-iso']?.enabled).toBe(false);
  });

  it('refuses a body that is not JSON, logs it once and keeps the last good document', async () => {
    agent.serve(isoOff, { version: '1' });
    const flags = source();
    await flags.current();

    agent.serveInvalidJson();
    const during = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.lastError !== undefined,
    );
    expect(during).toMatchObject({
      source: 'appconfig',
      version: '1',
      lastError: 'flag document is not valid JSON',
    });
    expect(during.document.flags['v1-iso']?.enabled).toBe(false);
    expect(metrics.readFailureCount('appconfig', 'invalid')).toBe(1);
    // Until the cached body expires, further reads neither re-validate nor re-log it.
    await flags.current();
    const errors = logger.entries.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.attributes).toMatchObject({ origin: 'appconfig', failure: 'invalid', inForce: '1' });
  });

  it('refuses a document that breaks the schema, naming the field', async () => {
    agent.serve(isoOff, { version: '1' });
    const flags = source();
    await flags.current();

    agent.serve({ 'v1-iso': { enabled: true, rolloutPercent: 150 } }, { version: '2' });
    const during = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.lastError !== undefined,
    );
    expect(during.version).toBe('1');
    expect(during.lastError).toMatch(/^flag document refused: v1-iso\.rolloutPercent/);
    expect(metrics.readFailureCount('appconfig', 'invalid')).toBe(1);
    expect(
      logger.entries.some((entry) => entry.level === 'error' && entry.attributes.reason === during.lastError),
    ).toBe(true);
  });

  it('hands out the defaults when the agent was never reached, without asking again every call', async () => {
    agent.fail(503);
    const flags = source();
    const snapshots: FlagSnapshot[] = [];
    for (let i = 0; i < 5; i++) snapshots.push(await flags.current());
    for (const snapshot of snapshots) {
      expect(snapshot).toMatchObject({
        source: 'defaults',
        version: 'defaults',
        fetchedAt: null,
        lastError: 'AppConfig agent answered HTTP 503',
      });
      expect(snapshot.document.flags).toEqual(FLAG_DEFAULTS.flags);
    }
    expect(agent.requests).toBe(1);
    expect(logger.entries.filter((entry) => entry.level === 'warn')).toHaveLength(1);
  });

  it('hands out the defaults when nothing listens on the agent port', async () => {
    const gone = await startFakeAppConfigAgent();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const snapshot = await source({ baseUrl }).current();
    expect(snapshot).toMatchObject({
      source: 'defaults',
      fetchedAt: null,
      lastError: 'AppConfig agent unreachable',
    });
    expect(snapshot.lastError).not.toContain('127.0.0.1');
  });
});

describe('FileFlagSource', () => {
  let directory: string;
  let path: string;
  let logger: RecordingLogger;
  let metrics: CountingFlagMetrics;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'aurum-flags-'));
    path = join(directory, 'flags.json');
    logger = new RecordingLogger();
    metrics = new CountingFlagMetrics();
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  const source = () => new FileFlagSource({ path, pollMs: 50, logger, metrics });

  it('picks up a change to the file without a restart', async () => {
    await writeFile(path, JSON.stringify(isoOff));
    const flags = source();
    const first = await flags.current();
    expect(first).toMatchObject({ source: 'file', version: expect.stringMatching(/^sha256:/) });
    expect(first.document.flags['v1-iso']?.enabled).toBe(false);

    await writeFile(path, JSON.stringify(isoHalf, null, 2));
    const changed = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.version !== first.version,
    );
    expect(changed.document.flags['v1-iso']).toMatchObject({ enabled: true, rolloutPercent: 50 });
    expect(metrics.readCount('file')).toBe(2);
  });

  it('keeps the last good document through an invalid edit, logs it once, and takes the fix', async () => {
    await writeFile(path, JSON.stringify(isoOff));
    const flags = source();
    const good = await flags.current();

    await writeFile(path, '{ "v1-iso": { "enabled": false, }');
    const during = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.lastError !== undefined,
    );
    expect(during).toMatchObject({
      source: 'file',
      version: good.version,
      lastError: 'flag document is not valid JSON',
    });
    expect(during.document).toEqual(good.document);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await flags.current();
    expect(logger.entries.filter((entry) => entry.level === 'error')).toHaveLength(1);
    expect(metrics.readFailureCount('file', 'invalid')).toBe(1);

    await writeFile(path, JSON.stringify({ 'v1-iso': { enabled: true, rolloutPercent: 12.5 } }));
    const fixed = await eventually(
      () => flags.current(),
      (snapshot) => snapshot.lastError === undefined,
    );
    expect(fixed.document.flags['v1-iso']?.rolloutPercent).toBe(12.5);
  });

  it('hands out the defaults when the file is missing', async () => {
    const snapshot = await source().current();
    expect(snapshot).toMatchObject({
      source: 'defaults',
      fetchedAt: null,
      lastError: 'flags file unreadable (ENOENT)',
    });
    expect(snapshot.document.flags).toEqual(FLAG_DEFAULTS.flags);
  });

  it("reads the repo's infra/flags/flags.json by default", async () => {
    const snapshot = await new FileFlagSource({ logger, metrics }).current();
    expect(snapshot.source).toBe('file');
    for (const key of FLAG_KEYS) expect(snapshot.document.flags[key], key).toEqual(FLAG_DEFAULTS.flags[key]);
  });
});

describe('createFlagSource', () => {
  let agent: FakeAppConfigAgent;
  beforeEach(async () => {
    agent = await startFakeAppConfigAgent({ application: 'aurum', environment: 'prod', profile: 'flags' });
    agent.serve(isoOff, { version: '42' });
  });
  afterEach(() => agent.close());

  it('reads AppConfig through the agent extension in Lambda', async () => {
    const source = createFlagSource(
      {
        AWS_LAMBDA_FUNCTION_NAME: 'aurum-curves',
        AURUM_APPCONFIG_APPLICATION: 'aurum',
        AURUM_APPCONFIG_ENVIRONMENT: 'prod',
        AURUM_APPCONFIG_PROFILE: 'flags',
        AWS_APPCONFIG_EXTENSION_HTTP_PORT: new URL(agent.baseUrl).port,
      },
      { logger: new RecordingLogger() },
    );
    expect(source).toBeInstanceOf(AppConfigAgentSource);
    expect(await source.current()).toMatchObject({ source: 'appconfig', version: '42' });
  });

  it('reads the file named by AURUM_FLAGS_FILE outside Lambda', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'aurum-flags-'));
    try {
      const path = join(directory, 'flags.json');
      await writeFile(path, JSON.stringify(isoOff));
      const source = createFlagSource(
        { AURUM_APPCONFIG_APPLICATION: 'aurum', AURUM_FLAGS_FILE: path },
        { logger: new RecordingLogger() },
      );
      expect(source).toBeInstanceOf(FileFlagSource);
      expect((await source.current()).document.flags['v1-iso']?.enabled).toBe(false);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('logs a half-configured AppConfig and falls back to the file', () => {
    const logger = new RecordingLogger();
    const source = createFlagSource(
      {
        AWS_LAMBDA_FUNCTION_NAME: 'aurum-curves',
        AURUM_APPCONFIG_APPLICATION: 'aurum',
        AURUM_FLAGS_POLL_SECONDS: 'soon',
      },
      { logger },
    );
    expect(source).toBeInstanceOf(FileFlagSource);
    expect(logger.entries.map((entry) => entry.level)).toEqual(['warn', 'error']);
    expect(logger.entries[1]?.attributes.missing).toEqual([
      'AURUM_APPCONFIG_ENVIRONMENT',
      'AURUM_APPCONFIG_PROFILE',
    ]);
  });
});
