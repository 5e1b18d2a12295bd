/**
 * listenKey management (security USER_STREAM: API key, no signature).
 */
import type { Route } from './route.js';

function accountOf(cred: { accountId: string } | undefined): string {
  // USER_STREAM routes always authenticate, so a missing credential is a wiring bug.
  if (!cred) throw new Error('listenKey route reached without a credential');
  return cred.accountId;
}

/** POST/PUT/DELETE /fapi/v1/listenKey. */
export function userStreamRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/fapi/v1/listenKey',
      security: 'USER_STREAM',
      weight: 1,
      handle: ({ cred, deps }) => ({ listenKey: deps.listenKeys.create(accountOf(cred)) }),
    },
    {
      method: 'PUT',
      path: '/fapi/v1/listenKey',
      security: 'USER_STREAM',
      weight: 1,
      handle: ({ cred, deps }) => ({ listenKey: deps.listenKeys.keepAlive(accountOf(cred)) }),
    },
    {
      method: 'DELETE',
      path: '/fapi/v1/listenKey',
      security: 'USER_STREAM',
      weight: 1,
      handle: ({ cred, deps }) => {
        deps.listenKeys.remove(accountOf(cred));
        return {};
      },
    },
  ];
}
