import type { DataResource } from './resource-match.js';
import type { ResourceTag } from './tag-attributes.js';

/** The catalog's tags as tag-based policies read them, where the decision is made. */
export interface ObjectTagStore {
  /**
   * Catalog tags of a table or view (and of the column, when the resource names one), with their attributes: an
   * EXPIRES_ON tag's expiry_date is read at decision time, so the decision follows the catalog as it is now. None
   * for a resource that names no table, or one the catalog does not hold.
   */
  tagsOf(resource: DataResource): Promise<ResourceTag[]>;
}
