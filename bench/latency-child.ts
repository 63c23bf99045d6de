import { writeSync } from 'node:fs';
import { inProcessLatency } from './latency.ts';

// Started by latencyWithLogsOnAPipe: stdout is the parent's pipe, so the stack's log lines and metrics
// documents are written as in Lambda; the figures go back on descriptor 3.
writeSync(3, JSON.stringify(await inProcessLatency()));
