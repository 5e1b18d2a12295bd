/** Operations: node ops bundle (metrics + probes + alerts), backup/restore, doctor checks, ops config. */
export { OpsConfigSchema, type OpsConfig } from './config.js';
export { ALERT_SECRET_ENV, buildAlertSinks, type AlertSecrets } from './sinks.js';
export { startNodeOps, type NodeOps, type NodeOpsOptions } from './node-ops.js';
export { backupAll, restoreAll, readManifest, type BackupOptions, type RestoreOptions, type RestoreReport } from './backup.js';
export { BACKUP_FORMAT, type BackupManifest, type BackupStreamEntry, type BackupLine, type BackupKind } from './backup-format.js';
export { runDoctorChecks, renderDoctor, type DoctorCheck, type DoctorReport, type DoctorOptions, type CheckStatus } from './doctor.js';
export { aiMetricsSink, hostTelemetry, watchTradingMetrics, routeJournalAlerts } from './trading-metrics.js';
