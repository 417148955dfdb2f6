import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { missingPrerequisite } from './prerequisites.js';

/** scripts/install-schemathesis.sh's venv: its python (with openapi_spec_validator) and schemathesis' CLI. */
export function openApiTools(): { python: string; schemathesis: string } | undefined {
  const venv = path.join(process.env['LAKEPLANE_CACHE_DIR'] ?? path.join(homedir(), '.cache', 'lakeplane'), 'venv-schemathesis', 'bin');
  const python = process.env['LAKEPLANE_OPENAPI_PYTHON'] ?? path.join(venv, 'python');
  const schemathesis = process.env['LAKEPLANE_SCHEMATHESIS'] ?? path.join(venv, 'schemathesis');
  if (existsSync(python) && existsSync(schemathesis)) return { python, schemathesis };
  missingPrerequisite('the OpenAPI validator and fuzz', 'openapi-spec-validator and schemathesis are not installed (run scripts/install-schemathesis.sh)');
  return undefined;
}
