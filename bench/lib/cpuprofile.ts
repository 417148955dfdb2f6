import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by function (name and original source), largest first. */
  selfByFunction: Array<{ name: string; ms: number; share: number }>;
  /** Self time by original source file or npm package, largest first. */
  selfByModule: Array<{ name: string; ms: number; share: number }>;
  /** Time with the function anywhere on the stack, largest first. */
  inclusiveByFunction: Array<{ name: string; ms: number; share: number }>;
}

/**
 * Where a Node CPU profile (`node --cpu-prof`) of the bundled server spends its time. Frames in the bundle are mapped
 * back to their sources through its source map, so time is attributed to shared/…, functions/… or an npm package.
 */
export function summarizeCpuProfile(file: string, top = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (url: string): SourceMap | null => {
    if (!url.startsWith('file://')) return null;
    let m = maps.get(url);
    if (m === undefined) {
      try {
        m = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
      } catch {
        m = null;
      }
      maps.set(url, m);
    }
    return m;
  };
  const moduleOf = (source: string): string => {
    const nm = source.lastIndexOf('node_modules/');
    if (nm !== -1) {
      const rest = source.slice(nm + 'node_modules/'.length).split('/');
      return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? source);
    }
    return source;
  };

  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const labels = new Map<number, { fn: string; mod: string }>();
  const labelOf = (id: number): { fn: string; mod: string } => {
    let l = labels.get(id);
    if (l) return l;
    const f = (byId.get(id) as ProfileNode).callFrame;
    const name = f.functionName || '(anonymous)';
    if (!f.url) l = { fn: name, mod: name.startsWith('(') ? name : '(native)' };
    else if (f.url.startsWith('node:')) l = { fn: `${name} ${f.url}`, mod: `node:${f.url.slice(5).split('/')[0]}` };
    else {
      const entry = mapFor(f.url)?.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number } | undefined;
      let source = entry?.originalSource ? entry.originalSource : f.url;
      if (source.startsWith('file://')) source = fileURLToPath(source);
      const root = path.resolve(import.meta.dirname, '../..');
      source = source.replace(/^.*?\/(?=(node_modules|shared|functions|bin|migrations)\/)/, '');
      if (source.startsWith(root)) source = path.relative(root, source);
      l = { fn: `${name} ${source}${entry?.originalLine !== undefined ? `:${entry.originalLine + 1}` : ''}`, mod: moduleOf(source) };
    }
    labels.set(id, l);
    return l;
  };

  const self = new Map<string, number>();
  const mods = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const id = profile.samples[i] as number;
    total += dt;
    const l = labelOf(id);
    self.set(l.fn, (self.get(l.fn) ?? 0) + dt);
    mods.set(l.mod, (mods.get(l.mod) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = labelOf(cur).fn;
      if (seen.has(fn)) continue;
      seen.add(fn);
      incl.set(fn, (incl.get(fn) ?? 0) + dt);
    }
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: ms / total }));
  return { totalMs: total, selfByFunction: ranked(self), selfByModule: ranked(mods), inclusiveByFunction: ranked(incl) };
}
