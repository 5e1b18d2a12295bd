type Section = Record<string, unknown>;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const flat = (o: Record<string, unknown>) => Object.values(o).every((v) => !isObj(v) && !Array.isArray(v));
const cell = (v: unknown) => {
  const s = String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ⏎ ');
  return s.length > 400 ? `${s.slice(0, 400)}… (see bench.json)` : s;
};

/** Rows of one section: a small flat object is one cell (`p50 12 · p99 40`), a deeper one becomes dotted keys. */
function rows(name: string, key: string, v: unknown, out: string[]): void {
  if (isObj(v) && flat(v) && Object.keys(v).length <= 6) out.push(`| ${name} | ${key} | ${Object.entries(v).map(([k, x]) => `${k} ${cell(x)}`).join(' · ')} |`);
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) rows(name, `${key}.${k}`, x, out);
  else out.push(`| ${name} | ${key} | ${cell(v)} |`);
}

/** The markdown table `npm run bench` prints: one row per figure, goals last in their section. */
export function table(results: Record<string, Section>): string {
  const out: string[] = ['| benchmark | figure | value |', '|---|---|---|'];
  for (const [name, sec] of Object.entries(results)) {
    for (const [k, v] of Object.entries(sec)) if (k !== 'goal') rows(name, k, v, out);
    if (sec.goal) out.push(`| ${name} | **goal** | ${cell(sec.goal)} |`);
  }
  return out.join('\n');
}
