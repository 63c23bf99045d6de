import { describe, expect, it } from 'vitest';
import { readmeExamples } from '#test/support/readme-examples';

const fence = '```';
const markdown = [
  'Text with `curl http://127.0.0.1:3000/not-in-a-block`.',
  `${fence}sh`,
  "curl -i -H 'X-Aurum-Tenant: acme' 'http://127.0.0.1:3000/v2/things?limit=5&name=a%20b'",
  'curl -i -H "Authorization: Bearer $TOKEN" \\',
  "  'http://127.0.0.1:3000/v1/things/pjm/western%20hub'",
  `curl -X POST -d '{"a":1}' 'http://127.0.0.1:3000/v2/things'`,
  "curl -i 'https://example.com/elsewhere'",
  fence,
  `${fence}json`,
  "curl -i 'http://127.0.0.1:3000/in-a-json-block'",
  fence,
].join('\n');

describe('readmeExamples', () => {
  it('reads the curl lines of shell blocks that call the local gateway, continued lines joined', () => {
    const examples = readmeExamples(markdown);
    expect(examples.map((e) => [e.line, e.method, e.path])).toEqual([
      [3, 'GET', '/v2/things'],
      [4, 'GET', '/v1/things/pjm/western hub'],
      [6, 'POST', '/v2/things'],
    ]);
    expect(examples[0]!.query).toEqual([
      ['limit', '5'],
      ['name', 'a b'],
    ]);
    expect(examples[0]!.headers).toEqual({ 'X-Aurum-Tenant': 'acme' });
    // A header read from a shell variable cannot be replayed.
    expect(examples[1]!.headers).toEqual({});
    expect(examples[2]!.body).toBe('{"a":1}');
  });
});
