'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import { enrolUploadedImage } from '@/lib/actions/enrolment';

type Status = 'queued' | 'working' | 'enrolled' | 'duplicate' | 'set_aside' | 'failed';
type Item = { id: number; file: File; subject: string; status: Status; detail?: string };

const IMAGE_NAME = /\.(jpe?g|png|webp|bmp|tiff?|gif|avif)$/i;

/** Subject from the folder a file was picked in (one folder per subject), else from its name. */
export function subjectFromFile(file: File): string {
  const parts = (file.webkitRelativePath || '').split('/');
  if (parts.length >= 2) return parts[parts.length - 2]!;
  return file.name.replace(/\.[^.]+$/, '').replace(/[_-]\d+$/, '');
}

const LABEL: Record<Status, string> = {
  queued: 'queued',
  working: 'enrolling…',
  enrolled: 'enrolled',
  duplicate: 'already enrolled',
  set_aside: 'set aside',
  failed: 'failed',
};
const TONE: Record<Status, string> = { queued: 'muted', working: 'muted', enrolled: 'ok', duplicate: 'muted', set_aside: 'warn', failed: 'danger' };

/**
 * Enrols many images, one request per image, so progress is visible, each file gets its own result,
 * and failures can be retried without sending the rest again (re-sent duplicates are skipped anyway).
 */
export function EnrolmentUploader({ watchlistId }: { watchlistId: string }) {
  const router = useRouter();
  const [items, setItems] = useState<Item[]>([]);
  const [isRunning, setIsRunning] = useState(false);
  const stopRequested = useRef(false);
  const nextId = useRef(1);
  // Measured in the loop, not during render: a render must not read the clock (react-hooks/purity).
  const [imagesPerSecond, setImagesPerSecond] = useState<number | null>(null);

  function add(files: FileList | null) {
    if (!files) return;
    const added = [...files]
      .filter((file) => IMAGE_NAME.test(file.name))
      .map((file) => ({ id: nextId.current++, file, subject: subjectFromFile(file), status: 'queued' as Status }));
    setItems((current) => [...current, ...added]);
  }

  function update(id: number, patch: Partial<Item>) {
    setItems((current) => current.map((item) => (item.id === id ? { ...item, ...patch } : item)));
  }

  async function run(only: (item: Item) => boolean) {
    setIsRunning(true);
    stopRequested.current = false;
    setImagesPerSecond(null);
    const startedAt = Date.now();
    let finished = 0;
    for (const item of items.filter(only)) {
      if (stopRequested.current) break;
      update(item.id, { status: 'working', detail: undefined });
      const form = new FormData();
      form.set('watchlistId', watchlistId);
      form.set('subjectReference', item.subject);
      form.set('fileName', item.file.webkitRelativePath || item.file.name);
      form.set('file', item.file);
      try {
        const result = await enrolUploadedImage(form);
        if (!result.ok) update(item.id, { status: 'failed', detail: result.error.message });
        else if (result.data.status === 'set_aside') update(item.id, { status: 'set_aside', detail: result.data.message });
        else update(item.id, { status: result.data.status, detail: result.indexPending ? 'index update pending' : undefined });
      } catch (error) {
        update(item.id, { status: 'failed', detail: (error as Error).message || 'The request failed.' });
      }
      finished += 1;
      setImagesPerSecond(finished / Math.max((Date.now() - startedAt) / 1000, 1e-3));
    }
    setIsRunning(false);
    router.refresh();
  }

  const done = items.filter((item) => !['queued', 'working'].includes(item.status)).length;
  const count = (status: Status) => items.filter((item) => item.status === status).length;

  return (
    <div className="panel">
      <div className="row">
        <label className="button secondary">
          Choose images…
          <input type="file" accept="image/*" multiple hidden onChange={(event) => add(event.currentTarget.files)} />
        </label>
        <label className="button secondary">
          Choose a folder (one sub-folder per subject)…
          <input
            type="file"
            multiple
            hidden
            ref={(input) => input?.setAttribute('webkitdirectory', '')}
            onChange={(event) => add(event.currentTarget.files)}
          />
        </label>
        <button className="button" type="button" disabled={isRunning || count('queued') === 0} onClick={() => run((item) => item.status === 'queued')}>
          Enrol {count('queued')} image{count('queued') === 1 ? '' : 's'}
        </button>
        {isRunning ? (
          <button className="button secondary" type="button" onClick={() => (stopRequested.current = true)}>
            Stop after this image
          </button>
        ) : null}
        {!isRunning && count('failed') > 0 ? (
          <button className="button secondary" type="button" onClick={() => run((item) => item.status === 'failed')}>
            Retry {count('failed')} failed
          </button>
        ) : null}
      </div>
      {items.length > 0 ? (
        <>
          <div role="progressbar" aria-valuemin={0} aria-valuemax={items.length} aria-valuenow={done} className="progress" style={{ margin: '0.75rem 0' }}>
            <div style={{ width: `${(100 * done) / items.length}%` }} />
          </div>
          <p className="muted" data-testid="enrolment-summary">
            {done} of {items.length} done · {count('enrolled')} enrolled · {count('duplicate')} already there · {count('set_aside')} set aside ·{' '}
            {count('failed')} failed
            {isRunning && imagesPerSecond !== null ? ` · ${imagesPerSecond.toFixed(1)} images/s` : ''}
          </p>
          <table>
            <thead>
              <tr>
                <th>File</th>
                <th>Subject</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td className="mono">{item.file.webkitRelativePath || item.file.name}</td>
                  <td>
                    <input
                      aria-label={`Subject for ${item.file.name}`}
                      value={item.subject}
                      disabled={item.status !== 'queued' && item.status !== 'failed'}
                      onChange={(event) => update(item.id, { subject: event.currentTarget.value })}
                    />
                  </td>
                  <td>
                    <span className={`badge ${TONE[item.status]}`}>{LABEL[item.status]}</span> {item.detail ? <span className="muted">{item.detail}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="muted">Pick images or a folder. Each image must show one face of usable quality; others are set aside for review with the reason.</p>
      )}
    </div>
  );
}
