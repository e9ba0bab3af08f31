// Runs the reconciliation service against the local stack and the ERP simulator (used by `npm start`).
import { applyLocalDefaults } from './local-env.ts';

applyLocalDefaults(process.env);
await import('./main.ts');
