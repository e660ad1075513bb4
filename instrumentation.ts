// Runs once when the server starts: the retention job (the same one `npm run retention` runs) at start,
// then hourly, so expired data leaves the database, the crop store and the index even if nobody opens
// the admin pages. The job also brings the vector index up to date, as the gallery sweep did.
const HOUR_MS = 60 * 60 * 1000;

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { runRetentionJob } = await import('@/lib/server/retention/run-retention-job');
  const { hasChanges } = await import('@/lib/server/retention/run-retention');
  const run = () =>
    runRetentionJob()
      .then((report) => {
        if (hasChanges(report)) console.log('[retention]', report);
      })
      .catch((error: unknown) => console.error('[retention] failed; will retry:', error));
  void run();
  setInterval(run, HOUR_MS).unref();
  // Signed checkpoints of the audit chain at start, every ten minutes and at shutdown.
  const { startAuditJobs } = await import('@/lib/server/audit/audit-jobs');
  startAuditJobs();
  // The load benchmark's view of the event loop (scripts/bench/api.ts); off unless it asks.
  if (process.env.RFR_BENCH_EVENT_LOOP_FILE) {
    const { startEventLoopReport } = await import('@/lib/server/api/event-loop-report');
    startEventLoopReport(process.env.RFR_BENCH_EVENT_LOOP_FILE);
  }
}
