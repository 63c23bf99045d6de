import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlagValue } from '#lib/flags/document';
import { evaluateFlag, rolloutBucket } from '#lib/flags/evaluate';

const flag = (overrides: Partial<FlagValue> = {}): FlagValue => ({
  enabled: true,
  rolloutPercent: 100,
  allowTenants: [],
  denyTenants: [],
  subject: 'tenant',
  ...overrides,
});

describe('rolloutBucket', () => {
  it('is the first 4 bytes of sha256(key:subject) mod 10000, the same in every process', () => {
    // Pinned: changing the hash would reshuffle every cohort already rolled out.
    expect(rolloutBucket('v1-iso', 'acme')).toBe(13);
    expect(rolloutBucket('curves-latest-corrections', 'acme')).toBe(4762);
    expect(rolloutBucket('v1-iso', 'globex')).toBe(6189);
    expect(rolloutBucket('bulk-scenario-runs', 'user-42')).toBe(6406);
  });

  it('salts with the flag key, so one subject does not share a bucket across flags', () => {
    expect(rolloutBucket('v1-iso', 'acme')).not.toBe(rolloutBucket('curves-latest-corrections', 'acme'));
  });
});

describe('evaluateFlag', () => {
  it('gives the same answer for the same flag, value and subject every time', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 0, max: 10_000 }), (tenant, hundredths) => {
        const value = flag({ rolloutPercent: hundredths / 100 });
        const first = evaluateFlag('curves-latest-corrections', value, { tenant });
        for (let i = 0; i < 3; i++) {
          expect(evaluateFlag('curves-latest-corrections', value, { tenant })).toEqual(first);
        }
      }),
    );
  });

  it('puts a subject in at exactly its bucket: bucket 13 is out at 0.13 % and in at 0.14 %', () => {
    expect(evaluateFlag('v1-iso', flag({ rolloutPercent: 0.13 }), { tenant: 'acme' })).toEqual({
      enabled: false,
      reason: 'rollout',
    });
    expect(evaluateFlag('v1-iso', flag({ rolloutPercent: 0.14 }), { tenant: 'acme' })).toEqual({
      enabled: true,
      reason: 'rollout',
    });
  });

  it('only grows the cohort as the percentage grows: on at p stays on at every p′ > p', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 50 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 2, maxLength: 12 }),
        (tenants, hundredths) => {
          const percents = [...hundredths].sort((a, b) => a - b).map((h) => h / 100);
          for (const tenant of tenants) {
            const answers = percents.map(
              (rolloutPercent) =>
                evaluateFlag('bulk-scenario-runs', flag({ rolloutPercent }), { tenant }).enabled,
            );
            const firstOn = answers.indexOf(true);
            if (firstOn >= 0) expect(answers.slice(firstOn).every(Boolean)).toBe(true);
          }
        },
      ),
    );
  });

  it('turns on a share of 100 000 subjects within half a point of the target', () => {
    const tenants = Array.from({ length: 100_000 }, (_, i) => `tenant-${i}`);
    for (const target of [1, 10, 50, 99]) {
      const on = tenants.filter(
        (tenant) => evaluateFlag('scenario-outputs', flag({ rolloutPercent: target }), { tenant }).enabled,
      ).length;
      expect(Math.abs((on / tenants.length) * 100 - target)).toBeLessThan(0.5);
    }
  });

  it('turns on nobody at 0 % and everybody at 100 %', () => {
    const tenants = Array.from({ length: 2_000 }, (_, i) => `t${i}`);
    for (const tenant of tenants) {
      expect(evaluateFlag('v1-eia', flag({ rolloutPercent: 0 }), { tenant })).toEqual({
        enabled: false,
        reason: 'default',
      });
      expect(evaluateFlag('v1-eia', flag({ rolloutPercent: 100 }), { tenant })).toEqual({
        enabled: true,
        reason: 'default',
      });
    }
  });

  it('lets the kill switch beat the allow list', () => {
    const value = flag({ enabled: false, allowTenants: ['acme'] });
    expect(evaluateFlag('v1-iso', value, { tenant: 'acme' })).toEqual({
      enabled: false,
      reason: 'kill-switch',
    });
  });

  it('lets the deny list beat the allow list and the rollout', () => {
    const value = flag({ rolloutPercent: 100, allowTenants: ['acme'], denyTenants: ['acme'] });
    expect(evaluateFlag('v1-iso', value, { tenant: 'acme' })).toEqual({ enabled: false, reason: 'denied' });
    expect(evaluateFlag('v1-iso', value, { tenant: 'globex' })).toEqual({ enabled: true, reason: 'default' });
  });

  it('lets the allow list in a tenant the rollout leaves out', () => {
    const value = flag({ rolloutPercent: 0, allowTenants: ['acme'] });
    expect(evaluateFlag('v1-iso', value, { tenant: 'acme' })).toEqual({ enabled: true, reason: 'allowed' });
    expect(evaluateFlag('v1-iso', value, { tenant: 'globex' }).enabled).toBe(false);
  });

  it('compares tenants as the principal normalises them (trimmed, lower case)', () => {
    const value = flag({ denyTenants: ['acme'] });
    expect(evaluateFlag('v1-iso', value, { tenant: ' ACME ' })).toEqual({ enabled: false, reason: 'denied' });
    const rollout = flag({ rolloutPercent: 37.5 });
    expect(evaluateFlag('v1-iso', rollout, { tenant: 'Globex' })).toEqual(
      evaluateFlag('v1-iso', rollout, { tenant: 'globex' }),
    );
  });

  it("hashes the user, not the tenant, when the flag's subject is 'user'", () => {
    const value = flag({ rolloutPercent: 50, subject: 'user' });
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const answers = users.map(
      (user) => evaluateFlag('bulk-scenario-runs', value, { tenant: 'acme', user }).enabled,
    );
    // One tenant, many users: the answer varies by user…
    expect(answers).toContain(true);
    expect(answers).toContain(false);
    // …and follows the user's bucket, whatever the tenant.
    for (const user of users) {
      const expected = rolloutBucket('bulk-scenario-runs', user) < 5000;
      expect(evaluateFlag('bulk-scenario-runs', value, { tenant: 'acme', user }).enabled).toBe(expected);
      expect(evaluateFlag('bulk-scenario-runs', value, { tenant: 'globex', user }).enabled).toBe(expected);
    }
  });

  it('answers a partial rollout with off when the subject to hash is missing, and 100 % with on', () => {
    expect(evaluateFlag('v1-iso', flag({ rolloutPercent: 99.99 }), {})).toEqual({
      enabled: false,
      reason: 'default',
    });
    expect(
      evaluateFlag('v1-iso', flag({ rolloutPercent: 99.99, subject: 'user' }), { tenant: 'acme' }),
    ).toEqual({
      enabled: false,
      reason: 'default',
    });
    expect(evaluateFlag('v1-iso', flag({ rolloutPercent: 100, subject: 'user' }), {})).toEqual({
      enabled: true,
      reason: 'default',
    });
  });
});
