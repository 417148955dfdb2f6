import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WarehouseStsSettings } from '../../../../shared/db/index.js';
import { ValidationError } from '../../../../shared/errors/index.js';
import type { Platform } from '../../../../shared/platform/index.js';
import { StorageRoot, UnsafeLocationError, locationScheme } from '../../../../shared/storage/index.js';
import { resolveCredentials } from '../../storage/warehouse-storage.js';

/** Embedded mode keeps warehouses beside its database unless told otherwise. */
export function defaultLocation(platform: Platform, name: string): string {
  const dir = platform.config.LAKEPLANE_DATA_DIR;
  if (dir.startsWith('memory://')) {
    throw new ValidationError([
      { in: 'body', field: 'storageLocation', message: 'is required: the data directory is in memory, so there is no default warehouse location' },
    ]);
  }
  return pathToFileURL(path.resolve(dir, 'warehouses', name)).href;
}

/** A warehouse's storage settings, checked together before they are written: at creation and on every change. */
export function checkStorage(
  location: string,
  credentialsRef: string | null | undefined,
  vending: string | undefined,
  sts: WarehouseStsSettings | null | undefined,
  remoteSigning = false,
): void {
  const scheme = locationScheme(location);
  try {
    new StorageRoot(location);
  } catch (err) {
    // Every location of the warehouse is resolved against this one: it must be as unambiguous as they are.
    if (err instanceof UnsafeLocationError)
      throw new ValidationError([{ in: 'body', field: 'storageLocation', message: `${JSON.stringify(location)} ${err.reason}` }]);
    throw err;
  }
  if (remoteSigning && scheme !== 's3')
    throw new ValidationError([
      { in: 'body', field: 'remoteSigning', message: 'remote signing needs an s3:// warehouse; a local one has no requests to sign' },
    ]);
  if (remoteSigning && !credentialsRef)
    throw new ValidationError([
      { in: 'body', field: 'credentialsRef', message: 'is required when remoteSigning is true: requests are signed with the keys it names' },
    ]);
  if (scheme === 'file' && !/^file:\/(\/\/)?[^/]/.test(location))
    throw new ValidationError([{ in: 'body', field: 'storageLocation', message: 'must be an absolute file:/// location' }]);
  if (scheme === 'file' && (vending === 'static' || vending === 'sts'))
    throw new ValidationError([
      { in: 'body', field: 'credentialVending', message: `${vending} vending needs an s3:// warehouse; a local one has no credentials to vend` },
    ]);
  // The keys that call STS may also come from the SDK's default chain (a pod's web identity), so credentialsRef is
  // not required here; the role is.
  if (vending === 'sts' && !sts)
    throw new ValidationError([{ in: 'body', field: 'sts', message: 'is required when credentialVending is sts: name the role to assume (sts.roleArn)' }]);
  if (vending === 'static' && !credentialsRef)
    throw new ValidationError([{ in: 'body', field: 'credentialsRef', message: 'is required when credentialVending is static' }]);
  if (credentialsRef) {
    try {
      resolveCredentials(credentialsRef);
    } catch (err) {
      throw new ValidationError([{ in: 'body', field: 'credentialsRef', message: (err as Error).message }]);
    }
  }
}
