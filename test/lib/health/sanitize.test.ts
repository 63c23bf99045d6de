import { describe, expect, it } from 'vitest';
import { describeFailure, sanitizeDetail } from '#lib/health/sanitize';

describe('sanitizeDetail', () => {
  it.each([
    ['fetch failed: https://user:pw@redis-7.upstash.io:443/pipeline?x=1', /redis-7|upstash\.io|pw@|pipeline/],
    ['connect ECONNREFUSED 127.0.0.1:6379', /127\.0\.0\.1|6379/],
    ['connect ECONNREFUSED [::1]:8080', /::1|8080/],
    ['getaddrinfo ENOTFOUND trino.internal.example.com', /trino\.internal|example\.com/],
    ['agent at localhost:2772 did not answer', /localhost|2772/],
    ['header Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', /eyJ/],
    ['password=hunter2 rejected', /hunter2/],
    ['token: "AXmASQgkYTRhY2Q0NmEtZmY3Zi00NzE4LWI3ZGYtYTQzZWVmYjg1ZWM2"', /AXmASQ/],
  ])('removes what identifies a host or a secret from %j', (message, leak) => {
    const detail = sanitizeDetail(message);
    expect(detail).not.toMatch(leak);
    expect(detail.length).toBeGreaterThan(0);
  });

  it('keeps ordinary words, error codes and durations', () => {
    expect(sanitizeDetail('connect ECONNREFUSED')).toBe('connect ECONNREFUSED');
    expect(sanitizeDetail('timed out after 1500 ms')).toBe('timed out after 1500 ms');
    expect(sanitizeDetail('AppConfig agent answered HTTP 503')).toBe('AppConfig agent answered HTTP 503');
  });

  it('puts a multi-line message on one line and cuts a long one', () => {
    expect(sanitizeDetail('first line\n    at Object.<anonymous>')).toBe('first line at Object.<anonymous>');
    const long = sanitizeDetail('word '.repeat(100));
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long.endsWith('…')).toBe(true);
  });

  it('describes anything thrown', () => {
    expect(describeFailure(new Error('connect ECONNREFUSED 10.0.0.5:443'))).toBe('connect ECONNREFUSED <ip>');
    expect(describeFailure('plain text')).toBe('plain text');
    expect(describeFailure({ weird: true })).toBe('failed');
  });
});
