import { createWriteStream } from 'node:fs';
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger } from 'pino';

/** Object paths whose values are always censored, wherever they appear in a log record. */
export const REDACT_PATHS = [
  'apiKey', 'apiSecret', 'secret', 'password', 'pass', 'token', 'signature', 'authorization',
  '*.apiKey', '*.apiSecret', '*.secret', '*.password', '*.pass', '*.token', '*.signature', '*.authorization',
  '*.*.apiKey', '*.*.apiSecret', '*.*.secret', '*.*.password', '*.*.token',
  'headers["x-mbx-apikey"]', '*.headers["x-mbx-apikey"]',
];

export const REDACTED = '[REDACTED]';

/**
 * Known secret values, censored in the serialised line itself. Path redaction misses a key that
 * ends up inside a message string, a URL or an error; this catches it wherever it lands.
 */
export class SecretScrubber {
  #secrets = new Set<string>();
  #pattern: RegExp | undefined;

  add(value: string | undefined): void {
    // Very short values would censor ordinary text and protect nothing.
    if (!value || value.length < 6) return;
    this.#secrets.add(value);
    const escaped = [...this.#secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.#pattern = new RegExp(escaped.join('|'), 'g');
  }

  scrub(line: string): string {
    return this.#pattern ? line.replace(this.#pattern, REDACTED) : line;
  }
}

export interface LoggerOptions {
  /** @default info */
  level?: string;
  /** Append JSON lines to this file instead of stdout. */
  file?: string;
  /** Secret values to censor in every line. */
  secrets?: Array<string | undefined>;
  /** Custom sink (tests capture lines with it). */
  destination?: { write(line: string): void };
  base?: Record<string, unknown>;
}

export interface RedactingLogger {
  logger: Logger;
  scrubber: SecretScrubber;
}

/** The process logger: pino JSON lines with path redaction plus secret-value scrubbing. */
export function createLogger(opts: LoggerOptions = {}): RedactingLogger {
  const scrubber = new SecretScrubber();
  for (const s of opts.secrets ?? []) scrubber.add(s);
  const sink = opts.destination ?? (opts.file ? createWriteStream(opts.file, { flags: 'a' }) : process.stdout);
  const stream: DestinationStream = { write: (line: string) => void sink.write(scrubber.scrub(line)) };
  const logger = pino(
    {
      level: opts.level ?? 'info',
      base: opts.base ?? { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    stream,
  );
  return { logger, scrubber };
}
