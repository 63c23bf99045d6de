/**
 * The README's example requests: every `curl` line of a fenced shell block that calls the local gateway
 * (`http://127.0.0.1:3000/…`). A domain documented with examples is covered by the typed-client test with
 * no test code of its own.
 */

export interface ReadmeExample {
  /** The README line it came from, for failure messages. */
  line: number;
  source: string;
  method: string;
  /** Decoded path, as the README spells it (`/v1/metadata/locations/pjm/western hub`). */
  path: string;
  query: [name: string, value: string][];
  /** Literal headers only: a header that reads a shell variable (`$TOKEN`) is left out. */
  headers: Record<string, string>;
  body?: string;
}

const LOCAL = /^https?:\/\/(?:127\.0\.0\.1|localhost):3000(\/[^\s'"]*)/;

/** The words of a shell line, with single and double quotes removed (no escapes: README lines need none). */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

export function readmeExamples(markdown: string): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  let fence: string | undefined;
  // A command continued over several lines with a trailing backslash is one command, at its first line.
  const lines = markdown.split('\n');
  const joined = [...lines];
  for (let i = 0; i < lines.length; i++) {
    let j = i;
    while (lines[j]!.trimEnd().endsWith('\\') && j + 1 < lines.length) {
      joined[i] = `${joined[i]!.trimEnd().slice(0, -1)} ${lines[++j]!.trim()}`;
      joined[j] = '';
    }
    i = j;
  }
  joined.forEach((text, index) => {
    const opening = /^```(\w*)\s*$/.exec(text);
    if (opening) {
      fence = fence === undefined ? opening[1] || 'text' : undefined;
      return;
    }
    if (!fence || !['sh', 'bash', 'shell', 'console'].includes(fence)) return;
    const argv = words(text.trim().replace(/^\$\s+/, ''));
    const at = argv.indexOf('curl');
    if (at < 0) return;
    let method = 'GET';
    let url: string | undefined;
    let body: string | undefined;
    const headers: Record<string, string> = {};
    for (let i = at + 1; i < argv.length; i++) {
      const word = argv[i]!;
      if (word === '-X' || word === '--request') method = argv[++i]!.toUpperCase();
      else if (word === '-H' || word === '--header') {
        const header = argv[++i]!;
        const colon = header.indexOf(':');
        if (colon > 0 && !header.includes('$'))
          headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
      } else if (word === '-d' || word === '--data' || word === '--data-raw') {
        body = argv[++i];
        if (method === 'GET') method = 'POST';
      } else if (LOCAL.test(word)) url = word;
    }
    if (!url) return;
    const parsed = new URL(url);
    examples.push({
      line: index + 1,
      source: text.trim(),
      method,
      path: decodeURIComponent(parsed.pathname),
      query: [...parsed.searchParams.entries()],
      headers,
      ...(body === undefined ? {} : { body }),
    });
  });
  return examples;
}
