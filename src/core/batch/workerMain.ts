// Entry of dist/batchWorker.js: a batch's worker for hosts other than the CLI (the extension).
import { serveBatchWorker } from './worker';

serveBatchWorker();
