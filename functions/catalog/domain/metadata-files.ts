import { childLocation } from '../../../shared/storage/index.js';

const WRITE_METADATA_PATH = 'write.metadata.path';

/** Java's name for metadata files: NNNNN-<uuid>.metadata.json, the version zero-padded to five digits. */
export function metadataFileLocation(objectLocation: string, properties: Record<string, string>, version: number, uuid: string): string {
  const dir = properties[WRITE_METADATA_PATH] ?? childLocation(objectLocation, 'metadata');
  return childLocation(dir, `${String(version).padStart(5, '0')}-${uuid}.metadata.json`);
}

/** The version in a metadata file name, or -1 when the name is not in Iceberg's form (a registered table's). */
export function metadataFileVersion(location: string): number {
  const name = location.slice(location.lastIndexOf('/') + 1);
  const match = /^(\d+)-[0-9a-fA-F-]+(\.gz)?\.metadata\.json$/.exec(name) ?? /^v(\d+)(\.gz)?\.metadata\.json$/.exec(name);
  return match ? Number(match[1]) : -1;
}

export function nextMetadataVersion(currentLocation: string | null, metadataLogLength: number): number {
  if (!currentLocation) return 0;
  const v = metadataFileVersion(currentLocation);
  return v >= 0 ? v + 1 : metadataLogLength + 1;
}
