/**
 * EMF documents as CloudWatch receives them: what the process writes to stdout (Powertools Metrics writes
 * through its own `Console` over `process.stdout`), captured at that boundary and parsed.
 */
import { afterEach, beforeEach, expect, vi } from 'vitest';

export interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: Array<{ Name: string; Unit: string }>;
}

export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] };
  [key: string]: unknown;
}

export interface StdoutCapture {
  /** Every EMF line written since the capture started (or was cleared), parsed. */
  documents(): EmfDocument[];
  clear(): void;
  restore(): void;
}

/**
 * Captures stdout until `restore()`. Lines that are not JSON objects with an `_aws` member (log lines)
 * are kept out of `documents()`. The suite disables Powertools metrics to keep its output quiet; the
 * caller enables them (POWERTOOLS_METRICS_DISABLED=false) before the first metric is counted.
 */
export function captureStdout(): StdoutCapture {
  let written = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  return {
    documents: () =>
      written
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((doc): doc is EmfDocument => typeof doc._aws === 'object' && doc._aws !== null),
    clear: () => {
      written = '';
    },
    restore: () => spy.mockRestore(),
  };
}

/**
 * Registers a stdout capture with Powertools metrics enabled around each test of the calling file (or
 * `describe`), and gives the current test's capture.
 */
export function captureEmfEachTest(): Omit<StdoutCapture, 'restore'> {
  let capture: StdoutCapture | undefined;
  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    capture = captureStdout();
  });
  afterEach(() => {
    capture?.restore();
    capture = undefined;
    vi.unstubAllEnvs();
  });
  const current = () => {
    if (!capture) throw new Error('captureEmfEachTest: read outside a test');
    return capture;
  };
  return { documents: () => current().documents(), clear: () => current().clear() };
}

/** The metric names of a document, and the single directive's namespace and dimension sets. */
export function describeEmf(doc: EmfDocument) {
  const directives = doc._aws.CloudWatchMetrics;
  if (directives.length !== 1) throw new Error(`expected one directive, got ${directives.length}`);
  const [directive] = directives as [EmfDirective];
  return {
    namespace: directive.Namespace,
    dimensions: directive.Dimensions,
    names: directive.Metrics.map((m) => m.Name).sort(),
    units: Object.fromEntries(directive.Metrics.map((m) => [m.Name, m.Unit])),
  };
}

/**
 * Asserts the documents are exactly one, in namespace Aurum with `service` as the only dimension (and, when
 * given, that service), and describes it; `values` maps each metric name to its value.
 */
export function theOneEmfDocument(documents: EmfDocument[], service?: string) {
  expect(documents).toHaveLength(1);
  const [doc] = documents as [EmfDocument];
  const emf = describeEmf(doc);
  expect(emf.namespace).toBe('Aurum');
  expect(emf.dimensions).toEqual([['service']]);
  if (service !== undefined) expect(doc.service).toBe(service);
  return { ...emf, doc, values: Object.fromEntries(emf.names.map((name) => [name, doc[name]])) };
}
