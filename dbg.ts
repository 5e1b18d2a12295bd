import { connectBus } from './runtime/nats/index.js';
import { readStream } from './runtime/testing/wait.js';
const bus = await connectBus({ url: 'nats://127.0.0.1:4333' });
for (const [stream, subj] of [['QT_JOURNAL', 'qt.journal.risk'], ['QT_ORDERS', 'qt.order.*.event'], ['QT_POSITIONS', 'qt.position.>'], ['QT_JOURNAL', 'qt.journal.alert'], ['QT_JOURNAL', 'qt.journal.reconcile'], ['QT_DLQ', 'qt.dlq.>']] as const) {
  const ms = await readStream<any>(bus, stream, subj);
  console.log(`== ${subj}: ${ms.length}`);
  for (const m of ms.slice(0, 8)) console.log('  ', m.subject, JSON.stringify(m.data)?.slice(0, 220), m.headers['Qt-Dlq-Reason'] ?? '');
}
await bus.close();
