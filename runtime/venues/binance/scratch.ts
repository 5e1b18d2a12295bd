import { binanceusdm } from 'ccxt';
import { startSim, API_KEY, API_SECRET } from '../sim/server/test-harness.js';
const sim = await startSim();
const ex = new binanceusdm({ apiKey: API_KEY, secret: API_SECRET, enableRateLimit: false, timeout: 500, options: { fetchCurrencies: false, adjustForTimeDifference: false } });
const api = ex.urls['api'] as Record<string, string>;
for (const key of Object.keys(api)) { const m = /^(fapi(?:Public|Private)(V\d)?)$/.exec(key); if (m) api[key] = `${sim.server.url}/fapi/${(m[2] ?? 'v1').toLowerCase()}`; }
const orig = (ex as any).handleErrors.bind(ex);
(ex as any).handleErrors = (status: number, reason: string, url: string, method: string, headers: Record<string,string>, body: string, parsed: unknown, ...rest: unknown[]) => { console.log('HE', status, method, url.split('?')[0], headers['X-Mbx-Used-Weight-1m'], headers['Retry-After'], body.slice(0,80)); return orig(status, reason, url, method, headers, body, parsed, ...rest); };
const m = await ex.loadMarkets();
const btc = m['BTC/USDT:USDT']!;
console.log(btc.precision, btc.limits, Object.keys(btc.info));
console.log(ex.priceToPrecision('BTC/USDT:USDT', 60000.06), ex.amountToPrecision('BTC/USDT:USDT', 0.0029999));
const lk = await ex.fapiPrivatePostListenKey();
console.log(lk);
console.log(await ex.fapiPrivatePutListenKey());
const o = await ex.fapiPrivatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'x1' });
console.log(o);
try { await ex.fapiPrivatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'x1' }); } catch (e) { console.log('ERR', (e as Error).constructor.name, (e as Error).message); }
try { await ex.fapiPrivateGetOrder({ symbol: 'BTCUSDT', origClientOrderId: 'nope' }); } catch (e) { console.log('ERR', (e as Error).constructor.name, (e as Error).message); }
sim.server.faults.add({ kind: 'timeout', count: 1, path: '/fapi/v1/order', method: 'POST' });
try { await ex.fapiPrivatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'x2' }); } catch (e) { console.log('ERR', (e as Error).constructor.name, (e as Error).message); }
sim.server.faults.add({ kind: 'rateLimit', count: 1, retryAfterSec: 3 });
try { await ex.fapiPublicGetPremiumIndex({ symbol: 'BTCUSDT' }); } catch (e) { console.log('ERR', (e as Error).constructor.name, (e as Error).message); }
console.log(await ex.fapiPrivateV2GetPositionRisk({symbol:'BTCUSDT'}));
await sim.close();
