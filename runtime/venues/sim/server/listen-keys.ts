/**
 * listenKeys of the user data stream. As on Binance: one active key per account, valid for 60
 * minutes of clock time, POST returns the active key (extending it), PUT extends, DELETE closes.
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../../clock/index.js';
import { apiErrors } from './errors.js';

/** Binance's listenKey validity. */
export const LISTEN_KEY_TTL_MS = 60 * 60 * 1000;

interface Entry {
  key: string;
  accountId: string;
  expiresAt: number;
  timer: TimerHandle;
}

/** Store of listenKeys with clock-driven expiry. */
export class ListenKeys {
  readonly #byKey = new Map<string, Entry>();
  readonly #byAccount = new Map<string, Entry>();
  readonly #expiredListeners = new Set<(key: string, accountId: string) => void>();
  readonly #closedListeners = new Set<(key: string) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs = LISTEN_KEY_TTL_MS,
  ) {}

  /** POST: the account's active key (extended), or a new one. */
  create(accountId: string): string {
    const active = this.#byAccount.get(accountId);
    if (active) {
      this.#arm(active);
      return active.key;
    }
    const key = randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 64);
    const entry: Entry = { key, accountId, expiresAt: 0, timer: { id: -1 } };
    this.#byKey.set(key, entry);
    this.#byAccount.set(accountId, entry);
    this.#arm(entry);
    return key;
  }

  /** PUT: extends the account's active key; -1125 when there is none. */
  keepAlive(accountId: string): string {
    const active = this.#byAccount.get(accountId);
    if (!active) throw apiErrors.invalidListenKey();
    this.#arm(active);
    return active.key;
  }

  /** DELETE: closes the account's active key. Closing twice is fine, as on Binance. */
  remove(accountId: string): void {
    const active = this.#byAccount.get(accountId);
    if (!active) return;
    this.#drop(active);
    for (const l of this.#closedListeners) l(active.key);
  }

  /** Called with each key closed by DELETE (no event is sent; the stream just stops). */
  onClosed(listener: (key: string) => void): () => void {
    this.#closedListeners.add(listener);
    return () => this.#closedListeners.delete(listener);
  }

  /** The account a valid key belongs to. */
  accountOf(key: string): string | undefined {
    return this.#byKey.get(key)?.accountId;
  }

  /** Expires one key or all of them now, notifying listeners; returns how many expired. */
  expire(key?: string): number {
    const victims = key === undefined ? [...this.#byKey.values()] : [this.#byKey.get(key)].filter((e) => e !== undefined);
    for (const e of victims) this.#expire(e);
    return victims.length;
  }

  /** Called with each key that expires (timer or forced). */
  onExpired(listener: (key: string, accountId: string) => void): () => void {
    this.#expiredListeners.add(listener);
    return () => this.#expiredListeners.delete(listener);
  }

  /** Cancels all timers. */
  close(): void {
    for (const e of this.#byKey.values()) this.clock.clearTimeout(e.timer);
    this.#byKey.clear();
    this.#byAccount.clear();
  }

  #arm(e: Entry): void {
    this.clock.clearTimeout(e.timer);
    e.expiresAt = this.clock.now() + this.ttlMs;
    e.timer = this.clock.setTimeout(() => this.#expire(e), this.ttlMs);
  }

  #expire(e: Entry): void {
    this.#drop(e);
    for (const l of this.#expiredListeners) l(e.key, e.accountId);
  }

  #drop(e: Entry): void {
    this.clock.clearTimeout(e.timer);
    this.#byKey.delete(e.key);
    if (this.#byAccount.get(e.accountId) === e) this.#byAccount.delete(e.accountId);
  }
}
