import type { BundleRow } from '../../store/control-bundle-store.js';

export function toApi(row: BundleRow, active: string | null) {
  return {
    id: row.id,
    version: row.version,
    digest: row.digest,
    revision: row.revision,
    description: row.description,
    uploadedAt: row.uploaded_at.toISOString(),
    uploadedBy: row.uploaded_by,
    active: row.id === active,
  };
}
