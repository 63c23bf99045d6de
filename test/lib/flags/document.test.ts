import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLAG_DEFAULTS, FLAG_KEYS, type FlagDocument, parseFlagDocument } from '#lib/flags/document';
import { REPO_FLAGS_FILE } from '#lib/flags/source';

const parsed = (raw: unknown): FlagDocument => {
  const result = parseFlagDocument(raw, 'v-test');
  if (!result.ok) throw new Error(`expected a valid document, got: ${result.error}`);
  return result.document;
};

const refusal = (raw: unknown): string => {
  const result = parseFlagDocument(raw, 'v-test');
  if (result.ok) throw new Error('expected the document to be refused');
  return result.error;
};

describe("the repo's infra/flags/flags.json", () => {
  const hosted = JSON.parse(readFileSync(REPO_FLAGS_FILE, 'utf8'));

  it('is a valid hosted AppConfig feature-flag document defining and valuing every known flag', () => {
    expect(hosted.version).toBe('1');
    for (const key of FLAG_KEYS) {
      expect(hosted.flags[key], key).toMatchObject({
        name: expect.any(String),
        description: expect.any(String),
      });
      expect(Object.keys(hosted.flags[key].attributes).sort()).toEqual([
        'allowTenants',
        'denyTenants',
        'rolloutPercent',
        'subject',
      ]);
      expect(hosted.values[key], key).toBeDefined();
    }
    expect(parsed(hosted).flags).toEqual(FLAG_DEFAULTS.flags);
  });

  it('describes what curves-latest-corrections changes', () => {
    expect(hosted.flags['curves-latest-corrections'].description).toMatch(/_ingest_ts DESC/);
    expect(hosted.flags['curves-latest-corrections'].description).toMatch(/_ingest_ts ASC/);
  });
});

describe('parseFlagDocument', () => {
  const hosted = {
    version: '1',
    flags: {
      'v1-iso': {
        name: 'v1 ISO routes',
        attributes: { rolloutPercent: { constraints: { type: 'number' } } },
      },
      'scenario-outputs': { name: 'Scenario outputs' },
    },
    values: {
      'v1-iso': { enabled: true, rolloutPercent: 25.5, allowTenants: ['acme'], subject: 'tenant' },
      'scenario-outputs': { enabled: false, _updatedAt: '2025-01-01T00:00:00Z' },
    },
  };
  const evaluated = {
    'v1-iso': { enabled: true, rolloutPercent: 25.5, allowTenants: ['acme'], subject: 'tenant' },
    'scenario-outputs': { enabled: false },
  };

  it('normalises the hosted form and the evaluated form to the same document', () => {
    expect(parsed(hosted)).toEqual(parsed(evaluated));
    expect(parsed(evaluated).flags['v1-iso']).toEqual({
      enabled: true,
      rolloutPercent: 25.5,
      allowTenants: ['acme'],
      denyTenants: [],
      subject: 'tenant',
    });
  });

  it('fills the attributes AppConfig drops from a disabled flag', () => {
    expect(parsed(evaluated).flags['scenario-outputs']).toEqual({
      enabled: false,
      rolloutPercent: 100,
      allowTenants: [],
      denyTenants: [],
      subject: 'tenant',
    });
  });

  it('falls back to the default for a known key the document leaves out, and keeps unknown keys', () => {
    const document = parsed({ 'experimental-thing': { enabled: true, rolloutPercent: 5 } });
    expect(document.flags['v1-drought']).toEqual(FLAG_DEFAULTS.flags['v1-drought']);
    expect(document.flags['experimental-thing']).toMatchObject({ enabled: true, rolloutPercent: 5 });
    expect(document.version).toBe('v-test');
  });

  it('normalises tenant ids in the allow and deny lists', () => {
    expect(
      parsed({ 'v1-iso': { enabled: true, denyTenants: [' ACME ', 'Globex.EU'] } }).flags['v1-iso']
        ?.denyTenants,
    ).toEqual(['acme', 'globex.eu']);
  });

  it('accepts a rollout to the hundredth of a percent', () => {
    expect(
      parsed({ 'v1-iso': { enabled: true, rolloutPercent: 0.07 } }).flags['v1-iso']?.rolloutPercent,
    ).toBe(0.07);
  });

  it.each([
    ['a rollout over 100', { 'v1-iso': { enabled: true, rolloutPercent: 150 } }, 'v1-iso.rolloutPercent'],
    ['a negative rollout', { 'v1-iso': { enabled: true, rolloutPercent: -1 } }, 'v1-iso.rolloutPercent'],
    ['a rollout finer than 0.01', { 'v1-iso': { enabled: true, rolloutPercent: 12.345 } }, 'two decimals'],
    [
      'a rollout given as text',
      { 'v1-iso': { enabled: true, rolloutPercent: '50' } },
      'v1-iso.rolloutPercent',
    ],
    ['a missing kill switch', { 'v1-iso': { rolloutPercent: 50 } }, 'v1-iso.enabled'],
    [
      'a malformed tenant id',
      { 'v1-iso': { enabled: true, allowTenants: ['acme corp'] } },
      'v1-iso.allowTenants.0',
    ],
    ['an unknown subject', { 'v1-iso': { enabled: true, subject: 'organisation' } }, 'v1-iso.subject'],
    ['a flag key AppConfig would refuse', { 'V1 ISO': { enabled: true } }, 'V1 ISO'],
    ['a flag that is not an object', { 'v1-iso': true }, 'v1-iso'],
    ['a document that is not an object', ['v1-iso'], '(document)'],
    ['a hosted document of another schema version', { version: '2', flags: {} }, 'version'],
    [
      'a hosted value for a flag with no definition',
      { version: '1', flags: {}, values: { 'v1-iso': { enabled: true } } },
      'values.v1-iso',
    ],
  ])('refuses %s, naming where', (_name, raw, where) => {
    expect(refusal(raw)).toContain(where);
  });
});
