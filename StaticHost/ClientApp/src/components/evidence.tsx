import { useRef, useState } from "preact/hooks";
import { api, get, upload, type UploadProgress } from "../lib/api";
import { useAction, useResource } from "../lib/hooks";
import type { Evidence } from "../lib/types";
import { ConfirmButton, ErrorMessage, Loading, When } from "./ui";

const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = ".png,.jpg,.jpeg,.pdf,.txt,.md,.log,.json,.yaml,.yml,image/png,image/jpeg,application/pdf,text/plain,application/json";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

interface Upload {
  name: string;
  progress: UploadProgress | null;
}

/**
 * An item's evidence: drop files on the zone (or choose them with the file input, by keyboard), watch each upload's
 * progress, and download what is there.
 */
export function EvidencePanel({ reviewId, itemId, writable }: { reviewId: string; itemId: string; writable: boolean }) {
  const base = `/api/reviews/${reviewId}/items/${encodeURIComponent(itemId)}/evidence`;
  const files = useResource((signal) => get<Evidence[]>(base, signal), [base]);
  const [uploading, setUploading] = useState<Upload | null>(null);
  const [dragging, setDragging] = useState(false);
  const [message, setMessage] = useState("");
  // Each file's failure stays on screen until the next batch: one file's refusal must not be wiped by the next upload.
  const [failures, setFailures] = useState<{ name: string; error: unknown }[]>([]);
  const [busy, setBusy] = useState(false);
  const busyRef = useRef(false);
  const remove = useAction();
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = `evidence-file-${itemId}`;
  const headingId = `evidence-heading-${itemId}`;

  const uploadAll = async (list: FileList | File[]) => {
    // One batch at a time: a drop during an upload would run a second loop beside it.
    if (busyRef.current) return;
    busyRef.current = true;
    setBusy(true);
    setFailures([]);
    const failed: { name: string; error: unknown }[] = [];
    for (const file of Array.from(list)) {
      if (file.size > MAX_BYTES) {
        failed.push({ name: file.name, error: new Error(`${file.name} is ${formatBytes(file.size)}; evidence files can be at most 10 MiB.`) });
        continue;
      }
      setUploading({ name: file.name, progress: null });
      try {
        const stored = await upload<Evidence>(base, file, (progress) => setUploading({ name: file.name, progress }));
        files.setData((current) => [...(current ?? []), stored]);
        setMessage(`${stored.fileName} uploaded.`);
      } catch (error) {
        failed.push({ name: file.name, error });
      }
    }
    setUploading(null);
    setFailures(failed);
    busyRef.current = false;
    setBusy(false);
    if (inputRef.current) inputRef.current.value = "";
  };

  const deleteFile = async (file: Evidence) => {
    const ok = await remove.run(() => api("DELETE", `/api/evidence/${file.id}`, { ifMatch: file.etag }));
    if (ok) {
      files.setData((current) => (current ?? []).filter((f) => f.id !== file.id));
      setMessage(`${file.fileName} deleted.`);
    }
  };

  const percentDone = uploading?.progress ? Math.round((uploading.progress.loaded / uploading.progress.total) * 100) : 0;

  return (
    <section class="evidence" aria-labelledby={headingId}>
      <h5 id={headingId}>Evidence<span class="visually-hidden"> for {itemId}</span></h5>
      <p class="visually-hidden" role="status">{message}</p>
      {writable && (
        <div
          class={`dropzone${dragging ? " dropzone-active" : ""}`}
          onDragEnter={(e) => { e.preventDefault(); setDragging(true); }}
          onDragOver={(e) => { e.preventDefault(); if (e.dataTransfer) e.dataTransfer.dropEffect = "copy"; }}
          onDragLeave={(e) => { if (e.currentTarget === e.target) setDragging(false); }}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            if (e.dataTransfer?.files.length) void uploadAll(e.dataTransfer.files);
          }}
        >
          <p>Drop files here, or choose them:</p>
          <label for={inputId}>
            Files to upload<span class="visually-hidden"> as evidence for {itemId}</span>
          </label>
          <input id={inputId} ref={inputRef} type="file" multiple accept={ACCEPT} disabled={busy}
            onChange={(e) => e.currentTarget.files && void uploadAll(e.currentTarget.files)} />
          <p class="hint">PNG, JPEG, PDF, text, JSON or YAML, up to 10 MiB each.</p>
        </div>
      )}
      {uploading && (
        <div class="upload-progress">
          <label for={`progress-${itemId}`}>Uploading {uploading.name}</label>
          <progress id={`progress-${itemId}`} max={100} value={percentDone} />
          <span aria-hidden="true">{percentDone}%</span>
        </div>
      )}
      {failures.map((failure, index) => <ErrorMessage key={index} error={failure.error} title={`${failure.name} could not be uploaded`} />)}
      <ErrorMessage error={remove.error} title="The file could not be deleted" />
      {files.error ? (
        <ErrorMessage error={files.error} title="Evidence could not be loaded" />
      ) : !files.data ? (
        <Loading label="Loading evidence…" />
      ) : files.data.length === 0 ? (
        <p class="muted small">No evidence yet.</p>
      ) : (
        <ul class="evidence-list" aria-label={`Evidence files for ${itemId}`}>
          {files.data.map((file) => (
            <li key={file.id}>
              <a href={file.contentUrl} download={file.fileName}>{file.fileName}</a>{" "}
              <span class="muted small">
                {file.contentType}, {formatBytes(file.length)}, <When at={file.uploadedAt} />
              </span>
              {writable && (
                <ConfirmButton label="Delete" accessibleName={`Delete ${file.fileName}`} confirmLabel={`Yes, delete ${file.fileName}`}
                  busy={remove.busy} onConfirm={() => void deleteFile(file)} />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
