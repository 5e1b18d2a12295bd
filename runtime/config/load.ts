import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigSchema, type Config, type ConfigInput } from './schema.js';
import { ConfigError } from '../errors.js';

/** Env overrides use `QT_<SECTION>__<KEY>` (double underscore nests), e.g. `QT_NATS__URL`. */
export const ENV_PREFIX = 'QT_';
/** Env names that are not config keys but are read here too, so nothing else touches process.env. */
const NON_CONFIG_ENV = new Set(['QT_CONFIG']);

export interface LoadOptions {
  /** Explicit config file (JSON). @default $QT_CONFIG, then ./qt.config.json if present */
  file?: string;
  /** Defaults to `process.env`; tests pass their own. */
  env?: Record<string, string | undefined>;
  /** Highest-priority overrides, e.g. from CLI flags. */
  overrides?: ConfigInput;
}

function formatIssues(issues: z.core.$ZodIssue[], source: string): string {
  return issues
    .map((i) => {
      const at = i.path.join('.');
      if (i.code === 'unrecognized_keys') {
        return i.keys.map((k) => `unknown config key '${at ? `${at}.` : ''}${k}' (${source})`).join('; ');
      }
      return `config key '${at}': ${i.message} (${source})`;
    })
    .join('; ');
}

function parseEnvValue(raw: string): unknown {
  if (/^(true|false|null)$/.test(raw) || /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw) || /^[[{]/.test(raw)) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

type Tree = Record<string, unknown>;

function envToTree(env: Record<string, string | undefined>): Tree {
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined || NON_CONFIG_ENV.has(name)) continue;
    const parts = name.slice(ENV_PREFIX.length).split('__').map((p) => p.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()));
    if (parts.length < 2 || parts.some((p) => !p)) {
      throw new ConfigError(`unknown config env var '${name}': use QT_<SECTION>__<KEY>, e.g. QT_NATS__URL`);
    }
    let node = tree;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Tree;
    node[parts.at(-1)!] = parseEnvValue(raw);
  }
  return tree;
}

function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Tree, v as Tree) : v;
  }
  return out;
}

/**
 * Reads the config file, applies env and CLI overrides and validates the result once.
 * This is the only place in the project that reads `process.env` for configuration.
 */
export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.QT_CONFIG ?? (existsSync('qt.config.json') ? 'qt.config.json' : undefined);
  let fromFile: Tree = {};
  if (file) {
    const path = resolve(file);
    if (!existsSync(path)) throw new ConfigError(`config file not found: ${path}`);
    try {
      fromFile = JSON.parse(readFileSync(path, 'utf8')) as Tree;
    } catch (e) {
      throw new ConfigError(`config file ${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    const fileCheck = ConfigSchema.safeParse(fromFile);
    if (!fileCheck.success) throw new ConfigError(formatIssues(fileCheck.error.issues, path));
  }
  const fromEnv = envToTree(env);
  const envCheck = ConfigSchema.safeParse(fromEnv);
  if (!envCheck.success) throw new ConfigError(formatIssues(envCheck.error.issues, 'environment').replace(/config key '([^']+)'/g, (_m, k: string) => `config key '${k}' (env QT_${k.split('.').map((s) => s.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()).join('__')})`));
  const merged = merge(merge(fromFile, fromEnv), (opts.overrides ?? {}) as Tree);
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues, 'merged config'));
  return parsed.data;
}

/** Secrets come from env or files, never from committed config. */
export function readSecret(name: string, env: Record<string, string | undefined> = process.env): string | undefined {
  const direct = env[name];
  if (direct) return direct;
  const file = env[`${name}_FILE`];
  if (file) return readFileSync(file, 'utf8').trim();
  return undefined;
}
