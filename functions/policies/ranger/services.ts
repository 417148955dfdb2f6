import { NotFoundError } from '../../../shared/errors/index.js';
import { serviceNamed, TAG_SERVICE, type RangerService } from './ranger-policy.js';

/** A service we serve, or 404 naming those there are. */
export function service(name: string): RangerService {
  const s = serviceNamed(name);
  if (!s)
    throw new NotFoundError(
      `Ranger service "${name}" is not served: use "trino" (warehouse = catalog), "hive-<warehouse>" (namespace = database) or "${TAG_SERVICE}" (tag-based policies)`,
    );
  return s;
}

/** What a plugin downloads for: a component's service; the tag service's policies come with it as tagPolicies. */
export function pluginService(name: string): RangerService {
  const s = service(name);
  if (s.kind === 'tag')
    throw new NotFoundError(
      `"${name}" is the tag service: its policies come with each service's download (tagPolicies), and the catalog's tags from /service/tags/download/<service>`,
    );
  return s;
}
