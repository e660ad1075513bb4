// Runs once when the server starts: the retention sweep and index sync at start, then hourly, so
// expired faces leave the gallery even if nobody opens the admin pages.
const HOUR_MS = 60 * 60 * 1000;

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { runGalleryMaintenance } = await import('@/lib/server/gallery/run-gallery-maintenance');
  const run = () =>
    runGalleryMaintenance()
      .then((report) => {
        if (report.expired || report.indexed || report.deleted) console.log('[maintenance]', report);
      })
      .catch((error: unknown) => console.error('[maintenance] failed; will retry:', error));
  void run();
  setInterval(run, HOUR_MS).unref();
}
