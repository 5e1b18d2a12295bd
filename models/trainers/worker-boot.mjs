// Worker threads start without the parent's TypeScript loader; register tsx here, then load
// the TypeScript entry named by the parent.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
